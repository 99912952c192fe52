/* vmm_kstats.c: KVM's own per-vCPU exit counters (binary stats fd), so every mode, including the
 * in-kernel irqchip whose exits never reach userspace, is measured the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

static const char *const kstat_names[VMM_KSTAT_COUNT] = {
	[KSTAT_EXITS] = "exits", [KSTAT_IO] = "io_exits", [KSTAT_MMIO] = "mmio_exits",
	[KSTAT_HLT] = "halt_exits", [KSTAT_IRQ_WINDOW] = "irq_window_exits", [KSTAT_EXT_IRQ] = "irq_exits",
};

/* Find each counter's file offset once; -1 when this KVM lacks it. */
int vmm_kstats_open(struct vcpu *v)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs;

	for (unsigned k = 0; k < VMM_KSTAT_COUNT; k++)
		v->kstat_off[k] = -1;
	v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	if (v->stats_fd < 0 || pread(v->stats_fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs)
		return -1;
	if (pread(v->stats_fd, descs, h.num_desc * dsz, h.desc_offset) == (ssize_t)(h.num_desc * dsz)) {
		for (unsigned i = 0; i < h.num_desc; i++) {
			struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsz);

			for (unsigned k = 0; k < VMM_KSTAT_COUNT; k++)
				if (!strncmp(d->name, kstat_names[k], h.name_size))
					v->kstat_off[k] = (long)(h.data_offset + d->offset);
		}
	}
	free(descs);
	return 0;
}

uint64_t vmm_kstat(struct vcpu *v, enum vmm_kstat k)
{
	uint64_t val = 0;

	if (v->stats_fd < 0 || v->kstat_off[k] < 0 ||
	    pread(v->stats_fd, &val, sizeof(val), v->kstat_off[k]) != (ssize_t)sizeof(val))
		return 0;
	return val;
}

void vmm_kstats_print(struct vm *vm)
{
	uint64_t sum[VMM_KSTAT_COUNT] = { 0 };

	if (vm->vcpu[0].stats_fd < 0) {
		printf("x86-vmm: kvm-exits n/a (no KVM binary stats)\n");
		return;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		for (unsigned k = 0; k < VMM_KSTAT_COUNT; k++)
			sum[k] += vmm_kstat(&vm->vcpu[i], (enum vmm_kstat)k);
	printf("x86-vmm: kvm-exits total=%llu io=%llu mmio=%llu hlt=%llu irq-window=%llu host-irq=%llu\n",
	       (unsigned long long)sum[KSTAT_EXITS], (unsigned long long)sum[KSTAT_IO],
	       (unsigned long long)sum[KSTAT_MMIO], (unsigned long long)sum[KSTAT_HLT],
	       (unsigned long long)sum[KSTAT_IRQ_WINDOW], (unsigned long long)sum[KSTAT_EXT_IRQ]);
}

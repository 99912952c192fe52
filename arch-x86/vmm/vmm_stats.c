/* vmm_stats.c: exits counted by cause, in every mode, and the summary printed at the end of a run.
 * The summary lines are parsed by scripts/run-x86.sh; keep their "x86-vmm: key=value" shape. */
#include <stdio.h>

#include "vmm.h"

static const char *const exit_names[EX_COUNT] = {
	[EX_IO_ABI] = "io-abi", [EX_IO_PIC] = "io-pic", [EX_IO_ELCR] = "io-elcr", [EX_IO_OTHER] = "io-other",
	[EX_MMIO_LAPIC] = "mmio-lapic", [EX_MMIO_IOAPIC] = "mmio-ioapic", [EX_MMIO_OTHER] = "mmio-other",
	[EX_HLT] = "hlt", [EX_IRQ_WINDOW] = "irq-window", [EX_KICK] = "kick", [EX_SHUTDOWN] = "shutdown",
	[EX_INTERNAL] = "internal-error", [EX_FAIL_ENTRY] = "fail-entry", [EX_OTHER] = "other",
	[EX_IOAPIC_EOI] = "ioapic-eoi",
};

const char *vmm_exit_name(enum vmm_exit_kind k)
{
	return k < EX_COUNT ? exit_names[k] : "?";
}

const char *vmm_mode_name(enum vmm_mode m)
{
	switch (m) {
	case VMM_MODE_USER:  return "user-pic-apic";
	case VMM_MODE_XAPIC: return "xapic-only";
	case VMM_MODE_SPLIT: return "split";
	default:             return "in-kernel";
	}
}

void vmm_count_exit(struct vm *vm, enum vmm_exit_kind k)
{
	vm->stats.exits[k]++;
}

void vmm_print_stats(struct vm *vm)
{
	unsigned long long total = 0;

	for (unsigned k = 0; k < EX_COUNT; k++)
		total += vm->stats.exits[k];
	printf("x86-vmm: mode=%s vcpus=%u status=%d\n", vmm_mode_name(vm->mode), vm->nr_vcpus,
	       atomic_load(&vm->exit_status));
	printf("x86-vmm: exits total=%llu", total);
	for (unsigned k = 0; k < EX_COUNT; k++)
		printf(" %s=%llu", exit_names[k], (unsigned long long)vm->stats.exits[k]);
	printf("\n");
	if (atomic_load(&vm->stats.cold_start_done))
		printf("x86-vmm: cold-start-exits=%llu kvm-cold-start-exits=%llu\n",
		       (unsigned long long)vm->stats.cold_start_exits,
		       (unsigned long long)vm->stats.cold_start_kvm_exits);
	else
		printf("x86-vmm: cold-start-exits=n/a (no timer tick was followed by a guest call)\n");
	vmm_kstats_print(vm);
	printf("x86-vmm: pv-timer ticks=%llu re-sent-late=%llu\n", (unsigned long long)vm->stats.pv_ticks,
	       (unsigned long long)vm->stats.pv_reinjected);
	printf("x86-vmm: injected=%llu nmis=%llu kicks=%llu resamples=%llu abi-errors=%llu msis=%llu "
	       "msis-unclaimed=%llu\n",
	       (unsigned long long)vm->stats.injected, (unsigned long long)vm->stats.nmis,
	       (unsigned long long)vm->stats.kicks_sent, (unsigned long long)vm->stats.resamples,
	       (unsigned long long)vm->stats.abi_errors, (unsigned long long)vm->stats.msis,
	       (unsigned long long)vm->stats.msis_unclaimed);
	if (vm->mode == VMM_MODE_SPLIT)
		printf("x86-vmm: split ioapic-msis=%llu route-updates=%llu ioapic-eoi-exits=%llu pv-irqfd-ticks=%llu\n",
		       (unsigned long long)vm->stats.split_msis, (unsigned long long)vm->stats.split_routes,
		       (unsigned long long)vm->stats.exits[EX_IOAPIC_EOI],
		       (unsigned long long)vm->stats.pv_irqfd_ticks);
	if (vm->mode != VMM_MODE_KERNEL) {
		unsigned long long bad = vm->ioapic.stats.bad_access + vm->ioapic_hi.stats.bad_access + vm->ioapic_3.stats.bad_access +
					 vm->pic.stats.bad_access;

		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			bad += vm->lapic[i].stats.bad_access;
		printf("x86-vmm: chip bad-accesses=%llu pic-spurious=%llu\n", bad,
		       (unsigned long long)vm->pic.stats.spurious);
	}
	fflush(stdout);
}

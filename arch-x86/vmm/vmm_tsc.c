/* vmm_tsc.c: interrupt latency on one clock: the host TSC when the VMM raises a line, and the guest's
 * "@@tsc KIND ..." console lines (its TSC at a handler's entry, or before a call) put on the host's TSC. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

#define TSC_PREFIX    "@@tsc "
#define TSC_LINE_MAX  80U
#define TSC_KIND_MAX  8U
#define MSR_IA32_TSC  0x10U
#define KHZ_NS_SCALE  1000000LL   /* ns = cycles * 10^6 / kHz */
#define KVM_MSRS_ONE  1

uint64_t vmm_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void vmm_tsc_note_raise(atomic_ullong *where)
{
	atomic_store(where, vmm_rdtsc());
}

/*
 * guest TSC = host TSC + offset. The VMM never sets KVM_SET_TSC_KHZ, so there is no TSC scaling.
 * KVM_VCPU_TSC_OFFSET (Linux 5.16+) gives the offset exactly; otherwise read the guest's TSC MSR
 * between two host reads and take the midpoint (off by at most half the ioctl's duration).
 */
static bool tsc_offset(struct vcpu *v, int64_t *off)
{
	uint64_t val = 0, t0, t1;
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
				     .addr = (uint64_t)(uintptr_t)&val };
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = KVM_MSRS_ONE, .e.index = MSR_IA32_TSC };

	if (ioctl(v->fd, KVM_GET_DEVICE_ATTR, &a) == 0) {
		*off = (int64_t)val;
		return true;
	}
	t0 = vmm_rdtsc();
	if (ioctl(v->fd, KVM_GET_MSRS, &m) != KVM_MSRS_ONE)
		return false;
	t1 = vmm_rdtsc();
	*off = (int64_t)(m.e.data - (t0 + (t1 - t0) / 2));
	return true;
}

int64_t vmm_tsc_offset(struct vcpu *v)
{
	int64_t off = 0;

	return tsc_offset(v, &off) ? off : 0;
}

static int64_t ns_of(int64_t cycles, long khz)
{
	return cycles * KHZ_NS_SCALE / khz;
}

/*
 * "@@tsc irq H": H is the guest's TSC at the PV timer handler's entry: print how long after the host
 * raised the tick that was (the guest stops the timer after each tick, so the last raise is its own).
 * "@@tsc line T H": T was read just before a LINE_SET call, H at its handler's entry: print the two
 * halves around the VMM's raise, guest to VMM (one exit) and VMM to handler. Both must be positive
 * whatever the offset error, which bounds that error by the round trip; their sum is the guest's own
 * measurement, which needs no offset at all.
 */
void vmm_tsc_line(struct vcpu *v, const char *p, uint64_t len)
{
	size_t pre = sizeof(TSC_PREFIX) - 1;
	char buf[TSC_LINE_MAX + 1], kind[TSC_KIND_MAX + 1], *s, *end;
	uint64_t g[2];
	unsigned n = 0, k = 0;
	int64_t off;
	long khz;

	if (len <= pre || memcmp(p, TSC_PREFIX, pre) != 0)
		return;
	len = len - pre < TSC_LINE_MAX ? len - pre : TSC_LINE_MAX;
	memcpy(buf, p + pre, len);
	buf[len] = 0;
	while (k < TSC_KIND_MAX && buf[k] > ' ')
		k++;
	memcpy(kind, buf, k);
	kind[k] = 0;
	for (s = buf + k; n < 2; s = end) {
		g[n] = strtoull(s, &end, 10);
		if (end == s)
			break;
		n++;
	}
	khz = ioctl(v->fd, KVM_GET_TSC_KHZ);
	if (khz <= 0 || !tsc_offset(v, &off))
		return;
	if (!strcmp(kind, "irq") && n == 1) {
		uint64_t raise = atomic_load(&v->vm->stats.pv_raise_tsc);

		printf("x86-vmm: tsc irq ns=%" PRId64 "\n", ns_of((int64_t)(g[0] - (uint64_t)off - raise), khz));
	} else if (!strcmp(kind, "line") && n == 2) {
		uint64_t raise = atomic_load(&v->vm->stats.line_raise_tsc);

		printf("x86-vmm: tsc line exit-ns=%" PRId64 " raise-to-handler-ns=%" PRId64 "\n",
		       ns_of((int64_t)(raise - (g[0] - (uint64_t)off)), khz),
		       ns_of((int64_t)(g[1] - (uint64_t)off - raise), khz));
	}
}

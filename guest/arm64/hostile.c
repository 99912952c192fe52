/* hostile.c: the hostile mode: pseudo-random garbage written to (and read from) every GICD and GICR
 * offset at every access width, and to the SGI system registers; then the controller is set up afresh.
 * The hypervisor must survive all of it, answering bad accesses with an external abort at worst. */
#include "arm64.h"

#define GICD_SPAN     0x10000U
#define GICR_SPAN     0x20000U
#define SGI_WRITES    4096U
#define XORSHIFT_SEED 0x9e3779b97f4a7c15UL

static uint64_t rng = XORSHIFT_SEED;

static uint64_t next_garbage(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void sweep(uint64_t base, uint64_t span)
{
	for (unsigned width = 1; width <= 8; width *= 2) {
		for (uint64_t off = 0; off < span; off += width) {
			uint64_t a = base + off, v = next_garbage();

			switch (width) {
			case 1: mmio_w8(a, (uint8_t)v); (void)mmio_r8(a); break;
			case 2: mmio_w16(a, (uint16_t)v); (void)mmio_r16(a); break;
			case 4: mmio_w32(a, (uint32_t)v); (void)mmio_r32(a); break;
			default: mmio_w64(a, v); (void)mmio_r64(a); break;
			}
		}
	}
}

bool guest_arch_hostile(void)
{
	guest_arch_local_irq_disable();
	arm64_abort_expected = true;
	sweep(machine.gicd, GICD_SPAN);
	for (unsigned cpu = 0; cpu < machine.nr_cpus; cpu++)
		sweep(machine.gicr + (uint64_t)cpu * GICR_SPAN, GICR_SPAN);
	for (unsigned i = 0; i < SGI_WRITES; i++) {
		write_sysreg(icc_sgi1r_el1, next_garbage());
		write_sysreg(icc_asgi1r_el1, next_garbage());
		write_sysreg(icc_sgi0r_el1, next_garbage());
	}
	isb();
	arm64_abort_expected = false;
	guest_printf("guest: hostile: %lu accesses refused with an external abort\n", arm64_aborts_taken);
	/* Start over, as after a reset: the suite that follows must not notice any of this. */
	if (gic_dist_init() < 0 || gic_cpu_init() < 0)
		return false;
	/* Drain anything the garbage left pending for this CPU before the suite counts interrupts. */
	guest_arch_local_irq_enable();
	guest_arch_local_irq_disable();
	return true;
}

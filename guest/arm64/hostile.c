/* hostile.c: the hostile mode: pseudo-random garbage written to (and read from) every GICD and GICR
 * offset at every access width (the ITS too, with a garbage command queue over overlapping tables and
 * tables outside RAM, and garbage MSIs), and to the SGI system registers; then the controller is set up afresh.
 * The hypervisor must survive all of it, answering bad accesses with an external abort at worst. */
#include "arm64.h"
#include "hv_abi.h"

#define GICD_SPAN     0x10000U
#define GICR_SPAN     0x20000U
#define GITS_SPAN     0x20000U
#define GITS_CTLR_OFF 0x0000U
#define GITS_CBASER_OFF 0x0080U
#define GITS_CWRITER_OFF 0x0088U
#define GITS_BASER0_OFF 0x0100U
#define GITS_TRANSLATER_OFF 0x10040U
#define GITS_VALID    (1UL << 63)
#define QUEUE_WORDS   (0x1000U / 8U)
#define NOWHERE       0xfff000000000UL      /* 48-bit IPA far outside any RAM */
#define BAD_MSIS      256U
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

/* A command queue of garbage, over tables that overlap it and tables outside RAM. */
static uint64_t bad_queue[QUEUE_WORDS] __attribute__((aligned(0x10000)));

static void its_garbage(void)
{
	uint64_t its = machine.its;

	sweep(its, GITS_SPAN);
	for (unsigned i = 0; i < QUEUE_WORDS; i++)
		bad_queue[i] = next_garbage();
	dsb(ish);
	mmio_w32(its + GITS_CTLR_OFF, 0);
	mmio_w64(its + GITS_BASER0_OFF, GITS_VALID | NOWHERE);                        /* devices: outside RAM */
	mmio_w64(its + GITS_BASER0_OFF + 8, GITS_VALID | (uint64_t)(uintptr_t)bad_queue);  /* collections: the queue */
	mmio_w64(its + GITS_CBASER_OFF, GITS_VALID | (uint64_t)(uintptr_t)bad_queue);
	mmio_w32(its + GITS_CTLR_OFF, 1);
	mmio_w64(its + GITS_CWRITER_OFF, 0xfe0);                                   /* 127 garbage commands */
	mmio_w64(its + GITS_BASER0_OFF, GITS_VALID | (uint64_t)(uintptr_t)bad_queue);  /* ignored: enabled */
	for (unsigned i = 0; i < BAD_MSIS; i++)
		guest_arch_hypercall(HV_CALL_MSI_SEND, (next_garbage() & 1) ? its + GITS_TRANSLATER_OFF : next_garbage(),
				     next_garbage() & 0xffffffffUL, 0);
	mmio_w32(its + GITS_CTLR_OFF, 0);
}

bool guest_arch_hostile(void)
{
	guest_arch_local_irq_disable();
	arm64_abort_expected = true;
	sweep(machine.gicd, GICD_SPAN);
	for (unsigned cpu = 0; cpu < machine.nr_cpus; cpu++)
		sweep(machine.gicr + (uint64_t)cpu * GICR_SPAN, GICR_SPAN);
	if (machine.its)
		its_garbage();
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

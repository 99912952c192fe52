/* garbage.c: the hostile phase: every LAPIC offset at every width, both IOAPIC windows, the PIC and
 * ELCR ports and the ABI port get pseudo-random values; x86_restore() then resets every controller. */
#include "x86.h"

#define LAPIC_SPAN 0x1000U
#define IOAPIC_SPAN 0x100U
#define ROUNDS 3U
#define PORT_WRITES 600U
#define ABI_CALLS 300U
#define ICR_LO 0x300U
#define ICR_DM_MASK 0x700U
#define ICR_DM_NMI 0x400U
#define BAD_GPA_BIT (1ULL << 44)
#define NR_GSI 48U

static uint64_t seed = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void mmio_write_any(uintptr_t a, uint64_t v, unsigned width)
{
	switch (width) {
	case 1: *(volatile uint8_t *)a = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)a = (uint16_t)v; break;
	case 8: *(volatile uint64_t *)a = v; break;
	default: *(volatile uint32_t *)a = (uint32_t)v; break;
	}
}

static uint64_t mmio_read_any(uintptr_t a, unsigned width)
{
	switch (width) {
	case 1: return *(volatile uint8_t *)a;
	case 2: return *(volatile uint16_t *)a;
	case 8: return *(volatile uint64_t *)a;
	default: return *(volatile uint32_t *)a;
	}
}

/* ICR garbage keeps fixed/lowest/NMI delivery: INIT, SIPI and SMI would really reset or park a vCPU
 * under KVM's in-kernel APIC, and no vCPU can restart outside long mode here. */
static uint64_t tame_icr(uint64_t v)
{
	return (v & ~(uint64_t)ICR_DM_MASK) | ((v & 1) ? ICR_DM_NMI : (v & 0x100));
}

static void lapic_garbage(void)
{
	static const unsigned widths[] = { 4, 1, 2, 8 };
	uint64_t sink = 0;

	for (unsigned r = 0; r < ROUNDS; r++)
		for (unsigned off = 0; off < LAPIC_SPAN; off += 4) {
			unsigned w = widths[(off / 4 + r) % 4];
			uint64_t v = rnd();
			unsigned o = off + (r == 2 ? (unsigned)(v >> 60) % 4 : 0);

			if (w == 8 && (o & 7))
				o &= ~7U;
			if ((o & ~0xFU) == ICR_LO)
				v = tame_icr(v);
			sink += mmio_read_any(G_LAPIC_BASE + o, w);
			mmio_write_any(G_LAPIC_BASE + o, v, w);
		}
	(void)sink;
}

static void ioapic_garbage(uintptr_t base)
{
	uint64_t sink = 0;

	for (unsigned i = 0; i < ROUNDS * IOAPIC_SPAN; i++) {
		unsigned off = (unsigned)rnd() % IOAPIC_SPAN;
		unsigned w = 1U << (rnd() % 4);

		if (i & 1) {
			mmio_w32(base + G_IOAPIC_REGSEL, (uint32_t)rnd());
			mmio_w32(base + G_IOAPIC_WIN, (uint32_t)rnd());
		}
		if (w == 8)
			off &= ~7U;
		sink += mmio_read_any(base + off, w);
		mmio_write_any(base + off, rnd(), w);
	}
	(void)sink;
}

static void pic_garbage(void)
{
	static const uint16_t ports[] = { G_PIC_M_CMD, G_PIC_M_DATA, G_PIC_S_CMD, G_PIC_S_DATA, G_ELCR_M, G_ELCR_S };
	uint32_t sink = 0;

	for (unsigned i = 0; i < PORT_WRITES; i++) {
		uint16_t p = ports[rnd() % 6];

		switch (rnd() % 4) {
		case 0: outw(p, (uint16_t)rnd()); break;
		case 1: sink += inb(p); break;
		default: outb(p, (uint8_t)rnd()); break;
		}
	}
	(void)sink;
}

static void abi_garbage(void)
{
	for (unsigned i = 0; i < ABI_CALLS; i++) {
		uint64_t nr = rnd() % 12U;

		/* Never HALT or CPU_OFF: those really end the VM or stop this CPU. (CPU_ON and CPU_STATE
		 * stay: with every vCPU running, CPU_ON can only be refused.) */
		if (nr == HV_CALL_HALT || nr == HV_CALL_CPU_OFF)
			nr = rnd() | 0x100;
		if (nr == HV_CALL_CONSOLE_WRITE) {
			/* Outside RAM or too long: must be refused, never printed. */
			hv_call(nr, rnd() | BAD_GPA_BIT, rnd() % 8192U, rnd());
			hv_call(nr, 0x100000, 4097 + rnd() % 100000U, 0);
			continue;
		}
		hv_call(nr, rnd() % 64U, rnd() % 5U, rnd());
		hv_call(nr, rnd(), rnd(), rnd());
	}
	/* Other ports: an open bus, counted. */
	for (unsigned i = 0; i < PORT_WRITES; i++) {
		uint16_t p = (uint16_t)rnd();

		if (p == HV_X86_ABI_PORT || (p & ~1U) == G_PIC_M_CMD || (p & ~1U) == G_PIC_S_CMD ||
		    (p & ~1U) == G_ELCR_M)
			continue;
		if (i & 1)
			outl(p, (uint32_t)rnd());
		else
			(void)inl(p);
	}
}

void x86_restore(bool pic)
{
	hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0);
	for (unsigned l = 1; l < HV_NR_LINES; l++)
		hv_call(HV_CALL_LINE_SET, l, HV_LINE_LOWER, 0);
	lapic_w(G_LAPIC_ID, 0);
	lapic_enable();
	lapic_w(G_LAPIC_TPR, 0);
	lapic_w(G_LAPIC_TIMER_INIT, 0);
	lapic_w(G_LAPIC_LVT_TIMER, G_LVT_MASKED);
	lapic_w(G_LAPIC_LVT_LINT0, pic ? G_LVT_EXTINT : G_LVT_MASKED);
	lapic_w(G_LAPIC_LVT_LINT1, G_LVT_MASKED);
	lapic_w(G_LAPIC_LVT_ERROR, G_LVT_MASKED);
	lapic_w(G_LAPIC_DFR, 0xFFFFFFFFU);
	lapic_w(G_LAPIC_LDR, 0);
	lapic_w(G_LAPIC_ICR_HI, 0);
	lapic_w(G_LAPIC_ESR, 0);
	lapic_w(G_LAPIC_ESR, 0);
	ioapic_w(0, 0);
	for (unsigned gsi = 0; gsi < NR_GSI; gsi++)
		ioapic_mask(gsi);
	if (pic) {
		outb(G_ELCR_M, 0);
		outb(G_ELCR_S, 0);
		pic_init(G_PIC_VEC_M, G_PIC_VEC_S, G_PIC_ICW4_8086, G_PIC_MASK_ALL, G_PIC_MASK_ALL);
	}
}


void x86_garbage(bool pic)
{
	lapic_garbage();
	ioapic_garbage(G_IOAPIC_BASE);
	ioapic_garbage(G_IOAPIC_HI_BASE);
	if (pic)
		pic_garbage();
	abi_garbage();
}

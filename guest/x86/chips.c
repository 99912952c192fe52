/* chips.c: the guest's drivers for the LAPIC, IOAPIC and 8259A pair: the native interface,
 * so the VMM's emulation (or KVM's) is exercised exactly as an OS would use it. */
#include "x86.h"

#define PIC_ICW1 0x11U
#define PIC_ICW3_MASTER 0x04U   /* slave on IR2 */
#define PIC_ICW3_SLAVE  0x02U   /* cascade identity 2 */
#define PIC_SLAVE_FIRST 8U
#define RTE(pin) (0x10U + 2U * (pin))

uint32_t lapic_r(uint32_t reg) { return mmio_r32(G_LAPIC_BASE + reg); }
void lapic_w(uint32_t reg, uint32_t v) { mmio_w32(G_LAPIC_BASE + reg, v); }
void lapic_eoi(void) { lapic_w(G_LAPIC_EOI, 0); }

void lapic_enable(void)
{
	lapic_w(G_LAPIC_SVR, G_SVR_ENABLE | G_SPURIOUS_VEC);
}

bool lapic_in_service(unsigned v)
{
	return lapic_r(G_LAPIC_ISR + (v / 32U) * 0x10U) & (1U << (v % 32U));
}

void lapic_self_ipi(unsigned vector)
{
	lapic_w(G_LAPIC_ICR_LO, G_ICR_SELF | vector);
}

void lapic_ipi(unsigned dest, uint32_t flags_vector)
{
	lapic_w(G_LAPIC_ICR_HI, dest << 24);
	lapic_w(G_LAPIC_ICR_LO, flags_vector);
}

static uint32_t io_r(uintptr_t base, uint32_t reg)
{
	mmio_w32(base + G_IOAPIC_REGSEL, reg);
	return mmio_r32(base + G_IOAPIC_WIN);
}

static void io_w(uintptr_t base, uint32_t reg, uint32_t v)
{
	mmio_w32(base + G_IOAPIC_REGSEL, reg);
	mmio_w32(base + G_IOAPIC_WIN, v);
}

/* IOAPIC n serves GSI 24n..24n+23 at G_IOAPIC_BASE + n * 4 KiB (the VMM's layout: the second is
 * G_IOAPIC_HI_BASE, a third one the scale runs use). */
static uintptr_t io_base(unsigned gsi, unsigned *pin)
{
	*pin = gsi % G_IOAPIC_PINS;
	return G_IOAPIC_BASE + (uintptr_t)(gsi / G_IOAPIC_PINS) * G_IOAPIC_STRIDE;
}

uint32_t ioapic_r(uint32_t reg) { return io_r(G_IOAPIC_BASE, reg); }
void ioapic_w(uint32_t reg, uint32_t v) { io_w(G_IOAPIC_BASE, reg, v); }

uint32_t ioapic_rte(unsigned gsi)
{
	unsigned pin;
	uintptr_t b = io_base(gsi, &pin);

	return io_r(b, RTE(pin));
}

void ioapic_route(unsigned gsi, unsigned vector, uint32_t flags, unsigned dest)
{
	unsigned pin;
	uintptr_t b = io_base(gsi, &pin);

	io_w(b, RTE(pin) + 1U, dest << 24);
	io_w(b, RTE(pin), vector | flags);
}

void ioapic_mask(unsigned gsi)
{
	unsigned pin;
	uintptr_t b = io_base(gsi, &pin);

	io_w(b, RTE(pin), G_RTE_MASKED);
}

void ioapic_set_mask(unsigned gsi, bool masked)
{
	unsigned pin;
	uintptr_t b = io_base(gsi, &pin);
	uint32_t lo = io_r(b, RTE(pin));

	io_w(b, RTE(pin), masked ? (lo | G_RTE_MASKED) : (lo & ~G_RTE_MASKED));
}

/* The Nanvix/Hyperlight sequence: ICW1 0x11, ICW2 base, ICW3 0x04/0x02, ICW4, then OCW1 masks. */
void pic_init(uint8_t base_m, uint8_t base_s, uint8_t icw4, uint8_t mask_m, uint8_t mask_s)
{
	outb(G_PIC_M_CMD, PIC_ICW1);
	outb(G_PIC_M_DATA, base_m);
	outb(G_PIC_M_DATA, PIC_ICW3_MASTER);
	outb(G_PIC_M_DATA, icw4);
	outb(G_PIC_S_CMD, PIC_ICW1);
	outb(G_PIC_S_DATA, base_s);
	outb(G_PIC_S_DATA, PIC_ICW3_SLAVE);
	outb(G_PIC_S_DATA, icw4);
	outb(G_PIC_M_DATA, mask_m);
	outb(G_PIC_S_DATA, mask_s);
}

void pic_mask_all(void)
{
	outb(G_PIC_M_DATA, 0xFF);
	outb(G_PIC_S_DATA, 0xFF);
}

void pic_eoi(unsigned irq)
{
	if (irq >= PIC_SLAVE_FIRST)
		outb(G_PIC_S_CMD, G_PIC_EOI);
	outb(G_PIC_M_CMD, G_PIC_EOI);
}

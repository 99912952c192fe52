/* x86_gsi.c: fan a line out to the PIC and the IOAPIC, as ISA IRQs are wired on a PC.
 * The guest masks the controller it does not use; both see the same wire. */
#include <stddef.h>
#include "x86_gsi.h"

static struct x86_gsi *gsi_of(struct irq_chip *chip)
{
	return (struct x86_gsi *)((char *)chip - offsetof(struct x86_gsi, chip));
}

static bool on_pic(const struct x86_gsi *g, uint32_t line)
{
	return g->pic && line < PIC_NR_LINES && line != PIC_CASCADE_IRQ;
}

/* The IOAPIC and pin behind a GSI, or NULL. */
static struct ioapic *ioapic_for(const struct x86_gsi *g, uint32_t line, uint32_t *pin)
{
	if (line < IOAPIC_NR_PINS) {
		*pin = line;
		return g->ioapic;
	}
	*pin = line - IOAPIC_NR_PINS;
	return g->ioapic_hi;
}

static int op_set_level(struct irq_chip *chip, uint32_t line, bool high)
{
	struct x86_gsi *g;
	struct ioapic *io;
	uint32_t pin;

	if (!chip)
		return HV_EINVAL;
	g = gsi_of(chip);
	if (line >= X86_GSI_NR_LINES)
		return HV_ERANGE;
	if (on_pic(g, line))
		pic_set_level(g->pic, line, high);
	io = ioapic_for(g, line, &pin);
	if (io)
		ioapic_set_level(io, pin, high);
	return HV_OK;
}

static int op_pulse(struct irq_chip *chip, uint32_t line)
{
	struct x86_gsi *g;
	struct ioapic *io;
	uint32_t pin;

	if (!chip)
		return HV_EINVAL;
	g = gsi_of(chip);
	if (line >= X86_GSI_NR_LINES)
		return HV_ERANGE;
	if (on_pic(g, line))
		pic_pulse(g->pic, line);
	io = ioapic_for(g, line, &pin);
	if (io)
		ioapic_pulse(io, pin);
	return HV_OK;
}

static int op_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner)
{
	struct x86_gsi *g;
	struct ioapic *io;
	uint32_t pin;

	if (!chip)
		return HV_EINVAL;
	g = gsi_of(chip);
	if (line >= X86_GSI_NR_LINES)
		return HV_ERANGE;
	if (on_pic(g, line))
		g->pic->chip.ops->set_resample(&g->pic->chip, line, fn, owner);
	io = ioapic_for(g, line, &pin);
	if (io)
		io->chip.ops->set_resample(&io->chip, pin, fn, owner);
	return HV_OK;
}

static const struct irq_chip_ops x86_gsi_ops = {
	.set_level = op_set_level,
	.pulse = op_pulse,
	.set_resample = op_set_resample,
};

int x86_gsi_init(struct x86_gsi *g, struct pic *pic, struct ioapic *ioapic, struct ioapic *ioapic_hi)
{
	if (!g)
		return HV_EINVAL;
	*g = (struct x86_gsi){
		.chip = { .ops = &x86_gsi_ops, .name = "x86-gsi", .nr_lines = X86_GSI_NR_LINES },
		.pic = pic,
		.ioapic = ioapic,
		.ioapic_hi = ioapic_hi,
	};
	return HV_OK;
}

/* ioapic.c: IOAPIC register window, redirection table and level-triggered remote-IRR handshake.
 * The line interface speaks of "asserted", so the polarity bit is stored but does not invert a pin. */
#include <stddef.h>
#include "ioapic.h"
#include "ioapic_msi.h"

#define IOAPIC_DWORD 4U
#define IOAPIC_REGSEL_MASK 0xFFU   /* IOREGSEL is an 8-bit index */
#define IOAPIC_LOW32 0xFFFFFFFFULL
#define IOAPIC_HIGH_SHIFT 32U
#define IOAPIC_REGS_PER_PIN 2U   /* low dword at even index, high dword at the odd one */
#define IOAPIC_REG_HIGH 1U

static struct ioapic *ioapic_of(struct irq_chip *chip)
{
	return (struct ioapic *)((char *)chip - offsetof(struct ioapic, chip));
}

int ioapic_init(struct ioapic *io, ioapic_deliver_fn deliver, void *ctx)
{
	if (!io)
		return HV_EINVAL;
	*io = (struct ioapic){ 0 };
	io->chip.ops = &ioapic_chip_ops;
	io->chip.name = "ioapic";
	io->chip.nr_lines = IOAPIC_NR_PINS;
	for (unsigned i = 0; i < IOAPIC_NR_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
	io->deliver = deliver;
	io->ctx = ctx;
	return HV_OK;
}

static void send(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];
	struct apic_msg m;
	unsigned n;

	ioapic_rte_msg(e, &m);
	n = io->deliver ? io->deliver(io->ctx, &m) : 0;

	io->stats.delivered++;
	/* Remote IRR records that some local APIC took the level interrupt and owes an EOI;
	 * with no taker there is no EOI to wait for. */
	if (m.level && n)
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
}

/* A level pin that is asserted, unmasked and not waiting for an EOI is (re)sent. */
static void service_level(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];

	if (!(e & IOAPIC_RTE_LEVEL) || !(io->line & (1U << pin)))
		return;
	if (e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR))
		return;
	send(io, pin);
}

static uint32_t reg_read(struct ioapic *io)
{
	uint32_t r = io->regsel;

	if (r == IOAPIC_REG_ID)
		return io->id;
	if (r == IOAPIC_REG_VER)
		return IOAPIC_VERSION | ((IOAPIC_NR_PINS - 1U) << IOAPIC_VER_MAXREDIR_SHIFT);
	if (r == IOAPIC_REG_ARB)
		return io->id;   /* arbitration ID is loaded from the APIC ID */
	if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + IOAPIC_REGS_PER_PIN * IOAPIC_NR_PINS) {
		unsigned pin = (r - IOAPIC_REG_REDTBL) / IOAPIC_REGS_PER_PIN;
		uint64_t e = io->rte[pin];

		return (r & IOAPIC_REG_HIGH) ? (uint32_t)(e >> IOAPIC_HIGH_SHIFT) : (uint32_t)(e & IOAPIC_LOW32);
	}
	return 0;   /* unimplemented index: reads as zero */
}

static void reg_write(struct ioapic *io, uint32_t val)
{
	uint32_t r = io->regsel;
	unsigned pin;
	uint64_t e;
	bool was_masked;

	if (r == IOAPIC_REG_ID) {
		io->id = val & IOAPIC_ID_MASK;
		return;
	}
	if (r < IOAPIC_REG_REDTBL || r >= IOAPIC_REG_REDTBL + IOAPIC_REGS_PER_PIN * IOAPIC_NR_PINS)
		return;   /* VER, ARB and unimplemented indices are read-only */
	pin = (r - IOAPIC_REG_REDTBL) / IOAPIC_REGS_PER_PIN;
	e = io->rte[pin];
	was_masked = e & IOAPIC_RTE_MASKED;
	if (r & IOAPIC_REG_HIGH)
		e = (e & IOAPIC_LOW32) | ((uint64_t)val << IOAPIC_HIGH_SHIFT);
	else
		e = (e & ~IOAPIC_LOW32) | val;
	e = (e & IOAPIC_RTE_RW_BITS) | (io->rte[pin] & IOAPIC_RTE_RO_BITS);
	/* Switching to edge leaves no EOI to wait for. */
	if (!(e & IOAPIC_RTE_LEVEL))
		e &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* An asserted level line is delivered when unmasked (an edge that came while masked is lost). */
	if (was_masked || !(e & IOAPIC_RTE_MASKED))
		service_level(io, pin);
}

static bool good_access(uint64_t offset, unsigned size)
{
	return size == IOAPIC_DWORD && !(offset & (IOAPIC_DWORD - 1U));
}

int ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned size, uint32_t *val)
{
	if (!io || !val)
		return HV_EINVAL;
	*val = 0;
	if (offset >= IOAPIC_MMIO_SIZE)
		return HV_ERANGE;
	if (!good_access(offset, size)) {
		io->stats.bad_access++;
		return HV_OK;
	}
	if (offset == IOAPIC_REGSEL)
		*val = io->regsel;
	else if (offset == IOAPIC_WINDOW)
		*val = reg_read(io);
	else
		io->stats.bad_access++;
	return HV_OK;
}

int ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned size, uint32_t val)
{
	if (!io)
		return HV_EINVAL;
	if (offset >= IOAPIC_MMIO_SIZE)
		return HV_ERANGE;
	if (!good_access(offset, size)) {
		io->stats.bad_access++;
		return HV_OK;
	}
	if (offset == IOAPIC_REGSEL)
		io->regsel = val & IOAPIC_REGSEL_MASK;
	else if (offset == IOAPIC_WINDOW)
		reg_write(io, val);
	else
		io->stats.bad_access++;
	return HV_OK;
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	if (!io)
		return;
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if ((e & IOAPIC_RTE_VECTOR_MASK) != vector || !(e & IOAPIC_RTE_LEVEL) ||
		    !(e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->stats.eoi_broadcasts++;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		/* The owner looks at its device first and may lower the line; whatever is still
		 * asserted afterwards is sent again. */
		if (io->resample[pin])
			io->resample[pin](io->resample_owner[pin], pin);
		service_level(io, pin);
	}
}

int ioapic_set_level(struct ioapic *io, uint32_t pin, bool high)
{
	uint32_t bit;
	bool was;

	if (!io)
		return HV_EINVAL;
	if (pin >= IOAPIC_NR_PINS)
		return HV_ERANGE;
	bit = 1U << pin;
	was = io->line & bit;
	if (!high) {
		io->line &= ~bit;
		return HV_OK;
	}
	io->line |= bit;
	if (io->rte[pin] & IOAPIC_RTE_LEVEL) {
		service_level(io, pin);
	} else if (!was) {
		if (io->rte[pin] & IOAPIC_RTE_MASKED)
			io->stats.dropped_masked++;
		else
			send(io, pin);
	}
	return HV_OK;
}

/* One event. On a level entry it is sent once (if not masked or awaiting EOI) and not again,
 * because the wire ends low. */
int ioapic_pulse(struct ioapic *io, uint32_t pin)
{
	uint64_t e;

	if (!io)
		return HV_EINVAL;
	if (pin >= IOAPIC_NR_PINS)
		return HV_ERANGE;
	e = io->rte[pin];
	io->line &= ~(1U << pin);
	if (e & IOAPIC_RTE_MASKED)
		io->stats.dropped_masked++;
	else if (!(e & IOAPIC_RTE_REMOTE_IRR))
		send(io, pin);
	return HV_OK;
}

static int op_set_level(struct irq_chip *chip, uint32_t line, bool high)
{
	return chip ? ioapic_set_level(ioapic_of(chip), line, high) : HV_EINVAL;
}

static int op_pulse(struct irq_chip *chip, uint32_t line)
{
	return chip ? ioapic_pulse(ioapic_of(chip), line) : HV_EINVAL;
}

static int op_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner)
{
	struct ioapic *io;

	if (!chip)
		return HV_EINVAL;
	io = ioapic_of(chip);
	if (line >= IOAPIC_NR_PINS)
		return HV_ERANGE;
	io->resample[line] = fn;
	io->resample_owner[line] = owner;
	return HV_OK;
}

const struct irq_chip_ops ioapic_chip_ops = {
	.set_level = op_set_level,
	.pulse = op_pulse,
	.set_resample = op_set_resample,
};

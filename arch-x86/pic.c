/* pic.c: the dual 8259A and ELCR: ICW/OCW decoding, priority with rotation, INTA, poll and cascade.
 * Written from the 8259A datasheet; QEMU's i8259 and KVM's i8259.c were read as references only. */
#include <stddef.h>
#include "pic.h"

#define PIC_MASTER 0U
#define PIC_SLAVE  1U
#define PIC_UNIT_LINES 8U
#define PIC_NONE   (-1)
#define PIC_CASCADE_BIT (1U << PIC_CASCADE_IRQ)
#define PIC_VECTOR_BASE_MASK 0xF8U
#define PIC_BYTE_MASK 0xFFU
#define PIC_RESET_LOWEST 7U   /* IR0 highest, IR7 lowest */
/* Where the initialisation sequence stands: the next data-port byte is ICW2, ICW3, ICW4 or OCW1. */
#define PIC_STEP_READY 0U
#define PIC_STEP_ICW2  2U
#define PIC_STEP_ICW3  3U
#define PIC_STEP_ICW4  4U

static struct pic *pic_of(struct irq_chip *chip)
{
	return (struct pic *)((char *)chip - offsetof(struct pic, chip));
}

/* Inputs that are level-sensitive: LTIM makes all of them level, else the ELCR decides. */
static uint8_t level_mask(const struct pic_unit *u)
{
	return u->ltim ? PIC_BYTE_MASK : u->elcr;
}

/* Priority 0 is the highest: the level just after `lowest` in rotation order. */
static unsigned prio_of(const struct pic_unit *u, unsigned irq)
{
	return (irq - (u->lowest + 1U)) & (PIC_UNIT_LINES - 1U);
}

static int highest(const struct pic_unit *u, uint8_t mask)
{
	for (unsigned k = 0; k < PIC_UNIT_LINES; k++) {
		unsigned irq = (u->lowest + 1U + k) & (PIC_UNIT_LINES - 1U);

		if (mask & (1U << irq))
			return (int)irq;
	}
	return PIC_NONE;
}

/* The request this unit would signal now, or PIC_NONE: an unmasked IRR bit of higher priority
 * than everything in service. Special mask mode ignores in-service levels that are masked;
 * special fully nested mode lets the master take a new slave request while IR2 is in service. */
static int unit_output(const struct pic_unit *u, bool master)
{
	uint8_t isr = u->isr;
	int irq = highest(u, u->irr & (uint8_t)~u->imr);
	int cur;

	if (irq == PIC_NONE)
		return PIC_NONE;
	if (u->special_mask)
		isr &= (uint8_t)~u->imr;
	if (master && u->sfnm)
		isr &= (uint8_t)~PIC_CASCADE_BIT;
	cur = highest(u, isr);
	if (cur != PIC_NONE && prio_of(u, (unsigned)cur) <= prio_of(u, (unsigned)irq))
		return PIC_NONE;
	return irq;
}

/* Recompute the cascade (the slave's INT is the master's IR2 input) and the INTR output. */
static void update(struct pic *p)
{
	struct pic_unit *m = &p->u[PIC_MASTER];
	bool intr;

	if (unit_output(&p->u[PIC_SLAVE], false) != PIC_NONE)
		m->irr |= PIC_CASCADE_BIT;
	else
		m->irr &= (uint8_t)~PIC_CASCADE_BIT;
	intr = unit_output(m, true) != PIC_NONE;
	if (intr != p->intr) {
		p->intr = intr;
		if (p->intr_fn)
			p->intr_fn(p->ctx, intr);
	}
}

/* Resample callbacks run last, after the state is consistent, so they may re-enter the chip. */
static void run_resample(struct pic *p, uint16_t lines)
{
	for (unsigned l = 0; l < PIC_NR_LINES; l++)
		if ((lines & (1U << l)) && p->resample[l])
			p->resample[l](p->resample_owner[l], l);
}

static uint16_t line_bit(unsigned unit, unsigned irq)
{
	return (uint16_t)(1U << (unit * PIC_UNIT_LINES + irq));
}

/* End an in-service level; a level-triggered input gets its owner's resample. */
static uint16_t end_irq(struct pic_unit *u, unsigned unit, int irq)
{
	if (irq == PIC_NONE)
		return 0;
	u->isr &= (uint8_t)~(1U << irq);
	return (level_mask(u) & (1U << irq)) ? line_bit(unit, (unsigned)irq) : 0;
}

/* The INTA (or poll) of one unit: IRR to ISR, or straight through with auto-EOI. An edge request,
 * or a pulse latched on a level input whose wire is already low, is consumed. */
static uint16_t ack_unit(struct pic_unit *u, unsigned unit, unsigned irq)
{
	uint8_t bit = (uint8_t)(1U << irq);

	if (!(level_mask(u) & bit) || !(u->line & bit))
		u->irr &= (uint8_t)~bit;
	if (u->auto_eoi) {
		if (u->rotate_aeoi)
			u->lowest = (uint8_t)irq;
		return (level_mask(u) & bit) ? line_bit(unit, irq) : 0;
	}
	u->isr |= bit;
	return 0;
}

static void unit_reset(struct pic_unit *u, uint8_t elcr_mask)
{
	*u = (struct pic_unit){ .elcr_mask = elcr_mask, .lowest = PIC_RESET_LOWEST };
}

int pic_init(struct pic *p, pic_intr_fn fn, void *ctx)
{
	if (!p)
		return HV_EINVAL;
	*p = (struct pic){ 0 };
	p->chip.ops = &pic_chip_ops;
	p->chip.name = "pic";
	p->chip.nr_lines = PIC_NR_LINES;
	unit_reset(&p->u[PIC_MASTER], PIC_ELCR_MASTER_MASK);
	unit_reset(&p->u[PIC_SLAVE], PIC_ELCR_SLAVE_MASK);
	p->intr_fn = fn;
	p->ctx = ctx;
	return HV_OK;
}

bool pic_handles_port(uint16_t port)
{
	return port == PIC_MASTER_CMD || port == PIC_MASTER_DATA || port == PIC_SLAVE_CMD ||
	       port == PIC_SLAVE_DATA || port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE;
}

/* ICW1 starts initialisation: in-service and mask cleared, IR7 lowest, special mask and the
 * read selection reset, edge latches reset (a line already high is no new edge), and every
 * ICW4 feature off until an ICW4 says otherwise. */
static void icw1(struct pic_unit *u, uint8_t val)
{
	u->icw4_needed = val & PIC_ICW1_IC4;
	u->single = val & PIC_ICW1_SNGL;
	u->ltim = val & PIC_ICW1_LTIM;
	u->isr = 0;
	u->imr = 0;
	u->lowest = PIC_RESET_LOWEST;
	u->special_mask = false;
	u->read_isr = false;
	u->poll = false;
	u->auto_eoi = false;
	u->rotate_aeoi = false;
	u->sfnm = false;
	u->irr = u->line & level_mask(u);
	u->init_step = PIC_STEP_ICW2;
}

static uint16_t ocw2(struct pic_unit *u, unsigned unit, uint8_t val)
{
	unsigned level = val & PIC_OCW2_LEVEL_MASK;
	int top = highest(u, u->isr);
	uint16_t rs = 0;

	switch (val >> PIC_OCW2_CMD_SHIFT) {
	case PIC_OCW2_ROT_AEOI_CLEAR:
		u->rotate_aeoi = false;
		break;
	case PIC_OCW2_ROT_AEOI_SET:
		u->rotate_aeoi = true;
		break;
	case PIC_OCW2_EOI:
		rs = end_irq(u, unit, top);
		break;
	case PIC_OCW2_ROT_EOI:
		rs = end_irq(u, unit, top);
		if (top != PIC_NONE)
			u->lowest = (uint8_t)top;
		break;
	case PIC_OCW2_SEOI:
		rs = end_irq(u, unit, (int)level);
		break;
	case PIC_OCW2_ROT_SEOI:
		rs = end_irq(u, unit, (int)level);
		u->lowest = (uint8_t)level;
		break;
	case PIC_OCW2_SET_PRIO:
		u->lowest = (uint8_t)level;
		break;
	default: /* PIC_OCW2_NOP */
		break;
	}
	return rs;
}

static void ocw3(struct pic_unit *u, uint8_t val)
{
	if (val & PIC_OCW3_POLL)
		u->poll = true;
	else if (val & PIC_OCW3_RR)
		u->read_isr = val & PIC_OCW3_RIS;
	if (val & PIC_OCW3_ESMM)
		u->special_mask = val & PIC_OCW3_SMM;
}

static void data_write(struct pic_unit *u, uint8_t val)
{
	switch (u->init_step) {
	case PIC_STEP_ICW2:
		u->base = val & PIC_VECTOR_BASE_MASK;
		u->init_step = u->single ? (u->icw4_needed ? PIC_STEP_ICW4 : PIC_STEP_READY) : PIC_STEP_ICW3;
		break;
	case PIC_STEP_ICW3:
		u->icw3 = val;
		u->init_step = u->icw4_needed ? PIC_STEP_ICW4 : PIC_STEP_READY;
		break;
	case PIC_STEP_ICW4:
		/* 8080 mode (uPM = 0) has no meaning on an x86 CPU; the vector is formed as in 8086 mode. */
		u->auto_eoi = val & PIC_ICW4_AEOI;
		u->sfnm = val & PIC_ICW4_SFNM;
		u->init_step = PIC_STEP_READY;
		break;
	default:
		u->imr = val;   /* OCW1 */
		break;
	}
}

/* A poll read is an INTA of this unit alone: it reports the highest request and puts it in service. */
static uint8_t poll_read(struct pic *p, unsigned unit, uint16_t *rs)
{
	struct pic_unit *u = &p->u[unit];
	int irq = unit_output(u, unit == PIC_MASTER);

	u->poll = false;
	if (irq == PIC_NONE)
		return 0;
	*rs |= ack_unit(u, unit, (unsigned)irq);
	return (uint8_t)(PIC_POLL_INT | (unsigned)irq);
}

static uint8_t byte_read(struct pic *p, uint16_t port, uint16_t *rs)
{
	unsigned unit = (port == PIC_SLAVE_CMD || port == PIC_SLAVE_DATA) ? PIC_SLAVE : PIC_MASTER;
	struct pic_unit *u = &p->u[unit];

	switch (port) {
	case PIC_ELCR_MASTER:
		return p->u[PIC_MASTER].elcr;
	case PIC_ELCR_SLAVE:
		return p->u[PIC_SLAVE].elcr;
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		if (u->poll)
			return poll_read(p, unit, rs);
		return u->read_isr ? u->isr : u->irr;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		if (u->poll)
			return poll_read(p, unit, rs);
		return u->imr;
	default:
		return PIC_BYTE_MASK;   /* not ours: an open ISA bus reads all ones */
	}
}

static void byte_write(struct pic *p, uint16_t port, uint8_t val, uint16_t *rs)
{
	unsigned unit = (port == PIC_SLAVE_CMD || port == PIC_SLAVE_DATA) ? PIC_SLAVE : PIC_MASTER;
	struct pic_unit *u = &p->u[unit];

	switch (port) {
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE: {
		struct pic_unit *e = &p->u[port == PIC_ELCR_SLAVE ? PIC_SLAVE : PIC_MASTER];

		e->elcr = val & e->elcr_mask;
		/* A level input's request follows its wire from now on. */
		e->irr = (uint8_t)((e->irr & ~level_mask(e)) | (e->line & level_mask(e)));
		break;
	}
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		if (val & PIC_ICW1_INIT)
			icw1(u, val);
		else if (val & PIC_OCW3_SEL)
			ocw3(u, val);
		else
			*rs |= ocw2(u, unit, val);
		break;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		data_write(u, val);
		break;
	default:
		break;
	}
}

/* Wider accesses reach consecutive byte ports, as on the ISA bus. */
int pic_io_read(struct pic *p, uint16_t port, unsigned size, uint32_t *val)
{
	uint16_t rs = 0;
	uint32_t v = 0;

	if (!p || !val || size == 0 || size > sizeof(uint32_t))
		return HV_EINVAL;
	if (!pic_handles_port(port))
		return HV_ERANGE;
	if (size != 1)
		p->stats.bad_access++;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)byte_read(p, (uint16_t)(port + i), &rs) << (8U * i);
	*val = v;
	update(p);
	run_resample(p, rs);
	return HV_OK;
}

int pic_io_write(struct pic *p, uint16_t port, unsigned size, uint32_t val)
{
	uint16_t rs = 0;

	if (!p || size == 0 || size > sizeof(uint32_t))
		return HV_EINVAL;
	if (!pic_handles_port(port))
		return HV_ERANGE;
	if (size != 1)
		p->stats.bad_access++;
	for (unsigned i = 0; i < size; i++)
		byte_write(p, (uint16_t)(port + i), (uint8_t)(val >> (8U * i)), &rs);
	update(p);
	run_resample(p, rs);
	return HV_OK;
}

bool pic_intr_pending(const struct pic *p)
{
	return p && p->intr;
}

uint8_t pic_ack(struct pic *p)
{
	struct pic_unit *m = &p->u[PIC_MASTER];
	struct pic_unit *s = &p->u[PIC_SLAVE];
	int irq = unit_output(m, true);
	uint16_t rs = 0;
	uint8_t vec;

	p->stats.acks++;
	if (irq == PIC_NONE) {
		/* The request went away between INTR and INTA: the 8259A answers IR7, nothing in service. */
		p->stats.spurious++;
		return (uint8_t)(m->base | PIC_SPURIOUS_IRQ);
	}
	rs |= ack_unit(m, PIC_MASTER, (unsigned)irq);
	if ((unsigned)irq == PIC_CASCADE_IRQ && !m->single) {
		int irq2 = unit_output(s, false);

		if (irq2 == PIC_NONE) {
			/* Spurious IRQ15: the master has IR2 in service and must still get its EOI. */
			p->stats.spurious++;
			vec = (uint8_t)(s->base | PIC_SPURIOUS_IRQ);
		} else {
			rs |= ack_unit(s, PIC_SLAVE, (unsigned)irq2);
			vec = (uint8_t)(s->base + (unsigned)irq2);
		}
	} else {
		vec = (uint8_t)(m->base + (unsigned)irq);
	}
	update(p);
	run_resample(p, rs);
	return vec;
}

static int check_line(const struct pic *p, uint32_t line)
{
	if (!p)
		return HV_EINVAL;
	if (line >= PIC_NR_LINES)
		return HV_ERANGE;
	return line == PIC_CASCADE_IRQ ? HV_ENODEV : HV_OK;   /* IR2 is wired to the slave */
}

int pic_set_level(struct pic *p, uint32_t line, bool high)
{
	int rc = check_line(p, line);
	struct pic_unit *u;
	uint8_t bit;

	if (rc)
		return rc;
	u = &p->u[line / PIC_UNIT_LINES];
	bit = (uint8_t)(1U << (line % PIC_UNIT_LINES));
	if (high) {
		/* An edge input latches on the rising edge only; a level input follows the wire. */
		if ((level_mask(u) & bit) || !(u->line & bit))
			u->irr |= bit;
		u->line |= bit;
	} else {
		u->line &= (uint8_t)~bit;
		if (level_mask(u) & bit)
			u->irr &= (uint8_t)~bit;
	}
	update(p);
	return HV_OK;
}

/* One event: latched in IRR whatever the trigger mode, so a pulse is never lost; the wire ends low. */
int pic_pulse(struct pic *p, uint32_t line)
{
	int rc = check_line(p, line);
	struct pic_unit *u;
	uint8_t bit;

	if (rc)
		return rc;
	u = &p->u[line / PIC_UNIT_LINES];
	bit = (uint8_t)(1U << (line % PIC_UNIT_LINES));
	u->line &= (uint8_t)~bit;
	u->irr |= bit;
	update(p);
	return HV_OK;
}

static int op_set_level(struct irq_chip *chip, uint32_t line, bool high)
{
	return chip ? pic_set_level(pic_of(chip), line, high) : HV_EINVAL;
}

static int op_pulse(struct irq_chip *chip, uint32_t line)
{
	return chip ? pic_pulse(pic_of(chip), line) : HV_EINVAL;
}

static int op_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner)
{
	struct pic *p;

	if (!chip)
		return HV_EINVAL;
	p = pic_of(chip);
	if (line >= PIC_NR_LINES)
		return HV_ERANGE;
	p->resample[line] = fn;
	p->resample_owner[line] = owner;
	return HV_OK;
}

const struct irq_chip_ops pic_chip_ops = {
	.set_level = op_set_level,
	.pulse = op_pulse,
	.set_resample = op_set_resample,
};

/* irq_line.h: the architecture-neutral interrupt line a device model drives.
 * A device holds (chip, line) and raises, lowers or pulses it without knowing which chip is behind. */
#ifndef IRQ_LINE_H
#define IRQ_LINE_H

#include <stdbool.h>
#include <stdint.h>
#include "hv_errno.h"

struct irq_chip;

/*
 * Called by the chip when the guest ends a level-triggered interrupt on this
 * line (EOI or deactivation). The owner re-evaluates its device and calls
 * irq_line_raise/lower; a line left high simply pends again. Runs with no chip
 * lock held, so it may call back into the chip.
 */
typedef void (*irq_resample_fn)(void *owner, uint32_t line);

struct irq_chip_ops {
	int (*set_level)(struct irq_chip *chip, uint32_t line, bool high);
	int (*pulse)(struct irq_chip *chip, uint32_t line);
	int (*set_resample)(struct irq_chip *chip, uint32_t line,
			    irq_resample_fn fn, void *owner);
};

struct irq_chip {
	const struct irq_chip_ops *ops;
	const char *name;
	uint32_t nr_lines;
};

struct irq_line {
	struct irq_chip *chip;
	uint32_t line;
};

static inline int irq_line_bind(struct irq_line *l, struct irq_chip *chip, uint32_t line)
{
	if (!l || !chip || !chip->ops)
		return HV_EINVAL;
	if (line >= chip->nr_lines)
		return HV_ERANGE;
	l->chip = chip;
	l->line = line;
	return HV_OK;
}

static inline int irq_line_check(const struct irq_line *l)
{
	if (!l || !l->chip || !l->chip->ops)
		return HV_EINVAL;
	return l->line < l->chip->nr_lines ? HV_OK : HV_ERANGE;
}

static inline int irq_line_set(const struct irq_line *l, bool high)
{
	int rc = irq_line_check(l);

	return rc ? rc : l->chip->ops->set_level(l->chip, l->line, high);
}

static inline int irq_line_raise(const struct irq_line *l) { return irq_line_set(l, true); }
static inline int irq_line_lower(const struct irq_line *l) { return irq_line_set(l, false); }

/* One edge: for an edge-configured input, a single event; for a level one, high then low. */
static inline int irq_line_pulse(const struct irq_line *l)
{
	int rc = irq_line_check(l);

	return rc ? rc : l->chip->ops->pulse(l->chip, l->line);
}

static inline int irq_line_set_resample(const struct irq_line *l, irq_resample_fn fn, void *owner)
{
	int rc = irq_line_check(l);

	return rc ? rc : l->chip->ops->set_resample(l->chip, l->line, fn, owner);
}

#endif

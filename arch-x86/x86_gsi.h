/* x86_gsi.h: the board wiring of a line (a GSI): N < 16 (not 2) also drives PIC IRQ N; N < 24 is pin N
 * of the first IOAPIC, 24..47 pin N-24 of the second. One irq_chip; any chip may be absent. */
#ifndef X86_GSI_H
#define X86_GSI_H

#include "pic.h"
#include "ioapic.h"

#define X86_GSI_NR_LINES (2U * IOAPIC_NR_PINS)

struct x86_gsi {
	struct irq_chip chip;
	struct pic *pic;        /* may be NULL */
	struct ioapic *ioapic;  /* GSI 0..23, may be NULL */
	struct ioapic *ioapic_hi; /* GSI 24..47, may be NULL */
};

int x86_gsi_init(struct x86_gsi *g, struct pic *pic, struct ioapic *ioapic, struct ioapic *ioapic_hi);

#endif

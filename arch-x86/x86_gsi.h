/* x86_gsi.h: the board wiring of a line: line N drives PIC IRQ N (N < 16, not 2) and IOAPIC pin N.
 * One irq_chip for device models; either chip may be absent (XapicOnly has no PIC). */
#ifndef X86_GSI_H
#define X86_GSI_H

#include "pic.h"
#include "ioapic.h"

#define X86_GSI_NR_LINES IOAPIC_NR_PINS

struct x86_gsi {
	struct irq_chip chip;
	struct pic *pic;        /* may be NULL */
	struct ioapic *ioapic;  /* may be NULL */
};

int x86_gsi_init(struct x86_gsi *g, struct pic *pic, struct ioapic *ioapic);

#endif

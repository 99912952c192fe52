/* irq.h: physical interrupts at EL2: the kick SGI, the maintenance interrupt, the timers.
 * EL2 never unmasks: interrupts are taken as guest exits or polled here, so handlers never nest. */
#ifndef HYP_IRQ_H
#define HYP_IRQ_H

#include <stdbool.h>
#include "vcpu.h"

/* Acknowledge and handle every pending physical interrupt; true if there was any. */
bool irq_poll(struct pcpu *p);
/* Nothing pending: wait for an interrupt, then take what woke it (a kick left pending would make the
 * next guest entry exit at once). */
void irq_wait(struct pcpu *p);
/* After an exit: withdraw a forwarded EL1-timer interrupt (virtual or physical) the guest no longer asserts. */
void irq_timer_resample(struct pcpu *p);

#endif

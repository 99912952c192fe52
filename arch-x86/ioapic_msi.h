/* ioapic_msi.h: an IOAPIC redirection entry as the MSI it sends, for a VMM whose local APICs are KVM's
 * (split irqchip): which entries need an MSI route, and that route's address and data. Freestanding, pure. */
#ifndef IOAPIC_MSI_H
#define IOAPIC_MSI_H

#include <stdbool.h>
#include <stdint.h>
#include "apic_msg.h"

/* The message a redirection entry sends (vector, delivery mode, destination, trigger; no shorthand). */
void ioapic_rte_msg(uint64_t rte, struct apic_msg *m);

/* Delivery modes handed to a local APIC at all: fixed, lowest priority, NMI. INIT, SIPI and SMI would
 * really reset or park a long-mode-only vCPU under KVM, and ExtINT or the reserved mode mean nothing
 * in a message; the userspace LAPIC ignores all of those too. */
bool ioapic_msi_mode_ok(uint8_t delivery);

/*
 * The MSI route a split-irqchip VMM keeps for this entry (KVM derives its EOI-exit bitmap from the level
 * routes): true with *addr and *data set, or false when the entry needs none: a masked edge entry (it sends
 * nothing), a delivery mode refused above, or an illegal vector (0..15). A masked level entry keeps its
 * route, because an interrupt it sent may still be in service and its EOI must come back.
 */
bool ioapic_rte_route(uint64_t rte, uint32_t *addr, uint32_t *data);

#endif

/* apic_msg.h: the interrupt message that travels between IOAPIC, LAPIC ICR and the APIC bus.
 * One struct for both sources, so routing (physical, logical, shorthands) is written once. */
#ifndef APIC_MSG_H
#define APIC_MSG_H

#include <stdbool.h>
#include <stdint.h>

/* Delivery modes, as encoded in bits 10:8 of the ICR, the LVTs and the IOAPIC redirection entries. */
enum apic_delivery {
	APIC_DM_FIXED    = 0,
	APIC_DM_LOWEST   = 1,
	APIC_DM_SMI      = 2,
	APIC_DM_RESERVED = 3,
	APIC_DM_NMI      = 4,
	APIC_DM_INIT     = 5,
	APIC_DM_STARTUP  = 6,
	APIC_DM_EXTINT   = 7,
};

/* Destination shorthand, ICR bits 19:18; the IOAPIC always sends APIC_SH_NONE. */
enum apic_shorthand {
	APIC_SH_NONE          = 0,
	APIC_SH_SELF          = 1,
	APIC_SH_ALL_INCL_SELF = 2,
	APIC_SH_ALL_EXCL_SELF = 3,
};

#define APIC_DEST_BROADCAST 0xffU  /* physical 0xff, or logical flat 0xff: every APIC */
#define APIC_FIRST_LEGAL_VECTOR 16U /* vectors 0..15 are illegal (ESR send/receive illegal vector) */

struct apic_msg {
	uint8_t vector;
	uint8_t delivery;      /* enum apic_delivery */
	uint8_t shorthand;     /* enum apic_shorthand */
	uint8_t dest;          /* APIC ID (physical) or MDA (logical) */
	bool logical;          /* destination mode */
	bool level;            /* trigger mode: sets the TMR bit, so EOI is broadcast to the IOAPIC */
};

#endif

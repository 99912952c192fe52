/* apic_bus.h: routes an apic_msg (from the IOAPIC or an ICR) to the local APICs it addresses.
 * Physical and logical (flat, cluster) destinations, shorthands and lowest-priority arbitration. */
#ifndef APIC_BUS_H
#define APIC_BUS_H

#include "lapic.h"

#define APIC_BUS_MAX_CPUS 64U
#define APIC_BUS_NO_SRC   (-1)   /* the IOAPIC: no "self" */

struct apic_bus {
	struct lapic *cpu[APIC_BUS_MAX_CPUS];
	unsigned nr;
	unsigned rr;   /* round-robin start for lowest-priority ties */
};

int apic_bus_init(struct apic_bus *b, struct lapic *cpus, unsigned nr);

/* Returns how many local APICs accepted the message. */
unsigned apic_bus_send(struct apic_bus *b, int src, const struct apic_msg *m);

#endif

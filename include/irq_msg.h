/* irq_msg.h: the architecture-neutral message-signalled interrupt, beside irq_line.h's wires.
 * A device holds an irq_msi_target and writes (address, data) with its device ID; the target decodes. */
#ifndef IRQ_MSG_H
#define IRQ_MSG_H

#include <stdint.h>
#include "hv_errno.h"

struct irq_msi_target;

/*
 * The write a device makes: data (32 bits) to guest physical address addr, with devid the ID the bus
 * gives the device (a PCI requester ID; an arm64 ITS translates with it, an x86 LAPIC ignores it).
 * HV_OK: the controller took it (a message that then translates to nothing is still a completed
 * write: HV_ENODEV says so, for the host's accounting). HV_EINVAL: the address is not the target's.
 */
struct irq_msi_ops {
	int (*send)(struct irq_msi_target *t, uint64_t addr, uint32_t data, uint32_t devid);
};

struct irq_msi_target {
	const struct irq_msi_ops *ops;
	const char *name;
};

static inline int irq_msi_send(struct irq_msi_target *t, uint64_t addr, uint32_t data, uint32_t devid)
{
	if (!t || !t->ops || !t->ops->send)
		return HV_EINVAL;
	return t->ops->send(t, addr, data, devid);
}

#endif

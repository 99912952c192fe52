/* ioapic_msi.c: redirection entry -> message -> MSI route (ioapic_msi.h); shared by the IOAPIC's own
 * delivery and the split-irqchip VMM's KVM routes, so both read an entry the same way. */
#include "ioapic_msi.h"
#include "ioapic.h"
#include "x86_msi.h"

void ioapic_rte_msg(uint64_t rte, struct apic_msg *m)
{
	m->vector = (uint8_t)(rte & IOAPIC_RTE_VECTOR_MASK);
	m->delivery = (uint8_t)((rte & IOAPIC_RTE_DM_MASK) >> IOAPIC_RTE_DM_SHIFT);
	m->shorthand = APIC_SH_NONE;
	m->dest = (uint8_t)(rte >> IOAPIC_RTE_DEST_SHIFT);
	m->logical = (rte & IOAPIC_RTE_DESTMODE) != 0;
	m->level = (rte & IOAPIC_RTE_LEVEL) != 0;
}

bool ioapic_msi_mode_ok(uint8_t delivery)
{
	return delivery == APIC_DM_FIXED || delivery == APIC_DM_LOWEST || delivery == APIC_DM_NMI;
}

bool ioapic_rte_route(uint64_t rte, uint32_t *addr, uint32_t *data)
{
	struct apic_msg m;

	ioapic_rte_msg(rte, &m);
	if ((rte & IOAPIC_RTE_MASKED) && !m.level)
		return false;
	if (!ioapic_msi_mode_ok(m.delivery) || m.vector < APIC_FIRST_LEGAL_VECTOR)
		return false;
	x86_msi_encode(&m, addr, data);
	return true;
}

/* x86_msi.c: decode and encode of x86 MSI address/data pairs (see x86_msi.h for the rules).
 * Pure functions, no state: safe from any thread, and unit-testable on their own. */
#include <stddef.h>
#include "x86_msi.h"

int x86_msi_decode(uint64_t addr, uint32_t data, struct apic_msg *out)
{
	uint8_t delivery = (uint8_t)((data >> X86_MSI_DATA_DM_SHIFT) & X86_MSI_DATA_DM_MASK);

	if (!out || addr < X86_MSI_ADDR_BASE || addr >= X86_MSI_ADDR_BASE + X86_MSI_ADDR_WINDOW_SIZE)
		return HV_EINVAL;
	/* KVM arbitrates a fixed message with the hint set like lowest priority; the in-kernel mode
	 * hands the raw message to KVM, so the userspace modes do the same to agree with it. */
	if ((addr & X86_MSI_ADDR_RH) && delivery == APIC_DM_FIXED)
		delivery = APIC_DM_LOWEST;
	*out = (struct apic_msg){
		.vector = (uint8_t)(data & X86_MSI_DATA_VECTOR_MASK),
		.delivery = delivery,
		.shorthand = APIC_SH_NONE,
		.dest = (uint8_t)((addr >> X86_MSI_ADDR_DEST_SHIFT) & X86_MSI_ADDR_DEST_MASK),
		.logical = (addr & X86_MSI_ADDR_LOGICAL) != 0,
		.level = (data & X86_MSI_DATA_LEVEL) != 0,
	};
	return HV_OK;
}

void x86_msi_encode(const struct apic_msg *m, uint32_t *addr, uint32_t *data)
{
	if (!m || !addr || !data)
		return;
	*addr = (uint32_t)X86_MSI_ADDR_BASE | ((uint32_t)m->dest << X86_MSI_ADDR_DEST_SHIFT) |
		(m->logical ? X86_MSI_ADDR_LOGICAL : 0U);
	*data = m->vector | ((uint32_t)(m->delivery & X86_MSI_DATA_DM_MASK) << X86_MSI_DATA_DM_SHIFT) |
		(m->level ? (X86_MSI_DATA_LEVEL | X86_MSI_DATA_ASSERT) : 0U);
}

/* mem.c: the arm64 layer's guest RAM calls: the size from the device tree's memory node, and a probe
 * that tells memory from nothing by whether the access comes back as an external abort. */
#include "arm64.h"

bool guest_arch_ram(uint64_t *base, uint64_t *size)
{
	if (!machine.ram_size)
		return false;
	*base = machine.ram_base;
	*size = machine.ram_size;
	return true;
}

int guest_arch_mem_probe(uint64_t addr)
{
	uint64_t before = arm64_aborts_taken, daif = read_sysreg(daif), v;

	/* The hypervisor answers an access to an IPA with nothing behind it with an injected external
	 * abort; exceptions.c skips the faulting instruction while arm64_abort_expected is set. With
	 * interrupts masked, no handler runs (and faults) in between. */
	guest_arch_local_irq_disable();
	arm64_abort_expected = true;
	v = mmio_r64(addr);
	mmio_w64(addr, v);
	arm64_abort_expected = false;
	write_sysreg(daif, daif);
	return arm64_aborts_taken == before ? 1 : 0;
}

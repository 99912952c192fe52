/* arch_defaults.c: weak defaults for the optional calls of guest_arch.h, so a layer implements
 * only what its architecture has; the checks that need them are skipped otherwise. */
#include "guest.h"

__attribute__((weak)) int guest_arch_cpu_state(unsigned cpu)
{
	(void)cpu;
	return -1;
}

__attribute__((weak)) void guest_arch_cpu_stop(void)
{
}

__attribute__((weak)) bool guest_arch_level_retracts(void)
{
	return false;
}

__attribute__((weak)) bool guest_arch_msi_setup(unsigned n, unsigned cpu, unsigned prio, uint64_t *addr,
						uint32_t *data)
{
	(void)n;
	(void)cpu;
	(void)prio;
	(void)addr;
	(void)data;
	return false;
}

__attribute__((weak)) unsigned guest_arch_irq_of_msi(unsigned n)
{
	return n;
}

__attribute__((weak)) void guest_arch_msi_teardown(unsigned n)
{
	(void)n;
}

__attribute__((weak)) void guest_arch_msi_tests(void)
{
}

__attribute__((weak)) bool guest_arch_pci_tests(void)
{
	return false;
}

__attribute__((weak)) bool guest_arch_timer2_irq(unsigned *irq)
{
	(void)irq;
	return false;
}

__attribute__((weak)) void guest_arch_timer2_at_ns(uint64_t when_ns)
{
	(void)when_ns;
}

__attribute__((weak)) void guest_arch_timer2_stop(void)
{
}

__attribute__((weak)) bool guest_arch_exec_fault_recover(struct guest_fault_seen *seen)
{
	(void)seen;
	return false;
}

__attribute__((weak)) void guest_arch_compat_tests(void)
{
	skip("compat_user_mode", "this layer runs nothing in a 32-bit user mode");
}

__attribute__((weak)) bool guest_arch_ram(uint64_t *base, uint64_t *size)
{
	(void)base;
	(void)size;
	return false;
}

__attribute__((weak)) int guest_arch_mem_probe(uint64_t addr)
{
	(void)addr;
	return -1;
}

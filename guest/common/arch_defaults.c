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

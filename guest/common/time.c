/* time.c: delays and bounded waits on the architecture's clock.
 * Waits spin rather than sleep: a sleep with nothing armed to wake it would never end. */
#include "guest.h"

void delay_ns(uint64_t ns)
{
	uint64_t end = guest_arch_now_ns() + ns;

	while (guest_arch_now_ns() < end)
		guest_arch_cpu_relax();
}

bool wait_count(volatile uint32_t *flag, uint32_t want, uint64_t timeout_ns)
{
	uint64_t end = guest_arch_now_ns() + timeout_ns;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < want) {
		if (guest_arch_now_ns() >= end)
			return false;
		guest_arch_cpu_relax();
	}
	return true;
}

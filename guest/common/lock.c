/* lock.c: a test-and-set spinlock for the guest's shared output and bookkeeping.
 * Acquire/release atomics; the arch layer turns on the MMU first so exclusives work on normal memory. */
#include "guest.h"

void guest_lock(struct guest_lock *l)
{
	while (__atomic_exchange_n(&l->word, 1U, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->word, __ATOMIC_RELAXED))
			guest_arch_cpu_relax();
}

void guest_unlock(struct guest_lock *l)
{
	__atomic_store_n(&l->word, 0U, __ATOMIC_RELEASE);
}

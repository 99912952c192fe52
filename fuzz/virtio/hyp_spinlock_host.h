/* hyp_spinlock_host.h: the hypervisor's spinlock for a single-threaded host build (the virtio fuzzer),
 * forced in with -include so that arch-arm64/spinlock.h, behind the same guard, adds nothing. */
#ifndef HYP_SPINLOCK_H
#define HYP_SPINLOCK_H

#include <stdint.h>
#include <stdlib.h>

struct spinlock {
	volatile uint32_t word;
};

/* One thread: a lock already held is a recursion bug, which a real spinlock would turn into a hang. */
static inline void spin_lock(struct spinlock *l)
{
	if (l->word)
		abort();
	l->word = 1;
}

static inline void spin_unlock(struct spinlock *l)
{
	l->word = 0;
}

#endif

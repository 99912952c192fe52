/* spinlock.h: the hypervisor's spinlock (ticket-free test-and-set with acquire/release ordering).
 * The vgic core spins on the same kind of lock itself (vgic_hooks.spin_locks); vm.c gives it the yield. */
#ifndef HYP_SPINLOCK_H
#define HYP_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	volatile uint32_t word;
};

static inline void spin_lock_word(volatile uint32_t *w)
{
	while (__atomic_exchange_n(w, 1U, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(w, __ATOMIC_RELAXED))
			__asm__ volatile("yield" ::: "memory");
}

static inline void spin_unlock_word(volatile uint32_t *w)
{
	__atomic_store_n(w, 0U, __ATOMIC_RELEASE);
}

static inline void spin_lock(struct spinlock *l) { spin_lock_word(&l->word); }
static inline void spin_unlock(struct spinlock *l) { spin_unlock_word(&l->word); }

#endif

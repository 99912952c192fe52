/* blist.h: intrusive circular lists and an uncontended spinlock for the peers' re-implementations.
 * The peers keep plain lists, as KVM and Xen do; they reuse struct vgic_node from the core. */
#ifndef BLIST_H
#define BLIST_H

#include <stddef.h>
#include <stdint.h>
#include "vgic.h"

#define blist_entry(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void blist_init(struct vgic_node *n) { n->next = n->prev = n; }
static inline int blist_empty(const struct vgic_node *h) { return h->next == h; }
static inline int blist_is_last(const struct vgic_node *n, const struct vgic_node *h) { return n->next == h; }

/* Insert n just before pos (at the tail when pos is the head). */
static inline void blist_add_before(struct vgic_node *n, struct vgic_node *pos)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}

static inline void blist_add_tail(struct vgic_node *n, struct vgic_node *h) { blist_add_before(n, h); }

static inline void blist_del_init(struct vgic_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	blist_init(n);
}

/*
 * Stable merge sort of the whole list, O(n log n) comparisons, like Linux's
 * list_sort(): cmp returns < 0 when a sorts before b.
 */
typedef int (*blist_cmp_fn)(const struct vgic_node *a, const struct vgic_node *b);
void blist_sort(struct vgic_node *head, blist_cmp_fn cmp);

/*
 * The peers take a lock where KVM or Xen take one (an uncontended atomic
 * exchange), so that they pay what the originals pay; ours gets the same
 * lock through its hooks.
 */
/*
 * Work counters, read around each counted flush and sync (bench/guest.c): lock acquisitions (each one
 * acquire/release pair), and priority comparisons (the peers' sort comparators and old Xen's list walks;
 * ours' priority selection is bitmap scans inside the core, which keeps no counter). One increment each,
 * the same for every policy, also in timed runs.
 */
extern uint64_t b_lock_pairs;
extern uint64_t b_prio_cmps;

static inline void block_take(vgic_lock_t *l)
{
	b_lock_pairs++;
	while (__atomic_exchange_n(&l->word, 1U, __ATOMIC_ACQUIRE))
		;
}

static inline void block_drop(vgic_lock_t *l)
{
	__atomic_store_n(&l->word, 0U, __ATOMIC_RELEASE);
}

#endif

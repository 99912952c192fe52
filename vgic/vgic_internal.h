/* vgic_internal.h: declarations shared by the vgic core's own files; not part of the public API.
 * Lock order: vCPU ap_lock (two of them: lower id first) -> irq lock. dist_lock guards only GICD-wide fields.
 * A listed interrupt changes only with its vCPU's ap_lock held too, so flush and sync need no irq lock. */
#ifndef VGIC_INTERNAL_H
#define VGIC_INTERNAL_H

#include <stddef.h>
#include "vgic.h"
#include "ich_regs.h"

#define vgic_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define VGIC_AP_PENDING 0U  /* class of pending, not active interrupts */
#define VGIC_AP_ACTIVE  1U  /* class of active (maybe also pending) interrupts */
#define VGIC_LR_MASK(n) ((n) >= 32U ? 0xffffffffU : ((1U << (n)) - 1U))

/* Most deferred work one sync can produce: one per LR plus EOIcount deactivations. */
#define VGIC_MAX_DEFERRED (LR_BACKEND_MAX_LRS + 32U)

/* Statistics bumped from threads that do not hold the vCPU's ap_lock. */
static inline void vgic_stat_inc(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* ---- shim (freestanding) ---- */
void vgic_zero(void *p, size_t n);

/* ---- intrusive list ---- */
static inline void vgic_node_init(struct vgic_node *n) { n->next = n->prev = n; }
static inline int vgic_node_empty(const struct vgic_node *h) { return h->next == h; }
static inline void vgic_node_add_tail(struct vgic_node *n, struct vgic_node *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}
/* n after at: at is known, so no load of at->next->prev. */
static inline void vgic_node_add_after(struct vgic_node *n, struct vgic_node *at)
{
	struct vgic_node *next = at->next;

	n->prev = at;
	n->next = next;
	next->prev = n;
	at->next = n;
}
static inline void vgic_node_del(struct vgic_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	vgic_node_init(n);
}

/* ---- interrupt state ---- */
static inline bool vgic_irq_is_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || (irq->trigger == VGIC_LEVEL && irq->line_level);
}
static inline unsigned vgic_irq_class(const struct vgic_irq *irq)
{
	return irq->active ? VGIC_AP_ACTIVE : VGIC_AP_PENDING;
}

/* ---- ap_list (vgic_aplist.c); caller holds the vCPU's ap_lock ---- */
void vgic_aplist_init(struct vgic_aplist *l);

#define VGIC_BUCKET_WORD(prio) ((prio) / 64U)
#define VGIC_BUCKET_BIT(prio)  (1ULL << ((prio) % 64U))

/* Active interrupts sort by the priority they were taken at: the order the guest will end them in. */
static inline unsigned vgic_aplist_bucket_of(const struct vgic_irq *irq)
{
	return irq->active ? VGIC_AP_ACTIVE * VGIC_NR_PRIORITIES + irq->active_prio
			   : VGIC_AP_PENDING * VGIC_NR_PRIORITIES + irq->priority;
}

/*
 * Bucket b (class * 256 + priority) by one index, without splitting it: the buckets of both classes
 * are one contiguous array, and so are the bitmap words (4 per class, 64 buckets each).
 */
_Static_assert(sizeof(((struct vgic_aplist *)0)->bucket) ==
	       VGIC_AP_CLASSES * VGIC_NR_PRIORITIES * sizeof(struct vgic_node), "buckets contiguous");
_Static_assert(VGIC_PRIO_WORDS * 64U == VGIC_NR_PRIORITIES, "bitmap words contiguous");
static inline struct vgic_node *vgic_aplist_head(struct vgic_aplist *l, unsigned b)
{
	return (struct vgic_node *)(void *)((char *)l->bucket + (size_t)b * sizeof(struct vgic_node));
}

static inline uint64_t *vgic_aplist_word(struct vgic_aplist *l, unsigned b)
{
	return (uint64_t *)(void *)((char *)l->nonempty + (size_t)(b / 64U) * sizeof(uint64_t));
}

/*
 * Insert, remove and reposition are inline: each injection and each sync of an ended interrupt does one.
 * Most find the class short (at most VGIC_APLIST_SHORT_MAX entries, on sorted[]): a linked insert after
 * the last entry that sorts no later, found from the tail (one step when the priorities are equal) and
 * a linked remove, with no bitmap to keep. vgic_aplist_spread() moves a class that grows past that into
 * the buckets; the remove that empties a spread class brings it back.
 */
void vgic_aplist_spread(struct vgic_aplist *l, unsigned cls);

static inline void vgic_aplist_bucket_insert(struct vgic_aplist *l, struct vgic_irq *irq, unsigned b)
{
	unsigned cls = b / VGIC_NR_PRIORITIES, prio = b % VGIC_NR_PRIORITIES;

	vgic_node_add_tail(&irq->ap_node, vgic_aplist_head(l, b));
	*vgic_aplist_word(l, b) |= VGIC_BUCKET_BIT(prio);
	l->words[cls] |= 1U << VGIC_BUCKET_WORD(prio);
}

/* The insert into class cls stays on the short list: no spreading, and no call. */
static inline bool vgic_aplist_short_room(const struct vgic_aplist *l, unsigned cls)
{
	return !l->spread[cls] && l->count[cls] < VGIC_APLIST_SHORT_MAX;
}

/* vgic_aplist_insert() where vgic_aplist_short_room() holds for class cls; b is the interrupt's bucket. */
static inline void vgic_aplist_insert_short_at(struct vgic_aplist *l, struct vgic_irq *irq, unsigned b, unsigned cls)
{
	struct vgic_node *head = &l->sorted[cls], *at = head->prev;

	irq->bucket = (uint16_t)b;
	while (at != head && vgic_container_of(at, struct vgic_irq, ap_node)->bucket > b)
		at = at->prev;
	vgic_node_add_after(&irq->ap_node, at);
	__atomic_store_n(&l->count[cls], l->count[cls] + 1U, __ATOMIC_RELEASE);
}

static inline void vgic_aplist_insert_short(struct vgic_aplist *l, struct vgic_irq *irq)
{
	unsigned b = vgic_aplist_bucket_of(irq);

	vgic_aplist_insert_short_at(l, irq, b, b / VGIC_NR_PRIORITIES);
}

/* vgic_aplist_insert() into class cls, already spread; b is the interrupt's bucket. */
static inline void vgic_aplist_insert_spread_at(struct vgic_aplist *l, struct vgic_irq *irq, unsigned b, unsigned cls)
{
	irq->bucket = (uint16_t)b;
	vgic_aplist_bucket_insert(l, irq, b);
	__atomic_store_n(&l->count[cls], l->count[cls] + 1U, __ATOMIC_RELEASE);
}

/* vgic_aplist_insert() into a spread class, or one this insert spreads; out of line as _long(). */
static inline __attribute__((always_inline)) void vgic_aplist_insert_long_in(struct vgic_aplist *l,
									  struct vgic_irq *irq)
{
	unsigned b = vgic_aplist_bucket_of(irq);
	unsigned cls = b / VGIC_NR_PRIORITIES;

	if (!l->spread[cls])
		vgic_aplist_spread(l, cls);
	vgic_aplist_insert_spread_at(l, irq, b, cls);
}
void vgic_aplist_insert_long(struct vgic_aplist *l, struct vgic_irq *irq);

static inline void vgic_aplist_insert(struct vgic_aplist *l, struct vgic_irq *irq)
{
	if (__builtin_expect(vgic_aplist_short_room(l, vgic_irq_class(irq)), 1))
		vgic_aplist_insert_short(l, irq);
	else
		vgic_aplist_insert_long(l, irq);
}

/* A spread class's remove, after the unlink: its bucket's bits, and the class short again once empty. */
void vgic_aplist_remove_spread(struct vgic_aplist *l, unsigned b);

static inline void vgic_aplist_remove(struct vgic_aplist *l, struct vgic_irq *irq)
{
	unsigned b = irq->bucket;
	unsigned cls = b / VGIC_NR_PRIORITIES;

	vgic_node_del(&irq->ap_node);
	if (__builtin_expect(l->spread[cls], 0))
		vgic_aplist_remove_spread(l, b);
	__atomic_store_n(&l->count[cls], l->count[cls] - 1U, __ATOMIC_RELEASE);
}

/* Move to the place its state and priority now call for; true if it moved. */
static inline bool vgic_aplist_reposition(struct vgic_aplist *l, struct vgic_irq *irq)
{
	if (irq->bucket == vgic_aplist_bucket_of(irq))
		return false;
	vgic_aplist_remove(l, irq);
	vgic_aplist_insert(l, irq);
	return true;
}
/* vgic_aplist_next() for a spread class: the bitmap scan, out of line. */
struct vgic_irq *vgic_aplist_next_spread(const struct vgic_aplist *l, unsigned cls, const struct vgic_irq *prev);

/*
 * Next interrupt of class cls in priority order after prev (NULL: the first). Inline for a short class,
 * one step along its list: a choice past the LRs takes a step per LR, and a call per step cost it about
 * 15 instructions each.
 */
static inline struct vgic_irq *vgic_aplist_next(const struct vgic_aplist *l, unsigned cls,
						const struct vgic_irq *prev)
{
	const struct vgic_node *e;

	if (__builtin_expect(l->spread[cls], 0))
		return vgic_aplist_next_spread(l, cls, prev);
	e = prev ? prev->ap_node.next : l->sorted[cls].next;
	return e == &l->sorted[cls] ? NULL : vgic_container_of(e, struct vgic_irq, ap_node);
}
/*
 * The first (at most) max interrupts of class cls in priority order, into out; returns how many.
 * Inline: the entry that fits in the LRs calls it for both classes, usually for one entry or none.
 */
static inline unsigned vgic_aplist_collect(const struct vgic_aplist *l, unsigned cls, struct vgic_irq **out, unsigned max)
{
	unsigned n = 0;

	if (max > l->count[cls])
		max = l->count[cls];
	if (!max)
		return 0;
	if (!l->spread[cls]) {
		/* A pointer walk: with an index the compiler recomputed the slot's address at every entry. */
		struct vgic_irq **o = out, **end = out + max;

		for (const struct vgic_node *e = l->sorted[cls].next; e != &l->sorted[cls]; e = e->next) {
			*o++ = vgic_container_of(e, struct vgic_irq, ap_node);
			if (o == end)
				break;
		}
		return (unsigned)(o - out);
	}
	/*
	 * One pass over the occupied words and buckets, not a vgic_aplist_next() per entry. max is at
	 * most the class's count, so only the innermost walk needs the bound: the entries run out no
	 * earlier than max; the word and bit tests only stop the walk should the count ever be wrong.
	 */
	for (uint32_t words = l->words[cls]; words; words &= words - 1U) {
		unsigned w = (unsigned)__builtin_ctz(words);

		for (uint64_t bits = l->nonempty[cls][w]; bits; bits &= bits - 1U) {
			const struct vgic_node *head = &l->bucket[cls][w * 64U + (unsigned)__builtin_ctzll(bits)];

			for (const struct vgic_node *e = head->next; e != head; e = e->next) {
				out[n++] = vgic_container_of(e, struct vgic_irq, ap_node);
				if (n == max)
					return n;
			}
		}
	}
	return n;
}

/*
 * The first interrupt of class cls in priority order, or NULL: vgic_aplist_collect() for one, without its
 * loops. The entry with one interrupt queued calls it.
 */
static inline struct vgic_irq *vgic_aplist_first(const struct vgic_aplist *l, unsigned cls)
{
	uint32_t words;
	unsigned w;

	if (!l->spread[cls])
		return l->sorted[cls].next == &l->sorted[cls]
			       ? NULL
			       : vgic_container_of(l->sorted[cls].next, struct vgic_irq, ap_node);
	words = l->words[cls];
	if (!words)
		return NULL;
	w = (unsigned)__builtin_ctz(words);
	/* A word flagged in words[] is nonzero: insert and remove keep the two together. */
	return vgic_container_of(l->bucket[cls][w * 64U + (unsigned)__builtin_ctzll(l->nonempty[cls][w])].next,
				 struct vgic_irq, ap_node);
}

/*
 * The one interrupt of an ap_list that holds exactly one, pending and on its short list, or NULL
 * (anything else, for the general walks): the one-interrupt entry's test and lookup in one.
 */
static inline struct vgic_irq *vgic_aplist_lone_pending(const struct vgic_aplist *l)
{
	if (l->count[VGIC_AP_PENDING] != 1U || l->count[VGIC_AP_ACTIVE] != 0 || l->spread[VGIC_AP_PENDING])
		return NULL;
	return vgic_container_of(l->sorted[VGIC_AP_PENDING].next, struct vgic_irq, ap_node);
}

static inline uint32_t vgic_aplist_total(const struct vgic_aplist *l)
{
	return l->count[VGIC_AP_PENDING] + l->count[VGIC_AP_ACTIVE];
}
/* The same without the ap_lock (the counts are stored atomically): for the idle entry's early look. */
static inline uint32_t vgic_aplist_total_unlocked(const struct vgic_aplist *l)
{
	return __atomic_load_n(&l->count[VGIC_AP_PENDING], __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&l->count[VGIC_AP_ACTIVE], __ATOMIC_ACQUIRE);
}
/* Flushed and not yet synced. Atomic: the idle entry and exit set it without the ap_lock. */
static inline bool vgic_vcpu_loaded(const struct vgic_vcpu *v)
{
	return __atomic_load_n(&v->loaded, __ATOMIC_ACQUIRE);
}
static inline void vgic_vcpu_set_loaded(struct vgic_vcpu *v, bool on)
{
	__atomic_store_n(&v->loaded, on, __ATOMIC_RELEASE);
}

/* ---- locking and queueing (vgic_queue.c) ---- */
/* The wait for a spin lock another CPU holds (vgic_queue.c): out of line, the free lock never calls it. */
void vgic_spin_wait(struct vgic *vm, vgic_lock_t *l);

/*
 * One try at a spin lock: the first of every spin-locked vgic_lock_in(), and all that a fast path with a
 * general path to fall back on takes (a frame that calls nothing but its last act then need save no
 * registers for vgic_spin_wait()).
 */
static inline __attribute__((always_inline)) bool vgic_spin_trylock(vgic_lock_t *l)
{
	return __builtin_expect(__atomic_exchange_n(&l->word, 1U, __ATOMIC_ACQUIRE) == 0, 1);
}

/* The lock and unlock hooks, out of line: the inline spin lock's callers keep no registers for them. */
void vgic_lock_hooked(struct vgic *vm, vgic_lock_t *l);
void vgic_unlock_hooked(struct vgic *vm, vgic_lock_t *l);

/*
 * How a path locks. A VM's choice (vm->spin_locks) is fixed at init, so the injection paths are built
 * once for each (vgic_inject.c) and pick theirs with one test on entry: the spin-locked copy then has
 * no test and no hook call left at any of its locks. Everything else asks the VM (VGIC_LOCK_BY_VM).
 */
enum vgic_lock_mode { VGIC_LOCK_BY_VM, VGIC_LOCK_SPIN, VGIC_LOCK_HOOKS };

static inline __attribute__((always_inline)) bool vgic_lock_spins(const struct vgic *vm, enum vgic_lock_mode m)
{
	return m == VGIC_LOCK_SPIN || (m == VGIC_LOCK_BY_VM && __builtin_expect(vm->spin_locks, 1));
}

static inline __attribute__((always_inline)) void vgic_lock_in(struct vgic *vm, vgic_lock_t *l, enum vgic_lock_mode m)
{
	if (vgic_lock_spins(vm, m)) {
		if (!vgic_spin_trylock(l))
			vgic_spin_wait(vm, l);
		return;
	}
	vgic_lock_hooked(vm, l);
}

static inline __attribute__((always_inline)) void vgic_unlock_in(struct vgic *vm, vgic_lock_t *l, enum vgic_lock_mode m)
{
	if (vgic_lock_spins(vm, m)) {
		__atomic_store_n(&l->word, 0U, __ATOMIC_RELEASE);
		return;
	}
	vgic_unlock_hooked(vm, l);
}

static inline __attribute__((always_inline)) void vgic_lock(struct vgic *vm, vgic_lock_t *l)
{
	vgic_lock_in(vm, l, VGIC_LOCK_BY_VM);
}

static inline __attribute__((always_inline)) void vgic_unlock(struct vgic *vm, vgic_lock_t *l)
{
	vgic_unlock_in(vm, l, VGIC_LOCK_BY_VM);
}
static inline void vgic_kick(struct vgic *vm, struct vgic_vcpu *v)
{
	if (!v)
		return;
	vgic_stat_inc(&v->stats.kicks);
	if (vm->hooks->kick)
		vm->hooks->kick(vm->hooks_ctx, v);
}
/* The oracle and its parts are inline: every injection, flush and sync asks it at least once. */
static inline bool vgic_group_enabled(const struct vgic *vm, const struct vgic_irq *irq)
{
	return irq->group ? __atomic_load_n(&vm->grp1_enabled, __ATOMIC_ACQUIRE)
			  : __atomic_load_n(&vm->grp0_enabled, __ATOMIC_ACQUIRE);
}

/* An LPI reaches a CPU interface only through a redistributor with EnableLPIs set. */
static inline bool vgic_lpi_rd_enabled(const struct vgic_irq *irq)
{
	const struct vgic_vcpu *rd = __atomic_load_n(&irq->target, __ATOMIC_RELAXED);

	return rd && __atomic_load_n(&rd->rd_lpis_enabled, __ATOMIC_ACQUIRE);
}

/* Enabled, and its group enabled in the distributor. */
static inline bool vgic_irq_enables_open(const struct vgic *vm, const struct vgic_irq *irq)
{
	return irq->enabled && vgic_group_enabled(vm, irq);
}

/* The enables open, and an LPI's redistributor too: the distributor would forward its pending state. */
static inline bool vgic_irq_forwardable(const struct vgic *vm, const struct vgic_irq *irq)
{
	return vgic_irq_enables_open(vm, irq) && (!irq->lpi || vgic_lpi_rd_enabled(irq));
}

/* vgic_oracle() for an interrupt that is not active: its target while pending and forwardable. */
static inline struct vgic_vcpu *vgic_oracle_inactive(const struct vgic *vm, const struct vgic_irq *irq)
{
	if (vgic_irq_is_pending(irq) && vgic_irq_forwardable(vm, irq))
		return irq->target;
	return NULL;
}

/* Where the interrupt belongs now: the one rule queueing and pruning share. */
static inline struct vgic_vcpu *vgic_oracle(const struct vgic *vm, const struct vgic_irq *irq)
{
	/* An active interrupt must stay where the guest will deactivate it, enabled or not. */
	if (irq->active)
		return irq->active_on ? irq->active_on : irq->target;
	return vgic_oracle_inactive(vm, irq);
}
/*
 * Which list holds irq. A sync unlists an interrupt under its vCPU's ap_lock alone, so a caller
 * that holds only the irq lock (or another vCPU's ap_lock) may read it while it changes: these are
 * the validating reads, and they are atomic. Once the caller holds the lock of the list it finds,
 * nothing else about the interrupt can change under it.
 */
static inline struct vgic_vcpu *vgic_listed_on(const struct vgic_irq *irq)
{
	return __atomic_load_n(&irq->vcpu, __ATOMIC_ACQUIRE);
}

/*
 * Give back an interrupt the last sync kept in its LR (docs/design.md 7.2b) to its vgic_irq: the fold that
 * sync would have made of the untouched LR. vgic_lr.c; v's ap_lock held, v out of the guest.
 */
void vgic_lr_unkeep(struct vgic_vcpu *v, struct vgic_irq *irq);
/*
 * The same for every LR v kept (none: nothing to do), where the kept state cannot stay: an entry that must
 * choose again, a save, a put or a new backend (the next LRs may be fewer).
 */
void vgic_lr_unkeep_all(struct vgic_vcpu *v);

/*
 * Every path that changes v's ap_list or an interrupt on it, outside v's own world switch, takes v's ap_lock
 * through the helpers below, which call this with it held. The last flush's choice may then no longer hold
 * (sel_dirty); and an interrupt kept in an LR while v is out of the guest is folded back first, so such a
 * path sees the interrupt as it always did after a sync. The one change made without it, queueing an
 * interrupt that was on no list, shows in the ap_list's length (sel_total).
 */
static inline __attribute__((always_inline)) void vgic_vcpu_touch_locked(struct vgic_vcpu *v, struct vgic_irq *irq)
{
	v->sel_dirty = true;
	if (__builtin_expect(irq && irq->in_lr && !vgic_vcpu_loaded(v), 0))
		vgic_lr_unkeep(v, irq);
}

/* Lock irq and the ap_list it sits on; returns that vCPU (NULL if unlisted). */
struct vgic_vcpu *vgic_irq_lock_listed(struct vgic *vm, struct vgic_irq *irq);
/*
 * For a change that ends in vgic_irq_update_unlock(): as vgic_irq_lock_listed, but an interrupt on
 * no list has the ap_lock of its routing target taken too (returned), so that queueing it there
 * needs no second round of locking. Lock order is the same: ap_lock, then irq lock.
 */
struct vgic_vcpu *vgic_irq_lock_for_update(struct vgic *vm, struct vgic_irq *irq);

/* The same inlined, as is the common end of vgic_irq_update_unlock(): for the injection paths. */
static inline __attribute__((always_inline)) struct vgic_vcpu *vgic_irq_lock_for_update_inline(struct vgic *vm, struct vgic_irq *irq,
												enum vgic_lock_mode m)
{
	for (;;) {
		struct vgic_vcpu *v = vgic_listed_on(irq);
		struct vgic_vcpu *held = v ? v : __atomic_load_n(&irq->target, __ATOMIC_RELAXED);

		if (held)
			vgic_lock_in(vm, &held->ap_lock, m);
		vgic_lock_in(vm, &irq->lock, m);
		struct vgic_vcpu *on = vgic_listed_on(irq);

		/*
		 * Listed where we looked, or on no list (then held is only a prediction). Listed now, perhaps
		 * only since the first look (queued, placed and kept meanwhile): a touch. On no list it is in
		 * no LR, and queueing it changes the ap_list's length, which the next entry compares with the
		 * one its choice saw (lr_keep_holds).
		 */
		if (!v) {
			if (!on)
				return held;
			if (on == held) {
				vgic_vcpu_touch_locked(held, irq);
				return held;
			}
		} else if (on == v) {
			vgic_vcpu_touch_locked(v, irq);
			return held;
		}
		vgic_unlock_in(vm, &irq->lock, m);
		if (held)
			vgic_unlock_in(vm, &held->ap_lock, m);
	}
}

/* vgic_irq_lock_listed inlined: for lowering a line on the injection paths. */
static inline __attribute__((always_inline)) struct vgic_vcpu *vgic_irq_lock_listed_inline(struct vgic *vm, struct vgic_irq *irq,
											    enum vgic_lock_mode m)
{
	for (;;) {
		struct vgic_vcpu *v = vgic_listed_on(irq);

		if (v)
			vgic_lock_in(vm, &v->ap_lock, m);
		vgic_lock_in(vm, &irq->lock, m);
		if (vgic_listed_on(irq) == v) {
			if (v)
				vgic_vcpu_touch_locked(v, irq);
			return v;
		}
		vgic_unlock_in(vm, &irq->lock, m);
		if (v)
			vgic_unlock_in(vm, &v->ap_lock, m);
	}
}

/* Release what vgic_irq_lock_listed or _for_update took, changing nothing (no requeue, no kick). */
static inline __attribute__((always_inline)) void vgic_irq_unlock_listed_in(struct vgic *vm, struct vgic_irq *irq,
									   struct vgic_vcpu *v, enum vgic_lock_mode m)
{
	vgic_unlock_in(vm, &irq->lock, m);
	if (v)
		vgic_unlock_in(vm, &v->ap_lock, m);
}

static inline void vgic_irq_unlock_listed(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v)
{
	vgic_irq_unlock_listed_in(vm, irq, v, VGIC_LOCK_BY_VM);
}

/* Every case of vgic_irq_update_unlock() but the one it does inline. */
void vgic_irq_update_unlock_slow(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v);
/*
 * The inline case's queueing of anything but a pending interrupt with room on its class's short list:
 * out of line and the caller's last act, so the injection frames hold nothing across a call.
 */
void vgic_irq_queue_long_unlock(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v);

/*
 * After changing irq state: move the interrupt to where the oracle says,
 * kick whoever must notice, and release the locks vgic_irq_lock_listed or
 * vgic_irq_lock_for_update took (v is what either returned).
 */
void vgic_irq_update_unlock(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v);

/*
 * vgic_irq_update_unlock_inline() for an interrupt its caller has seen on no list with v's ap_lock and
 * its own lock held (the spin-locked raises, which look under both locks anyway). Right (the common
 * injection): list it on v with no second round of locking, and with no call while its class is short.
 * Going nowhere (a line lowered, say): nothing moves. Everything else is out of line. raised (a constant
 * at each call): the caller has just made it pending under its lock, and it is not an LPI or its
 * redistributor's LPIs were seen enabled under that lock (a later disable locks it and takes the pending
 * state back), so of the oracle's tests only the enables are left to ask.
 */
static inline __attribute__((always_inline)) void vgic_irq_queue_unlisted_unlock_inline(struct vgic *vm,
											  struct vgic_irq *irq,
											  struct vgic_vcpu *v,
											  enum vgic_lock_mode m,
											  bool raised)
{
	struct vgic_vcpu *t;

	/*
	 * Unlisted, so not active (an active interrupt is listed where it is active). Tested once, first:
	 * the oracle's group-enable loads are acquires, after which the compiler would read it again.
	 */
	if (__builtin_expect(!irq->active, 1)) {
		if (raised)
			t = vgic_irq_enables_open(vm, irq) ? irq->target : NULL;
		else
			t = vgic_oracle_inactive(vm, irq);
		/* Pending, filed by its priority alone, when its class has room on its short list. */
		if (t == v && __builtin_expect(vgic_aplist_short_room(&v->aplist, VGIC_AP_PENDING), 1)) {
			vgic_aplist_insert_short_at(&v->aplist, irq,
						    VGIC_AP_PENDING * VGIC_NR_PRIORITIES + irq->priority,
						    VGIC_AP_PENDING);
			__atomic_store_n(&irq->vcpu, v, __ATOMIC_RELEASE);
			vgic_irq_unlock_listed_in(vm, irq, v, m);
			vgic_kick(vm, v);
			return;
		}
	} else {
		t = vgic_oracle(vm, irq);
	}
	if (t == v) {
		vgic_irq_queue_long_unlock(vm, irq, v);
		return;
	}
	if (!t) {
		vgic_irq_unlock_listed_in(vm, irq, v, m);
		return;
	}
	vgic_irq_update_unlock_slow(vm, irq, v);
}

/*
 * vgic_irq_update_unlock() with its common endings inlined into the caller: for the injection paths (vgic_inject.c).
 * Everything else calls vgic_irq_update_unlock(), so the core does not grow by a copy per setter.
 */
static inline __attribute__((always_inline)) void vgic_irq_update_unlock_inline(struct vgic *vm,
										 struct vgic_irq *irq,
										 struct vgic_vcpu *v,
										 enum vgic_lock_mode m)
{
	/*
	 * Locked by vgic_irq_lock_for_update() while on no list: v is the vCPU it was predicted to go
	 * to, and its ap_lock is held; the common injection, done inline. Everything else is out of line.
	 */
	if (v && !vgic_listed_on(irq)) {
		vgic_irq_queue_unlisted_unlock_inline(vm, irq, v, m, false);
		return;
	}
	vgic_irq_update_unlock_slow(vm, irq, v);
}
/*
 * vgic_irq_update_unlock() after a change that cannot make an interrupt pending (a line lowered),
 * locked by vgic_irq_lock_listed(): no routing target's ap_lock is taken to queue it, since it is not
 * queued. On no list and going nowhere (the common case): the irq lock is all there is to release.
 * Anything else (listed, or an unlisted interrupt the oracle still places) takes the general path,
 * as vgic_irq_update_unlock() would with that lock state.
 */
static inline __attribute__((always_inline)) void vgic_irq_lowered_unlock(struct vgic *vm, struct vgic_irq *irq,
									 struct vgic_vcpu *v, enum vgic_lock_mode m)
{
	if (!v && !vgic_oracle(vm, irq)) {
		vgic_unlock_in(vm, &irq->lock, m);
		return;
	}
	vgic_irq_update_unlock_slow(vm, irq, v);
}
/* The physical side of a HW interrupt is done with: deactivate it on its owner's CPU. Locked as for a change. */
void vgic_irq_phys_deactivate(struct vgic *vm, struct vgic_irq *irq);
/* Deactivate outside any LR (EOIcount, trapped DIR, ICACTIVER). Locked as for a change. */
void vgic_irq_deactivate_locked(struct vgic *vm, struct vgic_irq *irq);

/*
 * Work collected under locks and done after they are released. The first resample also keeps the
 * owner's callback as it was when the deactivation was seen (first_fn, first_owner): every caller
 * defers with the interrupt's lock or the ap_lock of the list it is on held, and set_resample takes
 * both, so the pair is whole. Calling it needs no second look under the irq lock; the later ones
 * are looked up again, since an earlier callback may have changed them.
 */
struct vgic_deferred {
	struct vgic_irq *requeue[VGIC_MAX_DEFERRED];
	struct vgic_irq *resample[VGIC_MAX_DEFERRED];
	unsigned nr_requeue, nr_resample;
	irq_resample_fn first_fn;
	void *first_owner;
};
void vgic_deferred_run(struct vgic *vm, struct vgic_deferred *d);
/* A level interrupt was deactivated: its line owner must resample (after unlock). */
static inline void vgic_defer_resample(struct vgic_deferred *d, struct vgic_irq *irq)
{
	if (irq->trigger == VGIC_LEVEL && irq->resample && d->nr_resample < VGIC_MAX_DEFERRED) {
		if (!d->nr_resample) {
			d->first_fn = irq->resample;
			d->first_owner = irq->resample_owner;
		}
		d->resample[d->nr_resample++] = irq;
	}
}
/* The line number a resample callback is given: SPI N is line N, PPI 16 + N line N. */
static inline uint32_t vgic_resample_line(const struct vgic_irq *irq)
{
	return irq->intid >= VGIC_SPI_BASE ? irq->intid - VGIC_SPI_BASE : irq->intid - VGIC_NR_SGIS;
}

/* ---- entry and exit (vgic_lr.c); not static so that tests/unit/test_lr_fold.c can compare fast and general ---- */
/* An LR value for irq, its pending state moved into it; ap_lock held. */
uint64_t vgic_lr_stage(const struct vgic *vm, const struct vgic_vcpu *v, struct vgic_irq *irq, bool refill);
/* The same for a software edge that is not active only; false, having changed nothing, for the others. */
bool vgic_lr_stage_plain(struct vgic_irq *irq, bool refill, uint64_t *val);
/* The same for a HW level, and for a software level, that is not active only; false, having changed nothing, for the others. */
bool vgic_lr_stage_hw_level(struct vgic_irq *irq, uint64_t *val);
bool vgic_lr_stage_sw_level(struct vgic_irq *irq, uint64_t *val);
/* Fold one LR (written: what entry put there; now: what exit read, 0 if ELRSR said empty). ap_lock held. */
void vgic_lr_fold(struct vgic *vm, struct vgic_vcpu *v, struct vgic_irq *irq,
		  uint64_t written, uint64_t now, struct vgic_deferred *d);
/* The same for the commonest cases only; false, having changed nothing, for the others. */
bool vgic_lr_fold_fast(struct vgic_vcpu *v, struct vgic_irq *irq, uint64_t written, uint64_t now,
		       struct vgic_deferred *d);

/* ---- LPIs (vgic_lpi.c) ---- */
/* GICD_TYPER.IDbits + 1: enough for the configured LPIs, at least 16. */
uint32_t vgic_lpi_id_bits(const struct vgic *vm);
/* GICR_CTLR.EnableLPIs written on rd. */
void vgic_lpi_ctlr_write(struct vgic *vm, struct vgic_vcpu *rd, bool enable);
/* Re-read pool entries [first, first + count) from the configuration table rd names. */
void vgic_lpi_read_config(struct vgic *vm, struct vgic_vcpu *rd, uint32_t first, uint32_t count);
/* Make an LPI pending on rd (HV_EBUSY, and lost, while rd's EnableLPIs is clear), or withdraw it. */
int vgic_lpi_set_pending(struct vgic *vm, struct vgic_vcpu *rd, uint32_t intid, bool on);
/*
 * vgic_lpi_set_pending()'s making pending, with irq locked for the update: with EnableLPIs clear the
 * redistributor cannot make an LPI pending, so it is lost, as the architecture says (pending bits the
 * guest wrote into the table are read at enable).
 */
static inline int vgic_lpi_raise_locked(struct vgic_irq *irq, struct vgic_vcpu *rd)
{
	if (!__atomic_load_n(&rd->rd_lpis_enabled, __ATOMIC_ACQUIRE))
		return HV_EBUSY;
	__atomic_store_n(&irq->target, rd, __ATOMIC_RELAXED);
	irq->pending_latch = 1;
	return HV_OK;
}

/* A device's line changed (irq_line chips): wire semantics, or one event when pulse. */
int vgic_line_set(struct vgic *vm, struct vgic_irq *irq, bool high, bool pulse);

/* Argument checking shared by the public entry points. */
struct vgic_irq *vgic_lookup_slow(struct vgic *vm, uint32_t vcpu, uint32_t intid, int *err);
/* An SPI, or a private interrupt of a vCPU that exists; NULL for the rest (LPIs, every error), which need vgic_lookup_slow(). */
static inline struct vgic_irq *vgic_lookup_fast(struct vgic *vm, uint32_t vcpu, uint32_t intid)
{
	if (vm && intid - VGIC_SPI_BASE < vm->nr_spis)
		return &vm->spis[intid - VGIC_SPI_BASE];
	if (vm && intid < VGIC_NR_PRIVATE && vcpu < vm->nr_vcpus)
		return &vm->vcpus[vcpu].priv[intid];
	return NULL;
}
/* The same as vgic_lookup_slow; an SPI, or a private interrupt of a vCPU that exists, is found inline; the rest (and every error) out of line. */
static inline struct vgic_irq *vgic_lookup(struct vgic *vm, uint32_t vcpu, uint32_t intid, int *err)
{
	struct vgic_irq *irq = vgic_lookup_fast(vm, vcpu, intid);

	if (irq) {
		*err = HV_OK;
		return irq;
	}
	return vgic_lookup_slow(vm, vcpu, intid, err);
}

#endif

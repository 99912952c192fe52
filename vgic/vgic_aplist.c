/* vgic_aplist.c: the per-vCPU ap_list as priority buckets with occupancy bitmaps.
 * Insert, remove and reposition are O(1); finding the k highest entries is O(k + 8 words). */
#include "vgic_internal.h"

#define BUCKET_WORD(prio) ((prio) / 64U)
#define BUCKET_BIT(prio)  (1ULL << ((prio) % 64U))

/* Active interrupts sort by the priority they were taken at: the order the guest will end them in. */
static inline unsigned bucket_of(const struct vgic_irq *irq)
{
	return irq->active ? VGIC_AP_ACTIVE * VGIC_NR_PRIORITIES + irq->active_prio
			   : VGIC_AP_PENDING * VGIC_NR_PRIORITIES + irq->priority;
}

void vgic_aplist_init(struct vgic_aplist *l)
{
	for (unsigned c = 0; c < VGIC_AP_CLASSES; c++) {
		for (unsigned p = 0; p < VGIC_NR_PRIORITIES; p++)
			vgic_node_init(&l->bucket[c][p]);
		for (unsigned w = 0; w < VGIC_PRIO_WORDS; w++)
			l->nonempty[c][w] = 0;
		l->words[c] = 0;
		l->count[c] = 0;
	}
}

void vgic_aplist_insert(struct vgic_aplist *l, struct vgic_irq *irq)
{
	unsigned b = bucket_of(irq);
	unsigned cls = b / VGIC_NR_PRIORITIES, prio = b % VGIC_NR_PRIORITIES;

	vgic_node_add_tail(&irq->ap_node, &l->bucket[cls][prio]);
	l->nonempty[cls][BUCKET_WORD(prio)] |= BUCKET_BIT(prio);
	l->words[cls] |= 1U << BUCKET_WORD(prio);
	__atomic_store_n(&l->count[cls], l->count[cls] + 1U, __ATOMIC_RELEASE);
	irq->bucket = (uint16_t)b;
}

void vgic_aplist_remove(struct vgic_aplist *l, struct vgic_irq *irq)
{
	unsigned cls = irq->bucket / VGIC_NR_PRIORITIES, prio = irq->bucket % VGIC_NR_PRIORITIES;

	vgic_node_del(&irq->ap_node);
	if (vgic_node_empty(&l->bucket[cls][prio])) {
		l->nonempty[cls][BUCKET_WORD(prio)] &= ~BUCKET_BIT(prio);
		if (!l->nonempty[cls][BUCKET_WORD(prio)])
			l->words[cls] &= ~(1U << BUCKET_WORD(prio));
	}
	__atomic_store_n(&l->count[cls], l->count[cls] - 1U, __ATOMIC_RELEASE);
}

bool vgic_aplist_reposition(struct vgic_aplist *l, struct vgic_irq *irq)
{
	if (irq->bucket == bucket_of(irq))
		return false;
	vgic_aplist_remove(l, irq);
	vgic_aplist_insert(l, irq);
	return true;
}

struct vgic_irq *vgic_aplist_next(const struct vgic_aplist *l, unsigned cls,
				  const struct vgic_irq *prev)
{
	unsigned from = 0;

	if (prev) {
		unsigned prio = prev->bucket % VGIC_NR_PRIORITIES;
		const struct vgic_node *head = &l->bucket[cls][prio];

		if (prev->ap_node.next != head)
			return vgic_container_of(prev->ap_node.next, struct vgic_irq, ap_node);
		from = prio + 1;
	}
	if (from >= VGIC_NR_PRIORITIES)
		return NULL;
	/* Only the words that hold something, from the one that holds "from". */
	for (uint32_t words = l->words[cls] & ~((1U << BUCKET_WORD(from)) - 1U); words; words &= words - 1U) {
		unsigned w = (unsigned)__builtin_ctz(words);
		uint64_t bits = l->nonempty[cls][w];

		if (w == BUCKET_WORD(from))
			bits &= ~(BUCKET_BIT(from) - 1);
		if (bits) {
			unsigned prio = w * 64U + (unsigned)__builtin_ctzll(bits);

			return vgic_container_of(l->bucket[cls][prio].next, struct vgic_irq, ap_node);
		}
	}
	return NULL;
}

unsigned vgic_aplist_collect(const struct vgic_aplist *l, unsigned cls, struct vgic_irq **out, unsigned max)
{
	unsigned n = 0;

	/* One pass over the occupied words and buckets, not a vgic_aplist_next() per entry. */
	for (uint32_t words = l->words[cls]; words && n < max; words &= words - 1U) {
		unsigned w = (unsigned)__builtin_ctz(words);

		for (uint64_t bits = l->nonempty[cls][w]; bits && n < max; bits &= bits - 1U) {
			const struct vgic_node *head = &l->bucket[cls][w * 64U + (unsigned)__builtin_ctzll(bits)];

			for (const struct vgic_node *e = head->next; e != head && n < max; e = e->next)
				out[n++] = vgic_container_of(e, struct vgic_irq, ap_node);
		}
	}
	return n;
}

/* vgic_aplist.c: the per-vCPU ap_list: a sorted short list per class, spread over priority buckets with
 * occupancy bitmaps past VGIC_APLIST_SHORT_MAX entries; finding the k highest entries is O(k + 8 words). */
#include "vgic_internal.h"

void vgic_aplist_init(struct vgic_aplist *l)
{
	for (unsigned c = 0; c < VGIC_AP_CLASSES; c++) {
		for (unsigned p = 0; p < VGIC_NR_PRIORITIES; p++)
			vgic_node_init(&l->bucket[c][p]);
		for (unsigned w = 0; w < VGIC_PRIO_WORDS; w++)
			l->nonempty[c][w] = 0;
		l->words[c] = 0;
		l->count[c] = 0;
		vgic_node_init(&l->sorted[c]);
		l->spread[c] = 0;
	}
}

/*
 * A short class grows past VGIC_APLIST_SHORT_MAX: file its entries in their buckets. Taken in list
 * order, so each bucket keeps their arrival order. Once per growth from short to long; the class stays
 * spread until it empties, so a length that hovers at the limit does not move the list back and forth.
 */
void vgic_aplist_spread(struct vgic_aplist *l, unsigned cls)
{
	struct vgic_node *head = &l->sorted[cls], *n = head->next;

	/* Every entry leaves, so none is unlinked on its own: the bucket's link overwrites its node. */
	while (n != head) {
		struct vgic_node *next = n->next;
		struct vgic_irq *irq = vgic_container_of(n, struct vgic_irq, ap_node);

		vgic_aplist_bucket_insert(l, irq, irq->bucket);
		n = next;
	}
	vgic_node_init(head);
	l->spread[cls] = 1;
}

void vgic_aplist_remove_spread(struct vgic_aplist *l, unsigned b)
{
	unsigned cls = b / VGIC_NR_PRIORITIES, prio = b % VGIC_NR_PRIORITIES;
	uint64_t *word = vgic_aplist_word(l, b);

	if (vgic_node_empty(vgic_aplist_head(l, b))) {
		*word &= ~VGIC_BUCKET_BIT(prio);
		if (!*word)
			l->words[cls] &= ~(1U << VGIC_BUCKET_WORD(prio));
	}
	/* The last one out (the count drops after this): every bucket is empty, so the class is short again. */
	if (l->count[cls] == 1U)
		l->spread[cls] = 0;
}

void vgic_aplist_insert_long(struct vgic_aplist *l, struct vgic_irq *irq)
{
	vgic_aplist_insert_long_in(l, irq);
}

struct vgic_irq *vgic_aplist_next_spread(const struct vgic_aplist *l, unsigned cls, const struct vgic_irq *prev)
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
	for (uint32_t words = l->words[cls] & ~((1U << VGIC_BUCKET_WORD(from)) - 1U); words; words &= words - 1U) {
		unsigned w = (unsigned)__builtin_ctz(words);
		uint64_t bits = l->nonempty[cls][w];

		if (w == VGIC_BUCKET_WORD(from))
			bits &= ~(VGIC_BUCKET_BIT(from) - 1);
		if (bits) {
			unsigned prio = w * 64U + (unsigned)__builtin_ctzll(bits);

			return vgic_container_of(l->bucket[cls][prio].next, struct vgic_irq, ap_node);
		}
	}
	return NULL;
}

/* vgic_aplist.c: the per-vCPU ap_list as priority buckets with occupancy bitmaps.
 * Insert, remove and reposition are O(1); finding the k highest entries is O(k + 8 words). */
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
	}
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

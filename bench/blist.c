/* blist.c: a stable bottom-up merge sort for the intrusive lists the peers' ap_lists use.
 * It costs what Linux's list_sort() costs, O(n log n) comparisons, which is the point being measured. */
#include "blist.h"

uint64_t b_lock_pairs;
uint64_t b_prio_cmps;

/* Runs of length 2^i wait in bin i; 32 bins hold 2^32 elements, far more than any list here. */
#define SORT_BINS 32U

/* Merge two NULL-terminated sorted runs; on ties the older run wins, which keeps the sort stable. */
static struct vgic_node *merge(blist_cmp_fn cmp, struct vgic_node *older, struct vgic_node *newer)
{
	struct vgic_node head = { NULL, NULL };
	struct vgic_node *tail = &head;

	while (older && newer) {
		if (cmp(older, newer) <= 0) {
			tail->next = older;
			older = older->next;
		} else {
			tail->next = newer;
			newer = newer->next;
		}
		tail = tail->next;
	}
	tail->next = older ? older : newer;
	return head.next;
}

void blist_sort(struct vgic_node *head, blist_cmp_fn cmp)
{
	struct vgic_node *bins[SORT_BINS] = { NULL };
	struct vgic_node *list, *run = NULL, *prev;
	unsigned top = 0;

	if (blist_empty(head) || head->next->next == head)
		return;
	head->prev->next = NULL;
	list = head->next;
	while (list) {
		struct vgic_node *n = list;
		unsigned i;

		list = list->next;
		n->next = NULL;
		for (i = 0; i + 1 < SORT_BINS && bins[i]; i++) {
			n = merge(cmp, bins[i], n);
			bins[i] = NULL;
		}
		bins[i] = bins[i] ? merge(cmp, bins[i], n) : n;
		if (i > top)
			top = i;
	}
	/* Lower bins hold the newer elements. */
	for (unsigned i = 0; i <= top; i++)
		if (bins[i])
			run = run ? merge(cmp, bins[i], run) : bins[i];

	prev = head;
	for (struct vgic_node *n = run; n; n = n->next) {
		n->prev = prev;
		prev->next = n;
		prev = n;
	}
	prev->next = head;
	head->prev = prev;
}

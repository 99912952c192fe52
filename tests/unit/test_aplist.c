/* test_aplist.c: the ap_list's two forms (vgic/vgic_aplist.c): a short class as one sorted list, a long one
 * spread over priority buckets, and every reader giving the same priority-then-arrival order in both. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vgic.h"
#include "vgic_internal.h"

#define NR_IRQS 48U

struct model {
	struct vgic_aplist l;
	struct vgic_irq irq[NR_IRQS];
	/* The reference: arrival stamp per listed interrupt (0: not listed). */
	unsigned stamp[NR_IRQS];
	unsigned clock;
};

static struct model *model_new(void)
{
	struct model *m = test_calloc(1, sizeof(*m));

	vgic_aplist_init(&m->l);
	for (unsigned i = 0; i < NR_IRQS; i++) {
		m->irq[i].intid = VGIC_SPI_BASE + i;
		vgic_node_init(&m->irq[i].ap_node);
	}
	return m;
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Does a sort before b: class, then priority, then arrival. */
static int sorts_before(const struct model *m, unsigned a, unsigned b)
{
	unsigned ka = vgic_aplist_bucket_of(&m->irq[a]), kb = vgic_aplist_bucket_of(&m->irq[b]);

	return ka != kb ? ka < kb : m->stamp[a] < m->stamp[b];
}

/* The reference order of class cls into out; returns how many. */
static unsigned reference(const struct model *m, unsigned cls, unsigned *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NR_IRQS; i++) {
		if (!m->stamp[i] || vgic_irq_class(&m->irq[i]) != cls)
			continue;
		unsigned at = n++;

		while (at && sorts_before(m, i, out[at - 1])) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = i;
	}
	return n;
}

/* next(), collect() at every length, first() and the count agree with the reference; the form fits. */
static void check(const struct model *m, const char *what)
{
	for (unsigned cls = 0; cls < VGIC_AP_CLASSES; cls++) {
		unsigned want[NR_IRQS], n = reference(m, cls, want), k = 0;
		struct vgic_irq *got[NR_IRQS];
		struct vgic_irq *it = NULL;

		assert_int_equal(m->l.count[cls], n);
		while ((it = vgic_aplist_next(&m->l, cls, it))) {
			assert_true(k < n);
			if (it != &m->irq[want[k]])
				fail_msg("%s: class %u entry %u is SPI %u, want SPI %u", what, cls, k,
					 it->intid - VGIC_SPI_BASE, want[k]);
			k++;
		}
		assert_int_equal(k, n);
		for (unsigned max = 0; max <= n + 1U; max++) {
			unsigned got_n = vgic_aplist_collect(&m->l, cls, got, max);

			assert_int_equal(got_n, max < n ? max : n);
			for (unsigned i = 0; i < got_n; i++)
				assert_ptr_equal(got[i], &m->irq[want[i]]);
		}
		assert_ptr_equal(vgic_aplist_first(&m->l, cls), n ? &m->irq[want[0]] : NULL);
		/* Short while it fits; spread only while it holds something. */
		if (!m->l.spread[cls])
			assert_true(n <= VGIC_APLIST_SHORT_MAX);
		else
			assert_true(n > 0);
	}
}

static void add(struct model *m, unsigned i)
{
	vgic_aplist_insert(&m->l, &m->irq[i]);
	m->stamp[i] = ++m->clock;
}

static void del(struct model *m, unsigned i)
{
	vgic_aplist_remove(&m->l, &m->irq[i]);
	m->stamp[i] = 0;
}

static void test_short_class_is_sorted_by_priority_then_arrival(void **state)
{
	struct model *m = model_new();
	static const uint8_t prio[] = { 0xa0, 0x80, 0xa0, 0x40, 0xf0, 0x80, 0x40, 0xa0 };

	(void)state;
	for (unsigned i = 0; i < sizeof(prio); i++) {
		m->irq[i].priority = prio[i];
		add(m, i);
		check(m, "filling");
	}
	assert_int_equal(m->l.spread[VGIC_AP_PENDING], 0);
	test_free(m);
}

static void test_class_spreads_past_the_limit_and_keeps_its_order(void **state)
{
	struct model *m = model_new();

	(void)state;
	/* Few priorities, so arrival order within one is what the move has to keep. */
	for (unsigned i = 0; i < VGIC_APLIST_SHORT_MAX + 4U; i++) {
		m->irq[i].priority = (uint8_t)(0x40U + (i % 3U) * 0x20U);
		add(m, i);
		check(m, "growing");
		assert_int_equal(m->l.spread[VGIC_AP_PENDING], i >= VGIC_APLIST_SHORT_MAX);
	}
	/* Shrinking below the limit keeps the buckets; the last one out makes the class short again. */
	for (unsigned i = 0; i < VGIC_APLIST_SHORT_MAX + 3U; i++) {
		del(m, i);
		check(m, "shrinking");
		assert_int_equal(m->l.spread[VGIC_AP_PENDING], 1);
	}
	del(m, VGIC_APLIST_SHORT_MAX + 3U);
	check(m, "emptied");
	assert_int_equal(m->l.spread[VGIC_AP_PENDING], 0);
	for (unsigned w = 0; w < VGIC_PRIO_WORDS; w++)
		assert_int_equal(m->l.nonempty[VGIC_AP_PENDING][w], 0);
	assert_int_equal(m->l.words[VGIC_AP_PENDING], 0);
	test_free(m);
}

static void test_random_inserts_removes_and_moves_match_a_sorted_reference(void **state)
{
	struct model *m = model_new();
	uint32_t seed = 0x2545f491U;
	unsigned spreads = 0, unspreads = 0, same_class_moves = 0, stays = 0;

	(void)state;
	for (unsigned step = 0; step < 6000U; step++) {
		unsigned i = rng_next(&seed) % NR_IRQS;
		struct vgic_irq *irq = &m->irq[i];
		uint8_t before = m->l.spread[VGIC_AP_PENDING] | (uint8_t)(m->l.spread[VGIC_AP_ACTIVE] << 1);

		/* Filling and draining phases, so the lengths cross the limit both ways and reach empty. */
		bool filling = (step / 150U) % 2U == 0;

		if (!m->stamp[i] && filling) {
			irq->priority = (uint8_t)((rng_next(&seed) % 8U) << 5);
			irq->active = (rng_next(&seed) % 4U) == 0;
			irq->active_prio = (uint8_t)((rng_next(&seed) % 8U) << 5);
			add(m, i);
		} else if (m->stamp[i] && (rng_next(&seed) % 4U) == 0) {
			/* A priority or state change: reposition files it again, as the newest at its place. */
			irq->priority = (uint8_t)((rng_next(&seed) % 8U) << 5);
			unsigned cls = vgic_irq_class(irq);

			/* Half the changes keep the class: a move within one form, or no move at all. */
			if (rng_next(&seed) % 2U)
				irq->active = !irq->active;
			if (vgic_aplist_reposition(&m->l, irq)) {
				m->stamp[i] = ++m->clock;
				same_class_moves += vgic_irq_class(irq) == cls;
			} else {
				stays++;
			}
		} else if (m->stamp[i] && !filling) {
			del(m, i);
		}
		check(m, "random step");
		uint8_t after = m->l.spread[VGIC_AP_PENDING] | (uint8_t)(m->l.spread[VGIC_AP_ACTIVE] << 1);

		spreads += (after & ~before) != 0;
		unspreads += (before & ~after) != 0;
	}
	/* The walk must have crossed the limit both ways, or it tested one form only. */
	assert_true(spreads >= 3);
	assert_true(unspreads >= 3);
	/* And repositioned within a class, and found some already in place. */
	assert_true(same_class_moves >= 10);
	assert_true(stays >= 10);
	test_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_class_is_sorted_by_priority_then_arrival),
		cmocka_unit_test(test_class_spreads_past_the_limit_and_keeps_its_order),
		cmocka_unit_test(test_random_inserts_removes_and_moves_match_a_sorted_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

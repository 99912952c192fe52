/* test_lr_fold.c: the world switch's fast paths against the general ones, over every combination of the
 * interrupt's flags: the exit's fold (vgic_lr_fold_fast against vgic_lr_fold, for every LR value entry wrote and exit
 * read) and the entry's staging (vgic_lr_stage_plain against vgic_lr_stage, with and without the refill bit). Where
 * a fast path answers, both must leave the interrupt, the vCPU's counters, the deferred work and the LR value the
 * same; where it declines, it changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"

#define INTID       (VGIC_SPI_BASE + 8U)
#define PRIO        0x40U
#define ACTIVE_PRIO 0x20U
#define PINTID      27U
#define NR_FLAGS    9U    /* the one-bit flags enumerated below */

/* The LR value entry would have written for these state bits, HW or not, with or without the EOI bit. */
static uint64_t lr_value(uint64_t state, bool hw, bool eoi)
{
	uint64_t val = INTID | ((uint64_t)PRIO << ICH_LR_PRIORITY_SHIFT) | ICH_LR_GROUP | state;

	if (hw)
		val |= ICH_LR_HW | ((uint64_t)PINTID << ICH_LR_PINTID_SHIFT);
	else if (eoi)
		val |= ICH_LR_EOI;
	return val;
}

/* A level line's owner; never called here (the folds only defer it), but it makes them defer. */
static void owner_resample(void *owner, uint32_t line)
{
	(void)owner;
	(void)line;
}

/* One interrupt sitting in an LR of v, its flags taken from the bits of combo, act_req and active_on as given. */
static void make_irq(struct vgic_irq *irq, struct vgic_vcpu *v, unsigned combo, unsigned act_req, bool on_v)
{
	memset(irq, 0, sizeof(*irq));
	irq->intid = INTID;
	irq->hw_intid = PINTID;
	irq->priority = PRIO;
	irq->active_prio = ACTIVE_PRIO;
	irq->group = 1;
	irq->enabled = 1;
	irq->target = v;
	irq->vcpu = v;
	irq->in_lr = 1;
	irq->resample = owner_resample;
	irq->trigger = (combo >> 0) & 1U ? VGIC_LEVEL : VGIC_EDGE;
	irq->pending_latch = (combo >> 1) & 1U;
	irq->line_level = (combo >> 2) & 1U;
	irq->active = (combo >> 3) & 1U;
	irq->hw = (combo >> 4) & 1U;
	irq->pend_clear_req = (combo >> 5) & 1U;
	irq->latch_in_lr = (combo >> 6) & 1U;
	irq->line_in_lr = (combo >> 7) & 1U;
	irq->lpi = (combo >> 8) & 1U;
	irq->act_req = act_req & 3U;
	irq->active_on = irq->active && on_v ? v : NULL;
}

/* Field by field: the bit-fields' padding need not compare equal. */
static void assert_same_irq(const struct vgic_irq *a, const struct vgic_irq *b)
{
	assert_ptr_equal(a->vcpu, b->vcpu);
	assert_ptr_equal(a->target, b->target);
	assert_ptr_equal(a->active_on, b->active_on);
	assert_int_equal(a->priority, b->priority);
	assert_int_equal(a->active_prio, b->active_prio);
	assert_int_equal(a->group, b->group);
	assert_int_equal(a->enabled, b->enabled);
	assert_int_equal(a->trigger, b->trigger);
	assert_int_equal(a->pending_latch, b->pending_latch);
	assert_int_equal(a->line_level, b->line_level);
	assert_int_equal(a->active, b->active);
	assert_int_equal(a->hw, b->hw);
	assert_int_equal(a->in_lr, b->in_lr);
	assert_int_equal(a->pend_clear_req, b->pend_clear_req);
	assert_int_equal(a->act_req, b->act_req);
	assert_int_equal(a->latch_in_lr, b->latch_in_lr);
	assert_int_equal(a->line_in_lr, b->line_in_lr);
	assert_int_equal(a->lpi, b->lpi);
}

/* Fold (written, now) both ways from the same interrupt; returns whether the fast fold answered. */
static bool fold_both_ways(struct harness *h, unsigned combo, unsigned act_req, bool on_v, uint64_t written,
			   uint64_t now)
{
	struct vgic_vcpu *v = &h->vcpus[0];
	struct vgic_irq orig, fast, slow;
	struct vgic_deferred d = { .nr_requeue = 0, .nr_resample = 0 };
	struct vgic_deferred d_fast = { .nr_requeue = 0, .nr_resample = 0 };
	uint64_t taken_before = v->stats.taken, taken_fast, resamples_before = v->stats.resamples, resamples_fast;
	unsigned phys_before = h->nr_phys_deactivated;
	bool answered;

	make_irq(&orig, v, combo, act_req, on_v);
	fast = orig;
	slow = orig;
	answered = vgic_lr_fold_fast(v, &fast, written, now, &d_fast);
	taken_fast = v->stats.taken;
	resamples_fast = v->stats.resamples;
	if (!answered) {
		assert_memory_equal(&fast, &orig, sizeof(orig));
		assert_int_equal(taken_fast, taken_before);
		assert_int_equal(resamples_fast, resamples_before);
		assert_int_equal(d_fast.nr_resample + d_fast.nr_requeue, 0);
		return false;
	}
	v->stats.taken = taken_before;
	v->stats.resamples = resamples_before;
	vgic_lr_fold(&h->vm, v, &slow, written, now, &d);
	assert_same_irq(&fast, &slow);
	assert_int_equal(v->stats.taken, taken_fast);
	assert_int_equal(v->stats.resamples, resamples_fast);
	/* The same deferred work, the fast fold's naming its own copy of the interrupt. */
	assert_int_equal(d_fast.nr_requeue, d.nr_requeue);
	assert_int_equal(d_fast.nr_resample, d.nr_resample);
	for (unsigned i = 0; i < d.nr_resample; i++) {
		assert_ptr_equal(d_fast.resample[i], &fast);
		assert_ptr_equal(d.resample[i], &slow);
	}
	assert_int_equal(h->nr_phys_deactivated, phys_before);
	return true;
}

static void the_fast_fold_agrees_with_the_general_one_wherever_it_answers(void **state)
{
	static const uint64_t states[] = { 0, ICH_LR_STATE_PENDING, ICH_LR_STATE_ACTIVE, ICH_LR_STATE_MASK };
	struct harness *h = h_mk(1, 32, 4);
	unsigned answered = 0, declined = 0;

	(void)state;
	for (unsigned combo = 0; combo < (1U << NR_FLAGS); combo++)
		for (unsigned act_req = 0; act_req <= VGIC_ACT_REQ_CLEAR; act_req++)
			for (unsigned on_v = 0; on_v < 2; on_v++)
				for (unsigned ws = 0; ws < 4; ws++)
					for (unsigned hw_eoi = 0; hw_eoi < 4; hw_eoi++) {
						uint64_t written = lr_value(states[ws], hw_eoi & 1U, hw_eoi & 2U);

						/* Exit reads the LR back with any state, or ELRSR says empty (0). */
						for (unsigned ns = 0; ns <= 4; ns++) {
							uint64_t now = ns == 4 ? 0
								: (written & ~ICH_LR_STATE_MASK) | states[ns];

							if (fold_both_ways(h, combo, act_req, on_v != 0, written, now))
								answered++;
							else
								declined++;
						}
					}
	/* Both sides exercised: the fast fold is taken (an edge ended in its LR) and declined. */
	assert_true(answered > 0);
	assert_true(declined > answered);
	h_finish(h);
}

/* Stage irq for an LR both ways from the same interrupt; returns whether the plain staging answered. */
static bool stage_both_ways(struct harness *h, unsigned combo, unsigned act_req, bool on_v, bool refill)
{
	struct vgic_vcpu *v = &h->vcpus[0];
	struct vgic_irq orig, fast, slow;
	uint64_t val_fast = 0, val_slow;

	make_irq(&orig, v, combo, act_req, on_v);
	orig.in_lr = 0;
	fast = orig;
	slow = orig;
	if (!vgic_lr_stage_plain(&fast, refill, &val_fast)) {
		assert_memory_equal(&fast, &orig, sizeof(orig));
		return false;
	}
	val_slow = vgic_lr_stage(&h->vm, v, &slow, refill);
	assert_int_equal(val_fast, val_slow);
	assert_same_irq(&fast, &slow);
	return true;
}

static void the_plain_staging_agrees_with_the_general_one_wherever_it_answers(void **state)
{
	struct harness *h = h_mk(1, 32, 4);
	unsigned answered = 0, declined = 0;

	(void)state;
	for (unsigned combo = 0; combo < (1U << NR_FLAGS); combo++)
		for (unsigned act_req = 0; act_req <= VGIC_ACT_REQ_CLEAR; act_req++)
			for (unsigned on_v = 0; on_v < 2; on_v++)
				for (unsigned refill = 0; refill < 2; refill++) {
					if (stage_both_ways(h, combo, act_req, on_v != 0, refill != 0))
						answered++;
					else
						declined++;
				}
	assert_true(answered > 0);
	assert_true(declined > answered);
	h_finish(h);
}

/* Through the world switch: an edge taken and ended leaves nothing behind, its LR folded by the fast path. */
static void an_edge_taken_and_ended_leaves_no_state(void **state)
{
	struct harness *h = h_mk(1, 32, 4);
	struct vgic_irq_state st;

	(void)state;
	h_cfg(h, 0, INTID, PRIO, VGIC_EDGE);
	for (unsigned r = 0; r < 3; r++) {
		assert_int_equal(vgic_inject(&h->vm, 0, INTID, true), HV_OK);
		assert_int_equal(h_run(h, 0, 100), 1);
		st = h_state(h, 0, INTID);
		assert_false(st.pending);
		assert_false(st.active);
		assert_false(st.queued);
	}
	assert_int_equal(h->vcpus[0].stats.taken, 3);
	h_finish(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(the_fast_fold_agrees_with_the_general_one_wherever_it_answers, h_teardown),
		cmocka_unit_test_teardown(the_plain_staging_agrees_with_the_general_one_wherever_it_answers, h_teardown),
		cmocka_unit_test_teardown(an_edge_taken_and_ended_leaves_no_state, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

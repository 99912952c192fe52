/* test_lr_fold.c: the world switch's fast paths against the general ones, over every combination of the
 * interrupt's flags: the exit's fold (vgic_lr_fold_fast against vgic_lr_fold, for every LR value entry wrote and exit
 * read) and the entry's staging (vgic_lr_stage_plain, vgic_lr_stage_hw_level and vgic_lr_stage_sw_level against
 * vgic_lr_stage, with and without the refill bit). Where a fast path answers, both must leave the interrupt, the
 * vCPU's counters, the deferred work and the LR value the same; where it declines, it changes nothing. */
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
	irq->resample_owner = v;
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
	/* And the callback the deferred run will call for the first, kept as the fold saw it. */
	if (d.nr_resample) {
		assert_ptr_equal(d_fast.first_fn, d.first_fn);
		assert_ptr_equal(d_fast.first_owner, d.first_owner);
		assert_ptr_equal(d.first_fn, owner_resample);
		assert_ptr_equal(d.first_owner, orig.resample_owner);
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

/* The entry's staging fast paths, each against vgic_lr_stage: the plain one, the HW level's, the software level's. */
enum { STAGE_PLAIN, STAGE_HW_LEVEL, STAGE_SW_LEVEL, NR_STAGE_FAST };

static bool stage_fast(unsigned which, struct vgic_irq *irq, bool refill, uint64_t *val)
{
	switch (which) {
	case STAGE_PLAIN:
		return vgic_lr_stage_plain(irq, refill, val);
	case STAGE_HW_LEVEL:
		return vgic_lr_stage_hw_level(irq, val);
	default:
		return vgic_lr_stage_sw_level(irq, val);
	}
}

/*
 * Stage irq for an LR with fast path which and with the general one, from the same interrupt; returns whether
 * the fast path answered.
 */
static bool stage_both_ways(struct harness *h, unsigned which, unsigned combo, unsigned act_req, bool on_v,
			    bool refill)
{
	struct vgic_vcpu *v = &h->vcpus[0];
	struct vgic_irq orig, fast, slow;
	uint64_t val_fast = 0, val_slow;

	make_irq(&orig, v, combo, act_req, on_v);
	orig.in_lr = 0;
	fast = orig;
	slow = orig;
	if (!stage_fast(which, &fast, refill, &val_fast)) {
		assert_memory_equal(&fast, &orig, sizeof(orig));
		return false;
	}
	val_slow = vgic_lr_stage(&h->vm, v, &slow, refill);
	assert_int_equal(val_fast, val_slow);
	assert_same_irq(&fast, &slow);
	return true;
}

static void the_fast_stagings_agree_with_the_general_one_wherever_they_answer(void **state)
{
	struct harness *h = h_mk(1, 32, 4);
	unsigned answered[NR_STAGE_FAST] = { 0 }, declined = 0;

	(void)state;
	for (unsigned combo = 0; combo < (1U << NR_FLAGS); combo++)
		for (unsigned act_req = 0; act_req <= VGIC_ACT_REQ_CLEAR; act_req++)
			for (unsigned on_v = 0; on_v < 2; on_v++)
				for (unsigned refill = 0; refill < 2; refill++) {
					unsigned n = 0;

					for (unsigned which = 0; which < NR_STAGE_FAST; which++)
						if (stage_both_ways(h, which, combo, act_req, on_v != 0, refill != 0)) {
							answered[which]++;
							n++;
						}
					/* lr_place() tries them in turn: at most one may answer for an interrupt. */
					assert_true(n <= 1);
					declined += n == 0;
				}
	for (unsigned which = 0; which < NR_STAGE_FAST; which++)
		assert_true(answered[which] > 0);
	assert_true(declined > 0);
	h_finish(h);
}

/*
 * The entry chooses its flush (one interrupt, or more) from an unlocked look and looks again under the
 * ap_lock. An injection or a lowered line landing between the two must leave the LRs as if it had come
 * before the entry: the lock hook plays it at the moment the entry takes vCPU 0's ap_lock, and a second VM
 * does the same operations before its entry. Before: `before` level SPIs raised; between: `add` edge SPIs
 * raised and `drop` of the levels lowered; 4 LRs, so up to 8 queued overflow them.
 */
struct guess_ctx {
	struct vgic *vm;
	unsigned add, drop;
	bool armed, fired;
};
static struct guess_ctx guess;

#define GUESS_LEVEL(i) (VGIC_SPI_BASE + (i))
#define GUESS_EDGE(i)  (VGIC_SPI_BASE + 16U + (i))

static void guess_between(struct vgic *vm, unsigned add, unsigned drop)
{
	for (unsigned i = 0; i < add; i++)
		assert_int_equal(vgic_inject(vm, 0, GUESS_EDGE(i), true), HV_OK);
	for (unsigned i = 0; i < drop; i++)
		assert_int_equal(vgic_inject(vm, 0, GUESS_LEVEL(i), false), HV_OK);
}

static void guess_lock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	if (guess.armed && l == &guess.vm->vcpus[0].ap_lock) {
		guess.armed = false;
		guess.fired = true;
		guess_between(guess.vm, guess.add, guess.drop);
	}
}

static struct harness *guess_vm(unsigned before)
{
	struct harness *h = h_new(1, 32, 4);

	for (unsigned i = 0; i < 4; i++) {
		h_cfg(h, 0, GUESS_LEVEL(i), (uint8_t)(0x40U + 0x10U * i), VGIC_LEVEL);
		h_cfg(h, 0, GUESS_EDGE(i), (uint8_t)(0x48U + 0x10U * i), VGIC_EDGE);
	}
	for (unsigned i = 0; i < before; i++)
		assert_int_equal(vgic_inject(&h->vm, 0, GUESS_LEVEL(i), true), HV_OK);
	return h;
}

static void a_change_between_the_entrys_look_and_its_lock_is_placed_as_if_before(void **state)
{
	unsigned fired = 0;

	(void)state;
	for (unsigned before = 1; before <= 4; before++)
		for (unsigned add = 0; add <= 4; add++)
			for (unsigned drop = 0; drop <= before; drop++) {
				struct harness *race = guess_vm(before), *ref = guess_vm(before);
				struct vgic_hooks hooks = *race->vm.hooks;
				struct vgic_vcpu *a = &race->vcpus[0], *b = &ref->vcpus[0];

				hooks.lock = guess_lock;
				hooks.spin_locks = false;   /* the lock hook is the race's trigger */
				race->vm.hooks = &hooks;
				race->vm.spin_locks = false;
				guess = (struct guess_ctx){ .vm = &race->vm, .add = add, .drop = drop, .armed = true };
				assert_int_equal(vgic_flush_lrs(&race->vm, 0), HV_OK);
				assert_true(guess.fired);
				fired++;
				guess_between(&ref->vm, add, drop);
				assert_int_equal(vgic_flush_lrs(&ref->vm, 0), HV_OK);
				assert_int_equal(a->used_mask, b->used_mask);
				assert_int_equal(a->hw_dirty, b->hw_dirty);
				assert_int_equal(a->hcr, b->hcr);
				for (unsigned i = 0; i < 4; i++)
					if (a->used_mask & (1U << i)) {
						assert_int_equal(a->lr_val[i], b->lr_val[i]);
						assert_int_equal(a->lr_irq[i]->intid, b->lr_irq[i]->intid);
					}
				assert_int_equal(vgic_aplist_total(&a->aplist), vgic_aplist_total(&b->aplist));
				assert_int_equal(a->stats.flushes, b->stats.flushes);
				assert_int_equal(vgic_sync_lrs(&race->vm, 0), HV_OK);
				assert_int_equal(vgic_sync_lrs(&ref->vm, 0), HV_OK);
				h_free(race);
				h_free(ref);
			}
	assert_int_equal(fired, 5U * (2U + 3U + 4U + 5U));
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

/*
 * Lowering a line (vgic_inject(.., false), vgic_line_set low) locks only the list the interrupt is on, not its
 * routing target's ap_lock as every other injection does. Both ways must end alike: a second VM lowers the same
 * interrupt through the general path (vgic_irq_lock_for_update, the line change, vgic_irq_update_unlock). The
 * hooks check that every lock taken is released, by its own taker's order, and count the kicks.
 */
struct lower_ctx {
	vgic_lock_t *held[8];
	unsigned nr_held, nr_taken, ap_taken;
	unsigned kicks[2];
	struct vgic *vm;
};

static void lower_lock(void *ctx, vgic_lock_t *l)
{
	struct lower_ctx *c = ctx;

	for (unsigned i = 0; i < c->nr_held; i++)
		assert_ptr_not_equal(c->held[i], l);
	assert_true(c->nr_held < 8);
	c->held[c->nr_held++] = l;
	c->nr_taken++;
	for (unsigned i = 0; i < c->vm->nr_vcpus; i++)
		if (l == &c->vm->vcpus[i].ap_lock)
			c->ap_taken++;
}

static void lower_unlock(void *ctx, vgic_lock_t *l)
{
	struct lower_ctx *c = ctx;
	unsigned i;

	for (i = 0; i < c->nr_held && c->held[i] != l; i++)
		;
	assert_true(i < c->nr_held);
	c->held[i] = c->held[--c->nr_held];
}

static void lower_kick(void *ctx, struct vgic_vcpu *v)
{
	((struct lower_ctx *)ctx)->kicks[v->id]++;
}

static const struct vgic_hooks lower_hooks = { .lock = lower_lock, .unlock = lower_unlock, .kick = lower_kick };

/* One interrupt's flags from combo: trigger, latch, line, active, hw, enabled, in an LR, line_in_lr. */
#define LOWER_FLAGS 8U

static void lower_setup(struct harness *h, struct lower_ctx *c, unsigned combo, unsigned listed, unsigned target)
{
	struct vgic_irq *irq = &h->spis[8];
	struct vgic_vcpu *on = listed ? &h->vcpus[listed - 1U] : NULL;

	if (irq->vcpu)
		vgic_aplist_remove(&irq->vcpu->aplist, irq);
	irq->vcpu = NULL;
	memset(c, 0, sizeof(*c));
	c->vm = &h->vm;
	h->vm.hooks = &lower_hooks;
	h->vm.hooks_ctx = c;
	h->vm.spin_locks = false;   /* these lock hooks count and check every lock */
	irq->priority = PRIO;
	irq->active_prio = ACTIVE_PRIO;
	irq->group = 1;
	irq->trigger = (combo >> 0) & 1U ? VGIC_LEVEL : VGIC_EDGE;
	irq->pending_latch = (combo >> 1) & 1U;
	irq->line_level = (combo >> 2) & 1U;
	irq->active = (combo >> 3) & 1U;
	irq->hw = (combo >> 4) & 1U;
	irq->hw_intid = PINTID;
	irq->enabled = (combo >> 5) & 1U;
	/* In an LR only while listed: the core never has one otherwise. */
	irq->in_lr = on && ((combo >> 6) & 1U);
	irq->line_in_lr = (combo >> 7) & 1U;
	irq->latch_in_lr = 0;
	irq->pend_clear_req = 0;
	irq->act_req = VGIC_ACT_REQ_NONE;
	irq->target = &h->vcpus[target];
	irq->active_on = irq->active ? irq->target : NULL;
	if (on) {
		vgic_aplist_insert(&on->aplist, irq);
		irq->vcpu = on;
	}
}

/* What vgic_inject (line false) and vgic_line_set (low, no pulse) did before lowering had its own path. */
static void lower_general(struct harness *h, struct vgic_irq *irq, bool line_set)
{
	struct vgic_vcpu *v = vgic_irq_lock_for_update(&h->vm, irq);

	if (irq->trigger == VGIC_LEVEL) {
		irq->line_level = 0;
		irq->line_in_lr = 0;
	} else if (line_set) {
		irq->line_level = 0;
	}
	vgic_irq_update_unlock(&h->vm, irq, v);
}

/* vCPU pointers of two VMs compare by id (0: none). */
static unsigned vid(const struct vgic_vcpu *v)
{
	return v ? v->id + 1U : 0U;
}

/* assert_same_irq for interrupts of two VMs. */
static void assert_same_irq_across(const struct vgic_irq *a, const struct vgic_irq *b)
{
	struct vgic_irq x = *a, y = *b;

	assert_int_equal(vid(a->vcpu), vid(b->vcpu));
	assert_int_equal(vid(a->target), vid(b->target));
	assert_int_equal(vid(a->active_on), vid(b->active_on));
	x.vcpu = y.vcpu = NULL;
	x.target = y.target = NULL;
	x.active_on = y.active_on = NULL;
	assert_same_irq(&x, &y);
	assert_int_equal(a->bucket, b->bucket);
}

static void lowering_a_line_ends_as_the_general_update_does(void **state)
{
	struct harness *fast = h_mk(2, 32, 4);
	struct harness *slow = h_new(2, 32, 4);
	struct lower_ctx cf, cs;
	unsigned fewer_locks = 0;

	(void)state;
	for (unsigned how = 0; how < 2; how++)
		for (unsigned combo = 0; combo < (1U << LOWER_FLAGS); combo++)
			for (unsigned listed = 0; listed <= 2; listed++)
				for (unsigned target = 0; target < 2; target++) {
					struct vgic_irq *a = &fast->spis[8], *b = &slow->spis[8];

					lower_setup(fast, &cf, combo, listed, target);
					lower_setup(slow, &cs, combo, listed, target);
					if (how == 0) {
						assert_int_equal(vgic_inject(&fast->vm, 0, INTID, false), HV_OK);
					} else {
						struct irq_chip *chip = vgic_spi_chip(&fast->vm);

						assert_int_equal(chip->ops->set_level(chip, 8, false), HV_OK);
					}
					lower_general(slow, b, how == 1);
					assert_int_equal(cf.nr_held, 0);
					assert_int_equal(cs.nr_held, 0);
					assert_same_irq_across(a, b);
					for (unsigned i = 0; i < 2; i++) {
						assert_int_equal(fast->vcpus[i].aplist.count[0], slow->vcpus[i].aplist.count[0]);
						assert_int_equal(fast->vcpus[i].aplist.count[1], slow->vcpus[i].aplist.count[1]);
						assert_int_equal(cf.kicks[i], cs.kicks[i]);
					}
					assert_true(cf.ap_taken <= cs.ap_taken);
					if (cf.ap_taken < cs.ap_taken)
						fewer_locks++;
				}
	/* The point of it: an interrupt on no list is lowered without its target's ap_lock. */
	assert_true(fewer_locks > 0);
	lower_setup(fast, &cf, 0, 0, 0);
	lower_setup(slow, &cs, 0, 0, 0);
	h_free(slow);
	h_finish(fast);
}

/*
 * The exit calls a resample callback as the fold saw it (vgic_deferred's first_fn): the first one deferred
 * needs no second look, the later ones are looked up again, since an earlier callback may change them. Two
 * level lines ended in one exit: the first's owner gives the second line a new owner, which must be the one
 * called; and one line alone is called through the exit's own call, with its line number and owner.
 */
struct resample_log {
	struct harness *h;
	unsigned calls[3];
	uint32_t line[3];
};

static struct resample_log rlog;

static void rs_second(void *owner, uint32_t line)
{
	assert_ptr_equal(owner, &rlog);
	rlog.calls[1]++;
	rlog.line[1] = line;
}

static void rs_third(void *owner, uint32_t line)
{
	assert_ptr_equal(owner, &rlog.calls[2]);
	rlog.calls[2]++;
	rlog.line[2] = line;
}

static void rs_first(void *owner, uint32_t line)
{
	struct irq_chip *chip = vgic_spi_chip(&rlog.h->vm);

	assert_ptr_equal(owner, &rlog);
	rlog.calls[0]++;
	rlog.line[0] = line;
	assert_int_equal(chip->ops->set_level(chip, line, false), HV_OK);
	/* Hand the other line to a new owner: its deferred resample must reach that one. */
	assert_int_equal(chip->ops->set_resample(chip, 9, rs_third, &rlog.calls[2]), HV_OK);
}

static void resamples_reach_the_owner_of_the_moment(void **state)
{
	struct harness *h = h_mk(1, 32, 4);
	struct irq_chip *chip = vgic_spi_chip(&h->vm);

	(void)state;
	memset(&rlog, 0, sizeof(rlog));
	rlog.h = h;
	h_cfg(h, 0, VGIC_SPI_BASE + 8U, 0x20, VGIC_LEVEL);
	h_cfg(h, 0, VGIC_SPI_BASE + 9U, 0x40, VGIC_LEVEL);
	h_cfg(h, 0, VGIC_SPI_BASE + 10U, 0x40, VGIC_LEVEL);
	assert_int_equal(chip->ops->set_resample(chip, 8, rs_first, &rlog), HV_OK);
	assert_int_equal(chip->ops->set_resample(chip, 9, rs_second, &rlog), HV_OK);
	assert_int_equal(chip->ops->set_resample(chip, 10, rs_second, &rlog), HV_OK);

	/* One line: the exit's own call. */
	assert_int_equal(chip->ops->set_level(chip, 10, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), VGIC_SPI_BASE + 10U);
	h_eoi(h, 0, VGIC_SPI_BASE + 10U);
	h_exit(h, 0);
	assert_int_equal(rlog.calls[1], 1);
	assert_int_equal(rlog.line[1], 10);
	assert_int_equal(chip->ops->set_level(chip, 10, false), HV_OK);

	/* Two lines in one exit (LRs 0 and 1, in that order): the second's owner changed by the first's callback. */
	assert_int_equal(chip->ops->set_level(chip, 8, true), HV_OK);
	assert_int_equal(chip->ops->set_level(chip, 9, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), VGIC_SPI_BASE + 8U);
	h_eoi(h, 0, VGIC_SPI_BASE + 8U);
	assert_int_equal(h_ack(h, 0), VGIC_SPI_BASE + 9U);
	h_eoi(h, 0, VGIC_SPI_BASE + 9U);
	h_exit(h, 0);
	assert_int_equal(rlog.calls[0], 1);
	assert_int_equal(rlog.line[0], 8);
	assert_int_equal(rlog.calls[1], 1);
	assert_int_equal(rlog.calls[2], 1);
	assert_int_equal(rlog.line[2], 9);
	assert_int_equal(chip->ops->set_level(chip, 9, false), HV_OK);
	h_finish(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(the_fast_fold_agrees_with_the_general_one_wherever_it_answers, h_teardown),
		cmocka_unit_test_teardown(the_fast_stagings_agree_with_the_general_one_wherever_they_answer, h_teardown),
		cmocka_unit_test_teardown(a_change_between_the_entrys_look_and_its_lock_is_placed_as_if_before, h_teardown),
		cmocka_unit_test_teardown(an_edge_taken_and_ended_leaves_no_state, h_teardown),
		cmocka_unit_test_teardown(lowering_a_line_ends_as_the_general_update_does, h_teardown),
		cmocka_unit_test_teardown(resamples_reach_the_owner_of_the_moment, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

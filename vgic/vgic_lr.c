/* vgic_lr.c: the list-register policy: flush the ap_list into LRs on entry, fold them back on exit.
 * The policy and its reasons are in docs/design.md ("List-register policy"); the tests follow it rule by rule. */
#include "vgic_internal.h"

/*
 * Whether an LR may ask for an exit at deactivation. A HW LR may not: bit 41 is its pINTID. Nor
 * does an LPI rely on it: an LPI has no active state to deactivate, so NPIE stands in for both.
 */
static inline bool lr_can_carry_eoi(const struct vgic_irq *irq)
{
	return !irq->hw && !irq->lpi;
}

/* Bit 41 is the EOI flag only when HW == 0; with HW == 1 it is part of the pINTID. */
static inline bool lr_wants_eoi_exit(uint64_t lr)
{
	return (lr & (ICH_LR_HW | ICH_LR_EOI)) == ICH_LR_EOI;
}

/* Inlined into every caller: on the world-switch path a call costs more than the test. */
#define LR_HOT static inline __attribute__((always_inline))

/*
 * Encode an interrupt as an LR value; *pend_placed says whether its pending state went in.
 * refill asks for a maintenance exit when the guest deactivates it (software interrupts only:
 * on a HW LR bit 41 belongs to the pINTID).
 */
LR_HOT uint64_t lr_encode(const struct vgic *vm, const struct vgic_vcpu *v,
			  const struct vgic_irq *irq, bool refill, bool *pend_placed)
{
	bool pend = vgic_irq_is_pending(irq);
	bool act = irq->active;
	uint64_t val = irq->intid & ICH_LR_VINTID_MASK;

	val |= (uint64_t)(act ? irq->active_prio : irq->priority) << ICH_LR_PRIORITY_SHIFT;
	if (refill && lr_can_carry_eoi(irq))
		val |= ICH_LR_EOI;
	if (irq->group)
		val |= ICH_LR_GROUP;
	if (irq->hw) {
		val |= ICH_LR_HW | ((uint64_t)irq->hw_intid << ICH_LR_PINTID_SHIFT);
		/* The physical distributor keeps a HW interrupt's pending state while it is active. */
		if (act)
			pend = false;
	} else if (irq->trigger == VGIC_LEVEL) {
		/* Exit at deactivation so the line is resampled; without it a held line is lost. */
		val |= ICH_LR_EOI;
		/*
		 * Never pending+active: the deactivation would turn the LR back to
		 * Pending without an EOI exit, so the line's owner would not be
		 * asked to resample and the guest would take a stale level again.
		 */
		if (act)
			pend = false;
	} else if (act && pend && !(vgic_irq_forwardable(vm, irq) && irq->target == v)) {
		/*
		 * It sits here only because it is active here. A new edge that is
		 * disabled or routed elsewhere must not ride along as
		 * pending+active, or the guest would take it at deactivation. Exit
		 * at the deactivation instead, and let the oracle place it.
		 */
		pend = false;
		val |= ICH_LR_EOI;
	}
	if (pend)
		val |= ICH_LR_STATE_PENDING;
	if (act)
		val |= ICH_LR_STATE_ACTIVE;
	*pend_placed = pend;
	return val;
}

/*
 * An interrupt that stays in its LR across an exit (a guest inside its handler,
 * or one that masks with PMR) would be rewritten with the value the exit just
 * read back: skip that. Under nested virtualisation each skipped write is a trap.
 */

LR_HOT void lr_write_if_changed(struct vgic_vcpu *v, unsigned n, uint64_t val)
{
	/* The value first: it differs on most writes, and then the known bit need not be read. */
	if (v->lr_hw[n] == val && (v->lr_hw_known & (1U << n)))
		return;
	/* The shadow first and the write last: nothing is then kept across the call. */
	v->lr_hw[n] = val;
	v->lr_hw_known |= 1U << n;
	lr_write(v->be, n, val);
}

/*
 * What goes into an LR for irq, and the interrupt's side of it: the pending state that moves into
 * the LR leaves the interrupt. The general case.
 */
LR_HOT uint64_t lr_stage(const struct vgic *vm, const struct vgic_vcpu *v, struct vgic_irq *irq, bool refill)
{
	bool pend_placed;
	uint64_t val;

	val = lr_encode(vm, v, irq, refill, &pend_placed);
	/*
	 * The LR now carries the latched pending state: clear the latch or it
	 * would be delivered twice. Sync gives it back if the guest did not
	 * take it; a latch set after this point is a new event and survives.
	 */
	irq->latch_in_lr = pend_placed && irq->pending_latch;
	if (irq->latch_in_lr)
		irq->pending_latch = 0;
	/*
	 * A HW level line is the same: its assertion moves into the LR, so a new
	 * assertion made while the LR is live (the physical interrupt fired again
	 * after the guest ended this one) is not mistaken for the old one.
	 */
	irq->line_in_lr = pend_placed && irq->hw && irq->trigger == VGIC_LEVEL && irq->line_level;
	if (irq->line_in_lr)
		irq->line_level = 0;
	return val;
}

/*
 * lr_stage() for the commonest LR: a software edge that is not active. Its pending state is the
 * latch alone, nothing rides with it and nothing else moves. Returns false, having changed nothing,
 * for every other interrupt; tests/unit/test_lr_fold.c holds the two to one result.
 */
LR_HOT bool lr_stage_plain(struct vgic_irq *irq, bool refill, uint64_t *val)
{
	bool pend = irq->pending_latch;

	if (irq->hw || irq->trigger != VGIC_EDGE || irq->active)
		return false;
	*val = (irq->intid & ICH_LR_VINTID_MASK) | (uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT |
	       (irq->group ? ICH_LR_GROUP : 0) | (pend ? ICH_LR_STATE_PENDING : 0) |
	       (refill && !irq->lpi ? ICH_LR_EOI : 0);
	irq->latch_in_lr = pend;
	irq->pending_latch = 0;
	irq->line_in_lr = 0;
	return true;
}

/*
 * lr_stage() for a level interrupt that is not active, in two cases, a HW level (the forwarded timer) and a
 * software one (a device's line). Either one's pending state is the latch or the line. A HW level carries
 * the HW bit and pINTID, never the EOI bit (bit 41 is then the pINTID), and its line moves into the LR with
 * the latch; a software level always carries the EOI bit (its deactivation must exit for the resample) and
 * keeps its line, which its owner drives. Each returns false, having changed nothing, for every other
 * interrupt; tests/unit/test_lr_fold.c holds them to lr_stage() like lr_stage_plain().
 */
LR_HOT bool lr_stage_hw_level(struct vgic_irq *irq, uint64_t *val)
{
	bool latch = irq->pending_latch, line = irq->line_level;

	if (!irq->hw || irq->trigger != VGIC_LEVEL || irq->active)
		return false;
	*val = (irq->intid & ICH_LR_VINTID_MASK) | (uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT |
	       (irq->group ? ICH_LR_GROUP : 0) | ICH_LR_HW | (uint64_t)irq->hw_intid << ICH_LR_PINTID_SHIFT |
	       (latch || line ? ICH_LR_STATE_PENDING : 0);
	irq->latch_in_lr = latch;
	irq->pending_latch = 0;
	irq->line_in_lr = line;
	irq->line_level = 0;
	return true;
}

LR_HOT bool lr_stage_sw_level(struct vgic_irq *irq, uint64_t *val)
{
	bool latch = irq->pending_latch, line = irq->line_level;

	if (irq->hw || irq->trigger != VGIC_LEVEL || irq->active)
		return false;
	*val = (irq->intid & ICH_LR_VINTID_MASK) | (uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT |
	       (irq->group ? ICH_LR_GROUP : 0) | ICH_LR_EOI | (latch || line ? ICH_LR_STATE_PENDING : 0);
	irq->latch_in_lr = latch;
	irq->pending_latch = 0;
	irq->line_in_lr = 0;
	return true;
}

/* irq goes into LR n with the value val: both sides of the link, and no request left from an earlier LR. */
LR_HOT void lr_bind(struct vgic_vcpu *v, struct vgic_irq *irq, unsigned n, uint64_t val)
{
	irq->in_lr = 1;
	irq->lr = (uint8_t)n;
	irq->pend_clear_req = 0;
	irq->act_req = VGIC_ACT_REQ_NONE;
	v->lr_irq[n] = irq;
	v->lr_val[n] = val;
}

LR_HOT void lr_place(struct vgic *vm, struct vgic_vcpu *v, struct vgic_irq *irq, unsigned n, bool refill)
{
	uint64_t val;

	if (__builtin_expect(lr_stage_plain(irq, refill, &val), 1)) {
		/* The bind in the staging's own block: the compiler merges their bit-field stores into one. */
		lr_bind(v, irq, n, val);
	} else {
		if (!lr_stage_hw_level(irq, &val) && !lr_stage_sw_level(irq, &val))
			val = lr_stage(vm, v, irq, refill);
		lr_bind(v, irq, n, val);
	}
	lr_write_if_changed(v, n, val);
}

/* Why lr_vcpu() refused: out of line, so the world-switch entry points carry one test and no reasons. */
static __attribute__((noinline, cold)) int lr_vcpu_error(const struct vgic *vm, uint32_t vcpu)
{
	return !vm ? HV_EINVAL : vcpu >= vm->nr_vcpus ? HV_ERANGE : HV_ENODEV;
}

/* Why a vCPU handle was refused: none at all, or a vCPU with no backend (never given one, or put). */
static __attribute__((noinline, cold)) int lr_handle_error(const struct vgic_vcpu *v)
{
	return !v ? HV_EINVAL : HV_ENODEV;
}

/* Argument checks shared by the world-switch entry points: one test on the way in, the reason only on failure. */
static inline struct vgic_vcpu *lr_vcpu(struct vgic *vm, uint32_t vcpu, int *err)
{
	if (__builtin_expect(vm && vcpu < vm->nr_vcpus && vm->vcpus[vcpu].be, 1))
		return &vm->vcpus[vcpu];
	*err = lr_vcpu_error(vm, vcpu);
	return NULL;
}

/*
 * Which LR each chosen interrupt goes into. The choice of interrupts is the
 * policy's; the slot is free. An interrupt that was in LR i goes back into
 * LR i, so an LR the guest still holds (its handler is running) keeps the
 * same value and lr_write_if_changed() skips it. The rest take the lowest
 * free LRs. Returns the mask of LRs used.
 */
static uint32_t lr_assign_slots(const struct vgic_vcpu *v, struct vgic_irq *const *sel, unsigned n,
				unsigned *slot)
{
	uint32_t used = 0;
	unsigned nr = v->be->nr_lrs;
	bool homeless = false;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = sel[k]->lr;

		slot[k] = LR_BACKEND_MAX_LRS;
		if (i < nr && v->lr_irq[i] == sel[k]) { /* LR i names one interrupt: no two claim it */
			slot[k] = i;
			used |= 1U << i;
		} else {
			homeless = true;
		}
	}
	for (unsigned k = 0; homeless && k < n; k++) {
		if (slot[k] == LR_BACKEND_MAX_LRS) {
			unsigned i = (unsigned)__builtin_ctz(~used);

			slot[k] = i;
			used |= 1U << i;
		}
	}
	return used;
}

/* The ICH_VMCR_EL2 fields a choice past the LRs reads (lr_read_cpu_if): the group enables and EOImode. */
#define LR_CHOICE_VMCR_BITS (ICH_VMCR_VENG0 | ICH_VMCR_VENG1 | ICH_VMCR_VEOIM)

/* Both groups, as a mask of bit (1 << group): what the choice assumes when it has not read VMCR. */
#define LR_GROUPS_ALL 3U

/* What one flush chose: the interrupts for the LRs, and how the guest's progress must call us back. */
struct lr_choice {
	struct vgic_irq *sel[LR_BACKEND_MAX_LRS];
	uint32_t refill;                 /* bit k: sel[k] gets the EOI bit (exit when the guest deactivates it) */
	unsigned n;
	uint32_t placed[VGIC_AP_CLASSES];
	unsigned skipped_groups;         /* groups of pending interrupts passed over as disabled */
	uint64_t hcr;                    /* maintenance conditions beyond En */
};

/*
 * The next pending interrupt after prev whose group the guest's CPU interface has enabled. Passing
 * over disabled ones is the one walk that is not O(number of LRs); it happens only while the guest
 * keeps a group disabled with interrupts of it queued, and costs one step per such interrupt.
 */
static inline __attribute__((always_inline)) struct vgic_irq *lr_next_open(const struct vgic_vcpu *v,
									  struct vgic_irq *prev, unsigned groups,
									  unsigned *skipped)
{
	struct vgic_irq *irq = prev;

	for (;;) {
		irq = vgic_aplist_next(&v->aplist, VGIC_AP_PENDING, irq);
		if (!irq || ((groups >> irq->group) & 1U))
			return irq;
		*skipped |= 1U << irq->group;
	}
}

static inline void lr_take(struct lr_choice *c, struct vgic_irq *irq, unsigned cls)
{
	c->sel[c->n++] = irq;
	c->placed[cls]++;
}

/*
 * Which interrupts get the LRs (docs/design.md 7.3). Pending interrupts that can preempt every active
 * one come first; then the actives, by the priority they run at; then the other pending ones. An
 * active interrupt so keeps its LR against a pending one that could not be taken before it ends
 * anyway, and the guest's EOI reaches it in place (no EOIcount, no trapped DIR). With preempt false
 * every pending interrupt goes before every active one. Only for an ap_list longer than the LRs
 * (lr_flush_fit() takes the rest). Returns the first deliverable pending interrupt left out, or NULL.
 */
static struct vgic_irq *lr_select(const struct vgic *vm, const struct vgic_vcpu *v, unsigned groups,
				  bool preempt, struct lr_choice *c)
{
	unsigned nr = v->be->nr_lrs;
	struct vgic_irq *act, *p;
	unsigned running;

	c->n = 0;
	c->refill = 0;
	c->placed[VGIC_AP_PENDING] = c->placed[VGIC_AP_ACTIVE] = 0;
	c->skipped_groups = 0;
	c->hcr = 0;
	act = vgic_aplist_next(&v->aplist, VGIC_AP_ACTIVE, NULL);
	running = act && preempt ? (unsigned)(act->active_prio & vm->prio_mask) : VGIC_NR_PRIORITIES;
	p = lr_next_open(v, NULL, groups, &c->skipped_groups);
	while (c->n < nr && p && (unsigned)(p->priority & vm->prio_mask) < running) {
		lr_take(c, p, VGIC_AP_PENDING);
		p = lr_next_open(v, p, groups, &c->skipped_groups);
	}
	for (; c->n < nr && act; act = vgic_aplist_next(&v->aplist, VGIC_AP_ACTIVE, act))
		lr_take(c, act, VGIC_AP_ACTIVE);
	while (c->n < nr && p) {
		lr_take(c, p, VGIC_AP_PENDING);
		p = lr_next_open(v, p, groups, &c->skipped_groups);
	}
	return p;
}

/*
 * A deliverable pending interrupt got no LR: arrange to be called back when the guest can take it.
 *
 * EOImode 0 (preempt rule): the guest can take it only once the running priority falls below it and
 * an LR is free, that is, after deactivations. Ask for an exit at them (the EOI bit) on every placed
 * active and on the last placed pending one, which the guest ends after the others it can take. That
 * is one exit per LR-full of interrupts, and never an exit the guest cannot use (NPIE at an
 * acknowledge, when the rest cannot preempt what it just took). HW LRs cannot carry the bit: NPIE
 * stands in for a HW pending one, UIE for HW actives. Returns false when nothing can be armed (one
 * LR, holding a HW active): the caller then chooses as for EOImode 1.
 *
 * EOImode 1: the guest drops priority without deactivating, and nothing signals a drop of an
 * interrupt in an LR. NPIE exits once the guest has taken every pending LR; the next entry then puts
 * pending interrupts before the actives, whose drops (EOIcount) and DIRs (TDIR) still reach us.
 */
static bool lr_arm_refill(const struct vgic_vcpu *v, bool preempt_rule, struct lr_choice *c)
{
	int last_pend = -1;
	bool armed = false;

	if (!preempt_rule) {
		if (c->placed[VGIC_AP_PENDING])
			c->hcr |= ICH_HCR_NPIE;
		return true;
	}
	/* No active placed (the commonest overflow: the guest ended all it took): no walk to make. */
	if (!c->placed[VGIC_AP_ACTIVE]) {
		last_pend = (int)c->n - 1;
	} else {
		for (unsigned k = 0; k < c->n; k++) {
			if (!c->sel[k]->active) {
				last_pend = (int)k;
			} else if (lr_can_carry_eoi(c->sel[k])) {
				c->refill |= 1U << k;
				armed = true;
			}
		}
	}
	if (last_pend >= 0) {
		if (!lr_can_carry_eoi(c->sel[last_pend]))
			c->hcr |= ICH_HCR_NPIE;
		else
			c->refill |= 1U << last_pend;
		return true;
	}
	if (!armed && v->be->nr_lrs > 1) {
		c->hcr |= ICH_HCR_UIE;
		armed = true;
	}
	return armed;
}

/*
 * The guest's CPU interface (ICH_VMCR_EL2), read only when the ap_list does not fit in the LRs.
 * - Group enables: a pending interrupt of a group the guest has disabled cannot be taken, so it must
 *   not hold an LR that a deliverable one needs (lr_group_triggers() brings us back when that changes).
 * - EOImode: with EOImode 0 an active interrupt holds its priority until it is deactivated, so the
 *   highest active one is the running priority and "can it preempt" is a comparison. With EOImode 1
 *   the guest may have dropped the priority of an interrupt it still holds active (a threaded
 *   handler), so every pending interrupt goes before every active one.
 */
static unsigned lr_read_cpu_if(struct vgic_vcpu *v, bool *preempt_rule)
{
	uint64_t vmcr = lr_read_vmcr(v->be);

	/* The choice depends on these bits: a later entry may reuse it only while they stay (lr_keep_holds). */
	v->sel_vmcr = vmcr;
	v->sel_vmcr_used = true;
	*preempt_rule = !(vmcr & ICH_VMCR_VEOIM);
	return ((vmcr & ICH_VMCR_VENG0) ? 1U << 0 : 0U) | ((vmcr & ICH_VMCR_VENG1) ? 1U << 1 : 0U);
}

/*
 * The VGrp*E/D maintenance conditions (levels, so each is set only for the state it waits to leave):
 * enabling a group with interrupts of it passed over must exit to place them; disabling an enabled
 * group while a deliverable interrupt waits must exit, since that group's LRs stop being taken.
 */
static uint64_t lr_group_triggers(const struct lr_choice *c, unsigned groups, bool left_out)
{
	static const uint64_t enable_ie[2] = { ICH_HCR_VGRP0EIE, ICH_HCR_VGRP1EIE };
	static const uint64_t disable_ie[2] = { ICH_HCR_VGRP0DIE, ICH_HCR_VGRP1DIE };
	uint64_t hcr = 0;

	for (unsigned g = 0; g < 2; g++) {
		if (c->skipped_groups & (1U << g))
			hcr |= enable_ie[g];
		else if (left_out && (groups & (1U << g)))
			hcr |= disable_ie[g];
	}
	return hcr;
}

/* The end of every flush that placed something or cleans up: stale LRs, ICH_HCR_EL2, the ap_lock. */
LR_HOT int lr_flush_finish_in(struct vgic *vm, struct vgic_vcpu *v, uint32_t used, uint64_t hcr,
			      enum vgic_lock_mode m)
{
	for (uint32_t stale = v->hw_dirty & ~used; stale; stale &= stale - 1U)
		lr_write_if_changed(v, (unsigned)__builtin_ctz(stale), 0);
	v->hw_dirty = used;
	v->used_mask = used;
	if (hcr != v->hcr) {
		lr_write_hcr(v->be, hcr);
		v->hcr = hcr;
	}
	vgic_unlock_in(vm, &v->ap_lock, m);
	return HV_OK;
}

LR_HOT int lr_flush_finish(struct vgic *vm, struct vgic_vcpu *v, uint32_t used, uint64_t hcr)
{
	return lr_flush_finish_in(vm, v, used, hcr, VGIC_LOCK_BY_VM);
}

/*
 * The common case: the whole ap_list fits in the LRs, so there is no choice to make and nothing to
 * arm (every active is placed, so EOIs reach their LRs; nothing is left out, so no refill). One pass
 * collects the entries, one places those that go back into the LR they had, one the rest. Returns
 * the mask of LRs used. The general path (lr_select and friends) would reach the same LR values.
 * Two copies: inline in lr_flush(), the entry that saw several interrupts queued, whose commonest end
 * it is (about 17 instructions fewer an entry of 4 LRs than a second frame, measured with callgrind);
 * and out of line (lr_flush_fit) for the entry that expected one and found more, where inlined beside
 * lr_flush_one() it cost every one-interrupt entry spills (about 20 instructions).
 */
LR_HOT int lr_flush_fit_in(struct vgic *vm, struct vgic_vcpu *v, uint32_t total)
{
	struct vgic_irq *sel[LR_BACKEND_MAX_LRS];
	unsigned nr = v->be->nr_lrs, n, homeless = 0;
	uint32_t used = 0;

	n = vgic_aplist_collect(&v->aplist, VGIC_AP_PENDING, sel, total);
	n += vgic_aplist_collect(&v->aplist, VGIC_AP_ACTIVE, sel + n, total - n);
	for (unsigned k = 0; k < n; k++) {
		struct vgic_irq *irq = sel[k];
		unsigned i = irq->lr;

		/* LR i names one interrupt, so no two of the list can both go back to it. */
		if (i < nr && v->lr_irq[i] == irq) {
			used |= 1U << i;
			lr_place(vm, v, irq, i, false);
		} else {
			sel[homeless++] = irq;
		}
	}
	for (unsigned k = 0; k < homeless; k++) {
		unsigned i = (unsigned)__builtin_ctz(~used);

		used |= 1U << i;
		lr_place(vm, v, sel[k], i, false);
	}
	v->stats.lrs_filled += n;
	return lr_flush_finish(vm, v, used, ICH_HCR_EN);
}

static __attribute__((noinline)) int lr_flush_fit(struct vgic *vm, struct vgic_vcpu *v, uint32_t total)
{
	return lr_flush_fit_in(vm, v, total);
}

/*
 * The ap_list does not fit in the LRs: choose (7.3), arm the refill (7.4), place, finish. Out of line and
 * reached by a tail call, so the entries that fit do not pay its registers and it pays no second frame.
 */
static __attribute__((noinline)) int lr_flush_overflow(struct vgic *vm, struct vgic_vcpu *v)
{
	struct lr_choice c;
	unsigned slot[LR_BACKEND_MAX_LRS];
	unsigned groups;
	bool preempt_rule = false;
	struct vgic_irq *left_out;
	uint32_t used;
	uint64_t hcr;

	groups = lr_read_cpu_if(v, &preempt_rule);
	left_out = lr_select(vm, v, groups, preempt_rule, &c);
	if (left_out && !lr_arm_refill(v, preempt_rule, &c)) {
		left_out = lr_select(vm, v, groups, false, &c);
		lr_arm_refill(v, false, &c);
	}
	c.hcr |= lr_group_triggers(&c, groups, left_out != NULL);
	used = lr_assign_slots(v, c.sel, c.n, slot);
	for (unsigned k = 0; k < c.n; k++)
		lr_place(vm, v, c.sel[k], slot[k], (c.refill >> k) & 1U);

	hcr = ICH_HCR_EN | c.hcr;
	if (c.placed[VGIC_AP_ACTIVE] < v->aplist.count[VGIC_AP_ACTIVE]) {
		hcr |= ICH_HCR_LRENPIE; /* EOImode 0: EOIs of left-out actives arrive as EOIcount */
		hcr |= ICH_HCR_TDIR;    /* EOImode 1: their DIRs trap and name the INTID */
		v->stats.evicted_active += v->aplist.count[VGIC_AP_ACTIVE] - c.placed[VGIC_AP_ACTIVE];
	}
	v->stats.overflows++;
	v->stats.lrs_filled += c.n;
	return lr_flush_finish(vm, v, used, hcr);
}

/*
 * Whether the LRs the last sync kept (7.2b) are what a new choice would give, so the entry can leave them
 * and ICH_HCR_EL2 as they are:
 * - no change to this ap_list since the choice (sel_dirty: every LR the choice filled came back untouched,
 *   or the sync would have set it; sel_total: nothing was queued, or the length would differ);
 * - the hardware still holds what the core wrote (a load resets what the core knows of the LRs);
 * - the guest's group enables and EOImode are those the choice read, if it read them (a choice that fit
 *   every interrupt did not).
 */
LR_HOT bool lr_keep_holds(struct vgic_vcpu *v, uint32_t total)
{
	if (v->sel_dirty || total != v->sel_total || (v->lr_hw_known & v->used_mask) != v->used_mask ||
	    v->hcr == VGIC_HCR_UNKNOWN)
		return false;
	return !v->sel_vmcr_used || !((lr_read_vmcr(v->be) ^ v->sel_vmcr) & LR_CHOICE_VMCR_BITS);
}

/* The kept LRs are not the choice any more: give each interrupt back its state (the LR stays as it is). */
__attribute__((noinline)) void vgic_lr_unkeep_all(struct vgic_vcpu *v)
{
	for (uint32_t mask = v->used_mask; mask; mask &= mask - 1U)
		vgic_lr_unkeep(v, v->lr_irq[__builtin_ctz(mask)]);
}

/*
 * An entry that finds kept LRs: true if they still are the choice (the entry is done), else they are
 * folded back for a new one. Out of line, so that the entries that find none pay only the test.
 */
static __attribute__((noinline)) bool lr_flush_kept(struct vgic_vcpu *v, uint32_t total)
{
	if (lr_keep_holds(v, total)) {
		v->sel_kept = true;
		v->stats.flushes_kept++;
		return true;
	}
	vgic_lr_unkeep_all(v);
	return false;
}

/*
 * The start of every flush past the idle look: the ap_lock, the check against a second flush, and the
 * look again under the lock (nothing to place, clean or disarm: done). False, with *rc and the lock
 * released, when the flush is over; else the lock is held and *total is the ap_list's length.
 */
LR_HOT bool lr_flush_begin_held_in(struct vgic *vm, struct vgic_vcpu *v, uint32_t *total, int *rc,
				   enum vgic_lock_mode m)
{
	if (vgic_vcpu_loaded(v)) {
		vgic_unlock_in(vm, &v->ap_lock, m);
		*rc = HV_EBUSY;
		return false;
	}
	vgic_vcpu_set_loaded(v, true);
	*total = vgic_aplist_total(&v->aplist);
	if (*total == 0 && v->hw_dirty == 0 &&
	    !(v->hcr & (ICH_HCR_MAINT_BITS | ICH_HCR_TDIR | ICH_HCR_EOICOUNT_MASK))) {
		vgic_unlock_in(vm, &v->ap_lock, m);
		*rc = HV_OK;
		return false;
	}
	v->stats.flushes++;
	/* The last sync kept LRs: if nothing changed since they were chosen, they are still the choice. */
	if (__builtin_expect(v->used_mask != 0, 0) && lr_flush_kept(v, *total)) {
		vgic_unlock_in(vm, &v->ap_lock, m);
		*rc = HV_OK;
		return false;
	}
	v->sel_vmcr_used = false;
	v->sel_dirty = false;
	v->sel_total = *total;
	return true;
}

LR_HOT bool lr_flush_begin_in(struct vgic *vm, struct vgic_vcpu *v, uint32_t *total, int *rc,
			      enum vgic_lock_mode m)
{
	vgic_lock_in(vm, &v->ap_lock, m);
	return lr_flush_begin_held_in(vm, v, total, rc, m);
}

LR_HOT bool lr_flush_begin(struct vgic *vm, struct vgic_vcpu *v, uint32_t *total, int *rc)
{
	return lr_flush_begin_in(vm, v, total, rc, VGIC_LOCK_BY_VM);
}

/* More than one interrupt queued, the ap_lock held: all fit in the LRs, or the choice. */
static __attribute__((noinline)) int lr_flush_many(struct vgic *vm, struct vgic_vcpu *v, uint32_t total)
{
	if (total <= v->be->nr_lrs)
		return lr_flush_fit(vm, v, total);
	return lr_flush_overflow(vm, v);
}

/*
 * lr_flush_fit() for one interrupt, the commonest entry that is not idle, without the arrays: it goes
 * back into the LR it had (an LR the guest still holds is then not rewritten), else into LR 0, the
 * lowest free one. With none (LRs to clean, maintenance to disarm) it places nothing. The ap_lock held.
 */
LR_HOT int lr_flush_one_locked_in(struct vgic *vm, struct vgic_vcpu *v, enum vgic_lock_mode m)
{
	unsigned cls = v->aplist.count[VGIC_AP_PENDING] ? VGIC_AP_PENDING : VGIC_AP_ACTIVE;
	struct vgic_irq *irq = vgic_aplist_first(&v->aplist, cls);
	unsigned i;

	if (!irq)
		return lr_flush_finish_in(vm, v, 0, ICH_HCR_EN, m);
	i = irq->lr;
	if (i >= v->be->nr_lrs || v->lr_irq[i] != irq)
		i = 0;
	lr_place(vm, v, irq, i, false);
	v->stats.lrs_filled++;
	return lr_flush_finish_in(vm, v, 1U << i, ICH_HCR_EN, m);
}

LR_HOT int lr_flush_one_locked(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_flush_one_locked_in(vm, v, VGIC_LOCK_BY_VM);
}

/*
 * The entry the idle look saw one interrupt (or none) for: it locks and looks again itself, so the
 * commonest entry that is not idle pays one frame, and one that finds more queued now goes on as
 * lr_flush() would. Each entry path is its own out-of-line function reached by a tail call, finishing
 * the flush.
 */
LR_HOT int lr_flush_one_held_in(struct vgic *vm, struct vgic_vcpu *v, enum vgic_lock_mode m)
{
	uint32_t total;
	int rc;

	if (!lr_flush_begin_held_in(vm, v, &total, &rc, m))
		return rc;
	if (total > 1)
		return lr_flush_many(vm, v, total);
	return lr_flush_one_locked_in(vm, v, m);
}

LR_HOT int lr_flush_one_in(struct vgic *vm, struct vgic_vcpu *v, enum vgic_lock_mode m)
{
	vgic_lock_in(vm, &v->ap_lock, m);
	return lr_flush_one_held_in(vm, v, m);
}

/* Built once per lock mode, as the injection paths are (vgic_inject.c). */
static __attribute__((noinline)) int lr_flush_one_hooks(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_flush_one_in(vm, v, VGIC_LOCK_HOOKS);
}

/* lr_flush_one_in() for spin locks, the ap_lock already held: where lr_flush_one_spin() hands over. */
static __attribute__((noinline)) int lr_flush_one_held_spin(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_flush_one_held_in(vm, v, VGIC_LOCK_SPIN);
}

/*
 * The commonest entries that are not idle, with spin locks: kept LRs that are still the choice (with no
 * VMCR to read), or one interrupt queued and pending (a lone active one, back after a put and load say,
 * takes the general entry), no LR kept, no stale LR to zero, ICH_HCR_EL2 already En alone,
 * and an interrupt one of the inline stagings takes. It is lr_flush_one_in() with every shadow update
 * made first and the LR's write last, so the frame keeps only v across its one call (the general entry
 * saves six registers). Any other case leaves with nothing changed for the general entry, the lock
 * still held.
 */
static __attribute__((noinline)) int lr_flush_one_spin(struct vgic *vm, struct vgic_vcpu *v)
{
	struct vgic_irq *irq;
	uint32_t bit;
	uint64_t val;
	unsigned i;

	vgic_lock_in(vm, &v->ap_lock, VGIC_LOCK_SPIN);
	if (vgic_vcpu_loaded(v))
		goto general;
	if (v->used_mask) {
		/* Kept LRs still the choice (lr_flush_kept() without a VMCR read, which the general entry makes). */
		if (v->sel_vmcr_used || !lr_keep_holds(v, vgic_aplist_total(&v->aplist)))
			goto general;
		vgic_vcpu_set_loaded(v, true);
		v->stats.flushes++;
		v->stats.flushes_kept++;
		v->sel_kept = true;
		vgic_unlock_in(vm, &v->ap_lock, VGIC_LOCK_SPIN);
		return HV_OK;
	}
	irq = vgic_aplist_lone_pending(&v->aplist);
	if (!irq || v->hcr != ICH_HCR_EN)
		goto general;
	i = irq->lr;
	if (i >= v->be->nr_lrs || v->lr_irq[i] != irq)
		i = 0;
	bit = 1U << i;
	if ((v->hw_dirty & ~bit) ||
	    (!lr_stage_plain(irq, false, &val) && !lr_stage_hw_level(irq, &val) && !lr_stage_sw_level(irq, &val)))
		goto general;
	vgic_vcpu_set_loaded(v, true);
	v->stats.flushes++;
	v->stats.lrs_filled++;
	v->sel_vmcr_used = false;
	v->sel_dirty = false;
	v->sel_total = 1;
	lr_bind(v, irq, i, val);
	v->hw_dirty = bit;
	v->used_mask = bit;
	if (!(v->lr_hw_known & bit) || v->lr_hw[i] != val) {
		v->lr_hw[i] = val;
		v->lr_hw_known |= bit;
		lr_write(v->be, i, val);
	}
	vgic_unlock_in(vm, &v->ap_lock, VGIC_LOCK_SPIN);
	return HV_OK;
general:
	return lr_flush_one_held_spin(vm, v);
}

/* lr_flush_one_locked() out of line, for lr_flush(), whose frame it would otherwise widen. */
static __attribute__((noinline)) int lr_flush_one_late(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_flush_one_locked(vm, v);
}

/*
 * The entry the idle look saw more than one interrupt for, built twice: lr_flush() with the fit inline,
 * its commonest end, which then pays no second frame; and lr_flush_after_keep() for an entry that finds LRs
 * kept at the last exit, most likely still the choice (lr_flush_kept(), the steady state of a guest that
 * takes nothing), which its small frame decides, a list that fits going to the fit's own frame. Which one
 * is a guess made without the lock (LRs live from the last exit: hw_dirty): both are the same entry, and
 * each looks again under it.
 */
LR_HOT int lr_flush_in(struct vgic *vm, struct vgic_vcpu *v, bool fit_inline)
{
	uint32_t total;
	int rc;

	if (!lr_flush_begin(vm, v, &total, &rc))
		return rc;
	/* Everything fits (one interrupt, or none: lr_flush_one_locked places nothing then): no choice, HCR = En. */
	if (total <= 1)
		return lr_flush_one_late(vm, v);
	if (total <= v->be->nr_lrs)
		return fit_inline ? lr_flush_fit_in(vm, v, total) : lr_flush_fit(vm, v, total);
	return lr_flush_overflow(vm, v);
}

/* Out of line, both: the idle entry saves no registers for them. */
static __attribute__((noinline)) int lr_flush(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_flush_in(vm, v, true);
}

static __attribute__((noinline)) int lr_flush_after_keep(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_flush_in(vm, v, false);
}

/*
 * The entry once the vCPU is known to exist: the idle look, then the flush the look chose. Inline into
 * both entry points, so neither pays a call for it.
 */
static inline __attribute__((always_inline)) int lr_flush_entry(struct vgic *vm, struct vgic_vcpu *v)
{
	uint32_t total;

	/*
	 * Idle (nothing queued, nothing left in an LR, no maintenance armed): done without the ap_lock.
	 * An interrupt queued just after this look kicks the vCPU, which exits and flushes again, as it
	 * would if the queueing came just after a locked flush. hw_dirty and hcr change only in this
	 * vCPU's own world-switch calls.
	 */
	total = vgic_aplist_total_unlocked(&v->aplist);
	if (total == 0 && !vgic_vcpu_loaded(v) && v->hw_dirty == 0 &&
	    !(v->hcr & (ICH_HCR_MAINT_BITS | ICH_HCR_TDIR | ICH_HCR_EOICOUNT_MASK))) {
		vgic_vcpu_set_loaded(v, true);
		return HV_OK;
	}
	/* Which flush is a guess made without the lock: each looks again under it and goes on as the other would. */
	if (total <= 1)
		return vm->spin_locks ? lr_flush_one_spin(vm, v) : lr_flush_one_hooks(vm, v);
	/*
	 * LRs still live from the last exit (kept, most likely): the small frame. hw_dirty, not used_mask,
	 * which a touch from another CPU changes under the ap_lock (vgic_lr_unkeep).
	 */
	return v->hw_dirty ? lr_flush_after_keep(vm, v) : lr_flush(vm, v);
}

int vgic_flush_lrs(struct vgic *vm, uint32_t vcpu)
{
	int err;
	struct vgic_vcpu *v = lr_vcpu(vm, vcpu, &err);

	if (!v)
		return err;
	return lr_flush_entry(vm, v);
}

int vgic_flush_vcpu(struct vgic_vcpu *v)
{
	if (__builtin_expect(!v || !v->be, 0))
		return lr_handle_error(v);
	return lr_flush_entry(v->vm, v);
}

/*
 * Re-place an interrupt whose state the sync just changed. Staying here or
 * leaving every list is done now, under this vCPU's ap_lock; moving to
 * another vCPU needs that vCPU's lock too, so it waits until ours is dropped.
 */
LR_HOT void sync_prune_locked(struct vgic *vm, struct vgic_vcpu *v, struct vgic_irq *irq,
			      struct vgic_deferred *d)
{
	struct vgic_vcpu *t = vgic_oracle(vm, irq);

	if (t == v) {
		vgic_aplist_reposition(&v->aplist, irq);
	} else if (!t) {
		vgic_aplist_remove(&v->aplist, irq);
		__atomic_store_n(&irq->vcpu, NULL, __ATOMIC_RELEASE);
	} else {
		d->requeue[d->nr_requeue++] = irq;
	}
}

/*
 * EOIcount counts EOIs of interrupts that were in no LR. The guest ends
 * interrupts in priority order, so they were the highest-priority active
 * interrupts we left out. With EOImode 1 deactivation comes through the
 * trapped DIR instead; QEMU still bumps EOIcount on the EOIR, so the count is
 * ignored then.
 */
static void sync_eoicount(struct vgic *vm, struct vgic_vcpu *v, struct vgic_deferred *d)
{
	struct vgic_irq *victims[32];
	struct vgic_irq *irq = NULL;
	unsigned count, nr = 0;
	uint64_t hcr = lr_read_hcr(v->be);

	count = ich_hcr_eoicount(hcr);
	if (!count)
		return;
	v->hcr = VGIC_HCR_UNKNOWN; /* EOIcount must be written back to zero */
	v->sel_dirty = true;
	if (lr_read_vmcr(v->be) & ICH_VMCR_VEOIM)
		return;
	while (nr < count && (irq = vgic_aplist_next(&v->aplist, VGIC_AP_ACTIVE, irq)))
		if (!irq->in_lr)
			victims[nr++] = irq;
	for (unsigned i = 0; i < nr; i++) {
		irq = victims[i];
		vgic_irq_deactivate_locked(vm, irq);
		vgic_defer_resample(d, irq);
		sync_prune_locked(vm, v, irq, d);
		v->stats.eoicount_deact++;
	}
}

/* Fold one LR back into its interrupt. The vCPU's ap_lock held: it guards every interrupt it lists. */
LR_HOT void lr_fold(struct vgic *vm, struct vgic_vcpu *v, struct vgic_irq *irq,
		    uint64_t written, uint64_t now, struct vgic_deferred *d)
{
	bool now_pend = now & ICH_LR_STATE_PENDING;
	bool now_act = now & ICH_LR_STATE_ACTIVE;

	/* Only an acknowledge takes the Pending state out of an LR (an empty one reads as 0 here). */
	if ((written & ICH_LR_STATE_PENDING) && !now_pend)
		v->stats.taken++;

	/* Not taken yet: what the LR carried comes back. */
	if (now_pend && irq->latch_in_lr)
		irq->pending_latch = 1;
	if (now_pend && irq->line_in_lr)
		irq->line_level = 1;
	irq->latch_in_lr = 0;
	irq->line_in_lr = 0;
	if (irq->pend_clear_req) {
		irq->pending_latch = 0;
		/* Withdrawn before the guest took it: the held physical interrupt is done with. */
		if (irq->hw && now_pend && !now_act) {
			irq->line_level = 0;
			vgic_irq_phys_deactivate(vm, irq);
		}
		irq->pend_clear_req = 0;
	}

	/*
	 * An LPI has no active state: the guest's EOI ends it in the LR, and one whose LR is gone by
	 * then only drops the running priority (no EOIcount, no DIR). So the core forgets the active
	 * state the LR shows; the next entry may reuse that LR.
	 */
	if (irq->lpi)
		now_act = false;
	if (now_act) {
		irq->active = 1;
		irq->active_on = v;
		/* Taken now, or kept: either way the LR holds the priority it runs at. */
		irq->active_prio = (uint8_t)((written & ICH_LR_PRIORITY_MASK) >> ICH_LR_PRIORITY_SHIFT);
	} else {
		irq->active = 0;
		irq->active_on = NULL;
	}
	if (irq->act_req == VGIC_ACT_REQ_SET && !irq->active) {
		irq->active = 1;
		irq->active_on = v;
		irq->active_prio = irq->priority;
	} else if (irq->act_req == VGIC_ACT_REQ_CLEAR && irq->active) {
		vgic_irq_deactivate_locked(vm, irq);
		vgic_defer_resample(d, irq);
	}
	irq->act_req = VGIC_ACT_REQ_NONE;

	/* A level interrupt that left the LR entirely was deactivated by the guest. */
	if (lr_wants_eoi_exit(written) && !(now & ICH_LR_STATE_MASK) && irq->trigger == VGIC_LEVEL) {
		vgic_defer_resample(d, irq);
		v->stats.resamples++;
	}
	irq->in_lr = 0;
}

/*
 * lr_fold() for the commonest exits: the LR reads empty (the guest took the interrupt and ended it),
 * and no register write raced with the LR (7.7). Then nothing comes back, no pending state and no
 * active state, and only a software level asks its owner to resample. Any other case returns false
 * having changed nothing, for the general fold. tests/unit/test_lr_fold.c holds the two to one result.
 */
LR_HOT bool lr_fold_fast(struct vgic_vcpu *v, struct vgic_irq *irq, uint64_t written, uint64_t now,
			 struct vgic_deferred *d)
{
	if ((now & ICH_LR_STATE_MASK) || irq->pend_clear_req || irq->act_req != VGIC_ACT_REQ_NONE)
		return false;
	if (written & ICH_LR_STATE_PENDING)
		v->stats.taken++;
	irq->latch_in_lr = 0;
	irq->line_in_lr = 0;
	irq->active = 0;
	irq->active_on = NULL;
	irq->in_lr = 0;
	/* A level interrupt that left the LR entirely was deactivated by the guest. */
	if (irq->trigger == VGIC_LEVEL && lr_wants_eoi_exit(written)) {
		vgic_defer_resample(d, irq);
		v->stats.resamples++;
	}
	return true;
}

/*
 * An LR kept at the sync (7.2b) read back exactly what was written, and nothing has touched its interrupt
 * since: its fold would find no change of state, so the interrupt stays where it is listed.
 */
void vgic_lr_unkeep(struct vgic_vcpu *v, struct vgic_irq *irq)
{
	unsigned i = irq->lr;
	struct vgic_deferred unused;

	unused.nr_requeue = unused.nr_resample = 0;
	lr_fold(v->vm, v, irq, v->lr_val[i], v->lr_val[i], &unused);
	v->used_mask &= ~(1U << i);
	v->sel_dirty = true;
}

/* The staging and the folds out of line, for the test; flush and sync inline them. */
uint64_t vgic_lr_stage(const struct vgic *vm, const struct vgic_vcpu *v, struct vgic_irq *irq, bool refill)
{
	return lr_stage(vm, v, irq, refill);
}

bool vgic_lr_stage_plain(struct vgic_irq *irq, bool refill, uint64_t *val)
{
	return lr_stage_plain(irq, refill, val);
}

bool vgic_lr_stage_hw_level(struct vgic_irq *irq, uint64_t *val)
{
	return lr_stage_hw_level(irq, val);
}

bool vgic_lr_stage_sw_level(struct vgic_irq *irq, uint64_t *val)
{
	return lr_stage_sw_level(irq, val);
}

void vgic_lr_fold(struct vgic *vm, struct vgic_vcpu *v, struct vgic_irq *irq,
		  uint64_t written, uint64_t now, struct vgic_deferred *d)
{
	lr_fold(vm, v, irq, written, now, d);
}

bool vgic_lr_fold_fast(struct vgic_vcpu *v, struct vgic_irq *irq, uint64_t written, uint64_t now,
		       struct vgic_deferred *d)
{
	return lr_fold_fast(v, irq, written, now, d);
}

/* The sync past the idle look: out of line, so the idle exit saves no registers for it. */
/* LRENPIE was written: EOIs of actives left out of the LRs may have been counted. */
static inline bool lr_eoi_count_armed(const struct vgic_vcpu *v)
{
	return (v->hcr & ICH_HCR_LRENPIE) && v->hcr != VGIC_HCR_UNKNOWN;
}

/* One LR at the exit, its value known (now; 0 for one ELRSR reports empty): folded or kept, and re-placed. */
static inline __attribute__((always_inline)) void lr_sync_slot_as(struct vgic *vm, struct vgic_vcpu *v, unsigned i,
								  uint64_t now, struct vgic_deferred *d)
{
	struct vgic_irq *irq = v->lr_irq[i];

	/* An LR read back empty is never kept: the fast fold takes it first. */
	if (!lr_fold_fast(v, irq, v->lr_val[i], now, d)) {
		/*
		 * Nothing but the guest touched this ap_list since the flush (no sel_dirty; an earlier
		 * fold of this sync sets it too), and the guest left this LR alone: it stays (7.2b).
		 */
		if (!v->sel_dirty && now == v->lr_val[i])
			return;  /* stays in used_mask */
		lr_fold(vm, v, irq, v->lr_val[i], now, d);
	}
	v->used_mask &= ~(1U << i);
	v->sel_dirty = true;  /* a fold changed what the choice saw */
	v->sel_kept = false;
	sync_prune_locked(vm, v, irq, d);
}

/* LR i read back as now: what the hardware holds, then the fold or the keep. */
static inline __attribute__((always_inline)) void lr_sync_slot_read(struct vgic *vm, struct vgic_vcpu *v, unsigned i,
								    uint64_t now, struct vgic_deferred *d)
{
	v->lr_hw[i] = now;
	if (!(now & ICH_LR_STATE_MASK) && !lr_wants_eoi_exit(v->lr_val[i]))
		v->hw_dirty &= ~(1U << i);
	lr_sync_slot_as(vm, v, i, now, d);
}

/* One LR in use at the exit: read back (or known empty from ELRSR), folded or kept, and re-placed. */
static inline __attribute__((always_inline)) void lr_sync_slot(struct vgic *vm, struct vgic_vcpu *v, unsigned i,
							       uint32_t elrsr, struct vgic_deferred *d)
{
	if (elrsr & (1U << i)) {
		/* Empty and harmless: no need to clear it; the guest changed only its state. */
		v->hw_dirty &= ~(1U << i);
		v->lr_hw[i] = v->lr_val[i] & ~ICH_LR_STATE_MASK;
		lr_sync_slot_as(vm, v, i, 0, d);
	} else {
		lr_sync_slot_read(vm, v, i, lr_read(v->be, i), d);
	}
}

/* The first LR a kept exit found changed, out of line: the loop that keeps the others stays small. */
static __attribute__((noinline)) void lr_sync_slot_changed(struct vgic *vm, struct vgic_vcpu *v, unsigned i,
							    uint64_t now, struct vgic_deferred *d)
{
	lr_sync_slot_read(vm, v, i, now, d);
}

/*
 * After an entry that kept every LR, with nothing else touching the ap_list since, the guest has most
 * likely left every LR alone again: each is read and compared, and one that holds what was written is kept
 * with no other look (what lr_sync_slot() would conclude: a state, no fold, no sel_dirty). The first that
 * changed goes through the general slot, and the LRs after it are returned for the general loop, which
 * reads them one by one as it did all of them before (no ELRSR after a kept entry).
 */
static inline __attribute__((always_inline)) uint32_t lr_sync_kept(struct vgic *vm, struct vgic_vcpu *v,
								   uint32_t used, struct vgic_deferred *d)
{
	for (; used; used &= used - 1U) {
		unsigned i = (unsigned)__builtin_ctz(used);
		uint64_t now = lr_read(v->be, i);

		if (now != v->lr_val[i] || !(now & ICH_LR_STATE_MASK)) {
			lr_sync_slot_changed(vm, v, i, now, d);
			return used & (used - 1U);
		}
		v->lr_hw[i] = now;
	}
	return 0;
}

LR_HOT int lr_sync_in(struct vgic *vm, struct vgic_vcpu *v, enum vgic_lock_mode m)
{
	bool eoi_count_armed = lr_eoi_count_armed(v);
	struct vgic_deferred d;
	uint32_t elrsr = 0, used;

	d.nr_requeue = d.nr_resample = 0;
	vgic_lock_in(vm, &v->ap_lock, m);
	if (!vgic_vcpu_loaded(v)) {
		vgic_unlock_in(vm, &v->ap_lock, m);
		return HV_OK;
	}
	vgic_vcpu_set_loaded(v, false);
	v->stats.syncs++;
	if (eoi_count_armed)
		sync_eoicount(vm, v, &d);
	used = v->used_mask;
	if (!(used & (used - 1U))) {
		/*
		 * One LR in use (the commonest exit that is not idle): reading it costs what ELRSR alone
		 * would, and never needs a second read; and no loop.
		 */
		if (used)
			lr_sync_slot(vm, v, (unsigned)__builtin_ctz(used), 0, &d);
	} else {
		/*
		 * With the LRs in memory (NV2), ELRSR is the only trap here, so it is never read. After an
		 * entry that kept every LR the guest has most likely left them all alone again, and ELRSR
		 * would save no LR read.
		 */
		if (v->sel_kept) {
			if (!v->sel_dirty)
				used = lr_sync_kept(vm, v, used, &d);
		} else if (!v->be->lrs_in_memory) {
			elrsr = lr_read_elrsr(v->be);
		}
		for (; used; used &= used - 1U)
			lr_sync_slot(vm, v, (unsigned)__builtin_ctz(used), elrsr, &d);
	}
	vgic_unlock_in(vm, &v->ap_lock, m);
	if (d.nr_requeue | d.nr_resample) {
		/* The commonest deferred work, one level ended, is vgic_deferred_run's first resample: done here. */
		if (d.nr_resample == 1 && !d.nr_requeue)
			d.first_fn(d.first_owner, vgic_resample_line(d.resample[0]));
		else
			vgic_deferred_run(vm, &d);
	}
	return HV_OK;
}

static __attribute__((noinline)) int lr_sync_spin(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_sync_in(vm, v, VGIC_LOCK_SPIN);
}

static __attribute__((noinline)) int lr_sync_hooks(struct vgic *vm, struct vgic_vcpu *v)
{
	return lr_sync_in(vm, v, VGIC_LOCK_HOOKS);
}

/* The exit once the vCPU is known to exist; inline into both entry points, as lr_flush_entry(). */
static inline __attribute__((always_inline)) int lr_sync_entry(struct vgic *vm, struct vgic_vcpu *v)
{
	if (!vgic_vcpu_loaded(v))
		return HV_OK;
	/* Nothing placed and no EOIcount armed: nothing to read back (the flush's idle case), no lock. */
	if (v->used_mask == 0 && !lr_eoi_count_armed(v)) {
		vgic_vcpu_set_loaded(v, false);
		return HV_OK;
	}
	return vm->spin_locks ? lr_sync_spin(vm, v) : lr_sync_hooks(vm, v);
}

int vgic_sync_lrs(struct vgic *vm, uint32_t vcpu)
{
	int err;
	struct vgic_vcpu *v = lr_vcpu(vm, vcpu, &err);

	if (!v)
		return err;
	return lr_sync_entry(vm, v);
}

int vgic_sync_vcpu(struct vgic_vcpu *v)
{
	if (__builtin_expect(!v || !v->be, 0))
		return lr_handle_error(v);
	return lr_sync_entry(v->vm, v);
}

int vgic_vcpu_load(struct vgic *vm, uint32_t vcpu)
{
	int err;
	struct vgic_vcpu *v = lr_vcpu(vm, vcpu, &err);
	int rc = HV_OK;

	if (!v)
		return err;
	vgic_lock(vm, &v->ap_lock);
	if (vgic_vcpu_loaded(v)) {
		rc = HV_EBUSY;
	} else {
		v->hw_dirty = VGIC_LR_MASK(v->be->nr_lrs);
		v->lr_hw_known = 0;
		v->hcr = VGIC_HCR_UNKNOWN;
		v->sel_dirty = true;
	}
	vgic_unlock(vm, &v->ap_lock);
	return rc;
}

int vgic_handle_dir(struct vgic *vm, uint32_t vcpu, uint32_t intid)
{
	int err;
	struct vgic_vcpu *owner = vgic_get_vcpu(vm, vcpu);
	struct vgic_irq *irq = vgic_lookup(vm, vcpu, intid, &err);
	struct vgic_vcpu *v;
	struct vgic_deferred d;
	bool ended;

	if (!irq)
		return err;
	if (!owner)
		return HV_ERANGE;
	if (irq->lpi)
		return HV_OK;  /* an LPI has no active state: a DIR of one does nothing */
	d.nr_requeue = d.nr_resample = 0;
	v = vgic_irq_lock_listed(vm, irq);
	if (irq->in_lr) {
		/*
		 * In this vCPU's LR: the caller skipped the sync, and the LR owns
		 * the state. In another vCPU's LR: not active here, so the DIR has
		 * no effect, as on hardware; and it must not make that vCPU exit.
		 */
		err = v == owner ? HV_EBUSY : HV_OK;
		vgic_unlock(vm, &irq->lock);
		vgic_unlock(vm, &v->ap_lock);
		return err;
	}
	/* Only the vCPU an interrupt is active on may deactivate it. */
	ended = irq->active && (!irq->active_on || irq->active_on == owner);
	if (ended) {
		vgic_irq_deactivate_locked(vm, irq);
		vgic_defer_resample(&d, irq);
		vgic_stat_inc(&owner->stats.dir_traps);
		/* Re-placed after the owner has resampled, so a withdrawn level is never queued. */
		if (v)
			vgic_aplist_reposition(&v->aplist, irq);
		d.requeue[d.nr_requeue++] = irq;
	}
	vgic_unlock(vm, &irq->lock);
	if (v)
		vgic_unlock(vm, &v->ap_lock);
	if (d.nr_requeue | d.nr_resample)
		vgic_deferred_run(vm, &d);
	return HV_OK;
}

bool vgic_vcpu_should_wake(struct vgic *vm, uint32_t vcpu, uint64_t vmcr)
{
	struct vgic_vcpu *v = vgic_get_vcpu(vm, vcpu);
	uint8_t pmr = (uint8_t)((vmcr & ICH_VMCR_VPMR_MASK) >> ICH_VMCR_VPMR_SHIFT);
	struct vgic_irq *irq = NULL;
	bool wake = false;

	if (!v)
		return false;
	vgic_lock(vm, &v->ap_lock);
	/* In priority order: the first one of an enabled group decides for all behind it. */
	while ((irq = vgic_aplist_next(&v->aplist, VGIC_AP_PENDING, irq))) {
		if (!(vmcr & (irq->group ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0)))
			continue;
		wake = irq->priority < pmr;
		break;
	}
	vgic_unlock(vm, &v->ap_lock);
	return wake;
}

bool vgic_vcpu_has_pending(struct vgic *vm, uint32_t vcpu)
{
	struct vgic_vcpu *v = vgic_get_vcpu(vm, vcpu);
	bool any;

	if (!v)
		return false;
	vgic_lock(vm, &v->ap_lock);
	any = v->aplist.count[VGIC_AP_PENDING] != 0;
	vgic_unlock(vm, &v->ap_lock);
	return any;
}

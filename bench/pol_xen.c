/* pol_xen.c: the LR policy of Xen's original ("old") arm vgic, re-implemented on the ICV model.
 * Facts followed (xen/arch/arm/gic-vgic.c, gic-v3.c, vgic.c):
 *  - every in-flight interrupt sits on inflight_irqs in priority order; those without an LR on
 *    lr_pending, in priority order; lr_mask says which LRs are in use and LRs stay loaded across exits;
 *  - injection into the running vCPU (vgic_inject_irq -> gic_raise_guest_irq) writes a free LR at once
 *    when lr_pending is empty, else queues; re-raising an in-flight interrupt re-reads its LR;
 *  - exit (vgic_sync_from_lrs) clears UIE by read-modify-write of ICH_HCR_EL2 and reads every LR in
 *    lr_mask, with no ELRSR; an LR found invalid is written to 0 and freed (gic_update_one_lr);
 *  - entry (vgic_sync_to_lrs -> gic_restore_pending_irqs) fills free LRs from lr_pending and, when none
 *    is free, evicts a lower-priority pending LR (walking inflight_irqs from the lowest priority); then
 *    sets UIE by read-modify-write if interrupts still wait and every LR is used;
 *  - LRs never carry the EOI bit (no EOI maintenance); group 1; HW bit for interrupts with a physical desc.
 *    Xen's virtual timer has none: Xen masks CNTV_CTL_EL0 and injects PPI 27 as a software interrupt. The
 *    hwtimer scenario maps it HW for every policy, Xen included, so that row is not Xen's timer path.
 * Xen's bit operations on pending_irq.status, lr_mask and pause_flags (set_bit, clear_bit,
 * test_and_clear_bit) are atomic read-modify-writes; the model makes the same ones, one per call in
 * the source (status_set() and the rest below). Each injection (vgic_inject_irq) takes the vCPU's vGIC
 * lock and ends with vcpu_kick(), as the exit's fold and the entry's fill take the lock again.
 * Two adaptations, both in docs/benchmarks.md: a raise is performed at the next entry (it would write the
 * LR at injection time, on the way back into the guest), and a level line still high when Xen notices the
 * EOI is raised again, since Xen has no virtual level state. */
#include <stdio.h>
#include <stdlib.h>
#include "peer.h"

#define LR_BIT(i) (1U << (i))

/* Xen's set_bit(), clear_bit() and test_and_clear_bit(): one atomic read-modify-write each. */
static inline void status_set(uint8_t *w, uint8_t bit)
{
	__atomic_fetch_or(w, bit, __ATOMIC_RELAXED);
}

static inline void status_clear(uint8_t *w, uint8_t bit)
{
	__atomic_fetch_and(w, (uint8_t)~bit, __ATOMIC_RELAXED);
}

static inline bool status_test_and_clear(uint8_t *w, uint8_t bit)
{
	return (__atomic_fetch_and(w, (uint8_t)~bit, __ATOMIC_RELAXED) & bit) != 0;
}

static inline void mask_set(uint32_t *w, unsigned i)
{
	__atomic_fetch_or(w, LR_BIT(i), __ATOMIC_RELAXED);
}

static inline void mask_clear(uint32_t *w, unsigned i)
{
	__atomic_fetch_and(w, ~LR_BIT(i), __ATOMIC_RELAXED);
}

static struct bvm *xen_create(unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	struct bvm *b = peer_create(&pol_xen, nr_vcpus, nr_lrs, nr_lpis);

	/* gicv3_hyp_init() enables the virtual CPU interface once at boot; not a world-switch access. */
	for (unsigned i = 0; i < nr_vcpus; i++)
		b->cpu[i].be.ops->write_hcr(&b->cpu[i].be, ICH_HCR_EN);
	return b;
}

static unsigned next_zero(uint32_t mask, unsigned nr, unsigned from)
{
	while (from < nr && (mask & LR_BIT(from)))
		from++;
	return from;
}

static unsigned next_set(uint32_t mask, unsigned nr, unsigned from)
{
	while (from < nr && !(mask & LR_BIT(from)))
		from++;
	return from;
}

/* gic_set_lr() -> gicv3_update_lr(): state, group 1, priority, vINTID, HW + pINTID; never the EOI bit. */
static void set_lr(struct lr_backend *be, unsigned lr, struct peer_irq *p, uint64_t state)
{
	uint64_t val = state | ICH_LR_GROUP | ((uint64_t)p->s.priority << ICH_LR_PRIORITY_SHIFT) |
		       (p->s.intid & ICH_LR_VINTID_MASK);

	if (p->s.hw)
		val |= ICH_LR_HW | ((uint64_t)p->s.hw_intid << ICH_LR_PINTID_SHIFT);
	status_clear(&p->xstatus, XEN_PRISTINE_LPI);
	lr_write(be, lr, val);
	status_set(&p->xstatus, XEN_VISIBLE);
	status_clear(&p->xstatus, XEN_QUEUED);
	p->s.lr = (uint8_t)lr;
}

/* gic_add_to_lr_pending(): before the first entry of lower priority. */
static void add_to_lr_pending(struct peer_vcpu *v, struct peer_irq *n)
{
	struct vgic_node *pos;

	if (!blist_empty(&n->lr_queue))
		return;
	for (pos = v->lr_pending.next; pos != &v->lr_pending; pos = pos->next) {
		b_prio_cmps++;
		if (blist_entry(pos, struct peer_irq, lr_queue)->s.priority > n->s.priority)
			break;
	}
	blist_add_before(&n->lr_queue, pos);
}

/* gic_raise_guest_irq() for the running vCPU. */
static void raise_guest(struct peer_vcpu *v, struct lr_backend *be, unsigned nr_lrs, struct peer_irq *p)
{
	if (blist_empty(&v->lr_pending)) {
		unsigned i = next_zero(v->lr_mask, nr_lrs, 0);

		if (i < nr_lrs) {
			mask_set(&v->lr_mask, i);
			set_lr(be, i, p, ICH_LR_STATE_PENDING);
			return;
		}
	}
	add_to_lr_pending(v, p);
}

static void defer_raise(struct peer_vcpu *v, struct peer_irq *p)
{
	if (blist_empty(&p->raise_node))
		blist_add_tail(&p->raise_node, &v->raises);
}

/*
 * vcpu_kick() -> vcpu_unblock(): test_and_clear_bit(_VPF_blocked), which finds the vCPU awake here.
 * Its is_running read and the IPI it sends to a vCPU running on another CPU are left out, as for
 * every policy.
 */
static void xen_vcpu_kick(struct peer_vcpu *v)
{
	(void)__atomic_fetch_and(&v->pause_flags, ~XEN_VPF_BLOCKED, __ATOMIC_RELAXED);
}

/* vgic_inject_irq() at the raise: its vGIC lock and its kick; the work it does under that lock is inject(). */
static void xen_inject(struct peer_vcpu *v, struct peer_irq *p)
{
	block_take(&v->lock);
	defer_raise(v, p);
	block_drop(&v->lock);
	xen_vcpu_kick(v);
}

/* gic_update_one_lr(): read the LR, fold it, free it if the guest is done with it. */
static void update_one_lr(struct peer_vm *vm, struct peer_vcpu *v, struct lr_backend *be, unsigned i)
{
	uint64_t lrv = lr_read(be, i);
	struct peer_irq *p = peer_irq(vm, v->id, ich_lr_vintid(lrv));

	if (!p || status_test_and_clear(&p->xstatus, XEN_PRISTINE_LPI)) {
		lr_write(be, i, 0);
		mask_clear(&v->lr_mask, i);
		return;
	}
	if (lrv & ICH_LR_STATE_ACTIVE) {
		status_set(&p->xstatus, XEN_ACTIVE);
		if (p->s.enabled && status_test_and_clear(&p->xstatus, XEN_QUEUED)) {
			/* A new edge while active: pending+active, except for HW ones (warned, dropped). */
			if (!p->s.hw)
				lr_write(be, i, lrv | ICH_LR_STATE_PENDING);
		}
	} else if (lrv & ICH_LR_STATE_PENDING) {
		(void)status_test_and_clear(&p->xstatus, XEN_QUEUED);
	} else {
		lr_write(be, i, 0);
		mask_clear(&v->lr_mask, i);
		/* Its physical interrupt is no longer in progress (do_IRQ() set the bit: arch work, not counted). */
		if (p->s.hw)
			status_clear(&p->desc_status, XEN_IRQ_INPROGRESS);
		status_clear(&p->xstatus, XEN_VISIBLE);
		status_clear(&p->xstatus, XEN_ACTIVE);
		p->s.lr = PEER_NO_LR;
		if (p->s.enabled && (p->xstatus & XEN_QUEUED)) {
			raise_guest(v, be, vm->base.nr_lrs, p);
		} else {
			blist_del_init(&p->s.ap_node);
			/* Adaptation: the device learns of the EOI now and may keep its line high. */
			if (p->s.trigger == VGIC_LEVEL && !p->s.hw) {
				peer_notify_resample(p);
				if (p->s.line_level)
					defer_raise(v, p);
			}
		}
	}
}

/* gic_raise_inflight_irq(): an in-flight interrupt raised again. */
static void raise_inflight(struct peer_vm *vm, struct peer_vcpu *v, struct lr_backend *be, struct peer_irq *n)
{
	if (!n->s.enabled)
		return;
	if (blist_empty(&n->lr_queue) && n->s.lr != PEER_NO_LR)
		update_one_lr(vm, v, be, n->s.lr);
}

/* vgic_inject_irq()'s work under the lock, for the running vCPU, done at its next entry (xen_inject()). */
static void inject(struct peer_vm *vm, struct peer_vcpu *v, struct lr_backend *be, struct peer_irq *n)
{
	struct vgic_node *pos;

	status_set(&n->xstatus, XEN_QUEUED);
	if (!blist_empty(&n->s.ap_node)) {
		raise_inflight(vm, v, be, n);
		return;
	}
	if (n->s.enabled)
		raise_guest(v, be, vm->base.nr_lrs, n);
	for (pos = v->ap_list.next; pos != &v->ap_list; pos = pos->next) {
		b_prio_cmps++;
		if (peer_of_node(pos)->s.priority > n->s.priority)
			break;
	}
	blist_add_before(&n->s.ap_node, pos);
}

/* gic_restore_pending_irqs(). */
static void restore_pending(struct peer_vcpu *v, struct lr_backend *be, unsigned nr_lrs)
{
	struct vgic_node *inflight_r = &v->ap_list;
	unsigned lr = 0, lrs = nr_lrs;

	for (struct vgic_node *pn = v->lr_pending.next, *tn; pn != &v->lr_pending; pn = tn) {
		struct peer_irq *p = blist_entry(pn, struct peer_irq, lr_queue);

		tn = pn->next;
		lr = next_zero(v->lr_mask, nr_lrs, lr);
		if (lr >= nr_lrs) {
			struct peer_irq *victim = NULL;

			/* No free LR: evict a lower-priority pending one, lowest priority first. */
			for (struct vgic_node *rn = inflight_r->prev; rn != &v->ap_list; rn = rn->prev) {
				struct peer_irq *pr = peer_of_node(rn);

				b_prio_cmps++;
				if (pr->s.priority == p->s.priority)
					return;
				if ((pr->xstatus & XEN_VISIBLE) && !(pr->xstatus & XEN_ACTIVE)) {
					victim = pr;
					break;
				}
			}
			if (!victim)
				return;
			lr = victim->s.lr;
			victim->s.lr = PEER_NO_LR;
			status_set(&victim->xstatus, XEN_QUEUED);
			status_clear(&victim->xstatus, XEN_VISIBLE);
			add_to_lr_pending(v, victim);
			inflight_r = &victim->s.ap_node;
		}
		set_lr(be, lr, p, ICH_LR_STATE_PENDING);
		blist_del_init(&p->lr_queue);
		mask_set(&v->lr_mask, lr);
		if (--lrs == 0)
			break;
	}
}

/* gicv3_hcr_status(): a read-modify-write of ICH_HCR_EL2. */
static void hcr_status(struct lr_backend *be, uint64_t flag, bool on)
{
	uint64_t hcr = lr_read_hcr(be);

	lr_write_hcr(be, on ? (hcr | flag) : (hcr & ~flag));
}

static int xen_flush(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;
	uint32_t full = b->nr_lrs >= 32 ? UINT32_MAX : LR_BIT(b->nr_lrs) - 1U;

	block_take(&v->lock);
	while (!blist_empty(&v->raises)) {
		struct peer_irq *n = blist_entry(v->raises.next, struct peer_irq, raise_node);

		blist_del_init(&n->raise_node);
		inject(vm, v, be, n);
	}
	if (!blist_empty(&v->lr_pending))
		restore_pending(v, be, b->nr_lrs);
	block_drop(&v->lock);
	if (!blist_empty(&v->lr_pending) && v->lr_mask == full)
		hcr_status(be, ICH_HCR_UIE, true);
	return 0;
}

static int xen_sync(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;

	hcr_status(be, ICH_HCR_UIE, false);
	block_take(&v->lock);
	for (unsigned i = 0; (i = next_set(v->lr_mask, b->nr_lrs, i)) < b->nr_lrs; i++)
		update_one_lr(vm, v, be, i);
	block_drop(&v->lock);
	return 0;
}

static struct peer_irq *get(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	struct peer_irq *p = peer_irq(peer_of(b), vcpu, intid);

	if (!p) {
		fprintf(stderr, "lr_bench: xen: no INTID %u\n", intid);
		abort();
	}
	return p;
}

static int xen_raise_edge(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	struct peer_irq *p = get(b, vcpu, intid);

	xen_inject(p->target, p);
	return 0;
}

/* Xen keeps no virtual line level: a rising edge on the wire is an injection. */
static int xen_set_level(struct bvm *b, unsigned vcpu, uint32_t intid, bool high)
{
	struct peer_irq *p = get(b, vcpu, intid);
	bool rising = high && !p->s.line_level;

	p->s.line_level = high;
	p->phys_line = high;
	/*
	 * A line raised by its owner's resample callback, which update_one_lr() calls under the vGIC lock:
	 * queued as that function queues a line still high, under the lock it holds (one thread, so a held
	 * lock is that one). Any other rising edge is an injection.
	 */
	if (rising) {
		if (__atomic_load_n(&p->target->lock.word, __ATOMIC_RELAXED))
			defer_raise(p->target, p);
		else
			xen_inject(p->target, p);
	}
	return 0;
}

static int xen_sgi(struct bvm *b, unsigned src, unsigned dst, uint32_t sgi)
{
	(void)src;
	xen_raise_edge(b, dst, sgi);
	return 0;
}

/*
 * Context switch, gic_save_state() -> gicv3_save_state(): every implemented LR read (gicv3_save_lrs()
 * falls through from gicv3_info.nr_lrs), the APRs (save_aprn_regs(): one AP0R/AP1R pair per the
 * priority bits read from ICH_VTR_EL2 once at boot: one pair with 5 bits, two with 6, three with 7),
 * ICH_VMCR_EL2; lr_mask goes with the vCPU. ICC_SRE_EL1 is read too: not an ICH_* register, not counted
 * here (bench/switch.c reports it beside). ICH_HCR_EL2 is not touched.
 */
static unsigned xen_apr_pairs(struct lr_backend *be)
{
	/* gicv3.nr_priorities, from ICH_VTR_EL2 at boot: not a switch-time access, read uncounted. */
	unsigned pri = (unsigned)((be->ops->read_vtr(be) >> ICH_VTR_PRIBITS_SHIFT) & 7U) + 1U;

	return pri >= 7U ? 3U : pri == 6U ? 2U : 1U;
}

static void xen_put(struct bvm *b, unsigned vcpu)
{
	struct peer_vcpu *v = &peer_of(b)->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;
	unsigned pairs = xen_apr_pairs(be);

	for (unsigned i = b->nr_lrs; i-- > 0;)
		v->saved_lr[i] = lr_read(be, i);
	for (unsigned i = pairs; i-- > 0;) {
		v->apr[0][i] = lr_read_apr(be, 0, i);
		v->apr[1][i] = lr_read_apr(be, 1, i);
	}
	v->vmcr = lr_read_vmcr(be);
}

/* gicv3_restore_state(): (ICC_SRE_EL2 read and write, ICC_SRE_EL1 write), ICH_VMCR_EL2, the APRs, every LR. */
static void xen_load(struct bvm *b, unsigned vcpu, unsigned cpu)
{
	struct peer_vcpu *v = &peer_of(b)->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[cpu].be;
	unsigned pairs = xen_apr_pairs(be);

	lr_write_vmcr(be, v->vmcr);
	for (unsigned i = pairs; i-- > 0;) {
		lr_write_apr(be, 0, i, v->apr[0][i]);
		lr_write_apr(be, 1, i, v->apr[1][i]);
	}
	for (unsigned i = b->nr_lrs; i-- > 0;)
		lr_write(be, i, v->saved_lr[i]);
}

const struct policy pol_xen = {
	.name = "xen_old",
	.create = xen_create,
	.destroy = peer_destroy,
	.configure = peer_configure,
	.map_hw = peer_map_hw,
	.set_resample = peer_set_resample,
	.raise_edge = xen_raise_edge,
	.set_level = xen_set_level,
	.sgi = xen_sgi,
	.flush = xen_flush,
	.sync = xen_sync,
	.dir_trap = NULL,   /* old Xen never sets TDIR */
	.put = xen_put,
	.load = xen_load,
};

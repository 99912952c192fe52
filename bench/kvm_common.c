/* kvm_common.c: injection, LR encoding, folding and pruning as KVM/arm64's vgic does them (classic and 6.19).
 * Written from the behaviour of arch/arm64/kvm/vgic/vgic.c and vgic-v3.c; no code is taken from them. */
#include <stdio.h>
#include <stdlib.h>
#include "kvm_common.h"

static struct peer_irq *get(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	struct peer_irq *p = peer_irq(peer_of(b), vcpu, intid);

	if (!p) {
		fprintf(stderr, "lr_bench: %s: no INTID %u\n", b->pol->name, intid);
		abort();
	}
	return p;
}

/*
 * kvm_make_request(KVM_REQ_IRQ_PENDING) and kvm_vcpu_kick(): the request bit's set_bit, an atomic
 * read-modify-write. What kvm_vcpu_kick() does next (the full barrier and waiter look of
 * kvm_vcpu_wake_up(), the should-kick look at vcpu->mode, a cmpxchg when raised from another thread,
 * the IPI) is left out, which favours KVM; ours' kick in the same place is its counter's atomic add.
 */
static void kvm_kick(struct peer_vcpu *v)
{
	(void)__atomic_fetch_or(&v->requests, KVM_REQ_IRQ_PENDING_BIT, __ATOMIC_RELAXED);
}

/*
 * vgic_queue_irq_unlock(): irq lock held on entry, dropped on return. An
 * interrupt already on an ap_list stays where it is (the next sync prunes
 * it), its target still kicked; otherwise it goes to the tail of its target's
 * list, taken in KVM's lock order (ap_list_lock, then irq_lock) with a
 * re-check, and the target is kicked.
 */
void kvm_queue_unlock(struct peer_irq *p)
{
	for (;;) {
		struct peer_vcpu *v = peer_oracle(p);

		if (p->vcpu || !v) {
			block_drop(&p->s.lock);
			if (v)
				kvm_kick(v);
			return;
		}
		block_drop(&p->s.lock);
		block_take(&v->lock);
		block_take(&p->s.lock);
		if (!p->vcpu && v == peer_oracle(p)) {
			blist_add_tail(&p->s.ap_node, &v->ap_list);
			p->vcpu = v;
			block_drop(&p->s.lock);
			block_drop(&v->lock);
			kvm_kick(v);
			return;
		}
		block_drop(&p->s.lock);
		block_drop(&v->lock);
		block_take(&p->s.lock);
	}
}

int kvm_raise_edge(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	struct peer_irq *p = get(b, vcpu, intid);

	block_take(&p->s.lock);
	p->s.pending_latch = 1;
	kvm_queue_unlock(p);
	return 0;
}

int kvm_set_level(struct bvm *b, unsigned vcpu, uint32_t intid, bool high)
{
	struct peer_irq *p = get(b, vcpu, intid);

	block_take(&p->s.lock);
	p->phys_line = high;   /* the wire itself, which a mapped interrupt resamples at fold */
	/* vgic_validate_injection(): only a change of level, or a rising edge, is an injection. */
	if (p->s.trigger == VGIC_LEVEL) {
		if (p->s.line_level == high) {
			block_drop(&p->s.lock);
			return 0;
		}
		p->s.line_level = high;
	} else if (high) {
		p->s.pending_latch = 1;
	} else {
		block_drop(&p->s.lock);
		return 0;
	}
	kvm_queue_unlock(p);
	return 0;
}

int kvm_sgi(struct bvm *b, unsigned src, unsigned dst, uint32_t sgi)
{
	(void)src;   /* GICv3 affinity routing keeps no SGI source */
	kvm_raise_edge(b, dst, sgi);
	return 0;
}

uint64_t kvm_compute_lr(const struct peer_irq *p)
{
	uint64_t val = p->s.intid & ICH_LR_VINTID_MASK;
	bool allow_pending = true;

	if (p->s.active)
		val |= ICH_LR_STATE_ACTIVE;
	if (p->s.hw) {
		val |= ICH_LR_HW | ((uint64_t)p->s.hw_intid << ICH_LR_PINTID_SHIFT);
		/* Never pending+active on a HW LR: the physical distributor keeps the pending state. */
		if (p->s.active)
			allow_pending = false;
	} else if (p->s.trigger == VGIC_LEVEL) {
		val |= ICH_LR_EOI;
		/* Software resampling does not work well with P+A. */
		if (p->s.active)
			allow_pending = false;
	}
	if (allow_pending && peer_pending(p))
		val |= ICH_LR_STATE_PENDING;
	if (p->s.group)
		val |= ICH_LR_GROUP;
	val |= (uint64_t)p->s.priority << ICH_LR_PRIORITY_SHIFT;
	return val;
}

void kvm_populate_lr(struct peer_vcpu *v, struct peer_irq *p, unsigned lr)
{
	uint64_t val = kvm_compute_lr(p);

	if ((val & ICH_LR_STATE_PENDING) && p->s.trigger == VGIC_EDGE)
		p->s.pending_latch = 0;
	/* A mapped level interrupt is only seen rising: lower it now, resample at fold. */
	if (p->s.hw && p->s.trigger == VGIC_LEVEL && (val & ICH_LR_STATE_PENDING))
		p->s.line_level = 0;
	p->s.in_lr = 1;
	v->lr[lr] = val;
}

static bool lr_signals_eoi_mi(uint64_t val)
{
	return !(val & ICH_LR_STATE_MASK) && (val & ICH_LR_EOI) && !(val & ICH_LR_HW);
}

static bool is_spi(uint32_t intid)
{
	return intid >= B_NR_PRIVATE && intid - B_NR_PRIVATE < B_NR_SPIS;
}

/* The fold of one LR into p (p is the interrupt its vINTID names); the lookup is the caller's. */
static inline __attribute__((always_inline)) void fold_irq(struct peer_vm *vm, struct peer_irq *p,
							    uint32_t intid, uint64_t val, bool drop_lpi_active)
{
	bool was_active;

	block_take(&p->s.lock);
	was_active = p->s.active;
	p->s.active = (val & ICH_LR_STATE_ACTIVE) != 0;
	if (drop_lpi_active && intid >= B_LPI_BASE)
		p->s.active = 0;
	if (is_spi(intid) && was_active != p->s.active) {
		if (p->s.active)
			vm->active_spis++;
		else
			vm->active_spis--;
	}
	/* Edge is the only case where the pending bit is preserved. */
	if (p->s.trigger == VGIC_EDGE && (val & ICH_LR_STATE_PENDING))
		p->s.pending_latch = 1;
	/* A level interrupt the guest acknowledged loses its software latch. */
	if (p->s.trigger == VGIC_LEVEL && !(val & ICH_LR_STATE_MASK))
		p->s.pending_latch = 0;
	/* Mapped level, never acknowledged: sample the physical line again. */
	if (p->s.hw && p->s.trigger == VGIC_LEVEL && (val & ICH_LR_STATE_PENDING))
		p->s.line_level = p->phys_line;
	p->s.in_lr = 0;
	block_drop(&p->s.lock);
	/* kvm_notify_acked_irq(): the level line's owner resamples. */
	if (lr_signals_eoi_mi(val) && is_spi(intid))
		peer_notify_resample(p);
}

void kvm_fold_lr(struct peer_vm *vm, struct peer_vcpu *v, uint64_t val, bool drop_lpi_active)
{
	uint32_t intid = ich_lr_vintid(val);
	struct peer_irq *p = peer_irq(vm, v->id, intid);

	if (!p)   /* an LPI unmapped meanwhile */
		return;
	fold_irq(vm, p, intid, val, drop_lpi_active);
}

void kvm_fold_irq(struct peer_vm *vm, struct peer_irq *p, uint64_t val)
{
	fold_irq(vm, p, ich_lr_vintid(val), val, false);
}

/* Move p from v's list to t's, both ap_list_locks taken lowest id first, as KVM does. */
static inline __attribute__((always_inline)) void migrate(struct peer_vcpu *v, struct peer_vcpu *t,
							   struct peer_irq *p)
{
	struct peer_vcpu *a = v->id < t->id ? v : t;
	struct peer_vcpu *b = v->id < t->id ? t : v;

	block_take(&a->lock);
	block_take(&b->lock);
	block_take(&p->s.lock);
	if (t == peer_oracle(p)) {
		blist_del_init(&p->s.ap_node);
		p->vcpu = t;
		blist_add_tail(&p->s.ap_node, &t->ap_list);
	}
	block_drop(&p->s.lock);
	block_drop(&b->lock);
	block_drop(&a->lock);
}

/*
 * put_lpi_locked: KVM before v6.9, whose vgic_put_irq() takes lpi_list_lock for an LPI to drop the
 * reference the ap_list held (refcounts themselves are not modelled, in either KVM).
 */
static inline __attribute__((always_inline)) void prune(struct peer_vm *vm, struct peer_vcpu *v,
							 bool put_lpi_locked)
{
retry:
	block_take(&v->lock);
	for (struct vgic_node *n = v->ap_list.next, *next; n != &v->ap_list; n = next) {
		struct peer_irq *p = peer_of_node(n);
		struct peer_vcpu *t;

		next = n->next;
		block_take(&p->s.lock);
		t = peer_oracle(p);
		if (!t) {
			blist_del_init(&p->s.ap_node);
			p->vcpu = NULL;
			block_drop(&p->s.lock);
			if (put_lpi_locked && p->s.intid >= B_LPI_BASE) {
				block_take(&vm->lpi_list_lock);
				block_drop(&vm->lpi_list_lock);
			}
			continue;
		}
		if (t == v) {
			block_drop(&p->s.lock);
			continue;
		}
		/* Migrate, then start over: the list may have changed while unlocked. */
		block_drop(&p->s.lock);
		block_drop(&v->lock);
		migrate(v, t, p);
		goto retry;
	}
	block_drop(&v->lock);
}

void kvm_prune(struct peer_vm *vm, struct peer_vcpu *v)
{
	prune(vm, v, false);
}

void kvm_prune_lpi_locked(struct peer_vm *vm, struct peer_vcpu *v)
{
	prune(vm, v, true);
}

/* vtr_to_nr_pre_bits() and the fall-through of __vgic_v3_save_aprs()/__vgic_v3_restore_aprs(). */
static unsigned kvm_nr_aprs(struct lr_backend *be)
{
	unsigned pre = (unsigned)((lr_read_vtr(be) >> ICH_VTR_PREBITS_SHIFT) & 7U) + 1U;

	return pre >= 7U ? 4U : pre == 6U ? 2U : 1U;
}

void kvm_put_aprs(struct bvm *b, unsigned vcpu)
{
	struct peer_vcpu *v = &peer_of(b)->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;
	unsigned n = kvm_nr_aprs(be);

	for (unsigned i = 0; i < n; i++)
		v->apr[0][i] = lr_read_apr(be, 0, i);
	for (unsigned i = 0; i < n; i++)
		v->apr[1][i] = lr_read_apr(be, 1, i);
}

void kvm_load_vmcr_aprs(struct bvm *b, unsigned vcpu, unsigned cpu)
{
	struct peer_vcpu *v = &peer_of(b)->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[cpu].be;
	unsigned n;

	lr_write_vmcr(be, v->vmcr);   /* vgic_sre set: a GICv3 guest */
	n = kvm_nr_aprs(be);
	for (unsigned i = 0; i < n; i++)
		lr_write_apr(be, 0, i, v->apr[0][i]);
	for (unsigned i = 0; i < n; i++)
		lr_write_apr(be, 1, i, v->apr[1][i]);
}

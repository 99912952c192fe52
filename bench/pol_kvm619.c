/* pol_kvm619.c: KVM/arm64's LR policy after the 6.19 "LR overflow infrastructure" series, on the ICV model.
 * Facts followed (Marc Zyngier's series, v4 of 2025-11-20, merged for 6.19; plus its 2026 stable fix):
 *  - flush and sync always run, even with an empty ap_list ("Compute vgic state irrespective of the
 *    number of interrupts"); restore always writes ICH_HCR_EL2, save always writes it to 0;
 *  - flush summarises the whole ap_list (pending vs active), list_sort()s all of it when it holds more
 *    than the LRs, with pending-not-active first, then priority, then HW first ("Invert ap_list
 *    sorting to push active interrupts out"), and fills LRs in list order;
 *  - HCR: En; NPIE if more pending than LRs; LRENPIE and TDIR if active interrupts are left out; UIE if
 *    anything is left out; VGrp0/1 E/DIE from the saved VMCR; TDIR also while any SPI is active;
 *  - save reads ELRSR, reads each used LR ELRSR does not report empty, zeroes each used LR, reads VMCR on
 *    every exit ("Eagerly save VMCR on exit"), reads HCR for EOIcount when LRENPIE was set;
 *  - fold folds each used LR (dropping an LPI's active state), then, with EOIcount, deactivates that many
 *    active interrupts walking the ap_list after the last one placed in an LR (the 2026 stable fix);
 *    prune walks the whole ap_list;
 *  - "Move undeliverable interrupts to the end of ap_list" (33c1f60b3213, patch 25/49 of v4): the sort
 *    decodes the vCPU's saved VMCR once (vgic_get_vmcr()), and every comparison, after taking both irq
 *    locks, first calls the target oracle for both interrupts (those not for this vCPU sort last), then
 *    tests each one's group enable from that VMCR (a disabled group sorts last), and only then compares
 *    pending/active, priority and HW as before. Followed from the patch (v4 25/49, the version merged);
 *    Linux's oracle also returns NULL for a pending interrupt while the distributor is disabled, a test
 *    peer_oracle() leaves out for every KVM path. */
#include "kvm_common.h"

/* struct vgic_vmcr as vgic_v3_get_vmcr() fills it for a GICv3 guest (VFIQEn reads 1, VAckCtl 0). */
struct k619_vmcr {
	uint32_t grpen0, grpen1, ackctl, fiqen, cbpr, eoim, abpr, bpr, pmr;
};

/*
 * struct vgic_sort_info, list_sort()'s priv in Linux. blist_sort() passes no priv, so the comparator
 * reads it from here (one thread runs the bench); it is filled just before each sort.
 */
static struct {
	struct peer_vcpu *vcpu;
	struct k619_vmcr vmcr;
} sort_info;

/* vgic_get_vmcr() -> vgic_v3_get_vmcr(): decode the VMCR saved at the last exit. */
static void get_vmcr(const struct peer_vcpu *v, struct k619_vmcr *m)
{
	uint64_t vmcr = v->vmcr;

	m->fiqen = 1;
	m->ackctl = 0;
	m->cbpr = (vmcr & ICH_VMCR_VCBPR) != 0;
	m->eoim = (vmcr & ICH_VMCR_VEOIM) != 0;
	m->abpr = (uint32_t)((vmcr & ICH_VMCR_VBPR1_MASK) >> ICH_VMCR_VBPR1_SHIFT);
	m->bpr = (uint32_t)((vmcr & ICH_VMCR_VBPR0_MASK) >> ICH_VMCR_VBPR0_SHIFT);
	m->pmr = (uint32_t)((vmcr & ICH_VMCR_VPMR_MASK) >> ICH_VMCR_VPMR_SHIFT);
	m->grpen0 = (vmcr & ICH_VMCR_VENG0) != 0;
	m->grpen1 = (vmcr & ICH_VMCR_VENG1) != 0;
}

static int cmp_619(const struct vgic_node *a, const struct vgic_node *b)
{
	struct peer_irq *ia = peer_of_node((struct vgic_node *)a);
	struct peer_irq *ib = peer_of_node((struct vgic_node *)b);
	struct peer_vcpu *v = sort_info.vcpu;
	bool penda, pendb;
	int ret;

	b_prio_cmps++;   /* one vgic_irq_cmp() call, as list_sort() makes it */
	if (ia == ib)
		return 0;
	block_take(&ia->s.lock);
	block_take(&ib->s.lock);
	/* Undeliverable interrupts last: the oracle for both, every time. */
	ret = (int)(peer_oracle(ib) == v) - (int)(peer_oracle(ia) == v);
	if (ret)
		goto out;
	/* Then those whose group the guest has disabled. */
	ret = (int)(ib->s.group ? sort_info.vmcr.grpen1 : sort_info.vmcr.grpen0);
	ret -= (int)(ia->s.group ? sort_info.vmcr.grpen1 : sort_info.vmcr.grpen0);
	if (ret)
		goto out;
	/* Pending, non-active interrupts at the head of the list. */
	penda = ia->s.enabled && peer_pending(ia) && !ia->s.active;
	pendb = ib->s.enabled && peer_pending(ib) && !ib->s.active;
	ret = (int)pendb - (int)penda;
	if (!ret)
		ret = (int)ia->s.priority - (int)ib->s.priority;
	if (!ret)
		ret = (int)ib->s.hw - (int)ia->s.hw;
out:
	block_drop(&ib->s.lock);
	block_drop(&ia->s.lock);
	return ret;
}

/* vgic_sort_ap_list(), ap_list_lock held (out of line, so that k619_flush() compiles as before). */
static __attribute__((noinline)) void sort_ap_list(struct peer_vcpu *v)
{
	sort_info.vcpu = v;
	get_vmcr(v, &sort_info.vmcr);
	blist_sort(&v->ap_list, cmp_619);
}

static struct bvm *k619_create(unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	return peer_create(&pol_kvm619, nr_vcpus, nr_lrs, nr_lpis);
}

struct ap_summary {
	unsigned nr_pend;   /* pending, not active */
	unsigned nr_act;    /* active, or active+pending */
};

static void summarize(struct peer_vcpu *v, struct ap_summary *s)
{
	s->nr_pend = s->nr_act = 0;
	for (struct vgic_node *n = v->ap_list.next; n != &v->ap_list; n = n->next) {
		struct peer_irq *p = peer_of_node(n);

		block_take(&p->s.lock);
		if (peer_oracle(p) == v) {
			if (p->s.active)
				s->nr_act++;
			else
				s->nr_pend++;
		}
		block_drop(&p->s.lock);
	}
}

static uint64_t configure_hcr(const struct peer_vm *vm, const struct peer_vcpu *v,
			      const struct ap_summary *s, unsigned nr_lrs)
{
	bool outside = s->nr_pend + s->nr_act > nr_lrs;
	bool act_outside = s->nr_act && outside;
	uint64_t hcr = ICH_HCR_EN;

	if (s->nr_pend > nr_lrs)
		hcr |= ICH_HCR_NPIE;
	if (act_outside)
		hcr |= ICH_HCR_LRENPIE;
	if (outside)
		hcr |= ICH_HCR_UIE;
	hcr |= (v->vmcr & ICH_VMCR_VENG0) ? ICH_HCR_VGRP0DIE : ICH_HCR_VGRP0EIE;
	hcr |= (v->vmcr & ICH_VMCR_VENG1) ? ICH_HCR_VGRP1DIE : ICH_HCR_VGRP1EIE;
	/* TDIR irrespective of EOImode, which can change behind KVM's back. */
	if (act_outside || vm->active_spis)
		hcr |= ICH_HCR_TDIR;
	return hcr;
}

static int k619_flush(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;
	struct ap_summary s;
	unsigned count = 0;

	block_take(&v->lock);
	summarize(v, &s);
	if (s.nr_pend + s.nr_act > b->nr_lrs)
		sort_ap_list(v);
	v->last_in_lr = NULL;
	for (struct vgic_node *n = v->ap_list.next; n != &v->ap_list && count < b->nr_lrs; n = n->next) {
		struct peer_irq *p = peer_of_node(n);

		block_take(&p->s.lock);
		if (peer_oracle(p) == v) {
			kvm_populate_lr(v, p, count++);
			v->last_in_lr = p;
		}
		block_drop(&p->s.lock);
	}
	for (unsigned i = count; i < b->nr_lrs; i++)
		v->lr[i] = 0;
	v->used_lrs = count;
	v->hcr = configure_hcr(vm, v, &s, b->nr_lrs);
	block_drop(&v->lock);

	lr_write_hcr(be, v->hcr);
	for (unsigned i = 0; i < v->used_lrs; i++)
		lr_write(be, i, v->lr[i]);
	return 0;
}

/* A deactivation outside the LRs: fold the LR the interrupt would have had, minus its active bit. */
static void deactivate_outside(struct bvm *b, struct peer_vcpu *v, struct peer_irq *p)
{
	uint64_t val;

	block_take(&p->s.lock);
	val = kvm_compute_lr(p) & ~ICH_LR_STATE_ACTIVE;
	block_drop(&p->s.lock);
	if (val & ICH_LR_HW)
		b->phys_deactivations++;
	kvm_fold_lr(peer_of(b), v, val, true);
}

/* EOImode 0: EOIcount deactivations are the active interrupts that follow the last one in an LR. */
static void eoicount_walk(struct bvm *b, struct peer_vcpu *v, unsigned eoicount)
{
	struct vgic_node *n = v->last_in_lr ? v->last_in_lr->s.ap_node.next : v->ap_list.next;

	for (; n != &v->ap_list && eoicount; n = n->next) {
		struct peer_irq *p = peer_of_node(n);
		bool mine;

		block_take(&p->s.lock);
		mine = peer_oracle(p) == v && p->s.active;
		block_drop(&p->s.lock);
		if (!mine)
			continue;
		deactivate_outside(b, v, p);
		eoicount--;
	}
}

static int k619_sync(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;

	if (v->used_lrs) {
		uint32_t elrsr = lr_read_elrsr(be);

		for (unsigned i = 0; i < v->used_lrs; i++) {
			if (elrsr & (1U << i))
				v->lr[i] &= ~ICH_LR_STATE_MASK;
			else
				v->lr[i] = lr_read(be, i);
			lr_write(be, i, 0);
		}
	}
	v->vmcr = lr_read_vmcr(be);
	if (v->hcr & ICH_HCR_LRENPIE) {
		uint64_t val = lr_read_hcr(be);

		v->hcr = (v->hcr & ~ICH_HCR_EOICOUNT_MASK) | (val & ICH_HCR_EOICOUNT_MASK);
	}
	lr_write_hcr(be, 0);

	for (unsigned i = 0; i < v->used_lrs; i++)
		kvm_fold_lr(vm, v, v->lr[i], true);
	eoicount_walk(b, v, ich_hcr_eoicount(v->hcr));
	v->used_lrs = 0;
	kvm_prune(vm, v);
	return 0;
}

/* vgic_v3_deactivate() for a trapped ICV_DIR_EL1 of an interrupt not in an LR. */
static int k619_dir_trap(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_irq *p = peer_irq(vm, vcpu, intid);

	if (p && p->s.active && !p->s.in_lr)
		deactivate_outside(b, &vm->vcpu[vcpu], p);
	kvm_prune(vm, &vm->vcpu[vcpu]);
	return 0;
}

const struct policy pol_kvm619 = {
	.name = "kvm_6.19",
	.create = k619_create,
	.destroy = peer_destroy,
	.configure = peer_configure,
	.map_hw = peer_map_hw,
	.set_resample = peer_set_resample,
	.raise_edge = kvm_raise_edge,
	.set_level = kvm_set_level,
	.sgi = kvm_sgi,
	.flush = k619_flush,
	.sync = k619_sync,
	.dir_trap = k619_dir_trap,
	/* "Eagerly save VMCR on exit" (cf72ee637119): vgic_v3_put() saves the APRs only; load as classic. */
	.put = kvm_put_aprs,
	.load = kvm_load_vmcr_aprs,
};

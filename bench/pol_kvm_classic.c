/* pol_kvm_classic.c: KVM/arm64's classic LR policy (Linux v4.17 to v6.18), re-implemented on the ICV model.
 * Before v4.17, KVM saved ICH_VMCR_EL2 and the APRs on every exit; from v4.17 at vcpu_put (kvmc_put, counted
 * only by the put/load table of bench/switch.c).
 * Facts followed (vgic.c, vgic-v3.c, hyp/vgic-v3-sr.c before the 6.19 LR-overflow series):
 *  - entry and exit do nothing at all while the ap_list is empty (kvm_vgic_flush/sync_hwstate);
 *  - flush walks the whole ap_list to count it (compute_ap_list_depth) and, when it holds more than
 *    the LRs, list_sort()s all of it with vgic_irq_cmp: active first, then pending+enabled, then
 *    priority; then fills LRs in list order and sets UIE if entries were left out (vgic_set_underflow);
 *  - LRs are built in memory and __vgic_v3_restore_state writes ICH_HCR_EL2 and each used LR;
 *  - __vgic_v3_save_state reads ELRSR, writes HCR (En cleared), reads each used LR that ELRSR does
 *    not report empty and writes 0 to every used LR; no VMCR, MISR or EISR read per exit;
 *  - fold clears UIE, folds each used LR by vINTID; prune walks the whole ap_list. */
#include "kvm_common.h"

static int cmp_classic(const struct vgic_node *a, const struct vgic_node *b)
{
	struct peer_irq *ia = peer_of_node((struct vgic_node *)a);
	struct peer_irq *ib = peer_of_node((struct vgic_node *)b);
	bool penda, pendb;
	int ret;

	b_prio_cmps++;   /* one vgic_irq_cmp() call, as list_sort() makes it */
	if (ia == ib)
		return 0;
	block_take(&ia->s.lock);
	block_take(&ib->s.lock);
	/* Active interrupts can never be pushed out of the LRs. */
	if (ia->s.active || ib->s.active) {
		ret = (int)ib->s.active - (int)ia->s.active;
		goto out;
	}
	penda = ia->s.enabled && peer_pending(ia);
	pendb = ib->s.enabled && peer_pending(ib);
	if (!penda || !pendb) {
		ret = (int)pendb - (int)penda;
		goto out;
	}
	ret = (int)ia->s.priority - (int)ib->s.priority;
out:
	block_drop(&ib->s.lock);
	block_drop(&ia->s.lock);
	return ret;
}

static struct bvm *kvmc_create(unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	return peer_create(&pol_kvm_classic, nr_vcpus, nr_lrs, nr_lpis);
}

static unsigned ap_list_depth(struct peer_vcpu *v)
{
	unsigned count = 0;

	for (struct vgic_node *n = v->ap_list.next; n != &v->ap_list; n = n->next) {
		struct peer_irq *p = peer_of_node(n);

		block_take(&p->s.lock);
		count++;   /* a GICv3 guest has no multi-source SGIs: each entry counts once */
		block_drop(&p->s.lock);
	}
	return count;
}

static void kvmc_flush(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;
	unsigned count = 0;

	if (blist_empty(&v->ap_list))
		return;
	block_take(&v->lock);
	if (ap_list_depth(v) > b->nr_lrs)
		blist_sort(&v->ap_list, cmp_classic);
	for (struct vgic_node *n = v->ap_list.next; n != &v->ap_list; n = n->next) {
		struct peer_irq *p = peer_of_node(n);

		block_take(&p->s.lock);
		if (peer_oracle(p) == v)
			kvm_populate_lr(v, p, count++);
		block_drop(&p->s.lock);
		if (count == b->nr_lrs) {
			if (!blist_is_last(n, &v->ap_list))
				v->hcr |= ICH_HCR_UIE;
			break;
		}
	}
	for (unsigned i = count; i < b->nr_lrs; i++)
		v->lr[i] = 0;
	v->used_lrs = count;
	block_drop(&v->lock);

	if (v->used_lrs) {
		lr_write_hcr(be, v->hcr);
		for (unsigned i = 0; i < v->used_lrs; i++)
			lr_write(be, i, v->lr[i]);
	}
}

static void kvmc_sync(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;

	if (blist_empty(&v->ap_list))
		return;
	if (v->used_lrs) {
		uint32_t elrsr = lr_read_elrsr(be);

		lr_write_hcr(be, v->hcr & ~ICH_HCR_EN);
		for (unsigned i = 0; i < v->used_lrs; i++) {
			if (elrsr & (1U << i))
				v->lr[i] &= ~ICH_LR_STATE_MASK;
			else
				v->lr[i] = lr_read(be, i);
			lr_write(be, i, 0);
		}
		v->hcr &= ~ICH_HCR_UIE;
		for (unsigned i = 0; i < v->used_lrs; i++)
			kvm_fold_lr(vm, v, v->lr[i], false);
		v->used_lrs = 0;
	}
	kvm_prune(vm, v);
}

/* vgic_v3_put(), v4.17 to v6.18: vgic_v3_vmcr_sync() (ICH_VMCR_EL2 read), then __vgic_v3_save_aprs(). */
static void kvmc_put(struct bvm *b, unsigned vcpu)
{
	peer_of(b)->vcpu[vcpu].vmcr = lr_read_vmcr(&b->cpu[vcpu].be);
	kvm_put_aprs(b, vcpu);
}

const struct policy pol_kvm_classic = {
	.name = "kvm_classic",
	.create = kvmc_create,
	.destroy = peer_destroy,
	.configure = peer_configure,
	.map_hw = peer_map_hw,
	.set_resample = peer_set_resample,
	.raise_edge = kvm_raise_edge,
	.set_level = kvm_set_level,
	.sgi = kvm_sgi,
	.flush = kvmc_flush,
	.sync = kvmc_sync,
	.dir_trap = NULL,   /* classic KVM never sets TDIR for overflow */
	.put = kvmc_put,
	.load = kvm_load_vmcr_aprs,   /* vgic_v3_load(): __vgic_v3_restore_vmcr_aprs() */
};

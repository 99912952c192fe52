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
 *  - fold clears UIE, folds each used LR by vINTID; prune walks the whole ap_list.
 *
 * LPIs are handled as in v5.4 to v6.8 (the LR policy above is v4.17..v6.18's; the LPI paths changed inside
 * that range, see the end of this comment):
 *  - vgic_add_lpi() (at the ITS's MAPTI; here at configure, which is not measured) appends the LPI to
 *    dist->lpi_list_head with list_add_tail, so the list is in mapping order, oldest first;
 *  - vgic_get_irq() of an LPI is vgic_get_lpi(): under lpi_list_lock, walk that list from its head until
 *    the INTID matches; vgic_put_irq() of an LPI takes lpi_list_lock again (to drop the reference).
 *    vgic_v3_fold_lr_state() does one get and one put per LR; vgic_prune_ap_list() one put for each LPI
 *    it takes off the ap_list (kvm_prune_lpi_locked());
 *  - an MSI through the ITS (the lpi1 scenario raises its LPI this way) never calls vgic_get_lpi():
 *    vgic_its_inject_msi() (and irqfd's kvm_arch_set_irq_inatomic()) first try
 *    vgic_its_inject_cached_translation(): under lpi_list_lock, walk the translation cache (an LRU list
 *    of 16 entries per vCPU) from its head, stop at the first empty entry, match doorbell, DeviceID and
 *    EventID, move a hit that is not first to the head; then latch pending and queue, as any edge.
 *    A miss, the first MSI of each event only (set-up and warm-up here, never a counted round), goes
 *    through the ITS's device and ITT lists, which are not modelled (an array index stands for them), then
 *    caches the translation (vgic_its_cache_translation(): under lpi_list_lock, check again, reuse the LRU
 *    tail entry, move it to the head).
 * Refcounts (kref/refcount atomics) are not modelled, here or in KVM 6.19. Other versions: v4.17 to v5.3
 * had no translation cache (every MSI walked the ITS's lists); v6.9 moved the LPIs to an xarray, stopped
 * taking lpi_list_lock in vgic_get_lpi()/vgic_put_irq(), and v6.10 made the cache a per-ITS xarray: those
 * paths are what the KVM 6.19 model's array index stands for. */
#include <stdio.h>
#include <stdlib.h>
#include "kvm_common.h"

/* One ITS, as QEMU's virt board places it: GITS_TRANSLATER, the MSI doorbell, at 0x08080000 + 0x10040. */
#define KVMC_ITS_DB               0x08090040ULL
#define KVMC_DEVID                0U        /* one device; its EventID n maps LPI 8192 + n */
#define LPI_DEFAULT_PCPU_CACHE_SIZE 16U

/* struct vgic_translation_cache_entry. */
struct kvmc_cte {
	struct vgic_node entry;
	uint64_t db;
	uint32_t devid, eventid;
	struct peer_irq *irq;
};

static struct kvmc_cte *cte_of(struct vgic_node *n)
{
	return blist_entry(n, struct kvmc_cte, entry);
}

/* list_move() to the head. */
static void move_to_head(struct vgic_node *n, struct vgic_node *h)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	blist_add_before(n, h->next);
}

/* vgic_get_lpi(), before v6.9. */
static struct peer_irq *get_lpi(struct peer_vm *vm, uint32_t intid)
{
	struct peer_irq *irq = NULL;

	block_take(&vm->lpi_list_lock);
	for (struct vgic_node *n = vm->lpi_list.next; n != &vm->lpi_list; n = n->next) {
		struct peer_irq *p = blist_entry(n, struct peer_irq, lpi_node);

		if (p->s.intid != intid)
			continue;
		irq = p;
		break;
	}
	block_drop(&vm->lpi_list_lock);
	return irq;
}

/* vgic_get_irq(): private and shared interrupts by index as before, LPIs from the list. */
static struct peer_irq *get_irq(struct peer_vm *vm, unsigned vcpu, uint32_t intid)
{
	if (intid >= B_LPI_BASE)
		return get_lpi(vm, intid);
	return peer_irq(vm, vcpu, intid);
}

/* vgic_put_irq(), before v6.9: nothing for a private or shared interrupt; lpi_list_lock for an LPI. */
static void put_irq(struct peer_vm *vm, struct peer_irq *p)
{
	if (p->s.intid < B_LPI_BASE)
		return;
	block_take(&vm->lpi_list_lock);
	block_drop(&vm->lpi_list_lock);
}

/* __vgic_its_check_cache(), lpi_list_lock held. */
static struct peer_irq *check_cache_locked(struct peer_vm *vm, uint64_t db, uint32_t devid, uint32_t eventid)
{
	for (struct vgic_node *n = vm->its_cache.next; n != &vm->its_cache; n = n->next) {
		struct kvmc_cte *cte = cte_of(n);

		if (!cte->irq)   /* nothing after the first empty entry */
			return NULL;
		if (cte->db != db || cte->devid != devid || cte->eventid != eventid)
			continue;
		if (n != vm->its_cache.next)
			move_to_head(n, &vm->its_cache);
		return cte->irq;
	}
	return NULL;
}

/* vgic_its_cache_translation(): reuse the least recently used entry. */
static void cache_translation(struct peer_vm *vm, uint64_t db, uint32_t devid, uint32_t eventid,
			      struct peer_irq *p)
{
	struct kvmc_cte *cte;

	block_take(&vm->lpi_list_lock);
	if (!blist_empty(&vm->its_cache) && !check_cache_locked(vm, db, devid, eventid)) {
		cte = cte_of(vm->its_cache.prev);
		cte->db = db;
		cte->devid = devid;
		cte->eventid = eventid;
		cte->irq = p;
		move_to_head(&cte->entry, &vm->its_cache);
	}
	block_drop(&vm->lpi_list_lock);
}

/* vgic_its_inject_msi(): the cached translation first, else the ITS tables (not modelled), then cache. */
static void inject_msi(struct peer_vm *vm, uint64_t db, uint32_t devid, uint32_t eventid)
{
	struct peer_irq *p;

	block_take(&vm->lpi_list_lock);
	p = check_cache_locked(vm, db, devid, eventid);
	block_drop(&vm->lpi_list_lock);
	if (!p) {
		p = peer_irq(vm, 0, B_LPI_BASE + eventid);   /* vgic_its_resolve_lpi(), a stand-in */
		if (!p) {
			fprintf(stderr, "lr_bench: kvm_classic: no LPI for EventID %u\n", eventid);
			abort();
		}
		cache_translation(vm, db, devid, eventid, p);
	}
	block_take(&p->s.lock);
	p->s.pending_latch = 1;
	kvm_queue_unlock(p);
}

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
	struct bvm *b = peer_create(&pol_kvm_classic, nr_vcpus, nr_lrs, nr_lpis);
	struct peer_vm *vm = peer_of(b);

	blist_init(&vm->lpi_list);
	blist_init(&vm->its_cache);
	/* vgic_lpi_translation_cache_init(), at the ITS's creation: empty entries, 16 per vCPU. */
	vm->nr_cte = nr_vcpus * LPI_DEFAULT_PCPU_CACHE_SIZE;
	vm->cte = calloc(vm->nr_cte, sizeof(*vm->cte));
	if (!vm->cte) {
		fprintf(stderr, "lr_bench: out of memory\n");
		abort();
	}
	for (unsigned i = 0; i < vm->nr_cte; i++)
		blist_add_before(&vm->cte[i].entry, vm->its_cache.next);
	return b;
}

static void kvmc_destroy(struct bvm *b)
{
	free(peer_of(b)->cte);
	peer_destroy(b);
}

/* Set-up, not measured; an LPI is mapped (vgic_add_lpi()) at the tail of lpi_list the first time. */
static void kvmc_configure(struct bvm *b, unsigned vcpu, uint32_t intid, uint8_t prio, bool level)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_irq *p;

	peer_configure(b, vcpu, intid, prio, level);
	p = peer_irq(vm, vcpu, intid);
	if (intid >= B_LPI_BASE && blist_empty(&p->lpi_node))
		blist_add_tail(&p->lpi_node, &vm->lpi_list);
}

/* An LPI is raised as an MSI through the ITS (kvm_set_msi(), or irqfd); the rest as kvm_vgic_inject_irq(). */
static int kvmc_raise_edge(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	if (intid >= B_LPI_BASE) {
		inject_msi(peer_of(b), KVMC_ITS_DB, KVMC_DEVID, intid - B_LPI_BASE);
		return 0;
	}
	kvm_raise_edge(b, vcpu, intid);
	return 0;
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

static int kvmc_flush(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;
	unsigned count = 0;

	if (blist_empty(&v->ap_list))
		return 0;
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
	return 0;
}

static int kvmc_sync(struct bvm *b, unsigned vcpu)
{
	struct peer_vm *vm = peer_of(b);
	struct peer_vcpu *v = &vm->vcpu[vcpu];
	struct lr_backend *be = &b->cpu[vcpu].be;

	if (blist_empty(&v->ap_list))
		return 0;
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
		for (unsigned i = 0; i < v->used_lrs; i++) {
			struct peer_irq *p = get_irq(vm, vcpu, ich_lr_vintid(v->lr[i]));

			if (!p)   /* an LPI unmapped meanwhile */
				continue;
			kvm_fold_irq(vm, p, v->lr[i]);
			put_irq(vm, p);
		}
		v->used_lrs = 0;
	}
	kvm_prune_lpi_locked(vm, v);
	return 0;
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
	.destroy = kvmc_destroy,
	.configure = kvmc_configure,
	.map_hw = peer_map_hw,
	.set_resample = peer_set_resample,
	.raise_edge = kvmc_raise_edge,
	.set_level = kvm_set_level,
	.sgi = kvm_sgi,
	.flush = kvmc_flush,
	.sync = kvmc_sync,
	.dir_trap = NULL,   /* classic KVM never sets TDIR for overflow */
	.put = kvmc_put,
	.load = kvm_load_vmcr_aprs,   /* vgic_v3_load(): __vgic_v3_restore_vmcr_aprs() */
};

/* vgic_save.c: the whole VGIC state as a versioned, little-endian blob, and its restore into a fresh
 * instance. A blob is parsed like guest input: checked completely before anything changes. */
#include "vgic_internal.h"
#include "gic_regs.h"

/*
 * Format, version 1 (every field little-endian; docs/design.md, "Save and restore"):
 *   header   magic "VGIC" | u16 version | u16 header bytes | u32 total bytes | u32 checksum
 *            | u32 nr_vcpus | u32 nr_spis | u32 nr_lpis | u8 prio_mask | u8 grp0 | u8 grp1 | u8 0
 *   per vCPU u64 mpidr | u64 propbaser | u64 pendbaser | u8 awake | u8 lpis_enabled | u8 ptz | u8 0
 *            | u64 vmcr | u32 apr0[4] | u32 apr1[4]          (the guest's CPU interface, from the arch)
 *   per interrupt, private ones (vCPU by vCPU), then SPIs, then LPIs:
 *            u32 intid | u32 hw_intid | u32 target | u32 active_on | u64 irouter
 *            | u8 priority | u8 active_prio | u16 flags
 * The checksum is FNV-1a over every byte after the checksum field.
 */
#define SAVE_MAGIC        0x43494756U   /* "VGIC" read as a little-endian u32 */
#define SAVE_VERSION      1U
#define SAVE_HEADER_BYTES 32U
#define SAVE_VCPU_BYTES   (8U * 4U + 4U + 4U * 2U * VGIC_SAVE_APRS)
#define SAVE_IRQ_BYTES    28U
#define SAVE_NO_VCPU      0xffffffffU
#define CHECKSUM_OFFSET   12U
#define FNV_OFFSET        0x811c9dc5U
#define FNV_PRIME         0x01000193U

enum irq_flag {
	F_GROUP = 1U << 0, F_ENABLED = 1U << 1, F_LEVEL = 1U << 2, F_LATCH = 1U << 3,
	F_LINE = 1U << 4, F_ACTIVE = 1U << 5, F_HW = 1U << 6,
	F_ALL = (1U << 7) - 1U,
};

struct cursor {
	uint8_t *w;            /* writing: destination (NULL: only count) */
	const uint8_t *r;      /* reading */
	size_t pos, len;
	bool bad;
};

/* Past the end of the buffer only counts (a too-small buffer gets HV_ENOSPC and the size). The cursor
 * is read into locals first: a byte store may alias it, which would reload it after every byte. */
static void put(struct cursor *c, uint64_t v, unsigned bytes)
{
	uint8_t *w = c->w;
	size_t pos = c->pos;

	if (w && pos <= c->len && c->len - pos >= bytes)
#pragma GCC unroll 8
		for (unsigned i = 0; i < bytes; i++)
			w[pos + i] = (uint8_t)(v >> (8U * i));
	c->pos = pos + bytes;
}

static uint64_t get(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	if (c->bad || c->len - c->pos < bytes) {
		c->bad = true;
		return 0;
	}
#pragma GCC unroll 8
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)c->r[c->pos + i] << (8U * i);
	c->pos += bytes;
	return v;
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = FNV_OFFSET;

	while (n--)
		h = (h ^ *p++) * FNV_PRIME;
	return h;
}

static uint32_t vcpu_index(const struct vgic_vcpu *v)
{
	return v ? v->id : SAVE_NO_VCPU;
}

static size_t blob_bytes(const struct vgic *vm)
{
	size_t irqs = (size_t)vm->nr_vcpus * VGIC_NR_PRIVATE + vm->nr_spis + vm->nr_lpis;

	return SAVE_HEADER_BYTES + (size_t)vm->nr_vcpus * SAVE_VCPU_BYTES + irqs * SAVE_IRQ_BYTES;
}

/* Every interrupt in blob order: private (vCPU by vCPU), SPIs, LPIs. */
static struct vgic_irq *irq_at(struct vgic *vm, size_t k)
{
	size_t priv = (size_t)vm->nr_vcpus * VGIC_NR_PRIVATE;

	if (k < priv)
		return &vm->vcpus[k / VGIC_NR_PRIVATE].priv[k % VGIC_NR_PRIVATE];
	k -= priv;
	return k < vm->nr_spis ? &vm->spis[k] : &vm->lpis[k - vm->nr_spis];
}

static void save_irq(struct cursor *c, const struct vgic_irq *irq)
{
	uint16_t f = (uint16_t)((irq->group ? F_GROUP : 0) | (irq->enabled ? F_ENABLED : 0) |
				(irq->trigger == VGIC_LEVEL ? F_LEVEL : 0) | (irq->pending_latch ? F_LATCH : 0) |
				(irq->line_level ? F_LINE : 0) | (irq->active ? F_ACTIVE : 0) | (irq->hw ? F_HW : 0));

	put(c, irq->intid, 4);
	put(c, irq->hw_intid, 4);
	put(c, vcpu_index(irq->target), 4);
	put(c, vcpu_index(irq->active_on), 4);
	put(c, irq->irouter, 8);
	put(c, irq->priority, 1);
	put(c, irq->active_prio, 1);
	put(c, f, 2);
}

int vgic_save(struct vgic *vm, const struct vgic_cpu_state *cpu, void *buf, size_t size, size_t *used)
{
	struct cursor c = { .w = buf, .len = size };
	size_t need;
	int rc = HV_OK;

	if (!vm || !used || (size && !buf))
		return HV_EINVAL;
	need = blob_bytes(vm);
	*used = need;
	if (size < need)
		return HV_ENOSPC;
	/*
	 * The LRs must hold nothing the interrupts do not: every vCPU synced, none loaded. Holding every
	 * ap_lock keeps them so and freezes every listed interrupt; dist_lock is taken alone, for the
	 * distributor's fields, since nothing may be locked under it.
	 */
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		vgic_lock(vm, &vm->vcpus[i].ap_lock);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (vgic_vcpu_loaded(&vm->vcpus[i]))
			rc = HV_EBUSY;
	if (rc == HV_OK) {
		bool grp0, grp1;

		/* An LR kept across the last exit (docs/design.md 7.2b) holds state the blob must carry. */
		for (uint32_t i = 0; i < vm->nr_vcpus; i++)
			vgic_lr_unkeep_all(&vm->vcpus[i]);

		vgic_lock(vm, &vm->dist_lock);
		grp0 = vm->grp0_enabled;
		grp1 = vm->grp1_enabled;
		put(&c, SAVE_MAGIC, 4);
		put(&c, SAVE_VERSION, 2);
		put(&c, SAVE_HEADER_BYTES, 2);
		put(&c, need, 4);
		put(&c, 0, 4);                       /* checksum, filled in below */
		put(&c, vm->nr_vcpus, 4);
		put(&c, vm->nr_spis, 4);
		put(&c, vm->nr_lpis, 4);
		put(&c, vm->prio_mask, 1);
		put(&c, grp0, 1);
		put(&c, grp1, 1);
		put(&c, 0, 1);
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			const struct vgic_vcpu *v = &vm->vcpus[i];

			put(&c, v->mpidr, 8);
			put(&c, v->rd_propbaser, 8);
			put(&c, v->rd_pendbaser, 8);
			put(&c, v->rd_awake, 1);
			put(&c, __atomic_load_n(&v->rd_lpis_enabled, __ATOMIC_ACQUIRE), 1);
			put(&c, v->rd_pend_ptz, 1);
			put(&c, 0, 1);
			put(&c, cpu ? cpu[i].vmcr : 0, 8);
			for (unsigned g = 0; g < 2; g++)
				for (unsigned n = 0; n < VGIC_SAVE_APRS; n++)
					put(&c, cpu ? cpu[i].apr[g][n] : 0, 4);
		}
		vgic_unlock(vm, &vm->dist_lock);
		for (size_t k = 0; k < (size_t)vm->nr_vcpus * VGIC_NR_PRIVATE + vm->nr_spis + vm->nr_lpis; k++) {
			struct vgic_irq *irq = irq_at(vm, k);

			vgic_lock(vm, &irq->lock);
			save_irq(&c, irq);
			vgic_unlock(vm, &irq->lock);
		}
	}
	for (uint32_t i = vm->nr_vcpus; i-- > 0;)
		vgic_unlock(vm, &vm->vcpus[i].ap_lock);
	if (rc == HV_OK) {
		c.pos = CHECKSUM_OFFSET;
		put(&c, fnv1a((const uint8_t *)buf + CHECKSUM_OFFSET + 4U, need - CHECKSUM_OFFSET - 4U), 4);
	}
	return rc;
}

/* One interrupt record, checked against what the fresh instance has at that position. */
struct irq_rec {
	uint32_t intid, hw_intid, target, active_on;
	uint64_t irouter;
	uint8_t priority, active_prio;
	uint16_t flags;
};

static bool read_irq(struct cursor *c, const struct vgic *vm, const struct vgic_irq *irq, struct irq_rec *r)
{
	bool priv = irq->intid < VGIC_NR_PRIVATE, lpi = irq->lpi;

	r->intid = (uint32_t)get(c, 4);
	r->hw_intid = (uint32_t)get(c, 4);
	r->target = (uint32_t)get(c, 4);
	r->active_on = (uint32_t)get(c, 4);
	r->irouter = get(c, 8);
	r->priority = (uint8_t)get(c, 1);
	r->active_prio = (uint8_t)get(c, 1);
	r->flags = (uint16_t)get(c, 2);
	if (c->bad || r->intid != irq->intid || (r->flags & ~F_ALL))
		return false;
	if ((r->priority & ~vm->prio_mask) || (r->active_prio & ~vm->prio_mask))
		return false;
	if ((r->target != SAVE_NO_VCPU && r->target >= vm->nr_vcpus) ||
	    (r->active_on != SAVE_NO_VCPU && r->active_on >= vm->nr_vcpus))
		return false;
	/* What the architecture fixes: private interrupts belong to their vCPU, SGIs and LPIs are edge,
	 * LPIs Group 1 with no active state, no HW mapping of an SGI or LPI, IROUTER only for SPIs. */
	if (priv && r->target != irq->target->id)
		return false;
	if ((irq->intid < VGIC_NR_SGIS || lpi) && (r->flags & (F_LEVEL | F_HW)))
		return false;
	if (lpi && (!(r->flags & F_GROUP) || (r->flags & (F_ACTIVE | F_LINE))))
		return false;
	if ((r->flags & F_HW) && (r->hw_intid < VGIC_NR_SGIS || r->hw_intid > ICH_LR_PINTID_MAX))
		return false;
	if (!(r->flags & F_HW) && r->hw_intid)
		return false;
	if ((r->flags & F_ACTIVE) ? r->active_on == SAVE_NO_VCPU : r->active_on != SAVE_NO_VCPU)
		return false;
	if ((priv || lpi) ? r->irouter != 0 : (r->irouter & ~GICD_IROUTER_WRITABLE) != 0)
		return false;
	return true;
}

static void apply_irq(struct vgic *vm, struct vgic_irq *irq, const struct irq_rec *r)
{
	struct vgic_vcpu *v = vgic_irq_lock_listed(vm, irq);

	irq->hw_intid = r->hw_intid;
	__atomic_store_n(&irq->target, r->target == SAVE_NO_VCPU ? NULL : &vm->vcpus[r->target], __ATOMIC_RELAXED);
	irq->active_on = r->active_on == SAVE_NO_VCPU ? NULL : &vm->vcpus[r->active_on];
	irq->irouter = r->irouter;
	irq->priority = r->priority;
	irq->active_prio = r->active_prio;
	irq->group = (r->flags & F_GROUP) != 0;
	irq->enabled = (r->flags & F_ENABLED) != 0;
	irq->trigger = (r->flags & F_LEVEL) ? VGIC_LEVEL : VGIC_EDGE;
	irq->pending_latch = (r->flags & F_LATCH) != 0;
	irq->line_level = (r->flags & F_LINE) != 0;
	irq->active = (r->flags & F_ACTIVE) != 0;
	irq->hw = (r->flags & F_HW) != 0;
	vgic_irq_update_unlock(vm, irq, v);
}

/* Pass 1 checks everything (apply false); pass 2, only if pass 1 found nothing wrong, applies it. */
static int restore_pass(struct vgic *vm, const uint8_t *blob, size_t len, struct vgic_cpu_state *cpu, bool apply)
{
	struct cursor c = { .r = blob, .len = len };
	size_t nr_irqs = (size_t)vm->nr_vcpus * VGIC_NR_PRIVATE + vm->nr_spis + vm->nr_lpis;
	uint32_t nr_vcpus, nr_spis, nr_lpis, sum;
	uint8_t prio_mask, grp0, grp1;

	if (get(&c, 4) != SAVE_MAGIC)
		return HV_EINVAL;
	if (get(&c, 2) != SAVE_VERSION || get(&c, 2) != SAVE_HEADER_BYTES)
		return HV_EINVAL;
	/* Truncated or padded: corrupt. A whole blob of another shape is refused below, as HV_ERANGE. */
	if (get(&c, 4) != len || c.bad || len < SAVE_HEADER_BYTES)
		return HV_EINVAL;
	/* The checking pass has verified the checksum of these very bytes; the applying one re-checks
	 * every field anyway, so it need not hash them again. */
	sum = (uint32_t)get(&c, 4);
	if (!apply && sum != fnv1a(blob + CHECKSUM_OFFSET + 4U, len - CHECKSUM_OFFSET - 4U))
		return HV_EINVAL;
	if (len != blob_bytes(vm))
		return HV_ERANGE;
	nr_vcpus = (uint32_t)get(&c, 4);
	nr_spis = (uint32_t)get(&c, 4);
	nr_lpis = (uint32_t)get(&c, 4);
	prio_mask = (uint8_t)get(&c, 1);
	grp0 = (uint8_t)get(&c, 1);
	grp1 = (uint8_t)get(&c, 1);
	(void)get(&c, 1);
	if (c.bad)
		return HV_EINVAL;
	/* The receiving instance must have the same shape; only the LR count may differ. */
	if (nr_vcpus != vm->nr_vcpus || nr_spis != vm->nr_spis || nr_lpis != vm->nr_lpis ||
	    prio_mask != vm->prio_mask)
		return HV_ERANGE;
	if (grp0 > 1 || grp1 > 1)
		return HV_EINVAL;
	for (uint32_t i = 0; i < nr_vcpus; i++) {
		struct vgic_vcpu *v = &vm->vcpus[i];
		uint64_t mpidr = get(&c, 8), prop = get(&c, 8), pend = get(&c, 8);
		uint8_t awake = (uint8_t)get(&c, 1), lpis_on = (uint8_t)get(&c, 1), ptz = (uint8_t)get(&c, 1);
		struct vgic_cpu_state s;

		(void)get(&c, 1);
		s.vmcr = get(&c, 8);
		for (unsigned g = 0; g < 2; g++)
			for (unsigned n = 0; n < VGIC_SAVE_APRS; n++)
				s.apr[g][n] = (uint32_t)get(&c, 4);
		if (c.bad || awake > 1 || lpis_on > 1 || ptz > 1 || (lpis_on && !nr_lpis) ||
		    (prop & ~GICR_PROPBASER_WRITABLE) || (pend & ~GICR_PENDBASER_WRITABLE))
			return HV_EINVAL;
		if (apply) {
			v->mpidr = mpidr;
			v->rd_propbaser = prop;
			v->rd_pendbaser = pend;
			v->rd_awake = awake;
			v->rd_pend_ptz = ptz;
			__atomic_store_n(&v->rd_lpis_enabled, lpis_on != 0, __ATOMIC_RELEASE);
			if (cpu)
				cpu[i] = s;
		}
	}
	for (size_t k = 0; k < nr_irqs; k++) {
		struct vgic_irq *irq = irq_at(vm, k);
		struct irq_rec r;

		if (!read_irq(&c, vm, irq, &r))
			return HV_EINVAL;
		if (apply)
			apply_irq(vm, irq, &r);
	}
	if (c.pos != len)
		return HV_EINVAL;
	if (apply) {
		vgic_lock(vm, &vm->dist_lock);
		vm->route_gen++;
		vgic_unlock(vm, &vm->dist_lock);
		/* The group enables last: their sweep re-places every interrupt under the restored state. */
		return vgic_dist_enable(vm, grp0, grp1);
	}
	return HV_OK;
}

int vgic_restore(struct vgic *vm, const void *blob, size_t len, struct vgic_cpu_state *cpu)
{
	int rc;

	if (!vm || !blob)
		return HV_EINVAL;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (vgic_vcpu_loaded(&vm->vcpus[i]))
			return HV_EBUSY;
	rc = restore_pass(vm, blob, len, NULL, false);
	return rc ? rc : restore_pass(vm, blob, len, cpu, true);
}

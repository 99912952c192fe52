/* vgic_core.c: VM and vCPU set-up, INTID lookup, and the distributor-level state setters.
 * Each setter locks the interrupt, changes one field, and lets vgic_irq_update_unlock() requeue it. */
#include "vgic_internal.h"

static const struct vgic_hooks vgic_no_hooks;

static int spi_chip_set_level(struct irq_chip *chip, uint32_t line, bool high);
static int spi_chip_pulse(struct irq_chip *chip, uint32_t line);
static int spi_chip_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner);
static int ppi_chip_set_level(struct irq_chip *chip, uint32_t line, bool high);
static int ppi_chip_pulse(struct irq_chip *chip, uint32_t line);
static int ppi_chip_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner);

static const struct irq_chip_ops vgic_spi_chip_ops = {
	.set_level = spi_chip_set_level,
	.pulse = spi_chip_pulse,
	.set_resample = spi_chip_set_resample,
};

static const struct irq_chip_ops vgic_ppi_chip_ops = {
	.set_level = ppi_chip_set_level,
	.pulse = ppi_chip_pulse,
	.set_resample = ppi_chip_set_resample,
};

static void irq_reset(struct vgic_irq *irq, uint32_t intid, struct vgic_vcpu *target)
{
	vgic_zero(irq, sizeof(*irq));
	vgic_node_init(&irq->ap_node);
	irq->intid = intid;
	irq->target = target;
	/* SGIs are always edge; PPIs and SPIs reset to level as GICD_ICFGR's reset value allows. */
	irq->trigger = intid < VGIC_NR_SGIS ? VGIC_EDGE : VGIC_LEVEL;
}

int vgic_init(struct vgic *vm, const struct vgic_config *cfg,
	      const struct vgic_hooks *hooks, void *hooks_ctx,
	      struct vgic_vcpu *vcpus, struct vgic_irq *spis)
{
	unsigned prio_bits;

	if (!vm || !cfg || !vcpus || (cfg->nr_spis && !spis))
		return HV_EINVAL;
	if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > VGIC_MAX_VCPUS ||
	    cfg->nr_spis > VGIC_MAX_SPIS ||
	    (cfg->nr_spis % 32U && cfg->nr_spis != VGIC_MAX_SPIS))
		return HV_ERANGE;
	prio_bits = cfg->prio_bits ? cfg->prio_bits : VGIC_DEFAULT_PRIO_BITS;
	/* The GICv3 virtual CPU interface implements at least 5 priority bits (ICH_VTR_EL2.PRIbits >= 4). */
	if (prio_bits < VGIC_MIN_PRIO_BITS || prio_bits > 8)
		return HV_ERANGE;

	/* Two lock mechanisms at once would lock with one and unlock with the other. */
	if (hooks && hooks->spin_locks && (hooks->lock || hooks->unlock))
		return HV_EINVAL;

	vgic_zero(vm, sizeof(*vm));
	vm->hooks = hooks ? hooks : &vgic_no_hooks;
	vm->hooks_ctx = hooks_ctx;
	vm->spin_locks = vm->hooks->spin_locks;
	vm->vcpus = vcpus;
	vm->nr_vcpus = cfg->nr_vcpus;
	vm->spis = spis;
	vm->nr_spis = cfg->nr_spis;
	vm->prio_mask = (uint8_t)(0xffU << (8 - prio_bits));
	vm->spi_chip.ops = &vgic_spi_chip_ops;
	vm->spi_chip.name = "vgic-spi";
	vm->spi_chip.nr_lines = cfg->nr_spis;

	for (uint32_t i = 0; i < cfg->nr_vcpus; i++) {
		struct vgic_vcpu *v = &vcpus[i];

		vgic_zero(v, sizeof(*v));
		v->vm = vm;
		v->id = i;
		v->mpidr = i; /* Aff0 = index until the arch says otherwise */
		vgic_aplist_init(&v->aplist);
		for (uint32_t intid = 0; intid < VGIC_NR_PRIVATE; intid++)
			irq_reset(&v->priv[intid], intid, v);
		v->ppi_chip.ops = &vgic_ppi_chip_ops;
		v->ppi_chip.name = "vgic-ppi";
		v->ppi_chip.nr_lines = VGIC_NR_PPIS;
	}
	/* SPIs reset routed to vCPU 0, as GICD_IROUTER's reset value of 0 selects affinity 0.0.0.0. */
	for (uint32_t i = 0; i < cfg->nr_spis; i++)
		irq_reset(&spis[i], VGIC_SPI_BASE + i, &vcpus[0]);
	return HV_OK;
}

struct vgic_vcpu *vgic_get_vcpu(struct vgic *vm, uint32_t vcpu)
{
	if (!vm || vcpu >= vm->nr_vcpus)
		return NULL;
	return &vm->vcpus[vcpu];
}

int vgic_vcpu_set_backend(struct vgic *vm, uint32_t vcpu, struct lr_backend *be)
{
	struct vgic_vcpu *v = vgic_get_vcpu(vm, vcpu);

	if (!vm || !be || !be->ops)
		return HV_EINVAL;
	if (!v)
		return HV_ERANGE;
	if (be->nr_lrs == 0 || be->nr_lrs > LR_BACKEND_MAX_LRS)
		return HV_ERANGE;
	/*
	 * The LRs hold priorities at the precision the CPU interface implements. A configuration with more
	 * bits would write values the hardware truncates, so every entry would see a "changed" LR.
	 */
	if (be->ops->read_vtr) {
		unsigned hw_bits = (unsigned)((lr_read_vtr(be) >> ICH_VTR_PRIBITS_SHIFT) & 7U) + 1U;

		if ((uint8_t)(0xffU << (8 - hw_bits)) != vm->prio_mask)
			return HV_EINVAL;
	}
	vgic_lock(vm, &v->ap_lock);
	if (vgic_vcpu_loaded(v)) {
		/* Flushed and not synced: the LRs of the old backend own in-flight state. */
		vgic_unlock(vm, &v->ap_lock);
		return HV_EBUSY;
	}
	/* A kept LR (docs/design.md 7.2b) lives in the old backend; the new one may have fewer LRs. */
	vgic_lr_unkeep_all(v);
	v->be = be;
	v->sel_dirty = true;
	vgic_unlock(vm, &v->ap_lock);
	return HV_OK;
}

int vgic_vcpu_set_mpidr(struct vgic *vm, uint32_t vcpu, uint64_t mpidr)
{
	struct vgic_vcpu *v = vgic_get_vcpu(vm, vcpu);

	if (!vm)
		return HV_EINVAL;
	if (!v)
		return HV_ERANGE;
	v->mpidr = mpidr;
	return HV_OK;
}

struct vgic_irq *vgic_get_irq(struct vgic *vm, uint32_t vcpu, uint32_t intid)
{
	if (!vm)
		return NULL;
	if (intid < VGIC_NR_PRIVATE)
		return vcpu < vm->nr_vcpus ? &vm->vcpus[vcpu].priv[intid] : NULL;
	if (intid - VGIC_SPI_BASE < vm->nr_spis)
		return &vm->spis[intid - VGIC_SPI_BASE];
	if (intid - VGIC_LPI_BASE < vm->nr_lpis)
		return &vm->lpis[intid - VGIC_LPI_BASE];
	return NULL;
}

struct vgic_irq *vgic_lookup_slow(struct vgic *vm, uint32_t vcpu, uint32_t intid, int *err)
{
	struct vgic_irq *irq;

	if (!vm) {
		*err = HV_EINVAL;
		return NULL;
	}
	if (intid < VGIC_NR_PRIVATE && vcpu >= vm->nr_vcpus) {
		*err = HV_ERANGE;
		return NULL;
	}
	irq = vgic_get_irq(vm, vcpu, intid);
	*err = irq ? HV_OK : HV_ERANGE;
	return irq;
}

/* Every setter is "look up, lock, change, requeue". */
#define VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, stmt)                           \
	do {                                                                  \
		int err_;                                                     \
		struct vgic_vcpu *v_;                                         \
		struct vgic_irq *irq = vgic_lookup(vm, vcpu, intid, &err_);  \
		if (!irq)                                                     \
			return err_;                                          \
		v_ = vgic_irq_lock_for_update(vm, irq);                       \
		stmt;                                                         \
		vgic_irq_update_unlock(vm, irq, v_);                          \
	} while (0)

int vgic_irq_set_enabled(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on)
{
	VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, irq->enabled = on);
	return HV_OK;
}

int vgic_irq_set_priority(struct vgic *vm, uint32_t vcpu, uint32_t intid, uint8_t prio)
{
	VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, irq->priority = prio & vm->prio_mask);
	return HV_OK;
}

int vgic_irq_set_group(struct vgic *vm, uint32_t vcpu, uint32_t intid, unsigned grp)
{
	if (grp > 1)
		return HV_EINVAL;
	/* LPIs are always Group 1. */
	if (intid >= VGIC_LPI_BASE && vgic_get_irq(vm, vcpu, intid))
		return grp == 1 ? HV_OK : HV_EPERM;
	VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, irq->group = grp & 1U);
	return HV_OK;
}

int vgic_irq_set_trigger(struct vgic *vm, uint32_t vcpu, uint32_t intid, enum vgic_trigger t)
{
	int err;

	if (!vgic_lookup(vm, vcpu, intid, &err))
		return err;
	if (t != VGIC_EDGE && t != VGIC_LEVEL)
		return HV_EINVAL;
	/* SGIs and LPIs are always edge-triggered. */
	if (intid < VGIC_NR_SGIS || intid >= VGIC_LPI_BASE)
		return t == VGIC_EDGE ? HV_OK : HV_EPERM;
	VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, irq->trigger = t);
	return HV_OK;
}

int vgic_irq_set_target(struct vgic *vm, uint32_t intid, uint32_t target_vcpu)
{
	struct vgic_vcpu *t;

	if (!vm)
		return HV_EINVAL;
	if (intid < VGIC_SPI_BASE)
		return HV_EPERM; /* private interrupts belong to their vCPU */
	if (target_vcpu >= vm->nr_vcpus && target_vcpu != VGIC_TARGET_NONE)
		return HV_ERANGE;
	t = target_vcpu == VGIC_TARGET_NONE ? NULL : &vm->vcpus[target_vcpu];
	VGIC_IRQ_UPDATE(vm, 0, intid, irq, __atomic_store_n(&irq->target, t, __ATOMIC_RELAXED));
	return HV_OK;
}

int vgic_irq_set_pending(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on)
{
	VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, {
		/*
		 * A HW interrupt pending for the guest holds its physical side
		 * active; withdrawn before the guest took it, the physical side
		 * must be deactivated or it never fires again.
		 */
		if (!on && irq->hw && !irq->in_lr && !irq->active && vgic_irq_is_pending(irq))
			vgic_irq_phys_deactivate(vm, irq);
		irq->pending_latch = on;
		/* In an LR the hardware holds the pending bit: ask the next sync to drop it. */
		irq->pend_clear_req = !on && irq->in_lr;
		if (!on && irq->trigger == VGIC_LEVEL && irq->hw)
			irq->line_level = 0;
	});
	return HV_OK;
}

int vgic_irq_set_active(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on)
{
	struct vgic_deferred d;

	d.nr_requeue = d.nr_resample = 0;
	VGIC_IRQ_UPDATE(vm, vcpu, intid, irq, {
		if (irq->in_lr) {
			irq->act_req = on ? VGIC_ACT_REQ_SET : VGIC_ACT_REQ_CLEAR;
		} else if (on && !irq->active) {
			irq->active = 1;
			irq->active_prio = irq->priority;
			irq->active_on = irq->vcpu ? irq->vcpu : irq->target;
		} else if (!on && irq->active) {
			/* A deactivation like any other: the line owner resamples. */
			vgic_irq_deactivate_locked(vm, irq);
			vgic_defer_resample(&d, irq);
		}
	});
	vgic_deferred_run(vm, &d);
	return HV_OK;
}

/*
 * Map or unmap: refused with HV_EBUSY while the interrupt is in an LR or active, since the physical
 * side of an in-flight interrupt would be orphaned. A refused call changes nothing and kicks nobody.
 */
static int irq_set_hw(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool hw, uint32_t pintid)
{
	int err;
	struct vgic_vcpu *v;
	struct vgic_irq *irq = vgic_lookup(vm, vcpu, intid, &err);

	if (!irq)
		return err;
	v = vgic_irq_lock_listed(vm, irq);
	if (irq->in_lr || irq->active) {
		vgic_irq_unlock_listed(vm, irq, v);
		return HV_EBUSY;
	}
	irq->hw = hw;
	irq->hw_intid = hw ? pintid : 0;
	vgic_irq_update_unlock(vm, irq, v);
	return HV_OK;
}

int vgic_irq_map_hw(struct vgic *vm, uint32_t vcpu, uint32_t intid, uint32_t pintid)
{
	if (pintid < VGIC_NR_SGIS || pintid > ICH_LR_PINTID_MAX)
		return HV_ERANGE;
	return irq_set_hw(vm, vcpu, intid, true, pintid);
}

int vgic_irq_unmap_hw(struct vgic *vm, uint32_t vcpu, uint32_t intid)
{
	return irq_set_hw(vm, vcpu, intid, false, 0);
}

int vgic_irq_get_state(struct vgic *vm, uint32_t vcpu, uint32_t intid, struct vgic_irq_state *out)
{
	int err;
	struct vgic_vcpu *v;
	struct vgic_irq *irq = vgic_lookup(vm, vcpu, intid, &err);

	if (!irq)
		return err;
	if (!out)
		return HV_EINVAL;
	v = vgic_irq_lock_listed(vm, irq);
	/* An LR may hold the pending state (the latch or a HW line moved into it at entry). */
	out->pending = vgic_irq_is_pending(irq) || irq->latch_in_lr || irq->line_in_lr;
	out->active = irq->active;
	out->enabled = irq->enabled;
	out->hw = irq->hw;
	out->level_cfg = irq->trigger == VGIC_LEVEL;
	out->line_level = irq->line_level;
	out->queued = v != NULL;
	out->priority = irq->priority;
	out->group = irq->group;
	out->queued_on = v ? (int32_t)v->id : -1;
	out->target = irq->target ? (int32_t)irq->target->id : -1;
	vgic_unlock(vm, &irq->lock);
	if (v)
		vgic_unlock(vm, &v->ap_lock);
	return HV_OK;
}

int vgic_dist_enable(struct vgic *vm, bool grp0, bool grp1)
{
	if (!vm)
		return HV_EINVAL;
	vgic_lock(vm, &vm->dist_lock);
	__atomic_store_n(&vm->grp0_enabled, grp0, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->grp1_enabled, grp1, __ATOMIC_RELEASE);
	vgic_unlock(vm, &vm->dist_lock);
	/*
	 * A group enable changes the oracle's answer for every interrupt:
	 * re-place them all. No lock is held across the sweep, so kicks run
	 * unlocked; concurrent writers converge because each requeue reads the
	 * current enables and the last writer's sweep follows its own write.
	 */
	for (uint32_t c = 0; c < vm->nr_vcpus; c++)
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
			struct vgic_irq *irq = &vm->vcpus[c].priv[i];

			vgic_irq_update_unlock(vm, irq, vgic_irq_lock_listed(vm, irq));
		}
	for (uint32_t i = 0; i < vm->nr_spis; i++) {
		struct vgic_irq *irq = &vm->spis[i];

		vgic_irq_update_unlock(vm, irq, vgic_irq_lock_listed(vm, irq));
	}
	/* LPIs too (Group 1): one pending while the group was off must arrive when it comes back. */
	for (uint32_t i = 0; i < vm->nr_lpis; i++) {
		struct vgic_irq *irq = &vm->lpis[i];

		vgic_irq_update_unlock(vm, irq, vgic_irq_lock_listed(vm, irq));
	}
	return HV_OK;
}

/* ---- irq_line chips ---- */
static struct vgic *spi_chip_vm(struct irq_chip *chip)
{
	return vgic_container_of(chip, struct vgic, spi_chip);
}

static struct vgic_vcpu *ppi_chip_vcpu(struct irq_chip *chip)
{
	return vgic_container_of(chip, struct vgic_vcpu, ppi_chip);
}

static int spi_chip_set_level(struct irq_chip *chip, uint32_t line, bool high)
{
	struct vgic *vm = spi_chip_vm(chip);

	if (line >= vm->nr_spis)
		return HV_ERANGE;
	return vgic_line_set(vm, &vm->spis[line], high, false);
}

static int spi_chip_pulse(struct irq_chip *chip, uint32_t line)
{
	struct vgic *vm = spi_chip_vm(chip);

	if (line >= vm->nr_spis)
		return HV_ERANGE;
	return vgic_line_set(vm, &vm->spis[line], true, true);
}

static int set_resample(struct vgic *vm, struct vgic_irq *irq, irq_resample_fn fn, void *owner)
{
	struct vgic_vcpu *v = vgic_irq_lock_listed(vm, irq);

	irq->resample = fn;
	irq->resample_owner = owner;
	vgic_irq_unlock_listed(vm, irq, v);
	return HV_OK;
}

static int spi_chip_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner)
{
	struct vgic *vm = spi_chip_vm(chip);

	if (line >= vm->nr_spis)
		return HV_ERANGE;
	return set_resample(vm, &vm->spis[line], fn, owner);
}

static int ppi_chip_set_level(struct irq_chip *chip, uint32_t line, bool high)
{
	struct vgic_vcpu *v = ppi_chip_vcpu(chip);

	if (line >= VGIC_NR_PPIS)
		return HV_ERANGE;
	return vgic_line_set(v->vm, &v->priv[VGIC_NR_SGIS + line], high, false);
}

static int ppi_chip_pulse(struct irq_chip *chip, uint32_t line)
{
	struct vgic_vcpu *v = ppi_chip_vcpu(chip);

	if (line >= VGIC_NR_PPIS)
		return HV_ERANGE;
	return vgic_line_set(v->vm, &v->priv[VGIC_NR_SGIS + line], true, true);
}

static int ppi_chip_set_resample(struct irq_chip *chip, uint32_t line, irq_resample_fn fn, void *owner)
{
	struct vgic_vcpu *v = ppi_chip_vcpu(chip);

	if (line >= VGIC_NR_PPIS)
		return HV_ERANGE;
	return set_resample(v->vm, &v->priv[VGIC_NR_SGIS + line], fn, owner);
}

struct irq_chip *vgic_spi_chip(struct vgic *vm)
{
	return vm ? &vm->spi_chip : NULL;
}

struct irq_chip *vgic_ppi_chip(struct vgic *vm, uint32_t vcpu)
{
	struct vgic_vcpu *v = vgic_get_vcpu(vm, vcpu);

	return v ? &v->ppi_chip : NULL;
}

/* vgic_switch.c: vCPUs that move between physical CPUs and share them across VMs: put and load.
 * What a CPU's list registers hold travels with the CPU (struct vgic_cpu_if), not with the vCPU. */
#include "vgic_internal.h"

int vgic_cpu_if_init(struct vgic_cpu_if *c, struct lr_backend *be)
{
	if (!c || !be || !be->ops)
		return HV_EINVAL;
	if (be->nr_lrs == 0 || be->nr_lrs > LR_BACKEND_MAX_LRS)
		return HV_ERANGE;
	vgic_zero(c, sizeof(*c));
	c->be = be;
	/* Reset values are UNKNOWN: every LR may hold anything, and HCR too. */
	c->hw_dirty = VGIC_LR_MASK(be->nr_lrs);
	c->hcr = VGIC_HCR_UNKNOWN;
	/* Once per CPU, not per switch: which priority bits its LRs keep. */
	if (be->ops->read_vtr)
		c->prio_mask = (uint8_t)(0xffU << (8U - (((lr_read_vtr(be) >> ICH_VTR_PRIBITS_SHIFT) & 7U) + 1U)));
	return HV_OK;
}

static struct vgic_vcpu *switch_vcpu(struct vgic *vm, uint32_t vcpu, int *err)
{
	struct vgic_vcpu *v = vgic_get_vcpu(vm, vcpu);

	*err = !vm ? HV_EINVAL : !v ? HV_ERANGE : HV_OK;
	return v;
}

int vgic_vcpu_load_on(struct vgic *vm, uint32_t vcpu, struct vgic_cpu_if *c)
{
	int err;
	struct vgic_vcpu *v = switch_vcpu(vm, vcpu, &err);

	if (!v)
		return err;
	if (!c || !c->be)
		return HV_EINVAL;
	if (c->prio_mask && c->prio_mask != vm->prio_mask)
		return HV_EINVAL;  /* its LRs would truncate the priorities this VM writes */
	vgic_lock(vm, &v->ap_lock);
	if (vgic_vcpu_loaded(v)) {
		vgic_unlock(vm, &v->ap_lock);
		return HV_EBUSY;
	}
	/*
	 * The hardware knowledge comes from the CPU: its LRs may hold another vCPU's (or VM's) values.
	 * An LR that happens to hold exactly the value this vCPU wants may still be skipped: a register
	 * is a register. lr_irq[] only guides which LR an interrupt goes back to, so it may stay.
	 */
	v->be = c->be;
	v->cpu_if = c;
	v->hw_dirty = c->hw_dirty & VGIC_LR_MASK(c->be->nr_lrs);
	v->lr_hw_known = c->lr_hw_known & VGIC_LR_MASK(c->be->nr_lrs);
	for (unsigned i = 0; i < LR_BACKEND_MAX_LRS; i++) {
		v->lr_hw[i] = c->lr_hw[i];
		if (i >= c->be->nr_lrs)
			v->lr_irq[i] = NULL;
	}
	v->hcr = c->hcr;
	v->sel_dirty = true;
	vgic_unlock(vm, &v->ap_lock);
	return HV_OK;
}

int vgic_vcpu_put(struct vgic *vm, uint32_t vcpu)
{
	int err;
	struct vgic_vcpu *v = switch_vcpu(vm, vcpu, &err);
	struct vgic_cpu_if *c;

	if (!v)
		return err;
	vgic_lock(vm, &v->ap_lock);
	c = v->cpu_if;
	if (vgic_vcpu_loaded(v) || !c) {
		vgic_unlock(vm, &v->ap_lock);
		return vgic_vcpu_loaded(v) ? HV_EBUSY : HV_EINVAL;
	}
	/*
	 * The LRs are about to be someone else's, and the CPU this vCPU lands on next may have fewer: an LR
	 * kept across the last exit (docs/design.md 7.2b) is folded back now, while lr_irq[] still names it.
	 */
	vgic_lr_unkeep_all(v);
	c->hw_dirty = v->hw_dirty;
	c->lr_hw_known = v->lr_hw_known;
	for (unsigned i = 0; i < LR_BACKEND_MAX_LRS; i++)
		c->lr_hw[i] = v->lr_hw[i];
	c->hcr = v->hcr;
	c->last = v;
	v->cpu_if = NULL;
	v->be = NULL;  /* no flush or sync until the next load: the LRs are someone else's now */
	v->sel_dirty = true;
	vgic_unlock(vm, &v->ap_lock);
	return HV_OK;
}

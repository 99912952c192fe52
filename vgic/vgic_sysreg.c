/* vgic_sysreg.c: trapped CPU-interface system registers: ICC_SGI0R/SGI1R/ASGI1R_EL1 and ICC_DIR_EL1.
 * An SGI write names its targets by affinity; every vCPU that matches gets the SGI through the core. */
#include "vgic_mmio.h"

#define AFF0_MASK ((uint32_t)GIC_AFF_FIELD_MASK << GIC_AFF_Aff0_SHIFT)

/*
 * One Security state (GICD_CTLR.DS = 1): SGI1R delivers whatever group the target configured for
 * the SGI; SGI0R only where it is Group 0; ASGI1R names the other Security state's Group 1, which
 * does not exist here, so it behaves like SGI0R (the forwarding rules of IHI 0069 for DS = 1).
 */
static bool group_allows(enum vgic_sgi_reg which, unsigned grp)
{
	return which == VGIC_ICC_SGI1R || grp == 0;
}

static void send(struct vgic *vm, uint32_t src, uint32_t dst, enum vgic_sgi_reg which, uint32_t sgi)
{
	struct vgic_irq *irq = &vm->vcpus[dst].priv[sgi];
	/* The group shares its byte with state a sync writes under the ap_lock alone: take both. */
	struct vgic_vcpu *v = vgic_irq_lock_listed(vm, irq);
	unsigned grp = irq->group;

	vgic_irq_unlock_listed(vm, irq, v);
	if (group_allows(which, grp))
		(void)vgic_inject_sgi(vm, src, dst, sgi);
}

int vgic_sysreg_sgi(struct vgic *vm, uint32_t vcpu, enum vgic_sgi_reg which, uint64_t value)
{
	uint32_t sgi = (uint32_t)((value >> ICC_SGIR_INTID_SHIFT) & ICC_SGIR_INTID_MASK);
	uint32_t cluster, aff0_base, targets;

	if (!vm || (unsigned)which > VGIC_ICC_SGI0R)
		return HV_EINVAL;
	if (vcpu >= vm->nr_vcpus)
		return HV_ERANGE;
	vm->vcpus[vcpu].stats.sgi_writes++;

	if (value & ICC_SGIR_IRM) {
		/* Broadcast: every PE but the writer; the affinity fields are RES0 and ignored. */
		for (uint32_t i = 0; i < vm->nr_vcpus; i++)
			if (i != vcpu)
				send(vm, vcpu, i, which, sgi);
		return HV_OK;
	}
	/*
	 * TargetList bit n is the PE Aff3.Aff2.Aff1.(RS * 16 + n). GICD_TYPER.RSS = 1, so every RS
	 * value is honoured. Bits that name no vCPU are ignored, as the architecture requires.
	 */
	cluster = gic_aff_pack(value >> ICC_SGIR_Aff3_SHIFT, value >> ICC_SGIR_Aff2_SHIFT,
			       value >> ICC_SGIR_Aff1_SHIFT, 0);
	aff0_base = (uint32_t)((value >> ICC_SGIR_RS_SHIFT) & ICC_SGIR_RS_MASK) * ICC_SGIR_TARGETS_PER_RS;
	targets = (uint32_t)(value & ICC_SGIR_TargetList_MASK);
	for (uint32_t i = 0; i < vm->nr_vcpus && targets; i++) {
		uint32_t aff = gic_mpidr_aff(vm->vcpus[i].mpidr);
		uint32_t aff0 = (aff & AFF0_MASK) >> GIC_AFF_Aff0_SHIFT;

		if ((aff & ~AFF0_MASK) != cluster || aff0 < aff0_base ||
		    aff0 >= aff0_base + ICC_SGIR_TARGETS_PER_RS)
			continue;
		if ((targets >> (aff0 - aff0_base)) & 1U)
			send(vm, vcpu, i, which, sgi);
	}
	return HV_OK;
}

int vgic_sysreg_dir(struct vgic *vm, uint32_t vcpu, uint64_t value)
{
	uint32_t intid = (uint32_t)(value & ICC_DIR_INTID_MASK);

	if (!vm)
		return HV_EINVAL;
	if (vcpu >= vm->nr_vcpus)
		return HV_ERANGE;
	/* A special or unimplemented INTID has nothing to deactivate: the write has no effect. */
	if (!vgic_get_irq(vm, vcpu, intid))
		return HV_OK;
	return vgic_handle_dir(vm, vcpu, intid);
}

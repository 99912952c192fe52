/* mmio.c: stage-2 data aborts: decode ESR_EL2 (ISV, SAS, SSE, SRT, SF, WnR) into a vgic register access.
 * Anything that is not a well-formed access to the guest's GICD, a GICR frame, the ITS, the PCI bridge or an emulated UART
 * gets an external abort. */
#include "trap.h"
#include "platform.h"
#include "sysreg.h"
#include "vm.h"

#define WIDTH_BITS(w) ((w) * 8U)

static uint64_t fault_ipa(uint64_t far)
{
	uint64_t hpfar = read_sysreg(hpfar_el2);

	return (((hpfar >> HPFAR_FIPA_SHIFT) & HPFAR_FIPA_MASK) << PAGE_SHIFT) | (far & PAGE_OFFSET_MASK);
}

/* Route to the distributor or a redistributor frame; VGIC_MMIO_ABORT if the IPA is neither. */
static int gic_access(struct pcpu *p, struct vcpu *v, uint64_t ipa, unsigned width, bool write, uint64_t *val)
{
	struct vm *vm = v->vm;
	uint64_t gicr_span = (uint64_t)vm->nr_vcpus * VGIC_GICR_SIZE;

	if (ipa - platform.gicd_base < VGIC_GICD_SIZE) {
		p->stats.exits[EXC_MMIO_GICD]++;
		return vgic_mmio_dist_access(&vm->vgic, v->id, ipa - platform.gicd_base, width, write, val);
	}
	if (vm->its_base && ipa - vm->its_base < VGIC_ITS_SIZE) {
		p->stats.exits[EXC_MMIO_GITS]++;
		return vgic_its_mmio_access(&vm->its, v->id, ipa - vm->its_base, width, write, val);
	}
	if (ipa - platform.gicr_base < gicr_span) {
		uint64_t off = ipa - platform.gicr_base;

		p->stats.exits[EXC_MMIO_GICR]++;
		return vgic_mmio_redist_access(&vm->vgic, v->id, (uint32_t)(off / VGIC_GICR_SIZE),
					       off % VGIC_GICR_SIZE, width, write, val);
	}
	if (vm->pci.disk) {
		bool decoded;

		if (pci_mmio_access(&vm->pci, ipa, width, write, val, &decoded)) {
			p->stats.exits[EXC_MMIO_PCI]++;
			return decoded ? VGIC_MMIO_OK : VGIC_MMIO_ABORT;
		}
	}
	p->stats.exits[EXC_MMIO_OTHER]++;
	if (vm_uart_access(vm, ipa, write, val))
		return VGIC_MMIO_OK;
	return VGIC_MMIO_ABORT;
}

void mmio_handle_dabt(struct pcpu *p, struct vcpu *v, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = fault_ipa(far);
	unsigned width = 1U << ((esr >> ESR_DABT_SAS_SHIFT) & ESR_DABT_SAS_MASK);
	unsigned rt = (unsigned)((esr >> ESR_DABT_SRT_SHIFT) & ESR_DABT_SRT_MASK);
	bool write = esr & ESR_DABT_WNR;
	uint64_t val = 0;
	int rc;

	/* Cache maintenance by VA on an emulated or empty range has nothing to maintain: skip it. */
	if (esr & ESR_DABT_CM) {
		p->stats.exits[EXC_MMIO_OTHER]++;
		trap_skip_insn(v, esr);
		return;
	}
	/* No syndrome (ldp/stp, writeback, ...) or a fault on the guest's own page-table walk:
	 * nothing to emulate. The guest gets the external abort a real bus would give it. */
	if (!(esr & ESR_DABT_ISV) || (esr & ESR_DABT_S1PTW)) {
		p->stats.exits[EXC_MMIO_OTHER]++;
		trap_inject_dabt(p, v, far);
		return;
	}
	if (write) {
		val = trap_get_reg(v, rt);
		if (width < sizeof(uint64_t))
			val &= (1UL << WIDTH_BITS(width)) - 1;
	}
	rc = gic_access(p, v, ipa, width, write, &val);
	if (rc != VGIC_MMIO_OK) {
		trap_inject_dabt(p, v, far);
		return;
	}
	if (!write) {
		if ((esr & ESR_DABT_SSE) && width < sizeof(uint64_t)) {
			uint64_t sign = 1UL << (WIDTH_BITS(width) - 1);

			val = (val ^ sign) - sign;
		}
		if (!(esr & ESR_DABT_SF))
			val &= UINT32_MAX; /* a W register: the upper half reads as zero */
		trap_set_reg(v, rt, val);
	}
	trap_skip_insn(v, esr);
}

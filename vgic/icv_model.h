/* icv_model.h: a software model of the GICv3 virtual CPU interface (ICH_* + ICV_* as the guest sees them).
 * It is an LR backend for the core, and it plays the guest in unit tests and benchmarks. */
#ifndef ICV_MODEL_H
#define ICV_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "vgic_export.h"
#include "lr_backend.h"
#include "ich_regs.h"

struct icv_model {
	struct lr_backend be;              /* first member: the core sees only this */
	uint64_t lr[LR_BACKEND_MAX_LRS];
	uint64_t hcr;
	uint64_t vmcr;
	uint32_t apr[2][LR_BACKEND_MAX_APRS];
	unsigned pri_bits;                 /* implemented virtual priority bits (ICH_VTR.PRIbits+1) */
	unsigned pre_bits;                 /* implemented preemption bits (ICH_VTR.PREbits+1) */
	/*
	 * QEMU 7.2 increments EOIcount for an EOIR without a matching LR even
	 * when EOImode == 1, where the architecture says a deactivation would not
	 * have happened. Set this to reproduce that, so the core is tested
	 * against both.
	 */
	bool quirk_eoicount_on_split_eoir;
	void (*phys_deactivate)(void *ctx, uint32_t pintid); /* HW=1 deactivations */
	void *phys_ctx;
};

enum icv_dir_result { ICV_DIR_DONE = 0, ICV_DIR_TRAPPED = 1 };

/*
 * nr_lrs 1..16, pri_bits 5..8; pre_bits = min(pri_bits, 7), the architecture's maximum.
 * Resets every field, including phys_deactivate and the quirk flag: set those after.
 * Returns HV_OK or HV_EINVAL.
 */
VGIC_API int icv_model_init(struct icv_model *m, unsigned nr_lrs, unsigned pri_bits);

/* ---- the guest's view (not counted as hypervisor register accesses) ---- */
VGIC_API uint32_t icv_iar(struct icv_model *m, unsigned grp);            /* ICV_IAR0/1_EL1 */
VGIC_API void icv_eoir(struct icv_model *m, unsigned grp, uint32_t intid); /* ICV_EOIR0/1_EL1 */
VGIC_API enum icv_dir_result icv_dir(struct icv_model *m, uint32_t intid); /* ICV_DIR_EL1 */
VGIC_API uint32_t icv_hppir(struct icv_model *m, unsigned grp);          /* ICV_HPPIR0/1_EL1 */
VGIC_API uint8_t icv_rpr(struct icv_model *m);                            /* ICV_RPR_EL1 */
VGIC_API void icv_set_pmr(struct icv_model *m, uint8_t pmr);
VGIC_API uint8_t icv_get_pmr(struct icv_model *m);
VGIC_API void icv_set_bpr(struct icv_model *m, unsigned grp, unsigned bpr); /* clamps to the minimum */
VGIC_API unsigned icv_get_bpr(struct icv_model *m, unsigned grp);
VGIC_API void icv_set_eoimode(struct icv_model *m, bool split);
VGIC_API void icv_set_group_enable(struct icv_model *m, unsigned grp, bool on);

/* Would the vCPU take a virtual IRQ (grp 1) or FIQ (grp 0) now? */
VGIC_API bool icv_irq_signalled(struct icv_model *m, unsigned grp);
/* Registers as the hypervisor would read them (uncounted peeks for tests). */
VGIC_API uint32_t icv_misr(const struct icv_model *m);
VGIC_API uint32_t icv_eisr(const struct icv_model *m);
VGIC_API uint32_t icv_elrsr(const struct icv_model *m);
/* ICH_HCR_EL2.En set and MISR non-zero: the maintenance interrupt is asserted. */
VGIC_API bool icv_maint_asserted(const struct icv_model *m);

#endif

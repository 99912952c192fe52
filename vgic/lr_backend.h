/* lr_backend.h: the only path from the vgic core to the GICv3 virtualisation registers.
 * Two backends implement it (real ICH_* sysregs at EL2, and the software ICV model); every access is counted. */
#ifndef LR_BACKEND_H
#define LR_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include "vgic_export.h"

#define LR_BACKEND_MAX_LRS 16U
#define LR_BACKEND_MAX_APRS 4U

/*
 * Access kinds, counted separately because under nested virtualisation every
 * one of them is a trap to the outer hypervisor: the count is the cost.
 */
enum lr_access {
	LR_ACC_LR_READ,
	LR_ACC_LR_WRITE,
	LR_ACC_ELRSR_READ,
	LR_ACC_EISR_READ,
	LR_ACC_MISR_READ,
	LR_ACC_HCR_READ,
	LR_ACC_HCR_WRITE,
	LR_ACC_VMCR_READ,
	LR_ACC_VMCR_WRITE,
	LR_ACC_APR_READ,
	LR_ACC_APR_WRITE,
	LR_ACC_VTR_READ,
	LR_ACC_NR
};

struct lr_backend;

struct lr_backend_ops {
	uint64_t (*read_lr)(struct lr_backend *be, unsigned n);
	void (*write_lr)(struct lr_backend *be, unsigned n, uint64_t val);
	uint32_t (*read_elrsr)(struct lr_backend *be);
	uint32_t (*read_eisr)(struct lr_backend *be);
	uint32_t (*read_misr)(struct lr_backend *be);
	uint64_t (*read_hcr)(struct lr_backend *be);
	void (*write_hcr)(struct lr_backend *be, uint64_t val);
	uint64_t (*read_vmcr)(struct lr_backend *be);
	void (*write_vmcr)(struct lr_backend *be, uint64_t val);
	/* grp is 0 or 1, n is 0..3 (ICH_AP0R<n> / ICH_AP1R<n>) */
	uint32_t (*read_apr)(struct lr_backend *be, unsigned grp, unsigned n);
	void (*write_apr)(struct lr_backend *be, unsigned grp, unsigned n, uint32_t val);
	uint64_t (*read_vtr)(struct lr_backend *be);
};

struct lr_backend {
	const struct lr_backend_ops *ops;
	unsigned nr_lrs;              /* 1..16, from ICH_VTR_EL2.ListRegs + 1 */
	/*
	 * The LRs are plain memory, and ELRSR is the register that costs a trap:
	 * nested virtualisation with FEAT_NV2, where the outer hypervisor keeps
	 * ICH_LR<n>_EL2 in the VNCR page. Exit then reads the used LRs and never
	 * ELRSR. Counting stays per access; what an access costs is the caller's.
	 */
	bool lrs_in_memory;
	uint64_t count[LR_ACC_NR];    /* accesses since the last lr_backend_reset_counts() */
};

VGIC_API const char *lr_access_name(enum lr_access kind);
VGIC_API void lr_backend_reset_counts(struct lr_backend *be);
VGIC_API uint64_t lr_backend_total(const struct lr_backend *be);

static inline uint64_t lr_read(struct lr_backend *be, unsigned n)
{
	be->count[LR_ACC_LR_READ]++;
	return be->ops->read_lr(be, n);
}
static inline void lr_write(struct lr_backend *be, unsigned n, uint64_t v)
{
	be->count[LR_ACC_LR_WRITE]++;
	be->ops->write_lr(be, n, v);
}
static inline uint32_t lr_read_elrsr(struct lr_backend *be)
{
	be->count[LR_ACC_ELRSR_READ]++;
	return be->ops->read_elrsr(be);
}
static inline uint32_t lr_read_eisr(struct lr_backend *be)
{
	be->count[LR_ACC_EISR_READ]++;
	return be->ops->read_eisr(be);
}
static inline uint32_t lr_read_misr(struct lr_backend *be)
{
	be->count[LR_ACC_MISR_READ]++;
	return be->ops->read_misr(be);
}
static inline uint64_t lr_read_hcr(struct lr_backend *be)
{
	be->count[LR_ACC_HCR_READ]++;
	return be->ops->read_hcr(be);
}
static inline void lr_write_hcr(struct lr_backend *be, uint64_t v)
{
	be->count[LR_ACC_HCR_WRITE]++;
	be->ops->write_hcr(be, v);
}
static inline uint64_t lr_read_vmcr(struct lr_backend *be)
{
	be->count[LR_ACC_VMCR_READ]++;
	return be->ops->read_vmcr(be);
}
static inline void lr_write_vmcr(struct lr_backend *be, uint64_t v)
{
	be->count[LR_ACC_VMCR_WRITE]++;
	be->ops->write_vmcr(be, v);
}
static inline uint32_t lr_read_apr(struct lr_backend *be, unsigned grp, unsigned n)
{
	be->count[LR_ACC_APR_READ]++;
	return be->ops->read_apr(be, grp, n);
}
static inline void lr_write_apr(struct lr_backend *be, unsigned grp, unsigned n, uint32_t v)
{
	be->count[LR_ACC_APR_WRITE]++;
	be->ops->write_apr(be, grp, n, v);
}
static inline uint64_t lr_read_vtr(struct lr_backend *be)
{
	be->count[LR_ACC_VTR_READ]++;
	return be->ops->read_vtr(be);
}

#endif

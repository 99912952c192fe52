/* ich_regs.h: bit layout of the GICv3 virtualisation control registers (ICH_*_EL2, ICV VMCR view).
 * Shared by the vgic core, the software CPU-interface model and the arm64 backend. */
#ifndef ICH_REGS_H
#define ICH_REGS_H

#include <stdint.h>

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK      0xffffffffULL
#define ICH_LR_PINTID_SHIFT     32
#define ICH_LR_PINTID_MASK      (0x1fffULL << ICH_LR_PINTID_SHIFT)
#define ICH_LR_EOI              (1ULL << 41) /* shares bit 41 with pINTID; only when HW == 0 */
#define ICH_LR_PRIORITY_SHIFT   48
#define ICH_LR_PRIORITY_MASK    (0xffULL << ICH_LR_PRIORITY_SHIFT)
#define ICH_LR_NMI              (1ULL << 59)
#define ICH_LR_GROUP            (1ULL << 60)
#define ICH_LR_HW               (1ULL << 61)
#define ICH_LR_STATE_PENDING    (1ULL << 62)
#define ICH_LR_STATE_ACTIVE     (1ULL << 63)
#define ICH_LR_STATE_MASK       (ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE)
/* pINTID is 13 bits wide architecturally, but with HW == 0 bit 41 is the EOI flag */
#define ICH_LR_PINTID_MAX       1019U

/* ICH_HCR_EL2 */
#define ICH_HCR_EN              (1ULL << 0)
#define ICH_HCR_UIE             (1ULL << 1)
#define ICH_HCR_LRENPIE         (1ULL << 2)
#define ICH_HCR_NPIE            (1ULL << 3)
#define ICH_HCR_VGRP0EIE        (1ULL << 4)
#define ICH_HCR_VGRP0DIE        (1ULL << 5)
#define ICH_HCR_VGRP1EIE        (1ULL << 6)
#define ICH_HCR_VGRP1DIE        (1ULL << 7)
#define ICH_HCR_TC              (1ULL << 10)
#define ICH_HCR_TALL0           (1ULL << 11)
#define ICH_HCR_TALL1           (1ULL << 12)
#define ICH_HCR_TDIR            (1ULL << 14)
#define ICH_HCR_EOICOUNT_SHIFT  27
#define ICH_HCR_EOICOUNT_MASK   (0x1fULL << ICH_HCR_EOICOUNT_SHIFT)
/* Bits that can raise a maintenance interrupt by themselves */
#define ICH_HCR_MAINT_BITS      (ICH_HCR_UIE | ICH_HCR_LRENPIE | ICH_HCR_NPIE | \
				 ICH_HCR_VGRP0EIE | ICH_HCR_VGRP0DIE | \
				 ICH_HCR_VGRP1EIE | ICH_HCR_VGRP1DIE)

/* ICH_MISR_EL2 */
#define ICH_MISR_EOI            (1U << 0)
#define ICH_MISR_U              (1U << 1)
#define ICH_MISR_LRENP          (1U << 2)
#define ICH_MISR_NP             (1U << 3)
#define ICH_MISR_VGRP0E         (1U << 4)
#define ICH_MISR_VGRP0D         (1U << 5)
#define ICH_MISR_VGRP1E         (1U << 6)
#define ICH_MISR_VGRP1D         (1U << 7)

/* ICH_VMCR_EL2 */
#define ICH_VMCR_VENG0          (1ULL << 0)
#define ICH_VMCR_VENG1          (1ULL << 1)
#define ICH_VMCR_VACKCTL        (1ULL << 2)
#define ICH_VMCR_VFIQEN         (1ULL << 3)
#define ICH_VMCR_VCBPR          (1ULL << 4)
#define ICH_VMCR_VEOIM          (1ULL << 9)
#define ICH_VMCR_VBPR1_SHIFT    18
#define ICH_VMCR_VBPR1_MASK     (7ULL << ICH_VMCR_VBPR1_SHIFT)
#define ICH_VMCR_VBPR0_SHIFT    21
#define ICH_VMCR_VBPR0_MASK     (7ULL << ICH_VMCR_VBPR0_SHIFT)
#define ICH_VMCR_VPMR_SHIFT     24
#define ICH_VMCR_VPMR_MASK      (0xffULL << ICH_VMCR_VPMR_SHIFT)

/* ICH_VTR_EL2 */
#define ICH_VTR_LISTREGS_MASK   0x1fU
#define ICH_VTR_TDS             (1U << 19)
#define ICH_VTR_IDBITS_SHIFT    23
#define ICH_VTR_PREBITS_SHIFT   26
#define ICH_VTR_PRIBITS_SHIFT   29

/* Special INTIDs */
#define GIC_INTID_SPURIOUS      1023U
#define GIC_INTID_SPECIAL_FIRST 1020U   /* 1020..1023; 1024..8191 are reserved */
#define GIC_INTID_LPI_FIRST     8192U

static inline uint32_t ich_lr_vintid(uint64_t lr) { return (uint32_t)(lr & ICH_LR_VINTID_MASK); }
static inline uint32_t ich_lr_pintid(uint64_t lr)
{
	return (uint32_t)((lr & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT);
}
static inline uint8_t ich_lr_priority(uint64_t lr)
{
	return (uint8_t)((lr & ICH_LR_PRIORITY_MASK) >> ICH_LR_PRIORITY_SHIFT);
}
static inline unsigned ich_hcr_eoicount(uint64_t hcr)
{
	return (unsigned)((hcr & ICH_HCR_EOICOUNT_MASK) >> ICH_HCR_EOICOUNT_SHIFT);
}

#endif

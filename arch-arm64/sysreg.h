/* sysreg.h: system-register access macros and the EL2 register bit layouts the hypervisor uses.
 * Every architectural constant of arch-arm64 lives here, named after the Arm ARM field it sets. */
#ifndef HYP_SYSREG_H
#define HYP_SYSREG_H

#include <stdint.h>

#define read_sysreg(r) ({ uint64_t v__; __asm__ volatile("mrs %0, " #r : "=r"(v__)); v__; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define wfe() __asm__ volatile("wfe" ::: "memory")
#define sev() __asm__ volatile("sev" ::: "memory")
#define cpu_relax() __asm__ volatile("yield" ::: "memory")

#define BIT(n) (1UL << (n))

/* HCR_EL2 */
#define HCR_VM    BIT(0)   /* stage-2 translation */
#define HCR_SWIO  BIT(1)   /* set/way invalidate becomes clean+invalidate */
#define HCR_FMO   BIT(3)   /* physical FIQ to EL2, virtual FIQ to the guest */
#define HCR_IMO   BIT(4)   /* physical IRQ to EL2, ICC_* at EL1 become ICV_* */
#define HCR_AMO   BIT(5)   /* SError to EL2 */
#define HCR_FB    BIT(9)   /* broadcast TLB/cache maintenance within the inner shareable domain */
#define HCR_BSU_IS (1UL << 10)
#define HCR_TWI   BIT(13)  /* trap WFI */
#define HCR_TWE   BIT(14)  /* trap WFE */
#define HCR_TSC   BIT(19)  /* trap SMC: the guest has no firmware of its own */
#define HCR_RW    BIT(31)  /* EL1 is AArch64 */
#define HCR_APK   BIT(40)  /* pointer-auth key registers: the guest's own (not trapped) */
#define HCR_API   BIT(41)  /* pointer-auth instructions: not trapped (Linux uses them) */

/* SPSR / PSTATE */
#define PSR_MODE_EL1H  0x5UL
#define PSR_MODE_EL1T  0x4UL
#define PSR_MODE_MASK  0xfUL
#define PSR_F          BIT(6)
#define PSR_I          BIT(7)
#define PSR_A          BIT(8)
#define PSR_D          BIT(9)
#define PSR_DAIF       (PSR_D | PSR_A | PSR_I | PSR_F)
/* PSTATE fields an exception entry to EL1 sets or keeps (SPSR layout, AArch64) */
#define PSR_SSBS       BIT(12)
#define PSR_PAN        BIT(22)     /* AArch32's CPSR.PAN is bit 22 too */
#define PSR_DIT        BIT(24)
#define PSR_TCO        BIT(25)
#define PSR_AA32_DIT   BIT(21)     /* AArch32's CPSR.DIT */
/* SPSR of an exception taken from AArch32 (only EL0 may be AArch32 here: HCR_EL2.RW is set) */
#define PSR_AA32           BIT(4)      /* M[4]: the interrupted state was AArch32 */
#define PSR_AA32_T         BIT(5)      /* T32 (Thumb) instruction set */
#define PSR_AA32_IT_LO_SHIFT 25        /* IT[1:0] */
#define PSR_AA32_IT_LO_MASK  0x3UL
#define PSR_AA32_IT_HI_SHIFT 10        /* IT[7:2] */
#define PSR_AA32_IT_HI_MASK  0x3fUL
#define PSR_NZCV_SHIFT     28
#define PSR_N              BIT(31)
#define PSR_Z              BIT(30)
#define PSR_C              BIT(29)
#define PSR_V              BIT(28)

/* ESR_EL2 */
#define ESR_EC_SHIFT        26
#define ESR_EC_MASK         0x3fUL
#define ESR_IL              BIT(25)
#define ESR_ISS_MASK        0x1ffffffUL
#define ESR_EC_UNKNOWN      0x00
#define ESR_EC_WFX          0x01
#define ESR_EC_SVC64        0x15
#define ESR_EC_HVC64        0x16
#define ESR_EC_SMC64        0x17
#define ESR_EC_SYS64        0x18
#define ESR_EC_IABT_LOW     0x20
#define ESR_EC_IABT_CUR     0x21
#define ESR_EC_PC_ALIGN     0x22
#define ESR_EC_DABT_LOW     0x24
#define ESR_EC_DABT_CUR     0x25
#define ESR_EC_SP_ALIGN     0x26
#define ESR_EC_SERROR       0x2f
#define ESR_EC_BRK64        0x3c
#define ESR_EC_OF(esr)      (((esr) >> ESR_EC_SHIFT) & ESR_EC_MASK)
/* WFx ISS */
#define ESR_WFX_TI_MASK     0x3UL  /* 0 WFI, 1 WFE */
/* ISS of a trapped AArch32 instruction (WFx among them): its condition, when CV says it is valid */
#define ESR_AA32_CV         BIT(24)
#define ESR_AA32_COND_SHIFT 20
#define ESR_AA32_COND_MASK  0xfUL
/* data abort ISS */
#define ESR_DABT_ISV        BIT(24)
#define ESR_DABT_SAS_SHIFT  22
#define ESR_DABT_SAS_MASK   0x3UL
#define ESR_DABT_SSE        BIT(21)
#define ESR_DABT_SRT_SHIFT  16
#define ESR_DABT_SRT_MASK   0x1fUL
#define ESR_DABT_SF         BIT(15)
#define ESR_DABT_FNV        BIT(10)
#define ESR_DABT_CM         BIT(8)  /* cache maintenance or address translation instruction */
#define ESR_DABT_S1PTW      BIT(7)
#define ESR_DABT_WNR        BIT(6)
#define ESR_FSC_MASK        0x3fUL
#define ESR_FSC_EXTABT      0x10    /* synchronous external abort, not on a table walk */
/* trapped MSR/MRS ISS */
#define ESR_SYS_DIR_READ    BIT(0)
#define ESR_SYS_RT_SHIFT    5
#define ESR_SYS_RT_MASK     0x1fUL
/* op0, op2, op1, CRn, CRm packed as the ISS encodes them (bits 21..1); Rt and direction masked out */
#define ESR_SYS_REG_MASK    0x3ffc1eUL
#define ESR_SYS_REG(op0, op1, crn, crm, op2) \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) | \
	 ((uint64_t)(crn) << 10) | ((uint64_t)(crm) << 1))
#define SYSREG_ICC_SGI1R    ESR_SYS_REG(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R   ESR_SYS_REG(3, 0, 12, 11, 6)
#define SYSREG_ICC_SGI0R    ESR_SYS_REG(3, 0, 12, 11, 7)
#define SYSREG_ICC_DIR      ESR_SYS_REG(3, 0, 12, 11, 1)

/* HPFAR_EL2: FIPA holds IPA[47:12] in bits [39:4] */
#define HPFAR_FIPA_SHIFT    4
#define HPFAR_FIPA_MASK     0xffffffffffUL
#define PAGE_SHIFT          12
#define PAGE_SIZE           (1UL << PAGE_SHIFT)
#define PAGE_OFFSET_MASK    (PAGE_SIZE - 1)

/* Vector offsets inside VBAR_EL1, for injecting exceptions into the guest */
#define VEC_CUR_SP0         0x000
#define VEC_CUR_SPX         0x200
#define VEC_LOWER_A64       0x400
#define VEC_LOWER_A32       0x600
#define VEC_SYNC            0x000
#define VEC_ENTRY_SIZE      0x80   /* one vector: 32 instructions */

/* PAR_EL1 after an AT instruction */
#define PAR_F               BIT(0)           /* the translation faulted */
#define PAR_PA_MASK         0x0000fffffffff000UL  /* PA (here: IPA) bits [47:12] */

/* CNTHCTL_EL2 (E2H = 0) */
#define CNTHCTL_EL1PCTEN    BIT(0)  /* EL1 may read CNTPCT_EL0 */
#define CNTHCTL_EL1PCEN     BIT(1)  /* EL1 may use the EL1 physical timer */
/* CNT*_CTL */
#define CNT_CTL_ENABLE      BIT(0)
#define CNT_CTL_IMASK       BIT(1)
#define CNT_CTL_ISTATUS     BIT(2)

/* CPTR_EL2 (E2H = 0): bits 0-7, 9 and 13 are RES1. TFP (bit 10) stays clear: FP/SIMD untrapped.
 * TZ and TSM trap SVE and SME, whose larger state the hypervisor does not switch. */
#define CPTR_EL2_RES1       0x22ffUL
#define CPTR_EL2_TZ         BIT(8)
#define CPTR_EL2_TSM        BIT(12)
/* CPACR_EL1.FPEN: FP/SIMD at EL1 and EL0 without trapping */
#define CPACR_FPEN          (3UL << 20)

/* SCTLR */
#define SCTLR_M             BIT(0)
#define SCTLR_C             BIT(2)
#define SCTLR_I             BIT(12)
#define SCTLR_EL2_RES1      0x30c50830UL
#define SCTLR_EL1_RESET     0x30d00800UL  /* RES1 bits; MMU and caches off, little-endian */
#define SCTLR_EL1_SPAN      BIT(23)  /* 0: an exception to EL1 sets PSTATE.PAN (RES1 without FEAT_PAN) */
#define SCTLR_EL1_DSSBS     BIT(44)  /* PSTATE.SSBS on an exception to EL1 (RES0 without FEAT_SSBS) */
/* ID_AA64PFR1_EL1.MTE: PSTATE.TCO exists, and an exception to EL1 sets it */
#define ID_AA64PFR1_MTE_SHIFT 8
#define ID_AA64PFR1_MTE_MASK  0xfUL

/* ICC_* (physical CPU interface, as EL2 uses it) */
#define ICC_SRE_SRE         BIT(0)
#define ICC_SRE_DFB         BIT(1)
#define ICC_SRE_DIB         BIT(2)
#define ICC_SRE_ENABLE      BIT(3)  /* ICC_SRE_EL2: EL1 may access ICC_SRE_EL1 */
#define ICC_CTLR_EOIMODE    BIT(1)  /* EOIR drops priority only; DIR deactivates */
#define ICC_IGRPEN_ENABLE   BIT(0)
#define ICC_PMR_ALL         0xffUL
#define ICC_SGI1R_INTID_SHIFT 24
#define ICC_SGI1R_AFF1_SHIFT  16
#define ICC_SGI1R_AFF2_SHIFT  32
#define ICC_SGI1R_AFF3_SHIFT  48
#define ICC_IAR_INTID_MASK  0xffffffUL

/* MPIDR_EL1 */
#define MPIDR_AFF_MASK      0xff00ffffffUL
#define MPIDR_AFF0(m)       ((m) & 0xffUL)
#define MPIDR_AFF1(m)       (((m) >> 8) & 0xffUL)
#define MPIDR_AFF2(m)       (((m) >> 16) & 0xffUL)
#define MPIDR_AFF3(m)       (((m) >> 32) & 0xffUL)

#endif

/* gic_regs.h: offsets and fields of the GICv3 distributor and redistributor frames, and of ICC_SGI*R.
 * Names follow Arm IHI 0069; the register emulation uses these and never a bare number. */
#ifndef GIC_REGS_H
#define GIC_REGS_H

#include <stdint.h>

/* ---- frames ---- */
#define GICD_FRAME_SIZE           0x10000U
#define GICR_RD_BASE              0x00000U  /* control frame of one redistributor */
#define GICR_SGI_BASE             0x10000U  /* SGI/PPI frame of the same redistributor */
#define GICR_FRAME_SIZE           0x10000U
/* RD_base + SGI_base; no VLPI frames because GICR_TYPER.VLPIS = 0 */
#define GICR_STRIDE               0x20000U

/* ---- register array geometry (shared by GICD and the GICR SGI frame) ---- */
#define GIC_INTIDS_PER_WORD       32U        /* one bit per INTID */
#define GIC_PRIO_PER_WORD         4U         /* one byte per INTID */
#define GIC_CFG_PER_WORD          16U        /* two bits per INTID */
#define GIC_CFG_PER_BYTE          4U
#define GIC_CFG_FIELD_BITS        2U
#define GIC_IROUTER_BYTES         8U         /* one 64-bit register per INTID */
#define GIC_MAX_SPI_INTID         1019U      /* 1020..1023 are special */
#define GIC_NR_INTID_SLOTS        1020U      /* INTIDs with a priority byte or router */
#define GIC_BITMAP_BYTES          0x80U      /* IGROUPR, IS/IC*R: INTIDs 0..1023 */
#define GIC_PRIORITY_BYTES        GIC_NR_INTID_SLOTS
#define GIC_ICFGR_BYTES           0x100U
#define GIC_NSACR_BYTES           0x100U
#define GIC_IDREGS_BYTES          0x30U      /* PIDR4..7, PIDR0..3, CIDR0..3 */
#define GIC_NR_IDREGS             (GIC_IDREGS_BYTES / 4U)

/* ---- distributor (Dist_base) ---- */
#define GICD_CTLR                 0x0000U
#define GICD_TYPER                0x0004U
#define GICD_IIDR                 0x0008U
#define GICD_TYPER2               0x000CU
#define GICD_STATUSR              0x0010U
#define GICD_SETSPI_NSR           0x0040U
#define GICD_CLRSPI_NSR           0x0048U
#define GICD_SETSPI_SR            0x0050U
#define GICD_CLRSPI_SR            0x0058U
#define GICD_IGROUPR              0x0080U
#define GICD_ISENABLER            0x0100U
#define GICD_ICENABLER            0x0180U
#define GICD_ISPENDR              0x0200U
#define GICD_ICPENDR              0x0280U
#define GICD_ISACTIVER            0x0300U
#define GICD_ICACTIVER            0x0380U
#define GICD_IPRIORITYR           0x0400U
#define GICD_ITARGETSR            0x0800U
#define GICD_ICFGR                0x0C00U
#define GICD_IGRPMODR             0x0D00U
#define GICD_NSACR                0x0E00U
#define GICD_SGIR                 0x0F00U
#define GICD_CPENDSGIR            0x0F10U
#define GICD_SPENDSGIR            0x0F20U
#define GICD_SGI_PEND_BYTES       0x10U
#define GICD_IROUTER              0x6000U
#define GICD_IROUTER_BYTES        (GIC_NR_INTID_SLOTS * GIC_IROUTER_BYTES)
#define GICD_IDREGS               0xFFD0U
#define GICD_PIDR2                0xFFE8U

/* GICD_CTLR, single Security state layout (DS = 1). Bit 4 is "ARE" there; the Non-secure view of a
 * two-state GIC calls the same bit ARE_NS, and that is the name drivers use. */
#define GICD_CTLR_EnableGrp0      (1U << 0)
#define GICD_CTLR_EnableGrp1      (1U << 1)
#define GICD_CTLR_ARE_NS          (1U << 4)
#define GICD_CTLR_DS              (1U << 6)
#define GICD_CTLR_E1NWF           (1U << 7)
#define GICD_CTLR_RWP             (1U << 31)

#define GICD_TYPER_ITLinesNumber_MASK 0x1fU
#define GICD_TYPER_CPUNumber_SHIFT    5
#define GICD_TYPER_CPUNumber_MAX      7U
#define GICD_TYPER_ESPI               (1U << 8)
#define GICD_TYPER_NMI                (1U << 9)
#define GICD_TYPER_SecurityExtn       (1U << 10)
#define GICD_TYPER_MBIS               (1U << 16)
#define GICD_TYPER_LPIS               (1U << 17)
#define GICD_TYPER_DVIS               (1U << 18)
#define GICD_TYPER_IDbits_SHIFT       19
#define GICD_TYPER_IDbits_MASK        (0x1fU << GICD_TYPER_IDbits_SHIFT)
#define GICD_TYPER_A3V                (1U << 24)
#define GICD_TYPER_No1N               (1U << 25)
#define GICD_TYPER_RSS                (1U << 26)

/* GICD_IIDR and GICR_IIDR */
#define GIC_IIDR_Implementer_SHIFT    0
#define GIC_IIDR_Revision_SHIFT       12
#define GIC_IIDR_Variant_SHIFT        16
#define GIC_IIDR_ProductID_SHIFT      24

/* GICD_SETSPI_NSR / GICD_CLRSPI_NSR */
#define GICD_SETSPI_INTID_MASK        0x1fffU

/* GICD_IROUTER<n> */
#define GICD_IROUTER_Aff0_SHIFT       0
#define GICD_IROUTER_Aff1_SHIFT       8
#define GICD_IROUTER_Aff2_SHIFT       16
#define GICD_IROUTER_IRM              (1ULL << 31)
#define GICD_IROUTER_Aff3_SHIFT       32
#define GIC_AFF_FIELD_MASK            0xffULL
#define GICD_IROUTER_AFF_MASK         ((GIC_AFF_FIELD_MASK << GICD_IROUTER_Aff0_SHIFT) | \
				       (GIC_AFF_FIELD_MASK << GICD_IROUTER_Aff1_SHIFT) | \
				       (GIC_AFF_FIELD_MASK << GICD_IROUTER_Aff2_SHIFT) | \
				       (GIC_AFF_FIELD_MASK << GICD_IROUTER_Aff3_SHIFT))
#define GICD_IROUTER_WRITABLE         (GICD_IROUTER_AFF_MASK | GICD_IROUTER_IRM)

/* GICD_ICFGR / GICR_ICFGR: bit 1 of each two-bit field; bit 0 is RES0 in GICv3 */
#define GIC_ICFGR_EDGE                0x2U
#define GIC_ICFGR_SGI_WORD            0xaaaaaaaaU  /* every SGI edge-triggered */

/* ---- redistributor, RD_base frame ---- */
#define GICR_CTLR                 0x0000U
#define GICR_IIDR                 0x0004U
#define GICR_TYPER                0x0008U
#define GICR_STATUSR              0x0010U
#define GICR_WAKER                0x0014U
#define GICR_SETLPIR              0x0040U
#define GICR_CLRLPIR              0x0048U
#define GICR_PROPBASER            0x0070U
#define GICR_PENDBASER            0x0078U
#define GICR_INVLPIR              0x00A0U
#define GICR_INVALLR              0x00B0U
#define GICR_SYNCR                0x00C0U
#define GICR_LPIR_INTID_MASK      0xffffffffULL  /* SETLPIR/CLRLPIR/INVLPIR: pINTID in [31:0] */
#define GICR_IDREGS               0xFFD0U
#define GICR_PIDR2                0xFFE8U

#define GICR_CTLR_EnableLPIs      (1U << 0)
#define GICR_CTLR_CES             (1U << 1)
#define GICR_CTLR_IR              (1U << 2)
#define GICR_CTLR_RWP             (1U << 3)
#define GICR_CTLR_UWP             (1U << 31)

#define GICR_TYPER_PLPIS          (1ULL << 0)
#define GICR_TYPER_VLPIS          (1ULL << 1)
#define GICR_TYPER_Dirty          (1ULL << 2)
#define GICR_TYPER_DirectLPI      (1ULL << 3)
#define GICR_TYPER_Last           (1ULL << 4)
#define GICR_TYPER_DPGS           (1ULL << 5)
#define GICR_TYPER_Processor_Number_SHIFT 8
#define GICR_TYPER_Processor_Number_MASK  0xffffULL
#define GICR_TYPER_Affinity_SHIFT 32

#define GICR_WAKER_ProcessorSleep (1U << 1)
#define GICR_WAKER_ChildrenAsleep (1U << 2)

/* GICR_PROPBASER / GICR_PENDBASER fields kept as written */
#define GICR_BASER_InnerCache_MASK    (0x7ULL << 7)
#define GICR_BASER_Shareability_MASK  (0x3ULL << 10)
#define GICR_BASER_OuterCache_MASK    (0x7ULL << 56)
#define GICR_PROPBASER_IDbits_MASK    0x1fULL
#define GICR_PROPBASER_PA_MASK        (((1ULL << 52) - 1) & ~((1ULL << 12) - 1))
#define GICR_PENDBASER_PA_MASK        (((1ULL << 52) - 1) & ~((1ULL << 16) - 1))
#define GICR_PENDBASER_PTZ            (1ULL << 62)  /* write-only hint: reads as zero */
#define GICR_PROPBASER_WRITABLE       (GICR_PROPBASER_IDbits_MASK | GICR_BASER_InnerCache_MASK | \
				       GICR_BASER_Shareability_MASK | GICR_PROPBASER_PA_MASK | \
				       GICR_BASER_OuterCache_MASK)
#define GICR_PENDBASER_WRITABLE       (GICR_BASER_InnerCache_MASK | GICR_BASER_Shareability_MASK | \
				       GICR_PENDBASER_PA_MASK | GICR_BASER_OuterCache_MASK)

/* ---- redistributor, SGI_base frame (offsets within that frame) ---- */
#define GICR_IGROUPR0             0x0080U
#define GICR_ISENABLER0           0x0100U
#define GICR_ICENABLER0           0x0180U
#define GICR_ISPENDR0             0x0200U
#define GICR_ICPENDR0             0x0280U
#define GICR_ISACTIVER0           0x0300U
#define GICR_ICACTIVER0           0x0380U
#define GICR_IPRIORITYR0          0x0400U
#define GICR_IPRIORITYR_BYTES     0x20U     /* INTIDs 0..31 */
#define GICR_ICFGR0               0x0C00U   /* SGIs: read-only, all edge */
#define GICR_ICFGR1               0x0C04U   /* PPIs */
#define GICR_ICFGR_BYTES          0x08U
#define GICR_IGRPMODR0            0x0D00U
#define GICR_NSACR                0x0E00U

/* ---- ID registers (GICD and GICR RD_base): PIDR4..7, PIDR0..3, CIDR0..3 in address order ---- */
#define GIC_PIDR2_ArchRev_SHIFT   4
#define GIC_PIDR2_ArchRev_GICv3   0x3U
#define GIC_PIDR4_SIZE_SHIFT      4
#define GIC_PIDR4_SIZE_64K        0x4U      /* log2 of the number of 4 KiB blocks */
#define GIC_CIDR0                 0x0dU     /* the component identification preamble */
#define GIC_CIDR1                 0xf0U
#define GIC_CIDR2                 0x05U
#define GIC_CIDR3                 0xb1U

/* ---- ICC_SGI0R_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1 ---- */
#define ICC_SGIR_TargetList_MASK  0xffffULL
#define ICC_SGIR_Aff1_SHIFT       16
#define ICC_SGIR_INTID_SHIFT      24
#define ICC_SGIR_INTID_MASK       0xfULL
#define ICC_SGIR_Aff2_SHIFT       32
#define ICC_SGIR_IRM              (1ULL << 40)
#define ICC_SGIR_RS_SHIFT         44
#define ICC_SGIR_RS_MASK          0xfULL
#define ICC_SGIR_Aff3_SHIFT       48
#define ICC_SGIR_TARGETS_PER_RS   16U

/* ICC_DIR_EL1 */
#define ICC_DIR_INTID_MASK        0xffffffULL

/* ---- MPIDR_EL1 affinity fields ---- */
#define MPIDR_Aff0_SHIFT          0
#define MPIDR_Aff1_SHIFT          8
#define MPIDR_Aff2_SHIFT          16
#define MPIDR_Aff3_SHIFT          32

/*
 * Affinity packed as Aff3.Aff2.Aff1.Aff0 in one 32-bit word: the form GICR_TYPER reports in its
 * upper half, and the one every routing comparison below uses.
 */
#define GIC_AFF_Aff0_SHIFT        0
#define GIC_AFF_Aff1_SHIFT        8
#define GIC_AFF_Aff2_SHIFT        16
#define GIC_AFF_Aff3_SHIFT        24

static inline uint32_t gic_aff_pack(uint64_t aff3, uint64_t aff2, uint64_t aff1, uint64_t aff0)
{
	return (uint32_t)(((aff3 & GIC_AFF_FIELD_MASK) << GIC_AFF_Aff3_SHIFT) |
			  ((aff2 & GIC_AFF_FIELD_MASK) << GIC_AFF_Aff2_SHIFT) |
			  ((aff1 & GIC_AFF_FIELD_MASK) << GIC_AFF_Aff1_SHIFT) |
			  ((aff0 & GIC_AFF_FIELD_MASK) << GIC_AFF_Aff0_SHIFT));
}

/* MPIDR_EL1 carries U, MT and a RES1 bit beside the affinity; only the affinity routes. */
static inline uint32_t gic_mpidr_aff(uint64_t mpidr)
{
	return gic_aff_pack(mpidr >> MPIDR_Aff3_SHIFT, mpidr >> MPIDR_Aff2_SHIFT,
			    mpidr >> MPIDR_Aff1_SHIFT, mpidr >> MPIDR_Aff0_SHIFT);
}

static inline uint32_t gic_irouter_aff(uint64_t irouter)
{
	return gic_aff_pack(irouter >> GICD_IROUTER_Aff3_SHIFT, irouter >> GICD_IROUTER_Aff2_SHIFT,
			    irouter >> GICD_IROUTER_Aff1_SHIFT, irouter >> GICD_IROUTER_Aff0_SHIFT);
}

/* ---- ITS (GITS_*): control frame, then the translation frame at +64 KiB ---- */
#define GITS_CTLR                 0x0000U
#define GITS_IIDR                 0x0004U
#define GITS_TYPER                0x0008U
#define GITS_CBASER               0x0080U
#define GITS_CWRITER              0x0088U
#define GITS_CREADR               0x0090U
#define GITS_BASER                0x0100U   /* GITS_BASER<n> at 0x0100 + 8n, n = 0..7 */
#define GITS_IDREGS               0xFFD0U
#define GITS_TRANSLATER           0x10040U
#define GITS_FRAME_SIZE           0x20000U

#define GITS_CTLR_Enabled         (1U << 0)
#define GITS_CTLR_Quiescent       (1U << 31)

#define GITS_TYPER_Physical       (1ULL << 0)
#define GITS_TYPER_ITT_entry_size_SHIFT 4
#define GITS_TYPER_IDbits_SHIFT   8
#define GITS_TYPER_Devbits_SHIFT  13

#define GITS_CBASER_Valid         (1ULL << 63)
#define GITS_CBASER_Size_MASK     0xffULL
#define GITS_CBASER_PA_MASK       (((1ULL << 52) - 1) & ~((1ULL << 12) - 1))
#define GITS_CBASER_WRITABLE      (GITS_CBASER_Valid | (0x7ULL << 59) | (0x7ULL << 53) | \
				   GITS_CBASER_PA_MASK | (0x3ULL << 10) | GITS_CBASER_Size_MASK)
#define GITS_CQUEUE_OFFSET_MASK   (((1ULL << 20) - 1) & ~((1ULL << 5) - 1))  /* CWRITER/CREADR [19:5] */
#define GITS_CMD_BYTES            32U

#define GITS_BASER_Valid          (1ULL << 63)
#define GITS_BASER_Indirect       (1ULL << 62)
#define GITS_BASER_Type_SHIFT     56
#define GITS_BASER_Type_Devices   1ULL
#define GITS_BASER_Type_Collections 4ULL
#define GITS_BASER_Entry_Size_SHIFT 48
#define GITS_BASER_PA_MASK        (((1ULL << 48) - 1) & ~((1ULL << 12) - 1))  /* [47:12] */
#define GITS_BASER_PA_HI_MASK     (0xfULL << 12)  /* 64 KiB pages: PA[51:48] in [15:12] */
#define GITS_BASER_Page_Size_SHIFT 8
#define GITS_BASER_Page_Size_MASK (0x3ULL << GITS_BASER_Page_Size_SHIFT)
#define GITS_BASER_Size_MASK      0xffULL
#define GITS_BASER_WRITABLE       (GITS_BASER_Valid | GITS_BASER_Indirect | (0x7ULL << 59) | \
				   (0x7ULL << 53) | GITS_BASER_PA_MASK | (0x3ULL << 10) | \
				   GITS_BASER_Page_Size_MASK | GITS_BASER_Size_MASK)
#define GITS_LVL1_Valid           (1ULL << 63)
#define GITS_LVL1_PA_MASK         (((1ULL << 52) - 1) & ~((1ULL << 12) - 1))

/* Command opcodes (DW0[7:0]) */
#define GITS_CMD_MOVI             0x01U
#define GITS_CMD_INT              0x03U
#define GITS_CMD_CLEAR            0x04U
#define GITS_CMD_SYNC             0x05U
#define GITS_CMD_MAPD             0x08U
#define GITS_CMD_MAPC             0x09U
#define GITS_CMD_MAPTI            0x0AU
#define GITS_CMD_MAPI             0x0BU
#define GITS_CMD_INV              0x0CU
#define GITS_CMD_INVALL           0x0DU
#define GITS_CMD_MOVALL           0x0EU
#define GITS_CMD_DISCARD          0x0FU

#endif

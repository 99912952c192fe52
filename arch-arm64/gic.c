/* gic.c: physical GICv3 set-up and the interrupt acknowledge/EOI/DIR/SGI primitives EL2 uses.
 * Group 1, one priority, so EL2 never nests: SGI 0, PPIs 25-27 and 30, and the UART's SPI forwarded to the guest. */
#include "gic.h"
#include "hyp.h"
#include "platform.h"
#include "sysreg.h"

#define GICD_CTLR            0x0000U
#define GICD_CTLR_ENGRP0     (1U << 0)
#define GICD_CTLR_ENGRP1     (1U << 1)
#define GICD_CTLR_ARE        (1U << 4)
#define GICD_CTLR_RWP        (1U << 31)
#define GICD_TYPER           0x0004U
#define GICD_TYPER_LINES_MASK 0x1fU
#define GICD_IGROUPR         0x0080U
#define GICD_ISENABLER       0x0100U
#define GICD_ICENABLER       0x0180U
#define GICD_ICPENDR         0x0280U
#define GICD_ICACTIVER       0x0380U
#define GICD_IPRIORITYR      0x0400U  /* one byte per INTID */
#define GICD_ICFGR           0x0C00U  /* two bits per INTID; the upper one set = edge */
#define GICD_ICFGR_PER_REG   16U
#define GICD_ICFGR_EDGE      2U
#define GICD_IROUTER         0x6000U  /* 64 bits per INTID, affinity in MPIDR's bit positions */

#define GICR_FRAME_SIZE      0x20000U  /* RD_base + SGI_base */
#define GICR_SGI_OFFSET      0x10000U
#define GICR_CTLR            0x0000U
#define GICR_CTLR_RWP        (1U << 3)
#define GICR_TYPER           0x0008U
#define GICR_TYPER_LAST      (1UL << 4)
#define GICR_TYPER_AFF_SHIFT 32
#define GICR_AFF1_SHIFT      8
#define GICR_AFF2_SHIFT      16
#define GICR_AFF3_SHIFT      24
#define GICR_WAKER           0x0014U
#define GICR_WAKER_PSLEEP    (1U << 1)
#define GICR_WAKER_CASLEEP   (1U << 2)
#define GICR_IGROUPR0        0x0080U
#define GICR_ISENABLER0      0x0100U
#define GICR_ICENABLER0      0x0180U
#define GICR_ICPENDR0        0x0280U
#define GICR_ISACTIVER0      0x0300U
#define GICR_ICACTIVER0      0x0380U
#define GICR_IPRIORITYR      0x0400U
#define GICR_ICFGR1          0x0C04U

#define GIC_ALL_ONES         0xffffffffU
#define HYP_IRQ_PRIORITY     0x80U
#define GIC_PRIO_REGS        8U
#define GIC_PRIO_EVERY_BYTE  0x01010101U  /* one priority into all four bytes of IPRIORITYR */        /* 32 private INTIDs, 4 per IPRIORITYR */
#define GIC_SPIN_LIMIT       1000000U

/* This CPU's SGI frame (RD_base + 64 KiB), for enabling and disabling its PPIs later. */
static uint64_t sgi_frame[HYP_MAX_CPUS];

static inline uint32_t rd32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline uint64_t rd64(uint64_t a) { return *(volatile uint64_t *)a; }
static inline void wr8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void wr32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void wr64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

static int wait_clear(uint64_t addr, uint32_t bit)
{
	for (unsigned i = 0; i < GIC_SPIN_LIMIT; i++)
		if (!(rd32(addr) & bit))
			return 0;
	return -1;
}

int gic_dist_init(void)
{
	uint64_t d = platform.gicd_base;
	unsigned lines = ((rd32(d + GICD_TYPER) & GICD_TYPER_LINES_MASK) + 1) * 32;

	wr32(d + GICD_CTLR, 0);
	if (wait_clear(d + GICD_CTLR, GICD_CTLR_RWP))
		return -1;
	/* Every SPI starts disabled, inactive and not pending; gic_spi_route() enables the forwarded one. */
	for (unsigned i = 32; i < lines; i += 32) {
		wr32(d + GICD_ICENABLER + i / 8, GIC_ALL_ONES);
		wr32(d + GICD_ICPENDR + i / 8, GIC_ALL_ONES);
		wr32(d + GICD_ICACTIVER + i / 8, GIC_ALL_ONES);
		wr32(d + GICD_IGROUPR + i / 8, GIC_ALL_ONES);
	}
	wr32(d + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1 | GICD_CTLR_ENGRP0);
	return wait_clear(d + GICD_CTLR, GICD_CTLR_RWP);
}

void gic_spi_route(uint32_t intid, uint64_t mpidr)
{
	uint64_t d = platform.gicd_base;
	uint64_t cfg = d + GICD_ICFGR + (intid / GICD_ICFGR_PER_REG) * 4U;
	unsigned shift = (intid % GICD_ICFGR_PER_REG) * 2U;

	wr8(d + GICD_IPRIORITYR + intid, HYP_IRQ_PRIORITY);
	/* A level: the device holds it until served, and the guest's deactivation re-arms it. */
	wr32(cfg, rd32(cfg) & ~((uint32_t)GICD_ICFGR_EDGE << shift));
	wr64(d + GICD_IROUTER + 8U * intid, mpidr & MPIDR_AFF_MASK);
	wr32(d + GICD_ISENABLER + (intid / 32U) * 4U, 1U << (intid % 32U));
}

static uint64_t find_redist(uint64_t mpidr)
{
	/* GICR_TYPER[63:32] packs the affinity as Aff3.Aff2.Aff1.Aff0, one byte each */
	uint64_t aff = (MPIDR_AFF3(mpidr) << GICR_AFF3_SHIFT) | (MPIDR_AFF2(mpidr) << GICR_AFF2_SHIFT) |
		       (MPIDR_AFF1(mpidr) << GICR_AFF1_SHIFT) | MPIDR_AFF0(mpidr);

	for (uint64_t off = 0; off + GICR_FRAME_SIZE <= platform.gicr_size; off += GICR_FRAME_SIZE) {
		uint64_t typer = rd64(platform.gicr_base + off + GICR_TYPER);

		if ((typer >> GICR_TYPER_AFF_SHIFT) == aff)
			return platform.gicr_base + off;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

int gic_cpu_init(uint64_t mpidr)
{
	uint64_t rd = find_redist(mpidr), sgi;
	uint32_t enable = (1U << HYP_SGI_KICK) | (1U << PPI_MAINTENANCE) |
			  (1U << PPI_HYP_TIMER) | (1U << PPI_VTIMER) | (1U << PPI_PTIMER);

	if (!rd)
		return -1;
	sgi = rd + GICR_SGI_OFFSET;
	sgi_frame[hyp_cpu_index()] = sgi;
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
	if (wait_clear(rd + GICR_WAKER, GICR_WAKER_CASLEEP))
		return -1;
	wr32(sgi + GICR_ICENABLER0, GIC_ALL_ONES);
	if (wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP))
		return -1;
	wr32(sgi + GICR_ICPENDR0, GIC_ALL_ONES);
	wr32(sgi + GICR_ICACTIVER0, GIC_ALL_ONES);
	wr32(sgi + GICR_IGROUPR0, GIC_ALL_ONES);
	for (unsigned i = 0; i < GIC_PRIO_REGS; i++)
		wr32(sgi + GICR_IPRIORITYR + 4 * i, HYP_IRQ_PRIORITY * GIC_PRIO_EVERY_BYTE);
	wr32(sgi + GICR_ICFGR1, 0);  /* PPIs level-sensitive: timers and maintenance are levels */
	wr32(sgi + GICR_ISENABLER0, enable);

	write_sysreg(icc_sre_el2, read_sysreg(icc_sre_el2) | ICC_SRE_SRE | ICC_SRE_ENABLE);
	isb();
	write_sysreg(icc_pmr_el1, ICC_PMR_ALL);          /* let every priority through */
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, ICC_CTLR_EOIMODE);  /* split priority drop and deactivation */
	write_sysreg(icc_igrpen1_el1, ICC_IGRPEN_ENABLE);
	isb();
	return 0;
}

uint32_t gic_ack(void)
{
	uint64_t v = read_sysreg(icc_iar1_el1);

	dsb(sy);
	return (uint32_t)(v & ICC_IAR_INTID_MASK);
}

void gic_priority_drop(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid);
	isb();
}

void gic_deactivate(uint32_t intid)
{
	write_sysreg(icc_dir_el1, intid);
	isb();
}

#define GIC_NR_PRIVATE       32U

/*
 * Deactivate an interrupt that another CPU acknowledged. ICC_DIR_EL1 acts on
 * this CPU's own banked SGIs/PPIs, so a private interrupt of CPU `cpu` is
 * cleared in that CPU's redistributor; a shared one in the distributor.
 */
void gic_deactivate_on(unsigned cpu, uint32_t intid)
{
	if (cpu == hyp_cpu_index()) {
		gic_deactivate(intid);
		return;
	}
	if (intid < GIC_NR_PRIVATE) {
		if (cpu < HYP_MAX_CPUS && sgi_frame[cpu])
			wr32(sgi_frame[cpu] + GICR_ICACTIVER0, 1U << intid);
	} else {
		wr32(platform.gicd_base + GICD_ICACTIVER + (intid / 32U) * 4U, 1U << (intid % 32U));
	}
	dsb(sy);
}

void gic_send_sgi(uint64_t mpidr, uint32_t intid)
{
	uint64_t v = ((uint64_t)intid << ICC_SGI1R_INTID_SHIFT) |
		     (MPIDR_AFF3(mpidr) << ICC_SGI1R_AFF3_SHIFT) |
		     (MPIDR_AFF2(mpidr) << ICC_SGI1R_AFF2_SHIFT) |
		     (MPIDR_AFF1(mpidr) << ICC_SGI1R_AFF1_SHIFT) |
		     (1UL << MPIDR_AFF0(mpidr));  /* target list: Aff0 < 16 on QEMU virt */

	dsb(ishst);
	write_sysreg(icc_sgi1r_el1, v);
	isb();
}

bool gic_ppi_active(uint32_t intid)
{
	return rd32(sgi_frame[hyp_cpu_index()] + GICR_ISACTIVER0) & (1U << intid);
}

void gic_ppi_set_active(uint32_t intid)
{
	wr32(sgi_frame[hyp_cpu_index()] + GICR_ISACTIVER0, 1U << intid);
	dsb(sy);
}

void gic_ppi_enable(uint32_t intid, bool on)
{
	uint64_t sgi = sgi_frame[hyp_cpu_index()];

	wr32(sgi + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), 1U << intid);
	if (!on)
		wait_clear(sgi - GICR_SGI_OFFSET + GICR_CTLR, GICR_CTLR_RWP);
}

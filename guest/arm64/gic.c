/* gic.c: the guest's GICv3 driver: distributor and redistributor set-up through MMIO (which the
 * hypervisor emulates), ICC_* system registers for the CPU interface, and the irq half of guest_arch.h. */
#include "arm64.h"

#define GICD_CTLR          0x0000U
#define GICD_CTLR_GRP1NS   (1U << 1)
#define GICD_CTLR_ARE_NS   (1U << 4)
#define GICD_CTLR_RWP      (1U << 31)
#define GICD_TYPER         0x0004U
#define GICD_TYPER_LINES   0x1fU
#define GICD_IGROUPR       0x0080U
#define GICD_ISENABLER     0x0100U
#define GICD_ICENABLER     0x0180U
#define GICD_ISPENDR       0x0200U
#define GICD_ICPENDR       0x0280U
#define GICD_ISACTIVER     0x0300U
#define GICD_ICACTIVER     0x0380U
#define GICD_IPRIORITYR    0x0400U
#define GICD_ICFGR         0x0C00U
#define GICD_IROUTER       0x6000U

#define GICR_FRAME         0x20000U
#define GICR_SGI           0x10000U
#define GICR_CTLR          0x0000U
#define GICR_TYPER         0x0008U
#define GICR_TYPER_LAST    (1UL << 4)
#define GICR_TYPER_AFF_SHIFT 32
#define GICR_WAKER         0x0014U
#define GICR_WAKER_PSLEEP  (1U << 1)
#define GICR_WAKER_CASLEEP (1U << 2)
#define GICR_ICFGR1        0x0C04U

#define ALL_ONES           0xffffffffU
#define DEFAULT_PRIO       0xa0U
#define SPIN_LIMIT         100000U
#define ICC_SRE_SRE        1UL
#define ICC_PMR_OPEN       0xffUL
#define ICC_SGI_INTID_SHIFT 24
#define ICC_SGI_AFF1_SHIFT 16
#define ICC_SGI_AFF2_SHIFT 32
#define ICC_SGI_IRM        (1UL << 40)
#define ICC_SGI_AFF3_SHIFT 48
#define ICC_SGI_TARGETS    16U
#define SGI_WORK_INTID     15U      /* the layer's own IPI (SMP_WORK_IPI) */

static uint64_t redist[GUEST_MAX_CPUS];  /* RD_base of each CPU's redistributor */

static int wait_clear(uint64_t a, uint32_t bit)
{
	for (unsigned i = 0; i < SPIN_LIMIT; i++)
		if (!(mmio_r32(a) & bit))
			return 0;
	return -1;
}

static unsigned nr_lines(void)
{
	return ((mmio_r32(machine.gicd + GICD_TYPER) & GICD_TYPER_LINES) + 1) * 32;
}

static uint64_t aff_route(unsigned cpu)
{
	return mpidr_to_irouter(machine.mpidr[cpu]);
}

int gic_dist_init(void)
{
	uint64_t d = machine.gicd;
	unsigned lines = nr_lines();

	mmio_w32(d + GICD_CTLR, 0);
	if (wait_clear(d + GICD_CTLR, GICD_CTLR_RWP))
		return -1;
	for (unsigned i = 32; i < lines; i += 32) {
		mmio_w32(d + GICD_ICENABLER + i / 8, ALL_ONES);
		mmio_w32(d + GICD_ICPENDR + i / 8, ALL_ONES);
		mmio_w32(d + GICD_ICACTIVER + i / 8, ALL_ONES);
		mmio_w32(d + GICD_IGROUPR + i / 8, ALL_ONES);
		mmio_w32(d + GICD_ICFGR + i / 4, 0);
		mmio_w32(d + GICD_ICFGR + i / 4 + 4, 0);
	}
	for (unsigned i = 32; i < lines; i += 4)
		mmio_w32(d + GICD_IPRIORITYR + i, DEFAULT_PRIO * GIC_PRIO_EVERY_BYTE);
	for (unsigned i = 32; i < lines; i++)
		mmio_w64(d + GICD_IROUTER + 8 * i, aff_route(0));
	mmio_w32(d + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_GRP1NS);
	return wait_clear(d + GICD_CTLR, GICD_CTLR_RWP);
}

static uint64_t find_redist(uint64_t mpidr)
{
	uint64_t aff = mpidr_to_typer_aff(mpidr);

	for (uint64_t off = 0; off + GICR_FRAME <= machine.gicr_size; off += GICR_FRAME) {
		uint64_t typer = mmio_r64(machine.gicr + off + GICR_TYPER);

		if ((typer >> GICR_TYPER_AFF_SHIFT) == aff)
			return machine.gicr + off;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

int gic_cpu_init(void)
{
	unsigned cpu = guest_arch_cpu_id();
	uint64_t rd = find_redist(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK), sgi;

	if (!rd)
		return -1;
	redist[cpu] = rd;
	sgi = rd + GICR_SGI;
	mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
	if (wait_clear(rd + GICR_WAKER, GICR_WAKER_CASLEEP))
		return -1;
	mmio_w32(sgi + GICD_ICENABLER, ALL_ONES);
	mmio_w32(sgi + GICD_ICPENDR, ALL_ONES);
	mmio_w32(sgi + GICD_ICACTIVER, ALL_ONES);
	mmio_w32(sgi + GICD_IGROUPR, ALL_ONES);
	mmio_w32(sgi + GICR_ICFGR1, 0);
	for (unsigned i = 0; i < GIC_PRIVATE; i += 4)
		mmio_w32(sgi + GICD_IPRIORITYR + i, DEFAULT_PRIO * GIC_PRIO_EVERY_BYTE);

	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | ICC_SRE_SRE);
	isb();
	write_sysreg(icc_pmr_el1, ICC_PMR_OPEN);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, 0);     /* EOImode 0 until a test asks for split EOI */
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	mmio_w32(sgi + GICD_ISENABLER, 1U << SGI_WORK_INTID);
	return 0;
}

uint64_t gic_redist(unsigned cpu)
{
	return cpu < GUEST_MAX_CPUS ? redist[cpu] : 0;
}

/* The frame that holds an INTID's registers for this CPU: GICR SGI frame or GICD. */
static uint64_t frame_of(unsigned irq)
{
	return irq < GIC_PRIVATE ? redist[guest_arch_cpu_id()] + GICR_SGI : machine.gicd;
}

static void set_bit_reg(unsigned base, unsigned irq)
{
	mmio_w32(frame_of(irq) + base + (irq / 32) * 4, 1U << (irq % 32));
}

static int get_bit_reg(unsigned base, unsigned irq)
{
	return (mmio_r32(frame_of(irq) + base + (irq / 32) * 4) >> (irq % 32)) & 1U;
}

unsigned guest_arch_irq_of_line(unsigned line)
{
	return 32U + line;
}

unsigned guest_arch_irq_of_ipi(unsigned n)
{
	return n < GIC_SGI_MAX ? n : SGI_WORK_INTID;
}

void guest_arch_irq_configure(unsigned irq, unsigned prio, bool level)
{
	uint64_t f = frame_of(irq);
	uint64_t cfg = f + GICD_ICFGR + (irq / 16) * 4;
	uint32_t edge_bit = 2U << ((irq % 16) * 2);

	mmio_w8(f + GICD_IPRIORITYR + irq, (uint8_t)((prio % GUEST_PRIO_LEVELS) << GIC_PRIO_SHIFT));
	if (irq >= GIC_SGI_MAX) /* SGIs are always edge: their ICFGR is read-only */
		mmio_w32(cfg, level ? (mmio_r32(cfg) & ~edge_bit) : (mmio_r32(cfg) | edge_bit));
}

void guest_arch_irq_enable(unsigned irq, bool on)
{
	set_bit_reg(on ? GICD_ISENABLER : GICD_ICENABLER, irq);
}

void guest_arch_irq_route(unsigned irq, unsigned cpu)
{
	if (irq >= GIC_PRIVATE && cpu < machine.nr_cpus)
		mmio_w64(machine.gicd + GICD_IROUTER + 8 * irq, aff_route(cpu));
}

int guest_arch_irq_pending(unsigned irq)
{
	return get_bit_reg(GICD_ISPENDR, irq);
}

int guest_arch_irq_active(unsigned irq)
{
	return get_bit_reg(GICD_ISACTIVER, irq);
}

void guest_arch_irq_clear_pending(unsigned irq)
{
	set_bit_reg(GICD_ICPENDR, irq);
}

void guest_arch_set_priority_mask(unsigned mask)
{
	write_sysreg(icc_pmr_el1, mask >= GUEST_PRIO_LEVELS ? ICC_PMR_OPEN : (uint64_t)mask << GIC_PRIO_SHIFT);
	isb();
}

static uint64_t sgi_target(unsigned cpu)
{
	uint64_t m = machine.mpidr[cpu];

	/* Target list: one bit per Aff0 value 0..15 (QEMU virt numbers at most 16 CPUs per cluster). */
	return mpidr_aff(m, 1) << ICC_SGI_AFF1_SHIFT | mpidr_aff(m, 2) << ICC_SGI_AFF2_SHIFT |
	       mpidr_aff(m, 3) << ICC_SGI_AFF3_SHIFT | 1UL << (mpidr_aff(m, 0) % ICC_SGI_TARGETS);
}

void guest_arch_send_ipi(unsigned cpu, unsigned n)
{
	dsb(ishst);
	write_sysreg(icc_sgi1r_el1, sgi_target(cpu) | ((uint64_t)guest_arch_irq_of_ipi(n) << ICC_SGI_INTID_SHIFT));
	isb();
}

void guest_arch_send_ipi_others(unsigned n)
{
	dsb(ishst);
	write_sysreg(icc_sgi1r_el1, ICC_SGI_IRM | ((uint64_t)guest_arch_irq_of_ipi(n) << ICC_SGI_INTID_SHIFT));
	isb();
}

bool guest_arch_level_retracts(void)
{
	return true; /* the distributor's pending state of a level interrupt follows the line */
}

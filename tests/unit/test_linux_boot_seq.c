/* test_linux_boot_seq.c: replays, register by register, what Linux's GICv3 driver does at boot, then
 * checks that IPIs (SGIs), the timer (a PPI) and a device SPI reach the harness guest. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "gic_regs.h"

/*
 * The sequence follows the driver's documented behaviour (drivers/irqchip/irq-gic-v3.c and its
 * boot log): probe by PIDR2 and TYPER; walk the redistributors up to GICR_TYPER.Last; disable the
 * distributor, put every SPI in group 1, level, priority 0xa0, inactive and disabled, enable with
 * ARE and group 1, route every SPI to the boot CPU; then on each CPU find its redistributor by
 * affinity, wake it (clear ProcessorSleep, poll ChildrenAsleep), put SGIs/PPIs in group 1,
 * deactivate and disable them, give them priority 0xa0, and wait for RWP. IPIs are SGIs 0..7
 * unmasked on every CPU; the arch timer is a level PPI; a device SPI gets its trigger by
 * read-modify-write-verify of ICFGR, its affinity by a 64-bit IROUTER write, then is unmasked.
 * The code here is written from that description, not taken from the driver.
 */

#define NCPU        4U
#define NSPI        64U
#define NLR         4U
#define DEF_PRI     0xa0U
#define DEF_PRI_X4  0xa0a0a0a0U
#define ALL_BITS    0xffffffffU
#define NR_IPI      8U
#define TIMER_PPI   27U          /* EL1 virtual timer */
#define UART_SPI    33U          /* PL011 on QEMU virt: SPI 1 */
#define RWP_POLLS   1000U
#define WAKER_POLLS 1000U

/* MPIDRs of a two-cluster machine, the way firmware reports them (bit 31 RES1). */
static const uint64_t cpu_mpidr[NCPU] = {
	0x80000000ULL, 0x80000001ULL, 0x80000100ULL, 0x80000101ULL,
};

struct linux_gic {
	struct harness *h;
	uint32_t cpu;               /* the CPU running the driver code now */
	uint32_t irq_nr;            /* INTIDs the distributor covers, from TYPER */
	uint32_t rd_of_cpu[NCPU];   /* which redistributor frame each CPU found */
	bool has_rss;
	unsigned accesses;
};

/* ---- the driver's accessors: readl/writel/readq/writeq on the two regions ---- */

static uint64_t gicd_rd(struct linux_gic *g, uint32_t off, unsigned w)
{
	uint64_t v = 0;

	assert_int_equal(vgic_mmio_dist_access(&g->h->vm, g->cpu, off, w, false, &v), VGIC_MMIO_OK);
	g->accesses++;
	return v;
}

static void gicd_wr(struct linux_gic *g, uint32_t off, unsigned w, uint64_t v)
{
	assert_int_equal(vgic_mmio_dist_access(&g->h->vm, g->cpu, off, w, true, &v), VGIC_MMIO_OK);
	g->accesses++;
}

/* off is relative to the start of the GICR region: frame * 128K + offset in the frame. */
static uint64_t gicr_rd(struct linux_gic *g, uint64_t off, unsigned w)
{
	uint64_t v = 0;

	assert_int_equal(vgic_mmio_redist_access(&g->h->vm, g->cpu, (uint32_t)(off / VGIC_GICR_SIZE),
						 off % VGIC_GICR_SIZE, w, false, &v), VGIC_MMIO_OK);
	g->accesses++;
	return v;
}

static void gicr_wr(struct linux_gic *g, uint64_t off, unsigned w, uint64_t v)
{
	assert_int_equal(vgic_mmio_redist_access(&g->h->vm, g->cpu, (uint32_t)(off / VGIC_GICR_SIZE),
						 off % VGIC_GICR_SIZE, w, true, &v), VGIC_MMIO_OK);
	g->accesses++;
}

static uint64_t rd_base(struct linux_gic *g)
{
	return (uint64_t)g->rd_of_cpu[g->cpu] * VGIC_GICR_SIZE;
}

static uint64_t sgi_base(struct linux_gic *g)
{
	return rd_base(g) + GICR_SGI_BASE;
}

static uint32_t mpidr_to_affinity(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 32) & 0xff) << 24 | ((mpidr >> 16) & 0xff) << 16 |
			  ((mpidr >> 8) & 0xff) << 8 | (mpidr & 0xff));
}

static uint64_t mpidr_to_irouter(uint64_t mpidr)
{
	return (mpidr & 0xffffffULL) | (((mpidr >> 32) & 0xff) << 32);
}

static void dist_wait_for_rwp(struct linux_gic *g)
{
	unsigned n = RWP_POLLS;

	while (gicd_rd(g, GICD_CTLR, 4) & GICD_CTLR_RWP)
		assert_true(--n > 0);
}

static void redist_wait_for_rwp(struct linux_gic *g)
{
	unsigned n = RWP_POLLS;

	while (gicr_rd(g, rd_base(g) + GICR_CTLR, 4) & GICR_CTLR_RWP)
		assert_true(--n > 0);
}

/* ---- probe ---- */

static void probe(struct linux_gic *g)
{
	uint32_t pidr2 = (uint32_t)gicd_rd(g, GICD_PIDR2, 4);
	uint32_t typer, archrev = (pidr2 >> GIC_PIDR2_ArchRev_SHIFT) & 0xf;

	assert_true(archrev == 3 || archrev == 4);
	typer = (uint32_t)gicd_rd(g, GICD_TYPER, 4);
	g->irq_nr = 32U * ((typer & GICD_TYPER_ITLinesNumber_MASK) + 1U);
	if (g->irq_nr > 1020)
		g->irq_nr = 1020;
	g->has_rss = typer & GICD_TYPER_RSS;
	assert_false(typer & GICD_TYPER_LPIS);  /* no ITS set-up follows */
	assert_false(typer & GICD_TYPER_ESPI);  /* no extended SPI loops */
	(void)gicd_rd(g, GICD_TYPER2, 4);
}

/* gic_update_rdist_properties: every frame, until Last. Returns the number found. */
static unsigned walk_redistributors(struct linux_gic *g)
{
	uint64_t ptr = 0, typer;
	unsigned found = 0;

	do {
		uint32_t archrev = ((uint32_t)gicr_rd(g, ptr + GICR_PIDR2, 4) >> GIC_PIDR2_ArchRev_SHIFT) & 0xf;

		assert_true(archrev == 3 || archrev == 4);
		typer = gicr_rd(g, ptr + GICR_TYPER, 8);
		assert_false(typer & GICR_TYPER_VLPIS); /* else two more 64K frames per redistributor */
		assert_int_equal((typer >> 27) & 0x1f, 0); /* PPInum: 16 PPIs only */
		found++;
		ptr += VGIC_GICR_SIZE;
		assert_true(found <= NCPU);
	} while (!(typer & GICR_TYPER_Last));
	return found;
}

/* ---- distributor init, on the boot CPU ---- */

static void dist_init(struct linux_gic *g)
{
	gicd_wr(g, GICD_CTLR, 4, 0);
	dist_wait_for_rwp(g);
	for (uint32_t i = 32; i < g->irq_nr; i += 32)
		gicd_wr(g, GICD_IGROUPR + i / 8, 4, ALL_BITS);
	/* gic_dist_config: level, default priority, deactivated and disabled. */
	for (uint32_t i = 32; i < g->irq_nr; i += 16)
		gicd_wr(g, GICD_ICFGR + i / 4, 4, 0);
	for (uint32_t i = 32; i < g->irq_nr; i += 4)
		gicd_wr(g, GICD_IPRIORITYR + i, 4, DEF_PRI_X4);
	for (uint32_t i = 32; i < g->irq_nr; i += 32) {
		gicd_wr(g, GICD_ICACTIVER + i / 8, 4, ALL_BITS);
		gicd_wr(g, GICD_ICENABLER + i / 8, 4, ALL_BITS);
	}
	dist_wait_for_rwp(g);
	gicd_wr(g, GICD_CTLR, 4, GICD_CTLR_ARE_NS | GICD_CTLR_EnableGrp1 | GICD_CTLR_EnableGrp0);
	dist_wait_for_rwp(g);
	for (uint32_t i = 32; i < g->irq_nr; i++)
		gicd_wr(g, GICD_IROUTER + i * 8, 8, mpidr_to_irouter(cpu_mpidr[g->cpu]));
}

/* ---- per-CPU init (boot CPU, then each secondary as it comes up) ---- */

static void populate_rdist(struct linux_gic *g)
{
	uint32_t aff = mpidr_to_affinity(cpu_mpidr[g->cpu]);
	uint64_t ptr = 0, typer;

	do {
		(void)gicr_rd(g, ptr + GICR_PIDR2, 4);
		typer = gicr_rd(g, ptr + GICR_TYPER, 8);
		if ((uint32_t)(typer >> 32) == aff) {
			g->rd_of_cpu[g->cpu] = (uint32_t)(ptr / VGIC_GICR_SIZE);
			return;
		}
		ptr += VGIC_GICR_SIZE;
	} while (!(typer & GICR_TYPER_Last));
	fail_msg("CPU%u: no redistributor for affinity %08x", g->cpu, aff);
}

static void enable_redist(struct linux_gic *g)
{
	uint32_t val = (uint32_t)gicr_rd(g, rd_base(g) + GICR_WAKER, 4);
	unsigned n = WAKER_POLLS;

	val &= ~GICR_WAKER_ProcessorSleep;
	gicr_wr(g, rd_base(g) + GICR_WAKER, 4, val);
	while (gicr_rd(g, rd_base(g) + GICR_WAKER, 4) & GICR_WAKER_ChildrenAsleep)
		assert_true(--n > 0); /* "redistributor failed to wakeup" */
}

static void cpu_init(struct linux_gic *g, uint32_t cpu)
{
	g->cpu = cpu;
	populate_rdist(g);
	enable_redist(g);
	gicr_wr(g, sgi_base(g) + GICR_IGROUPR0, 4, ALL_BITS);
	/* gic_cpu_config on the SGI frame */
	gicr_wr(g, sgi_base(g) + GICR_ICACTIVER0, 4, ALL_BITS);
	gicr_wr(g, sgi_base(g) + GICR_ICENABLER0, 4, ALL_BITS);
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i += 4)
		gicr_wr(g, sgi_base(g) + GICR_IPRIORITYR0 + i, 4, DEF_PRI_X4);
	redist_wait_for_rwp(g);
}

/* ---- irq_chip callbacks ---- */

/* gic_configure_irq: read-modify-write the two-bit field, then check the write stuck. */
static void set_type(struct linux_gic *g, uint32_t intid, bool level)
{
	bool private = intid < VGIC_NR_PRIVATE;
	uint32_t confoff = (intid / 16U) * 4U;
	uint32_t mask = GIC_ICFGR_EDGE << ((intid % 16U) * 2U);
	uint32_t val, oldval;

	if (intid < VGIC_NR_SGIS)
		return; /* SGIs are edge, nothing to write */
	if (private)
		val = oldval = (uint32_t)gicr_rd(g, sgi_base(g) + GICR_ICFGR0 + confoff, 4);
	else
		val = oldval = (uint32_t)gicd_rd(g, GICD_ICFGR + confoff, 4);
	val = level ? val & ~mask : val | mask;
	if (val == oldval)
		return;
	if (private) {
		gicr_wr(g, sgi_base(g) + GICR_ICFGR0 + confoff, 4, val);
		redist_wait_for_rwp(g);
		assert_int_equal(gicr_rd(g, sgi_base(g) + GICR_ICFGR0 + confoff, 4), val);
	} else {
		gicd_wr(g, GICD_ICFGR + confoff, 4, val);
		dist_wait_for_rwp(g);
		assert_int_equal(gicd_rd(g, GICD_ICFGR + confoff, 4), val);
	}
}

static void unmask(struct linux_gic *g, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		gicr_wr(g, sgi_base(g) + GICR_ISENABLER0, 4, 1U << intid);
	else
		gicd_wr(g, GICD_ISENABLER + (intid / 32U) * 4U, 4, 1U << (intid % 32U));
}

static void mask(struct linux_gic *g, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE) {
		gicr_wr(g, sgi_base(g) + GICR_ICENABLER0, 4, 1U << intid);
		redist_wait_for_rwp(g);
	} else {
		gicd_wr(g, GICD_ICENABLER + (intid / 32U) * 4U, 4, 1U << (intid % 32U));
		dist_wait_for_rwp(g);
	}
}

/* gic_set_affinity: mask if enabled, write IROUTER, unmask. */
static void set_affinity(struct linux_gic *g, uint32_t intid, uint32_t cpu)
{
	bool enabled = gicd_rd(g, GICD_ISENABLER + (intid / 32U) * 4U, 4) & (1U << (intid % 32U));

	if (enabled)
		mask(g, intid);
	gicd_wr(g, GICD_IROUTER + intid * 8U, 8, mpidr_to_irouter(cpu_mpidr[cpu]));
	if (enabled)
		unmask(g, intid);
}

/* gic_ipi_send_mask: one ICC_SGI1R_EL1 write per cluster, RS from Aff0 / 16. */
static void send_ipi(struct linux_gic *g, uint32_t from, uint32_t cpumask, uint32_t ipi)
{
	for (uint32_t cpu = 0; cpu < NCPU; cpu++) {
		uint64_t cluster, tlist = 0, val;

		if (!(cpumask & (1U << cpu)))
			continue;
		cluster = cpu_mpidr[cpu] & ~0xffULL;
		for (uint32_t c = cpu; c < NCPU; c++) {
			if ((cpumask & (1U << c)) && (cpu_mpidr[c] & ~0xffULL) == cluster) {
				tlist |= 1ULL << ((cpu_mpidr[c] & 0xff) % 16U);
				cpumask &= ~(1U << c);
			}
		}
		val = ((cpu_mpidr[cpu] >> 32) & 0xff) << 48 | ((cpu_mpidr[cpu] >> 16) & 0xff) << 32 |
		      (uint64_t)ipi << 24 | ((cpu_mpidr[cpu] >> 8) & 0xff) << 16 |
		      ((cpu_mpidr[cpu] & 0xff) / 16U) << 44 | tlist;
		assert_int_equal(vgic_sysreg_sgi(&g->h->vm, from, VGIC_ICC_SGI1R, val), HV_OK);
	}
}

/* ---- the whole boot ---- */

static void boot(struct linux_gic *g)
{
	g->h = h_mk(NCPU, NSPI, NLR);
	for (uint32_t c = 0; c < NCPU; c++)
		assert_int_equal(vgic_vcpu_set_mpidr(&g->h->vm, c, cpu_mpidr[c]), HV_OK);
	g->cpu = 0;
	probe(g);
	assert_int_equal(walk_redistributors(g), NCPU);
	dist_init(g);
	for (uint32_t c = 0; c < NCPU; c++)
		cpu_init(g, c);
	/* set_smp_ipi_range: each CPU unmasks the IPI SGIs in its own redistributor. */
	for (uint32_t c = 0; c < NCPU; c++) {
		g->cpu = c;
		for (uint32_t ipi = 0; ipi < NR_IPI; ipi++)
			unmask(g, ipi);
	}
	/* Arch timer: a level PPI, enabled per CPU. */
	for (uint32_t c = 0; c < NCPU; c++) {
		g->cpu = c;
		set_type(g, TIMER_PPI, true);
		unmask(g, TIMER_PPI);
	}
	/* The UART's SPI: level, on CPU 0, unmasked. */
	g->cpu = 0;
	set_type(g, UART_SPI, true);
	set_affinity(g, UART_SPI, 0);
	unmask(g, UART_SPI);
}

static void no_guest_access_was_refused_or_hit_reserved_space(struct harness *h)
{
	for (uint32_t c = 0; c < NCPU; c++) {
		assert_int_equal(h->vcpus[c].stats.mmio_aborts, 0);
		assert_int_equal(h->vcpus[c].stats.mmio_reserved, 0);
	}
}

static void boot_finds_every_redistributor_and_wakes_it(void **state)
{
	struct linux_gic g = { 0 };

	(void)state;
	boot(&g);
	assert_int_equal(g.irq_nr, 32U + NSPI);
	assert_true(g.has_rss);
	for (uint32_t c = 0; c < NCPU; c++) {
		assert_int_equal(g.rd_of_cpu[c], c);
		assert_true(g.h->vcpus[c].rd_awake);
	}
	assert_true(g.h->vm.grp1_enabled);
	/* Every SPI: group 1, level, 0xa0, disabled but the UART's, routed to CPU 0. */
	for (uint32_t i = VGIC_SPI_BASE; i < VGIC_SPI_BASE + NSPI; i++) {
		struct vgic_irq_state s;

		assert_int_equal(vgic_irq_get_state(&g.h->vm, 0, i, &s), HV_OK);
		assert_int_equal(s.group, 1);
		assert_true(s.level_cfg);
		assert_int_equal(s.priority, DEF_PRI);
		assert_int_equal(s.enabled, i == UART_SPI);
		assert_int_equal(s.target, 0);
	}
	for (uint32_t c = 0; c < NCPU; c++)
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
			struct vgic_irq_state s;

			assert_int_equal(vgic_irq_get_state(&g.h->vm, c, i, &s), HV_OK);
			assert_int_equal(s.group, 1);
			assert_int_equal(s.priority, DEF_PRI);
			assert_int_equal(s.enabled, i < NR_IPI || i == TIMER_PPI);
		}
	no_guest_access_was_refused_or_hit_reserved_space(g.h);
	assert_null(h_check_invariants(g.h));
}

static void after_boot_ipis_reach_their_cpus_across_clusters(void **state)
{
	struct linux_gic g = { 0 };

	(void)state;
	boot(&g);
	/* CPU 0 sends IPI 1 (reschedule) to CPUs 1 and 3: one write per cluster. */
	send_ipi(&g, 0, (1U << 1) | (1U << 3), 1);
	assert_int_equal(h_run(g.h, 1, 16), 1);
	assert_int_equal(g.h->acked[1][0], 1);
	assert_int_equal(h_run(g.h, 3, 16), 1);
	assert_int_equal(g.h->acked[3][0], 1);
	assert_int_equal(h_run(g.h, 0, 16), 0);
	assert_int_equal(h_run(g.h, 2, 16), 0);
	/* CPU 3 sends IPI 5 to everyone else, again by target lists. */
	send_ipi(&g, 3, 0x7, 5);
	for (uint32_t c = 0; c < 3; c++) {
		assert_int_equal(h_run(g.h, c, 16), 1);
		assert_int_equal(g.h->acked[c][g.h->nr_acked[c] - 1], 5);
	}
	no_guest_access_was_refused_or_hit_reserved_space(g.h);
	assert_null(h_check_invariants(g.h));
}

static void after_boot_the_timer_ppi_and_the_uart_spi_are_delivered(void **state)
{
	struct linux_gic g = { 0 };
	struct irq_line uart, timer2;

	(void)state;
	boot(&g);
	assert_int_equal(irq_line_bind(&uart, vgic_spi_chip(&g.h->vm), UART_SPI - VGIC_SPI_BASE), HV_OK);
	assert_int_equal(irq_line_bind(&timer2, vgic_ppi_chip(&g.h->vm, 2), TIMER_PPI - VGIC_NR_SGIS), HV_OK);
	/* The UART raises its line: CPU 0 takes SPI 33 once, the device then lowers it. */
	assert_int_equal(irq_line_raise(&uart), HV_OK);
	assert_int_equal(h_run(g.h, 0, 1), 1);
	assert_int_equal(g.h->acked[0][0], UART_SPI);
	assert_int_equal(irq_line_lower(&uart), HV_OK);
	assert_int_equal(h_run(g.h, 0, 16), 0);
	/* irqbalance moves it to CPU 2 (mask, IROUTER, unmask); the next interrupt goes there. */
	set_affinity(&g, UART_SPI, 2);
	assert_int_equal(irq_line_raise(&uart), HV_OK);
	assert_int_equal(h_run(g.h, 0, 16), 0);
	assert_int_equal(h_run(g.h, 2, 1), 1);
	assert_int_equal(g.h->acked[2][0], UART_SPI);
	assert_int_equal(irq_line_lower(&uart), HV_OK);
	/* CPU 2's virtual timer fires: only CPU 2 sees PPI 27. */
	assert_int_equal(irq_line_raise(&timer2), HV_OK);
	for (uint32_t c = 0; c < NCPU; c++)
		if (c != 2)
			assert_int_equal(h_run(g.h, c, 16), 0);
	assert_int_equal(h_run(g.h, 2, 1), 1);
	assert_int_equal(g.h->acked[2][1], TIMER_PPI);
	assert_int_equal(irq_line_lower(&timer2), HV_OK);
	assert_int_equal(h_run(g.h, 2, 16), 0);
	no_guest_access_was_refused_or_hit_reserved_space(g.h);
	assert_null(h_check_invariants(g.h));
}

static void a_cpu_going_offline_sleeps_its_redistributor_and_masks_its_ppis(void **state)
{
	struct linux_gic g = { 0 };
	uint32_t val;

	(void)state;
	boot(&g);
	/* CPU hot-unplug (gic_redist_wait/cpu_pm path): set ProcessorSleep, wait ChildrenAsleep. */
	g.cpu = 3;
	mask(&g, TIMER_PPI);
	val = (uint32_t)gicr_rd(&g, rd_base(&g) + GICR_WAKER, 4) | GICR_WAKER_ProcessorSleep;
	gicr_wr(&g, rd_base(&g) + GICR_WAKER, 4, val);
	assert_true(gicr_rd(&g, rd_base(&g) + GICR_WAKER, 4) & GICR_WAKER_ChildrenAsleep);
	assert_false(g.h->vcpus[3].rd_awake);
	/* And back online: the same per-CPU init as at boot. */
	cpu_init(&g, 3);
	unmask(&g, TIMER_PPI);
	assert_true(g.h->vcpus[3].rd_awake);
	no_guest_access_was_refused_or_hit_reserved_space(g.h);
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(boot_finds_every_redistributor_and_wakes_it),
		T(after_boot_ipis_reach_their_cpus_across_clusters),
		T(after_boot_the_timer_ppi_and_the_uart_spi_are_delivered),
		T(a_cpu_going_offline_sleeps_its_redistributor_and_masks_its_ppis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

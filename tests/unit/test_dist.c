/* test_dist.c: cmocka tests of the GICD emulation (vgic/vgic_dist.c, vgic/vgic_mmio.c) against IHI 0069.
 * Reset values, field semantics, access widths allowed and refused, RAZ/WI space, and effects on the core. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "gic_regs.h"

#define NV     4U           /* vCPUs of the default test VM */
#define NS     64U          /* SPIs: INTIDs 32..95 */
#define NL     4U           /* LRs per vCPU */
#define SPI_A  40U
#define SPI_B  77U
#define FIRST_MISSING_SPI (VGIC_SPI_BASE + NS)
#define STEPS  64U
#define ALL_ONES 0xffffffffffffffffULL
#define W32_ONES 0xffffffffULL

#define BIT_OFF(base, intid)   ((base) + ((intid) / 32U) * 4U)
#define BIT_OF(intid)          (1ULL << ((intid) % 32U))
#define ROUTER_OFF(intid)      (GICD_IROUTER + (intid) * 8U)
#define AFF(a3, a2, a1, a0)    (((uint64_t)(a3) << 32) | ((uint64_t)(a2) << 16) | \
				((uint64_t)(a1) << 8) | (uint64_t)(a0))
#define IRM                    (1ULL << 31)

/* ---- helpers ---- */

static struct harness *mk(unsigned nr_vcpus, unsigned nr_spis)
{
	return h_mk(nr_vcpus, nr_spis, NL);
}

static int acc(struct harness *h, uint32_t off, unsigned w, bool write, uint64_t *v)
{
	return vgic_mmio_dist_access(&h->vm, 0, off, w, write, v);
}

static uint64_t rd(struct harness *h, uint32_t off, unsigned w)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_int_equal(acc(h, off, w, false, &v), VGIC_MMIO_OK);
	return v;
}

static void wr(struct harness *h, uint32_t off, unsigned w, uint64_t v)
{
	assert_int_equal(acc(h, off, w, true, &v), VGIC_MMIO_OK);
}

static uint32_t rd32(struct harness *h, uint32_t off) { return (uint32_t)rd(h, off, 4); }
static void wr32(struct harness *h, uint32_t off, uint32_t v) { wr(h, off, 4, v); }

/* Everything the guest could change, folded into one number: "nothing changed" is one compare. */
static uint64_t mix(uint64_t d, uint64_t v)
{
	return (d ^ v) * 0x100000001b3ULL;
}

static uint64_t irq_digest(uint64_t d, struct harness *h, uint32_t vcpu, uint32_t intid)
{
	struct vgic_irq_state s = h_state(h, vcpu, intid);

	d = mix(d, s.pending | s.active << 1 | s.enabled << 2 | s.level_cfg << 3 | s.line_level << 4);
	d = mix(d, s.priority | (uint64_t)s.group << 8);
	d = mix(d, (uint64_t)(uint32_t)s.queued_on << 16 | (uint32_t)s.target);
	return d;
}

static uint64_t digest(struct harness *h)
{
	uint64_t d = 0xcbf29ce484222325ULL;

	d = mix(d, h->vm.grp0_enabled | h->vm.grp1_enabled << 1);
	for (uint32_t c = 0; c < h->nr_vcpus; c++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			d = irq_digest(d, h, c, i);
		d = mix(d, h->vcpus[c].rd_awake);
		d = mix(d, h->vcpus[c].rd_propbaser);
		d = mix(d, h->vcpus[c].rd_pendbaser);
	}
	for (uint32_t i = 0; i < h->vm.nr_spis; i++) {
		d = irq_digest(d, h, 0, VGIC_SPI_BASE + i);
		d = mix(d, h->spis[i].irouter);
	}
	return d;
}

/* Make the distributor's state non-trivial, so that "unchanged" means something. */
static void populate(struct harness *h)
{
	h_cfg(h, 0, SPI_A, 0x40, VGIC_LEVEL);
	h_cfg(h, 0, SPI_B, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_B, 2), HV_OK);
	h_cfg(h, 1, 20, 0x20, VGIC_LEVEL);
}

/* ---- reset values ---- */

static void fresh_distributor_has_architected_reset_values(void **state)
{
	struct vgic vm;
	struct vgic_vcpu *vcpus = calloc(NV, sizeof(*vcpus));
	struct vgic_irq *spis = calloc(NS, sizeof(*spis));
	struct vgic_config cfg = { .nr_vcpus = NV, .nr_spis = NS, .prio_bits = 5 };
	uint64_t v;

	(void)state;
	assert_non_null(vcpus);
	assert_non_null(spis);
	assert_int_equal(vgic_init(&vm, &cfg, NULL, NULL, vcpus, spis), HV_OK);
	/* Groups disabled, ARE and DS set, RWP clear. */
	assert_int_equal(vgic_mmio_dist_access(&vm, 0, GICD_CTLR, 4, false, &v), VGIC_MMIO_OK);
	assert_int_equal(v, GICD_CTLR_ARE_NS | GICD_CTLR_DS);
	for (uint32_t intid = VGIC_SPI_BASE; intid < VGIC_SPI_BASE + NS; intid += 32) {
		static const uint32_t bitmaps[] = { GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER,
						    GICD_ISPENDR, GICD_ICPENDR, GICD_ISACTIVER,
						    GICD_ICACTIVER };

		for (unsigned b = 0; b < sizeof(bitmaps) / sizeof(bitmaps[0]); b++) {
			assert_int_equal(vgic_mmio_dist_access(&vm, 0, BIT_OFF(bitmaps[b], intid), 4, false, &v),
					 VGIC_MMIO_OK);
			assert_int_equal(v, 0);
		}
	}
	for (uint32_t intid = VGIC_SPI_BASE; intid < VGIC_SPI_BASE + NS; intid++) {
		assert_int_equal(vgic_mmio_dist_access(&vm, 0, GICD_IPRIORITYR + intid, 1, false, &v), VGIC_MMIO_OK);
		assert_int_equal(v, 0);
		assert_int_equal(vgic_mmio_dist_access(&vm, 0, ROUTER_OFF(intid), 8, false, &v), VGIC_MMIO_OK);
		assert_int_equal(v, 0);
	}
	/* SPIs reset level-sensitive: ICFGR fields read 0b00. */
	for (uint32_t off = GICD_ICFGR + 8; off < GICD_ICFGR + 8 + NS / 4; off += 4) {
		assert_int_equal(vgic_mmio_dist_access(&vm, 0, off, 4, false, &v), VGIC_MMIO_OK);
		assert_int_equal(v, 0);
	}
	free(vcpus);
	free(spis);
}

/* ---- access rules ---- */

struct width_rule {
	const char *name;
	uint32_t off;
	unsigned widths; /* bit w set: a w-byte access is allowed */
};

#define B1 (1U << 1)
#define B2 (1U << 2)
#define B4 (1U << 4)
#define B8 (1U << 8)

/* IHI 0069: words everywhere, bytes for priorities/targets/SGI pending, halfwords for the low half
 * of SETSPI/CLRSPI, doublewords for IROUTER. Array registers are probed first, middle and last. */
static const struct width_rule gicd_rules[] = {
	{ "CTLR", GICD_CTLR, B4 },           { "TYPER", GICD_TYPER, B4 },
	{ "IIDR", GICD_IIDR, B4 },           { "TYPER2", GICD_TYPER2, B4 },
	{ "STATUSR", GICD_STATUSR, B4 },
	{ "SETSPI_NSR", GICD_SETSPI_NSR, B2 | B4 }, { "CLRSPI_NSR", GICD_CLRSPI_NSR, B2 | B4 },
	{ "SETSPI_SR", GICD_SETSPI_SR, B2 | B4 },   { "CLRSPI_SR", GICD_CLRSPI_SR, B2 | B4 },
	{ "IGROUPR0", GICD_IGROUPR, B4 },    { "IGROUPR1", GICD_IGROUPR + 4, B4 },
	{ "IGROUPR31", GICD_IGROUPR + 0x7c, B4 },
	{ "ISENABLER1", GICD_ISENABLER + 4, B4 }, { "ICENABLER2", GICD_ICENABLER + 8, B4 },
	{ "ISPENDR1", GICD_ISPENDR + 4, B4 },     { "ICPENDR1", GICD_ICPENDR + 4, B4 },
	{ "ISACTIVER1", GICD_ISACTIVER + 4, B4 }, { "ICACTIVER1", GICD_ICACTIVER + 4, B4 },
	{ "IPRIORITYR0", GICD_IPRIORITYR, B1 | B4 },
	{ "IPRIORITYR10", GICD_IPRIORITYR + 40, B1 | B4 },
	{ "IPRIORITYR254", GICD_IPRIORITYR + 0x3f8, B1 | B4 },
	{ "ITARGETSR8", GICD_ITARGETSR + 32, B1 | B4 },
	{ "ICFGR2", GICD_ICFGR + 8, B4 },    { "ICFGR63", GICD_ICFGR + 0xfc, B4 },
	{ "IGRPMODR1", GICD_IGRPMODR + 4, B4 }, { "NSACR2", GICD_NSACR + 8, B4 },
	{ "SGIR", GICD_SGIR, B4 },
	{ "CPENDSGIR0", GICD_CPENDSGIR, B1 | B4 }, { "SPENDSGIR3", GICD_SPENDSGIR + 12, B1 | B4 },
	{ "IROUTER32", ROUTER_OFF(32), B4 | B8 }, { "IROUTER40", ROUTER_OFF(40), B4 | B8 },
	{ "IROUTER1019", ROUTER_OFF(1019), B4 | B8 },
	{ "PIDR4", GICD_IDREGS, B4 },        { "PIDR2", GICD_PIDR2, B4 },
	{ "CIDR3", 0xfffc, B4 },
};

static void every_register_allows_exactly_its_architected_widths(void **state)
{
	struct harness *h = mk(NV, NS);
	static const unsigned widths[] = { 1, 2, 4, 8 };

	(void)state;
	populate(h);
	for (unsigned r = 0; r < sizeof(gicd_rules) / sizeof(gicd_rules[0]); r++) {
		const struct width_rule *rule = &gicd_rules[r];

		for (unsigned i = 0; i < 4; i++) {
			unsigned w = widths[i];
			bool allowed = rule->widths & (1U << w);
			uint64_t v = 0x1234;
			int rc;

			if (rule->off % w)
				continue;
			rc = acc(h, rule->off, w, false, &v);
			if (rc != (allowed ? VGIC_MMIO_OK : VGIC_MMIO_ABORT))
				fail_msg("GICD_%s: %u-byte read gave %d", rule->name, w, rc);
			if (!allowed)
				assert_int_equal(v, 0);
		}
	}
	h_finish(h);
}

static void refused_writes_change_nothing(void **state)
{
	struct harness *h = mk(NV, NS);
	static const unsigned widths[] = { 1, 2, 8 };

	(void)state;
	populate(h);
	for (unsigned r = 0; r < sizeof(gicd_rules) / sizeof(gicd_rules[0]); r++) {
		for (unsigned i = 0; i < 3; i++) {
			uint64_t before = digest(h), v = ALL_ONES;
			unsigned w = widths[i];
			uint32_t off = gicd_rules[r].off;

			if ((gicd_rules[r].widths & (1U << w)) || off % w)
				continue;
			assert_int_equal(acc(h, off, w, true, &v), VGIC_MMIO_ABORT);
			if (digest(h) != before)
				fail_msg("GICD_%s: refused %u-byte write changed state", gicd_rules[r].name, w);
		}
	}
	assert_int_equal(h->vcpus[0].stats.mmio_reserved, 0);
	assert_true(h->vcpus[0].stats.mmio_aborts > 0);
	h_finish(h);
}

static void misaligned_accesses_abort_and_change_nothing(void **state)
{
	struct harness *h = mk(NV, NS);
	static const struct { uint32_t off; unsigned w; } bad[] = {
		{ GICD_CTLR + 1, 4 }, { GICD_CTLR + 2, 4 }, { GICD_ISENABLER + 5, 4 },
		{ GICD_IPRIORITYR + 41, 2 }, { GICD_IPRIORITYR + 42, 4 }, { GICD_SETSPI_NSR + 1, 2 },
		{ ROUTER_OFF(40) + 4, 8 }, { ROUTER_OFF(40) + 2, 4 }, { 0x3001, 2 }, { 0x3004, 8 },
		{ GICD_PIDR2 + 3, 2 },
	};

	(void)state;
	populate(h);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t before = digest(h), v = ALL_ONES;

		assert_int_equal(acc(h, bad[i].off, bad[i].w, true, &v), VGIC_MMIO_ABORT);
		v = 0x55;
		assert_int_equal(acc(h, bad[i].off, bad[i].w, false, &v), VGIC_MMIO_ABORT);
		assert_int_equal(v, 0);
		assert_int_equal(digest(h), before);
	}
	h_finish(h);
}

static void reserved_space_reads_zero_and_ignores_writes_at_every_width(void **state)
{
	struct harness *h = mk(NV, NS);
	/* Gaps in the map, the ESPI and extended IROUTER ranges (TYPER.ESPI = 0), IROUTER<0..31>'s
	 * upper neighbours, implementation-defined space and the top of the ID block. */
	static const uint32_t holes[] = { 0x0018, 0x0020, 0x0038, 0x0060, 0x0078, 0x0f08, 0x0f30,
					  0x0f80, 0x1000, 0x1008, 0x2000, 0x3ff8, 0x5ff8, 0x7fe0,
					  0x7ff8, 0x8000, 0x9ff8, 0xc000, 0xffc8 };
	static const unsigned widths[] = { 1, 2, 4, 8 };

	(void)state;
	populate(h);
	for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		assert_null(vgic_mmio_reg_name(VGIC_FRAME_GICD, holes[i]));
		for (unsigned j = 0; j < 4; j++) {
			uint64_t before = digest(h);

			assert_int_equal(rd(h, holes[i], widths[j]), 0);
			wr(h, holes[i], widths[j], ALL_ONES);
			assert_int_equal(digest(h), before);
		}
	}
	assert_int_equal(h->vcpus[0].stats.mmio_reserved, 2U * 4U * (sizeof(holes) / sizeof(holes[0])));
	assert_int_equal(h->vcpus[0].stats.mmio_aborts, 0);
	h_finish(h);
}

static void host_argument_errors_return_hv_codes(void **state)
{
	struct harness *h = mk(NV, NS);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vgic_mmio_dist_access(NULL, 0, GICD_CTLR, 4, false, &v), HV_EINVAL);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_CTLR, 4, false, NULL), HV_EINVAL);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_CTLR, 0, false, &v), HV_EINVAL);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_CTLR, 3, false, &v), HV_EINVAL);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_CTLR, 16, false, &v), HV_EINVAL);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, NV, GICD_CTLR, 4, false, &v), HV_ERANGE);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, VGIC_GICD_SIZE, 4, false, &v), HV_ERANGE);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, ALL_ONES, 4, false, &v), HV_ERANGE);
	/* The last word of the frame is a register, not a host error. */
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, VGIC_GICD_SIZE - 4, 4, false, &v), VGIC_MMIO_OK);
	assert_int_equal(v, GIC_CIDR3);
	h_finish(h);
}

/* ---- CTLR, TYPER, IIDR, ID registers ---- */

static void ctlr_enables_groups_and_keeps_are_ds_rwp_fixed(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	wr32(h, GICD_CTLR, 0);
	assert_int_equal(rd32(h, GICD_CTLR), GICD_CTLR_ARE_NS | GICD_CTLR_DS);
	assert_false(h->vm.grp0_enabled);
	assert_false(h->vm.grp1_enabled);
	wr32(h, GICD_CTLR, GICD_CTLR_EnableGrp1);
	assert_int_equal(rd32(h, GICD_CTLR), GICD_CTLR_ARE_NS | GICD_CTLR_DS | GICD_CTLR_EnableGrp1);
	assert_true(h->vm.grp1_enabled);
	assert_false(h->vm.grp0_enabled);
	wr32(h, GICD_CTLR, GICD_CTLR_EnableGrp0);
	assert_true(h->vm.grp0_enabled);
	assert_false(h->vm.grp1_enabled);
	/* Every other bit: RAO (ARE, DS), RAZ (E1NWF, RWP, reserved); writes change only the enables. */
	wr32(h, GICD_CTLR, 0xffffffffU);
	assert_int_equal(rd32(h, GICD_CTLR), GICD_CTLR_ARE_NS | GICD_CTLR_DS | GICD_CTLR_EnableGrp0 |
			 GICD_CTLR_EnableGrp1);
	assert_int_equal(rd32(h, GICD_CTLR) & (GICD_CTLR_RWP | GICD_CTLR_E1NWF), 0);
	h_finish(h);
}

static void ctlr_group_enable_brings_pending_interrupts_to_their_target(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	wr32(h, GICD_CTLR, 0);
	h_cfg(h, 0, SPI_A, 0x40, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_false(h_state(h, 0, SPI_A).queued);
	wr32(h, GICD_CTLR, GICD_CTLR_EnableGrp1);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	wr32(h, GICD_CTLR, GICD_CTLR_EnableGrp0);
	assert_false(h_state(h, 0, SPI_A).queued);
	assert_true(h_state(h, 0, SPI_A).pending);
	h_finish(h);
}

static uint32_t expected_typer(unsigned nr_vcpus, unsigned nr_spis)
{
	unsigned cpus = nr_vcpus > 8 ? 8 : nr_vcpus;

	return ((nr_spis + 31U) / 32U) | ((cpus - 1U) << 5) | GICD_TYPER_MBIS | (15U << 19) |
	       GICD_TYPER_A3V | GICD_TYPER_RSS;
}

static void typer_describes_the_configuration(void **state)
{
	static const struct { unsigned nv, ns; } cfgs[] = { { 1, 0 }, { NV, NS }, { 8, 960 }, { 2, 32 },
							    { 3, VGIC_MAX_SPIS } };

	(void)state;
	for (unsigned i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		struct harness *h = mk(cfgs[i].nv, cfgs[i].ns);
		uint32_t t = rd32(h, GICD_TYPER);

		assert_int_equal(t, expected_typer(cfgs[i].nv, cfgs[i].ns));
		/* 32 * (ITLinesNumber + 1) INTIDs cover every implemented SPI, and no more than a word more. */
		assert_true(32U * ((t & GICD_TYPER_ITLinesNumber_MASK) + 1U) >= 32U + cfgs[i].ns);
		assert_true(32U * ((t & GICD_TYPER_ITLinesNumber_MASK) + 1U) < 64U + cfgs[i].ns);
		assert_int_equal(t & (GICD_TYPER_LPIS | GICD_TYPER_SecurityExtn | GICD_TYPER_ESPI |
				      GICD_TYPER_NMI | GICD_TYPER_No1N | GICD_TYPER_DVIS), 0);
		assert_int_equal((t & GICD_TYPER_IDbits_MASK) >> GICD_TYPER_IDbits_SHIFT, 15);
		h_finish(h);
	}
}

static void read_only_registers_ignore_writes(void **state)
{
	struct harness *h = mk(NV, NS);
	static const uint32_t ro[] = { GICD_TYPER, GICD_IIDR, GICD_TYPER2, GICD_STATUSR, GICD_IDREGS,
				       GICD_IDREGS + 4, GICD_PIDR2, GICD_PIDR2 + 4, 0xfff0, 0xfffc };

	(void)state;
	populate(h);
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t before = rd32(h, ro[i]);
		uint64_t d = digest(h);

		wr32(h, ro[i], ~before);
		assert_int_equal(rd32(h, ro[i]), before);
		wr32(h, ro[i], 0);
		assert_int_equal(rd32(h, ro[i]), before);
		assert_int_equal(digest(h), d);
	}
	h_finish(h);
}

static void id_registers_identify_a_gicv3_and_iidr_the_project(void **state)
{
	struct harness *h = mk(NV, NS);
	uint32_t iidr;

	(void)state;
	assert_int_equal((rd32(h, GICD_PIDR2) >> GIC_PIDR2_ArchRev_SHIFT) & 0xf, GIC_PIDR2_ArchRev_GICv3);
	assert_int_equal(rd32(h, 0xfff0), GIC_CIDR0);
	assert_int_equal(rd32(h, 0xfff4), GIC_CIDR1);
	assert_int_equal(rd32(h, 0xfff8), GIC_CIDR2);
	assert_int_equal(rd32(h, 0xfffc), GIC_CIDR3);
	assert_int_equal(rd32(h, GICD_IDREGS) >> GIC_PIDR4_SIZE_SHIFT, GIC_PIDR4_SIZE_64K);
	iidr = rd32(h, GICD_IIDR);
	assert_int_equal(iidr >> GIC_IIDR_ProductID_SHIFT, 'V');
	assert_int_equal(iidr & 0xfff, 0); /* no JEP106 implementer: no guest erratum matches */
	assert_int_equal(rd32(h, GICD_TYPER2), 0);
	h_finish(h);
}

/* ---- one bit per INTID ---- */

static void igroupr_sets_spi_groups_and_is_raz_wi_elsewhere(void **state)
{
	struct harness *h = mk(NV, NS);
	uint64_t d;

	(void)state;
	wr32(h, BIT_OFF(GICD_IGROUPR, 32), 0xa5a5a5a5U);
	assert_int_equal(rd32(h, BIT_OFF(GICD_IGROUPR, 32)), 0xa5a5a5a5U);
	assert_int_equal(h_state(h, 0, 32).group, 1);
	assert_int_equal(h_state(h, 0, 33).group, 0);
	assert_int_equal(h_state(h, 0, 63).group, 1);
	wr32(h, BIT_OFF(GICD_IGROUPR, 64), 0xffffffffU);
	assert_int_equal(rd32(h, BIT_OFF(GICD_IGROUPR, 64)), 0xffffffffU);
	wr32(h, BIT_OFF(GICD_IGROUPR, 64), 0);
	assert_int_equal(h_state(h, 0, 95).group, 0);
	/* Private interrupts belong to the redistributors; missing SPIs do not exist. */
	d = digest(h);
	wr32(h, GICD_IGROUPR, 0xffffffffU);
	assert_int_equal(rd32(h, GICD_IGROUPR), 0);
	wr32(h, BIT_OFF(GICD_IGROUPR, FIRST_MISSING_SPI), 0xffffffffU);
	assert_int_equal(rd32(h, BIT_OFF(GICD_IGROUPR, FIRST_MISSING_SPI)), 0);
	wr32(h, GICD_IGROUPR + 0x7c, 0xffffffffU);
	assert_int_equal(rd32(h, GICD_IGROUPR + 0x7c), 0);
	assert_int_equal(digest(h), d);
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(h_state(h, c, 5).group, 0);
	h_finish(h);
}

static void isenabler_sets_and_icenabler_clears_only_the_ones(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	wr32(h, BIT_OFF(GICD_ISENABLER, SPI_A), (uint32_t)(BIT_OF(SPI_A) | BIT_OF(SPI_A + 1)));
	assert_true(h_state(h, 0, SPI_A).enabled);
	assert_true(h_state(h, 0, SPI_A + 1).enabled);
	assert_false(h_state(h, 0, SPI_A + 2).enabled);
	/* Both views read the enable state. */
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISENABLER, SPI_A)), BIT_OF(SPI_A) | BIT_OF(SPI_A + 1));
	assert_int_equal(rd32(h, BIT_OFF(GICD_ICENABLER, SPI_A)), BIT_OF(SPI_A) | BIT_OF(SPI_A + 1));
	/* Zeros do nothing, in either register. */
	wr32(h, BIT_OFF(GICD_ISENABLER, SPI_A), 0);
	wr32(h, BIT_OFF(GICD_ICENABLER, SPI_A), 0);
	assert_true(h_state(h, 0, SPI_A).enabled);
	wr32(h, BIT_OFF(GICD_ICENABLER, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_false(h_state(h, 0, SPI_A).enabled);
	assert_true(h_state(h, 0, SPI_A + 1).enabled);
	/* The GICD word for INTIDs 0..31 does not reach any vCPU's private interrupts. */
	wr32(h, GICD_ISENABLER, 0xffffffffU);
	assert_int_equal(rd32(h, GICD_ISENABLER), 0);
	for (uint32_t c = 0; c < NV; c++)
		assert_false(h_state(h, c, 3).enabled);
	h_finish(h);
}

static void enabling_brings_a_pending_spi_to_the_ap_list_and_disabling_removes_it(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_true(h_state(h, 0, SPI_A).pending);
	assert_false(h_state(h, 0, SPI_A).queued);
	wr32(h, BIT_OFF(GICD_ISENABLER, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	assert_int_equal(h_run(h, 0, 1), 1);
	assert_int_equal(h->acked[0][0], SPI_A);
	/* The level line is still high: it comes back, and disabling takes it off the list. */
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	wr32(h, BIT_OFF(GICD_ICENABLER, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_false(h_state(h, 0, SPI_A).queued);
	assert_true(h_state(h, 0, SPI_A).pending);
	h_finish(h);
}

static void ispendr_makes_pending_and_icpendr_removes_from_the_ap_list(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_B, 0x50, VGIC_EDGE);
	wr32(h, BIT_OFF(GICD_ISPENDR, SPI_B), (uint32_t)BIT_OF(SPI_B));
	assert_true(h_state(h, 0, SPI_B).pending);
	assert_int_equal(h_state(h, 0, SPI_B).queued_on, 0);
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISPENDR, SPI_B)), BIT_OF(SPI_B));
	assert_int_equal(rd32(h, BIT_OFF(GICD_ICPENDR, SPI_B)), BIT_OF(SPI_B));
	wr32(h, BIT_OFF(GICD_ICPENDR, SPI_B), (uint32_t)BIT_OF(SPI_B));
	assert_false(h_state(h, 0, SPI_B).pending);
	assert_false(h_state(h, 0, SPI_B).queued);
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISPENDR, SPI_B)), 0);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	h_finish(h);
}

static void icpendr_leaves_a_level_interrupt_pending_while_its_line_is_high(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x50, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	wr32(h, BIT_OFF(GICD_ICPENDR, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_true(h_state(h, 0, SPI_A).pending);
	/* ISPENDR latches: the interrupt stays pending after the line drops, until ICPENDR. */
	wr32(h, BIT_OFF(GICD_ISPENDR, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, false), HV_OK);
	assert_true(h_state(h, 0, SPI_A).pending);
	wr32(h, BIT_OFF(GICD_ICPENDR, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_false(h_state(h, 0, SPI_A).pending);
	assert_false(h_state(h, 0, SPI_A).queued);
	h_finish(h);
}

static void isactiver_and_icactiver_set_and_clear_the_active_state(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x50, VGIC_EDGE);
	wr32(h, BIT_OFF(GICD_ISACTIVER, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_true(h_state(h, 0, SPI_A).active);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISACTIVER, SPI_A)), BIT_OF(SPI_A));
	assert_int_equal(rd32(h, BIT_OFF(GICD_ICACTIVER, SPI_A)), BIT_OF(SPI_A));
	wr32(h, BIT_OFF(GICD_ICACTIVER, SPI_A), (uint32_t)BIT_OF(SPI_A));
	assert_false(h_state(h, 0, SPI_A).active);
	assert_false(h_state(h, 0, SPI_A).queued);
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISACTIVER, SPI_A)), 0);
	h_finish(h);
}

static void pending_and_active_reads_include_state_held_in_a_list_register(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_B, 0x50, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_B, 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	/* vCPU 1 enters: the edge moves into an LR and its latch is cleared. vCPU 0 reads. */
	h_enter(h, 1);
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISPENDR, SPI_B)), BIT_OF(SPI_B));
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISACTIVER, SPI_B)), 0);
	/* ICPENDR while the LR holds it: reads as not pending at once, and the next sync drops it. */
	wr32(h, BIT_OFF(GICD_ICPENDR, SPI_B), (uint32_t)BIT_OF(SPI_B));
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISPENDR, SPI_B)), 0);
	assert_true(h->kicks[1] > 0);
	h_exit(h, 1);
	assert_false(h_state(h, 0, SPI_B).pending);
	assert_false(h_state(h, 0, SPI_B).queued);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	/* ISACTIVER while an LR holds the interrupt: the request shows at once. */
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	h_enter(h, 1);
	wr32(h, BIT_OFF(GICD_ISACTIVER, SPI_B), (uint32_t)BIT_OF(SPI_B));
	assert_int_equal(rd32(h, BIT_OFF(GICD_ISACTIVER, SPI_B)), BIT_OF(SPI_B));
	h_exit(h, 1);
	assert_true(h_state(h, 0, SPI_B).active);
	h_finish(h);
}

/* ---- priorities and configuration ---- */

static void ipriorityr_byte_and_word_accesses_keep_the_implemented_bits(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	wr(h, GICD_IPRIORITYR + SPI_A, 1, 0xff);
	assert_int_equal(rd(h, GICD_IPRIORITYR + SPI_A, 1), 0xf8); /* five priority bits */
	assert_int_equal(h_state(h, 0, SPI_A).priority, 0xf8);
	wr(h, GICD_IPRIORITYR + 64, 4, 0x87654321U);
	assert_int_equal(rd32(h, GICD_IPRIORITYR + 64), 0x80604020U);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(rd(h, GICD_IPRIORITYR + 64 + i, 1), (0x80604020U >> (8 * i)) & 0xff);
	assert_int_equal(h_state(h, 0, 66).priority, 0x60);
	/* A byte write touches one interrupt only. */
	wr(h, GICD_IPRIORITYR + 65, 1, 0x10);
	assert_int_equal(rd32(h, GICD_IPRIORITYR + 64), 0x80601020U);
	/* Private INTIDs and missing SPIs: RAZ/WI. */
	wr32(h, GICD_IPRIORITYR + 16, 0xffffffffU);
	assert_int_equal(rd32(h, GICD_IPRIORITYR + 16), 0);
	assert_int_equal(h_state(h, 2, 17).priority, 0);
	wr32(h, GICD_IPRIORITYR + FIRST_MISSING_SPI, 0xffffffffU);
	assert_int_equal(rd32(h, GICD_IPRIORITYR + FIRST_MISSING_SPI), 0);
	/* 1020..1023 have no priority register: reserved. */
	assert_null(vgic_mmio_reg_name(VGIC_FRAME_GICD, GICD_IPRIORITYR + 1020));
	h_finish(h);
}

static void priority_change_reorders_the_ap_list(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	h_cfg(h, 0, SPI_B, 0x90, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	wr(h, GICD_IPRIORITYR + SPI_B, 1, 0x10);
	assert_int_equal(h_run(h, 0, STEPS), 2);
	assert_int_equal(h->acked[0][0], SPI_B);
	assert_int_equal(h->acked[0][1], SPI_A);
	h_finish(h);
}

static void icfgr_programs_spi_triggers_and_ignores_res0_bits(void **state)
{
	struct harness *h = mk(NV, NS);
	uint32_t off = GICD_ICFGR + (SPI_A / 16U) * 4U;
	unsigned field = (SPI_A % 16U) * 2U;

	(void)state;
	wr32(h, off, 0xffffffffU);
	assert_int_equal(rd32(h, off), GIC_ICFGR_SGI_WORD); /* bit 0 of each field is RES0 */
	assert_false(h_state(h, 0, SPI_A).level_cfg);
	wr32(h, off, ~(GIC_ICFGR_EDGE << field));
	assert_true(h_state(h, 0, SPI_A).level_cfg);
	assert_false(h_state(h, 0, SPI_A + 1).level_cfg);
	assert_int_equal(rd32(h, off), GIC_ICFGR_SGI_WORD & ~(GIC_ICFGR_EDGE << field));
	/* ICFGR0/1 (SGIs, PPIs) are in the redistributors: RAZ/WI here. */
	wr32(h, GICD_ICFGR + 4, 0xaaaaaaaaU);
	assert_int_equal(rd32(h, GICD_ICFGR + 4), 0);
	assert_true(h_state(h, 1, 20).level_cfg);
	h_finish(h);
}

static void legacy_and_secure_only_registers_are_raz_wi(void **state)
{
	struct harness *h = mk(NV, NS);
	static const struct { uint32_t off; unsigned w; } regs[] = {
		{ GICD_ITARGETSR + SPI_A, 1 }, { GICD_ITARGETSR + 64, 4 }, { GICD_IGRPMODR + 4, 4 },
		{ GICD_NSACR + 8, 4 }, { GICD_CPENDSGIR, 1 }, { GICD_SPENDSGIR + 4, 4 },
		{ GICD_SETSPI_SR, 4 }, { GICD_CLRSPI_SR, 4 }, { GICD_STATUSR, 4 },
		{ GICD_SETSPI_NSR, 4 }, { GICD_CLRSPI_NSR, 4 },
	};

	(void)state;
	populate(h);
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		assert_int_equal(rd(h, regs[i].off, regs[i].w), 0);
	/* A GICv2-style SGI through GICD_SGIR makes nothing pending (affinity routing is on). */
	for (unsigned i = 0; i < 7; i++) {
		uint64_t d = digest(h);

		wr(h, regs[i].off, regs[i].w, ALL_ONES);
		assert_int_equal(digest(h), d);
	}
	wr32(h, GICD_SGIR, 0x00ff0003U); /* SGI 3 to CPUs 0..7 in GICv2 terms */
	for (uint32_t c = 0; c < NV; c++)
		assert_false(h_state(h, c, 3).pending);
	/* SETSPI/CLRSPI_SR: write-ignored with DS = 1. */
	h_cfg(h, 0, 50, 0x50, VGIC_EDGE);
	wr32(h, GICD_SETSPI_SR, 50);
	assert_false(h_state(h, 0, 50).pending);
	h_finish(h);
}

/* ---- IROUTER ---- */

static void irouter_routes_by_affinity_and_keeps_only_writable_bits(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, c, AFF(1, 2, c, c + 4)), HV_OK);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(1, 2, 3, 7));
	assert_int_equal(h_state(h, 0, SPI_A).target, 3);
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 8), AFF(1, 2, 3, 7));
	/* RES0 bits are dropped: [30:24] and [63:40]. */
	wr(h, ROUTER_OFF(SPI_A), 8, ALL_ONES);
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 8), 0xff80ffffffULL);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(1, 2, 1, 5) | 0x7f000000ULL | 0xabcd0000000000ULL);
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 8), AFF(1, 2, 1, 5));
	assert_int_equal(h_state(h, 0, SPI_A).target, 1);
	/* Each SPI has its own router. */
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A + 1), 8), 0);
	h_finish(h);
}

static void irouter_halves_are_32bit_registers_of_their_own(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, 2, AFF(9, 0, 1, 2)), HV_OK);
	wr(h, ROUTER_OFF(SPI_A), 4, AFF(0, 0, 1, 2));
	assert_int_equal(h_state(h, 0, SPI_A).target, -1); /* Aff3 = 0 matches no vCPU yet */
	wr(h, ROUTER_OFF(SPI_A) + 4, 4, 9);
	assert_int_equal(h_state(h, 0, SPI_A).target, 2);
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 4), AFF(0, 0, 1, 2));
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A) + 4, 4), 9);
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 8), AFF(9, 0, 1, 2));
	/* Writing the low half keeps the high half. */
	wr(h, ROUTER_OFF(SPI_A), 4, AFF(0, 0, 1, 3));
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 8), AFF(9, 0, 1, 3));
	h_finish(h);
}

static void irouter_to_an_absent_affinity_leaves_the_spi_pending_on_no_vcpu(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x50, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 7, 0));
	assert_int_equal(h_state(h, 0, SPI_A).target, -1);
	assert_false(h_state(h, 0, SPI_A).queued);
	assert_true(h_state(h, 0, SPI_A).pending);
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(h_run(h, c, STEPS), 0);
	/* Routing it to a real vCPU again delivers it there. */
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 0, 3));
	assert_int_equal(h_run(h, 3, STEPS), 1);
	assert_int_equal(h->acked[3][0], SPI_A);
	h_finish(h);
}

static void irouter_moves_a_pending_spi_to_the_new_vcpu(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x50, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 0, 2));
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 2);
	assert_int_equal(h->kicks[2], 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h_run(h, 2, 1), 1);
	assert_int_equal(h->acked[2][0], SPI_A);
	h_finish(h);
}

static void irouter_irm_picks_the_lowest_awake_vcpu_and_follows_waker(void **state)
{
	struct harness *h = mk(NV, NS);
	uint64_t v;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x50, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	/* Every redistributor is asleep after reset: 1 of N has nobody to choose. */
	wr(h, ROUTER_OFF(SPI_A), 8, IRM);
	assert_int_equal(rd(h, ROUTER_OFF(SPI_A), 8), IRM);
	assert_int_equal(h_state(h, 0, SPI_A).target, -1);
	assert_false(h_state(h, 0, SPI_A).queued);
	/* vCPU 2 wakes its redistributor: it becomes the target and gets the SPI. */
	v = 0;
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 2, 2, GICR_WAKER, 4, true, &v), VGIC_MMIO_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 2);
	/* vCPU 1 wakes: the lower-numbered awake vCPU is preferred. */
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 1, 1, GICR_WAKER, 4, true, &v), VGIC_MMIO_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 1);
	/* vCPU 1 goes to sleep again: back to vCPU 2. */
	v = GICR_WAKER_ProcessorSleep;
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 1, 1, GICR_WAKER, 4, true, &v), VGIC_MMIO_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 2);
	assert_int_equal(h_run(h, 2, 1), 1);
	assert_int_equal(h->acked[2][0], SPI_A);
	/* IRM = 0 again: affinity routing, awake or not. */
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 0, 3));
	assert_int_equal(h_state(h, 0, SPI_A).target, 3);
	h_finish(h);
}

static void irouter_of_private_and_missing_intids_is_raz_wi(void **state)
{
	struct harness *h = mk(NV, NS);
	uint64_t d;

	(void)state;
	populate(h);
	d = digest(h);
	for (uint32_t intid = 0; intid < VGIC_SPI_BASE; intid += 7) {
		wr(h, ROUTER_OFF(intid), 8, AFF(0, 0, 0, 1));
		assert_int_equal(rd(h, ROUTER_OFF(intid), 8), 0);
	}
	wr(h, ROUTER_OFF(FIRST_MISSING_SPI), 8, AFF(0, 0, 0, 1));
	assert_int_equal(rd(h, ROUTER_OFF(FIRST_MISSING_SPI), 8), 0);
	wr(h, ROUTER_OFF(1019), 4, 1);
	assert_int_equal(rd(h, ROUTER_OFF(1019), 8), 0);
	assert_int_equal(digest(h), d);
	h_finish(h);
}

static void routing_uses_only_the_affinity_fields_of_mpidr(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	/* MPIDR_EL1 bit 31 is RES1, bit 30 is U, bit 24 is MT: none of them is affinity. */
	assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, 3, (1ULL << 31) | (1ULL << 30) | (1ULL << 24) |
					     AFF(0, 0, 2, 1)), HV_OK);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 2, 1));
	assert_int_equal(h_state(h, 0, SPI_A).target, 3);
	h_finish(h);
}

/* ---- SETSPI / CLRSPI ---- */

static void setspi_latches_an_edge_spi_and_clrspi_removes_it(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_B, 0x50, VGIC_EDGE);
	wr32(h, GICD_SETSPI_NSR, SPI_B);
	assert_true(h_state(h, 0, SPI_B).pending);
	assert_int_equal(h_state(h, 0, SPI_B).queued_on, 0);
	wr32(h, GICD_CLRSPI_NSR, SPI_B);
	assert_false(h_state(h, 0, SPI_B).pending);
	assert_false(h_state(h, 0, SPI_B).queued);
	wr32(h, GICD_SETSPI_NSR, SPI_B);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_false(h_state(h, 0, SPI_B).pending); /* taken once: an edge */
	h_finish(h);
}

static void setspi_asserts_a_level_spi_until_clrspi(void **state)
{
	struct harness *h = mk(NV, NS);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x50, VGIC_LEVEL);
	wr32(h, GICD_SETSPI_NSR, SPI_A);
	assert_true(h_state(h, 0, SPI_A).pending);
	/* Taken and ended, it is pending again: the level is still asserted. */
	assert_true(h_run(h, 0, 3) >= 1);
	assert_true(h_state(h, 0, SPI_A).pending);
	wr32(h, GICD_CLRSPI_NSR, SPI_A);
	assert_false(h_state(h, 0, SPI_A).pending);
	assert_false(h_state(h, 0, SPI_A).queued);
	h_finish(h);
}

static void setspi_takes_halfwords_and_ignores_invalid_intids(void **state)
{
	struct harness *h = mk(NV, NS);
	uint64_t d;

	(void)state;
	h_cfg(h, 0, SPI_B, 0x50, VGIC_EDGE);
	wr(h, GICD_SETSPI_NSR, 2, SPI_B);
	assert_true(h_state(h, 0, SPI_B).pending);
	wr(h, GICD_CLRSPI_NSR, 2, SPI_B);
	assert_false(h_state(h, 0, SPI_B).pending);
	d = digest(h);
	/* SGIs, PPIs, missing SPIs, specials, and the upper halfword (RES0 bits). */
	wr32(h, GICD_SETSPI_NSR, 3);
	wr32(h, GICD_SETSPI_NSR, 27);
	wr32(h, GICD_SETSPI_NSR, FIRST_MISSING_SPI);
	wr32(h, GICD_SETSPI_NSR, 1023);
	wr32(h, GICD_SETSPI_NSR, 0x1fff);
	wr(h, GICD_SETSPI_NSR + 2, 2, SPI_B);
	wr32(h, GICD_CLRSPI_NSR, 5);
	assert_int_equal(digest(h), d);
	/* Bits above the INTID field do not change which SPI is named. */
	wr32(h, GICD_SETSPI_NSR, 0xffffe000U | SPI_B);
	assert_true(h_state(h, 0, SPI_B).pending);
	h_finish(h);
}

/* ---- lock discipline ---- */

static struct {
	struct vgic_hooks hooks;
	const struct vgic_hooks *orig;
	struct harness *h;
	int held;
	unsigned kicks_under_lock, nested_under_dist, relocks, kicks;
} lk;

static void lk_lock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	if (l->word)
		lk.relocks++;                  /* would deadlock on a real spinlock */
	if (lk.h->vm.dist_lock.word && l != &lk.h->vm.dist_lock)
		lk.nested_under_dist++;        /* dist_lock must stay a leaf */
	l->word = 1;
	lk.held++;
}

static void lk_unlock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	l->word = 0;
	lk.held--;
}

static void lk_kick(void *ctx, struct vgic_vcpu *v)
{
	lk.kicks++;
	if (lk.held)
		lk.kicks_under_lock++;
	lk.orig->kick(ctx, v);
}

static void register_paths_kick_unlocked_and_keep_dist_lock_a_leaf(void **state)
{
	struct harness *h = mk(NV, NS);
	uint64_t v;

	(void)state;
	lk.h = h;
	lk.orig = h->vm.hooks;
	lk.hooks = *lk.orig;
	lk.hooks.lock = lk_lock;
	lk.hooks.unlock = lk_unlock;
	lk.hooks.kick = lk_kick;
	lk.hooks.spin_locks = false;
	h->vm.hooks = &lk.hooks;
	h->vm.spin_locks = false;   /* these lock hooks watch every lock the core takes */
	lk.held = 0;
	lk.kicks = lk.kicks_under_lock = lk.nested_under_dist = lk.relocks = 0;

	populate(h);
	wr32(h, GICD_CTLR, 0);
	wr32(h, GICD_CTLR, GICD_CTLR_EnableGrp1);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 0, 1));
	wr(h, ROUTER_OFF(SPI_A), 4, 2);
	wr(h, ROUTER_OFF(SPI_A), 8, IRM);
	v = 0;
	for (uint32_t c = NV; c-- > 0;)
		assert_int_equal(vgic_mmio_redist_access(&h->vm, c, c, GICR_WAKER, 4, true, &v), VGIC_MMIO_OK);
	wr32(h, BIT_OFF(GICD_ISPENDR, SPI_B), (uint32_t)BIT_OF(SPI_B));
	wr32(h, BIT_OFF(GICD_ICENABLER, SPI_B), (uint32_t)BIT_OF(SPI_B));
	wr32(h, BIT_OFF(GICD_ISENABLER, SPI_B), (uint32_t)BIT_OF(SPI_B));
	wr(h, GICD_IPRIORITYR + SPI_B, 1, 0x08);
	wr32(h, GICD_SETSPI_NSR, 50);
	for (uint32_t r = 0; r < VGIC_GICD_SIZE; r += 4)
		(void)rd(h, r, 4);
	assert_int_equal(vgic_sysreg_sgi(&h->vm, 0, VGIC_ICC_SGI1R, 0x1ULL << 40), HV_OK);
	assert_true(lk.kicks > 0);
	assert_int_equal(lk.kicks_under_lock, 0);
	assert_int_equal(lk.nested_under_dist, 0);
	assert_int_equal(lk.relocks, 0);
	assert_int_equal(lk.held, 0);
	h->vm.hooks = lk.orig;
	h->vm.spin_locks = lk.orig->spin_locks;
	h_finish(h);
}

/* ---- end to end and naming ---- */

static void an_spi_configured_only_through_registers_reaches_the_guest(void **state)
{
	struct harness *h = mk(NV, NS);
	const struct irq_line line = { vgic_spi_chip(&h->vm), SPI_A - VGIC_SPI_BASE };

	(void)state;
	wr32(h, GICD_CTLR, 0);
	wr32(h, BIT_OFF(GICD_IGROUPR, SPI_A), (uint32_t)BIT_OF(SPI_A));
	wr(h, GICD_IPRIORITYR + SPI_A, 1, 0xa0);
	wr(h, ROUTER_OFF(SPI_A), 8, AFF(0, 0, 0, 1));
	wr32(h, BIT_OFF(GICD_ISENABLER, SPI_A), (uint32_t)BIT_OF(SPI_A));
	wr32(h, GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_EnableGrp1);
	assert_int_equal(irq_line_raise(&line), HV_OK);
	assert_int_equal(h_run(h, 1, 1), 1);
	assert_int_equal(h->acked[1][0], SPI_A);
	assert_int_equal(irq_line_lower(&line), HV_OK);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	h_finish(h);
}

static void register_names_cover_the_map_and_nothing_else(void **state)
{
	(void)state;
	assert_string_equal(vgic_mmio_reg_name(VGIC_FRAME_GICD, GICD_CTLR), "GICD_CTLR");
	assert_string_equal(vgic_mmio_reg_name(VGIC_FRAME_GICD, GICD_ISENABLER + 8), "GICD_ISENABLER");
	assert_string_equal(vgic_mmio_reg_name(VGIC_FRAME_GICD, GICD_IPRIORITYR + 77), "GICD_IPRIORITYR");
	assert_string_equal(vgic_mmio_reg_name(VGIC_FRAME_GICD, ROUTER_OFF(100) + 4), "GICD_IROUTER");
	assert_null(vgic_mmio_reg_name(VGIC_FRAME_GICD, 0x14));
	assert_null(vgic_mmio_reg_name(VGIC_FRAME_GICD, VGIC_GICD_SIZE));
	assert_null(vgic_mmio_reg_name((enum vgic_mmio_frame_id)7, 0));
	assert_string_equal(vgic_mmio_reg_name(VGIC_FRAME_GICR, GICR_WAKER), "GICR_WAKER");
	assert_string_equal(vgic_mmio_reg_name(VGIC_FRAME_GICR, GICR_SGI_BASE + GICR_ISENABLER0),
			    "GICR_ISENABLER0");
	assert_null(vgic_mmio_reg_name(VGIC_FRAME_GICR, VGIC_GICR_SIZE));
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(fresh_distributor_has_architected_reset_values),
		T(every_register_allows_exactly_its_architected_widths),
		T(refused_writes_change_nothing),
		T(misaligned_accesses_abort_and_change_nothing),
		T(reserved_space_reads_zero_and_ignores_writes_at_every_width),
		T(host_argument_errors_return_hv_codes),
		T(ctlr_enables_groups_and_keeps_are_ds_rwp_fixed),
		T(ctlr_group_enable_brings_pending_interrupts_to_their_target),
		T(typer_describes_the_configuration),
		T(read_only_registers_ignore_writes),
		T(id_registers_identify_a_gicv3_and_iidr_the_project),
		T(igroupr_sets_spi_groups_and_is_raz_wi_elsewhere),
		T(isenabler_sets_and_icenabler_clears_only_the_ones),
		T(enabling_brings_a_pending_spi_to_the_ap_list_and_disabling_removes_it),
		T(ispendr_makes_pending_and_icpendr_removes_from_the_ap_list),
		T(icpendr_leaves_a_level_interrupt_pending_while_its_line_is_high),
		T(isactiver_and_icactiver_set_and_clear_the_active_state),
		T(pending_and_active_reads_include_state_held_in_a_list_register),
		T(ipriorityr_byte_and_word_accesses_keep_the_implemented_bits),
		T(priority_change_reorders_the_ap_list),
		T(icfgr_programs_spi_triggers_and_ignores_res0_bits),
		T(legacy_and_secure_only_registers_are_raz_wi),
		T(irouter_routes_by_affinity_and_keeps_only_writable_bits),
		T(irouter_halves_are_32bit_registers_of_their_own),
		T(irouter_to_an_absent_affinity_leaves_the_spi_pending_on_no_vcpu),
		T(irouter_moves_a_pending_spi_to_the_new_vcpu),
		T(irouter_irm_picks_the_lowest_awake_vcpu_and_follows_waker),
		T(irouter_of_private_and_missing_intids_is_raz_wi),
		T(routing_uses_only_the_affinity_fields_of_mpidr),
		T(setspi_latches_an_edge_spi_and_clrspi_removes_it),
		T(setspi_asserts_a_level_spi_until_clrspi),
		T(setspi_takes_halfwords_and_ignores_invalid_intids),
		T(an_spi_configured_only_through_registers_reaches_the_guest),
		T(register_names_cover_the_map_and_nothing_else),
		T(register_paths_kick_unlocked_and_keep_dist_lock_a_leaf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_redist.c: cmocka tests of the GICR emulation (vgic/vgic_redist.c): RD_base and SGI_base frames.
 * Reset values, TYPER/WAKER semantics, widths, RAZ/WI space, and banking of SGI/PPI state per vCPU. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "gic_regs.h"

#define NV     4U
#define NS     32U
#define NL     4U
#define STEPS  64U
#define SGI_A  5U
#define PPI_A  23U
#define ALL_ONES 0xffffffffffffffffULL
#define SGI(off) (GICR_SGI_BASE + (off))
#define AFF(a3, a2, a1, a0) (((uint64_t)(a3) << 32) | ((uint64_t)(a2) << 16) | \
			     ((uint64_t)(a1) << 8) | (uint64_t)(a0))
#define TYPER_AFF(a3, a2, a1, a0) (((uint64_t)(a3) << 56) | ((uint64_t)(a2) << 48) | \
				   ((uint64_t)(a1) << 40) | ((uint64_t)(a0) << 32))

static struct harness *mk(unsigned nr_vcpus)
{
	return h_mk(nr_vcpus, NS, NL);
}

/* Accesses made by vCPU 0 to redistributor rd, unless a test says otherwise. */
static int acc(struct harness *h, uint32_t rd, uint32_t off, unsigned w, bool write, uint64_t *v)
{
	return vgic_mmio_redist_access(&h->vm, 0, rd, off, w, write, v);
}

static uint64_t rd(struct harness *h, uint32_t r, uint32_t off, unsigned w)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_int_equal(acc(h, r, off, w, false, &v), VGIC_MMIO_OK);
	return v;
}

static void wr(struct harness *h, uint32_t r, uint32_t off, unsigned w, uint64_t v)
{
	assert_int_equal(acc(h, r, off, w, true, &v), VGIC_MMIO_OK);
}

static uint32_t rd32(struct harness *h, uint32_t r, uint32_t off) { return (uint32_t)rd(h, r, off, 4); }
static void wr32(struct harness *h, uint32_t r, uint32_t off, uint32_t v) { wr(h, r, off, 4, v); }

static uint64_t mix(uint64_t d, uint64_t v)
{
	return (d ^ v) * 0x100000001b3ULL;
}

static uint64_t digest(struct harness *h)
{
	uint64_t d = 0xcbf29ce484222325ULL;

	for (uint32_t c = 0; c < h->nr_vcpus; c++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
			struct vgic_irq_state s = h_state(h, c, i);

			d = mix(d, s.pending | s.active << 1 | s.enabled << 2 | s.level_cfg << 3);
			d = mix(d, s.priority | (uint64_t)s.group << 8 | (uint64_t)(uint32_t)s.queued_on << 16);
		}
		d = mix(d, h->vcpus[c].rd_awake);
		d = mix(d, h->vcpus[c].rd_propbaser);
		d = mix(d, h->vcpus[c].rd_pendbaser);
	}
	for (uint32_t i = 0; i < h->vm.nr_spis; i++) {
		struct vgic_irq_state s = h_state(h, 0, VGIC_SPI_BASE + i);

		d = mix(d, s.pending | s.enabled << 2 | (uint64_t)s.priority << 8 | (uint64_t)(uint32_t)s.target << 16);
	}
	return d;
}

static void populate(struct harness *h)
{
	h_cfg(h, 1, PPI_A, 0x40, VGIC_LEVEL);
	h_cfg(h, 2, SGI_A, 0x20, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 1, PPI_A, true), HV_OK);
	h->vcpus[3].rd_propbaser = 0x1234000;
}

/* ---- reset ---- */

static void fresh_redistributors_have_architected_reset_values(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	for (uint32_t r = 0; r < NV; r++) {
		assert_int_equal(rd32(h, r, GICR_CTLR), 0);
		/* Asleep until the OS wakes it: ProcessorSleep and ChildrenAsleep set. */
		assert_int_equal(rd32(h, r, GICR_WAKER), GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);
		assert_int_equal(rd(h, r, GICR_PROPBASER, 8), 0);
		assert_int_equal(rd(h, r, GICR_PENDBASER, 8), 0);
		assert_int_equal(rd32(h, r, SGI(GICR_IGROUPR0)), 0);
		assert_int_equal(rd32(h, r, SGI(GICR_ISENABLER0)), 0);
		assert_int_equal(rd32(h, r, SGI(GICR_ISPENDR0)), 0);
		assert_int_equal(rd32(h, r, SGI(GICR_ISACTIVER0)), 0);
		for (uint32_t i = 0; i < GICR_IPRIORITYR_BYTES; i += 4)
			assert_int_equal(rd32(h, r, SGI(GICR_IPRIORITYR0 + i)), 0);
		assert_int_equal(rd32(h, r, SGI(GICR_ICFGR0)), GIC_ICFGR_SGI_WORD);
		assert_int_equal(rd32(h, r, SGI(GICR_ICFGR1)), 0); /* PPIs reset level */
	}
	h_finish(h);
}

/* ---- widths, reserved space, host errors ---- */

struct width_rule {
	const char *name;
	uint32_t off;
	unsigned widths;
};

#define B1 (1U << 1)
#define B2 (1U << 2)
#define B4 (1U << 4)
#define B8 (1U << 8)

static const struct width_rule gicr_rules[] = {
	{ "CTLR", GICR_CTLR, B4 },                 { "IIDR", GICR_IIDR, B4 },
	{ "TYPER", GICR_TYPER, B4 | B8 },          { "TYPER[63:32]", GICR_TYPER + 4, B4 },
	{ "STATUSR", GICR_STATUSR, B4 },           { "WAKER", GICR_WAKER, B4 },
	{ "PROPBASER", GICR_PROPBASER, B4 | B8 },  { "PENDBASER", GICR_PENDBASER, B4 | B8 },
	{ "PENDBASER[63:32]", GICR_PENDBASER + 4, B4 },
	{ "PIDR2", GICR_PIDR2, B4 },               { "CIDR0", 0xfff0, B4 },
	{ "IGROUPR0", SGI(GICR_IGROUPR0), B4 },    { "ISENABLER0", SGI(GICR_ISENABLER0), B4 },
	{ "ICENABLER0", SGI(GICR_ICENABLER0), B4 }, { "ISPENDR0", SGI(GICR_ISPENDR0), B4 },
	{ "ICPENDR0", SGI(GICR_ICPENDR0), B4 },    { "ISACTIVER0", SGI(GICR_ISACTIVER0), B4 },
	{ "ICACTIVER0", SGI(GICR_ICACTIVER0), B4 },
	{ "IPRIORITYR0", SGI(GICR_IPRIORITYR0), B1 | B4 },
	{ "IPRIORITYR7", SGI(GICR_IPRIORITYR0 + 28), B1 | B4 },
	{ "ICFGR0", SGI(GICR_ICFGR0), B4 },        { "ICFGR1", SGI(GICR_ICFGR1), B4 },
	{ "IGRPMODR0", SGI(GICR_IGRPMODR0), B4 },  { "NSACR", SGI(GICR_NSACR), B4 },
};

static void every_register_allows_exactly_its_architected_widths(void **state)
{
	struct harness *h = mk(NV);
	static const unsigned widths[] = { 1, 2, 4, 8 };

	(void)state;
	populate(h);
	for (unsigned r = 0; r < sizeof(gicr_rules) / sizeof(gicr_rules[0]); r++) {
		for (unsigned i = 0; i < 4; i++) {
			unsigned w = widths[i];
			bool allowed = gicr_rules[r].widths & (1U << w);
			uint64_t v = 0x77, d = digest(h);
			int rc;

			if (gicr_rules[r].off % w)
				continue;
			rc = acc(h, 1, gicr_rules[r].off, w, false, &v);
			if (rc != (allowed ? VGIC_MMIO_OK : VGIC_MMIO_ABORT))
				fail_msg("GICR_%s: %u-byte read gave %d", gicr_rules[r].name, w, rc);
			if (allowed)
				continue;
			assert_int_equal(v, 0);
			v = ALL_ONES;
			assert_int_equal(acc(h, 1, gicr_rules[r].off, w, true, &v), VGIC_MMIO_ABORT);
			if (digest(h) != d)
				fail_msg("GICR_%s: refused %u-byte write changed state", gicr_rules[r].name, w);
		}
	}
	h_finish(h);
}

static void reserved_space_reads_zero_and_ignores_writes(void **state)
{
	struct harness *h = mk(NV);
	/* RD_base: MPAM, VLPI space; SGI_base: extended PPI ranges, INMIR (no NMI), the ID block
	 * (RD_base only) and everything else. The direct LPI registers: lpi_registers_are_reserved_without_lpis. */
	static const uint32_t holes[] = { 0x0018, 0x0020,
					  0x0100, 0x8000, 0xffc8, SGI(0x0000), SGI(0x0084),
					  SGI(0x0104), SGI(0x0420), SGI(0x0c08), SGI(0x0d04),
					  SGI(0x0e04), SGI(0x0f80), SGI(0x1000), SGI(0xffe8) };
	static const unsigned widths[] = { 1, 2, 4, 8 };

	(void)state;
	populate(h);
	for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		assert_null(vgic_mmio_reg_name(VGIC_FRAME_GICR, holes[i]));
		for (unsigned j = 0; j < 4; j++) {
			uint64_t d = digest(h);

			if (holes[i] % widths[j])
				continue;
			assert_int_equal(rd(h, 2, holes[i], widths[j]), 0);
			wr(h, 2, holes[i], widths[j], ALL_ONES);
			assert_int_equal(digest(h), d);
		}
	}
	h_finish(h);
}

/* Without vgic_lpi_init, SETLPIR, CLRLPIR, INVLPIR, INVALLR and SYNCR are reserved: RAZ/WI at any width. */
static void lpi_registers_are_reserved_without_lpis(void **state)
{
	struct harness *h = mk(NV);
	static const uint32_t lpi_regs[] = { 0x0040, 0x0048, 0x00a0, 0x00b0, 0x00c0 };
	static const unsigned widths[] = { 1, 2, 4, 8 };

	(void)state;
	populate(h);
	for (unsigned i = 0; i < sizeof(lpi_regs) / sizeof(lpi_regs[0]); i++) {
		assert_non_null(vgic_mmio_reg_name(VGIC_FRAME_GICR, lpi_regs[i]));
		for (unsigned j = 0; j < 4; j++) {
			uint64_t d = digest(h);

			if (lpi_regs[i] % widths[j])
				continue;
			assert_int_equal(rd(h, 2, lpi_regs[i], widths[j]), 0);
			wr(h, 2, lpi_regs[i], widths[j], ALL_ONES);
			assert_int_equal(digest(h), d);
		}
	}
	h_finish(h);
}

static void misaligned_accesses_abort(void **state)
{
	struct harness *h = mk(NV);
	uint64_t v = ALL_ONES, d;

	(void)state;
	populate(h);
	d = digest(h);
	assert_int_equal(acc(h, 0, GICR_WAKER + 2, 4, true, &v), VGIC_MMIO_ABORT);
	assert_int_equal(acc(h, 0, GICR_TYPER + 4, 8, false, &v), VGIC_MMIO_ABORT);
	assert_int_equal(v, 0);
	assert_int_equal(acc(h, 0, SGI(GICR_IPRIORITYR0 + 3), 2, true, &v), VGIC_MMIO_ABORT);
	assert_int_equal(acc(h, 0, SGI(GICR_ISENABLER0 + 1), 4, true, &v), VGIC_MMIO_ABORT);
	assert_int_equal(digest(h), d);
	h_finish(h);
}

static void host_argument_errors_return_hv_codes(void **state)
{
	struct harness *h = mk(NV);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vgic_mmio_redist_access(NULL, 0, 0, GICR_TYPER, 4, false, &v), HV_EINVAL);
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, 0, GICR_TYPER, 4, false, NULL), HV_EINVAL);
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, 0, GICR_TYPER, 5, false, &v), HV_EINVAL);
	assert_int_equal(vgic_mmio_redist_access(&h->vm, NV, 0, GICR_TYPER, 4, false, &v), HV_ERANGE);
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, NV, GICR_TYPER, 4, false, &v), HV_ERANGE);
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, 0, VGIC_GICR_SIZE, 4, false, &v), HV_ERANGE);
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, 0xffffffffU, 0, 4, false, &v), HV_ERANGE);
	h_finish(h);
}

/* ---- RD_base registers ---- */

static void typer_reports_affinity_processor_number_and_last(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, c, (1ULL << 31) | AFF(3, 2, c / 2, c % 2)), HV_OK);
	for (uint32_t r = 0; r < NV; r++) {
		uint64_t t = rd(h, r, GICR_TYPER, 8);
		uint64_t want = TYPER_AFF(3, 2, r / 2, r % 2) | ((uint64_t)r << 8) |
				(r == NV - 1 ? GICR_TYPER_Last : 0);

		assert_int_equal(t, want);
		assert_int_equal(rd(h, r, GICR_TYPER, 4), want & 0xffffffffU);
		assert_int_equal(rd(h, r, GICR_TYPER + 4, 4), want >> 32);
		/* No LPIs, no VLPIs, no DPG bits, 16 PPIs. */
		assert_int_equal(t & (GICR_TYPER_PLPIS | GICR_TYPER_VLPIS | GICR_TYPER_DirectLPI |
				      GICR_TYPER_DPGS | (0x1fULL << 27)), 0);
		wr(h, r, GICR_TYPER, 8, ~want);
		assert_int_equal(rd(h, r, GICR_TYPER, 8), want);
	}
	h_finish(h);
}

static void a_walk_stops_at_the_last_redistributor(void **state)
{
	static const unsigned counts[] = { 1, 3, 8 };

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct harness *h = mk(counts[i]);
		uint32_t r = 0;

		while (!(rd(h, r, GICR_TYPER, 8) & GICR_TYPER_Last))
			r++;
		assert_int_equal(r + 1, counts[i]);
		h_finish(h);
	}
}

static void waker_handshake_clears_children_asleep_with_processor_sleep(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	/* Linux: read, clear ProcessorSleep, write, poll until ChildrenAsleep reads 0. */
	wr32(h, 1, GICR_WAKER, rd32(h, 1, GICR_WAKER) & ~GICR_WAKER_ProcessorSleep);
	assert_int_equal(rd32(h, 1, GICR_WAKER), 0);
	assert_true(h->vcpus[1].rd_awake);
	assert_false(h->vcpus[0].rd_awake);
	/* ChildrenAsleep is read-only: writing it alone does not sleep. */
	wr32(h, 1, GICR_WAKER, GICR_WAKER_ChildrenAsleep);
	assert_int_equal(rd32(h, 1, GICR_WAKER), 0);
	/* Going to sleep: both bits set at once. IMPLEMENTATION DEFINED bits 0 and 31 read zero. */
	wr32(h, 1, GICR_WAKER, 0x80000001U | GICR_WAKER_ProcessorSleep);
	assert_int_equal(rd32(h, 1, GICR_WAKER), GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep);
	assert_false(h->vcpus[1].rd_awake);
	h_finish(h);
}

static void ctlr_reads_zero_without_lpis_and_ignores_writes(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	wr32(h, 0, GICR_CTLR, 0xffffffffU);
	/* EnableLPIs cannot be set (TYPER.PLPIS = 0); RWP and UWP: writes complete at once. */
	assert_int_equal(rd32(h, 0, GICR_CTLR), 0);
	h_finish(h);
}

static void propbaser_and_pendbaser_store_their_fields_per_redistributor(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	wr(h, 2, GICR_PROPBASER, 8, ALL_ONES);
	assert_int_equal(rd(h, 2, GICR_PROPBASER, 8), GICR_PROPBASER_WRITABLE);
	assert_int_equal(rd(h, 1, GICR_PROPBASER, 8), 0);
	wr(h, 2, GICR_PENDBASER, 8, ALL_ONES);
	/* PTZ is a write-only hint: it reads as zero. */
	assert_int_equal(rd(h, 2, GICR_PENDBASER, 8), GICR_PENDBASER_WRITABLE);
	assert_int_equal(rd(h, 2, GICR_PENDBASER, 8) & GICR_PENDBASER_PTZ, 0);
	/* Halves. */
	wr(h, 3, GICR_PROPBASER, 4, 0x40000f8fU);
	wr(h, 3, GICR_PROPBASER + 4, 4, 0x00000012U);
	assert_int_equal(rd(h, 3, GICR_PROPBASER, 8), 0x1240000f8fULL & GICR_PROPBASER_WRITABLE);
	assert_int_equal(rd(h, 3, GICR_PROPBASER + 4, 4), 0x12);
	wr(h, 3, GICR_PENDBASER + 4, 4, 0x7);
	wr(h, 3, GICR_PENDBASER, 4, 0x12340000U);
	assert_int_equal(rd(h, 3, GICR_PENDBASER, 8), 0x712340000ULL);
	h_finish(h);
}

static void id_registers_identify_a_gicv3(void **state)
{
	struct harness *h = mk(NV);
	uint64_t v;

	(void)state;
	for (uint32_t r = 0; r < NV; r++) {
		assert_int_equal((rd32(h, r, GICR_PIDR2) >> GIC_PIDR2_ArchRev_SHIFT) & 0xf, GIC_PIDR2_ArchRev_GICv3);
		assert_int_equal(rd32(h, r, 0xfff0), GIC_CIDR0);
		assert_int_equal(rd32(h, r, 0xfffc), GIC_CIDR3);
		wr32(h, r, GICR_PIDR2, 0);
		assert_int_equal((rd32(h, r, GICR_PIDR2) >> GIC_PIDR2_ArchRev_SHIFT) & 0xf, GIC_PIDR2_ArchRev_GICv3);
	}
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_IIDR, 4, false, &v), VGIC_MMIO_OK);
	assert_int_equal(rd32(h, 2, GICR_IIDR), v);
	assert_int_equal(rd32(h, 2, GICR_STATUSR), 0);
	h_finish(h);
}

/* ---- SGI_base: banked per vCPU ---- */

static void igroupr0_is_banked_per_redistributor(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	wr32(h, 2, SGI(GICR_IGROUPR0), 0xffff00ffU);
	assert_int_equal(rd32(h, 2, SGI(GICR_IGROUPR0)), 0xffff00ffU);
	assert_int_equal(rd32(h, 1, SGI(GICR_IGROUPR0)), 0);
	assert_int_equal(h_state(h, 2, 7).group, 1);
	assert_int_equal(h_state(h, 2, 8).group, 0);
	assert_int_equal(h_state(h, 2, 31).group, 1);
	assert_int_equal(h_state(h, 1, 7).group, 0);
	/* Any vCPU may program any redistributor: the frame, not the accessor, selects the state. */
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 3, 1, SGI(GICR_IGROUPR0), 4, false, &(uint64_t){ 0 }),
			 VGIC_MMIO_OK);
	h_finish(h);
}

static void enabling_a_pending_ppi_queues_it_on_its_own_vcpu(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	wr32(h, 2, SGI(GICR_IGROUPR0), 0xffffffffU);
	assert_int_equal(vgic_inject(&h->vm, 2, PPI_A, true), HV_OK);
	assert_false(h_state(h, 2, PPI_A).queued);
	wr32(h, 2, SGI(GICR_ISENABLER0), 1U << PPI_A);
	assert_int_equal(h_state(h, 2, PPI_A).queued_on, 2);
	assert_false(h_state(h, 1, PPI_A).enabled);
	assert_int_equal(rd32(h, 2, SGI(GICR_ISENABLER0)), 1U << PPI_A);
	assert_int_equal(rd32(h, 2, SGI(GICR_ICENABLER0)), 1U << PPI_A);
	assert_int_equal(h_run(h, 2, 1), 1);
	assert_int_equal(h->acked[2][0], PPI_A);
	wr32(h, 2, SGI(GICR_ICENABLER0), 1U << PPI_A);
	assert_false(h_state(h, 2, PPI_A).enabled);
	assert_false(h_state(h, 2, PPI_A).queued);
	h_finish(h);
}

static void ispendr0_and_icpendr0_drive_sgis_on_that_vcpu(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	h_cfg(h, 3, SGI_A, 0x30, VGIC_EDGE);
	wr32(h, 3, SGI(GICR_ISPENDR0), 1U << SGI_A);
	assert_true(h_state(h, 3, SGI_A).pending);
	assert_int_equal(h_state(h, 3, SGI_A).queued_on, 3);
	assert_false(h_state(h, 0, SGI_A).pending);
	assert_int_equal(rd32(h, 3, SGI(GICR_ISPENDR0)), 1U << SGI_A);
	wr32(h, 3, SGI(GICR_ICPENDR0), 1U << SGI_A);
	assert_false(h_state(h, 3, SGI_A).pending);
	assert_false(h_state(h, 3, SGI_A).queued);
	wr32(h, 3, SGI(GICR_ISPENDR0), 1U << SGI_A);
	assert_int_equal(h_run(h, 3, STEPS), 1);
	assert_int_equal(h->acked[3][0], SGI_A);
	h_finish(h);
}

static void isactiver0_and_icactiver0_set_and_clear_private_active_state(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	h_cfg(h, 1, PPI_A, 0x30, VGIC_LEVEL);
	wr32(h, 1, SGI(GICR_ISACTIVER0), 1U << PPI_A);
	assert_true(h_state(h, 1, PPI_A).active);
	assert_int_equal(h_state(h, 1, PPI_A).queued_on, 1);
	assert_int_equal(rd32(h, 1, SGI(GICR_ICACTIVER0)), 1U << PPI_A);
	wr32(h, 1, SGI(GICR_ICACTIVER0), 1U << PPI_A);
	assert_false(h_state(h, 1, PPI_A).active);
	assert_false(h_state(h, 1, PPI_A).queued);
	h_finish(h);
}

static void ipriorityr_takes_bytes_and_words_for_sgis_and_ppis(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	wr(h, 0, SGI(GICR_IPRIORITYR0 + SGI_A), 1, 0xa7);
	assert_int_equal(h_state(h, 0, SGI_A).priority, 0xa0);
	assert_int_equal(rd(h, 0, SGI(GICR_IPRIORITYR0 + SGI_A), 1), 0xa0);
	wr32(h, 0, SGI(GICR_IPRIORITYR0 + 20), 0xf0e0d0c0U);
	assert_int_equal(rd32(h, 0, SGI(GICR_IPRIORITYR0 + 20)), 0xf0e0d0c0U);
	assert_int_equal(h_state(h, 0, PPI_A).priority, 0xf0);
	assert_int_equal(h_state(h, 1, PPI_A).priority, 0);
	h_finish(h);
}

static void icfgr0_is_read_only_edge_and_icfgr1_programs_ppis(void **state)
{
	struct harness *h = mk(NV);

	(void)state;
	wr32(h, 0, SGI(GICR_ICFGR0), 0);
	assert_int_equal(rd32(h, 0, SGI(GICR_ICFGR0)), GIC_ICFGR_SGI_WORD);
	for (uint32_t i = 0; i < VGIC_NR_SGIS; i++)
		assert_false(h_state(h, 0, i).level_cfg);
	/* PPIs are programmable (a documented implementation choice); bit 0 of each field is RES0. */
	wr32(h, 0, SGI(GICR_ICFGR1), 0xffffffffU);
	assert_int_equal(rd32(h, 0, SGI(GICR_ICFGR1)), GIC_ICFGR_SGI_WORD);
	assert_false(h_state(h, 0, PPI_A).level_cfg);
	wr32(h, 0, SGI(GICR_ICFGR1), GIC_ICFGR_SGI_WORD & ~(GIC_ICFGR_EDGE << ((PPI_A - 16) * 2)));
	assert_true(h_state(h, 0, PPI_A).level_cfg);
	assert_false(h_state(h, 0, PPI_A + 1).level_cfg);
	assert_true(h_state(h, 1, PPI_A).level_cfg);
	h_finish(h);
}

static void igrpmodr0_and_nsacr_are_raz_wi(void **state)
{
	struct harness *h = mk(NV);
	uint64_t d;

	(void)state;
	populate(h);
	d = digest(h);
	wr32(h, 1, SGI(GICR_IGRPMODR0), 0xffffffffU);
	wr32(h, 1, SGI(GICR_NSACR), 0xffffffffU);
	assert_int_equal(rd32(h, 1, SGI(GICR_IGRPMODR0)), 0);
	assert_int_equal(rd32(h, 1, SGI(GICR_NSACR)), 0);
	assert_int_equal(digest(h), d);
	h_finish(h);
}

static void a_ppi_configured_only_through_registers_reaches_the_guest(void **state)
{
	struct harness *h = mk(NV);
	const struct irq_line line = { vgic_ppi_chip(&h->vm, 2), PPI_A - VGIC_NR_SGIS };

	(void)state;
	wr32(h, 2, GICR_WAKER, 0);
	wr32(h, 2, SGI(GICR_IGROUPR0), 0xffffffffU);
	wr(h, 2, SGI(GICR_IPRIORITYR0 + PPI_A), 1, 0xa0);
	wr32(h, 2, SGI(GICR_ICFGR1), 0); /* level */
	wr32(h, 2, SGI(GICR_ISENABLER0), 1U << PPI_A);
	assert_int_equal(irq_line_raise(&line), HV_OK);
	assert_int_equal(h_run(h, 2, 1), 1);
	assert_int_equal(h->acked[2][0], PPI_A);
	assert_int_equal(irq_line_lower(&line), HV_OK);
	assert_int_equal(h_run(h, 2, STEPS), 0);
	for (uint32_t c = 0; c < NV; c++)
		if (c != 2)
			assert_int_equal(h->nr_acked[c], 0);
	h_finish(h);
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(fresh_redistributors_have_architected_reset_values),
		T(every_register_allows_exactly_its_architected_widths),
		T(reserved_space_reads_zero_and_ignores_writes),
		T(lpi_registers_are_reserved_without_lpis),
		T(misaligned_accesses_abort),
		T(host_argument_errors_return_hv_codes),
		T(typer_reports_affinity_processor_number_and_last),
		T(a_walk_stops_at_the_last_redistributor),
		T(waker_handshake_clears_children_asleep_with_processor_sleep),
		T(ctlr_reads_zero_without_lpis_and_ignores_writes),
		T(propbaser_and_pendbaser_store_their_fields_per_redistributor),
		T(id_registers_identify_a_gicv3),
		T(igroupr0_is_banked_per_redistributor),
		T(enabling_a_pending_ppi_queues_it_on_its_own_vcpu),
		T(ispendr0_and_icpendr0_drive_sgis_on_that_vcpu),
		T(isactiver0_and_icactiver0_set_and_clear_private_active_state),
		T(ipriorityr_takes_bytes_and_words_for_sgis_and_ppis),
		T(icfgr0_is_read_only_edge_and_icfgr1_programs_ppis),
		T(igrpmodr0_and_nsacr_are_raz_wi),
		T(a_ppi_configured_only_through_registers_reaches_the_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_lpi.c: LPIs in the core: the pool, the configuration and pending tables in guest memory,
 * GICR_CTLR.EnableLPIs, the direct LPI registers, the LR policy for LPIs, and hostile tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"
#include "gic_regs.h"

#define NR_SPIS    32U
#define NR_LPIS    16384U              /* INTIDs 8192..24575; the guest tables cover those below 16384 */
#define LPI(n)     (VGIC_LPI_BASE + (n))
#define RAM_BASE   0x40000000ULL
#define RAM_SIZE   0x100000ULL         /* 1 MiB of guest RAM for the tables */
#define PROP_GPA   (RAM_BASE + 0x10000) /* configuration table: one byte per LPI */
#define PEND_GPA(r) (RAM_BASE + 0x20000 + (uint64_t)(r) * 0x10000) /* 64 KiB-aligned, per RD */
#define ID_BITS    14U                  /* PROPBASER.IDbits + 1: INTIDs below 16384 */
#define CFG(prio, en) ((uint8_t)(((prio) & 0xfcU) | 0x2U | ((en) ? 1U : 0U)))
#define STEPS      100000U

static uint64_t rd_read(struct harness *h, unsigned rd, uint32_t off, unsigned width)
{
	uint64_t v = 0;

	assert_int_equal(vgic_mmio_redist_access(&h->vm, rd, rd, off, width, false, &v), VGIC_MMIO_OK);
	return v;
}

static void rd_write(struct harness *h, unsigned rd, uint32_t off, unsigned width, uint64_t v)
{
	assert_int_equal(vgic_mmio_redist_access(&h->vm, rd, rd, off, width, true, &v), VGIC_MMIO_OK);
}

static uint8_t *prop(struct harness *h, uint32_t intid)
{
	return &h->ram[PROP_GPA - RAM_BASE + intid - VGIC_LPI_BASE];
}

static uint8_t *pend_byte(struct harness *h, unsigned rd, uint32_t intid)
{
	return &h->ram[PEND_GPA(rd) - RAM_BASE + intid / 8U];
}

/* What Linux does per redistributor: tables first, then EnableLPIs. */
static void rd_setup(struct harness *h, unsigned rd, bool ptz)
{
	rd_write(h, rd, GICR_PROPBASER, 8, PROP_GPA | (ID_BITS - 1U));
	rd_write(h, rd, GICR_PENDBASER, 8, PEND_GPA(rd) | (ptz ? GICR_PENDBASER_PTZ : 0));
	rd_write(h, rd, GICR_CTLR, 4, GICR_CTLR_EnableLPIs);
}

static unsigned queued_total_lpis(struct harness *h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < h->nr_lpis; i++)
		n += h->lpis[i].vcpu != NULL;
	return n;
}

static struct harness *lpi_vm(unsigned nr_vcpus, unsigned nr_lrs)
{
	struct harness *h = h_mk(nr_vcpus, NR_SPIS, nr_lrs);

	h_lpis(h, NR_LPIS, RAM_BASE, RAM_SIZE);
	return h;
}

static void test_init_rejects_bad_arguments_and_reports_lpis_in_typer(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, 4);
	struct vgic_irq pool[4];
	uint64_t typer;

	(void)state;
	assert_int_equal(vgic_lpi_init(NULL, pool, 4), HV_EINVAL);
	assert_int_equal(vgic_lpi_init(&h->vm, NULL, 4), HV_EINVAL);
	assert_int_equal(vgic_lpi_init(&h->vm, pool, 0), HV_ERANGE);
	assert_int_equal(vgic_lpi_init(&h->vm, pool, VGIC_MAX_LPIS + 1), HV_ERANGE);
	/* No LPIs yet: GICD_TYPER.LPIS clear, GICR_TYPER.PLPIS clear. */
	assert_false(rd_read(h, 0, GICR_TYPER, 8) & GICR_TYPER_PLPIS);
	h_lpis(h, VGIC_MAX_LPIS, 0, 0);
	typer = rd_read(h, 1, GICR_TYPER, 8);
	assert_true(typer & GICR_TYPER_PLPIS);
	assert_true(typer & GICR_TYPER_DirectLPI);
	{
		uint64_t d = 0;

		assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_TYPER, 4, false, &d), VGIC_MMIO_OK);
		assert_true(d & GICD_TYPER_LPIS);
		/* 8192 + 65536 LPIs reach INTID 73727: 17 ID bits, IDbits = 16. */
		assert_int_equal((d & GICD_TYPER_IDbits_MASK) >> GICD_TYPER_IDbits_SHIFT, 16);
	}
	/* O(1) lookup, the last one included; one past it does not exist. */
	assert_ptr_equal(vgic_get_irq(&h->vm, 0, LPI(VGIC_MAX_LPIS - 1)), &h->lpis[VGIC_MAX_LPIS - 1]);
	assert_null(vgic_get_irq(&h->vm, 0, LPI(VGIC_MAX_LPIS)));
	h_finish(h);
}

static void test_lpis_are_edge_group1_and_refuse_otherwise(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, LPI(3), VGIC_LEVEL), HV_EPERM);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, LPI(3), VGIC_EDGE), HV_OK);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, LPI(3), 0), HV_EPERM);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, LPI(3), 1), HV_OK);
	assert_int_equal(h_state(h, 0, LPI(3)).group, 1);
	/* Through the host API an LPI needs a target whose EnableLPIs is set. */
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(3), true), HV_EBUSY);
	assert_int_equal(vgic_irq_set_target(&h->vm, LPI(3), 0), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(3), true), HV_EBUSY);
	assert_false(h_state(h, 0, LPI(3)).pending);
	h_finish(h);
}

/*
 * vgic_inject() on an LPI, which takes its own path past the SPI/PPI lookup: the last LPI of the pool is made
 * pending on its target (not queued: disabled in the configuration table), LPI 7 queued there, one past the pool is out of range, lowering changes nothing, and a
 * target whose EnableLPIs went clear refuses it.
 */
static void test_inject_raises_an_lpi_on_its_target_and_refuses_past_the_pool(void **state)
{
	struct harness *h = lpi_vm(2, 4);
	uint32_t last = LPI(NR_LPIS - 1U);

	(void)state;
	*prop(h, LPI(7)) = CFG(0x80, true);
	rd_setup(h, 1, true);
	assert_int_equal(vgic_irq_set_target(&h->vm, last, 1), HV_OK);
	assert_int_equal(vgic_irq_set_target(&h->vm, LPI(7), 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, last + 1U, true), HV_ERANGE);
	assert_int_equal(vgic_inject(&h->vm, 0, last, true), HV_OK);
	assert_true(h_state(h, 0, last).pending);
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(7), false), HV_OK);
	assert_false(h_state(h, 0, LPI(7)).pending);
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(7), true), HV_OK);
	assert_true(h_state(h, 0, LPI(7)).pending);
	assert_int_equal(h_state(h, 0, LPI(7)).queued_on, 1);
	/* Only LPI 7 is enabled in the configuration table (the last one is beyond IDbits): one kick. */
	assert_false(h_state(h, 0, last).queued);
	assert_int_equal(h->kicks[1], 1);
	/* Lowering an LPI is no withdrawal: it stays pending. */
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(7), false), HV_OK);
	assert_true(h_state(h, 0, LPI(7)).pending);
	rd_write(h, 1, GICR_CTLR, 4, 0);
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(6), true), HV_EBUSY);
	assert_int_equal(vgic_inject(&h->vm, 0, LPI(6), false), HV_EBUSY);
	h_finish(h);
}

/* The configuration table is read at EnableLPIs: priority and enable per LPI. */
static void test_enable_reads_the_configuration_table(void **state)
{
	struct harness *h = lpi_vm(2, 4);

	(void)state;
	*prop(h, LPI(0)) = CFG(0xa0, true);
	*prop(h, LPI(1)) = CFG(0x40, false);
	*prop(h, LPI(2)) = CFG(0xff, true);
	rd_setup(h, 1, true);
	assert_int_equal(rd_read(h, 1, GICR_CTLR, 4), GICR_CTLR_EnableLPIs);
	assert_int_equal(rd_read(h, 0, GICR_CTLR, 4), 0);
	assert_true(h_state(h, 0, LPI(0)).enabled);
	assert_int_equal(h_state(h, 0, LPI(0)).priority, 0xa0);
	assert_false(h_state(h, 0, LPI(1)).enabled);
	assert_int_equal(h_state(h, 0, LPI(1)).priority, 0x40);
	assert_int_equal(h_state(h, 0, LPI(2)).priority, 0xf8); /* 5 priority bits */
	/* Beyond PROPBASER.IDbits the table holds nothing: those LPIs read as disabled. */
	*prop(h, LPI((1U << ID_BITS) - VGIC_LPI_BASE)) = CFG(0x10, true);
	rd_write(h, 1, GICR_INVALLR, 8, 0);
	assert_false(h_state(h, 0, (1U << ID_BITS)).enabled);
	h_finish(h);
}

/* SETLPIR makes an LPI pending on that RD; the guest takes and ends it with one EOI. */
static void test_setlpir_delivers_on_that_redistributor_and_eoi_ends_it_in_either_eoimode(void **state)
{
	for (unsigned mode = 0; mode < 2; mode++) {
		struct harness *h = lpi_vm(2, 4);
		struct icv_model *m = &h->cpu[1];

		(void)state;
		icv_set_eoimode(m, mode);
		*prop(h, LPI(5)) = CFG(0x80, true);
		rd_setup(h, 1, true);
		rd_write(h, 1, GICR_SETLPIR, 8, LPI(5));
		assert_true(h_state(h, 0, LPI(5)).pending);
		assert_int_equal(h_state(h, 0, LPI(5)).queued_on, 1);
		assert_int_equal(h->kicks[1], 1);
		h_enter(h, 1);
		assert_int_equal(h_ack(h, 1), LPI(5));
		h_eoi(h, 1, LPI(5));                 /* no DIR, even in EOImode 1 */
		assert_false(icv_maint_asserted(m));
		assert_int_equal(icv_rpr(m), 0xff);
		for (unsigned i = 0; i < LR_BACKEND_MAX_LRS && i < 4; i++)
			assert_int_equal(m->lr[i] & ICH_LR_STATE_MASK, 0);
		h_exit(h, 1);
		assert_false(h_state(h, 0, LPI(5)).pending);
		assert_false(h_state(h, 0, LPI(5)).active);
		assert_false(h_state(h, 0, LPI(5)).queued);
		/* A DIR of an LPI is ignored by the CPU interface and by the core. */
		assert_int_equal(icv_dir(m, LPI(5)), mode ? ICV_DIR_DONE : ICV_DIR_DONE);
		assert_int_equal(vgic_handle_dir(&h->vm, 1, LPI(5)), HV_OK);
		/* CLRLPIR withdraws one the guest has not taken. */
		rd_write(h, 1, GICR_SETLPIR, 8, LPI(5));
		rd_write(h, 1, GICR_CLRLPIR, 8, LPI(5));
		assert_false(h_state(h, 0, LPI(5)).pending);
		h_finish(h);
	}
}

/*
 * With EnableLPIs clear the RD cannot make an LPI pending: a SETLPIR then is lost. Pending bits the
 * guest leaves in the table are read when it sets EnableLPIs (unless PENDBASER.PTZ said zero).
 */
static void test_pending_table_is_read_at_enable_and_setlpir_while_disabled_is_lost(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	*prop(h, LPI(9)) = CFG(0x60, true);
	*prop(h, LPI(700)) = CFG(0x60, true);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(9));        /* disabled: lost */
	assert_false(h_state(h, 0, LPI(9)).pending);
	*pend_byte(h, 0, LPI(700)) |= (uint8_t)(1U << (LPI(700) % 8U));
	rd_setup(h, 0, false);
	assert_false(h_state(h, 0, LPI(9)).pending);
	assert_true(h_state(h, 0, LPI(700)).pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->acked[0][0], LPI(700));
	h_finish(h);
}

/* PTZ promises a zero table: nothing is read from it. */
static void test_ptz_skips_the_pending_table(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	*prop(h, LPI(3)) = CFG(0x60, true);
	*pend_byte(h, 0, LPI(3)) = 0xff;                /* garbage the guest promised was zero */
	rd_setup(h, 0, true);
	assert_false(h_state(h, 0, LPI(3)).pending);
	h_finish(h);
}

/* Clearing EnableLPIs writes pending LPIs back to the table; setting it again restores them. */
static void test_disable_writes_pending_back_and_reenable_restores_it(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	*prop(h, LPI(20)) = CFG(0x60, true);
	rd_setup(h, 0, true);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(20));
	assert_true(h_state(h, 0, LPI(20)).queued);
	rd_write(h, 0, GICR_CTLR, 4, 0);
	assert_int_equal(rd_read(h, 0, GICR_CTLR, 4), 0);
	assert_false(h_state(h, 0, LPI(20)).pending);
	assert_false(h_state(h, 0, LPI(20)).queued);
	assert_true(*pend_byte(h, 0, LPI(20)) & (1U << (LPI(20) % 8U)));
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	/* Tables may be changed while LPIs are off; PTZ clear: the table is read. */
	rd_write(h, 0, GICR_PENDBASER, 8, PEND_GPA(0));
	rd_write(h, 0, GICR_CTLR, 4, GICR_CTLR_EnableLPIs);
	assert_true(h_state(h, 0, LPI(20)).pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	h_finish(h);
}

/* The table is cached: a change is seen after INVLPIR/INVALLR, and not before. */
static void test_invlpir_and_invallr_pick_up_configuration_changes(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	*prop(h, LPI(1)) = CFG(0x80, true);
	*prop(h, LPI(2)) = CFG(0x80, true);
	rd_setup(h, 0, true);
	*prop(h, LPI(1)) = CFG(0x20, false);
	*prop(h, LPI(2)) = CFG(0x40, true);
	assert_true(h_state(h, 0, LPI(1)).enabled);
	rd_write(h, 0, GICR_INVLPIR, 8, LPI(1));
	assert_false(h_state(h, 0, LPI(1)).enabled);
	assert_int_equal(h_state(h, 0, LPI(1)).priority, 0x20);
	assert_int_equal(h_state(h, 0, LPI(2)).priority, 0x80);
	rd_write(h, 0, GICR_INVALLR, 8, 0);
	assert_int_equal(h_state(h, 0, LPI(2)).priority, 0x40);
	/* A pending LPI that INV disables leaves the ap_list; INV enabling it brings it back. */
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(2));
	assert_true(h_state(h, 0, LPI(2)).queued);
	*prop(h, LPI(2)) = CFG(0x40, false);
	rd_write(h, 0, GICR_INVLPIR, 8, LPI(2));
	assert_false(h_state(h, 0, LPI(2)).queued);
	assert_true(h_state(h, 0, LPI(2)).pending);
	*prop(h, LPI(2)) = CFG(0x40, true);
	rd_write(h, 0, GICR_INVLPIR, 8, LPI(2));
	assert_true(h_state(h, 0, LPI(2)).queued);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	h_finish(h);
}

/*
 * The distributor's Group 1 enable covers LPIs: one made pending while EnableGrp1 is 0 arrives when
 * the group comes back, and one queued before the group went off does not reach an LR meanwhile.
 */
static void test_group1_disable_and_enable_in_the_distributor_cover_lpis(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	*prop(h, LPI(30)) = CFG(0x60, true);
	*prop(h, LPI(31)) = CFG(0x60, true);
	rd_setup(h, 0, true);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(30));
	assert_int_equal(vgic_dist_enable(&h->vm, true, false), HV_OK);
	assert_false(h_state(h, 0, LPI(30)).queued);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(31));
	assert_true(h_state(h, 0, LPI(31)).pending);
	h_enter(h, 0);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	h_exit(h, 0);
	assert_int_equal(vgic_dist_enable(&h->vm, true, true), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 2);
	h_finish(h);
}

/* 2,000 LPIs pending at once with 4 LRs: delivered in priority order, none lost, none twice. */
static void test_two_thousand_lpis_with_four_lrs_arrive_in_priority_order_once_each(void **state)
{
	enum { N = 2000 };
	struct harness *h = lpi_vm(1, 4);
	static uint8_t seen[NR_LPIS];
	unsigned last_prio = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < N; i++)
		*prop(h, LPI(i)) = CFG((uint8_t)(((i * 37U) % 31U) << 3), true);
	rd_setup(h, 0, true);
	for (unsigned i = 0; i < N; i++)
		rd_write(h, 0, GICR_SETLPIR, 8, LPI(i));
	assert_int_equal(h_run(h, 0, STEPS), N);
	for (unsigned k = 0; k < N; k++) {
		uint32_t intid = h->acked[0][k];
		unsigned prio = h_state(h, 0, intid).priority;

		assert_true(intid >= VGIC_LPI_BASE && intid < LPI(N));
		assert_int_equal(seen[intid - VGIC_LPI_BASE]++, 0);
		assert_true(prio >= last_prio);
		last_prio = prio;
	}
	assert_int_equal(queued_total_lpis(h), 0);
	h_finish(h);
}

/*
 * The LR policy is O(number of LRs) however many LPIs wait: one interrupt taken per round (enter,
 * acknowledge, EOI, exit) costs the same LR-register accesses with 4,096 LPIs pending behind it as
 * with 16 (both more than the LRs hold), and every round takes what the guest must.
 */
static uint64_t accesses_per_round(unsigned pending, unsigned rounds)
{
	struct harness *h = lpi_vm(1, 4);
	struct lr_backend *be = &h->cpu[0].be;
	uint64_t before;

	for (unsigned i = 0; i < pending; i++)
		*prop(h, LPI(i)) = CFG((uint8_t)((i % 31U) << 3), true);
	rd_setup(h, 0, true);
	for (unsigned i = 0; i < pending; i++)
		rd_write(h, 0, GICR_SETLPIR, 8, LPI(i));
	h_enter(h, 0);   /* the first entry fills every LR: not a steady round */
	h_exit(h, 0);
	before = lr_backend_total(be);
	for (unsigned r = 0; r < rounds; r++) {
		uint32_t x;

		h_enter(h, 0);
		x = h_ack(h, 0);
		assert_true(x >= VGIC_LPI_BASE && x < LPI(pending));
		assert_int_equal(h_state(h, 0, x).priority, ((x - VGIC_LPI_BASE) % 31U) << 3 & 0xf8U);
		h_eoi(h, 0, x);
		h_exit(h, 0);
	}
	before = lr_backend_total(be) - before;
	h_finish(h);
	return before;
}

static void test_a_round_costs_the_same_with_4096_lpis_pending_as_with_16(void **state)
{
	enum { ROUNDS = 8 };
	uint64_t few = accesses_per_round(16, ROUNDS), many = accesses_per_round(4096, ROUNDS);

	(void)state;
	print_message("LR accesses per round: %.2f with 16 LPIs pending, %.2f with 4096\n",
		      (double)few / ROUNDS, (double)many / ROUNDS);
	assert_true(few > 0);
	assert_int_equal(many, few);
}

/*
 * An LPI taken from an LR that a higher one then displaces: its EOI finds no LR and only drops the
 * priority (no EOIcount, no maintenance), and nothing is left active or stuck in the core.
 */
static void test_an_lpi_ended_outside_the_lrs_leaves_nothing_active(void **state)
{
	struct harness *h = lpi_vm(1, 1);
	struct icv_model *m = &h->cpu[0];

	(void)state;
	*prop(h, LPI(1)) = CFG(0x80, true);
	*prop(h, LPI(2)) = CFG(0x20, true);
	rd_setup(h, 0, true);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(1));
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), LPI(1));
	h_exit(h, 0);
	assert_false(h_state(h, 0, LPI(1)).active);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(2));
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), LPI(2));
	h_eoi(h, 0, LPI(2));
	h_eoi(h, 0, LPI(1));                   /* in no LR now */
	assert_int_equal(ich_hcr_eoicount(m->hcr), 0);
	assert_false(icv_maint_asserted(m));
	assert_int_equal(icv_rpr(m), 0xff);
	h_exit(h, 0);
	assert_false(h_state(h, 0, LPI(1)).active);
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	h_finish(h);
}

/* Tables outside guest RAM: the LPIs read as disabled, no pending bits; the host carries on. */
static void test_tables_outside_ram_are_survived(void **state)
{
	struct harness *h = lpi_vm(1, 4);

	(void)state;
	rd_write(h, 0, GICR_PROPBASER, 8, 0x7fff0000000ULL | (ID_BITS - 1U));
	rd_write(h, 0, GICR_PENDBASER, 8, 0x7ffe0000000ULL);
	rd_write(h, 0, GICR_CTLR, 4, GICR_CTLR_EnableLPIs);
	assert_true(h->guest_reads > 0);
	assert_false(h_state(h, 0, LPI(0)).enabled);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(0));
	assert_false(h_state(h, 0, LPI(0)).queued);   /* pending, but disabled */
	rd_write(h, 0, GICR_CTLR, 4, 0);              /* the write-back fails quietly */
	assert_true(h->guest_writes > 0);
	/* A table that straddles the end of RAM is as bad as one outside it. */
	rd_write(h, 0, GICR_PROPBASER, 8, (RAM_BASE + RAM_SIZE - 0x1000) | (ID_BITS - 1U));
	rd_write(h, 0, GICR_CTLR, 4, GICR_CTLR_EnableLPIs);
	assert_false(h_state(h, 0, LPI(0)).enabled);
	/* SETLPIR/INVLPIR with INTIDs that are no LPI of ours are ignored. */
	rd_write(h, 0, GICR_SETLPIR, 8, 33);
	rd_write(h, 0, GICR_SETLPIR, 8, LPI(NR_LPIS));
	rd_write(h, 0, GICR_INVLPIR, 8, 0xffffffffULL);
	assert_false(h_state(h, 0, 33).pending);
	h_finish(h);
}

/* PROPBASER and PENDBASER ignore writes while EnableLPIs is set (UNPREDICTABLE: we choose WI). */
static void test_table_registers_are_frozen_while_lpis_are_enabled(void **state)
{
	struct harness *h = lpi_vm(1, 4);
	uint64_t prop_before, pend_before;

	(void)state;
	rd_setup(h, 0, true);
	prop_before = rd_read(h, 0, GICR_PROPBASER, 8);
	pend_before = rd_read(h, 0, GICR_PENDBASER, 8);
	rd_write(h, 0, GICR_PROPBASER, 8, RAM_BASE);
	rd_write(h, 0, GICR_PENDBASER, 4, 0);
	assert_int_equal(rd_read(h, 0, GICR_PROPBASER, 8), prop_before);
	assert_int_equal(rd_read(h, 0, GICR_PENDBASER, 8), pend_before);
	assert_int_equal(rd_read(h, 0, GICR_SYNCR, 4), 0);
	h_finish(h);
}

/* The CPU interface model: an LPI's EOIR in no LR never counts, even in EOImode 0. */
static void test_model_counts_no_eoi_for_lpis(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, 1, 5), HV_OK);
	icv_set_group_enable(&m, 1, true);
	icv_set_pmr(&m, 0xff);
	m.hcr = ICH_HCR_EN | ICH_HCR_LRENPIE;
	m.lr[0] = ICH_LR_STATE_PENDING | ICH_LR_GROUP | ((uint64_t)0x80 << ICH_LR_PRIORITY_SHIFT) | LPI(4);
	assert_int_equal(icv_iar(&m, 1), LPI(4));
	m.lr[0] = 0;                            /* the hypervisor took the LR away */
	icv_eoir(&m, 1, LPI(4));
	assert_int_equal(ich_hcr_eoicount(m.hcr), 0);
	assert_int_equal(icv_rpr(&m), 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_rejects_bad_arguments_and_reports_lpis_in_typer, h_teardown),
		cmocka_unit_test_teardown(test_lpis_are_edge_group1_and_refuse_otherwise, h_teardown),
		cmocka_unit_test_teardown(test_inject_raises_an_lpi_on_its_target_and_refuses_past_the_pool, h_teardown),
		cmocka_unit_test_teardown(test_enable_reads_the_configuration_table, h_teardown),
		cmocka_unit_test_teardown(test_setlpir_delivers_on_that_redistributor_and_eoi_ends_it_in_either_eoimode, h_teardown),
		cmocka_unit_test_teardown(test_pending_table_is_read_at_enable_and_setlpir_while_disabled_is_lost, h_teardown),
		cmocka_unit_test_teardown(test_ptz_skips_the_pending_table, h_teardown),
		cmocka_unit_test_teardown(test_disable_writes_pending_back_and_reenable_restores_it, h_teardown),
		cmocka_unit_test_teardown(test_invlpir_and_invallr_pick_up_configuration_changes, h_teardown),
		cmocka_unit_test_teardown(test_group1_disable_and_enable_in_the_distributor_cover_lpis, h_teardown),
		cmocka_unit_test_teardown(test_two_thousand_lpis_with_four_lrs_arrive_in_priority_order_once_each, h_teardown),
		cmocka_unit_test_teardown(test_a_round_costs_the_same_with_4096_lpis_pending_as_with_16, h_teardown),
		cmocka_unit_test_teardown(test_an_lpi_ended_outside_the_lrs_leaves_nothing_active, h_teardown),
		cmocka_unit_test_teardown(test_tables_outside_ram_are_survived, h_teardown),
		cmocka_unit_test_teardown(test_table_registers_are_frozen_while_lpis_are_enabled, h_teardown),
		cmocka_unit_test(test_model_counts_no_eoi_for_lpis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

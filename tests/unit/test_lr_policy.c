/* test_lr_policy.c: the list-register policy of the vgic core (vgic/vgic_lr.c), rule by rule.
 * Each test name states one rule of docs/design.md section 7; the assertions are exact register-access
 * counts, LR and ICH_HCR_EL2 contents in the ICV model, and what the guest acknowledged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "vgic.h"
#include "vgic_internal.h"
#include "icv_model.h"
#include "irq_line.h"

#define SPI(n)   (VGIC_SPI_BASE + (n))
#define NR_SPIS  64U
#define ST_P     ICH_LR_STATE_PENDING
#define ST_A     ICH_LR_STATE_ACTIVE
#define ST_PA    (ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE)
#define HCR_EN   ICH_HCR_EN
#define HCR_NPIE ICH_HCR_NPIE
#define HCR_LRENPIE_TDIR (ICH_HCR_LRENPIE | ICH_HCR_TDIR)

/* ---- fixture: one harness per test (h_mk), freed by h_teardown even when an assertion fails ---- */

static struct harness *vm(unsigned nr_lrs)
{
	return h_mk(1, NR_SPIS, nr_lrs);
}

/* ---- register-access expectations: every kind is asserted, unnamed kinds must be 0 ---- */

struct acc {
	uint64_t lr_r, lr_w, elrsr, eisr, misr, hcr_r, hcr_w, vmcr_r, vmcr_w, apr_r, apr_w, vtr_r;
};

static void expect_acc_at(struct harness *h, struct acc e, const char *file, int line)
{
	const uint64_t want[LR_ACC_NR] = {
		[LR_ACC_LR_READ] = e.lr_r,     [LR_ACC_LR_WRITE] = e.lr_w,
		[LR_ACC_ELRSR_READ] = e.elrsr, [LR_ACC_EISR_READ] = e.eisr,
		[LR_ACC_MISR_READ] = e.misr,   [LR_ACC_HCR_READ] = e.hcr_r,
		[LR_ACC_HCR_WRITE] = e.hcr_w,  [LR_ACC_VMCR_READ] = e.vmcr_r,
		[LR_ACC_VMCR_WRITE] = e.vmcr_w, [LR_ACC_APR_READ] = e.apr_r,
		[LR_ACC_APR_WRITE] = e.apr_w,  [LR_ACC_VTR_READ] = e.vtr_r,
	};
	bool bad = false;

	for (unsigned k = 0; k < LR_ACC_NR; k++) {
		uint64_t got = h_acc(h, 0, (enum lr_access)k);

		if (got != want[k]) {
			print_error("%s:%d: %s: expected %llu, got %llu\n", file, line,
				    lr_access_name((enum lr_access)k), (unsigned long long)want[k],
				    (unsigned long long)got);
			bad = true;
		}
	}
	if (bad)
		_fail(file, line);
	h_acc_reset(h, 0);
}

/* Asserts the counts since the last reset (every kind), then resets them. */
#define EXPECT_ACC(h, ...) expect_acc_at((h), (struct acc){ __VA_ARGS__ }, __FILE__, __LINE__)
#define EXPECT_NO_ACC(h)   expect_acc_at((h), (struct acc){ 0 }, __FILE__, __LINE__)

/* ---- LR and guest helpers ---- */

#define LRV(h, n) ((h)->cpu[0].lr[n])
#define EXPECT_LR(h, n, intid, state)                                          \
	do {                                                                   \
		assert_int_equal(ich_lr_vintid(LRV(h, n)), (intid));           \
		assert_int_equal(LRV(h, n) & ICH_LR_STATE_MASK, (state));      \
	} while (0)
#define EXPECT_LR_EMPTY(h, n) assert_int_equal(LRV(h, n), 0)

/* Entry; UIE must never appear in ICH_HCR_EL2 (see test_uie_is_never_set...). */
static void enter(struct harness *h)
{
	h_enter(h, 0);
	assert_int_equal(h->cpu[0].hcr & ICH_HCR_UIE, 0);
}

static void leave(struct harness *h)
{
	h_exit(h, 0);
}

static void inject(struct harness *h, uint32_t intid)
{
	assert_int_equal(vgic_inject(&h->vm, 0, intid, true), HV_OK);
}

static void set_line(struct harness *h, uint32_t intid, bool high)
{
	assert_int_equal(vgic_inject(&h->vm, 0, intid, high), HV_OK);
}

static void enable(struct harness *h, uint32_t intid, bool on)
{
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, intid, on), HV_OK);
}

static void set_active(struct harness *h, uint32_t intid, bool on)
{
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, intid, on), HV_OK);
}

/* The guest acknowledges and must get exactly this INTID. */
static void take(struct harness *h, uint32_t intid)
{
	assert_int_equal(h_ack(h, 0), intid);
}

static void take_and_end(struct harness *h, uint32_t intid)
{
	take(h, intid);
	h_eoi(h, 0, intid);
}

/* What an arch does when the maintenance interrupt fires: exit and re-enter. */
static bool service_maint(struct harness *h)
{
	if (!icv_maint_asserted(&h->cpu[0]))
		return false;
	h->maint_exits[0]++;
	leave(h);
	enter(h);
	return true;
}

static struct vgic_irq_state irq_state(struct harness *h, uint32_t intid)
{
	struct vgic_irq_state s;

	assert_int_equal(vgic_irq_get_state(&h->vm, 0, intid, &s), HV_OK);
	return s;
}

static uint32_t queued_total(struct harness *h)
{
	return vgic_aplist_total(&h->vcpus[0].aplist);
}

/*
 * Which LR an interrupt lands in is free (the core keeps an interrupt in the LR it had, to
 * skip rewriting it); what matters is that exactly one LR holds it, in this state.
 */
#define EXPECT_IN_LR(h, intid, state) expect_in_lr_at((h), (intid), (state), __FILE__, __LINE__)
static void expect_in_lr_at(struct harness *h, uint32_t intid, uint64_t state, const char *file, int line)
{
	unsigned found = 0;

	for (unsigned i = 0; i < h->cpu[0].be.nr_lrs; i++)
		if ((LRV(h, i) & ICH_LR_STATE_MASK) && ich_lr_vintid(LRV(h, i)) == intid) {
			found++;
			if ((LRV(h, i) & ICH_LR_STATE_MASK) != state)
				_fail(file, line);
		}
	if (found != 1)
		_fail(file, line);
}

/* A level-line owner: counts resample calls and optionally lowers the line from the callback. */
struct line_owner {
	struct irq_line line;
	unsigned calls;
	bool lower_on_resample;
};

static void owner_resample(void *o, uint32_t line)
{
	struct line_owner *ow = o;

	assert_int_equal(line, ow->line.line);
	ow->calls++;
	if (ow->lower_on_resample)
		assert_int_equal(irq_line_lower(&ow->line), HV_OK);
}

static void owner_bind(struct harness *h, struct line_owner *ow, uint32_t spi_line)
{
	ow->calls = 0;
	ow->lower_on_resample = false;
	assert_int_equal(irq_line_bind(&ow->line, vgic_spi_chip(&h->vm), spi_line), HV_OK);
	assert_int_equal(irq_line_set_resample(&ow->line, owner_resample, ow), HV_OK);
}

/* =====================================================================================
 * 1. Register accesses
 * ===================================================================================== */

static void test_idle_entry_exit_touches_no_register(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (int i = 0; i < 3; i++) {
		enter(h);
		EXPECT_NO_ACC(h);
		leave(h);
		EXPECT_NO_ACC(h);
	}
	assert_int_equal(h->vcpus[0].stats.flushes, 0);
	assert_int_equal(h->vcpus[0].stats.syncs, 0);
	h_finish(h);
}

static void test_first_edge_entry_writes_one_lr_and_hcr_with_en(void **state)
{
	struct harness *h = vm(4);
	uint64_t want;

	(void)state;
	h_cfg(h, 0, SPI(1), 0x48, VGIC_EDGE);
	inject(h, SPI(1));
	enter(h);
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	/* vINTID, priority, group 1, Pending; no HW, no EOI bit for an edge interrupt. */
	want = SPI(1) | ((uint64_t)0x48 << ICH_LR_PRIORITY_SHIFT) | ICH_LR_GROUP | ST_P;
	assert_int_equal(LRV(h, 0), want);
	for (unsigned i = 1; i < 4; i++)
		EXPECT_LR_EMPTY(h, i);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	take_and_end(h, SPI(1));
	leave(h);
	h_finish(h);
}

static void test_lr_group_bit_follows_interrupt_group(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI(0), 0), HV_OK);
	icv_set_group_enable(&h->cpu[0], 0, true);
	inject(h, SPI(0));
	enter(h);
	assert_int_equal(LRV(h, 0) & ICH_LR_GROUP, 0);
	assert_int_equal(ich_lr_priority(LRV(h, 0)), 0x80);
	assert_int_equal(icv_iar(&h->cpu[0], 0), SPI(0));
	icv_eoir(&h->cpu[0], 0, SPI(0));
	leave(h);
	assert_false(irq_state(h, SPI(0)).queued);
	h_finish(h);
}

/* With one LR in use, exit reads that LR: one access, as ELRSR alone would be, never two. */
static void test_edge_taken_and_ended_exit_reads_only_its_lr(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	take_and_end(h, SPI(0));
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	assert_false(irq_state(h, SPI(0)).queued);
	/* The empty LR is harmless: the next entry is idle again. */
	enter(h);
	EXPECT_NO_ACC(h);
	leave(h);
	EXPECT_NO_ACC(h);
	h_finish(h);
}

/* Not taken: exit reads the one LR; entry finds it already holds the same value and writes nothing. */
static void test_edge_not_taken_exit_reads_its_lr_and_entry_leaves_it_in_place(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	leave(h);                            /* the guest did not take it */
	EXPECT_ACC(h, .lr_r = 1);
	assert_true(irq_state(h, SPI(0)).pending);
	enter(h);                            /* HCR stable, LR0 unchanged: nothing to write */
	EXPECT_NO_ACC(h);
	EXPECT_LR(h, 0, SPI(0), ST_P);
	take_and_end(h, SPI(0));
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	assert_int_equal(h->nr_acked[0], 1);
	h_finish(h);
}

static void test_hcr_is_written_only_when_its_value_changes_and_en_stays_set(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		h_cfg(h, 0, SPI(i), 0x80, VGIC_EDGE);
	for (unsigned i = 0; i < 5; i++) {
		inject(h, SPI(i));
		enter(h);
		/* First working entry writes En; later ones find it unchanged. */
		EXPECT_ACC(h, .lr_w = 1, .hcr_w = i == 0 ? 1 : 0);
		assert_int_equal(h->cpu[0].hcr, HCR_EN);
		take_and_end(h, SPI(i));
		leave(h);
		EXPECT_ACC(h, .lr_r = 1);
	}
	/* Drained: idle entries leave En in place and write nothing. */
	enter(h);
	EXPECT_NO_ACC(h);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	leave(h);
	h_finish(h);
}

static void test_level_lr_has_eoi_bit_exit_reads_it_and_next_entry_zeroes_it(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(2), 0x80, VGIC_LEVEL);
	set_line(h, SPI(2), true);
	enter(h);
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	assert_true(LRV(h, 0) & ICH_LR_EOI);
	assert_int_equal(LRV(h, 0) & ICH_LR_HW, 0);
	EXPECT_LR(h, 0, SPI(2), ST_P);
	take(h, SPI(2));
	set_line(h, SPI(2), false);          /* the handler serviced the device */
	h_eoi(h, 0, SPI(2));
	/* EOI maintenance: the LR went invalid with its EOI bit set. */
	assert_true(icv_maint_asserted(&h->cpu[0]));
	assert_int_equal(icv_eisr(&h->cpu[0]), 1);
	leave(h);
	/* The one LR in use is read (ELRSR would not report one awaiting EOI maintenance as empty). */
	EXPECT_ACC(h, .lr_r = 1);
	assert_false(irq_state(h, SPI(2)).queued);
	enter(h);                            /* nothing queued, but LR0 is stale: zero it */
	EXPECT_ACC(h, .lr_w = 1);
	EXPECT_LR_EMPTY(h, 0);
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	EXPECT_NO_ACC(h);
	enter(h);
	EXPECT_NO_ACC(h);
	leave(h);
	h_finish(h);
}

static void test_level_still_high_at_eoi_is_rewritten_by_next_entry(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(2), 0x80, VGIC_LEVEL);
	set_line(h, SPI(2), true);
	enter(h);
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	take_and_end(h, SPI(2));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	assert_true(irq_state(h, SPI(2)).pending);
	assert_false(irq_state(h, SPI(2)).active);
	enter(h);                            /* the same LR is rewritten, pending again */
	EXPECT_ACC(h, .lr_w = 1);
	EXPECT_LR(h, 0, SPI(2), ST_P);
	assert_true(LRV(h, 0) & ICH_LR_EOI);
	take(h, SPI(2));
	set_line(h, SPI(2), false);
	h_eoi(h, 0, SPI(2));
	leave(h);
	enter(h);
	EXPECT_LR_EMPTY(h, 0);
	leave(h);
	assert_int_equal(h->nr_acked[0], 2);
	h_finish(h);
}

static void test_hw_mapped_lr_has_hw_bit_and_pintid_and_deactivates_physically_via_lr(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(8), 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI(8), 100), HV_OK);
	set_line(h, SPI(8), true);
	enter(h);
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	assert_true(LRV(h, 0) & ICH_LR_HW);
	assert_int_equal(ich_lr_pintid(LRV(h, 0)), 100);
	assert_int_equal(LRV(h, 0) & ICH_LR_EOI, 0);  /* bit 41 is pINTID[9], here 0: no EOI request */
	EXPECT_LR(h, 0, SPI(8), ST_P);
	take_and_end(h, SPI(8));
	/* The CPU interface deactivated the physical interrupt itself; no maintenance. */
	assert_int_equal(h->nr_phys_deactivated, 1);
	assert_int_equal(h->phys_deactivated[0], 100);
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	assert_false(irq_state(h, SPI(8)).active);
	assert_false(irq_state(h, SPI(8)).pending);  /* the physical side re-raises it */
	assert_false(irq_state(h, SPI(8)).queued);
	enter(h);
	EXPECT_NO_ACC(h);
	leave(h);
	assert_int_equal(h->nr_phys_deactivated, 1); /* the core did not deactivate it a second time */
	h_finish(h);
}

static void test_hw_active_interrupt_is_loaded_active_only_never_pending_and_active(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(8), 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI(8), 100), HV_OK);
	set_line(h, SPI(8), true);
	enter(h);
	take(h, SPI(8));
	leave(h);
	set_line(h, SPI(8), true);           /* fires again while the guest handles it */
	assert_true(irq_state(h, SPI(8)).pending);
	assert_true(irq_state(h, SPI(8)).active);
	h_acc_reset(h, 0);
	enter(h);
	EXPECT_NO_ACC(h);                    /* LR0 already holds it Active with HW: left in place */
	EXPECT_LR(h, 0, SPI(8), ST_A);
	assert_true(LRV(h, 0) & ICH_LR_HW);
	h_eoi(h, 0, SPI(8));
	assert_int_equal(h->nr_phys_deactivated, 1);
	leave(h);
	/* The pending state the LR could not carry is delivered now. */
	enter(h);
	EXPECT_LR(h, 0, SPI(8), ST_P);
	take_and_end(h, SPI(8));
	leave(h);
	assert_int_equal(h->nr_acked[0], 2);
	assert_int_equal(h->nr_phys_deactivated, 2);
	h_finish(h);
}

/* Deactivating a HW interrupt happens in the physical GIC; no resample is owed, whatever its pINTID.
 * pINTID 600 has bit 9 set, which is bit 41 of the LR: the same bit as EOI on a software LR. */
static unsigned hw_deactivation_resamples(uint32_t pintid)
{
	struct harness *h = vm(4);
	struct line_owner ow;
	unsigned calls;

	h_cfg(h, 0, SPI(8), 0x80, VGIC_LEVEL);
	owner_bind(h, &ow, 8);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI(8), pintid), HV_OK);
	set_line(h, SPI(8), true);
	enter(h);
	assert_int_equal(ich_lr_pintid(LRV(h, 0)), pintid);
	take_and_end(h, SPI(8));
	assert_int_equal(h->nr_phys_deactivated, 1);
	assert_int_equal(h->phys_deactivated[0], pintid);
	leave(h);
	assert_false(irq_state(h, SPI(8)).active);
	calls = ow.calls;
	h_finish(h);
	return calls;
}

static void test_hw_lr_pintid_bit9_is_not_mistaken_for_eoi_request(void **state)
{
	(void)state;
	assert_int_equal(hw_deactivation_resamples(100), 0);
	assert_int_equal(hw_deactivation_resamples(600), 0);
}

/*
 * Overflow in EOImode 0: the four highest go in, and the refill is armed at the deactivation of the
 * last of them (its EOI bit), not at the acknowledge of the last (NPIE): the rest cannot preempt it.
 * The entry reads VMCR once (group enables, EOImode) and asks to hear of group 1 being disabled.
 */
static void test_overflow_16_pending_4_lrs_writes_4_lrs_and_arms_a_refill_at_the_last(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		h_cfg(h, 0, SPI(i), (uint8_t)(0xf0 - 8 * i), VGIC_EDGE);
		inject(h, SPI(i));
	}
	enter(h);
	EXPECT_ACC(h, .lr_w = 4, .hcr_w = 1, .vmcr_r = 1);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | ICH_HCR_VGRP1DIE);
	/* The four highest priorities (lowest values): SPIs 15, 14, 13, 12. */
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(15 - i), ST_P);
	for (unsigned i = 0; i < 3; i++)
		assert_false(h->cpu[0].lr[i] & ICH_LR_EOI);
	assert_true(h->cpu[0].lr[3] & ICH_LR_EOI);
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	EXPECT_ACC(h, .elrsr = 1, .lr_r = 4);
	assert_int_equal(h_run(h, 0, 100), 16);
	h_finish(h);
}

/* An LR whose interrupt left (disabled while in it) still holds it Pending: entry must zero it. */
static void test_entry_zeroes_stale_lrs_it_does_not_refill(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		h_cfg(h, 0, SPI(i), (uint8_t)(0x10 * (i + 1)), VGIC_EDGE);
		inject(h, SPI(i));
	}
	enter(h);
	EXPECT_ACC(h, .lr_w = 4, .hcr_w = 1);
	enable(h, SPI(2), false);
	enable(h, SPI(3), false);
	leave(h);
	EXPECT_ACC(h, .elrsr = 1, .lr_r = 4);    /* all four still valid: all read */
	enter(h);
	/* SPIs 0, 1 stay where they were (no write); the two LRs left behind are zeroed. */
	EXPECT_ACC(h, .lr_w = 2);
	EXPECT_LR(h, 0, SPI(0), ST_P);
	EXPECT_LR(h, 1, SPI(1), ST_P);
	EXPECT_LR_EMPTY(h, 2);
	EXPECT_LR_EMPTY(h, 3);
	take_and_end(h, SPI(0));
	take_and_end(h, SPI(1));
	leave(h);
	EXPECT_ACC(h, .elrsr = 1);
	h_finish(h);
}

static void test_lrs_reported_empty_at_exit_are_not_rewritten_at_entry(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		h_cfg(h, 0, SPI(i), (uint8_t)(0x10 * (i + 1)), VGIC_EDGE);
		inject(h, SPI(i));
	}
	enter(h);
	h_acc_reset(h, 0);
	take_and_end(h, SPI(0));
	take_and_end(h, SPI(1));
	take_and_end(h, SPI(2));
	leave(h);
	EXPECT_ACC(h, .elrsr = 1, .lr_r = 1);
	enter(h);
	/* SPI 3 stays in LR3, unchanged; LR0-2 were reported empty and are left alone: no write. */
	EXPECT_NO_ACC(h);
	EXPECT_LR(h, 3, SPI(3), ST_P);
	take_and_end(h, SPI(3));
	leave(h);
	h_finish(h);
}

/* =====================================================================================
 * 2. Order
 * ===================================================================================== */

static void test_sixteen_pending_acked_by_priority_then_arrival_with_4_lrs(void **state)
{
	static const uint8_t prio[16] = {
		0x80, 0x40, 0xc0, 0x40, 0x20, 0x80, 0xf0, 0x20,
		0x60, 0x40, 0xa0, 0x00, 0x80, 0x60, 0xe0, 0x20,
	};
	/* Stable sort of the above: equal priorities keep their arrival (injection) order. */
	static const unsigned order[16] = { 11, 4, 7, 15, 1, 3, 9, 8, 13, 0, 5, 12, 10, 2, 14, 6 };
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		h_cfg(h, 0, SPI(i), prio[i], VGIC_EDGE);
	for (unsigned i = 0; i < 16; i++)
		inject(h, SPI(i));
	enter(h);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(order[i]), ST_P);
	leave(h);
	assert_int_equal(h_run(h, 0, 200), 16);
	assert_int_equal(h->nr_acked[0], 16);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(h->acked[0][i], SPI(order[i]));
	assert_int_equal(h->maint_exits[0], 3);
	h_finish(h);
}

/* SPIs 0 (0x10) and 1 (0x20) active; 2 (0x80), 3 and 4 (0x40, 3 first) pending: five for four LRs. */
static void queue_two_actives_three_pending(struct harness *h)
{
	h_cfg(h, 0, SPI(0), 0x10, VGIC_EDGE);   /* active */
	h_cfg(h, 0, SPI(1), 0x20, VGIC_EDGE);   /* active */
	h_cfg(h, 0, SPI(2), 0x80, VGIC_EDGE);   /* pending */
	h_cfg(h, 0, SPI(3), 0x40, VGIC_EDGE);   /* pending, arrives before SPI 4 */
	h_cfg(h, 0, SPI(4), 0x40, VGIC_EDGE);   /* pending */
	set_active(h, SPI(1), true);
	set_active(h, SPI(0), true);
	inject(h, SPI(2));
	inject(h, SPI(3));
	inject(h, SPI(4));
}

/* Then: the actives end outside the guest, and the guest takes the three by priority, then arrival. */
static void end_actives_and_run_the_pending(struct harness *h)
{
	leave(h);
	set_active(h, SPI(0), false);
	set_active(h, SPI(1), false);
	assert_int_equal(h_run(h, 0, 100), 3);
	assert_int_equal(h->acked[0][0], SPI(3));
	assert_int_equal(h->acked[0][1], SPI(4));
	assert_int_equal(h->acked[0][2], SPI(2));
	assert_int_equal(queued_total(h), 0);
}

/* EOImode 1: a held active may have dropped its priority already, so pending interrupts go first. */
static void test_eoimode1_pending_class_placed_before_active_class_each_by_priority(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	queue_two_actives_three_pending(h);
	enter(h);
	EXPECT_LR(h, 0, SPI(3), ST_P);
	EXPECT_LR(h, 1, SPI(4), ST_P);
	EXPECT_LR(h, 2, SPI(2), ST_P);
	EXPECT_LR(h, 3, SPI(0), ST_A);          /* the higher-priority active wins the last LR */
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR); /* SPI 1 left out */
	end_actives_and_run_the_pending(h);
	h_finish(h);
}

/*
 * EOImode 0: the same set. No pending interrupt can preempt the running priority (SPI 0 at 0x10), so
 * both actives keep their LRs, the two highest pending ones take the rest, and the refill is armed at
 * the deactivations (EOI bits on the actives and on the last pending one). Nothing is evicted.
 */
static void test_eoimode0_actives_keep_their_lrs_against_pending_that_cannot_preempt(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	queue_two_actives_three_pending(h);
	enter(h);
	EXPECT_LR(h, 0, SPI(0), ST_A);
	EXPECT_LR(h, 1, SPI(1), ST_A);
	EXPECT_LR(h, 2, SPI(3), ST_P);
	EXPECT_LR(h, 3, SPI(4), ST_P);
	assert_true(h->cpu[0].lr[0] & ICH_LR_EOI);
	assert_true(h->cpu[0].lr[1] & ICH_LR_EOI);
	assert_false(h->cpu[0].lr[2] & ICH_LR_EOI);
	assert_true(h->cpu[0].lr[3] & ICH_LR_EOI);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | ICH_HCR_VGRP1DIE); /* no active left out */
	assert_int_equal(h->vcpus[0].stats.evicted_active, 0);
	end_actives_and_run_the_pending(h);
	h_finish(h);
}

/* Priorities with ties: 0x00..0xe0 in steps of 0x20, repeating every 8 interrupts. */
static uint8_t spread_prio(unsigned i)
{
	return (uint8_t)(((i * 5U) % 8U) << 5);
}

static void run_in_priority_order(unsigned nr_lrs, unsigned n, bool split)
{
	struct harness *h = vm(nr_lrs);
	uint32_t expect[32];
	unsigned ne = 0;

	if (split)
		icv_set_eoimode(&h->cpu[0], true);
	for (unsigned i = 0; i < n; i++)
		h_cfg(h, 0, SPI(i), spread_prio(i), VGIC_EDGE);
	for (unsigned i = 0; i < n; i++)
		inject(h, SPI(i));
	for (unsigned p = 0; p < 256; p++)
		for (unsigned i = 0; i < n; i++)
			if (spread_prio(i) == p)
				expect[ne++] = SPI(i);
	assert_int_equal(ne, n);
	assert_int_equal(h_run(h, 0, 10 * n + 100), n);
	assert_int_equal(h->nr_acked[0], n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(h->acked[0][i], expect[i]);
	/* One NPIE refill per full set of LRs taken: ceil(n / nr_lrs) - 1. */
	assert_int_equal(h->maint_exits[0], (n + nr_lrs - 1) / nr_lrs - 1);
	assert_int_equal(h->dir_traps[0], 0);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_1_2_4_16_lrs_deliver_16_and_32_in_priority_order(void **state)
{
	static const unsigned lrs[4] = { 1, 2, 4, 16 };

	(void)state;
	for (unsigned k = 0; k < 4; k++) {
		run_in_priority_order(lrs[k], 16, false);
		run_in_priority_order(lrs[k], 32, false);
	}
}

static void test_1_2_4_16_lrs_deliver_in_priority_order_with_split_eoi(void **state)
{
	static const unsigned lrs[4] = { 1, 2, 4, 16 };

	(void)state;
	for (unsigned k = 0; k < 4; k++) {
		run_in_priority_order(lrs[k], 16, true);
		run_in_priority_order(lrs[k], 32, true);
	}
}

/* =====================================================================================
 * 3. More active interrupts than LRs
 * ===================================================================================== */

static void test_eoimode0_nested_actives_beyond_lrs_are_deactivated_via_eoicount(void **state)
{
	static const uint8_t prio[6] = { 0xa0, 0x90, 0x80, 0x70, 0x60, 0x50 };
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 6; i++)
		h_cfg(h, 0, SPI(i), prio[i], VGIC_EDGE);
	/* Each new interrupt preempts the handler of the previous one: six nested activations. */
	for (unsigned i = 0; i < 6; i++) {
		inject(h, SPI(i));
		enter(h);
		take(h, SPI(i));
		if (i == 5)
			break;
		h_acc_reset(h, 0);
		leave(h);
		if (i == 4) /* LRENPIE was armed: HCR read for EOIcount (0), so no VMCR read */
			EXPECT_ACC(h, .elrsr = 1, .lr_r = 4, .hcr_r = 1);
	}
	/* New pending first, then actives by priority; the two lowest actives are left out. */
	EXPECT_IN_LR(h, SPI(5), ST_A);
	EXPECT_IN_LR(h, SPI(4), ST_A);
	EXPECT_IN_LR(h, SPI(3), ST_A);
	EXPECT_IN_LR(h, SPI(2), ST_A);
	assert_int_equal(h_lrs_holding(h, 0, SPI(1)) + h_lrs_holding(h, 0, SPI(0)), 0);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	for (unsigned i = 5; i >= 2; i--) {
		h_eoi(h, 0, SPI(i));
		assert_false(icv_maint_asserted(&h->cpu[0])); /* in LRs: no exit per EOI */
	}
	h_eoi(h, 0, SPI(1));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	assert_int_equal(ich_hcr_eoicount(h->cpu[0].hcr), 1);
	h_acc_reset(h, 0);
	leave(h);
	EXPECT_ACC(h, .hcr_r = 1, .vmcr_r = 1, .elrsr = 1);
	assert_false(irq_state(h, SPI(1)).active);
	assert_true(irq_state(h, SPI(0)).active);
	for (unsigned i = 1; i < 6; i++)
		assert_false(irq_state(h, SPI(i)).queued);
	assert_int_equal(h->vcpus[0].stats.eoicount_deact, 1);
	enter(h);
	/* HCR is rewritten although the value is the same: that zeroes EOIcount. */
	EXPECT_ACC(h, .lr_w = 1, .hcr_w = 1);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	EXPECT_LR(h, 0, SPI(0), ST_A);
	h_eoi(h, 0, SPI(0));
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	for (unsigned i = 0; i < 6; i++) {
		assert_false(irq_state(h, SPI(i)).active);
		assert_int_equal(h->acked[0][i], SPI(i));
	}
	assert_int_equal(h->nr_acked[0], 6);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_eoicount_of_two_deactivates_the_two_highest_left_out_actives(void **state)
{
	struct harness *h = vm(1);

	(void)state;
	h_cfg(h, 0, SPI(0), 0xa0, VGIC_EDGE);
	h_cfg(h, 0, SPI(1), 0x90, VGIC_EDGE);
	h_cfg(h, 0, SPI(2), 0x80, VGIC_EDGE);
	h_cfg(h, 0, SPI(3), 0xc0, VGIC_EDGE);   /* an unrelated active the guest does not end */
	set_active(h, SPI(3), true);
	for (unsigned i = 0; i < 3; i++) {
		inject(h, SPI(i));
		enter(h);
		take(h, SPI(i));
		if (i < 2)
			leave(h);
	}
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	h_eoi(h, 0, SPI(2));                    /* in the LR */
	h_eoi(h, 0, SPI(1));                    /* left out: EOIcount 1 */
	h_eoi(h, 0, SPI(0));                    /* left out: EOIcount 2 (exit taken late) */
	assert_int_equal(ich_hcr_eoicount(h->cpu[0].hcr), 2);
	h_acc_reset(h, 0);
	leave(h);
	EXPECT_ACC(h, .hcr_r = 1, .vmcr_r = 1, .lr_r = 1);
	assert_false(irq_state(h, SPI(0)).active);
	assert_false(irq_state(h, SPI(1)).active);
	assert_false(irq_state(h, SPI(2)).active);
	assert_true(irq_state(h, SPI(3)).active);  /* lowest priority: not one the guest ended */
	assert_int_equal(h->vcpus[0].stats.eoicount_deact, 2);
	set_active(h, SPI(3), false);
	enter(h);
	assert_int_equal(ich_hcr_eoicount(h->cpu[0].hcr), 0);
	leave(h);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_eoimode1_held_actives_do_not_block_new_interrupts_and_dir_traps_end_them(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	for (unsigned i = 0; i < 9; i++)
		h_cfg(h, 0, SPI(i), 0x80, VGIC_EDGE);
	/* Phase 1: the guest takes four and drops priority (EOIR) but defers deactivation. */
	for (unsigned i = 0; i < 4; i++)
		inject(h, SPI(i));
	enter(h);
	for (unsigned i = 0; i < 4; i++)
		take_and_end(h, SPI(i));
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(i), ST_A);
	leave(h);
	/* Phase 2: four new ones still get every LR; the held actives are left out. */
	for (unsigned i = 4; i < 8; i++)
		inject(h, SPI(i));
	enter(h);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(4 + i), ST_P);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	for (unsigned i = 4; i < 8; i++)
		take_and_end(h, SPI(i));
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	/* Phase 3: eight held actives, one new interrupt: it is placed first and taken. */
	inject(h, SPI(8));
	enter(h);
	EXPECT_LR(h, 0, SPI(8), ST_P);
	take_and_end(h, SPI(8));
	assert_int_equal(h->nr_acked[0], 9);
	EXPECT_LR(h, 0, SPI(8), ST_A);           /* the core learns this at the next exit */
	for (unsigned i = 0; i < 8; i++)
		assert_true(irq_state(h, SPI(i)).active);
	/* Phase 4: deactivate all. While actives are left out every DIR traps (0..4); then the
	 * remaining four fit, TDIR is cleared and DIR deactivates in the LRs. */
	for (unsigned i = 0; i < 9; i++)
		h_dir(h, 0, SPI(i));
	assert_int_equal(h->dir_traps[0], 5);
	assert_int_equal(h->vcpus[0].stats.dir_traps, 5);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	leave(h);
	for (unsigned i = 0; i < 9; i++)
		assert_false(irq_state(h, SPI(i)).active);
	assert_int_equal(queued_total(h), 0);
	assert_int_equal(h->vcpus[0].stats.eoicount_deact, 0);
	h_finish(h);
}

/* Nested activations in EOImode 1, EOIRs of interrupts that are in no LR, then DIRs. */
static void eoimode1_nested_split_eoi(bool quirk)
{
	/* A..D nest (running), E..H arrive above them. */
	static const uint8_t prio[8] = { 0xa0, 0x90, 0x80, 0x70, 0x60, 0x50, 0x40, 0x30 };
	struct harness *h = vm(4);

	icv_set_eoimode(&h->cpu[0], true);
	h->cpu[0].quirk_eoicount_on_split_eoir = quirk;
	for (unsigned i = 0; i < 8; i++)
		h_cfg(h, 0, SPI(i), prio[i], VGIC_EDGE);
	for (unsigned i = 0; i < 4; i++) {
		inject(h, SPI(i));
		enter(h);
		take(h, SPI(i));
		leave(h);
	}
	for (unsigned i = 4; i < 8; i++)
		inject(h, SPI(i));
	enter(h);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(7 - i), ST_P);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	/* H, G, F, E: each preempts, is taken and priority-dropped; all stay active in their LRs. */
	for (unsigned i = 7; i >= 4; i--)
		take_and_end(h, SPI(i));
	assert_false(icv_maint_asserted(&h->cpu[0]));
	/* Priority drops of D, C, B, A: they are in no LR. */
	for (int k = 3; k >= 0; k--) {
		unsigned i = (unsigned)k;

		h_eoi(h, 0, SPI(i));
		assert_int_equal(icv_maint_asserted(&h->cpu[0]), quirk);
		if (quirk) {
			h_acc_reset(h, 0);
			assert_true(service_maint(h));
			/* EOIcount read, VMCR read (EOImode 1: ignored), HCR rewritten to clear it; the
			 * entry reads VMCR once more, since the actives overflow the LRs. */
			assert_int_equal(h_acc(h, 0, LR_ACC_HCR_READ), 1);
			assert_int_equal(h_acc(h, 0, LR_ACC_VMCR_READ), 2);
			assert_int_equal(h_acc(h, 0, LR_ACC_HCR_WRITE), 1);
			assert_int_equal(ich_hcr_eoicount(h->cpu[0].hcr), 0);
		}
		/* A priority drop is not a deactivation. */
		assert_true(irq_state(h, SPI(i)).active);
	}
	assert_int_equal(h->maint_exits[0], quirk ? 4 : 0);
	assert_int_equal(h->vcpus[0].stats.eoicount_deact, 0);
	/* E..H were taken from LRs and are still active there (folded into the core at exit). */
	for (unsigned i = 4; i < 8; i++)
		assert_int_equal(h_lrs_holding(h, 0, SPI(i)), 1);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(7 - i), ST_A);
	/* Deactivate all, highest first: four DIRs trap, then the last four actives fit. */
	for (int k = 7; k >= 0; k--)
		h_dir(h, 0, SPI((unsigned)k));
	assert_int_equal(h->dir_traps[0], 4);
	leave(h);
	for (unsigned i = 0; i < 8; i++)
		assert_false(irq_state(h, SPI(i)).active);
	assert_int_equal(queued_total(h), 0);
	assert_int_equal(h->nr_acked[0], 8);
	assert_int_equal(h->vcpus[0].stats.eoicount_deact, 0);
	h_finish(h);
}

static void test_eoimode1_left_out_eoir_is_priority_drop_only(void **state)
{
	(void)state;
	eoimode1_nested_split_eoi(false);
}

static void test_eoimode1_qemu_eoicount_quirk_does_not_deactivate(void **state)
{
	(void)state;
	eoimode1_nested_split_eoi(true);
}

static void test_one_lr_split_eoi_with_held_actives_makes_progress(void **state)
{
	struct harness *h = vm(1);

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	for (unsigned i = 0; i < 6; i++) {
		h_cfg(h, 0, SPI(i), 0x80, VGIC_EDGE);
		inject(h, SPI(i));
	}
	enter(h);
	/* The guest takes each and drops priority, holding every one active. */
	for (unsigned i = 0; i < 6; i++) {
		assert_true(icv_irq_signalled(&h->cpu[0], 1));
		take_and_end(h, SPI(i));
		assert_int_equal(service_maint(h), i < 5); /* NPIE refill while more are left out */
	}
	assert_int_equal(h->maint_exits[0], 5);
	assert_int_equal(h->nr_acked[0], 6);
	/* One valid LR and nothing pending: no maintenance (a UIE policy would storm here). */
	assert_false(icv_maint_asserted(&h->cpu[0]));
	for (unsigned i = 0; i < 6; i++)
		h_dir(h, 0, SPI(i));
	assert_int_equal(h->dir_traps[0], 5);
	leave(h);
	for (unsigned i = 0; i < 6; i++)
		assert_false(irq_state(h, SPI(i)).active);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

/*
 * UIE is never used. UIE raises maintenance when fewer than two LRs are valid:
 *  - with EOImode 1 and active interrupts holding every LR it never fires, so a left-out pending
 *    interrupt never gets an LR (live-lock);
 *  - with one LR it fires whenever that LR is the only valid one, i.e. always (a storm).
 * The policy refills with NPIE instead; this drives both situations and checks HCR at every step.
 */
static void test_uie_is_never_set_even_when_actives_hold_every_lr(void **state)
{
	struct harness *h = vm(1);

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	h_cfg(h, 0, SPI(1), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	take_and_end(h, SPI(0));                 /* held active in the only LR */
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	inject(h, SPI(1));
	enter(h);                                /* the new one gets the LR; the held one is left out */
	EXPECT_LR(h, 0, SPI(1), ST_P);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	assert_false(icv_maint_asserted(&h->cpu[0]));
	take_and_end(h, SPI(1));
	assert_false(icv_maint_asserted(&h->cpu[0]));
	h_dir(h, 0, SPI(0));
	h_dir(h, 0, SPI(1));
	assert_int_equal(h->cpu[0].hcr & ICH_HCR_UIE, 0);
	leave(h);
	assert_int_equal(h->nr_acked[0], 2);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_new_high_priority_interrupt_gets_an_lr_over_pending_active_ones(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		h_cfg(h, 0, SPI(i), 0xc0, VGIC_EDGE);
		set_active(h, SPI(i), true);
		inject(h, SPI(i));              /* pending again while active */
	}
	h_cfg(h, 0, SPI(4), 0x20, VGIC_EDGE);
	enter(h);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR(h, i, SPI(i), ST_PA);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	leave(h);
	inject(h, SPI(4));
	enter(h);
	EXPECT_IN_LR(h, SPI(4), ST_P);
	EXPECT_IN_LR(h, SPI(0), ST_PA);
	EXPECT_IN_LR(h, SPI(1), ST_PA);
	EXPECT_IN_LR(h, SPI(2), ST_PA);
	assert_int_equal(h_lrs_holding(h, 0, SPI(3)), 0);   /* the lowest pending+active is left out */
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	take_and_end(h, SPI(4));
	leave(h);
	/* End the four activations (ICACTIVER): their pending states are then delivered in order. */
	for (unsigned i = 0; i < 4; i++)
		set_active(h, SPI(i), false);
	assert_int_equal(h_run(h, 0, 100), 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(h->acked[0][1 + i], SPI(i));
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

/* =====================================================================================
 * 4. No NPIE storm, no exit per EOI
 * ===================================================================================== */

static void test_refill_armed_on_overflow_and_cleared_when_nothing_left_out(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		h_cfg(h, 0, SPI(i), 0x80, VGIC_EDGE);
		inject(h, SPI(i));
	}
	enter(h);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | ICH_HCR_VGRP1DIE);
	assert_true(h->cpu[0].lr[3] & ICH_LR_EOI);
	for (unsigned i = 0; i < 3; i++) {
		take_and_end(h, SPI(i));
		assert_false(icv_maint_asserted(&h->cpu[0])); /* no exit at each EOI */
	}
	take_and_end(h, SPI(3));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	assert_int_equal(icv_misr(&h->cpu[0]), ICH_MISR_EOI);
	h_acc_reset(h, 0);
	leave(h);
	EXPECT_ACC(h, .elrsr = 1, .lr_r = 1);   /* the EOI-marked LR is not "empty" in ELRSR */
	enter(h);
	EXPECT_ACC(h, .lr_w = 2, .hcr_w = 1);   /* SPI 4 in, the spent LR zeroed */
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	take_and_end(h, SPI(4));
	assert_false(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	assert_int_equal(h->nr_acked[0], 5);
	h_finish(h);
}

static void test_sixteen_edges_in_four_lrs_cost_exactly_three_maintenance_exits(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		h_cfg(h, 0, SPI(i), 0x80, VGIC_EDGE);
		inject(h, SPI(i));
	}
	assert_int_equal(h_run(h, 0, 200), 16);
	assert_int_equal(h->maint_exits[0], 3);
	assert_int_equal(h->vcpus[0].stats.overflows, 3);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	h_finish(h);
}

static void test_four_edges_in_four_lrs_cost_no_exit_at_all(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		h_cfg(h, 0, SPI(i), 0x80, VGIC_EDGE);
		inject(h, SPI(i));
	}
	enter(h);
	for (unsigned i = 0; i < 4; i++) {
		take_and_end(h, SPI(i));
		assert_false(icv_maint_asserted(&h->cpu[0])); /* no exit per EOI for edges */
	}
	leave(h);
	h_acc_reset(h, 0);
	assert_int_equal(h_run(h, 0, 100), 0);
	assert_int_equal(h->maint_exits[0], 0);
	EXPECT_NO_ACC(h);
	h_finish(h);
}

static void test_many_rounds_of_bursts_keep_maintenance_exits_at_the_refill_bound(void **state)
{
	struct harness *h = vm(4);
	unsigned total = 0;

	(void)state;
	for (unsigned i = 0; i < 40; i++)
		h_cfg(h, 0, SPI(i), spread_prio(i), VGIC_EDGE);
	/* Bursts of 1..40 interrupts: each costs exactly ceil(n / 4) - 1 refills. */
	for (unsigned n = 1; n <= 40; n++) {
		unsigned before = h->maint_exits[0];

		for (unsigned i = 0; i < n; i++)
			inject(h, SPI(i));
		assert_int_equal(h_run(h, 0, 1000), n);
		assert_int_equal(h->maint_exits[0] - before, (n + 3) / 4 - 1);
		total += n;
	}
	assert_int_equal(h->nr_acked[0], total);
	h_finish(h);
}

/* =====================================================================================
 * 5. Edge pending state
 * ===================================================================================== */

static void test_edge_latch_moves_into_the_lr_so_one_edge_is_delivered_once(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	h_cfg(h, 0, SPI(1), 0x40, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	assert_int_equal(h->spis[0].pending_latch, 0);  /* the LR carries the edge now */
	assert_int_equal(h_lrs_holding(h, 0, SPI(0)), 1);
	leave(h);                                        /* not taken: still pending, in the kept LR */
	assert_int_equal(h->spis[0].pending_latch + h->spis[0].latch_in_lr, 1);
	assert_true(h_state(h, 0, SPI(0)).pending);
	assert_int_equal(h->spis[0].pending_latch, 1);   /* a look from outside gives the latch back */
	inject(h, SPI(1));
	enter(h);
	EXPECT_IN_LR(h, SPI(1), ST_P);
	EXPECT_IN_LR(h, SPI(0), ST_P);
	assert_int_equal(h_lrs_holding(h, 0, SPI(0)), 1);
	leave(h);
	assert_int_equal(h_run(h, 0, 100), 2);
	assert_int_equal(h->acked[0][0], SPI(1));
	assert_int_equal(h->acked[0][1], SPI(0));
	assert_int_equal(h_run(h, 0, 100), 0);
	h_finish(h);
}

static void test_edges_before_entry_coalesce_into_one_delivery(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	inject(h, SPI(0));
	inject(h, SPI(0));
	assert_int_equal(h_run(h, 0, 100), 1);
	assert_int_equal(h_run(h, 0, 100), 0);
	h_finish(h);
}

static void test_edge_while_active_in_lr_gives_exactly_one_more_delivery(void **state)
{
	struct harness *h = vm(4);
	unsigned kicks;

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	take(h, SPI(0));
	kicks = h->kicks[0];
	inject(h, SPI(0));                   /* arrives while the guest handles it */
	assert_int_equal(h->kicks[0], kicks + 1);
	h_acc_reset(h, 0);
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	enter(h);
	EXPECT_LR(h, 0, SPI(0), ST_PA);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	h_eoi(h, 0, SPI(0));                 /* deactivation exposes the new pending state */
	EXPECT_LR(h, 0, SPI(0), ST_P);
	take_and_end(h, SPI(0));
	leave(h);
	assert_int_equal(h->nr_acked[0], 2);
	assert_int_equal(h_run(h, 0, 100), 0);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

/* =====================================================================================
 * 6. Enable
 * ===================================================================================== */

static void test_injected_while_disabled_is_kept_and_delivered_once_enabled(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	enable(h, SPI(0), false);
	inject(h, SPI(0));
	assert_true(irq_state(h, SPI(0)).pending);
	assert_false(irq_state(h, SPI(0)).queued);
	enter(h);
	EXPECT_NO_ACC(h);
	leave(h);
	EXPECT_NO_ACC(h);
	enable(h, SPI(0), true);
	assert_true(irq_state(h, SPI(0)).queued);
	assert_int_equal(h_run(h, 0, 100), 1);
	assert_int_equal(h->acked[0][0], SPI(0));
	h_finish(h);
}

static void test_disabled_while_in_lr_is_pruned_at_exit_and_not_delivered(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	EXPECT_LR(h, 0, SPI(0), ST_P);
	enable(h, SPI(0), false);            /* kicks the vCPU out */
	h_acc_reset(h, 0);
	leave(h);
	EXPECT_ACC(h, .lr_r = 1);
	assert_false(irq_state(h, SPI(0)).queued);
	assert_true(irq_state(h, SPI(0)).pending); /* kept, as GICD_ISPENDR would show */
	enter(h);
	EXPECT_ACC(h, .lr_w = 1);            /* the stale LR is zeroed */
	EXPECT_LR_EMPTY(h, 0);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	leave(h);
	EXPECT_NO_ACC(h);
	assert_int_equal(h->nr_acked[0], 0);
	enable(h, SPI(0), true);
	assert_int_equal(h_run(h, 0, 100), 1);
	h_finish(h);
}

/* =====================================================================================
 * 7./8. Level interrupts and resampling
 * ===================================================================================== */

static void test_level_high_at_eoi_is_redelivered_until_lowered_one_resample_per_deactivation(void **state)
{
	struct harness *h = vm(4);
	struct line_owner ow;

	(void)state;
	h_cfg(h, 0, SPI(3), 0x80, VGIC_LEVEL);
	owner_bind(h, &ow, 3);
	assert_int_equal(irq_line_raise(&ow.line), HV_OK);
	enter(h);
	take_and_end(h, SPI(3));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	assert_int_equal(ow.calls, 1);
	assert_true(irq_state(h, SPI(3)).queued);  /* line still high: pending again */
	enter(h);
	EXPECT_LR(h, 0, SPI(3), ST_P);
	ow.lower_on_resample = true;             /* the device is serviced now */
	take_and_end(h, SPI(3));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	assert_int_equal(ow.calls, 2);
	assert_false(irq_state(h, SPI(3)).queued);
	enter(h);
	EXPECT_LR_EMPTY(h, 0);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	leave(h);
	assert_int_equal(h->nr_acked[0], 2);
	assert_int_equal(ow.calls, 2);
	assert_int_equal(h->vcpus[0].stats.resamples, 2);
	h_finish(h);
}

/*
 * A level interrupt still active at an exit (the handler did an MMIO access, say) while its line is
 * still high must be reloaded Active only, with the EOI bit: then the guest's deactivation empties the
 * LR and raises EOI maintenance, so the owner is resampled at that deactivation. Loaded
 * Pending+Active, the deactivation only turns the LR Pending: no maintenance, no resample, and the
 * guest takes the interrupt a second time for a device it has already serviced.
 */
static void test_level_active_across_exit_is_resampled_at_its_deactivation(void **state)
{
	struct harness *h = vm(4);
	struct line_owner ow;

	(void)state;
	h_cfg(h, 0, SPI(3), 0x80, VGIC_LEVEL);
	owner_bind(h, &ow, 3);
	ow.lower_on_resample = true;
	assert_int_equal(irq_line_raise(&ow.line), HV_OK);
	enter(h);
	take(h, SPI(3));
	leave(h);                                /* exit while the guest handles it */
	enter(h);
	EXPECT_LR(h, 0, SPI(3), ST_A);
	assert_true(LRV(h, 0) & ICH_LR_EOI);
	h_eoi(h, 0, SPI(3));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	assert_int_equal(ow.calls, 1);
	assert_false(irq_state(h, SPI(3)).queued);
	enter(h);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	leave(h);
	assert_int_equal(h->nr_acked[0], 1);
	h_finish(h);
}

/*
 * A software pending state (GICD_ISPENDR, or a pulse on the level input) that arrives after the guest
 * acknowledged the interrupt is a new pending state: the acknowledge consumed only the one that was
 * placed in the LR. It must survive the exit and be delivered after the deactivation.
 */
static void level_latch_set_while_active_in_lr(bool pulse)
{
	struct harness *h = vm(4);
	struct line_owner ow;

	h_cfg(h, 0, SPI(5), 0x80, VGIC_LEVEL);
	owner_bind(h, &ow, 5);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI(5), true), HV_OK);
	enter(h);
	EXPECT_LR(h, 0, SPI(5), ST_P);
	take(h, SPI(5));                         /* consumes the first latch */
	if (pulse)
		assert_int_equal(irq_line_pulse(&ow.line), HV_OK);
	else
		assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI(5), true), HV_OK);
	leave(h);
	assert_true(irq_state(h, SPI(5)).active);
	assert_true(irq_state(h, SPI(5)).pending);
	enter(h);
	h_eoi(h, 0, SPI(5));
	leave(h);
	assert_false(irq_state(h, SPI(5)).active);
	assert_int_equal(h_run(h, 0, 100), 1);   /* the second pending state, exactly once */
	assert_int_equal(h->nr_acked[0], 2);
	assert_false(irq_state(h, SPI(5)).pending);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_level_ispendr_while_active_in_lr_is_delivered_after_deactivation(void **state)
{
	(void)state;
	level_latch_set_while_active_in_lr(false);
}

static void test_level_pulse_while_active_in_lr_is_delivered_after_deactivation(void **state)
{
	(void)state;
	level_latch_set_while_active_in_lr(true);
}

static void test_level_ispendr_not_taken_keeps_its_latch_across_exit(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(5), 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI(5), true), HV_OK);
	enter(h);
	leave(h);                                /* not taken */
	assert_true(irq_state(h, SPI(5)).pending);
	assert_true(irq_state(h, SPI(5)).queued);
	assert_int_equal(h_run(h, 0, 100), 1);
	assert_false(irq_state(h, SPI(5)).pending);
	assert_int_equal(h_run(h, 0, 100), 0);
	h_finish(h);
}

static void test_eoi_of_level_disabled_while_active_in_lr_ends_it_and_resamples(void **state)
{
	struct harness *h = vm(4);
	struct line_owner ow;

	(void)state;
	h_cfg(h, 0, SPI(3), 0x80, VGIC_LEVEL);
	owner_bind(h, &ow, 3);
	assert_int_equal(irq_line_raise(&ow.line), HV_OK);
	enter(h);
	take(h, SPI(3));
	enable(h, SPI(3), false);                /* disabled while the guest handles it */
	h_eoi(h, 0, SPI(3));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	assert_false(irq_state(h, SPI(3)).active);
	assert_int_equal(ow.calls, 1);
	assert_true(irq_state(h, SPI(3)).pending);  /* line still high, but disabled: not queued */
	assert_false(irq_state(h, SPI(3)).queued);
	enter(h);
	EXPECT_LR_EMPTY(h, 0);
	leave(h);
	assert_int_equal(h->nr_acked[0], 1);
	/* Re-enabled with the line still high: delivered again. */
	enable(h, SPI(3), true);
	enter(h);
	ow.lower_on_resample = true;
	take_and_end(h, SPI(3));
	leave(h);
	assert_int_equal(ow.calls, 2);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_eoi_of_edge_disabled_while_active_in_lr_ends_it(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	inject(h, SPI(0));
	enter(h);
	take(h, SPI(0));
	leave(h);
	enable(h, SPI(0), false);
	assert_true(irq_state(h, SPI(0)).queued); /* active: stays where the guest can end it */
	enter(h);
	EXPECT_LR(h, 0, SPI(0), ST_A);
	h_eoi(h, 0, SPI(0));
	leave(h);
	assert_false(irq_state(h, SPI(0)).active);
	assert_false(irq_state(h, SPI(0)).queued);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_eoicount_ends_level_disabled_while_active_outside_lrs_and_resamples(void **state)
{
	struct harness *h = vm(1);
	struct line_owner ow;

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_LEVEL);
	h_cfg(h, 0, SPI(1), 0x40, VGIC_EDGE);
	owner_bind(h, &ow, 0);
	ow.lower_on_resample = true;
	assert_int_equal(irq_line_raise(&ow.line), HV_OK);
	enter(h);
	take(h, SPI(0));
	leave(h);
	inject(h, SPI(1));
	enter(h);                                /* SPI 1 takes the only LR; SPI 0 left out */
	EXPECT_LR(h, 0, SPI(1), ST_P);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	take(h, SPI(1));
	enable(h, SPI(0), false);
	h_eoi(h, 0, SPI(1));
	h_eoi(h, 0, SPI(0));                     /* in no LR: EOIcount */
	assert_true(icv_maint_asserted(&h->cpu[0]));
	leave(h);
	assert_false(irq_state(h, SPI(0)).active);
	assert_false(irq_state(h, SPI(0)).queued);
	assert_int_equal(ow.calls, 1);
	assert_int_equal(h->vcpus[0].stats.eoicount_deact, 1);
	enter(h);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	leave(h);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

static void test_trapped_dir_of_level_resamples_once(void **state)
{
	struct harness *h = vm(1);
	struct line_owner ow;

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI(0), 0x80, VGIC_LEVEL);
	h_cfg(h, 0, SPI(1), 0x40, VGIC_EDGE);
	owner_bind(h, &ow, 0);
	ow.lower_on_resample = true;
	assert_int_equal(irq_line_raise(&ow.line), HV_OK);
	enter(h);
	take_and_end(h, SPI(0));                 /* priority drop only */
	leave(h);
	inject(h, SPI(1));
	enter(h);
	assert_int_equal(h->cpu[0].hcr, HCR_EN | HCR_LRENPIE_TDIR);
	take_and_end(h, SPI(1));
	h_dir(h, 0, SPI(0));                     /* traps: SPI 0 is in no LR */
	assert_int_equal(h->dir_traps[0], 1);
	assert_int_equal(ow.calls, 1);
	assert_false(irq_state(h, SPI(0)).active);
	assert_false(irq_state(h, SPI(0)).queued);
	h_dir(h, 0, SPI(1));                     /* SPI 1 is in the LR, TDIR now clear */
	assert_int_equal(h->dir_traps[0], 1);
	leave(h);
	assert_int_equal(ow.calls, 1);
	assert_int_equal(queued_total(h), 0);
	h_finish(h);
}

/* =====================================================================================
 * 10. Entry/exit protocol
 * ===================================================================================== */

static void test_flush_twice_without_sync_returns_ebusy(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	enter(h);
	h_acc_reset(h, 0);
	assert_int_equal(vgic_flush_lrs(&h->vm, 0), HV_EBUSY);
	EXPECT_NO_ACC(h);
	leave(h);
	inject(h, SPI(0));
	enter(h);
	h_acc_reset(h, 0);
	assert_int_equal(vgic_flush_lrs(&h->vm, 0), HV_EBUSY);
	EXPECT_NO_ACC(h);
	EXPECT_LR(h, 0, SPI(0), ST_P);
	take_and_end(h, SPI(0));
	leave(h);
	h_finish(h);
}

static void test_sync_without_flush_is_a_noop_with_no_access(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	assert_int_equal(vgic_sync_lrs(&h->vm, 0), HV_OK);
	EXPECT_NO_ACC(h);
	inject(h, SPI(0));
	enter(h);
	leave(h);
	h_acc_reset(h, 0);
	assert_int_equal(vgic_sync_lrs(&h->vm, 0), HV_OK); /* a second sync */
	EXPECT_NO_ACC(h);
	assert_true(irq_state(h, SPI(0)).pending);
	assert_int_equal(h_run(h, 0, 100), 1);
	h_finish(h);
}

static void test_vcpu_load_forces_next_entry_to_clear_all_lrs_and_rewrite_hcr(void **state)
{
	struct harness *h = vm(4);

	(void)state;
	h_cfg(h, 0, SPI(0), 0x80, VGIC_EDGE);
	/* Another vCPU's state left in this CPU's registers. */
	for (unsigned i = 0; i < 4; i++)
		h->cpu[0].lr[i] = SPI(20 + i) | ICH_LR_GROUP | ST_P;
	h->cpu[0].hcr = HCR_EN | ICH_HCR_UIE | ICH_HCR_TDIR;
	assert_int_equal(vgic_vcpu_load(&h->vm, 0), HV_OK);
	enter(h);
	EXPECT_ACC(h, .lr_w = 4, .hcr_w = 1);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_LR_EMPTY(h, i);
	assert_int_equal(h->cpu[0].hcr, HCR_EN);
	leave(h);
	EXPECT_NO_ACC(h);
	enter(h);                                /* clean now: idle again */
	EXPECT_NO_ACC(h);
	leave(h);
	/* With work queued: the filled LR plus the three others, and HCR. */
	for (unsigned i = 0; i < 4; i++)
		h->cpu[0].lr[i] = SPI(20 + i) | ICH_LR_GROUP | ST_P;
	assert_int_equal(vgic_vcpu_load(&h->vm, 0), HV_OK);
	inject(h, SPI(0));
	enter(h);
	EXPECT_ACC(h, .lr_w = 4, .hcr_w = 1);
	EXPECT_LR(h, 0, SPI(0), ST_P);
	for (unsigned i = 1; i < 4; i++)
		EXPECT_LR_EMPTY(h, i);
	assert_int_equal(vgic_vcpu_load(&h->vm, 0), HV_EBUSY); /* not while loaded */
	take_and_end(h, SPI(0));
	leave(h);
	assert_int_equal(h->nr_acked[0], 1);
	h_finish(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* 1. register accesses */
		cmocka_unit_test_teardown(test_idle_entry_exit_touches_no_register, h_teardown),
		cmocka_unit_test_teardown(test_first_edge_entry_writes_one_lr_and_hcr_with_en, h_teardown),
		cmocka_unit_test_teardown(test_lr_group_bit_follows_interrupt_group, h_teardown),
		cmocka_unit_test_teardown(test_edge_taken_and_ended_exit_reads_only_its_lr, h_teardown),
		cmocka_unit_test_teardown(test_edge_not_taken_exit_reads_its_lr_and_entry_leaves_it_in_place, h_teardown),
		cmocka_unit_test_teardown(test_hcr_is_written_only_when_its_value_changes_and_en_stays_set, h_teardown),
		cmocka_unit_test_teardown(test_level_lr_has_eoi_bit_exit_reads_it_and_next_entry_zeroes_it, h_teardown),
		cmocka_unit_test_teardown(test_level_still_high_at_eoi_is_rewritten_by_next_entry, h_teardown),
		cmocka_unit_test_teardown(test_hw_mapped_lr_has_hw_bit_and_pintid_and_deactivates_physically_via_lr, h_teardown),
		cmocka_unit_test_teardown(test_hw_active_interrupt_is_loaded_active_only_never_pending_and_active, h_teardown),
		cmocka_unit_test_teardown(test_hw_lr_pintid_bit9_is_not_mistaken_for_eoi_request, h_teardown),
		cmocka_unit_test_teardown(test_overflow_16_pending_4_lrs_writes_4_lrs_and_arms_a_refill_at_the_last, h_teardown),
		cmocka_unit_test_teardown(test_entry_zeroes_stale_lrs_it_does_not_refill, h_teardown),
		cmocka_unit_test_teardown(test_lrs_reported_empty_at_exit_are_not_rewritten_at_entry, h_teardown),
		/* 2. order */
		cmocka_unit_test_teardown(test_sixteen_pending_acked_by_priority_then_arrival_with_4_lrs, h_teardown),
		cmocka_unit_test_teardown(test_eoimode1_pending_class_placed_before_active_class_each_by_priority, h_teardown),
		cmocka_unit_test_teardown(test_eoimode0_actives_keep_their_lrs_against_pending_that_cannot_preempt, h_teardown),
		cmocka_unit_test_teardown(test_1_2_4_16_lrs_deliver_16_and_32_in_priority_order, h_teardown),
		cmocka_unit_test_teardown(test_1_2_4_16_lrs_deliver_in_priority_order_with_split_eoi, h_teardown),
		/* 3. more actives than LRs */
		cmocka_unit_test_teardown(test_eoimode0_nested_actives_beyond_lrs_are_deactivated_via_eoicount, h_teardown),
		cmocka_unit_test_teardown(test_eoicount_of_two_deactivates_the_two_highest_left_out_actives, h_teardown),
		cmocka_unit_test_teardown(test_eoimode1_held_actives_do_not_block_new_interrupts_and_dir_traps_end_them, h_teardown),
		cmocka_unit_test_teardown(test_eoimode1_left_out_eoir_is_priority_drop_only, h_teardown),
		cmocka_unit_test_teardown(test_eoimode1_qemu_eoicount_quirk_does_not_deactivate, h_teardown),
		cmocka_unit_test_teardown(test_one_lr_split_eoi_with_held_actives_makes_progress, h_teardown),
		cmocka_unit_test_teardown(test_uie_is_never_set_even_when_actives_hold_every_lr, h_teardown),
		cmocka_unit_test_teardown(test_new_high_priority_interrupt_gets_an_lr_over_pending_active_ones, h_teardown),
		/* 4. maintenance */
		cmocka_unit_test_teardown(test_refill_armed_on_overflow_and_cleared_when_nothing_left_out, h_teardown),
		cmocka_unit_test_teardown(test_sixteen_edges_in_four_lrs_cost_exactly_three_maintenance_exits, h_teardown),
		cmocka_unit_test_teardown(test_four_edges_in_four_lrs_cost_no_exit_at_all, h_teardown),
		cmocka_unit_test_teardown(test_many_rounds_of_bursts_keep_maintenance_exits_at_the_refill_bound, h_teardown),
		/* 5. edges */
		cmocka_unit_test_teardown(test_edge_latch_moves_into_the_lr_so_one_edge_is_delivered_once, h_teardown),
		cmocka_unit_test_teardown(test_edges_before_entry_coalesce_into_one_delivery, h_teardown),
		cmocka_unit_test_teardown(test_edge_while_active_in_lr_gives_exactly_one_more_delivery, h_teardown),
		/* 6. enable */
		cmocka_unit_test_teardown(test_injected_while_disabled_is_kept_and_delivered_once_enabled, h_teardown),
		cmocka_unit_test_teardown(test_disabled_while_in_lr_is_pruned_at_exit_and_not_delivered, h_teardown),
		/* 7./8. level and resample */
		cmocka_unit_test_teardown(test_level_high_at_eoi_is_redelivered_until_lowered_one_resample_per_deactivation, h_teardown),
		cmocka_unit_test_teardown(test_level_active_across_exit_is_resampled_at_its_deactivation, h_teardown),
		cmocka_unit_test_teardown(test_level_ispendr_while_active_in_lr_is_delivered_after_deactivation, h_teardown),
		cmocka_unit_test_teardown(test_level_pulse_while_active_in_lr_is_delivered_after_deactivation, h_teardown),
		cmocka_unit_test_teardown(test_level_ispendr_not_taken_keeps_its_latch_across_exit, h_teardown),
		cmocka_unit_test_teardown(test_eoi_of_level_disabled_while_active_in_lr_ends_it_and_resamples, h_teardown),
		cmocka_unit_test_teardown(test_eoi_of_edge_disabled_while_active_in_lr_ends_it, h_teardown),
		cmocka_unit_test_teardown(test_eoicount_ends_level_disabled_while_active_outside_lrs_and_resamples, h_teardown),
		cmocka_unit_test_teardown(test_trapped_dir_of_level_resamples_once, h_teardown),
		/* 10. protocol */
		cmocka_unit_test_teardown(test_flush_twice_without_sync_returns_ebusy, h_teardown),
		cmocka_unit_test_teardown(test_sync_without_flush_is_a_noop_with_no_access, h_teardown),
		cmocka_unit_test_teardown(test_vcpu_load_forces_next_entry_to_clear_all_lrs_and_rewrite_hcr, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

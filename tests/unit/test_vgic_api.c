/* test_vgic_api.c: cmocka tests of the public vgic API (vgic/vgic.h) read as a specification.
 * Each test name states one rule; the harness VM plays the guest through the software ICV model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#define NV     2U          /* vCPUs of the default test VM */
#define NS     64U         /* SPIs: INTIDs 32..95 */
#define NL     4U          /* LRs per vCPU */
#define SPI_A  40U
#define SPI_B  41U
#define PPI_A  20U
#define SGI_A  3U
#define PINTID 72U         /* a physical SPI behind HW-mapped interrupts */
#define STEPS  64U         /* h_run bound */
#define FIRST_MISSING_SPI (VGIC_SPI_BASE + NS)

/* ---- helpers ---- */

/* The harness of the running test, freed by the teardown even when an assertion fails. */

#define EXPECT_RC(call, want, intid)                                                   \
	do {                                                                            \
		int rc_ = (call);                                                       \
		if (rc_ != (int)(want))                                                 \
			fail_msg("%s for %u: returned %d, expected %d", #call,         \
				 (unsigned)(intid), rc_, (int)(want));                  \
	} while (0)

/* Every interrupt's state, to show that a rejected call changed nothing. */
struct snap {
	struct vgic_irq_state priv[H_MAX_VCPUS][VGIC_NR_PRIVATE];
	struct vgic_irq_state spi[VGIC_MAX_SPIS];
	unsigned kicks[H_MAX_VCPUS];
};
static struct snap snap_before, snap_now;

static void take_snap(struct harness *h, struct snap *s)
{
	for (unsigned c = 0; c < h->nr_vcpus; c++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			s->priv[c][i] = h_state(h, c, i);
		s->kicks[c] = h->kicks[c];
	}
	for (uint32_t i = 0; i < h->vm.nr_spis; i++)
		s->spi[i] = h_state(h, 0, VGIC_SPI_BASE + i);
}

static bool state_equal(const struct vgic_irq_state *a, const struct vgic_irq_state *b)
{
	return a->pending == b->pending && a->active == b->active && a->enabled == b->enabled &&
	       a->hw == b->hw && a->level_cfg == b->level_cfg && a->line_level == b->line_level &&
	       a->queued == b->queued && a->priority == b->priority && a->group == b->group &&
	       a->queued_on == b->queued_on && a->target == b->target;
}

/* No interrupt changed since take_snap(before); with kicks, no vCPU was kicked either. */
static void assert_unchanged(struct harness *h, const struct snap *before, bool kicks)
{
	take_snap(h, &snap_now);
	for (unsigned c = 0; c < h->nr_vcpus; c++) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			if (!state_equal(&before->priv[c][i], &snap_now.priv[c][i]))
				fail_msg("vCPU %u INTID %u changed by a rejected call", c, i);
		if (kicks && before->kicks[c] != snap_now.kicks[c])
			fail_msg("vCPU %u kicked by a rejected call", c);
	}
	for (uint32_t i = 0; i < h->vm.nr_spis; i++)
		if (!state_equal(&before->spi[i], &snap_now.spi[i]))
			fail_msg("INTID %u changed by a rejected call", VGIC_SPI_BASE + i);
}

/* Hooks like the harness's, for tests that re-initialise the VM with other parameters. */
static void t_kick(void *ctx, struct vgic_vcpu *v)
{
	((struct harness *)ctx)->kicks[v->id]++;
}

static void t_phys_deactivate(void *ctx, struct vgic_vcpu *owner, uint32_t pintid)
{
	struct harness *h = ctx;

	(void)owner;
	if (h->nr_phys_deactivated < H_MAX_LOG)
		h->phys_deactivated[h->nr_phys_deactivated++] = pintid;
}

static const struct vgic_hooks t_hooks = { .kick = t_kick, .phys_deactivate = t_phys_deactivate };

/* Re-run vgic_init on the harness storage (same vCPUs and SPIs), then what h_new does after it. */
static void reinit(struct harness *h, uint32_t prio_bits, const struct vgic_hooks *hooks, void *ctx,
		   bool backends)
{
	struct vgic_config cfg = { .nr_vcpus = h->nr_vcpus, .nr_spis = h->vm.nr_spis, .prio_bits = prio_bits };

	unsigned bits = prio_bits ? prio_bits : VGIC_DEFAULT_PRIO_BITS;

	assert_int_equal(vgic_init(&h->vm, &cfg, hooks, ctx, h->vcpus, h->spis), HV_OK);
	for (unsigned i = 0; backends && i < h->nr_vcpus; i++) {
		/* The CPU interface implements what the VM is configured with (set_backend checks). */
		h->cpu[i].pri_bits = bits;
		h->cpu[i].pre_bits = bits < 7 ? bits : 7;
		assert_int_equal(vgic_vcpu_set_backend(&h->vm, i, &h->cpu[i].be), HV_OK);
	}
	assert_int_equal(vgic_dist_enable(&h->vm, true, true), HV_OK);
}

/* Guest on vcpu takes intid and keeps it active; the vCPU has exited afterwards. */
static void take_and_keep_active(struct harness *h, unsigned vcpu, uint32_t intid)
{
	h_enter(h, vcpu);
	assert_int_equal(h_ack(h, vcpu), intid);
	h_exit(h, vcpu);
}

/* Guest on vcpu ends intid (EOImode 0: EOIR deactivates through the LR); exits afterwards. */
static void end_in_guest(struct harness *h, unsigned vcpu, uint32_t intid)
{
	h_enter(h, vcpu);
	h_eoi(h, vcpu, intid);
	h_exit(h, vcpu);
}

/* ======================= bad arguments ======================= */

static void init_rejects_null_pointers_with_einval_and_leaves_the_vm_untouched(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_config ok = { .nr_vcpus = NV, .nr_spis = NS, .prio_bits = 5 };

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_snap(h, &snap_before);

	assert_int_equal(vgic_init(NULL, &ok, &t_hooks, h, h->vcpus, h->spis), HV_EINVAL);
	assert_int_equal(vgic_init(&h->vm, NULL, &t_hooks, h, h->vcpus, h->spis), HV_EINVAL);
	assert_int_equal(vgic_init(&h->vm, &ok, &t_hooks, h, NULL, h->spis), HV_EINVAL);
	assert_int_equal(vgic_init(&h->vm, &ok, &t_hooks, h, h->vcpus, NULL), HV_EINVAL);

	assert_unchanged(h, &snap_before, true);
	assert_int_equal(h->vm.nr_vcpus, NV);
	assert_int_equal(h->vm.nr_spis, NS);
	assert_true(h_state(h, 0, SPI_A).queued);
	h_finish(h);
}

static void init_rejects_vcpus_0_or_over_64_spis_over_988_or_unaligned_and_prio_bits_3_or_9(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const struct vgic_config bad[] = {
		{ .nr_vcpus = 0, .nr_spis = NS, .prio_bits = 5 },
		{ .nr_vcpus = VGIC_MAX_VCPUS + 1, .nr_spis = NS, .prio_bits = 5 },
		{ .nr_vcpus = NV, .nr_spis = 992, .prio_bits = 5 },      /* > 988, a multiple of 32 */
		{ .nr_vcpus = NV, .nr_spis = 989, .prio_bits = 5 },      /* one past INTID 1019 */
		{ .nr_vcpus = NV, .nr_spis = 1024, .prio_bits = 5 },
		{ .nr_vcpus = NV, .nr_spis = 33, .prio_bits = 5 },
		{ .nr_vcpus = NV, .nr_spis = 48, .prio_bits = 5 },
		{ .nr_vcpus = NV, .nr_spis = NS, .prio_bits = 3 },
		{ .nr_vcpus = NV, .nr_spis = NS, .prio_bits = 9 },
	};

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_snap(h, &snap_before);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_RC(vgic_init(&h->vm, &bad[i], &t_hooks, h, h->vcpus, h->spis), HV_ERANGE, i);
	assert_unchanged(h, &snap_before, true);
	assert_int_equal(h->vm.nr_vcpus, NV);
	assert_int_equal(h->vm.prio_mask, 0xf8);
	h_finish(h);
}

/* ITLinesNumber 31 gives INTIDs up to 1019: 988 SPIs is the architectural maximum. */
static void init_accepts_988_spis_and_the_last_one_is_intid_1019(void **state)
{
	struct vgic vm;
	struct vgic_vcpu *v = calloc(1, sizeof(*v));
	struct vgic_irq *spis = calloc(VGIC_MAX_SPIS, sizeof(*spis));
	struct vgic_config cfg = { .nr_vcpus = 1, .nr_spis = VGIC_MAX_SPIS, .prio_bits = 5 };

	(void)state;
	assert_non_null(v);
	assert_non_null(spis);
	assert_int_equal(vgic_init(&vm, &cfg, NULL, NULL, v, spis), HV_OK);
	assert_ptr_equal(vgic_get_irq(&vm, 0, 1019), &spis[VGIC_MAX_SPIS - 1]);
	assert_null(vgic_get_irq(&vm, 0, 1020));
	assert_int_equal(vgic_irq_set_enabled(&vm, 0, 1019, true), HV_OK);
	assert_int_equal(vgic_irq_set_enabled(&vm, 0, 1020, true), HV_ERANGE);
	free(spis);
	free(v);
}

static void init_accepts_1_and_64_vcpus_0_and_960_spis_prio_bits_4_to_8_and_null_hooks(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic vm;
	struct vgic_vcpu *many = calloc(VGIC_MAX_VCPUS, sizeof(*many));
	struct vgic_config c64 = { .nr_vcpus = VGIC_MAX_VCPUS, .nr_spis = 0, .prio_bits = 0 };
	struct vgic_config c1 = { .nr_vcpus = 1, .nr_spis = 960, .prio_bits = 8 };
	int rc64, rc1, rc_inject;
	bool last_ok, past_null, pending;
	uint8_t mask64, mask1;
	struct vgic_irq_state s = { 0 };

	(void)state;
	assert_non_null(many);
	/* 64 vCPUs, no SPIs (no SPI storage needed), no hooks, prio_bits 0 meaning 5. */
	rc64 = vgic_init(&vm, &c64, NULL, NULL, many, NULL);
	mask64 = vm.prio_mask;
	last_ok = vgic_get_vcpu(&vm, VGIC_MAX_VCPUS - 1) == &many[VGIC_MAX_VCPUS - 1];
	past_null = vgic_get_vcpu(&vm, VGIC_MAX_VCPUS) == NULL;
	/* Without hooks nothing is kicked or locked, and the core still works. */
	rc_inject = vgic_dist_enable(&vm, true, true) | vgic_irq_set_enabled(&vm, 63, PPI_A, true) |
		    vgic_inject(&vm, 63, PPI_A, true) | vgic_irq_get_state(&vm, 63, PPI_A, &s);
	pending = s.pending && s.queued && s.queued_on == 63;
	free(many);
	assert_int_equal(rc64, HV_OK);
	assert_int_equal(mask64, 0xf8);
	assert_true(last_ok);
	assert_true(past_null);
	assert_int_equal(rc_inject, HV_OK);
	assert_true(pending);

	/* 1 vCPU, the largest 32-aligned SPI count, all 8 priority bits: the harness storage fits. */
	rc1 = vgic_init(&h->vm, &c1, &t_hooks, h, h->vcpus, h->spis);
	mask1 = h->vm.prio_mask;
	assert_int_equal(rc1, HV_OK);
	assert_int_equal(mask1, 0xff);
	assert_non_null(vgic_get_irq(&h->vm, 0, VGIC_SPI_BASE + 959));
	assert_null(vgic_get_irq(&h->vm, 0, VGIC_SPI_BASE + 960));

	/* 4 bits is below what the virtual CPU interface implements: refused, the VM untouched. */
	c1.prio_bits = 4;
	assert_int_equal(vgic_init(&h->vm, &c1, &t_hooks, h, h->vcpus, h->spis), HV_ERANGE);
	assert_int_equal(h->vm.prio_mask, 0xff);

	/* Back to the harness configuration for the invariant check. */
	h->vm.nr_spis = NS;
	reinit(h, 5, &t_hooks, h, true);
	h_finish(h);
}

static void set_backend_rejects_null_vm_or_backend_bad_vcpu_and_nr_lrs_0_or_17(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct lr_backend zero_lrs = h->cpu[1].be, many_lrs = h->cpu[1].be, no_ops = h->cpu[1].be;
	/* The copies are not inside a model, so they must not read ICH_VTR through it. */
	struct lr_backend_ops ops_no_vtr = *h->cpu[1].be.ops;

	(void)state;
	ops_no_vtr.read_vtr = NULL;
	zero_lrs.ops = many_lrs.ops = &ops_no_vtr;
	zero_lrs.nr_lrs = 0;
	many_lrs.nr_lrs = LR_BACKEND_MAX_LRS + 1;
	no_ops.ops = NULL;
	assert_int_equal(vgic_vcpu_set_backend(NULL, 0, &h->cpu[0].be), HV_EINVAL);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 0, NULL), HV_EINVAL);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 0, &no_ops), HV_EINVAL);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, NV, &h->cpu[0].be), HV_ERANGE);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, UINT32_MAX, &h->cpu[0].be), HV_ERANGE);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 1, &zero_lrs), HV_ERANGE);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 1, &many_lrs), HV_ERANGE);
	/* The backends in place are untouched. */
	assert_ptr_equal(vgic_get_vcpu(&h->vm, 0)->be, &h->cpu[0].be);
	assert_ptr_equal(vgic_get_vcpu(&h->vm, 1)->be, &h->cpu[1].be);
	/* 1 and 16 LRs are the limits. */
	many_lrs.nr_lrs = LR_BACKEND_MAX_LRS;
	zero_lrs.nr_lrs = 1;
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 1, &many_lrs), HV_OK);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 1, &zero_lrs), HV_OK);
	assert_int_equal(vgic_vcpu_set_backend(&h->vm, 1, &h->cpu[1].be), HV_OK);
	h_finish(h);
}

static void set_mpidr_rejects_null_vm_with_einval_and_bad_vcpu_with_erange(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	assert_int_equal(vgic_get_vcpu(&h->vm, 1)->mpidr, 1); /* Aff0 = index at reset */
	assert_int_equal(vgic_vcpu_set_mpidr(NULL, 0, 0x100), HV_EINVAL);
	assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, NV, 0x100), HV_ERANGE);
	assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, UINT32_MAX, 0x100), HV_ERANGE);
	assert_int_equal(vgic_get_vcpu(&h->vm, 0)->mpidr, 0);
	assert_int_equal(vgic_get_vcpu(&h->vm, 1)->mpidr, 1);
	assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, 1, 0x0000000100000203ULL), HV_OK);
	assert_int_equal(vgic_get_vcpu(&h->vm, 1)->mpidr, 0x0000000100000203ULL);
	h_finish(h);
}

static void get_vcpu_and_get_irq_return_null_for_anything_that_does_not_exist(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const uint32_t missing[] = { FIRST_MISSING_SPI, 1019, 1020, 1023, 1024, 4096, 8191, 8192,
					    UINT32_MAX };

	(void)state;
	assert_null(vgic_get_vcpu(NULL, 0));
	assert_null(vgic_get_vcpu(&h->vm, NV));
	assert_null(vgic_get_vcpu(&h->vm, UINT32_MAX));
	assert_ptr_equal(vgic_get_vcpu(&h->vm, 1), &h->vcpus[1]);

	assert_null(vgic_get_irq(NULL, 0, SPI_A));
	assert_null(vgic_get_irq(NULL, 0, SGI_A));
	assert_null(vgic_get_irq(&h->vm, NV, SGI_A));
	assert_null(vgic_get_irq(&h->vm, NV, PPI_A));
	assert_null(vgic_get_irq(&h->vm, UINT32_MAX, 31));
	for (unsigned i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		if (vgic_get_irq(&h->vm, 0, missing[i]) != NULL)
			fail_msg("vgic_get_irq found INTID %u", missing[i]);
	/* What exists: private per vCPU, SPIs shared (the vCPU argument is ignored for them). */
	assert_ptr_equal(vgic_get_irq(&h->vm, 1, PPI_A), &h->vcpus[1].priv[PPI_A]);
	assert_ptr_equal(vgic_get_irq(&h->vm, 0, SPI_A), &h->spis[SPI_A - VGIC_SPI_BASE]);
	assert_ptr_equal(vgic_get_irq(&h->vm, 1, VGIC_SPI_BASE + NS - 1), &h->spis[NS - 1]);
	h_finish(h);
}

/* Every per-interrupt entry point, one expectation. set_trigger uses EDGE, valid for any INTID. */
static void expect_every_irq_call(struct vgic *vm, uint32_t vcpu, uint32_t intid, int want)
{
	struct vgic_irq_state s;

	EXPECT_RC(vgic_irq_set_enabled(vm, vcpu, intid, true), want, intid);
	EXPECT_RC(vgic_irq_set_priority(vm, vcpu, intid, 0x40), want, intid);
	EXPECT_RC(vgic_irq_set_group(vm, vcpu, intid, 1), want, intid);
	EXPECT_RC(vgic_irq_set_pending(vm, vcpu, intid, true), want, intid);
	EXPECT_RC(vgic_irq_set_active(vm, vcpu, intid, true), want, intid);
	EXPECT_RC(vgic_irq_map_hw(vm, vcpu, intid, PINTID), want, intid);
	EXPECT_RC(vgic_irq_unmap_hw(vm, vcpu, intid), want, intid);
	EXPECT_RC(vgic_irq_get_state(vm, vcpu, intid, &s), want, intid);
	EXPECT_RC(vgic_inject(vm, vcpu, intid, true), want, intid);
	EXPECT_RC(vgic_handle_dir(vm, vcpu, intid), want, intid);
	if (intid >= VGIC_NR_SGIS)
		EXPECT_RC(vgic_irq_set_trigger(vm, vcpu, intid, VGIC_EDGE), want, intid);
	if (intid >= VGIC_SPI_BASE)
		EXPECT_RC(vgic_irq_set_target(vm, intid, 0), want, intid);
}

static void every_entry_point_rejects_a_null_vm_with_einval(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	take_snap(h, &snap_before);
	expect_every_irq_call(NULL, 0, SPI_A, HV_EINVAL);
	expect_every_irq_call(NULL, 0, PPI_A, HV_EINVAL);
	assert_int_equal(vgic_irq_set_group(NULL, 0, SPI_A, 0), HV_EINVAL);
	assert_int_equal(vgic_irq_set_trigger(NULL, 0, SPI_A, VGIC_LEVEL), HV_EINVAL);
	assert_int_equal(vgic_irq_set_target(NULL, SPI_A, VGIC_TARGET_NONE), HV_EINVAL);
	assert_int_equal(vgic_dist_enable(NULL, true, true), HV_EINVAL);
	assert_int_equal(vgic_inject_sgi(NULL, 0, 1, SGI_A), HV_EINVAL);
	assert_int_equal(vgic_flush_lrs(NULL, 0), HV_EINVAL);
	assert_int_equal(vgic_sync_lrs(NULL, 0), HV_EINVAL);
	assert_int_equal(vgic_vcpu_load(NULL, 0), HV_EINVAL);
	assert_false(vgic_vcpu_has_pending(NULL, 0));
	assert_null(vgic_spi_chip(NULL));
	assert_null(vgic_ppi_chip(NULL, 0));
	assert_int_equal(vgic_lpi_init(NULL, NULL, 0), HV_EINVAL);
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

static void private_intids_on_a_vcpu_out_of_range_are_erange_everywhere(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const uint32_t bad_vcpus[] = { NV, H_MAX_VCPUS, VGIC_MAX_VCPUS, UINT32_MAX };
	static const uint32_t privs[] = { 0, SGI_A, 15, 16, PPI_A, 31 };

	(void)state;
	take_snap(h, &snap_before);
	for (unsigned v = 0; v < sizeof(bad_vcpus) / sizeof(bad_vcpus[0]); v++)
		for (unsigned i = 0; i < sizeof(privs) / sizeof(privs[0]); i++)
			expect_every_irq_call(&h->vm, bad_vcpus[v], privs[i], HV_ERANGE);
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

static void intids_beyond_the_spis_1020_to_8191_and_lpis_without_lookup_are_erange(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const uint32_t missing[] = { FIRST_MISSING_SPI, 1019, 1020, 1021, 1022, 1023, 1024,
					    4096, 8191, VGIC_LPI_BASE, VGIC_LPI_BASE + 1, UINT32_MAX };

	(void)state;
	take_snap(h, &snap_before);
	for (unsigned i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		expect_every_irq_call(&h->vm, 0, missing[i], HV_ERANGE);
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

static void get_state_rejects_a_null_output_with_einval(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	assert_int_equal(vgic_irq_get_state(&h->vm, 0, SPI_A, NULL), HV_EINVAL);
	assert_int_equal(vgic_irq_get_state(&h->vm, 1, PPI_A, NULL), HV_EINVAL);
	h_finish(h);
}

static void set_group_rejects_group_2_with_einval_and_keeps_the_group(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE); /* group 1 */
	take_snap(h, &snap_before);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_A, 2), HV_EINVAL);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SGI_A, 2), HV_EINVAL);
	assert_int_equal(vgic_irq_set_group(&h->vm, 1, PPI_A, UINT32_MAX), HV_EINVAL);
	assert_unchanged(h, &snap_before, true);
	assert_int_equal(h_state(h, 0, SPI_A).group, 1);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_A, 0), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).group, 0);
	h_finish(h);
}

static void set_trigger_of_an_sgi_to_level_is_eperm_and_to_edge_is_accepted(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	take_snap(h, &snap_before);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, 0, VGIC_LEVEL), HV_EPERM);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 1, 15, VGIC_LEVEL), HV_EPERM);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, SGI_A, VGIC_EDGE), HV_OK);
	/* A value that is neither edge nor level is malformed. */
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, SPI_A, (enum vgic_trigger)2), HV_EINVAL);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, PPI_A, (enum vgic_trigger)-1), HV_EINVAL);
	assert_unchanged(h, &snap_before, true);
	assert_false(h_state(h, 0, SGI_A).level_cfg);
	/* PPIs and SPIs may be either. */
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 1, PPI_A, VGIC_EDGE), HV_OK);
	assert_false(h_state(h, 1, PPI_A).level_cfg);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, SPI_A, VGIC_EDGE), HV_OK);
	assert_false(h_state(h, 0, SPI_A).level_cfg);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, SPI_A, VGIC_LEVEL), HV_OK);
	assert_true(h_state(h, 0, SPI_A).level_cfg);
	h_finish(h);
}

/* Core bug: the SGI rule is applied before the VM and the vCPU are checked. */
static void set_trigger_checks_vm_and_vcpu_before_the_sgi_rule(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	assert_int_equal(vgic_irq_set_trigger(NULL, 0, SGI_A, VGIC_EDGE), HV_EINVAL);
	assert_int_equal(vgic_irq_set_trigger(NULL, 0, SGI_A, VGIC_LEVEL), HV_EINVAL);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, NV, SGI_A, VGIC_EDGE), HV_ERANGE);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, UINT32_MAX, SGI_A, VGIC_LEVEL), HV_ERANGE);
	h_finish(h);
}

static void set_target_of_private_is_eperm_bad_vcpu_is_erange_and_none_is_accepted(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_snap(h, &snap_before);
	assert_int_equal(vgic_irq_set_target(&h->vm, 0, 1), HV_EPERM);
	assert_int_equal(vgic_irq_set_target(&h->vm, SGI_A, 0), HV_EPERM);
	assert_int_equal(vgic_irq_set_target(&h->vm, PPI_A, 1), HV_EPERM);
	assert_int_equal(vgic_irq_set_target(&h->vm, 31, VGIC_TARGET_NONE), HV_EPERM);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, NV), HV_ERANGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, VGIC_MAX_VCPUS), HV_ERANGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, VGIC_TARGET_NONE - 1), HV_ERANGE);
	assert_unchanged(h, &snap_before, true);
	assert_int_equal(h_state(h, 0, PPI_A).target, 0);
	assert_int_equal(h_state(h, 1, PPI_A).target, 1);

	/* IROUTER naming no vCPU: accepted; the pending interrupt then waits on no ap_list. */
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, VGIC_TARGET_NONE), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_int_equal(s.target, -1);
	assert_true(s.pending);
	assert_false(s.queued);
	assert_int_equal(s.queued_on, -1);
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_int_equal(s.target, 1);
	assert_int_equal(s.queued_on, 1);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	h_finish(h);
}

static void map_hw_rejects_pintids_below_16_and_above_1019_with_erange(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const uint32_t bad[] = { 0, 1, 15, 1020, 1023, 1024, 8192, UINT32_MAX };

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_LEVEL);
	take_snap(h, &snap_before);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_RC(vgic_irq_map_hw(&h->vm, 0, SPI_A, bad[i]), HV_ERANGE, bad[i]);
		EXPECT_RC(vgic_irq_map_hw(&h->vm, 1, PPI_A, bad[i]), HV_ERANGE, bad[i]);
	}
	assert_unchanged(h, &snap_before, true);
	assert_false(h_state(h, 0, SPI_A).hw);
	/* PPI 16 and the last SPI 1019 are valid physical INTIDs. */
	assert_int_equal(vgic_irq_map_hw(&h->vm, 1, PPI_A, 16), HV_OK);
	assert_true(h_state(h, 1, PPI_A).hw);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI_A, 1019), HV_OK);
	assert_true(h_state(h, 0, SPI_A).hw);
	assert_int_equal(vgic_irq_unmap_hw(&h->vm, 0, SPI_A), HV_OK);
	assert_false(h_state(h, 0, SPI_A).hw);
	h_finish(h);
}

static void map_hw_and_unmap_hw_are_ebusy_while_in_an_lr_or_active(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0); /* now in an LR */
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI_A, PINTID), HV_EBUSY);
	assert_int_equal(vgic_irq_unmap_hw(&h->vm, 0, SPI_A), HV_EBUSY);
	assert_int_equal(h_ack(h, 0), SPI_A);
	h_exit(h, 0); /* active, out of the LR */
	assert_true(h_state(h, 0, SPI_A).active);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI_A, PINTID), HV_EBUSY);
	assert_false(h_state(h, 0, SPI_A).hw);
	end_in_guest(h, 0, SPI_A);
	assert_false(h_state(h, 0, SPI_A).active);

	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI_A, PINTID), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_and_keep_active(h, 0, SPI_A);
	assert_int_equal(vgic_irq_unmap_hw(&h->vm, 0, SPI_A), HV_EBUSY);
	assert_true(h_state(h, 0, SPI_A).hw);
	end_in_guest(h, 0, SPI_A); /* through the HW LR: the model deactivates the physical side */
	assert_int_equal(h->nr_phys_deactivated, 1);
	assert_int_equal(h->phys_deactivated[0], PINTID);
	assert_int_equal(vgic_irq_unmap_hw(&h->vm, 0, SPI_A), HV_OK);
	assert_false(h_state(h, 0, SPI_A).hw);
	h_finish(h);
}

static void flush_sync_and_load_without_a_backend_are_enodev(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	reinit(h, 5, &t_hooks, h, false);
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_snap(h, &snap_before);
	for (uint32_t c = 0; c < NV; c++) {
		assert_int_equal(vgic_flush_lrs(&h->vm, c), HV_ENODEV);
		assert_int_equal(vgic_sync_lrs(&h->vm, c), HV_ENODEV);
		assert_int_equal(vgic_vcpu_load(&h->vm, c), HV_ENODEV);
	}
	assert_unchanged(h, &snap_before, true);
	/* Bad vCPU still reads as a range error, not as a missing backend. */
	assert_int_equal(vgic_flush_lrs(&h->vm, NV), HV_ERANGE);
	/* Queueing needs no backend. */
	assert_true(vgic_vcpu_has_pending(&h->vm, 0));
	h_finish(h);
}

static void world_switch_calls_reject_a_vcpu_out_of_range_with_erange(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	take_snap(h, &snap_before);
	assert_int_equal(vgic_flush_lrs(&h->vm, NV), HV_ERANGE);
	assert_int_equal(vgic_sync_lrs(&h->vm, NV), HV_ERANGE);
	assert_int_equal(vgic_vcpu_load(&h->vm, NV), HV_ERANGE);
	assert_int_equal(vgic_flush_lrs(&h->vm, UINT32_MAX), HV_ERANGE);
	assert_int_equal(vgic_sync_lrs(&h->vm, UINT32_MAX), HV_ERANGE);
	assert_int_equal(vgic_vcpu_load(&h->vm, UINT32_MAX), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, NV, PPI_A), HV_ERANGE);
	assert_false(vgic_vcpu_has_pending(&h->vm, NV));
	assert_false(vgic_vcpu_has_pending(&h->vm, UINT32_MAX));
	assert_null(vgic_ppi_chip(&h->vm, NV));
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

static void flush_twice_without_sync_and_load_while_loaded_are_ebusy(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(vgic_flush_lrs(&h->vm, 0), HV_EBUSY);
	assert_int_equal(vgic_vcpu_load(&h->vm, 0), HV_EBUSY);
	h_exit(h, 0);
	assert_int_equal(vgic_vcpu_load(&h->vm, 0), HV_OK);
	/* A sync without a flush does nothing. */
	assert_int_equal(vgic_sync_lrs(&h->vm, 0), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->acked[0][0], SPI_A);
	h_finish(h);
}

/* Core bug: vgic_handle_dir does not check the trapping vCPU when the INTID is an SPI. */
static void handle_dir_rejects_a_vcpu_out_of_range_even_for_an_spi(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_and_keep_active(h, 0, SPI_A);
	take_snap(h, &snap_before);
	assert_int_equal(vgic_handle_dir(&h->vm, NV, SPI_A), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, UINT32_MAX, SPI_A), HV_ERANGE);
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

static void inject_sgi_rejects_bad_source_target_or_sgi_number(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SGI_A, 0x40, VGIC_EDGE);
	h_cfg(h, 1, SGI_A, 0x40, VGIC_EDGE);
	take_snap(h, &snap_before);
	assert_int_equal(vgic_inject_sgi(NULL, 0, 1, SGI_A), HV_EINVAL);
	assert_int_equal(vgic_inject_sgi(&h->vm, NV, 1, SGI_A), HV_ERANGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, UINT32_MAX, 1, SGI_A), HV_ERANGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, NV, SGI_A), HV_ERANGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, UINT32_MAX, SGI_A), HV_ERANGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, VGIC_NR_SGIS), HV_ERANGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, PPI_A), HV_ERANGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, UINT32_MAX), HV_ERANGE);
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

/* ======================= reset state ======================= */

static void reset_sgis_are_edge_ppis_and_spis_level_all_idle_disabled_group0_priority0(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	for (uint32_t c = 0; c < NV; c++)
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE + NS; i++) {
			struct vgic_irq_state s;

			if (i >= VGIC_NR_PRIVATE && c > 0)
				break;
			s = h_state(h, c, i);
			if (s.pending || s.active || s.enabled || s.hw || s.line_level || s.queued ||
			    s.priority != 0 || s.group != 0 || s.queued_on != -1)
				fail_msg("vCPU %u INTID %u not idle/disabled/group 0/priority 0 at reset", c, i);
			if (s.level_cfg != (i >= VGIC_NR_SGIS))
				fail_msg("vCPU %u INTID %u: level_cfg %d at reset", c, i, s.level_cfg);
		}
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	assert_false(vgic_vcpu_has_pending(&h->vm, 1));
	h_finish(h);
}

static void reset_spis_target_vcpu0_and_private_interrupts_their_own_vcpu(void **state)
{
	struct harness *h = h_mk(4, NS, NL);

	(void)state;
	for (uint32_t i = 0; i < NS; i++)
		if (h_state(h, 3, VGIC_SPI_BASE + i).target != 0)
			fail_msg("SPI %u not targeted at vCPU 0 at reset", VGIC_SPI_BASE + i);
	for (uint32_t c = 0; c < 4; c++)
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
			if (h_state(h, c, i).target != (int32_t)c)
				fail_msg("vCPU %u INTID %u not owned by its vCPU", c, i);
	h_finish(h);
}

static void priority_writes_keep_only_the_5_implemented_bits(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const uint8_t in[] = { 0xff, 0x07, 0x8f, 0x88, 0x00, 0xf8, 0x09 };
	static const uint8_t out[] = { 0xf8, 0x00, 0x88, 0x88, 0x00, 0xf8, 0x08 };

	(void)state;
	assert_int_equal(h->vm.prio_mask, 0xf8);
	for (unsigned i = 0; i < sizeof(in); i++) {
		assert_int_equal(vgic_irq_set_priority(&h->vm, 0, SPI_A, in[i]), HV_OK);
		assert_int_equal(h_state(h, 0, SPI_A).priority, out[i]);
		assert_int_equal(vgic_irq_set_priority(&h->vm, 1, PPI_A, in[i]), HV_OK);
		assert_int_equal(h_state(h, 1, PPI_A).priority, out[i]);
		assert_int_equal(vgic_irq_set_priority(&h->vm, 1, SGI_A, in[i]), HV_OK);
		assert_int_equal(h_state(h, 1, SGI_A).priority, out[i]);
	}
	/* Per vCPU: vCPU 0's copies were never written. */
	assert_int_equal(h_state(h, 0, PPI_A).priority, 0);
	assert_int_equal(h_state(h, 0, SGI_A).priority, 0);
	h_finish(h);
}

static void priority_writes_keep_all_8_bits_with_prio_bits_8_and_5_by_default(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	reinit(h, 8, &t_hooks, h, true);
	assert_int_equal(vgic_irq_set_priority(&h->vm, 0, SPI_A, 0xff), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).priority, 0xff);
	assert_int_equal(vgic_irq_set_priority(&h->vm, 0, SPI_A, 0x07), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).priority, 0x07);
	assert_int_equal(vgic_irq_set_priority(&h->vm, 1, PPI_A, 0x81), HV_OK);
	assert_int_equal(h_state(h, 1, PPI_A).priority, 0x81);

	reinit(h, 0, &t_hooks, h, true); /* 0 means the default, 5 */
	assert_int_equal(vgic_irq_set_priority(&h->vm, 0, SPI_A, 0xff), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).priority, 0xf8);
	h_finish(h);
}

/* ======================= the oracle and queueing ======================= */

static void pending_enabled_interrupt_is_queued_on_its_target(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_true(s.enabled);
	assert_true(s.queued);
	assert_int_equal(s.queued_on, 1);
	assert_int_equal(s.target, 1);

	h_cfg(h, 1, PPI_A, 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 1, PPI_A, true), HV_OK);
	s = h_state(h, 1, PPI_A);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 1);
	assert_false(h_state(h, 0, PPI_A).pending); /* vCPU 0's PPI is another interrupt */
	assert_int_equal(h_run(h, 0, STEPS), 0);
	h_finish(h);
}

static void disabled_pending_interrupt_is_not_queued_but_stays_pending(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, false), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_false(s.enabled);
	assert_false(s.queued);
	assert_int_equal(s.queued_on, -1);
	assert_int_equal(h_run(h, 0, STEPS), 0);

	/* Enabled again: queued and delivered. */
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	/* Disabled while queued: leaves the ap_list, keeps the pending state. */
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_false(s.queued);
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_false(h_state(h, 0, SPI_A).pending);
	h_finish(h);
}

static void distributor_group_disable_unqueues_and_enable_requeues(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;
	unsigned k1;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE); /* group 1 */
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 1);

	assert_int_equal(vgic_dist_enable(&h->vm, true, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_false(s.queued);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1));
	assert_int_equal(h_run(h, 1, STEPS), 0);

	k1 = h->kicks[1];
	assert_int_equal(vgic_dist_enable(&h->vm, true, true), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.queued);
	assert_int_equal(s.queued_on, 1);
	assert_int_equal(h->kicks[1], k1 + 1);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(h->acked[1][0], SPI_A);
	h_finish(h);
}

static void group0_and_group1_follow_their_own_distributor_enable(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_A, 0), HV_OK);
	h_cfg(h, 0, SPI_B, 0x80, VGIC_EDGE); /* group 1 */
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	assert_true(h_state(h, 0, SPI_A).queued);
	assert_true(h_state(h, 0, SPI_B).queued);

	assert_int_equal(vgic_dist_enable(&h->vm, false, true), HV_OK);
	assert_false(h_state(h, 0, SPI_A).queued);
	assert_true(h_state(h, 0, SPI_B).queued);

	assert_int_equal(vgic_dist_enable(&h->vm, true, false), HV_OK);
	assert_true(h_state(h, 0, SPI_A).queued);
	assert_false(h_state(h, 0, SPI_B).queued);

	assert_int_equal(vgic_dist_enable(&h->vm, false, false), HV_OK);
	assert_false(h_state(h, 0, SPI_A).queued);
	assert_false(h_state(h, 0, SPI_B).queued);
	assert_true(h_state(h, 0, SPI_A).pending);
	assert_true(h_state(h, 0, SPI_B).pending);

	/* Moving an interrupt between groups re-evaluates it too. */
	assert_int_equal(vgic_dist_enable(&h->vm, false, true), HV_OK);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_A, 1), HV_OK);
	assert_true(h_state(h, 0, SPI_A).queued);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_B, 0), HV_OK);
	assert_false(h_state(h, 0, SPI_B).queued);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->acked[0][0], SPI_A);
	h_finish(h);
}

static void active_interrupt_stays_queued_on_its_vcpu_when_disabled_or_retargeted(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_and_keep_active(h, 0, SPI_A);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_false(s.pending);
	assert_int_equal(s.queued_on, 0);

	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_int_equal(s.queued_on, 0);

	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_int_equal(s.target, 1);
	assert_int_equal(s.queued_on, 0);

	assert_int_equal(vgic_dist_enable(&h->vm, false, false), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);

	/* The guest deactivates it where it is active; then it leaves every list. */
	end_in_guest(h, 0, SPI_A);
	s = h_state(h, 0, SPI_A);
	assert_false(s.active);
	assert_false(s.queued);
	h_finish(h);
}

static void clearing_pending_like_icpendr_unqueues_the_interrupt(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, true), HV_OK); /* ISPENDR */
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 0);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, false), HV_OK); /* ICPENDR */
	s = h_state(h, 0, SPI_A);
	assert_false(s.pending);
	assert_false(s.queued);
	assert_int_equal(h_run(h, 0, STEPS), 0);

	h_cfg(h, 1, SGI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, SGI_A), HV_OK);
	assert_true(h_state(h, 1, SGI_A).queued);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 1, SGI_A, false), HV_OK);
	assert_false(h_state(h, 1, SGI_A).pending);
	assert_false(h_state(h, 1, SGI_A).queued);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	h_finish(h);
}

static void level_interrupt_is_pending_while_its_line_is_high_or_its_latch_is_set(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.line_level);
	assert_true(s.pending);
	assert_true(s.queued);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_false(s.line_level);
	assert_false(s.pending);
	assert_false(s.queued);

	/* The software latch (ISPENDR) holds it pending with the line low... */
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, true), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_false(s.line_level);
	assert_true(s.pending);
	assert_true(s.queued);
	/* ...and across a high-low of the line. */
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, false), HV_OK);
	assert_true(h_state(h, 0, SPI_A).pending);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_false(s.pending);
	assert_false(s.queued);

	/* ICPENDR cannot clear a line that is still high. */
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_true(s.queued);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, false), HV_OK);
	assert_false(h_state(h, 0, SPI_A).pending);
	h_finish(h);
}

static void kick_when_an_interrupt_becomes_deliverable_and_not_while_disabled(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	unsigned k0, k1;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_B, 1), HV_OK); /* disabled */
	k0 = h->kicks[0];
	k1 = h->kicks[1];

	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	assert_int_equal(h->kicks[0], k0);
	assert_int_equal(h->kicks[1], k1);

	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h->kicks[0], k0);
	assert_int_equal(h->kicks[1], k1 + 1);

	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_B, true), HV_OK);
	assert_int_equal(h->kicks[0], k0);
	assert_int_equal(h->kicks[1], k1 + 2);

	/* Disabling kicks nobody. */
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, false), HV_OK);
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_B, false), HV_OK);
	assert_int_equal(h->kicks[0], k0);
	assert_int_equal(h->kicks[1], k1 + 2);
	assert_int_equal(vgic_get_vcpu(&h->vm, 1)->stats.kicks, h->kicks[1]);
	h_finish(h);
}

/* A lock hook that records misuse: a lock taken twice, a free lock released, kicks under a lock. */
struct lock_log {
	struct harness *h;
	unsigned held, max_held, double_locks, bad_unlocks, kicks, kicks_locked;
};

static void ll_lock(void *ctx, vgic_lock_t *l)
{
	struct lock_log *g = ctx;

	if (l->word)
		g->double_locks++;
	l->word = 1;
	if (++g->held > g->max_held)
		g->max_held = g->held;
}

static void ll_unlock(void *ctx, vgic_lock_t *l)
{
	struct lock_log *g = ctx;

	if (!l->word || g->held == 0)
		g->bad_unlocks++;
	else
		g->held--;
	l->word = 0;
}

static void ll_kick(void *ctx, struct vgic_vcpu *v)
{
	struct lock_log *g = ctx;

	g->kicks++;
	if (g->held)
		g->kicks_locked++;
	g->h->kicks[v->id]++;
}

static void ll_phys(void *ctx, struct vgic_vcpu *owner, uint32_t pintid)
{
	t_phys_deactivate(((struct lock_log *)ctx)->h, owner, pintid);
}

static const struct vgic_hooks ll_hooks = {
	.lock = ll_lock, .unlock = ll_unlock, .kick = ll_kick, .phys_deactivate = ll_phys,
};

/* Inject, retarget in and out of an LR, run, DIR, SGIs, group enables. */
static void lock_scenario(struct harness *h)
{
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	h_cfg(h, 0, SPI_B, 0x40, VGIC_LEVEL);
	h_cfg(h, 1, SGI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	h_enter(h, 1);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 0), HV_OK);
	h_exit(h, 1);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	icv_set_eoimode(&h->cpu[0], true);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI_B);
	h_eoi(h, 0, SPI_B); /* priority drop; the DIR is handled below as if trapped */
	h_exit(h, 0);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_B), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, false), HV_OK);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, SGI_A), HV_OK);
	assert_int_equal(vgic_dist_enable(&h->vm, true, false), HV_OK);
	assert_int_equal(vgic_dist_enable(&h->vm, true, true), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	(void)vgic_vcpu_has_pending(&h->vm, 0);
	(void)h_state(h, 0, SPI_A);
}

static void every_lock_taken_is_released_and_none_is_taken_twice(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct lock_log g = { .h = h };

	(void)state;
	reinit(h, 5, &ll_hooks, &g, true);
	lock_scenario(h);
	assert_int_equal(g.held, 0);
	assert_int_equal(g.double_locks, 0);
	assert_int_equal(g.bad_unlocks, 0);
	assert_true(g.max_held >= 2); /* ap_lock -> irq lock was exercised */
	h_finish(h);
}

/* Core bug: vgic_dist_enable re-places interrupts, and so kicks, under dist_lock. */
static void kick_hook_is_called_with_no_vgic_lock_held(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct lock_log g = { .h = h };

	(void)state;
	reinit(h, 5, &ll_hooks, &g, true);
	lock_scenario(h);
	assert_true(g.kicks > 0);
	assert_int_equal(g.kicks_locked, 0);
	h_finish(h);
}

/* ======================= retargeting ======================= */

static void retargeting_a_pending_interrupt_moves_it_at_once_and_kicks_the_new_vcpu(void **state)
{
	struct harness *h = h_mk(4, NS, NL);
	unsigned k[4];

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 0);
	for (unsigned c = 0; c < 4; c++)
		k[c] = h->kicks[c];

	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 3), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 3);
	assert_int_equal(h->kicks[3], k[3] + 1);
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	assert_true(vgic_vcpu_has_pending(&h->vm, 3));

	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 2), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 2);
	assert_int_equal(h_state(h, 0, SPI_A).target, 2);
	assert_int_equal(h->kicks[2], k[2] + 1);
	assert_int_equal(h->kicks[1], k[1]);

	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(h_run(h, c, STEPS), c == 2 ? 1 : 0);
	assert_int_equal(h->acked[2][0], SPI_A);
	h_finish(h);
}

static void retargeting_while_in_an_lr_moves_at_the_old_vcpus_exit_and_delivers_once(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;
	unsigned k0, k1;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0); /* in vCPU 0's LR, not yet taken */
	k0 = h->kicks[0];
	k1 = h->kicks[1];

	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_int_equal(s.target, 1);
	assert_int_equal(s.queued_on, 0); /* the LR owns it until vCPU 0 exits */
	assert_int_equal(h->kicks[0], k0 + 1); /* vCPU 0 is made to exit */
	assert_int_equal(h->kicks[1], k1);

	h_exit(h, 0);
	s = h_state(h, 0, SPI_A);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 1);
	assert_int_equal(h->kicks[1], k1 + 1);

	/* vCPU 0 re-enters with its stale LR cleared; vCPU 1 takes it, exactly once. */
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(h->acked[1][0], SPI_A);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h->nr_acked[0], 0);
	assert_int_equal(h->nr_acked[1], 1);
	assert_false(h_state(h, 0, SPI_A).queued);
	h_finish(h);
}

static void retargeting_an_active_interrupt_waits_for_deactivation_then_new_pends_go_to_the_new_target(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;
	unsigned k1;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_and_keep_active(h, 0, SPI_A);
	k1 = h->kicks[1];

	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_int_equal(s.target, 1);
	assert_int_equal(s.queued_on, 0);
	assert_int_equal(h->kicks[1], k1);

	end_in_guest(h, 0, SPI_A);
	s = h_state(h, 0, SPI_A);
	assert_false(s.active);
	assert_false(s.queued);

	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(h_state(h, 0, SPI_A).queued_on, 1);
	assert_int_equal(h->kicks[1], k1 + 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(h->nr_acked[0], 1);
	assert_int_equal(h->nr_acked[1], 1);
	assert_int_equal(h->acked[1][0], SPI_A);
	h_finish(h);
}

static void pending_that_arrives_while_active_follows_the_new_target_after_dir(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI_A);
	h_eoi(h, 0, SPI_A); /* priority drop only */
	h_exit(h, 0);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 0);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1));

	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_false(s.active);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(h->acked[1][0], SPI_A);
	h_finish(h);
}

/* ======================= SGIs ======================= */

static void sgi_to_self_is_pending_on_the_sender_only(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SGI_A, 0x40, VGIC_EDGE);
	h_cfg(h, 1, SGI_A, 0x40, VGIC_EDGE);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 0, SGI_A), HV_OK);
	s = h_state(h, 0, SGI_A);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 0);
	assert_false(h_state(h, 1, SGI_A).pending);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->acked[0][0], SGI_A);
	h_finish(h);
}

static void sgi_to_another_vcpu_is_pending_and_delivered_there(void **state)
{
	struct harness *h = h_mk(4, NS, NL);
	unsigned k2;

	(void)state;
	for (unsigned c = 0; c < 4; c++)
		h_cfg(h, c, 5, 0x40, VGIC_EDGE);
	k2 = h->kicks[2];
	assert_int_equal(vgic_inject_sgi(&h->vm, 1, 2, 5), HV_OK);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(h_state(h, c, 5).pending, c == 2);
	assert_int_equal(h_state(h, 2, 5).queued_on, 2);
	assert_int_equal(h->kicks[2], k2 + 1);
	/* Two SGIs before the target runs are one pending state: one delivery. */
	assert_int_equal(vgic_inject_sgi(&h->vm, 3, 2, 5), HV_OK);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(h_run(h, c, STEPS), c == 2 ? 1 : 0);
	assert_int_equal(h->acked[2][0], 5);
	h_finish(h);
}

static void sgi_configuration_and_state_are_per_vcpu(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s0, s1;

	(void)state;
	h_cfg(h, 1, 7, 0x20, VGIC_EDGE); /* enabled, group 1, priority 0x20 on vCPU 1 only */
	s0 = h_state(h, 0, 7);
	s1 = h_state(h, 1, 7);
	assert_false(s0.enabled);
	assert_int_equal(s0.priority, 0);
	assert_int_equal(s0.group, 0);
	assert_true(s1.enabled);
	assert_int_equal(s1.priority, 0x20);
	assert_int_equal(s1.group, 1);

	assert_int_equal(vgic_inject_sgi(&h->vm, 1, 0, 7), HV_OK); /* to vCPU 0: disabled there */
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, 7), HV_OK);
	s0 = h_state(h, 0, 7);
	s1 = h_state(h, 1, 7);
	assert_true(s0.pending);
	assert_false(s0.queued);
	assert_true(s1.pending);
	assert_int_equal(s1.queued_on, 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_true(h_state(h, 0, 7).pending);
	assert_false(h_state(h, 1, 7).pending);
	h_finish(h);
}

/* ======================= has_pending ======================= */

static void has_pending_is_true_exactly_when_something_deliverable_is_queued(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	assert_false(vgic_vcpu_has_pending(&h->vm, 1));
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_irq_set_trigger(&h->vm, 0, SPI_A, VGIC_EDGE), HV_OK);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1)); /* pending but disabled */

	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI_A, true), HV_OK);
	assert_true(vgic_vcpu_has_pending(&h->vm, 1));
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));

	assert_int_equal(vgic_dist_enable(&h->vm, true, false), HV_OK);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1)); /* group 1 off */
	assert_int_equal(vgic_dist_enable(&h->vm, true, true), HV_OK);
	assert_true(vgic_vcpu_has_pending(&h->vm, 1));

	h_enter(h, 1);
	assert_true(vgic_vcpu_has_pending(&h->vm, 1)); /* in an LR, not yet taken */
	assert_int_equal(h_ack(h, 1), SPI_A);
	h_exit(h, 1);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1)); /* active only */

	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1)); /* pending+active: not takeable yet */

	end_in_guest(h, 1, SPI_A);
	assert_true(vgic_vcpu_has_pending(&h->vm, 1)); /* deactivated: the new pending is */
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_false(vgic_vcpu_has_pending(&h->vm, 1));
	h_finish(h);
}

/* ======================= trapped DIR ======================= */

static void handle_dir_deactivates_an_active_interrupt_between_sync_and_flush(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;
	uint64_t traps;

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI_A);
	h_eoi(h, 0, SPI_A);
	h_exit(h, 0);
	assert_true(h_state(h, 0, SPI_A).active);
	traps = vgic_get_vcpu(&h->vm, 0)->stats.dir_traps;

	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_false(s.active);
	assert_false(s.pending);
	assert_false(s.queued);
	assert_int_equal(vgic_get_vcpu(&h->vm, 0)->stats.dir_traps, traps + 1);
	assert_int_equal(h->nr_phys_deactivated, 0); /* not HW-mapped */
	assert_int_equal(h_run(h, 0, STEPS), 0);
	h_finish(h);
}

static void handle_dir_ignores_an_inactive_interrupt(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	uint64_t traps;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_snap(h, &snap_before);
	traps = vgic_get_vcpu(&h->vm, 0)->stats.dir_traps;
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_OK);  /* pending, not active */
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_B), HV_OK);  /* idle */
	assert_int_equal(vgic_handle_dir(&h->vm, 1, PPI_A), HV_OK);
	assert_unchanged(h, &snap_before, false);
	assert_int_equal(vgic_get_vcpu(&h->vm, 0)->stats.dir_traps, traps);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	h_finish(h);
}

static void handle_dir_rejects_intids_that_do_not_exist(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	take_snap(h, &snap_before);
	assert_int_equal(vgic_handle_dir(NULL, 0, SPI_A), HV_EINVAL);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, FIRST_MISSING_SPI), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, 1020), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, GIC_INTID_SPURIOUS), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, 8191), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, VGIC_LPI_BASE), HV_ERANGE);
	assert_int_equal(vgic_handle_dir(&h->vm, NV, SGI_A), HV_ERANGE);
	assert_unchanged(h, &snap_before, true);
	h_finish(h);
}

static void handle_dir_is_ebusy_while_the_interrupt_sits_in_an_lr(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI_A);
	take_snap(h, &snap_before);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_EBUSY); /* flush without sync */
	assert_unchanged(h, &snap_before, false);
	h_exit(h, 0);
	assert_true(h_state(h, 0, SPI_A).active); /* the LR's state won */
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_OK);
	assert_false(h_state(h, 0, SPI_A).active);
	h_finish(h);
}

static void handle_dir_of_a_hw_interrupt_outside_an_lr_deactivates_the_physical_one(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI_A, PINTID), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_and_keep_active(h, 0, SPI_A);
	assert_true(h_state(h, 0, SPI_A).active);
	assert_int_equal(h->nr_phys_deactivated, 0);

	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_OK);
	assert_int_equal(h->nr_phys_deactivated, 1);
	assert_int_equal(h->phys_deactivated[0], PINTID);
	assert_false(h_state(h, 0, SPI_A).active);
	assert_false(h_state(h, 0, SPI_A).queued);
	h_finish(h);
}

static void handle_dir_from_a_vcpu_the_interrupt_is_not_active_on_is_ignored(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	take_and_keep_active(h, 0, SPI_A);
	assert_int_equal(vgic_handle_dir(&h->vm, 1, SPI_A), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_int_equal(s.queued_on, 0);
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI_A), HV_OK);
	assert_false(h_state(h, 0, SPI_A).active);
	h_finish(h);
}

/* ======================= register writes while the LR owns the state ======================= */

static void set_active_while_in_an_lr_is_applied_at_the_next_sync(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI_A, true), HV_OK); /* ISACTIVER */
	assert_false(h_state(h, 0, SPI_A).active); /* not yet: the LR owns the state */
	h_exit(h, 0);
	s = h_state(h, 0, SPI_A);
	assert_true(s.active);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 0);
	assert_false(vgic_vcpu_has_pending(&h->vm, 0));
	/* Active and pending: the guest cannot take it again... */
	assert_int_equal(h_run(h, 0, STEPS), 0);
	/* ...until it is deactivated (ICACTIVER, outside any LR: immediate). */
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI_A, false), HV_OK);
	s = h_state(h, 0, SPI_A);
	assert_false(s.active);
	assert_true(s.pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->nr_acked[0], 1);
	h_finish(h);
}

static void clear_active_while_in_an_lr_is_applied_at_the_next_sync(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI_A); /* active in the LR */
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI_A, false), HV_OK);
	h_exit(h, 0);
	s = h_state(h, 0, SPI_A);
	assert_false(s.active);
	assert_false(s.pending);
	assert_false(s.queued);
	h_finish(h);
}

static void clear_pending_while_in_an_lr_drops_it_at_the_next_sync(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x80, VGIC_EDGE);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0); /* pending in the LR, not taken */
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, false), HV_OK);
	h_exit(h, 0);
	s = h_state(h, 0, SPI_A);
	assert_false(s.pending);
	assert_false(s.active);
	assert_false(s.queued);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h->nr_acked[0], 0);

	/* A set after the clear, both while in the LR: the last write wins. */
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, false), HV_OK);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, SPI_A, true), HV_OK);
	h_exit(h, 0);
	assert_true(h_state(h, 0, SPI_A).pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	h_finish(h);
}

/* ---- the core's own spin locks ---- */
static vgic_lock_t *held_by_other_cpu;
static unsigned relax_calls;

/*
 * Stands for the other CPU: after two looks at the taken lock, it lets go. A wait that goes on after that
 * is for a lock nobody will release (the core's own, left held): fail rather than spin for ever.
 */
static void relax_then_release(void *ctx)
{
	(void)ctx;
	if (++relax_calls == 2)
		__atomic_store_n(&held_by_other_cpu->word, 0U, __ATOMIC_RELEASE);
	if (relax_calls > 1000)
		fail_msg("still waiting after the other CPU let go: a lock the core holds itself");
}

static void lock_hook_unused(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	(void)l;
}

static void init_refuses_spin_locks_together_with_lock_hooks(void **state)
{
	static struct vgic vm;
	static struct vgic_vcpu vcpus[1];
	static const struct vgic_hooks both = { .spin_locks = true, .lock = lock_hook_unused, .unlock = lock_hook_unused };
	static const struct vgic_hooks half = { .spin_locks = true, .unlock = lock_hook_unused };
	struct vgic_config cfg = { .nr_vcpus = 1 };

	(void)state;
	assert_int_equal(vgic_init(&vm, &cfg, &both, NULL, vcpus, NULL), HV_EINVAL);
	assert_int_equal(vgic_init(&vm, &cfg, &half, NULL, vcpus, NULL), HV_EINVAL);
}

/* A lock another CPU holds: the core waits, relaxing between looks, and goes on once it is free. */
static void a_spin_lock_held_elsewhere_is_waited_for_with_relax_then_taken(void **state)
{
	static struct vgic vm;
	static struct vgic_vcpu vcpus[1];
	static struct vgic_irq spis[32];
	static const struct vgic_hooks spin = { .spin_locks = true, .relax = relax_then_release };
	struct vgic_config cfg = { .nr_vcpus = 1, .nr_spis = 32 };
	struct vgic_irq_state st;

	(void)state;
	assert_int_equal(vgic_init(&vm, &cfg, &spin, NULL, vcpus, spis), HV_OK);
	assert_int_equal(vgic_dist_enable(&vm, true, true), HV_OK);
	assert_int_equal(vgic_irq_set_group(&vm, 0, SPI_A, 1), HV_OK);
	assert_int_equal(vgic_irq_set_enabled(&vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(relax_calls, 0);                  /* free locks never relax */
	held_by_other_cpu = &vcpus[0].ap_lock;
	held_by_other_cpu->word = 1;
	assert_int_equal(vgic_inject(&vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(relax_calls, 2);
	assert_int_equal(vcpus[0].ap_lock.word, 0);        /* released after the injection */
	assert_int_equal(vgic_irq_get_state(&vm, 0, SPI_A, &st), HV_OK);
	assert_true(st.pending);
	assert_int_equal(st.queued_on, 0);
}

/*
 * The injection fast paths try each lock once and fall back to the general path, which waits. Held
 * elsewhere: the routing target's ap_lock (nothing taken yet), or the interrupt's own lock (the fast
 * raise holds the ap_lock by then and must let it go, or the general raise would wait on itself); and
 * a line lowered on an interrupt on no list, whose fast path takes only the interrupt's lock. Each
 * must end with the injection done and every lock free.
 */
static void injection_fast_paths_that_find_a_lock_taken_fall_back_and_wait(void **state)
{
	enum { HELD_AP_LOCK, HELD_IRQ_LOCK };
	static const struct {
		const char *name;
		unsigned held;
		bool level;
	} cases[] = {
		{ "raise, ap_lock held", HELD_AP_LOCK, true },
		{ "raise, irq lock held", HELD_IRQ_LOCK, true },
		{ "lower, irq lock held", HELD_IRQ_LOCK, false },
	};
	static const struct vgic_hooks spin = { .spin_locks = true, .relax = relax_then_release };
	struct vgic_config cfg = { .nr_vcpus = 1, .nr_spis = 32 };

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		static struct vgic vm;
		static struct vgic_vcpu vcpus[1];
		static struct vgic_irq spis[32];
		struct vgic_irq_state st;
		struct vgic_irq *irq = &spis[SPI_A - VGIC_SPI_BASE];

		memset(&vm, 0, sizeof(vm));
		memset(vcpus, 0, sizeof(vcpus));
		memset(spis, 0, sizeof(spis));
		assert_int_equal(vgic_init(&vm, &cfg, &spin, NULL, vcpus, spis), HV_OK);
		assert_int_equal(vgic_dist_enable(&vm, true, true), HV_OK);
		assert_int_equal(vgic_irq_set_group(&vm, 0, SPI_A, 1), HV_OK);
		assert_int_equal(vgic_irq_set_enabled(&vm, 0, SPI_A, true), HV_OK);
		relax_calls = 0;
		held_by_other_cpu = cases[c].held == HELD_AP_LOCK ? &vcpus[0].ap_lock : &irq->lock;
		held_by_other_cpu->word = 1;
		assert_int_equal(vgic_inject(&vm, 0, SPI_A, cases[c].level), HV_OK);
		print_message("%s: %u relax calls\n", cases[c].name, relax_calls);
		assert_int_equal(relax_calls, 2);
		assert_int_equal(vcpus[0].ap_lock.word, 0);
		assert_int_equal(irq->lock.word, 0);
		assert_int_equal(vgic_irq_get_state(&vm, 0, SPI_A, &st), HV_OK);
		assert_int_equal(st.pending, cases[c].level);
		assert_int_equal(st.queued_on, cases[c].level ? 0 : -1);
	}
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* bad arguments */
		T(init_rejects_null_pointers_with_einval_and_leaves_the_vm_untouched),
		T(init_refuses_spin_locks_together_with_lock_hooks),
		T(a_spin_lock_held_elsewhere_is_waited_for_with_relax_then_taken),
		T(injection_fast_paths_that_find_a_lock_taken_fall_back_and_wait),
		T(init_rejects_vcpus_0_or_over_64_spis_over_988_or_unaligned_and_prio_bits_3_or_9),
		T(init_accepts_988_spis_and_the_last_one_is_intid_1019),
		T(init_accepts_1_and_64_vcpus_0_and_960_spis_prio_bits_4_to_8_and_null_hooks),
		T(set_backend_rejects_null_vm_or_backend_bad_vcpu_and_nr_lrs_0_or_17),
		T(set_mpidr_rejects_null_vm_with_einval_and_bad_vcpu_with_erange),
		T(get_vcpu_and_get_irq_return_null_for_anything_that_does_not_exist),
		T(every_entry_point_rejects_a_null_vm_with_einval),
		T(private_intids_on_a_vcpu_out_of_range_are_erange_everywhere),
		T(intids_beyond_the_spis_1020_to_8191_and_lpis_without_lookup_are_erange),
		T(get_state_rejects_a_null_output_with_einval),
		T(set_group_rejects_group_2_with_einval_and_keeps_the_group),
		T(set_trigger_of_an_sgi_to_level_is_eperm_and_to_edge_is_accepted),
		T(set_trigger_checks_vm_and_vcpu_before_the_sgi_rule),
		T(set_target_of_private_is_eperm_bad_vcpu_is_erange_and_none_is_accepted),
		T(map_hw_rejects_pintids_below_16_and_above_1019_with_erange),
		T(map_hw_and_unmap_hw_are_ebusy_while_in_an_lr_or_active),
		T(flush_sync_and_load_without_a_backend_are_enodev),
		T(world_switch_calls_reject_a_vcpu_out_of_range_with_erange),
		T(flush_twice_without_sync_and_load_while_loaded_are_ebusy),
		T(handle_dir_rejects_a_vcpu_out_of_range_even_for_an_spi),
		T(inject_sgi_rejects_bad_source_target_or_sgi_number),
		/* reset state */
		T(reset_sgis_are_edge_ppis_and_spis_level_all_idle_disabled_group0_priority0),
		T(reset_spis_target_vcpu0_and_private_interrupts_their_own_vcpu),
		T(priority_writes_keep_only_the_5_implemented_bits),
		T(priority_writes_keep_all_8_bits_with_prio_bits_8_and_5_by_default),
		/* oracle and queueing */
		T(pending_enabled_interrupt_is_queued_on_its_target),
		T(disabled_pending_interrupt_is_not_queued_but_stays_pending),
		T(distributor_group_disable_unqueues_and_enable_requeues),
		T(group0_and_group1_follow_their_own_distributor_enable),
		T(active_interrupt_stays_queued_on_its_vcpu_when_disabled_or_retargeted),
		T(clearing_pending_like_icpendr_unqueues_the_interrupt),
		T(level_interrupt_is_pending_while_its_line_is_high_or_its_latch_is_set),
		T(kick_when_an_interrupt_becomes_deliverable_and_not_while_disabled),
		T(every_lock_taken_is_released_and_none_is_taken_twice),
		T(kick_hook_is_called_with_no_vgic_lock_held),
		/* retargeting */
		T(retargeting_a_pending_interrupt_moves_it_at_once_and_kicks_the_new_vcpu),
		T(retargeting_while_in_an_lr_moves_at_the_old_vcpus_exit_and_delivers_once),
		T(retargeting_an_active_interrupt_waits_for_deactivation_then_new_pends_go_to_the_new_target),
		T(pending_that_arrives_while_active_follows_the_new_target_after_dir),
		/* SGIs */
		T(sgi_to_self_is_pending_on_the_sender_only),
		T(sgi_to_another_vcpu_is_pending_and_delivered_there),
		T(sgi_configuration_and_state_are_per_vcpu),
		/* has_pending */
		T(has_pending_is_true_exactly_when_something_deliverable_is_queued),
		/* trapped DIR */
		T(handle_dir_deactivates_an_active_interrupt_between_sync_and_flush),
		T(handle_dir_ignores_an_inactive_interrupt),
		T(handle_dir_rejects_intids_that_do_not_exist),
		T(handle_dir_is_ebusy_while_the_interrupt_sits_in_an_lr),
		T(handle_dir_of_a_hw_interrupt_outside_an_lr_deactivates_the_physical_one),
		T(handle_dir_from_a_vcpu_the_interrupt_is_not_active_on_is_ignored),
		/* writes while the LR owns the state */
		T(set_active_while_in_an_lr_is_applied_at_the_next_sync),
		T(clear_active_while_in_an_lr_is_applied_at_the_next_sync),
		T(clear_pending_while_in_an_lr_drops_it_at_the_next_sync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

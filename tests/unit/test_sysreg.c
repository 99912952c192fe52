/* test_sysreg.c: cmocka tests of the trapped ICC registers (vgic/vgic_sysreg.c): SGI0R/SGI1R/ASGI1R and DIR.
 * Target decode (TargetList, Aff1..3, RS, IRM), the single-security-state group rules, garbage values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "gic_regs.h"

#define NV     8U
#define NS     32U
#define NL     4U
#define STEPS  64U
#define SPI_A  40U

#define SGIR(aff3, aff2, aff1, rs, list, intid) \
	(((uint64_t)(aff3) << 48) | ((uint64_t)(rs) << 44) | ((uint64_t)(aff2) << 32) | \
	 ((uint64_t)(intid) << 24) | ((uint64_t)(aff1) << 16) | (uint64_t)(list))
#define SGIR_IRM (1ULL << 40)
#define MPIDR(a3, a2, a1, a0) (((uint64_t)(a3) << 32) | ((uint64_t)(a2) << 16) | \
			       ((uint64_t)(a1) << 8) | (uint64_t)(a0))

static struct harness *mk(void)
{
	return h_mk(NV, NS, NL);
}

/* Which vCPUs have SGI sgi pending, as a bitmask. */
static uint32_t pending_on(struct harness *h, uint32_t sgi)
{
	uint32_t m = 0;

	for (uint32_t c = 0; c < NV; c++)
		if (h_state(h, c, sgi).pending)
			m |= 1U << c;
	return m;
}

static void clear_sgis(struct harness *h)
{
	for (uint32_t c = 0; c < NV; c++)
		for (uint32_t i = 0; i < VGIC_NR_SGIS; i++)
			assert_int_equal(vgic_irq_set_pending(&h->vm, c, i, false), HV_OK);
}

static void sgi1r(struct harness *h, uint32_t src, uint64_t v)
{
	assert_int_equal(vgic_sysreg_sgi(&h->vm, src, VGIC_ICC_SGI1R, v), HV_OK);
}

/* Two clusters of four: Aff1 = 0 and Aff1 = 1, Aff0 = 0..3 within each. */
static void two_clusters(struct harness *h)
{
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, c, (1ULL << 31) | MPIDR(0, 0, c / 4, c % 4)), HV_OK);
}

/* ---- target decode ---- */

static void target_list_selects_vcpus_by_aff0_within_the_cluster(void **state)
{
	struct harness *h = mk();

	(void)state;
	two_clusters(h);
	sgi1r(h, 0, SGIR(0, 0, 1, 0, 0x0005, 3)); /* cluster 1, Aff0 0 and 2: vCPUs 4 and 6 */
	assert_int_equal(pending_on(h, 3), (1U << 4) | (1U << 6));
	clear_sgis(h);
	sgi1r(h, 5, SGIR(0, 0, 0, 0, 0x000f, 9)); /* the whole of cluster 0, from cluster 1 */
	assert_int_equal(pending_on(h, 9), 0x0f);
	clear_sgis(h);
	/* TargetList bits naming absent PEs (Aff0 4..15) are ignored. */
	sgi1r(h, 0, SGIR(0, 0, 0, 0, 0xfff2, 1));
	assert_int_equal(pending_on(h, 1), 1U << 1);
	h_finish(h);
}

static void sgi_to_self_is_allowed_with_a_target_list(void **state)
{
	struct harness *h = mk();

	(void)state;
	sgi1r(h, 2, SGIR(0, 0, 0, 0, 1U << 2, 0));
	assert_int_equal(pending_on(h, 0), 1U << 2);
	h_finish(h);
}

static void affinity_levels_two_and_three_must_match_too(void **state)
{
	struct harness *h = mk();

	(void)state;
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, c, MPIDR(c / 4, c % 2, 0, 0)), HV_OK);
	/* vCPUs: 0:0.0.0.0 1:0.1.0.0 2:0.0.0.0 3:0.1.0.0 4:1.0.0.0 5:1.1.0.0 6:1.0.0.0 7:1.1.0.0 */
	sgi1r(h, 0, SGIR(1, 1, 0, 0, 1, 4));
	assert_int_equal(pending_on(h, 4), (1U << 5) | (1U << 7));
	clear_sgis(h);
	sgi1r(h, 0, SGIR(0, 0, 0, 0, 1, 4));
	assert_int_equal(pending_on(h, 4), (1U << 0) | (1U << 2));
	clear_sgis(h);
	sgi1r(h, 0, SGIR(2, 0, 0, 0, 1, 4)); /* no such Aff3 */
	assert_int_equal(pending_on(h, 4), 0);
	h_finish(h);
}

static void range_selector_reaches_aff0_beyond_fifteen(void **state)
{
	struct harness *h = mk();

	(void)state;
	for (uint32_t c = 0; c < NV; c++)
		assert_int_equal(vgic_vcpu_set_mpidr(&h->vm, c, MPIDR(0, 0, 0, 16U * c + c)), HV_OK);
	/* vCPU c has Aff0 = 17c: RS = c, TargetList bit c. */
	sgi1r(h, 0, SGIR(0, 0, 0, 3, 1U << 3, 11));
	assert_int_equal(pending_on(h, 11), 1U << 3);
	clear_sgis(h);
	sgi1r(h, 0, SGIR(0, 0, 0, 3, 1U << 2, 11)); /* Aff0 50: nobody */
	assert_int_equal(pending_on(h, 11), 0);
	sgi1r(h, 0, SGIR(0, 0, 0, 7, 0xffff, 11)); /* Aff0 112..127: vCPU 7 has 119 */
	assert_int_equal(pending_on(h, 11), 1U << 7);
	h_finish(h);
}

static void irm_broadcasts_to_every_vcpu_but_the_sender(void **state)
{
	struct harness *h = mk();

	(void)state;
	two_clusters(h);
	/* Affinity fields and target list are ignored with IRM = 1. */
	sgi1r(h, 3, SGIR_IRM | SGIR(9, 9, 9, 5, 0x0001, 2));
	assert_int_equal(pending_on(h, 2), 0xffU & ~(1U << 3));
	h_finish(h);
}

static void garbage_values_only_ever_make_sgis_pending(void **state)
{
	struct harness *h = mk();
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	two_clusters(h);
	h_cfg(h, 0, SPI_A, 0x40, VGIC_EDGE);
	for (unsigned i = 0; i < 20000; i++) {
		enum vgic_sgi_reg which;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		which = (enum vgic_sgi_reg)(x % 3);
		assert_int_equal(vgic_sysreg_sgi(&h->vm, (uint32_t)(x >> 61), which, x), HV_OK);
		if (i % 1000 == 0) {
			const char *err = h_check_invariants(h);

			if (err)
				fail_msg("invariant broken after %u writes: %s", i, err);
		}
	}
	for (uint32_t c = 0; c < NV; c++)
		for (uint32_t i = VGIC_NR_SGIS; i < VGIC_NR_PRIVATE; i++)
			assert_false(h_state(h, c, i).pending);
	assert_false(h_state(h, 0, SPI_A).pending);
	assert_int_equal(h->vcpus[0].stats.sgi_writes + h->vcpus[7].stats.sgi_writes > 0, 1);
	h_finish(h);
}

static void the_intid_field_is_four_bits_and_res0_bits_are_ignored(void **state)
{
	struct harness *h = mk();

	(void)state;
	sgi1r(h, 0, SGIR(0, 0, 0, 0, 1U << 1, 15) | (0xfULL << 28) | (0x7ULL << 41) | (0xffULL << 56));
	assert_int_equal(pending_on(h, 15), 1U << 1);
	h_finish(h);
}

/* ---- groups (GICD_CTLR.DS = 1) ---- */

static void sgi1r_delivers_either_group_sgi0r_and_asgi1r_only_group_0(void **state)
{
	struct harness *h = mk();

	(void)state;
	/* vCPU 1: SGI 6 in group 1; vCPU 2: SGI 6 in group 0. */
	assert_int_equal(vgic_irq_set_group(&h->vm, 1, 6, 1), HV_OK);
	assert_int_equal(vgic_irq_set_group(&h->vm, 2, 6, 0), HV_OK);
	sgi1r(h, 0, SGIR(0, 0, 0, 0, 0x6, 6));
	assert_int_equal(pending_on(h, 6), 0x6);
	clear_sgis(h);
	assert_int_equal(vgic_sysreg_sgi(&h->vm, 0, VGIC_ICC_SGI0R, SGIR(0, 0, 0, 0, 0x6, 6)), HV_OK);
	assert_int_equal(pending_on(h, 6), 1U << 2);
	clear_sgis(h);
	assert_int_equal(vgic_sysreg_sgi(&h->vm, 0, VGIC_ICC_ASGI1R, SGIR(0, 0, 0, 0, 0x6, 6)), HV_OK);
	assert_int_equal(pending_on(h, 6), 1U << 2);
	h_finish(h);
}

/* ---- interaction with the core ---- */

static void an_sgi_to_a_disabled_interrupt_waits_pending_until_enabled(void **state)
{
	struct harness *h = mk();

	(void)state;
	assert_int_equal(vgic_irq_set_group(&h->vm, 1, 4, 1), HV_OK);
	sgi1r(h, 0, SGIR(0, 0, 0, 0, 1U << 1, 4));
	assert_true(h_state(h, 1, 4).pending);
	assert_false(h_state(h, 1, 4).queued);
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 1, 4, true), HV_OK);
	assert_int_equal(h_state(h, 1, 4).queued_on, 1);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(h->acked[1][0], 4);
	h_finish(h);
}

static void an_sgi_kicks_its_target_and_is_taken_once(void **state)
{
	struct harness *h = mk();

	(void)state;
	h_cfg(h, 5, 1, 0x10, VGIC_EDGE);
	sgi1r(h, 0, SGIR(0, 0, 0, 0, 1U << 5, 1));
	sgi1r(h, 3, SGIR(0, 0, 0, 0, 1U << 5, 1)); /* GICv3 keeps no source: one latch */
	assert_true(h->kicks[5] >= 1);
	assert_int_equal(h_run(h, 5, STEPS), 1);
	assert_int_equal(h->acked[5][0], 1);
	assert_int_equal(h->vcpus[0].stats.sgi_writes, 1);
	assert_int_equal(h->vcpus[3].stats.sgi_writes, 1);
	h_finish(h);
}

static void sgi_host_errors_return_hv_codes(void **state)
{
	struct harness *h = mk();

	(void)state;
	assert_int_equal(vgic_sysreg_sgi(NULL, 0, VGIC_ICC_SGI1R, 0), HV_EINVAL);
	assert_int_equal(vgic_sysreg_sgi(&h->vm, 0, (enum vgic_sgi_reg)3, 0), HV_EINVAL);
	assert_int_equal(vgic_sysreg_sgi(&h->vm, NV, VGIC_ICC_SGI1R, 0), HV_ERANGE);
	assert_int_equal(pending_on(h, 0), 0);
	h_finish(h);
}

/* ---- ICC_DIR_EL1 ---- */

static void dir_deactivates_the_named_interrupt_and_ignores_upper_bits(void **state)
{
	struct harness *h = mk();

	(void)state;
	h_cfg(h, 0, SPI_A, 0x40, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI_A, true), HV_OK);
	assert_true(h_state(h, 0, SPI_A).active);
	assert_int_equal(vgic_sysreg_dir(&h->vm, 0, (0xabULL << 24) | (1ULL << 40) | SPI_A), HV_OK);
	assert_false(h_state(h, 0, SPI_A).active);
	assert_false(h_state(h, 0, SPI_A).queued);
	/* Private interrupts: the vCPU's own. */
	h_cfg(h, 3, 22, 0x40, VGIC_LEVEL);
	assert_int_equal(vgic_irq_set_active(&h->vm, 3, 22, true), HV_OK);
	assert_int_equal(vgic_sysreg_dir(&h->vm, 2, 22), HV_OK);
	assert_true(h_state(h, 3, 22).active);
	assert_int_equal(vgic_sysreg_dir(&h->vm, 3, 22), HV_OK);
	assert_false(h_state(h, 3, 22).active);
	h_finish(h);
}

static void dir_of_special_or_missing_intids_has_no_effect(void **state)
{
	struct harness *h = mk();
	static const uint64_t vals[] = { 1020, 1021, 1022, 1023, VGIC_SPI_BASE + NS, 5000, 8192,
					 0xffffff, 0xffffffffffffffffULL };

	(void)state;
	h_cfg(h, 0, SPI_A, 0x40, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI_A, true), HV_OK);
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		assert_int_equal(vgic_sysreg_dir(&h->vm, 0, vals[i]), HV_OK);
	assert_true(h_state(h, 0, SPI_A).active);
	assert_int_equal(vgic_sysreg_dir(NULL, 0, SPI_A), HV_EINVAL);
	assert_int_equal(vgic_sysreg_dir(&h->vm, NV, SPI_A), HV_ERANGE);
	h_finish(h);
}

static void dir_trap_under_tdir_ends_an_interrupt_left_out_of_the_lrs(void **state)
{
	struct harness *h = mk();
	uint32_t taken[NL + 2];
	unsigned traps = 0;

	(void)state;
	/* EOImode 1, more active interrupts than LRs: the entry sets TDIR and the guest's DIR for
	 * an interrupt in no LR traps; the arch passes the register value to vgic_sysreg_dir. */
	icv_set_eoimode(&h->cpu[0], true);
	for (uint32_t i = 0; i < NL + 2; i++) {
		h_cfg(h, 0, SPI_A + i, (uint8_t)(0x80 - 8 * i), VGIC_EDGE);
		assert_int_equal(vgic_inject(&h->vm, 0, SPI_A + i, true), HV_OK);
	}
	for (uint32_t i = 0; i < NL + 2; i++) {
		h_enter(h, 0);
		taken[i] = h_ack(h, 0);
		h_eoi(h, 0, taken[i]);
		h_exit(h, 0);
	}
	h_enter(h, 0);
	assert_true(h->cpu[0].hcr & ICH_HCR_TDIR);
	for (uint32_t i = 0; i < NL + 2; i++) {
		if (icv_dir(&h->cpu[0], taken[i]) == ICV_DIR_TRAPPED) {
			traps++;
			h_exit(h, 0);
			assert_int_equal(vgic_sysreg_dir(&h->vm, 0, taken[i]), HV_OK);
			h_enter(h, 0);
		}
	}
	h_exit(h, 0);
	assert_true(traps >= 2);
	for (uint32_t i = 0; i < NL + 2; i++)
		assert_false(h_state(h, 0, SPI_A + i).active);
	h_finish(h);
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(target_list_selects_vcpus_by_aff0_within_the_cluster),
		T(sgi_to_self_is_allowed_with_a_target_list),
		T(affinity_levels_two_and_three_must_match_too),
		T(range_selector_reaches_aff0_beyond_fifteen),
		T(irm_broadcasts_to_every_vcpu_but_the_sender),
		T(garbage_values_only_ever_make_sgis_pending),
		T(the_intid_field_is_four_bits_and_res0_bits_are_ignored),
		T(sgi1r_delivers_either_group_sgi0r_and_asgi1r_only_group_0),
		T(an_sgi_to_a_disabled_interrupt_waits_pending_until_enabled),
		T(an_sgi_kicks_its_target_and_is_taken_once),
		T(sgi_host_errors_return_hv_codes),
		T(dir_deactivates_the_named_interrupt_and_ignores_upper_bits),
		T(dir_of_special_or_missing_intids_has_no_effect),
		T(dir_trap_under_tdir_ends_an_interrupt_left_out_of_the_lrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

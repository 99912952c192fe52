/* test_dump.c: cmocka tests of vgic_dump(): what it prints about the distributor, redistributors,
 * ap_lists and LR shadows, and that it prints through the hook with no vgic lock held. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "gic_regs.h"

#define NV     2U
#define NS     64U
#define NL     4U
#define SPI_A  40U
#define SPI_B  41U
#define OUT_MAX (256U * 1024U)

static char out[OUT_MAX];
static size_t out_len;
static unsigned prints;
static int locks_held;
static unsigned prints_under_lock;
static unsigned longest_line;
static struct vgic_hooks hooks;
static const struct vgic_hooks *orig;

static void cap_print(void *ctx, const char *s)
{
	size_t n = strlen(s);

	(void)ctx;
	prints++;
	if (locks_held)
		prints_under_lock++;
	if (n > longest_line)
		longest_line = (unsigned)n;
	assert_true(n > 0 && s[n - 1] == '\n');
	if (out_len + n < OUT_MAX) {
		memcpy(out + out_len, s, n);
		out_len += n;
		out[out_len] = '\0';
	}
}

static void track_lock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	(void)l;
	locks_held++;
}

static void track_unlock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	(void)l;
	locks_held--;
}

static struct harness *mk(bool with_print)
{
	struct harness *h = h_mk(NV, NS, NL);

	orig = h->vm.hooks;
	hooks = *orig;
	hooks.print = with_print ? cap_print : NULL;
	hooks.lock = track_lock;
	hooks.unlock = track_unlock;
	h->vm.hooks = &hooks;
	out_len = 0;
	out[0] = '\0';
	prints = prints_under_lock = longest_line = 0;
	locks_held = 0;
	return h;
}

static void expect(const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("dump lacks \"%s\"; it was:\n%s", needle, out);
}

static void expect_not(const char *needle)
{
	if (strstr(out, needle))
		fail_msg("dump has \"%s\"; it was:\n%s", needle, out);
}

static void dump_shows_distributor_redistributors_and_idle_state(void **state)
{
	struct harness *h = mk(true);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 1, 1, GICR_WAKER, 4, true, &v), VGIC_MMIO_OK);
	assert_int_equal(vgic_dump(&h->vm), HV_OK);
	expect("vgic: 2 vCPUs, 64 SPIs, priority mask 0xf8\n");
	expect("GICD: CTLR 0x00000053 TYPER 0x");
	expect("GICR0: TYPER 0x0000000000000000 WAKER 0x00000006 (asleep)");
	expect("GICR1: TYPER 0x0000000100000110 WAKER 0x00000000 (awake)");
	expect("vCPU0: mpidr 0x0000000000000000 not-loaded used_lrs 0");
	expect("vCPU1: mpidr 0x0000000000000001");
	expect("  ap_list pending (0):\n");
	/* Idle interrupts are left out. */
	expect_not("SPI ");
	expect_not("SGI ");
	assert_int_equal(prints_under_lock, 0);
	assert_int_equal(locks_held, 0);
}

static void dump_shows_interrupt_state_ap_lists_and_list_registers(void **state)
{
	struct harness *h = mk(true);
	uint64_t irouter = 1;

	(void)state;
	h_cfg(h, 0, SPI_A, 0x40, VGIC_LEVEL);
	h_cfg(h, 0, SPI_B, 0x80, VGIC_EDGE);
	h_cfg(h, 1, 20, 0x20, VGIC_LEVEL);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, GICD_IROUTER + SPI_B * 8U, 8, true, &irouter),
			 VGIC_MMIO_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_A, true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI_B, true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 1, 20, true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(vgic_dump(&h->vm), HV_OK);
	expect("  SPI 40 en pend --- level grp1 prio 0x40 irouter 0x0000000000000000 target 0 queued 0 in LR0\n");
	expect("  SPI 41 en pend --- edge grp1 prio 0x80 irouter 0x0000000000000001 target 1 queued 1\n");
	expect("  PPI 20 en pend --- level grp1 prio 0x20 target 1 queued 1\n");
	expect("vCPU0: mpidr 0x0000000000000000 loaded used_lrs 1 hw_dirty 0x00000001 hcr 0x00000001\n");
	expect("  ap_list pending (1): 40@0x40\n");
	expect("  LR0 0x5040020000000028 vINTID 40 pending prio 0x40 grp1 eoi (irq 40)\n");
	expect("  ap_list pending (2): 20@0x20 41@0x80\n");
	expect("  ap_list active (0):\n");
	/* The guest takes it: after the exit the LR is gone and the interrupt is active. */
	assert_int_equal(h_ack(h, 0), SPI_A);
	h_exit(h, 0);
	out_len = 0;
	assert_int_equal(vgic_dump(&h->vm), HV_OK);
	expect("  SPI 40 en pend act level grp1 prio 0x40");
	expect("active-on 0");
	expect("  ap_list active (1): 40@0x40\n");
	expect("stats: flushes 1 syncs 1");
	assert_int_equal(prints_under_lock, 0);
	assert_null(h_check_invariants(h));
}

static void a_long_ap_list_is_cut_short_and_lines_stay_bounded(void **state)
{
	struct harness *h = mk(true);

	(void)state;
	for (uint32_t i = 0; i < NS; i++) {
		h_cfg(h, 0, VGIC_SPI_BASE + i, 0x80, VGIC_EDGE);
		assert_int_equal(vgic_inject(&h->vm, 0, VGIC_SPI_BASE + i, true), HV_OK);
	}
	assert_int_equal(vgic_dump(&h->vm), HV_OK);
	expect("  ap_list pending (64): 32@0x80 33@0x80 34@0x80 35@0x80 36@0x80 37@0x80 38@0x80 39@0x80\n"
	       "    40@0x80 41@0x80");
	expect("    56@0x80 57@0x80 58@0x80 59@0x80 60@0x80 61@0x80 62@0x80 63@0x80 ...\n");
	expect_not("64@0x80");
	assert_true(longest_line <= 257);
	assert_int_equal(prints_under_lock, 0);
}

static void dump_reports_counters_of_register_accesses(void **state)
{
	struct harness *h = mk(true);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 1, 0x14, 4, false, &v), VGIC_MMIO_OK);
	assert_int_equal(vgic_mmio_dist_access(&h->vm, 1, GICD_CTLR, 1, false, &v), VGIC_MMIO_ABORT);
	assert_int_equal(vgic_sysreg_sgi(&h->vm, 1, VGIC_ICC_SGI1R, 1), HV_OK);
	assert_int_equal(vgic_dump(&h->vm), HV_OK);
	expect("mmio 2 reserved 1 aborts 1 sgi-writes 1\n");
}

static void dump_without_a_print_hook_or_vm_reports_it(void **state)
{
	struct harness *h = mk(false);

	(void)state;
	assert_int_equal(vgic_dump(&h->vm), HV_ENODEV);
	assert_int_equal(vgic_dump(NULL), HV_EINVAL);
	assert_int_equal(prints, 0);
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(dump_shows_distributor_redistributors_and_idle_state),
		T(dump_shows_interrupt_state_ap_lists_and_list_registers),
		T(a_long_ap_list_is_cut_short_and_lines_stay_bounded),
		T(dump_reports_counters_of_register_accesses),
		T(dump_without_a_print_hook_or_vm_reports_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

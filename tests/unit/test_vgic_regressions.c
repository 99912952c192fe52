/* test_vgic_regressions.c: one test per defect an independent review of the core found, named by
 * the rule the defect broke. Each failed before its fix; the scenario is in the comment above it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"

#define SPI(n)      (VGIC_SPI_BASE + (n))
#define NR_SPIS     32U
#define NR_LRS      4U
#define PINTID      100U
#define VTIMER_PPI  27U
#define PRIO        0x80U
#define STEPS       100U

static void raise_line(struct harness *h, uint32_t vcpu, uint32_t intid, bool high)
{
	assert_int_equal(vgic_inject(&h->vm, vcpu, intid, high), HV_OK);
}

/*
 * A HW level SPI in vCPU 0's LR is taken and ended by the guest (the CPU
 * interface deactivates the physical one). The line is still asserted, so it
 * fires again and the host raises the virtual line before vCPU 0 exits. The
 * sync used to clear line_level as "acknowledged" and erase the new
 * assertion: nothing pending, and the physical interrupt active for ever.
 */
static void hw_level_reasserted_while_its_old_lr_is_live_survives_the_sync(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, SPI(8), PRIO, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI(8), PINTID), HV_OK);
	raise_line(h, 0, SPI(8), true);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI(8));
	h_eoi(h, 0, SPI(8));
	assert_int_equal(h->nr_phys_deactivated, 1);
	raise_line(h, 0, SPI(8), true);          /* the physical interrupt fired again */
	h_exit(h, 0);
	assert_true(h_state(h, 0, SPI(8)).pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);  /* and the guest gets the new assertion */
	h_finish(h);
}

/* The same line lowered by the host while the LR is live: the old level is not given back. */
static void hw_level_lowered_while_in_lr_is_not_restored_at_sync(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, SPI(8), PRIO, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, SPI(8), PINTID), HV_OK);
	raise_line(h, 0, SPI(8), true);
	h_enter(h, 0);
	raise_line(h, 0, SPI(8), false);
	h_exit(h, 0);
	assert_false(h_state(h, 0, SPI(8)).pending);
	assert_false(h_state(h, 0, SPI(8)).queued);
	h_finish(h);
}

/*
 * GICR_ICPENDR0 on the HW-mapped virtual timer while pending: the host left
 * the physical PPI active for the guest, so withdrawing the virtual pending
 * state must deactivate it, on the owner's CPU, or the timer never fires
 * again. Out of an LR at once; in an LR at the owner's next exit.
 */
static void icpendr_on_a_pending_hw_interrupt_deactivates_the_physical_one_on_its_owner(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, VTIMER_PPI, PRIO, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, VTIMER_PPI, VTIMER_PPI), HV_OK);
	raise_line(h, 0, VTIMER_PPI, true);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, VTIMER_PPI, false), HV_OK);
	assert_int_equal(h->nr_phys_deactivated, 1);
	assert_int_equal(h->phys_deactivated[0], VTIMER_PPI);
	assert_int_equal(h->phys_deactivated_on[0], 0);
	assert_false(h_state(h, 0, VTIMER_PPI).pending);

	raise_line(h, 0, VTIMER_PPI, true);
	h_enter(h, 0);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, VTIMER_PPI, false), HV_OK);
	assert_int_equal(h->nr_phys_deactivated, 1);  /* the LR owns it until the exit */
	h_exit(h, 0);
	assert_int_equal(h->nr_phys_deactivated, 2);
	assert_int_equal(h->phys_deactivated_on[1], 0);
	assert_false(h_state(h, 0, VTIMER_PPI).pending);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	h_finish(h);
}

/* Withdrawn after the guest took it: the guest owns the activation, nothing is deactivated early. */
static void icpendr_after_the_guest_took_a_hw_interrupt_leaves_the_physical_one_alone(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, VTIMER_PPI, PRIO, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, VTIMER_PPI, VTIMER_PPI), HV_OK);
	raise_line(h, 0, VTIMER_PPI, true);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), VTIMER_PPI);
	assert_int_equal(vgic_irq_set_pending(&h->vm, 0, VTIMER_PPI, false), HV_OK);
	h_exit(h, 0);
	assert_int_equal(h->nr_phys_deactivated, 0);
	assert_true(h_state(h, 0, VTIMER_PPI).active);
	h_finish(h);
}

/*
 * vCPU 1 clears the active state of vCPU 0's HW timer PPI (GICR_ICACTIVER0 in
 * vCPU 0's frame). PPIs are banked per CPU: the hook must be told the owner,
 * vCPU 0, not whoever made the call.
 */
static void phys_deactivate_names_the_vcpu_the_interrupt_was_active_on(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, VTIMER_PPI, PRIO, VGIC_LEVEL);
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, VTIMER_PPI, VTIMER_PPI), HV_OK);
	raise_line(h, 0, VTIMER_PPI, true);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), VTIMER_PPI);
	h_exit(h, 0);
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, VTIMER_PPI, false), HV_OK);
	assert_int_equal(h->nr_phys_deactivated, 1);
	assert_int_equal(h->phys_deactivated_on[0], 0);
	h_finish(h);
}

/*
 * A guest DIR (trapped under TDIR) for an SPI that sits in another vCPU's LR:
 * it is not active on this vCPU, so architecturally the write has no effect.
 * It used to return HV_EBUSY (an UNDEF for the guest) and kick the other vCPU.
 */
static void dir_for_an_interrupt_in_another_vcpus_lr_is_a_no_op_without_a_kick(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);
	unsigned kicks;

	(void)state;
	h_cfg(h, 0, SPI(3), PRIO, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI(3), 1), HV_OK);
	raise_line(h, 1, SPI(3), true);
	h_enter(h, 1);
	kicks = h->kicks[1];
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI(3)), HV_OK);
	assert_int_equal(h->kicks[1], kicks);
	h_exit(h, 1);
	/* On its own vCPU, without the sync the arch owes first: that is the host's bug. */
	h_enter(h, 1);
	assert_int_equal(vgic_handle_dir(&h->vm, 1, SPI(3)), HV_EBUSY);
	h_exit(h, 1);
	h_finish(h);
}

/* The latch moves into the LR at entry; the state report must still say pending. */
static void get_state_reports_pending_while_the_lr_holds_it(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, SPI(1), PRIO, VGIC_EDGE);
	raise_line(h, 0, SPI(1), true);
	h_enter(h, 0);
	assert_true(h_state(h, 0, SPI(1)).pending);
	h_exit(h, 0);
	h_finish(h);
}

/* Raising a line that is already high changes nothing: no exit for the vCPU. */
static void no_kick_when_a_queued_interrupt_does_not_move(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);
	unsigned kicks;

	(void)state;
	h_cfg(h, 0, SPI(2), PRIO, VGIC_LEVEL);
	kicks = h->kicks[0];
	raise_line(h, 0, SPI(2), true);
	assert_int_equal(h->kicks[0], kicks + 1);
	for (unsigned i = 0; i < 5; i++) {
		raise_line(h, 0, SPI(2), true);
		assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI(2), true), HV_OK);
	}
	assert_int_equal(h->kicks[0], kicks + 1);
	/* A move up in priority can win an LR: that one does kick. */
	assert_int_equal(vgic_irq_set_priority(&h->vm, 0, SPI(2), PRIO / 2), HV_OK);
	assert_int_equal(h->kicks[0], kicks + 2);
	h_finish(h);
}

/*
 * The owner of a level SPI lowers its line in the resample callback. The SPI
 * was active on vCPU 0 and retargeted to vCPU 1; at the guest's EOI the sync
 * used to move it to vCPU 1 (and kick it) before the owner was asked, so
 * vCPU 1 could be handed a level the device had already withdrawn.
 */
struct lowering_owner {
	struct harness *h;
	struct irq_line line;
	bool queued_on_other_when_called;
};

static void lower_on_resample(void *o, uint32_t line)
{
	struct lowering_owner *ow = o;

	(void)line;
	ow->queued_on_other_when_called = h_state(ow->h, 0, SPI(5)).queued_on == 1;
	assert_int_equal(irq_line_lower(&ow->line), HV_OK);
}

static void resample_runs_before_the_interrupt_is_requeued_elsewhere(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);
	struct lowering_owner ow = { .h = h };
	unsigned kicks;

	(void)state;
	h_cfg(h, 0, SPI(5), PRIO, VGIC_LEVEL);
	assert_int_equal(irq_line_bind(&ow.line, vgic_spi_chip(&h->vm), 5), HV_OK);
	assert_int_equal(irq_line_set_resample(&ow.line, lower_on_resample, &ow), HV_OK);
	assert_int_equal(irq_line_raise(&ow.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI(5));
	h_exit(h, 0);
	assert_int_equal(vgic_irq_set_target(&h->vm, SPI(5), 1), HV_OK);
	kicks = h->kicks[1];
	h_enter(h, 0);
	h_eoi(h, 0, SPI(5));
	h_exit(h, 0);
	assert_false(ow.queued_on_other_when_called);
	assert_int_equal(h->kicks[1], kicks);
	assert_false(h_state(h, 0, SPI(5)).queued);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	h_finish(h);
}

/*
 * Two LRs in use, the guest inside the first handler: exit reads ELRSR (only after
 * an entry that chose; after one that kept every LR it reads the LRs alone) and the
 * LRs still live; entry rewrites nothing it already holds. Every access here is a
 * trap under nested virtualisation.
 */
static void exit_with_a_handler_running_costs_no_rewrite_at_entry(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, SPI(0), PRIO / 2, VGIC_EDGE);
	h_cfg(h, 0, SPI(1), PRIO, VGIC_EDGE);
	raise_line(h, 0, SPI(0), true);
	raise_line(h, 0, SPI(1), true);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI(0));   /* in its handler; SPI 1 waits in LR 1 */
	for (unsigned round = 0; round < 3; round++) {
		h_acc_reset(h, 0);
		h_exit(h, 0);
		/*
		 * Exit 0 folds the acknowledged LR, so entry 1 chooses again; exit 1 finds both LRs as
		 * written and keeps them, so entry 2 keeps them and exit 2 skips ELRSR.
		 */
		assert_int_equal(h_acc(h, 0, LR_ACC_ELRSR_READ), round < 2 ? 1 : 0);
		assert_int_equal(h_acc(h, 0, LR_ACC_LR_READ), 2);
		h_acc_reset(h, 0);
		h_enter(h, 0);
		assert_int_equal(h_acc_total(h, 0), 0);
	}
	h_eoi(h, 0, SPI(0));
	assert_int_equal(h_ack(h, 0), SPI(1));
	h_eoi(h, 0, SPI(1));
	h_exit(h, 0);
	assert_int_equal(h->nr_acked[0], 2);
	h_finish(h);
}

/* After vgic_vcpu_load the hardware is unknown: nothing may be skipped. */
static void vcpu_load_forgets_what_the_lrs_hold(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	h_cfg(h, 0, SPI(0), PRIO, VGIC_EDGE);
	raise_line(h, 0, SPI(0), true);
	h_enter(h, 0);
	h_exit(h, 0);
	assert_int_equal(vgic_vcpu_load(&h->vm, 0), HV_OK);
	h->cpu[0].lr[0] = 0;                     /* another vCPU used this CPU meanwhile */
	h_acc_reset(h, 0);
	h_enter(h, 0);
	assert_int_equal(h_acc(h, 0, LR_ACC_LR_WRITE), NR_LRS);
	assert_int_equal(ich_lr_vintid(h->cpu[0].lr[0]), SPI(0));
	h_exit(h, 0);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	h_finish(h);
}

/* The hypervisor reports figures per delivered interrupt: the core counts what the guest took. */
static void taken_counts_every_acknowledged_interrupt_and_nothing_else(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		h_cfg(h, 0, SPI(i), (uint8_t)(i * 8), VGIC_EDGE);
		raise_line(h, 0, SPI(i), true);
	}
	h_cfg(h, 0, SPI(20), PRIO, VGIC_EDGE);
	icv_set_pmr(&h->cpu[0], PRIO);           /* SPI 20 sits in an LR, masked: not taken */
	raise_line(h, 0, SPI(20), true);
	assert_int_equal(h_run(h, 0, STEPS), 16);
	assert_int_equal(h->vcpus[0].stats.taken, 16);
	h_finish(h);
}

/* Under NV2 the LRs are memory and ELRSR traps: exit reads the used LRs and never ELRSR. */
static void lrs_in_memory_backend_never_reads_elrsr(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);

	(void)state;
	h->cpu[0].be.lrs_in_memory = true;
	for (unsigned i = 0; i < 3; i++) {
		h_cfg(h, 0, SPI(i), (uint8_t)(PRIO + i * 8), VGIC_EDGE);
		raise_line(h, 0, SPI(i), true);
	}
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI(0));
	h_eoi(h, 0, SPI(0));
	h_acc_reset(h, 0);
	h_exit(h, 0);
	assert_int_equal(h_acc(h, 0, LR_ACC_ELRSR_READ), 0);
	assert_int_equal(h_acc(h, 0, LR_ACC_LR_READ), 3);
	assert_int_equal(h_run(h, 0, STEPS), 2);
	assert_int_equal(h->nr_acked[0], 3);
	h_finish(h);
}

/* A WFI with everything pending masked by the guest's PMR (or group enables) may sleep. */
static void should_wake_honours_the_guests_pmr_and_group_enables(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);
	uint64_t vmcr_pmr_hi = ICH_VMCR_VENG1 | ((uint64_t)PRIO << ICH_VMCR_VPMR_SHIFT);
	uint64_t vmcr_pmr_lo = ICH_VMCR_VENG1 | ((uint64_t)(PRIO / 2) << ICH_VMCR_VPMR_SHIFT);

	(void)state;
	assert_false(vgic_vcpu_should_wake(&h->vm, 0, vmcr_pmr_hi));   /* nothing queued */
	h_cfg(h, 0, SPI(1), PRIO / 2, VGIC_EDGE);
	raise_line(h, 0, SPI(1), true);
	assert_true(vgic_vcpu_should_wake(&h->vm, 0, vmcr_pmr_hi));    /* 0x40 < 0x80 */
	assert_false(vgic_vcpu_should_wake(&h->vm, 0, vmcr_pmr_lo));   /* 0x40 is not < 0x40 */
	assert_false(vgic_vcpu_should_wake(&h->vm, 0, vmcr_pmr_hi & ~ICH_VMCR_VENG1));
	assert_false(vgic_vcpu_should_wake(NULL, 0, vmcr_pmr_hi));
	assert_false(vgic_vcpu_should_wake(&h->vm, 7, vmcr_pmr_hi));
	assert_int_equal(h_run(h, 0, STEPS), 1);
	h_finish(h);
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(hw_level_reasserted_while_its_old_lr_is_live_survives_the_sync),
		T(hw_level_lowered_while_in_lr_is_not_restored_at_sync),
		T(icpendr_on_a_pending_hw_interrupt_deactivates_the_physical_one_on_its_owner),
		T(icpendr_after_the_guest_took_a_hw_interrupt_leaves_the_physical_one_alone),
		T(phys_deactivate_names_the_vcpu_the_interrupt_was_active_on),
		T(dir_for_an_interrupt_in_another_vcpus_lr_is_a_no_op_without_a_kick),
		T(get_state_reports_pending_while_the_lr_holds_it),
		T(no_kick_when_a_queued_interrupt_does_not_move),
		T(resample_runs_before_the_interrupt_is_requeued_elsewhere),
		T(exit_with_a_handler_running_costs_no_rewrite_at_entry),
		T(vcpu_load_forgets_what_the_lrs_hold),
		T(taken_counts_every_acknowledged_interrupt_and_nothing_else),
		T(lrs_in_memory_backend_never_reads_elrsr),
		T(should_wake_honours_the_guests_pmr_and_group_enables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

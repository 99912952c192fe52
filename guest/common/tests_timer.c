/* tests_timer.c: the architected per-CPU timer at a requested rate, waking from WFI on it, and the
 * ABI's paravirtual periodic timer on line 0. Rates are checked against the clock, with a tolerance for TCG. */
#include "guest.h"

#define VT_HZ          200U
#define VT_RUN_NS      (250 * NS_PER_MS)
#define PV_PERIOD_US   5000U
#define PV_RUN_NS      (250 * NS_PER_MS)
#define PV_MIN_PCT     50U     /* an edge line coalesces ticks the guest had no CPU time to take */
#define WFI_DELAY_NS   (5 * NS_PER_MS)
#define STOP_WATCH_NS  (30 * NS_PER_MS)
#define TOLERANCE_PCT  25U
#define SLACK_TICKS    2U
#define PRIO_TIMER     4U
#define L_MASKED       29U     /* an ABI line left pending under the priority mask */
#define PRIO_MASKED    12U
#define PRIO_MASK      8U      /* blocks PRIO_MASKED, lets PRIO_TIMER through */
#define WFI_SPIN_MAX   8U      /* WFI returns allowed before the timer; a spinning WFI makes hundreds */

static volatile uint32_t vt_ticks;
static uint64_t vt_period_ns, vt_next_ns;
static volatile bool vt_periodic;

static void vtimer_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&vt_ticks, 1, __ATOMIC_RELEASE);
	if (vt_periodic) {
		vt_next_ns += vt_period_ns;    /* absolute deadlines: no drift from handler latency */
		guest_arch_timer_at_ns(vt_next_ns);
	} else {
		guest_arch_timer_stop();
	}
}

bool rate_within(uint32_t got, uint64_t want)
{
	uint64_t tol = want * TOLERANCE_PCT / 100 + SLACK_TICKS;

	return got + tol >= want && got <= want + tol;
}

static void test_vtimer_rate(void)
{
	unsigned irq = guest_arch_irq_of_timer();
	uint64_t start, elapsed, want;
	uint32_t got, after_stop;

	guest_irq_register(irq, vtimer_handler, NULL);
	guest_arch_irq_configure(irq, PRIO_TIMER, true);
	guest_arch_irq_enable(irq, true);
	vt_ticks = 0;
	vt_periodic = true;
	vt_period_ns = NS_PER_S / VT_HZ;
	start = guest_arch_now_ns();
	vt_next_ns = start + vt_period_ns;
	guest_arch_timer_at_ns(vt_next_ns);
	guest_arch_local_irq_enable();
	delay_ns(VT_RUN_NS);
	guest_arch_local_irq_disable();
	got = vt_ticks;
	elapsed = guest_arch_now_ns() - start;
	vt_periodic = false;
	guest_arch_timer_stop();
	guest_arch_local_irq_enable();
	delay_ns(STOP_WATCH_NS);
	guest_arch_local_irq_disable();
	after_stop = vt_ticks - got;
	want = elapsed / vt_period_ns;
	check("vtimer_rate", rate_within(got, want) && after_stop <= 1,
	      "%u ticks in %lu ms at %u Hz (expected %lu), %u after stop", got, elapsed / NS_PER_MS, VT_HZ,
	      want, after_stop);
}

static void test_wfi_wakeup(void)
{
	uint64_t start, slept;

	vt_ticks = 0;
	vt_periodic = false;
	start = guest_arch_now_ns();
	guest_arch_timer_oneshot_ns(WFI_DELAY_NS);
	/* Masked WFI: the hypervisor sleeps on our behalf until the timer is due. */
	while (!guest_arch_irq_pending(guest_arch_irq_of_timer()) && vt_ticks == 0 &&
	       guest_arch_now_ns() - start < NS_PER_S)
		guest_arch_wait_for_interrupt();
	slept = guest_arch_now_ns() - start;
	guest_arch_local_irq_enable();
	wait_count(&vt_ticks, 1, 100 * NS_PER_MS);
	guest_arch_local_irq_disable();
	guest_arch_timer_stop();
	check("wfi_timer_wakeup", vt_ticks == 1 && slept >= WFI_DELAY_NS && slept < NS_PER_S,
	      "woke after %lu us (timer at %lu us), handler ran %u time(s)", slept / NS_PER_US,
	      WFI_DELAY_NS / NS_PER_US, vt_ticks);
}

static volatile uint32_t masked_hits;

static void masked_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&masked_hits, 1, __ATOMIC_RELEASE);
}

/*
 * WFI with only a priority-masked interrupt pending: the CPU interface would not
 * signal it, so the wait must last until the timer (unmasked) fires, not return
 * at once again and again.
 */
static void test_wfi_masked_pending_sleeps(void)
{
	unsigned irq = line_setup(L_MASKED, PRIO_MASKED, false, 0, masked_handler, NULL);
	unsigned returns = 0;
	uint64_t start, slept;

	masked_hits = 0;
	vt_ticks = 0;
	vt_periodic = false;
	guest_arch_irq_enable(irq, true);
	guest_arch_set_priority_mask(PRIO_MASK);
	hv_line(L_MASKED, HV_LINE_PULSE);
	start = guest_arch_now_ns();
	guest_arch_timer_oneshot_ns(WFI_DELAY_NS);
	while (!guest_arch_irq_pending(guest_arch_irq_of_timer()) && vt_ticks == 0 &&
	       guest_arch_now_ns() - start < NS_PER_S) {
		guest_arch_wait_for_interrupt();
		returns++;
	}
	slept = guest_arch_now_ns() - start;
	guest_arch_local_irq_enable();
	wait_count(&vt_ticks, 1, 100 * NS_PER_MS);
	guest_arch_set_priority_mask(GUEST_PRIO_LEVELS);
	wait_count(&masked_hits, 1, 100 * NS_PER_MS);
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	guest_arch_timer_stop();
	check("wfi_masked_pending_sleeps", returns <= WFI_SPIN_MAX && vt_ticks == 1 && masked_hits == 1,
	      "%u WFI returns in %lu us with a masked interrupt pending (at most %u), timer %u, masked one "
	      "delivered after unmasking %u", returns, slept / NS_PER_US, WFI_SPIN_MAX, vt_ticks, masked_hits);
}

static volatile uint32_t pv_ticks;

static void pv_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&pv_ticks, 1, __ATOMIC_RELEASE);
}

static void test_pv_timer(void)
{
	unsigned irq = line_setup(HV_LINE_TIMER, PRIO_TIMER, false, 0, pv_handler, NULL);
	uint64_t start, elapsed, want;
	long rc, rc_stop;
	uint32_t got, after_stop;

	pv_ticks = 0;
	guest_arch_irq_enable(irq, true);
	guest_arch_local_irq_enable();
	start = guest_arch_now_ns();
	rc = hv_call(HV_CALL_TIMER_PERIOD, PV_PERIOD_US, 0, 0);
	delay_ns(PV_RUN_NS);
	rc_stop = hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0);
	elapsed = guest_arch_now_ns() - start;
	got = pv_ticks;
	delay_ns(STOP_WATCH_NS);
	after_stop = pv_ticks - got;
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	want = elapsed / (PV_PERIOD_US * NS_PER_US);
	/* Never faster than asked; slower only by coalescing, when the host starves the vCPU (TCG). */
	check("pv_timer", rc == 0 && rc_stop == 0 && got * 100 >= want * PV_MIN_PCT &&
	      got <= want + want * TOLERANCE_PCT / 100 + SLACK_TICKS && after_stop <= 1,
	      "TIMER_PERIOD(%u us): %u ticks in %lu ms (expected %lu), %u after stop", PV_PERIOD_US, got,
	      elapsed / NS_PER_MS, want, after_stop);
}

void tests_timer(void)
{
	test_vtimer_rate();
	test_wfi_wakeup();
	test_wfi_masked_pending_sleeps();
	test_pv_timer();
}

/* tests_timer2.c: the layer's second per-CPU timer (arm64: the EL1 physical timer) at a requested rate,
 * and waking a WFI on the last CPU; SKIP where the layer has none. Same tolerances as tests_timer.c. */
#include "guest.h"

#define T2_HZ          200U
#define T2_RUN_NS      (250 * NS_PER_MS)
#define WFI_DELAY_NS   (5 * NS_PER_MS)
#define STOP_WATCH_NS  (30 * NS_PER_MS)
#define TAKE_WAIT_NS   (100 * NS_PER_MS)
#define WORK_WAIT_NS   (2 * NS_PER_S)
#define PRIO_TIMER     4U

static volatile uint32_t t2_ticks;
static uint64_t t2_period_ns, t2_next_ns;
static volatile bool t2_periodic;

/* A level interrupt: the handler must re-arm or stop the timer, or it fires again at once. */
static void t2_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&t2_ticks, 1, __ATOMIC_RELEASE);
	if (t2_periodic) {
		t2_next_ns += t2_period_ns;    /* absolute deadlines: no drift from handler latency */
		guest_arch_timer2_at_ns(t2_next_ns);
	} else {
		guest_arch_timer2_stop();
	}
}

static void test_timer2_rate(unsigned irq)
{
	uint64_t start, elapsed, want;
	uint32_t got, after_stop;

	guest_arch_irq_configure(irq, PRIO_TIMER, true);
	guest_arch_irq_enable(irq, true);
	t2_ticks = 0;
	t2_periodic = true;
	t2_period_ns = NS_PER_S / T2_HZ;
	start = guest_arch_now_ns();
	t2_next_ns = start + t2_period_ns;
	guest_arch_timer2_at_ns(t2_next_ns);
	guest_arch_local_irq_enable();
	delay_ns(T2_RUN_NS);
	guest_arch_local_irq_disable();
	got = t2_ticks;
	elapsed = guest_arch_now_ns() - start;
	t2_periodic = false;
	guest_arch_timer2_stop();
	guest_arch_local_irq_enable();
	delay_ns(STOP_WATCH_NS);
	guest_arch_local_irq_disable();
	after_stop = t2_ticks - got;
	guest_arch_irq_enable(irq, false);
	want = elapsed / t2_period_ns;
	check("timer2_rate", rate_within(got, want) && after_stop <= 1,
	      "%u ticks in %lu ms at %u Hz (expected %lu), %u after stop", got, elapsed / NS_PER_MS, T2_HZ,
	      want, after_stop);
}

struct wfi_result {
	unsigned irq, cpu;
	uint64_t slept;
	uint32_t ticks;
};

/* On the CPU under test: a masked WFI the hypervisor must end when the timer fires, then the tick. */
static void wfi_work(void *arg)
{
	struct wfi_result *r = arg;
	uint64_t start;

	guest_arch_local_irq_disable();
	guest_arch_irq_configure(r->irq, PRIO_TIMER, true);
	guest_arch_irq_enable(r->irq, true);
	t2_ticks = 0;
	t2_periodic = false;
	start = guest_arch_now_ns();
	guest_arch_timer2_at_ns(start + WFI_DELAY_NS);
	while (!guest_arch_irq_pending(r->irq) && t2_ticks == 0 && guest_arch_now_ns() - start < NS_PER_S)
		guest_arch_wait_for_interrupt();
	r->slept = guest_arch_now_ns() - start;
	guest_arch_local_irq_enable();
	wait_count(&t2_ticks, 1, TAKE_WAIT_NS);
	guest_arch_local_irq_disable();
	guest_arch_timer2_stop();
	guest_arch_irq_enable(r->irq, false);
	r->ticks = t2_ticks;
	r->cpu = guest_arch_cpu_id();
}

static void test_timer2_wfi(unsigned irq)
{
	/* Static: a CPU that never finishes must not write into a stack frame that is gone. */
	static struct wfi_result r;
	unsigned cpu = smp_online() - 1;   /* another vCPU's banked PPI when there is one */
	bool ran;

	r = (struct wfi_result){ .irq = irq, .cpu = GUEST_MAX_CPUS };
	ran = smp_call(cpu, wfi_work, &r, WORK_WAIT_NS);

	check("timer2_wfi_wakeup", ran && r.cpu == cpu && r.ticks == 1 && r.slept >= WFI_DELAY_NS &&
	      r.slept < NS_PER_S, "on CPU %u: woke after %lu us (timer at %lu us), handler ran %u time(s)%s",
	      cpu, r.slept / NS_PER_US, WFI_DELAY_NS / NS_PER_US, r.ticks, ran ? "" : ", work timed out");
}

void tests_timer2(void)
{
	unsigned irq;

	if (!guest_arch_timer2_irq(&irq)) {
		skip("timer2", "this layer has no second per-CPU timer");
		return;
	}
	guest_irq_register(irq, t2_handler, NULL);
	test_timer2_rate(irq);
	test_timer2_wfi(irq);
}

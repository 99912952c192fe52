/* modes.c: the non-suite modes chosen by boot arguments: an idle guest for the hypervisor's counters,
 * and faulting guests whose fault must be reported and end the run with a failure status. */
#include "guest.h"

#define IDLE_HZ      100U
#define IDLE_RUN_NS  (1 * NS_PER_S)
#define IDLE_QUIET_CALLS 2U
#define PRIO_TIMER   4U

static volatile uint32_t idle_ticks;
static uint64_t idle_next, idle_period;

static void idle_tick(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	idle_ticks++;
	idle_next += idle_period;
	guest_arch_timer_at_ns(idle_next);
}

/* WFI loop with the timer at 100 Hz. After each wake-up two ABI calls make exits with nothing in
 * flight; the hypervisor's "quiet exits" counter shows they cost no list-register access. */
void mode_idle(void)
{
	unsigned irq = guest_arch_irq_of_timer();
	uint64_t end;

	guest_irq_register(irq, idle_tick, NULL);
	guest_arch_irq_configure(irq, PRIO_TIMER, true);
	guest_arch_irq_enable(irq, true);
	idle_period = NS_PER_S / IDLE_HZ;
	idle_next = guest_arch_now_ns() + idle_period;
	end = guest_arch_now_ns() + IDLE_RUN_NS;
	guest_arch_timer_at_ns(idle_next);
	guest_arch_local_irq_enable();
	while (guest_arch_now_ns() < end) {
		guest_arch_wait_for_interrupt();
		for (unsigned i = 0; i < IDLE_QUIET_CALLS; i++)
			hv_call(HV_CALL_INFO, HV_INFO_VCPU_ID, 0, 0);
	}
	guest_arch_local_irq_disable();
	guest_arch_timer_stop();
	check("idle_ticks", idle_ticks >= IDLE_HZ / 2, "%u timer ticks in %lu ms of WFI at %u Hz", idle_ticks,
	      IDLE_RUN_NS / NS_PER_MS, IDLE_HZ);
}

void mode_fault(unsigned kind)
{
	static const char *const what[] = {
		[GUEST_FAULT_DATA] = "reading an address with nothing behind it",
		[GUEST_FAULT_EXEC] = "executing outside guest memory",
		[GUEST_FAULT_EXEC_NO_VECTOR] = "executing outside guest memory, exception vectors there too",
	};

	guest_printf("guest: fault mode: %s\n", kind <= GUEST_FAULT_EXEC_NO_VECTOR ? what[kind] : "?");
	if (!guest_arch_fault(kind))
		check("fault", false, "the access did not fault");
}

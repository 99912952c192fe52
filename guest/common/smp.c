/* smp.c: secondary CPUs for the suite: started once, then idle in wait-for-interrupt until given work.
 * Work is a function pointer in a per-CPU mailbox plus the layer's work IPI, so idle CPUs cost no exits. */
#include "guest.h"

struct mailbox {
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile uint32_t done;
};

static struct mailbox mbox[GUEST_MAX_CPUS];
static volatile uint32_t online;

static void work_ipi(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;  /* waking the CPU was the point; the loop below does the work */
}

static __attribute__((noreturn)) void secondary_loop(unsigned cpu)
{
	struct mailbox *m = &mbox[cpu];

	__atomic_add_fetch(&online, 1, __ATOMIC_RELEASE);
	for (;;) {
		void (*fn)(void *) = __atomic_load_n(&m->fn, __ATOMIC_ACQUIRE);

		if (fn) {
			guest_arch_local_irq_enable();
			fn(m->arg);
			guest_arch_local_irq_disable();
			__atomic_store_n(&m->fn, NULL, __ATOMIC_RELAXED);
			__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
			continue;
		}
		/* Masked WFI: wakes on a pending interrupt; the window below lets it be taken. */
		guest_arch_wait_for_interrupt();
		guest_arch_local_irq_enable();
		guest_arch_local_irq_disable();
	}
}

unsigned smp_boot(void)
{
	unsigned n = guest_arch_nr_cpus();
	unsigned irq = guest_arch_irq_of_ipi(SMP_WORK_IPI);

	guest_irq_register(irq, work_ipi, NULL);
	online = 1; /* this CPU */
	for (unsigned cpu = 1; cpu < n && cpu < GUEST_MAX_CPUS; cpu++) {
		uint32_t want = online + 1;

		if (guest_arch_cpu_start(cpu, secondary_loop) < 0)
			break;
		if (!wait_count(&online, want, NS_PER_S))
			break;
	}
	return online;
}

unsigned smp_online(void)
{
	return online;
}

/* Work run on the CPU being stopped: report done first, since CPU_OFF does not return. */
static void stop_work(void *arg)
{
	struct mailbox *m = arg;

	__atomic_store_n(&m->fn, NULL, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&online, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
	guest_arch_cpu_stop();
	__atomic_add_fetch(&online, 1, __ATOMIC_RELEASE); /* the layer could not stop it */
}

int smp_stop_start(unsigned cpu, uint64_t timeout_ns)
{
	uint64_t end = guest_arch_now_ns() + timeout_ns;
	uint32_t want;

	if (cpu == 0 || cpu >= online || guest_arch_cpu_state(cpu) != 1)
		return -1;
	if (!smp_call(cpu, stop_work, &mbox[cpu], timeout_ns))
		return -2;
	while (guest_arch_cpu_state(cpu) != 0)
		if (guest_arch_now_ns() >= end)
			return -3;
	want = online + 1;
	if (guest_arch_cpu_start(cpu, secondary_loop) < 0 || !wait_count(&online, want, timeout_ns))
		return -4;
	return 0;
}

bool smp_start(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct mailbox *m = &mbox[cpu];

	if (cpu == guest_arch_cpu_id() || cpu >= online)
		return false;
	m->done = 0;
	m->arg = arg;
	__atomic_store_n(&m->fn, fn, __ATOMIC_RELEASE);
	guest_arch_send_ipi(cpu, SMP_WORK_IPI);
	return true;
}

bool smp_wait(unsigned cpu, uint64_t timeout_ns)
{
	return cpu < GUEST_MAX_CPUS && wait_count(&mbox[cpu].done, 1, timeout_ns);
}

bool smp_call(unsigned cpu, void (*fn)(void *), void *arg, uint64_t timeout_ns)
{
	if (cpu == guest_arch_cpu_id()) {
		fn(arg);
		return true;
	}
	return smp_start(cpu, fn, arg) && smp_wait(cpu, timeout_ns);
}

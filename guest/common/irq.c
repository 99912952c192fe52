/* irq.c: the suite's interrupt handler table and the dispatch the arch layer calls after acknowledge.
 * Counts every delivery per irq, so a test can tell "not delivered" from "delivered to nobody". */
#include "guest.h"

struct handler {
	guest_irq_fn fn;
	void *arg;
};

static struct handler handlers[GUEST_MAX_IRQ];
static volatile uint64_t counts[GUEST_MAX_IRQ];
static volatile uint64_t unhandled;
static volatile bool defer[GUEST_MAX_CPUS];

void guest_irq_register(unsigned irq, guest_irq_fn fn, void *arg)
{
	if (irq >= GUEST_MAX_IRQ)
		return;
	handlers[irq].arg = arg;
	__atomic_store_n(&handlers[irq].fn, fn, __ATOMIC_RELEASE);
}

uint64_t guest_irq_count(unsigned irq)
{
	return irq < GUEST_MAX_IRQ ? __atomic_load_n(&counts[irq], __ATOMIC_ACQUIRE) : 0;
}

uint64_t guest_irq_unhandled(void)
{
	return unhandled;
}

uint64_t guest_irq_total(void)
{
	uint64_t t = __atomic_load_n(&unhandled, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < GUEST_MAX_IRQ; i++)
		t += __atomic_load_n(&counts[i], __ATOMIC_ACQUIRE);
	return t;
}

void guest_irq_dispatch(unsigned irq)
{
	guest_irq_fn fn;

	if (irq >= GUEST_MAX_IRQ) {
		__atomic_add_fetch(&unhandled, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&counts[irq], 1, __ATOMIC_RELEASE);
	fn = __atomic_load_n(&handlers[irq].fn, __ATOMIC_ACQUIRE);
	if (fn)
		fn(irq, handlers[irq].arg);
	else
		__atomic_add_fetch(&unhandled, 1, __ATOMIC_RELAXED);
}

void guest_irq_defer_deactivate(void)
{
	defer[guest_arch_cpu_id()] = true;
}

bool guest_irq_take_deferred(void)
{
	unsigned cpu = guest_arch_cpu_id();
	bool d = defer[cpu];

	defer[cpu] = false;
	return d;
}

unsigned line_setup(unsigned line, unsigned prio, bool level, unsigned cpu, guest_irq_fn fn, void *arg)
{
	unsigned irq = guest_arch_irq_of_line(line);

	guest_arch_irq_enable(irq, false);
	guest_arch_irq_configure(irq, prio, level);
	guest_arch_irq_route(irq, cpu);
	guest_irq_register(irq, fn, arg);
	return irq;
}

/* mode_sgi_stress.c: "sgi-stress[=N]": every CPU sends SGIs to the next one round a ring until N have
 * been sent in all, each sender waiting for its previous one to arrive; each must arrive exactly once. */
#include "guest.h"

#define STRESS_DEFAULT  1000000U
#define STRESS_IPI_BASE 6U                 /* sender s uses IPI 6 + s: two senders never coalesce */
#define PRIO_STRESS     4U
#define ACK_NS          (2 * NS_PER_S)     /* one SGI, checkpoints and all */
#define SETUP_NS        (500 * NS_PER_MS)
#define FINISH_NS       (3600 * NS_PER_S)
#define PROGRESS_EVERY  100000U

static volatile uint32_t received[GUEST_MAX_CPUS];  /* by sender */
static volatile uint32_t sent[GUEST_MAX_CPUS];
static volatile uint32_t misdelivered;
static uint32_t quota[GUEST_MAX_CPUS];
static unsigned ring;

static unsigned next_cpu(unsigned cpu)
{
	return (cpu + 1U) % ring;
}

static void stress_handler(unsigned irq, void *arg)
{
	unsigned sender = (unsigned)(uintptr_t)arg;

	(void)irq;
	if (guest_arch_cpu_id() != next_cpu(sender))
		__atomic_add_fetch(&misdelivered, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&received[sender], 1, __ATOMIC_RELEASE);
}

/* SGIs are banked per CPU: each CPU enables the ones it receives. */
static void setup_local(void *arg)
{
	(void)arg;
	for (unsigned s = 0; s < ring; s++) {
		unsigned irq = guest_arch_irq_of_ipi(STRESS_IPI_BASE + s);

		guest_arch_irq_configure(irq, PRIO_STRESS, false);
		guest_arch_irq_enable(irq, true);
	}
}

static void sender(void *arg)
{
	unsigned me = guest_arch_cpu_id();

	(void)arg;
	for (uint32_t i = 0; i < quota[me]; i++) {
		guest_arch_send_ipi(next_cpu(me), STRESS_IPI_BASE + me);
		__atomic_store_n(&sent[me], i + 1U, __ATOMIC_RELEASE);
		if (!wait_count(&received[me], i + 1U, ACK_NS))
			return;   /* lost: the check below reports it */
		if (me == 0 && (i + 1U) % PROGRESS_EVERY == 0)
			guest_printf("guest: sgi-stress: %u sent by CPU 0\n", i + 1U);
	}
}

void mode_sgi_stress(const char *args)
{
	uint32_t total = STRESS_DEFAULT, all_sent = 0, all_received = 0, short_links = 0;
	uint64_t start, ms;

	(void)guest_arg_u32(args, "sgi-stress", &total);
	ring = smp_online();
	if (ring < 2 || ring > GUEST_NR_IPIS - STRESS_IPI_BASE) {
		check("sgi_stress", false, "needs 2 to %u CPUs online, has %u", GUEST_NR_IPIS - STRESS_IPI_BASE, ring);
		return;
	}
	for (unsigned s = 0; s < ring; s++) {
		guest_irq_register(guest_arch_irq_of_ipi(STRESS_IPI_BASE + s), stress_handler, (void *)(uintptr_t)s);
		quota[s] = total / ring + (s < total % ring ? 1U : 0U);
		if (!smp_call(s, setup_local, NULL, SETUP_NS)) {
			check("sgi_stress", false, "CPU %u did not set its SGIs up", s);
			return;
		}
	}
	start = guest_arch_now_ns();
	for (unsigned s = 1; s < ring; s++)
		smp_start(s, sender, NULL);
	guest_arch_local_irq_enable();
	sender(NULL);
	for (unsigned s = 1; s < ring; s++)
		smp_wait(s, FINISH_NS);
	/* The last SGI of each link may still be on its way to a CPU that stopped sending. */
	for (unsigned s = 0; s < ring; s++)
		wait_count(&received[s], sent[s], ACK_NS);
	guest_arch_local_irq_disable();
	ms = (guest_arch_now_ns() - start) / NS_PER_MS;
	for (unsigned s = 0; s < ring; s++) {
		all_sent += sent[s];
		all_received += received[s];
		if (sent[s] != quota[s] || received[s] != sent[s])
			short_links++;
	}
	check("sgi_stress", all_sent == total && all_received == all_sent && short_links == 0 && misdelivered == 0,
	      "%u CPUs in a ring: %u sent, %u received (want %u each), %u link(s) short, %u at the wrong CPU, "
	      "in %lu ms", ring, all_sent, all_received, total, short_links, misdelivered, ms);
}

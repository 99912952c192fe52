/* tests_smp.c: several vCPUs: bring-up, SGIs to self, to one other CPU and to all others (IRM),
 * an SGI ping-pong, an SPI routed to another CPU, a CPU powered off and on. Skipped with one vCPU. */
#include "guest.h"

#define DELIVER_NS  (500 * NS_PER_MS)
#define SETTLE_NS   (20 * NS_PER_MS)
#define PINGPONGS   200U
#define PRIO_SGI    6U
enum { IPI_SELF = 1, IPI_ONE = 2, IPI_ALL = 3, IPI_PING = 4, IPI_PONG = 5 };
enum { L_ROUTED = 28 };

static volatile uint32_t per_cpu_hits[GUEST_MAX_CPUS];
static volatile uint32_t ping_hits, pong_hits, routed_cpu, routed_hits;

static void count_per_cpu(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&per_cpu_hits[guest_arch_cpu_id()], 1, __ATOMIC_RELEASE);
}

static void reset_hits(void)
{
	for (unsigned i = 0; i < GUEST_MAX_CPUS; i++)
		per_cpu_hits[i] = 0;
}

/* Configure and enable an IPI on the calling CPU (SGIs are per-CPU registers). */
static void ipi_setup_local(void *arg)
{
	unsigned irq = guest_arch_irq_of_ipi((unsigned)(uintptr_t)arg);

	guest_arch_irq_configure(irq, PRIO_SGI, false);
	guest_arch_irq_enable(irq, true);
}

static bool ipi_setup_all(unsigned n, guest_irq_fn fn)
{
	bool ok = true;

	guest_irq_register(guest_arch_irq_of_ipi(n), fn, NULL);
	for (unsigned cpu = 0; cpu < smp_online(); cpu++)
		ok = smp_call(cpu, ipi_setup_local, (void *)(uintptr_t)n, DELIVER_NS) && ok;
	return ok;
}

static void test_boot(void)
{
	unsigned n = guest_arch_nr_cpus(), on = 0, unknown = 0;

	for (unsigned cpu = 0; cpu < n; cpu++) {
		int st = guest_arch_cpu_state(cpu);

		on += st == 1;
		unknown += st < 0;
	}
	if (unknown)
		check("smp_boot", smp_online() == n, "%u of %u vCPUs online (no firmware power state here)",
		      smp_online(), n);
	else
		check("smp_boot", smp_online() == n && on == n,
		      "%u of %u vCPUs online, the firmware reports %u on", smp_online(), n, on);
}

static volatile uint32_t ran_on;

static void record_cpu(void *arg)
{
	(void)arg;
	ran_on = guest_arch_cpu_id();
}

/* CPU_OFF then CPU_ON again: the vCPU's state is put away and loaded again by the hypervisor. */
static void test_off_on(void)
{
	unsigned cpu = smp_online() - 1;
	int rc;
	bool worked;

	if (guest_arch_cpu_state(cpu) < 0) {
		skip("cpu_off_on", "no CPU power control on this architecture");
		return;
	}
	rc = smp_stop_start(cpu, DELIVER_NS);
	ran_on = GUEST_MAX_CPUS;
	worked = rc == 0 && smp_call(cpu, record_cpu, NULL, DELIVER_NS);
	check("cpu_off_on", worked && ran_on == cpu,
	      "vCPU %u powered off and on again (rc %d), then ran work on vCPU %u", cpu, rc, ran_on);
}

static void test_sgi_self(void)
{
	ipi_setup_all(IPI_SELF, count_per_cpu);
	reset_hits();
	guest_arch_local_irq_enable();
	guest_arch_send_ipi(0, IPI_SELF);
	wait_count(&per_cpu_hits[0], 1, DELIVER_NS);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	check("sgi_self", per_cpu_hits[0] == 1, "SGI %u to self delivered %u time(s)", IPI_SELF, per_cpu_hits[0]);
}

static void test_sgi_one(void)
{
	unsigned target = smp_online() - 1, others = 0;

	ipi_setup_all(IPI_ONE, count_per_cpu);
	reset_hits();
	guest_arch_send_ipi(target, IPI_ONE);
	wait_count(&per_cpu_hits[target], 1, DELIVER_NS);
	delay_ns(SETTLE_NS);
	for (unsigned cpu = 0; cpu < smp_online(); cpu++)
		if (cpu != target)
			others += per_cpu_hits[cpu];
	check("sgi_other_cpu", per_cpu_hits[target] == 1 && others == 0,
	      "SGI %u to vCPU %u delivered %u time(s) there, %u elsewhere", IPI_ONE, target,
	      per_cpu_hits[target], others);
}

static void test_sgi_broadcast(void)
{
	unsigned got = 0;

	ipi_setup_all(IPI_ALL, count_per_cpu);
	reset_hits();
	guest_arch_local_irq_enable();
	guest_arch_send_ipi_others(IPI_ALL);
	for (unsigned cpu = 1; cpu < smp_online(); cpu++)
		wait_count(&per_cpu_hits[cpu], 1, DELIVER_NS);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	for (unsigned cpu = 1; cpu < smp_online(); cpu++)
		got += per_cpu_hits[cpu] == 1;
	check("sgi_broadcast_irm", got == smp_online() - 1 && per_cpu_hits[0] == 0,
	      "IRM SGI %u reached %u of %u other vCPUs once each; sender got %u", IPI_ALL, got,
	      smp_online() - 1, per_cpu_hits[0]);
}

/* Ping-pong: CPU 0 pings the last CPU, whose handler pongs back; each round waits for the last. */
static void ping_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&ping_hits, 1, __ATOMIC_RELEASE);
	guest_arch_send_ipi(0, IPI_PONG);
}

static void pong_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&pong_hits, 1, __ATOMIC_RELEASE);
}

static void test_pingpong(void)
{
	unsigned target = smp_online() - 1;
	uint64_t start = guest_arch_now_ns();
	uint32_t i;

	ipi_setup_all(IPI_PING, ping_handler);
	ipi_setup_all(IPI_PONG, pong_handler);
	ping_hits = pong_hits = 0;
	guest_arch_local_irq_enable();
	for (i = 0; i < PINGPONGS; i++) {
		guest_arch_send_ipi(target, IPI_PING);
		if (!wait_count(&pong_hits, i + 1, DELIVER_NS))
			break;
	}
	guest_arch_local_irq_disable();
	check("sgi_pingpong", ping_hits == PINGPONGS && pong_hits == PINGPONGS,
	      "%u round trips vCPU 0 <-> vCPU %u in %lu ms (pings %u, pongs %u)", i, target,
	      (guest_arch_now_ns() - start) / NS_PER_MS, ping_hits, pong_hits);
}

static void routed_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	routed_cpu = guest_arch_cpu_id();
	__atomic_add_fetch(&routed_hits, 1, __ATOMIC_RELEASE);
}

static void test_spi_routing(void)
{
	unsigned target = smp_online() - 1;
	unsigned irq = line_setup(L_ROUTED, PRIO_SGI, false, target, routed_handler, NULL);
	unsigned first_cpu;

	routed_hits = 0;
	routed_cpu = GUEST_MAX_CPUS;
	guest_arch_irq_enable(irq, true);
	hv_line(L_ROUTED, HV_LINE_PULSE);
	wait_count(&routed_hits, 1, DELIVER_NS);
	first_cpu = routed_cpu;
	/* Route it back to CPU 0 and deliver again. */
	guest_arch_irq_route(irq, 0);
	guest_arch_local_irq_enable();
	hv_line(L_ROUTED, HV_LINE_PULSE);
	wait_count(&routed_hits, 2, DELIVER_NS);
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	check("spi_routing", routed_hits == 2 && first_cpu == target && routed_cpu == 0,
	      "line %u routed to vCPU %u was handled on vCPU %u, re-routed to vCPU 0 handled on %u", L_ROUTED,
	      target, first_cpu, routed_cpu);
}

void tests_smp(void)
{
	test_boot();
	test_sgi_self();
	if (smp_online() < 2) {
		skip("sgi_other_cpu", "one vCPU");
		skip("sgi_broadcast_irm", "one vCPU");
		skip("sgi_pingpong", "one vCPU");
		skip("spi_routing", "one vCPU");
		skip("cpu_off_on", "one vCPU");
		return;
	}
	test_sgi_one();
	test_sgi_broadcast();
	test_pingpong();
	test_spi_routing();
	test_off_on();
}

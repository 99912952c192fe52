/* scale.c: the scaling run (boot argument "scale"): every vCPU takes the VMM's scale device's level
 * interrupts (source i = GSI 1 + i, routed to vCPU i) and EOIs them; counts and latency per vCPU. */
#include "native.h"
#include "suite.h"

/* A vector per source: an x86 EOI names only a vector, and the IOAPIC ends every level pin that uses it;
 * a shared vector would let one vCPU's EOI lower another's line before its interrupt was taken. */
#define S_VECTOR0    0x80U
#define S_TICK_VEC   0x40U    /* each vCPU's own periodic LAPIC timer, as a guest kernel's tick */
#define S_TICK_NS    4000000U /* 250 Hz (Linux's default HZ) */
#define S_GSI0       1U
#define S_WINDOW_MS  2000U
#define S_SETTLE_MS  200U     /* after "@@scale stop": what is outstanding completes */
/* Latency buckets: 1 us each below S_FINE_US, then S_COARSE_US each up to about 66 ms; the last one
 * holds everything slower. */
#define S_FINE_US    1024U
#define S_COARSE_US  64U
#define S_BUCKETS    (S_FINE_US + 1024U)
#define NS_PER_US    1000U
#define NS_PER_MS    1000000ULL

static volatile uint32_t hits[G_MAX_CPUS], ticks[G_MAX_CPUS];
static volatile uint32_t hist[G_MAX_CPUS][S_BUCKETS];
static volatile uint32_t merged[S_BUCKETS];
static volatile uint32_t strays;
static volatile unsigned done;

static unsigned bucket_of(uint64_t us)
{
	uint64_t b = us < S_FINE_US ? us : S_FINE_US + (us - S_FINE_US) / S_COARSE_US;

	return b < S_BUCKETS ? (unsigned)b : S_BUCKETS - 1U;
}

/* The lower edge of bucket b, in us. */
static unsigned us_of(unsigned b)
{
	return b < S_FINE_US ? b : S_FINE_US + (b - S_FINE_US) * S_COARSE_US;
}

/* The VMM wrote the raise time (guest TSC) before raising; it raises again only after this EOI. */
static void scale_handler(unsigned v, struct g_frame *f)
{
	const volatile uint64_t *raised = (const volatile uint64_t *)G_SCALE_PAGE;
	unsigned c = v - S_VECTOR0;
	uint64_t now = g_rdtsc(), t = raised[c];
	uint64_t us = now > t ? g_tsc_to_ns(now - t) / NS_PER_US : 0;

	(void)f;
	if (c != g_cpu())
		strays++;   /* routed to vCPU c, taken elsewhere */
	hist[c][bucket_of(us)]++;
	hits[c]++;
	lapic_eoi();   /* the device lowers its line at this EOI (its resample) */
}

static void tick_handler(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	ticks[g_cpu()]++;
	lapic_eoi();
}

/* Every vCPU, for itself: the tick in periodic mode (the LAPIC counts at 1 GHz before the divider). */
void scale_cpu_setup(void)
{
	g_set_handler(S_TICK_VEC, tick_handler);
	lapic_w(G_LAPIC_TIMER_DCR, G_DCR_DIV1);
	lapic_w(G_LAPIC_LVT_TIMER, G_LVT_PERIODIC | S_TICK_VEC);
	lapic_w(G_LAPIC_TIMER_INIT, S_TICK_NS);
}

/* An AP in the scaling run idles in HLT with interrupts on, as an idle guest CPU does. */
void scale_ap_idle(void)
{
	scale_cpu_setup();
	while (!done)
		g_sti_hlt();
	g_cli();
	lapic_w(G_LAPIC_TIMER_INIT, 0);
	for (;;)
		g_sti_hlt();
}

static unsigned pct(uint64_t total, unsigned p)
{
	uint64_t want = (total * p + 99U) / 100U, seen = 0;

	for (unsigned b = 0; b < S_BUCKETS; b++) {
		seen += merged[b];
		if (seen >= want && want)
			return us_of(b);
	}
	return us_of(S_BUCKETS - 1U);
}

static void idle_ms(unsigned ms)
{
	uint64_t end = g_rdtsc() + g_ns_to_tsc(ms * NS_PER_MS);

	while (g_rdtsc() < end)
		g_sti_hlt();
}

void scale_run(void)
{
	unsigned n = g_env.nr_cpus;
	uint64_t total = 0, nticks = 0;

	for (unsigned i = 0; i < n; i++) {
		g_set_handler(S_VECTOR0 + i, scale_handler);
		ioapic_route(S_GSI0 + i, S_VECTOR0 + i, G_RTE_LEVEL, i);
	}
	scale_cpu_setup();
	g_print("@@scale start\n");
	g_print("@@mark scale-start\n");
	idle_ms(S_WINDOW_MS);
	g_print("@@scale stop\n");
	idle_ms(S_SETTLE_MS);
	g_cli();
	g_print("@@mark scale-end\n");
	done = 1;
	lapic_w(G_LAPIC_TIMER_INIT, 0);
	for (unsigned i = 0; i < n; i++)
		ioapic_mask(S_GSI0 + i);
	for (unsigned i = 0; i < n; i++) {
		g_print("scale: cpu=%u delivered=%u ticks=%u\n", i, hits[i], ticks[i]);
		total += hits[i];
		nticks += ticks[i];
		for (unsigned b = 0; b < S_BUCKETS; b++)
			merged[b] += hist[i][b];
	}
	g_print("scale: vcpus=%u delivered=%lu ticks=%lu window-ms=%u latency-us p50=%u p90=%u p99=%u "
		"(last bucket %u+) wrong-cpu=%u\n", n, total, nticks, S_WINDOW_MS, pct(total, 50), pct(total, 90),
		pct(total, 99), us_of(S_BUCKETS - 1U), strays);
}

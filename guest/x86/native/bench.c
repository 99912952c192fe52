/* bench.c: the x86 measurements (boot argument "bench"): guest-raised line to handler latency, and
 * exits per device interrupt and per timer tick, bracketed by "@@mark" lines the VMM counts at. */
#include "native.h"
#include "suite.h"

#define B_LINE      9U
#define B_VECTOR    0x59U
#define B_TICK_VEC  0x31U
#define B_DEV_N     2000U
#define B_TICKS     500U
#define B_PERIOD_US 1000U
#define B_WAIT_MS   1000U

static volatile uint64_t t_handler;
static volatile unsigned dev_hits, tick_hits;
static uint64_t lat[B_DEV_N];

static void dev_handler(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	t_handler = g_rdtsc();
	dev_hits++;
	lapic_eoi();
}

static void tick_handler(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	tick_hits++;
	lapic_eoi();
}

static void sort(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = a[i];
		unsigned j = i;

		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

void bench_run(void)
{
	unsigned ok = 0;

	g_set_handler(B_VECTOR, dev_handler);
	ioapic_route(B_LINE, B_VECTOR, 0, 0);
	/* Device interrupts: raise a line through the ABI, wait for the handler, B_DEV_N times. */
	g_print("@@mark device-start\n");
	for (unsigned i = 0; i < B_DEV_N; i++) {
		unsigned want = dev_hits + 1;
		uint64_t t0;

		g_sti();
		t0 = g_rdtsc();
		hv_call(HV_CALL_LINE_SET, B_LINE, HV_LINE_PULSE, 0);
		while (dev_hits < want)
			g_pause();
		g_cli();
		lat[ok++] = t_handler - t0;
	}
	g_print("@@mark device-end\n");
	ioapic_mask(B_LINE);
	sort(lat, ok);
	g_print("bench: device-latency-ns median=%lu p90=%lu p99=%lu max=%lu n=%u\n", g_tsc_to_ns(lat[ok / 2]),
		g_tsc_to_ns(lat[ok * 9 / 10]), g_tsc_to_ns(lat[ok * 99 / 100]), g_tsc_to_ns(lat[ok - 1]), ok);
	/* Timer ticks: the PV timer at 1 kHz while the vCPU sleeps in HLT between ticks. */
	g_set_handler(B_TICK_VEC, tick_handler);
	ioapic_route(HV_LINE_TIMER, B_TICK_VEC, 0, 0);
	g_print("@@mark ticks-start\n");
	hv_call(HV_CALL_TIMER_PERIOD, B_PERIOD_US, 0, 0);
	while (tick_hits < B_TICKS)
		g_sti_hlt();
	g_cli();
	hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0);
	g_print("@@mark ticks-end\n");
	ioapic_mask(HV_LINE_TIMER);
	g_print("bench: device-interrupts=%u ticks=%u\n", B_DEV_N, B_TICKS);
}

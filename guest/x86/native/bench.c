/* bench.c: the x86 measurements (boot argument "bench"): guest- and host-raised interrupt to handler latency,
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
#define B_RAISE_N   200U    /* host-raised samples: one PV timer tick each */
#define B_RAISE_US  2000U   /* far longer than a tick's latency, so no second raise comes first */
#define B_LINE_N    100U    /* device samples split at the VMM's raise: checks the two clocks agree */
#define B_LEVEL_LINE 10U    /* level-triggered: raised by the guest, lowered by its handler, then EOI */
#define B_LEVEL_VEC 0x5AU
#define B_LEVEL_N   1000U

static volatile uint64_t t_handler, t_tick;
static volatile unsigned dev_hits, tick_hits, level_hits;
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
	t_tick = g_rdtsc();
	tick_hits++;
	lapic_eoi();
}

/* The device is cleared before the EOI, as a level handler must: the EOI finds the line low. */
static void level_handler(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	level_hits++;
	hv_call(HV_CALL_LINE_SET, B_LEVEL_LINE, HV_LINE_LOWER, 0);
	lapic_eoi();
}

/*
 * Level interrupts: raise, the handler lowers and EOIs. The span's exits by cause give the cost of the
 * level EOI itself per mode: our LAPIC's EOI write (userspace), KVM_EXIT_IOAPIC_EOI (split), none
 * (in-kernel). Deliveries are counted too: a host that ends vectors early may deliver one twice.
 */
static void bench_level(void)
{
	g_set_handler(B_LEVEL_VEC, level_handler);
	ioapic_route(B_LEVEL_LINE, B_LEVEL_VEC, G_RTE_LEVEL, 0);
	g_print("@@mark level-start\n");
	for (unsigned i = 0; i < B_LEVEL_N; i++) {
		unsigned want = level_hits + 1;

		g_sti();
		hv_call(HV_CALL_LINE_SET, B_LEVEL_LINE, HV_LINE_RAISE, 0);
		while (level_hits < want)
			g_pause();
		g_cli();
	}
	g_print("@@mark level-end\n");
	ioapic_mask(B_LEVEL_LINE);
	g_print("bench: level-interrupts=%u deliveries=%u\n", B_LEVEL_N, level_hits);
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

/*
 * Host-raised latency: the VMM raises the PV timer line from its event thread and notes its TSC; the
 * handler notes the guest's. One tick per arming (stopped once taken), so the VMM's last raise is the
 * one this handler answers; the "@@tsc" line that reports it comes after, outside the measured span.
 */
static void bench_host_raised(void)
{
	for (unsigned i = 0; i < B_RAISE_N; i++) {
		unsigned want = tick_hits + 1;

		hv_call(HV_CALL_TIMER_PERIOD, B_RAISE_US, 0, 0);
		while (tick_hits < want)
			g_sti_hlt();
		g_cli();
		hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0);
		g_print("@@tsc irq %lu\n", t_tick);
	}
}

/*
 * The clock check: a guest-raised device interrupt split at the VMM's raise. Guest to VMM and VMM to
 * handler must both come out positive; if the VMM's idea of the guest's TSC were off by more than
 * one of them, one would not be.
 */
static void bench_clock_check(void)
{
	for (unsigned i = 0; i < B_LINE_N; i++) {
		unsigned want = dev_hits + 1;
		uint64_t t0;

		g_sti();
		t0 = g_rdtsc();
		hv_call(HV_CALL_LINE_SET, B_LINE, HV_LINE_PULSE, 0);
		while (dev_hits < want)
			g_pause();
		g_cli();
		g_print("@@tsc line %lu %lu\n", t0, t_handler);
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
	bench_clock_check();
	ioapic_mask(B_LINE);
	bench_level();
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
	bench_host_raised();
	ioapic_mask(HV_LINE_TIMER);
	g_print("bench: device-interrupts=%u ticks=%u\n", B_DEV_N, B_TICKS);
}

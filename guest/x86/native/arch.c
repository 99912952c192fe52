/* arch.c: the native x86 checks' interrupt dispatch, console printing and time-bounded waits.
 * Unclaimed vectors are counted as strays and ended; a real CPU exception ends the run with a report. */
#include <stdarg.h>
#include "minilib.h"
#include "native.h"

#define FIRST_IRQ_VECTOR 32U
#define PRINT_MAX 256U
#define CALIB_TSC_SPIN 20000000ULL
#define CALIB_VECTOR 0xEFU
#define NS_PER_MS 1000000ULL
#define TIMER_HZ_FALLBACK 1000000000ULL

#define IDT_ENTRIES 256U

static g_handler handlers[IDT_ENTRIES];
volatile unsigned g_stray[256];
volatile unsigned g_stray_total;
static uint64_t tsc_per_ms = TIMER_HZ_FALLBACK / 1000U;

void g_set_handler(unsigned vector, g_handler h)
{
	handlers[vector & 0xFFU] = h;
}

void g_halt(unsigned status)
{
	for (;;)
		hv_call(HV_CALL_HALT, status, 0, 0);
}

void x86_isr(struct g_frame *f);
void x86_isr(struct g_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (handlers[v]) {
		handlers[v](v, f);
		return;
	}
	/* No owner: an interrupt (its ISR bit is set) is a stray, counted and ended. A vector below 32
	 * with no ISR bit is a real exception: report and stop. */
	if (lapic_in_service(v)) {
		g_stray[v]++;
		g_stray_total++;
		lapic_eoi();
		return;
	}
	if (v >= FIRST_IRQ_VECTOR || v == 2U) {   /* PIC-delivered (no LAPIC ISR) or NMI */
		g_stray[v]++;
		g_stray_total++;
		return;
	}
	g_print("FATAL: cpu %u exception %u err=%lx rip=%lx\n", g_cpu(), v, f->error, f->rip);
	g_halt(3);
}

/* ---- printing: one CONSOLE_WRITE per call ---- */

void g_print(const char *fmt, ...)
{
	char buf[PRINT_MAX];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	n = minilib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hv_call(HV_CALL_CONSOLE_WRITE, (uint64_t)(uintptr_t)buf, n, 0);
}

/* ---- time: the TSC, calibrated once against the LAPIC timer's current count (1 GHz bus) ---- */

void g_calibrate(void)
{
	uint32_t c0, c1;
	uint64_t t0, t1;

	/* Two reads of the current count around a TSC spin: two exits, not one per poll. */
	lapic_w(G_LAPIC_TIMER_DCR, G_DCR_DIV1);
	lapic_w(G_LAPIC_LVT_TIMER, G_LVT_MASKED | CALIB_VECTOR);
	lapic_w(G_LAPIC_TIMER_INIT, 0xFFFFFFFFU);
	c0 = lapic_r(G_LAPIC_TIMER_CUR);
	t0 = g_rdtsc();
	while (g_rdtsc() - t0 < CALIB_TSC_SPIN)
		g_pause();
	c1 = lapic_r(G_LAPIC_TIMER_CUR);
	t1 = g_rdtsc();
	lapic_w(G_LAPIC_TIMER_INIT, 0);
	if (c0 > c1 && t1 > t0)
		tsc_per_ms = (t1 - t0) * NS_PER_MS / (c0 - c1);   /* the count falls once per ns */
}

uint64_t g_ns_to_tsc(uint64_t ns) { return ns / 1000000ULL * tsc_per_ms; }

void g_spin_ms(unsigned ms)
{
	uint64_t end = g_rdtsc() + ms * tsc_per_ms;

	while (g_rdtsc() < end)
		g_pause();
}

bool g_wait(volatile unsigned *counter, unsigned want, unsigned ms)
{
	uint64_t end = g_rdtsc() + ms * tsc_per_ms;

	g_sti();
	while (*counter < want && g_rdtsc() < end)
		g_pause();
	g_cli();
	return *counter >= want;
}

uint64_t g_tsc_to_ns(uint64_t tsc)
{
	return (tsc / tsc_per_ms) * NS_PER_MS + ((tsc % tsc_per_ms) * NS_PER_MS) / tsc_per_ms;
}

bool g_has_word(const char *args, const char *word)
{
	return minilib_has_word(args, word);
}

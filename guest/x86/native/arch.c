/* arch.c: the native x86 checks' interrupt dispatch, console printing and time-bounded waits.
 * Unclaimed vectors are counted as strays and ended; a real CPU exception ends the run with a report. */
#include <stdarg.h>
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

void *g_memset(void *d, int c, unsigned long n)
{
	volatile uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

/* gcc may emit calls to these for struct copies and zeroing. */
void *memset(void *d, int c, unsigned long n) { return g_memset(d, c, n); }
void *memcpy(void *d, const void *s, unsigned long n)
{
	uint8_t *o = d;
	const uint8_t *i = s;

	while (n--)
		*o++ = *i++;
	return d;
}

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

struct buf {
	char s[PRINT_MAX];
	unsigned n;
};

static void put(struct buf *b, char c)
{
	if (b->n < PRINT_MAX)
		b->s[b->n++] = c;
}

static void put_num(struct buf *b, uint64_t v, unsigned base, int width)
{
	char t[24];
	int n = 0;

	do {
		t[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		put(b, '0');
	while (n)
		put(b, t[--n]);
}

void g_print(const char *fmt, ...)
{
	struct buf b = { .n = 0 };
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		int width = 0;
		bool lng = false;

		if (*p != '%') {
			put(&b, *p);
			continue;
		}
		p++;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		if (*p == 'l') {
			lng = true;
			p++;
		}
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (*s)
				put(&b, *s++);
			break;
		}
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			if (v < 0) {
				put(&b, '-');
				v = -v;
			}
			put_num(&b, (uint64_t)v, 10, width);
			break;
		}
		case 'u':
			put_num(&b, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width);
			break;
		case 'x':
			put_num(&b, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width);
			break;
		default:
			put(&b, *p);
			break;
		}
	}
	va_end(ap);
	hv_call(HV_CALL_CONSOLE_WRITE, (uint64_t)(uintptr_t)b.s, b.n, 0);
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
	for (const char *p = args; *p;) {
		const char *w = word;

		while (*p == ' ')
			p++;
		while (*w && *p == *w) {
			p++;
			w++;
		}
		if (!*w && (*p == ' ' || !*p))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

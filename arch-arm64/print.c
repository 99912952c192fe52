/* print.c: console output for the hypervisor: a PL011 transmit path and a small printf.
 * One lock serialises lines from all CPUs; the guest shares the UART, so hypervisor lines start with "hyp:". */
#include <stdarg.h>
#include "hyp.h"
#include "platform.h"
#include "spinlock.h"

#define PL011_DR         0x000U
#define PL011_FR         0x018U
#define PL011_FR_TXFF    (1U << 5)   /* transmit FIFO full */

static struct spinlock print_lock;

static void uart_putc(char c)
{
	volatile uint32_t *base = (volatile uint32_t *)platform.uart_base;

	while (base[PL011_FR / 4] & PL011_FR_TXFF)
		;
	base[PL011_DR / 4] = (uint32_t)(unsigned char)c;
}

static void puts_locked(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

void hyp_puts(const char *s)
{
	spin_lock(&print_lock);
	puts_locked(s);
	spin_unlock(&print_lock);
}

struct outbuf {
	char buf[256];
	size_t len;
};

static void out_c(struct outbuf *o, char c)
{
	if (o->len + 1 < sizeof(o->buf))
		o->buf[o->len++] = c;
}

static void out_num(struct outbuf *o, uint64_t v, unsigned base, int width, char pad, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (; width > n; width--)
		out_c(o, pad);
	while (n)
		out_c(o, tmp[--n]);
}

/* %s %c %d %u %x %p with l/ll, a width, '0' padding and '-' (strings): all the hypervisor prints. */
static void vformat(struct outbuf *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;
		bool left = false;
		char pad = ' ';

		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = 0;

			for (s = s ? s : "(null)"; *s; s++, n++)
				out_c(o, *s);
			for (; left && n < width; n++)
				out_c(o, ' ');
			break;
		}
		case 'c':
			out_c(o, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			out_num(o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			out_num(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, false);
			break;
		case 'x':
			out_num(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, false);
			break;
		case 'p':
			out_c(o, '0');
			out_c(o, 'x');
			out_num(o, (uintptr_t)va_arg(ap, void *), 16, width, pad, false);
			break;
		case '%':
			out_c(o, '%');
			break;
		default:
			out_c(o, '?');
			break;
		}
	}
	o->buf[o->len] = 0;
}

void hyp_printf(const char *fmt, ...)
{
	struct outbuf o;
	va_list ap;

	o.len = 0;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	hyp_puts(o.buf);
}

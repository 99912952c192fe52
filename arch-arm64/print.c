/* print.c: console output for the hypervisor: a PL011 transmit path and hyp_printf (lib/minilib formats).
 * One lock serialises lines from all CPUs; the guest shares the UART, so hypervisor lines start with "hyp:". */
#include <stdarg.h>
#include "hyp.h"
#include "platform.h"
#include "pl011.h"
#include "spinlock.h"


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

#define HYP_PRINT_BUF 256U

void hyp_printf(const char *fmt, ...)
{
	char buf[HYP_PRINT_BUF];
	va_list ap;

	va_start(ap, fmt);
	minilib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hyp_puts(buf);
}

/* print.c: guest_printf over the console; the formatting is lib/minilib's (%s %c %d %u %x %p, l/ll, width).
 * One lock keeps lines from different CPUs whole. */
#include "guest.h"

#define PRINT_BUF 256U

static struct guest_lock print_lock;

void guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	minilib_vsnprintf(buf, size, fmt, ap);
}

void guest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

void guest_printf(const char *fmt, ...)
{
	char buf[PRINT_BUF];
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	guest_lock(&print_lock);
	guest_arch_console_write(buf, strlen(buf));
	guest_unlock(&print_lock);
}

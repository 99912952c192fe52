/* minilib_format.c: minilib_vsnprintf, the one printf subset of the hypervisor and the guests.
 * Integer-only and bounded by the caller's buffer: safe in exception context and at EL2. */
#include <stdbool.h>
#include <stdint.h>
#include "minilib.h"

#define FMT_DIGITS "0123456789abcdef"
#define FMT_NUM_MAX 24U  /* a 64-bit value in decimal, with a sign */

struct fmt_out {
	char *buf;
	size_t size, len;
};

static void fmt_put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
}

static void fmt_num(struct fmt_out *o, uint64_t v, unsigned base, int width, char pad, bool neg)
{
	char tmp[FMT_NUM_MAX];
	int n = 0;

	do {
		tmp[n++] = FMT_DIGITS[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (; width > n; width--)
		fmt_put(o, pad);
	while (n)
		fmt_put(o, tmp[--n]);
}

size_t minilib_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, longs = 0, n = 0;
		bool left = false;
		char pad = ' ';

		if (*fmt != '%') {
			fmt_put(&o, *fmt);
			continue;
		}
		if (*++fmt == '-') {
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

			for (s = s ? s : "(null)"; *s; s++, n++)
				fmt_put(&o, *s);
			for (; left && n < width; n++)
				fmt_put(&o, ' ');
			break;
		}
		case 'c':
			fmt_put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			fmt_num(&o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			fmt_num(&o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, false);
			break;
		case 'x':
			fmt_num(&o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, false);
			break;
		case 'p':
			fmt_put(&o, '0');
			fmt_put(&o, 'x');
			fmt_num(&o, (uintptr_t)va_arg(ap, void *), 16, width, pad, false);
			break;
		default:
			/* '%%', an unknown conversion, or a '%' that ends the string: print it as it is. */
			fmt_put(&o, *fmt ? *fmt : '%');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len] = 0;
	return o.len;
}

/* check.c: the suite's result lines: "PASS name detail", "FAIL name detail", "SKIP name reason".
 * The summary line "N passed, M failed" (", K skipped" when any) is the last thing the suite prints. */
#include "guest.h"

#define DETAIL_BUF 160U

static unsigned n_pass, n_fail, n_skip;

bool check(const char *name, bool ok, const char *fmt, ...)
{
	char detail[DETAIL_BUF];
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (ok)
		n_pass++;
	else
		n_fail++;
	guest_printf("%s %s %s\n", ok ? "PASS" : "FAIL", name, detail);
	bench_mark(name);
	return ok;
}

void skip(const char *name, const char *fmt, ...)
{
	char detail[DETAIL_BUF];
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	n_skip++;
	guest_printf("SKIP %s %s\n", name, detail);
	bench_mark(name);
}

void check_summary(unsigned *passed, unsigned *failed, unsigned *skipped)
{
	*passed = n_pass;
	*failed = n_fail;
	*skipped = n_skip;
}

/* bench_marks.c: measurement points for bench/ (boot argument "bench"): "@@mark NAME irqs=N" lines sent
 * through the ABI's CONSOLE_WRITE, at which the hypervisor prints its running exit and LR-access totals. */
#include "guest.h"

#define MARK_BUF 96U

static bool enabled;
static struct guest_lock mark_lock;

void bench_marks_enable(void)
{
	enabled = true;
}

/*
 * One CONSOLE_WRITE per mark, always: the runner subtracts exactly one exit per span for it. The
 * suite's own output goes to the UART directly and costs no exit on arm64. irqs is the running total
 * of interrupts this guest has taken (every CPU), which is what "per delivered interrupt" divides by.
 */
void bench_mark(const char *name)
{
	char buf[MARK_BUF];

	if (!enabled)
		return;
	guest_lock(&mark_lock);
	guest_snprintf(buf, sizeof(buf), "@@mark %s irqs=%lu\n", name, guest_irq_total());
	hv_call(HV_CALL_CONSOLE_WRITE, (unsigned long)buf, strlen(buf), 0);
	guest_unlock(&mark_lock);
}

/* ptimer.c: guest_arch.h's second per-CPU timer on arm64: the EL1 physical timer (CNTP_*_EL0, PPI 30).
 * The suite's clock is the virtual counter, so a deadline is moved onto the physical counter's scale. */
#include "arm64.h"

#define PTIMER_INTID   30U
#define CNT_CTL_ENABLE 1UL

bool guest_arch_timer2_irq(unsigned *irq)
{
	*irq = PTIMER_INTID;
	return true;
}

void guest_arch_timer2_at_ns(uint64_t when)
{
	uint64_t vct, pct;

	/* CNTPCT - CNTVCT is CNTVOFF, which the guest cannot read. The virtual count is read first,
	 * so the difference can only come out a few ticks high: the timer fires late, never early. */
	isb();
	vct = read_sysreg(cntvct_el0);
	isb();
	pct = read_sysreg(cntpct_el0);
	write_sysreg(cntp_cval_el0, arm64_ns_to_ticks(when) + (pct - vct));
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

void guest_arch_timer2_stop(void)
{
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}

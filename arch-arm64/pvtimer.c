/* pvtimer.c: a periodic timer for the guest on CNTHP_*_EL2, which EL2 owns and the guest cannot touch.
 * The deadline advances by whole periods from the previous one, so the rate does not drift with exit latency.
 * CNTHP is shared with the scheduler's time slice: both keep a deadline and el2_timer_rearm() arms the
 * earlier one. */
#include "pvtimer.h"
#include "hv_abi.h"
#include "sysreg.h"
#include "vm.h"

#define PVTIMER_MIN_US   100U
#define PVTIMER_MAX_US   (60U * 1000000U)  /* a minute: keeps period * frequency in 64 bits */
#define US_PER_S         1000000U
#define PVTIMER_NO_OWNER UINT32_MAX

static volatile uint64_t pv_period_ticks;    /* 0: stopped */
static volatile uint32_t pv_owner = PVTIMER_NO_OWNER;
static volatile uint64_t pv_delivered;

void el2_timer_rearm(struct pcpu *p)
{
	uint64_t cval = p->pvtimer_deadline;

	if (p->slice_deadline && (!cval || p->slice_deadline < cval))
		cval = p->slice_deadline;
	if (!cval) {
		write_sysreg(cnthp_ctl_el2, 0);
	} else {
		write_sysreg(cnthp_cval_el2, cval);
		write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
	}
	isb();
}

static void arm_at(struct pcpu *p, uint64_t cval)
{
	p->pvtimer_deadline = cval;
	el2_timer_rearm(p);
}

int64_t pvtimer_set_period(struct pcpu *p, uint64_t period_us)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t ticks;

	if (period_us == 0) {
		__atomic_store_n(&pv_period_ticks, 0, __ATOMIC_RELEASE);
		if (pv_owner == p->index)
			arm_at(p, 0);
		/* Another owner switches itself off at its next expiry, delivering nothing. */
		return HV_ABI_OK;
	}
	if (period_us < PVTIMER_MIN_US || period_us > PVTIMER_MAX_US)
		return HV_ABI_INVALID_PARAM;
	ticks = period_us * freq / US_PER_S;
	if (ticks == 0)
		ticks = 1;
	__atomic_store_n(&pv_period_ticks, ticks, __ATOMIC_RELEASE);
	__atomic_store_n(&pv_owner, p->index, __ATOMIC_RELEASE);
	arm_at(p, read_sysreg(cntpct_el0) + ticks);
	return HV_ABI_OK;
}

void pvtimer_fire(struct pcpu *p)
{
	uint64_t ticks = __atomic_load_n(&pv_period_ticks, __ATOMIC_ACQUIRE);
	uint64_t now;

	if (!p->pvtimer_deadline || read_sysreg(cntpct_el0) < p->pvtimer_deadline)
		return;   /* the time slice's deadline, not ours */
	if (!ticks || __atomic_load_n(&pv_owner, __ATOMIC_ACQUIRE) != p->index) {
		arm_at(p, 0);
		return;
	}
	vm_timer_line_pulse();
	__atomic_add_fetch(&pv_delivered, 1, __ATOMIC_RELAXED);
	now = read_sysreg(cntpct_el0);
	if (p->pvtimer_deadline + ticks <= now) /* missed whole periods (host stalled): skip, do not burst */
		arm_at(p, now + ticks);
	else
		arm_at(p, p->pvtimer_deadline + ticks);
}

void pvtimer_shift(struct pcpu *p, uint64_t ticks)
{
	if (!__atomic_load_n(&pv_period_ticks, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&pv_owner, __ATOMIC_ACQUIRE) != p->index)
		return;
	arm_at(p, p->pvtimer_deadline + ticks);
}

uint64_t pvtimer_ticks_delivered(void)
{
	return pv_delivered;
}

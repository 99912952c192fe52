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

/* Per VM: each has its own timer, owned by the CPU whose vCPU set the period. */
static volatile uint64_t pv_period_ticks[HYP_MAX_VMS];    /* 0: stopped */
static volatile uint32_t pv_owner[HYP_MAX_VMS] = { [0 ... HYP_MAX_VMS - 1] = PVTIMER_NO_OWNER };
static volatile uint64_t pv_delivered;

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return b && (!a || b < a) ? b : a;
}

void el2_timer_rearm(struct pcpu *p)
{
	uint64_t cval = p->slice_deadline;

	for (uint32_t i = 0; i < HYP_MAX_VMS; i++)
		cval = earlier(cval, p->pvtimer_deadline[i]);
	if (!cval) {
		write_sysreg(cnthp_ctl_el2, 0);
	} else {
		write_sysreg(cnthp_cval_el2, cval);
		write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
	}
	isb();
}

static void arm_at(struct pcpu *p, uint32_t vm, uint64_t cval)
{
	p->pvtimer_deadline[vm] = cval;
	el2_timer_rearm(p);
}

int64_t pvtimer_set_period(struct pcpu *p, struct vm *vm, uint64_t period_us)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t ticks;
	uint32_t i = vm->index;

	if (period_us == 0) {
		__atomic_store_n(&pv_period_ticks[i], 0, __ATOMIC_RELEASE);
		if (pv_owner[i] == p->index)
			arm_at(p, i, 0);
		/* Another owner switches itself off at its next expiry, delivering nothing. */
		return HV_ABI_OK;
	}
	if (period_us < PVTIMER_MIN_US || period_us > PVTIMER_MAX_US)
		return HV_ABI_INVALID_PARAM;
	ticks = period_us * freq / US_PER_S;
	if (ticks == 0)
		ticks = 1;
	__atomic_store_n(&pv_period_ticks[i], ticks, __ATOMIC_RELEASE);
	__atomic_store_n(&pv_owner[i], p->index, __ATOMIC_RELEASE);
	arm_at(p, i, read_sysreg(cntpct_el0) + ticks);
	return HV_ABI_OK;
}

static void fire_one(struct pcpu *p, uint32_t i)
{
	uint64_t ticks = __atomic_load_n(&pv_period_ticks[i], __ATOMIC_ACQUIRE);
	uint64_t deadline = p->pvtimer_deadline[i], now;

	if (!deadline || read_sysreg(cntpct_el0) < deadline)
		return;   /* another deadline's, not this VM's */
	if (!ticks || __atomic_load_n(&pv_owner[i], __ATOMIC_ACQUIRE) != p->index) {
		arm_at(p, i, 0);
		return;
	}
	vm_timer_line_pulse(&vms[i]);
	__atomic_add_fetch(&pv_delivered, 1, __ATOMIC_RELAXED);
	now = read_sysreg(cntpct_el0);
	if (deadline + ticks <= now) /* missed whole periods (host stalled): skip, do not burst */
		arm_at(p, i, now + ticks);
	else
		arm_at(p, i, deadline + ticks);
}

void pvtimer_fire(struct pcpu *p)
{
	for (uint32_t i = 0; i < hyp_nr_vms; i++)
		fire_one(p, i);
}

void pvtimer_shift(struct pcpu *p, uint64_t ticks)
{
	for (uint32_t i = 0; i < hyp_nr_vms; i++) {
		if (!__atomic_load_n(&pv_period_ticks[i], __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&pv_owner[i], __ATOMIC_ACQUIRE) != p->index)
			continue;
		arm_at(p, i, p->pvtimer_deadline[i] + ticks);
	}
}

uint64_t pvtimer_ticks_delivered(void)
{
	return pv_delivered;
}

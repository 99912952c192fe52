/* irq.c: handling of the physical interrupts the hypervisor enables, counted by cause.
 * The EL1 timers and the UART are forwarded: each stays active until the guest deactivates its HW LR. */
#include "irq.h"
#include "gic.h"
#include "pvtimer.h"
#include "sched.h"
#include "sysreg.h"
#include "vm.h"

/* The guest's two EL1 timers (it programs both directly: CNTHCTL_EL2.EL1PCEN), each HW-mapped
 * physical PPI n -> virtual PPI n. */
enum fwd_timer { FWD_VTIMER, FWD_PTIMER, FWD_NR };
static const uint32_t fwd_ppi[FWD_NR] = { [FWD_VTIMER] = PPI_VTIMER, [FWD_PTIMER] = PPI_PTIMER };
static const enum irq_cause fwd_cause[FWD_NR] = { [FWD_VTIMER] = IRQC_VTIMER, [FWD_PTIMER] = IRQC_PTIMER };

/* A forwarded timer interrupt injected into this vCPU and not yet taken by it. */
static bool in_flight[HYP_MAX_CPUS][FWD_NR];

static uint64_t timer_ctl(enum fwd_timer t)
{
	return t == FWD_VTIMER ? read_sysreg(cntv_ctl_el0) : read_sysreg(cntp_ctl_el0);
}

static void forward_timer(struct pcpu *p, enum fwd_timer t)
{
	struct vcpu *v = p->vcpu;

	/* Priority already dropped; the PPI stays active so it cannot fire again until the guest is done.
	 * No vCPU here (scheduling, between two): its timers were stopped, the level is stale. */
	if (!v || __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON) {
		gic_deactivate(fwd_ppi[t]);
		return;
	}
	vgic_inject(&v->vm->vgic, v->id, fwd_ppi[t], true);
	in_flight[v->index][t] = true;
}

static bool forwarded_timer(uint32_t intid, enum fwd_timer *t)
{
	for (unsigned i = 0; i < FWD_NR; i++) {
		if (fwd_ppi[i] == intid) {
			*t = (enum fwd_timer)i;
			return true;
		}
	}
	return false;
}

bool irq_poll(struct pcpu *p)
{
	bool any = false, maint_seen = false;
	enum fwd_timer t;

	for (;;) {
		uint32_t intid = gic_ack();

		if (intid >= GIC_SPURIOUS_FIRST)
			return any;
		any = true;
		gic_priority_drop(intid);
		if (forwarded_timer(intid, &t)) {
			p->stats.irqs[fwd_cause[t]]++;
			forward_timer(p, t);
			continue; /* left active on purpose */
		}
		switch (intid) {
		case HYP_SGI_KICK:
			p->stats.irqs[IRQC_KICK]++;
			break;
		case PPI_MAINTENANCE:
			/* Only an exit was needed: the sync and flush that follow remove the condition.
			 * The line is a level that stays high until then, so take it once per poll. */
			gic_deactivate(intid);
			if (maint_seen)
				return any;
			maint_seen = true;
			p->stats.irqs[IRQC_MAINT]++;
			continue;
		case PPI_HYP_TIMER:
			p->stats.irqs[IRQC_PVTIMER]++;
			pvtimer_fire(p);
			sched_slice_fire(p);
			break;
		default:
			if (vm_forward_spi(intid)) {
				p->stats.irqs[IRQC_UART]++;
				continue; /* left active on purpose, like the timers */
			}
			p->stats.irqs[IRQC_OTHER]++;
			break;
		}
		gic_deactivate(intid);
	}
}

void irq_wait(struct pcpu *p)
{
	if (irq_poll(p))
		return;
	wfi();
	irq_poll(p);
}

static void resample(struct vcpu *v, enum fwd_timer t)
{
	struct vgic_irq_state st;
	uint64_t ctl;

	if (!in_flight[v->index][t])
		return;
	if (vgic_irq_get_state(&v->vm->vgic, v->id, fwd_ppi[t], &st) != HV_OK)
		return;
	if (!st.pending || st.active) {
		/* Taken: the HW LR carries the deactivation to the physical PPI from here. */
		in_flight[v->index][t] = false;
		return;
	}
	ctl = timer_ctl(t);
	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) == (CNT_CTL_ENABLE | CNT_CTL_ISTATUS))
		return;
	/* The guest stopped, masked or moved its timer before taking the interrupt: withdraw it. */
	vgic_inject(&v->vm->vgic, v->id, fwd_ppi[t], false);
	gic_deactivate(fwd_ppi[t]);
	in_flight[v->index][t] = false;
}

void irq_timer_resample(struct pcpu *p)
{
	if (!p->vcpu)
		return;
	for (unsigned t = 0; t < FWD_NR; t++)
		resample(p->vcpu, (enum fwd_timer)t);
}

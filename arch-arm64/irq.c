/* irq.c: handling of the physical interrupts the hypervisor enables, counted by cause.
 * The virtual timer and the UART are forwarded: each stays active until the guest deactivates its HW LR. */
#include "irq.h"
#include "gic.h"
#include "pvtimer.h"
#include "sysreg.h"
#include "vm.h"

/* A forwarded vtimer interrupt this CPU injected and the guest has not yet taken. */
static bool vtimer_in_flight[HYP_MAX_CPUS];

static void forward_vtimer(struct pcpu *p)
{
	struct vcpu *v = p->vcpu;

	/* Priority already dropped; the PPI stays active so it cannot fire again until the guest is done. */
	if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON) {
		gic_deactivate(PPI_VTIMER);
		return;
	}
	vgic_inject(&hyp_vgic, v->id, PPI_VTIMER, true);
	vtimer_in_flight[p->index] = true;
}

bool irq_poll(struct pcpu *p)
{
	bool any = false, maint_seen = false;

	for (;;) {
		uint32_t intid = gic_ack();

		if (intid >= GIC_SPURIOUS_FIRST)
			return any;
		any = true;
		gic_priority_drop(intid);
		switch (intid) {
		case PPI_VTIMER:
			p->stats.irqs[IRQC_VTIMER]++;
			forward_vtimer(p);
			continue; /* left active on purpose */
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
			break;
		default:
			if (vm_forward_spi(intid)) {
				p->stats.irqs[IRQC_UART]++;
				continue; /* left active on purpose, like the timer */
			}
			p->stats.irqs[IRQC_OTHER]++;
			break;
		}
		gic_deactivate(intid);
	}
}

void irq_vtimer_resample(struct pcpu *p)
{
	struct vgic_irq_state st;
	uint64_t ctl;

	if (!vtimer_in_flight[p->index])
		return;
	if (vgic_irq_get_state(&hyp_vgic, p->vcpu->id, PPI_VTIMER, &st) != HV_OK)
		return;
	if (!st.pending || st.active) {
		/* Taken: the HW LR carries the deactivation to the physical PPI from here. */
		vtimer_in_flight[p->index] = false;
		return;
	}
	ctl = read_sysreg(cntv_ctl_el0);
	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS)) == (CNT_CTL_ENABLE | CNT_CTL_ISTATUS))
		return;
	/* The guest stopped, masked or moved its timer before taking the interrupt: withdraw it. */
	vgic_inject(&hyp_vgic, p->vcpu->id, PPI_VTIMER, false);
	gic_deactivate(PPI_VTIMER);
	vtimer_in_flight[p->index] = false;
}

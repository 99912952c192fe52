/* sched.c: vCPUs that share physical CPUs. One run queue (every VM's vCPUs, round robin), slices on
 * CNTHP, WFI gives the CPU away, and each switch saves what is the vCPU's: EL1 and timer state, the
 * CPU interface (VMCR, APRs) and the physical active state of its forwarded timers. The LRs stay
 * where they are: the core's vgic_vcpu_put/vgic_vcpu_load_on know what each CPU's LRs hold. */
#include "sched.h"
#include "gic.h"
#include "ich_backend.h"
#include "irq.h"
#include "pvtimer.h"
#include "storm.h"
#include "spinlock.h"
#include "sysreg.h"
#include "vm.h"

#define SCHED_SLICE_US      2000U   /* a vCPU's turn while others wait */
#define SCHED_IDLE_POLL_US  500U    /* an idle CPU looks again: a waiting vCPU's timer may have expired */
#define US_PER_S            1000000U
#define MPIDR_RES1          (1UL << 31)
#define NR_FWD_TIMERS       2U

static const uint32_t fwd_timer_ppi[NR_FWD_TIMERS] = { PPI_VTIMER, PPI_PTIMER };
static bool sched_on;
static volatile uint32_t sched_lock;
static uint32_t cursor;
static uint64_t slice_ticks, idle_poll_ticks;
static volatile uint64_t loads, migrations;
static int32_t last_pcpu[HYP_MAX_CPUS];

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

void sched_init(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	sched_on = hyp_nr_vcpus > hyp_nr_cpus || hyp_nr_vms > 1;
	slice_ticks = freq * SCHED_SLICE_US / US_PER_S;
	idle_poll_ticks = freq * SCHED_IDLE_POLL_US / US_PER_S;
	for (uint32_t i = 0; i < HYP_MAX_CPUS; i++) {
		vcpus[i].on_pcpu = -1;
		last_pcpu[i] = -1;
	}
}

bool sched_enabled(void)
{
	return sched_on;
}

/* Would a timer of this (descheduled) vCPU fire now? Its saved registers say; the counter is shared. */
static bool timer_fires(const struct vcpu *v)
{
	uint64_t t = now();
	uint64_t vctl = v->el1.cntv_ctl, pctl = v->el1.cntp_ctl;

	if ((vctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE && t - v->el1.cntvoff >= v->el1.cntv_cval)
		return true;
	return (pctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE && t >= v->el1.cntp_cval;
}

/* Does v want a CPU? Not while it runs, is off, or waits in WFI with nothing that would wake it. */
static bool wants_cpu(const struct vcpu *v)
{
	uint32_t power = __atomic_load_n(&v->power, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&v->on_pcpu, __ATOMIC_ACQUIRE) >= 0 || __atomic_load_n(&v->vm->ended, __ATOMIC_ACQUIRE))
		return false;
	if (power == VCPU_ON_PENDING)
		return true;
	if (power != VCPU_ON)
		return false;
	return !v->blocked || vgic_vcpu_should_wake(&v->vm->vgic, v->id, v->vmcr) || timer_fires(v);
}

/* The next vCPU that wants a CPU, round robin, claimed for p; NULL if none. */
static struct vcpu *pick(struct pcpu *p)
{
	struct vcpu *chosen = NULL;

	spin_lock_word(&sched_lock);
	for (uint32_t k = 0; k < hyp_nr_vcpus; k++) {
		uint32_t i = (cursor + k) % hyp_nr_vcpus;

		if (wants_cpu(&vcpus[i])) {
			chosen = &vcpus[i];
			__atomic_store_n(&chosen->on_pcpu, (int32_t)p->index, __ATOMIC_RELEASE);
			cursor = i + 1U;
			break;
		}
	}
	spin_unlock_word(&sched_lock);
	return chosen;
}

static bool anyone_waiting(void)
{
	bool any = false;

	spin_lock_word(&sched_lock);
	for (uint32_t i = 0; i < hyp_nr_vcpus && !any; i++)
		any = wants_cpu(&vcpus[i]);
	spin_unlock_word(&sched_lock);
	return any;
}

static void start_slice(struct pcpu *p, uint64_t ticks)
{
	p->resched = 0;
	p->slice_deadline = now() + ticks;
	el2_timer_rearm(p);
}

void sched_slice_fire(struct pcpu *p)
{
	if (!p->slice_deadline || now() < p->slice_deadline)
		return;
	p->slice_deadline = 0;
	p->resched = 1;
	el2_timer_rearm(p);
}

bool sched_should_switch(struct pcpu *p)
{
	if (!sched_on || !p->resched)
		return false;
	if (anyone_waiting())
		return true;
	start_slice(p, slice_ticks);   /* nobody else: another slice */
	return false;
}

void sched_kick(struct vcpu *v)
{
	int32_t q = __atomic_load_n(&v->on_pcpu, __ATOMIC_ACQUIRE);
	uint32_t self = hyp_cpu_index();

	if (q >= 0) {
		if ((uint32_t)q != self)
			gic_send_sgi(pcpus[q].mpidr, HYP_SGI_KICK);
		return;   /* on us: we are at EL2 for it, and the next entry flushes */
	}
	/* Not running: an idle CPU picks it up now; a busy one at its next slice end. */
	for (uint32_t i = 0; i < hyp_nr_cpus; i++)
		if (i != self && __atomic_load_n(&pcpus[i].idle, __ATOMIC_ACQUIRE))
			gic_send_sgi(pcpus[i].mpidr, HYP_SGI_KICK);
}

void sched_phys_deactivate(struct vcpu *v, uint32_t pintid)
{
	int32_t q = __atomic_load_n(&v->on_pcpu, __ATOMIC_ACQUIRE);

	if (q >= 0) {
		gic_deactivate_on((unsigned)q, pintid);
		return;
	}
	/* Off every CPU: its timer's active state travels with it, so that is what ends. */
	for (unsigned t = 0; t < NR_FWD_TIMERS; t++)
		if (fwd_timer_ppi[t] == pintid)
			v->timer_phys_active[t] = false;
}

static void save_cpu_if(struct pcpu *p, struct vcpu *v)
{
	unsigned nr_apr = ich_backend_nr_aprs(&p->be);

	v->vmcr = lr_read_vmcr(&p->be);
	for (unsigned n = 0; n < nr_apr && n < 4U; n++) {
		v->apr[0][n] = lr_read_apr(&p->be, 0, n);
		v->apr[1][n] = lr_read_apr(&p->be, 1, n);
	}
}

static void restore_cpu_if(struct pcpu *p, const struct vcpu *v)
{
	unsigned nr_apr = ich_backend_nr_aprs(&p->be);

	lr_write_vmcr(&p->be, v->vmcr);
	for (unsigned n = 0; n < nr_apr && n < 4U; n++) {
		lr_write_apr(&p->be, 0, n, (uint32_t)v->apr[0][n]);
		lr_write_apr(&p->be, 1, n, (uint32_t)v->apr[1][n]);
	}
}

static void switch_in(struct pcpu *p, struct vcpu *v)
{
	if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON_PENDING) {
		uint32_t pending = VCPU_ON_PENDING;

		vcpu_reset(v, v->on_entry, v->on_context);
		v->vmcr = 0;
		for (unsigned g = 0; g < 2; g++)
			for (unsigned n = 0; n < 4U; n++)
				v->apr[g][n] = 0;
		/* Not a plain store: its VM may have ended meanwhile (vm_end switched it off). */
		__atomic_compare_exchange_n(&v->power, &pending, VCPU_ON, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	p->vcpu = v;
	v->blocked = 0;
	/* Before its timers are back: an interrupt the guest still handles must not fire again here. */
	for (unsigned t = 0; t < NR_FWD_TIMERS; t++) {
		if (v->timer_phys_active[t])
			gic_ppi_set_active(fwd_timer_ppi[t]);
		v->timer_phys_active[t] = false;
	}
	vcpu_load(v);
	vcpu_load_extra(v);
	write_sysreg(vmpidr_el2, v->mpidr | MPIDR_RES1);
	/* Another VM's stage 2: its own VMID tags its TLB entries, so nothing needs invalidating. */
	if (p->vttbr != v->vm->vttbr) {
		p->vttbr = v->vm->vttbr;
		write_sysreg(vttbr_el2, p->vttbr);
		isb();
	}
	restore_cpu_if(p, v);
	if (vgic_vcpu_load_on(&v->vm->vgic, v->id, &p->cpu_if) != HV_OK)
		hyp_end_run(HYP_STATUS_HYP_PANIC, "scheduler: vgic_vcpu_load_on failed");
	__atomic_add_fetch(&loads, 1U, __ATOMIC_RELAXED);
	if (last_pcpu[v->index] >= 0 && (uint32_t)last_pcpu[v->index] != p->index)
		__atomic_add_fetch(&migrations, 1U, __ATOMIC_RELAXED);
	last_pcpu[v->index] = (int32_t)p->index;
	gic_ppi_enable(PPI_MAINTENANCE, true);
	start_slice(p, slice_ticks);
}

static void switch_out(struct pcpu *p, struct vcpu *v)
{
	p->slice_deadline = 0;
	el2_timer_rearm(p);
	if (vgic_vcpu_put(&v->vm->vgic, v->id) != HV_OK)
		hyp_end_run(HYP_STATUS_HYP_PANIC, "scheduler: vgic_vcpu_put failed");
	/* The LRs may keep a maintenance condition of the vCPU that left: not ours to take while idle. */
	gic_ppi_enable(PPI_MAINTENANCE, false);
	save_cpu_if(p, v);
	vcpu_put(v);
	vcpu_put_extra(v);
	/* Its timers are stopped: withdraw an interrupt injected and not taken (it fires again when the
	 * timer is back); the active state of one the guest is handling goes with the vCPU. */
	irq_timer_resample(p);
	for (unsigned t = 0; t < NR_FWD_TIMERS; t++) {
		if (gic_ppi_active(fwd_timer_ppi[t])) {
			gic_deactivate(fwd_timer_ppi[t]);
			v->timer_phys_active[t] = true;
		}
	}
	p->vcpu = NULL;
	__atomic_store_n(&v->on_pcpu, -1, __ATOMIC_RELEASE);
}

void sched_loop(struct pcpu *p)
{
	gic_ppi_enable(PPI_MAINTENANCE, false);
	for (;;) {
		struct vcpu *v;

		/* Idle before looking: a kick after this point finds us and its SGI ends the WFI below. */
		__atomic_store_n(&p->idle, 1U, __ATOMIC_RELEASE);
		if (hyp_stopping)
			vcpu_park(p);
		storm_point(p);   /* with no vCPU here: this CPU only clears and reloads its registers */
		v = pick(p);
		if (!v) {
			start_slice(p, idle_poll_ticks);
			irq_wait(p);   /* the kick that ends the wait is taken before the next pick */
			continue;
		}
		__atomic_store_n(&p->idle, 0U, __ATOMIC_RELEASE);
		switch_in(p, v);
		vcpu_run_slice(p, v);
		switch_out(p, v);
	}
}

void sched_report(void)
{
	if (sched_on)
		hyp_printf("hyp: scheduler: %u vCPUs of %u VM(s) on %u CPUs, %lu loads, %lu onto another CPU\n",
			   hyp_nr_vcpus, hyp_nr_vms, hyp_nr_cpus, loads, migrations);
}

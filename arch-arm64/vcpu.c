/* vcpu.c: a vCPU's life on its physical CPU: power-on, EL1 state load/put, and the run loop.
 * The run loop is the core's life cycle (docs/design.md 7.8): flush, run, sync, handle, and count. */
#include "vcpu.h"
#include "gic.h"
#include "irq.h"
#include "sysreg.h"
#include "trap.h"
#include "vm.h"
#include "storm.h"
#include "sched.h"

struct pcpu pcpus[HYP_MAX_CPUS];
struct vcpu vcpus[HYP_MAX_CPUS];
uint32_t hyp_nr_cpus;
uint32_t hyp_nr_vcpus;
volatile uint32_t hyp_stopping;
volatile uint64_t hyp_cntvoff;

_Static_assert(__builtin_offsetof(struct pcpu, index) == 0, "hyp_cpu_index() reads the first word");
_Static_assert(__builtin_offsetof(struct pcpu, host_sp) == PCPU_HOST_SP_OFF, "asm_offsets.h");
_Static_assert(__builtin_offsetof(struct pcpu, guest_regs) == PCPU_GUEST_REGS_OFF, "asm_offsets.h");
_Static_assert(__builtin_offsetof(struct vcpu_regs, elr) == VCPU_REGS_ELR_OFF, "asm_offsets.h");
_Static_assert(__builtin_offsetof(struct vcpu_regs, spsr) == VCPU_REGS_ELR_OFF + 8, "asm_offsets.h");

/* Architected reset state of a vCPU that PSCI CPU_ON (or boot) starts: EL1h, masked, MMU off. */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t x0)
{
	memset(&v->regs, 0, sizeof(v->regs));
	memset(&v->el1, 0, sizeof(v->el1));
	memset(&v->fp, 0, sizeof(v->fp));
	memset(&v->pauth, 0, sizeof(v->pauth));
	v->regs.x[0] = x0;
	v->regs.elr = entry;
	v->regs.spsr = PSR_MODE_EL1H | PSR_DAIF;
	v->el1.sctlr = SCTLR_EL1_RESET;
	v->el1.cntvoff = hyp_cntvoff;
}

/* Put this vCPU's EL1 and EL1-timer state into the registers of its physical CPU. */
void vcpu_load(struct vcpu *v)
{
	const struct vcpu_el1 *e = &v->el1;

	write_sysreg(sctlr_el1, e->sctlr);
	write_sysreg(ttbr0_el1, e->ttbr0);
	write_sysreg(ttbr1_el1, e->ttbr1);
	write_sysreg(tcr_el1, e->tcr);
	write_sysreg(mair_el1, e->mair);
	write_sysreg(amair_el1, e->amair);
	write_sysreg(vbar_el1, e->vbar);
	write_sysreg(contextidr_el1, e->contextidr);
	write_sysreg(sp_el0, e->sp_el0);
	write_sysreg(sp_el1, e->sp_el1);
	write_sysreg(elr_el1, e->elr);
	write_sysreg(spsr_el1, e->spsr);
	write_sysreg(esr_el1, e->esr);
	write_sysreg(far_el1, e->far);
	write_sysreg(afsr0_el1, e->afsr0);
	write_sysreg(afsr1_el1, e->afsr1);
	write_sysreg(tpidr_el0, e->tpidr_el0);
	write_sysreg(tpidrro_el0, e->tpidrro_el0);
	write_sysreg(tpidr_el1, e->tpidr_el1);
	write_sysreg(cpacr_el1, e->cpacr);
	write_sysreg(cntkctl_el1, e->cntkctl);
	write_sysreg(par_el1, e->par);
	write_sysreg(csselr_el1, e->csselr);
	write_sysreg(cntvoff_el2, e->cntvoff);
	write_sysreg(cntv_cval_el0, e->cntv_cval);
	write_sysreg(cntv_ctl_el0, e->cntv_ctl);
	write_sysreg(cntp_cval_el0, e->cntp_cval);
	write_sysreg(cntp_ctl_el0, e->cntp_ctl);
	write_sysreg(mdscr_el1, e->mdscr);
	isb();
}

/* Save it back (CPU_OFF). Both EL1 timers are stopped so an off vCPU raises nothing. */
void vcpu_put(struct vcpu *v)
{
	struct vcpu_el1 *e = &v->el1;

	e->sctlr = read_sysreg(sctlr_el1);
	e->ttbr0 = read_sysreg(ttbr0_el1);
	e->ttbr1 = read_sysreg(ttbr1_el1);
	e->tcr = read_sysreg(tcr_el1);
	e->mair = read_sysreg(mair_el1);
	e->amair = read_sysreg(amair_el1);
	e->vbar = read_sysreg(vbar_el1);
	e->contextidr = read_sysreg(contextidr_el1);
	e->sp_el0 = read_sysreg(sp_el0);
	e->sp_el1 = read_sysreg(sp_el1);
	e->elr = read_sysreg(elr_el1);
	e->spsr = read_sysreg(spsr_el1);
	e->esr = read_sysreg(esr_el1);
	e->far = read_sysreg(far_el1);
	e->afsr0 = read_sysreg(afsr0_el1);
	e->afsr1 = read_sysreg(afsr1_el1);
	e->tpidr_el0 = read_sysreg(tpidr_el0);
	e->tpidrro_el0 = read_sysreg(tpidrro_el0);
	e->tpidr_el1 = read_sysreg(tpidr_el1);
	e->cpacr = read_sysreg(cpacr_el1);
	e->cntkctl = read_sysreg(cntkctl_el1);
	e->par = read_sysreg(par_el1);
	e->csselr = read_sysreg(csselr_el1);
	e->cntv_ctl = read_sysreg(cntv_ctl_el0);
	e->cntv_cval = read_sysreg(cntv_cval_el0);
	e->cntvoff = read_sysreg(cntvoff_el2);
	e->cntp_ctl = read_sysreg(cntp_ctl_el0);
	e->cntp_cval = read_sysreg(cntp_cval_el0);
	e->mdscr = read_sysreg(mdscr_el1);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}

/* FEAT_PAuth, any algorithm (ID_AA64ISAR1_EL1 APA/API/GPA/GPI, ID_AA64ISAR2_EL1 APA3/GPA3): the keys exist. */
#define ISAR1_PAUTH_MASK 0xff000ff0UL
#define ISAR2_PAUTH_MASK 0x0000ff00UL
#define read_id_aa64isar2() read_sysreg(s3_0_c0_c6_2)

static bool has_pauth(void)
{
	return (read_sysreg(id_aa64isar1_el1) & ISAR1_PAUTH_MASK) || (read_id_aa64isar2() & ISAR2_PAUTH_MASK);
}

/* The key registers by encoding (APIAKeyLo_EL1 is S3_0_C2_C1_0 and so on): the assembler needs no
 * architecture extension for these spellings. */
void vcpu_put_extra(struct vcpu *v)
{
	struct vcpu_pauth *k = &v->pauth;

	fpsimd_save(&v->fp);
	if (!has_pauth())
		return;
	k->apia[0] = read_sysreg(s3_0_c2_c1_0);
	k->apia[1] = read_sysreg(s3_0_c2_c1_1);
	k->apib[0] = read_sysreg(s3_0_c2_c1_2);
	k->apib[1] = read_sysreg(s3_0_c2_c1_3);
	k->apda[0] = read_sysreg(s3_0_c2_c2_0);
	k->apda[1] = read_sysreg(s3_0_c2_c2_1);
	k->apdb[0] = read_sysreg(s3_0_c2_c2_2);
	k->apdb[1] = read_sysreg(s3_0_c2_c2_3);
	k->apga[0] = read_sysreg(s3_0_c2_c3_0);
	k->apga[1] = read_sysreg(s3_0_c2_c3_1);
}

void vcpu_load_extra(struct vcpu *v)
{
	const struct vcpu_pauth *k = &v->pauth;

	fpsimd_restore(&v->fp);
	if (!has_pauth())
		return;
	write_sysreg(s3_0_c2_c1_0, k->apia[0]);
	write_sysreg(s3_0_c2_c1_1, k->apia[1]);
	write_sysreg(s3_0_c2_c1_2, k->apib[0]);
	write_sysreg(s3_0_c2_c1_3, k->apib[1]);
	write_sysreg(s3_0_c2_c2_0, k->apda[0]);
	write_sysreg(s3_0_c2_c2_1, k->apda[1]);
	write_sysreg(s3_0_c2_c2_2, k->apdb[0]);
	write_sysreg(s3_0_c2_c2_3, k->apdb[1]);
	write_sysreg(s3_0_c2_c3_0, k->apga[0]);
	write_sysreg(s3_0_c2_c3_1, k->apga[1]);
	isb();
}

/* Stop here for the end of the run; the CPU that ends it reads our counters meanwhile. */
void vcpu_park(struct pcpu *p)
{
	__atomic_store_n(&p->parked, 1U, __ATOMIC_RELEASE);
	for (;;)
		wfe();
}

/* Off: serve physical interrupts (kicks, the paravirtual timer if this CPU owns it) until CPU_ON.
 * The maintenance interrupt is off meanwhile: a condition the last run left in the LRs holds its
 * level high until the next flush, and would turn this wait into a spin. */
static void wait_power_on(struct pcpu *p, struct vcpu *v)
{
	gic_ppi_enable(PPI_MAINTENANCE, false);
	while (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON_PENDING) {
		if (hyp_stopping)
			vcpu_park(p);
		irq_wait(p);   /* the CPU_ON kick is taken here, not by an exit after the eret */
		storm_point(p);
	}
	gic_ppi_enable(PPI_MAINTENANCE, true);
}

static bool nothing_queued(const struct vgic_vcpu *vv)
{
	return vv->aplist.count[0] == 0 && vv->aplist.count[1] == 0;
}

/* Run v until it powers off, or (scheduling) waits in WFI or yields at the end of its slice. It
 * leaves synced: the core holds the state (an LR the guest left alone may stay kept, design.md 7.2b). */
void vcpu_run_slice(struct pcpu *p, struct vcpu *v)
{
	struct vgic *vgic = &v->vm->vgic;
	struct vgic_vcpu *vv = vgic_get_vcpu(vgic, v->id);

	vcpu_set_mode(v, VCPU_MODE_GUEST);
	vgic_flush_vcpu(vv);
	while (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON) {
		uint64_t kind = guest_enter(&v->regs);
		/* Nothing in flight at exit: the entry before this run placed no LR. */
		bool quiet = vv->used_mask == 0;
		uint64_t before = lr_backend_total(&p->be), used;

		__atomic_store_n(&v->mode, VCPU_MODE_EL2, __ATOMIC_RELAXED);
		vgic_sync_vcpu(vv);
		trap_handle_exit(p, v, kind);
		storm_point(p);
		if (hyp_stopping)
			vcpu_park(p);
		if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON || v->blocked ||
		    __atomic_load_n(&v->vm->ended, __ATOMIC_ACQUIRE) || sched_should_switch(p))
			break;
		quiet = quiet && nothing_queued(vv);
		vcpu_set_mode(v, VCPU_MODE_GUEST);
		vgic_flush_vcpu(vv);
		used = lr_backend_total(&p->be) - before;
		if (quiet) {
			p->stats.quiet_exits++;
			p->stats.quiet_lr_accesses += used;
		}
	}
}

void vcpu_run_loop(struct pcpu *p)
{
	struct vcpu *v = p->vcpu;

	if (sched_enabled())
		sched_loop(p);
	for (;;) {
		wait_power_on(p, v);
		vcpu_reset(v, v->on_entry, v->on_context);
		vcpu_load(v);
		__atomic_store_n(&v->power, VCPU_ON, __ATOMIC_RELEASE);
		vcpu_run_slice(p, v);
		vcpu_put(v);
		/* The timers are stopped now: withdraw a tick injected but never taken, and let the
		 * physical PPI go, or it would stay active and the timer mute after the next CPU_ON. */
		irq_timer_resample(p);
	}
}

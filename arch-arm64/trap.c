/* trap.c: the exit dispatcher (by exception class), WFI/WFE, trapped GIC system registers, and injection.
 * An exit the hypervisor cannot serve becomes the architected exception in the guest, never a host crash. */
#include "trap.h"
#include "sched.h"
#include "gic.h"
#include "irq.h"
#include "mmu.h"
#include "sysreg.h"
#include "vm.h"
#include "storm.h"
#include "cntp.h"
#include "aarch32.h"

/* ESR_EL1 values for the exceptions we inject (EC, IL, ISS) */
#define INJ_ESR_DABT_CUR  (((uint64_t)ESR_EC_DABT_CUR << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT)
#define INJ_ESR_DABT_LOW  (((uint64_t)ESR_EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT)
#define INJ_ESR_IABT_CUR  (((uint64_t)ESR_EC_IABT_CUR << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT)
#define INJ_ESR_IABT_LOW  (((uint64_t)ESR_EC_IABT_LOW << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT)
#define INJ_ESR_UNDEF     (((uint64_t)ESR_EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL)
/* What ESR.IL says the trapped instruction was: 32 bits (A64, A32, a long T32), or a 16-bit T32 one */
#define AA64_INSN_BYTES      4U
#define T32_SHORT_INSN_BYTES 2U

uint64_t trap_get_reg(const struct vcpu *v, unsigned rt)
{
	return rt < 31 ? v->regs.x[rt] : 0;
}

void trap_set_reg(struct vcpu *v, unsigned rt, uint64_t val)
{
	if (rt < 31)
		v->regs.x[rt] = val;
}

void trap_skip_insn(struct vcpu *v, uint64_t esr)
{
	v->regs.elr += (esr & ESR_IL) ? AA64_INSN_BYTES : T32_SHORT_INSN_BYTES;
	v->regs.spsr = aa32_it_advance(v->regs.spsr);
}

/* The vector group of VBAR_EL1 a synchronous exception from the guest's current mode is taken to. */
static uint64_t vector_offset(const struct vcpu *v)
{
	uint64_t mode = v->regs.spsr & PSR_MODE_MASK;

	if (mode == PSR_MODE_EL1H)
		return VEC_CUR_SPX;
	if (mode == PSR_MODE_EL1T)
		return VEC_CUR_SP0;
	return aa32_state(v->regs.spsr) ? VEC_LOWER_A32 : VEC_LOWER_A64;
}

/* Where that exception enters the guest: its synchronous vector, a VA of the guest's stage 1. */
static uint64_t sync_vector(const struct vcpu *v)
{
	return read_sysreg(vbar_el1) + vector_offset(v) + VEC_SYNC;
}

/*
 * PSTATE as the PE sets it on taking an exception to EL1 in AArch64 (the Arm ARM's AArch64.TakeException):
 * EL1h with DAIF masked; PAN kept, and set when SCTLR_EL1.SPAN is 0; DIT kept (AArch32 holds it at bit
 * 21); SSBS from SCTLR_EL1.DSSBS; TCO set where MTE exists; UAO, SS, IL and BTYPE cleared. The guest's
 * kernel relies on these: PAN set on entry is what keeps it out of user memory.
 */
static uint64_t el1_entry_pstate(uint64_t old)
{
	uint64_t sctlr = read_sysreg(sctlr_el1), pstate = PSR_MODE_EL1H | PSR_DAIF;

	pstate |= old & PSR_PAN;
	if (aa32_state(old))
		pstate |= (old & PSR_AA32_DIT) ? PSR_DIT : 0;
	else
		pstate |= old & PSR_DIT;
	if (!(sctlr & SCTLR_EL1_SPAN))
		pstate |= PSR_PAN;
	if (sctlr & SCTLR_EL1_DSSBS)
		pstate |= PSR_SSBS;
	if ((read_sysreg(id_aa64pfr1_el1) >> ID_AA64PFR1_MTE_SHIFT) & ID_AA64PFR1_MTE_MASK)
		pstate |= PSR_TCO;
	return pstate;
}

/* Take an exception to the guest's EL1 as the hardware would: save PC/PSTATE, jump into VBAR_EL1. */
static void inject(struct vcpu *v, uint64_t esr_cur, uint64_t esr_low, uint64_t far)
{
	uint64_t off = vector_offset(v);

	write_sysreg(esr_el1, off == VEC_LOWER_A64 || off == VEC_LOWER_A32 ? esr_low : esr_cur);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, v->regs.elr);
	write_sysreg(spsr_el1, v->regs.spsr);
	v->regs.elr = sync_vector(v);
	v->regs.spsr = el1_entry_pstate(v->regs.spsr);
}

/*
 * Does the guest VA of `len` bytes (inside one page) lead to guest RAM? It goes through the guest's
 * own stage 1 (AT S1E1R; from EL2 a fault lands in PAR_EL1, never as an exception), then the IPA
 * must be RAM. PAR_EL1 is the guest's register: put it back.
 */
static bool guest_va_in_ram(const struct vcpu *v, uint64_t va, uint64_t len)
{
	uint64_t saved = read_sysreg(par_el1), par;

	__asm__ volatile("at s1e1r, %0" : : "r"(va) : "memory");
	isb();
	par = read_sysreg(par_el1);
	write_sysreg(par_el1, saved);
	if (par & PAR_F)
		return false;
	return vm_ram_ptr(v->vm, (par & PAR_PA_MASK) | (va & PAGE_OFFSET_MASK), len) != NULL;
}

void trap_inject_dabt(struct pcpu *p, struct vcpu *v, uint64_t far)
{
	p->stats.injected_aborts++;
	inject(v, INJ_ESR_DABT_CUR, INJ_ESR_DABT_LOW, far);
}

/*
 * A stage-2 instruction abort: the guest fetched from an IPA with no memory behind it. Like a bus
 * with nothing there, the guest gets a synchronous external instruction abort at its own vector,
 * FAR_EL1 and ELR_EL1 = the faulting PC. Not when its vector is itself unreachable (or is what
 * faulted): the guest would fault on its way into the handler, again and again.
 */
static void handle_iabt(struct pcpu *p, struct vcpu *v, uint64_t esr, uint64_t far)
{
	uint64_t vec = sync_vector(v);

	p->stats.exits[EXC_IABT]++;
	if (v->regs.elr - vec < VEC_ENTRY_SIZE || !guest_va_in_ram(v, vec, VEC_ENTRY_SIZE)) {
		trap_guest_fatal(v, esr, far, "instruction fetch outside guest memory");
		return;
	}
	p->stats.injected_aborts++;
	inject(v, INJ_ESR_IABT_CUR, INJ_ESR_IABT_LOW, far);
}

void trap_inject_undef(struct pcpu *p, struct vcpu *v)
{
	p->stats.injected_aborts++;
	inject(v, INJ_ESR_UNDEF, INJ_ESR_UNDEF, 0);
}

void trap_guest_fatal(struct vcpu *v, uint64_t esr, uint64_t far, const char *what)
{
	hyp_printf("hyp: guest fault on vm%u vCPU %u: %s: ESR=0x%lx FAR=0x%lx ELR=0x%lx SPSR=0x%lx\n",
		   v->vm->index, v->id, what, esr, far, v->regs.elr, v->regs.spsr);
	vm_end(v->vm, HYP_STATUS_GUEST_FAULT, "guest fault");
}

/*
 * Would the guest's CPU interface signal something now? Nothing queued: no.
 * Something queued, and the guest has taken an interrupt since the last WFI
 * that returned at once: yes, it is making progress (Linux idles with PSTATE.I
 * masked and wakes to take what is pending); no register access. Otherwise it
 * may be waiting with everything masked by its PMR, which would spin: ask its
 * VMCR (read once per WFI; it cannot change while the vCPU waits here).
 */
static bool wfi_wake(struct pcpu *p, struct vcpu *v, uint64_t *vmcr, bool *have_vmcr)
{
	uint64_t taken;

	if (!vgic_vcpu_has_pending(&v->vm->vgic, v->id))
		return false;
	taken = __atomic_load_n(&vgic_get_vcpu(&v->vm->vgic, v->id)->stats.taken, __ATOMIC_RELAXED);
	if (taken != v->wfi_taken_mark) {
		v->wfi_taken_mark = taken;
		return true;
	}
	if (!*have_vmcr) {
		*vmcr = lr_read_vmcr(&p->be);
		*have_vmcr = true;
	}
	return vgic_vcpu_should_wake(&v->vm->vgic, v->id, *vmcr);
}

/* WFI: sleep at EL2 until something the guest would take is queued (or it must stop). */
static void handle_wfx(struct pcpu *p, struct vcpu *v, uint64_t esr)
{
	uint64_t vmcr = 0;
	bool have_vmcr = false;
	/* Defensive: the architecture traps a conditional AArch32 WFI/WFE only when it passes its condition,
	 * but the syndrome carries the condition (as for the AArch32 traps where failing ones may trap), and
	 * one that failed must do nothing. Its condition may come from the IT state: look before the skip. */
	bool passed = aa32_cond_passed(v->regs.spsr, esr);

	trap_skip_insn(v, esr);
	if (esr & ESR_WFX_TI_MASK) {
		p->stats.exits[EXC_WFE]++;
		return; /* WFE: a spin-wait hint; returning at once is always correct */
	}
	p->stats.exits[EXC_WFI]++;
	if (!passed)
		return;
	if (wfi_wake(p, v, &vmcr, &have_vmcr))
		return;
	p->stats.wfi_sleeps++;
	if (sched_enabled()) {
		v->blocked = 1;   /* its CPU goes to another vCPU; sched.c wakes this one */
		return;
	}
	/* A maintenance condition left from the last run (an EOI'd level LR not yet rewritten, a
	 * stale EOIcount) would hold the level PPI high and turn the sleep into a spin: the next
	 * flush clears it, so it is not needed while the vCPU sleeps. */
	gic_ppi_enable(PPI_MAINTENANCE, false);
	vcpu_set_mode(v, VCPU_MODE_SLEEPING);   /* from here a kick must wake us: the loop looks again */
	for (;;) {
		/* What woke us (the kick SGI) is taken here: left pending, it would bring the guest straight
		 * back out as an IRQ exit after the eret, one exit more per wake-up. */
		bool took = irq_poll(p);

		irq_timer_resample(p);
		storm_point(p);
		if (wfi_wake(p, v, &vmcr, &have_vmcr) || hyp_stopping ||
		    __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON)
			break;
		/* A kick SGI or timer that arrives after the check stays pending and ends the WFI at once. */
		if (!took)
			wfi();
	}
	__atomic_store_n(&v->mode, VCPU_MODE_EL2, __ATOMIC_RELAXED);
	gic_ppi_enable(PPI_MAINTENANCE, true);
}

static void handle_sysreg(struct pcpu *p, struct vcpu *v, uint64_t esr)
{
	uint64_t reg = esr & ESR_SYS_REG_MASK;
	unsigned rt = (unsigned)((esr >> ESR_SYS_RT_SHIFT) & ESR_SYS_RT_MASK);
	bool read = esr & ESR_SYS_DIR_READ;
	uint64_t val = trap_get_reg(v, rt);
	int rc = HV_EINVAL;

	if (reg == SYSREG_ICC_DIR && !read) {
		p->stats.exits[EXC_DIR]++;
		rc = vgic_sysreg_dir(&v->vm->vgic, v->id, val);
	} else if ((reg == SYSREG_ICC_SGI1R || reg == SYSREG_ICC_ASGI1R || reg == SYSREG_ICC_SGI0R) && !read) {
		enum vgic_sgi_reg which = reg == SYSREG_ICC_SGI1R ? VGIC_ICC_SGI1R :
					  reg == SYSREG_ICC_ASGI1R ? VGIC_ICC_ASGI1R : VGIC_ICC_SGI0R;

		p->stats.exits[EXC_SGI1R]++;
		rc = vgic_sysreg_sgi(&v->vm->vgic, v->id, which, val);
	} else {
		p->stats.exits[EXC_SYSREG_OTHER]++;
		if (cntp_sysreg(v, reg, read, rt))
			rc = HV_OK;   /* the physical counter and timer, trapped after a VM pause */
	}
	if (rc != HV_OK) {
		/* A register we do not emulate (or a read of a write-only one): UNDEFINED for the guest. */
		trap_inject_undef(p, v);
		return;
	}
	trap_skip_insn(v, esr);
}

static void handle_sync(struct pcpu *p, struct vcpu *v)
{
	uint64_t esr = read_sysreg(esr_el2);
	uint64_t far = read_sysreg(far_el2);

	switch (ESR_EC_OF(esr)) {
	case ESR_EC_WFX:
		handle_wfx(p, v, esr);
		break;
	case ESR_EC_HVC64:
		hvc_handle(p, v);
		break;
	case ESR_EC_SYS64:
		handle_sysreg(p, v, esr);
		break;
	case ESR_EC_DABT_LOW:
		mmio_handle_dabt(p, v, esr);
		break;
	case ESR_EC_IABT_LOW:
		handle_iabt(p, v, esr, far);
		break;
	case ESR_EC_SMC64:
		/* The guest has no firmware: SMC is undefined for it (PSCI goes through HVC). */
		/* A trapped SMC's ELR_EL2 is the SMC itself, which is what the guest's ELR_EL1 must show. */
		p->stats.exits[EXC_OTHER_SYNC]++;
		trap_inject_undef(p, v);
		break;
	default:
		p->stats.exits[EXC_OTHER_SYNC]++;
		trap_inject_undef(p, v);
		break;
	}
}

void trap_handle_exit(struct pcpu *p, struct vcpu *v, uint64_t kind)
{
	switch (kind) {
	case EXIT_SYNC:
		handle_sync(p, v);
		break;
	case EXIT_IRQ:
		p->stats.exits[EXC_IRQ]++;
		if (!irq_poll(p))
			p->stats.irqs[IRQC_SPURIOUS]++;
		break;
	case EXIT_FIQ:
		/* Nothing is configured as Group 0; poll in case the GIC signalled one anyway. */
		p->stats.exits[EXC_FIQ_SERROR]++;
		irq_poll(p);
		break;
	default:
		/* An SError taken from the guest is an asynchronous abort it caused. */
		p->stats.exits[EXC_FIQ_SERROR]++;
		trap_guest_fatal(v, read_sysreg(esr_el2), read_sysreg(far_el2), "SError");
	}
	irq_timer_resample(p);
}

/* exceptions.c: the guest's C exception handlers: IRQ (acknowledge, dispatch, EOI, maybe deactivate)
 * and synchronous faults (fatal, except the external aborts the hostile mode and the suite provoke). */
#include "arm64.h"
#include "../common/guest.h"

#define ICC_IAR_MASK    0xffffffUL

volatile bool arm64_abort_expected;
volatile uint64_t arm64_aborts_taken;
static bool split_eoi[GUEST_MAX_CPUS];
/* guest_arch_exec_fault_recover(): an instruction abort is expected, and what the vector saw */
static volatile bool iabt_expected;
static struct guest_fault_seen iabt_seen;
static uint64_t iabt_pstate;   /* PAN, UAO and SSBS as the vector found them */

/* PSTATE fields an exception entry sets, each read and written through its own system register (the
 * generic encodings, so no -march is needed): PAN (FEAT_PAN), UAO (FEAT_UAO), SSBS (FEAT_SSBS2). */
#define PSTATE_PAN          (1UL << 22)
#define PSTATE_UAO          (1UL << 23)
#define PSTATE_SSBS         (1UL << 12)
#define SCTLR_SPAN          (1UL << 23)
#define SCTLR_DSSBS         (1UL << 44)
#define MMFR1_PAN_SHIFT     20
#define MMFR2_UAO_SHIFT     4
#define PFR1_SSBS_SHIFT     4
#define PFR1_SSBS2          2UL
static uint64_t pstate_present;   /* which of the three this CPU has (each register UNDEFINED without) */

static uint64_t read_pstate_fields(void)
{
	return ((pstate_present & PSTATE_PAN) ? read_sysreg(s3_0_c4_c2_3) : 0) |
	       ((pstate_present & PSTATE_UAO) ? read_sysreg(s3_0_c4_c2_4) : 0) |
	       ((pstate_present & PSTATE_SSBS) ? read_sysreg(s3_3_c4_c2_6) : 0);
}

/* Each present field from its bit in v. */
static void write_pstate_fields(uint64_t v)
{
	if (pstate_present & PSTATE_PAN)
		write_sysreg(s3_0_c4_c2_3, v & PSTATE_PAN);
	if (pstate_present & PSTATE_UAO)
		write_sysreg(s3_0_c4_c2_4, v & PSTATE_UAO);
	if (pstate_present & PSTATE_SSBS)
		write_sysreg(s3_3_c4_c2_6, v & PSTATE_SSBS);
}

void guest_arm64_irq(uint64_t kind, uint64_t *frame);
void guest_arm64_sync(uint64_t kind, uint64_t *frame);

void guest_arm64_irq(uint64_t kind, uint64_t *frame)
{
	(void)kind;
	(void)frame;
	for (;;) {
		uint32_t intid = (uint32_t)(read_sysreg(icc_iar1_el1) & ICC_IAR_MASK);
		bool deferred;

		if (intid >= GIC_SPURIOUS && intid < GIC_LPI_BASE)
			return;
		/* An LPI is an MSI of the test device (its.c): the suite knows it by its own number. */
		guest_irq_dispatch(intid >= GIC_LPI_BASE ? GUEST_IRQ_MSI_BASE + (intid - GIC_LPI_BASE) : intid);
		/* The handler may have unmasked to allow preemption: end it with interrupts masked. */
		guest_arch_local_irq_disable();
		deferred = guest_irq_take_deferred();
		write_sysreg(icc_eoir1_el1, intid);
		if (split_eoi[guest_arch_cpu_id()] && !deferred)
			write_sysreg(icc_dir_el1, intid);
		isb();
	}
}

/* A name for the report of a synchronous exception nobody expected. */
static const char *sync_name(uint64_t ec)
{
	if (ec == ESR_EC_IABT_CUR || ec == ESR_EC_IABT_LOW)
		return "instruction abort";
	if (ec == ESR_EC_DABT_CUR || ec == ESR_EC_DABT_LOW)
		return "data abort";
	return "synchronous exception";
}

void guest_arm64_sync(uint64_t kind, uint64_t *frame)
{
	uint64_t esr = read_sysreg(esr_el1), ec = ESR_EC_OF(esr);
	static const char *const what[] = { "synchronous exception", "IRQ", "FIQ", "SError",
					    "exception from EL0", "exception from AArch32 EL0" };

	if (kind == 0 && arm64_abort_expected && ec == ESR_EC_DABT_CUR) {
		/* The hostile mode's access was refused with an external abort, as it should be: skip it. */
		frame[FRAME_ELR] += 4;
		arm64_aborts_taken++;
		return;
	}
	if (kind == 0 && iabt_expected && ec == ESR_EC_IABT_CUR) {
		iabt_pstate = read_pstate_fields();
		iabt_expected = false;
		iabt_seen.taken = true;
		iabt_seen.syndrome = esr;
		iabt_seen.addr = read_sysreg(far_el1);
		iabt_seen.pc = frame[FRAME_ELR];
		/* The fetch of the called function's first instruction faulted, so x30 still holds the
		 * return address: resume there, as if that function had returned at once. */
		frame[FRAME_ELR] = frame[FRAME_LR];
		return;
	}
	if (kind == VEC_KIND_LOWER_AA32 && arm64_el0_exception(frame, esr))
		return;
	guest_fatal(kind == 0 ? sync_name(ec) : what[kind <= VEC_KIND_LOWER_AA32 ? kind : 0], esr,
		    read_sysreg(far_el1), frame[FRAME_ELR]);
}

static const char *field_state(uint64_t field)
{
	if (!(pstate_present & field))
		return "absent";
	return (iabt_pstate & field) ? "set" : "clear";
}

/*
 * The PSTATE the injected exception enters with, as the PE would set it: SCTLR_EL1.SPAN clear, so PAN
 * must be set; UAO must be cleared; SCTLR_EL1.DSSBS set, so SSBS must be set. The fault is taken with
 * the opposite of each, and everything is put back after.
 */
static void exec_fault_pstate_check(bool taken)
{
	uint64_t p = pstate_present, want = (PSTATE_PAN | PSTATE_SSBS) & p;

	check("exec_fault_pstate", taken && (iabt_pstate & p) == want,
	      "the injected abort entered with PAN %s, UAO %s, SSBS %s (want set, clear, set: SCTLR_EL1.SPAN clear, "
	      "DSSBS set; taken from PAN 0, UAO 1, SSBS 0)", field_state(PSTATE_PAN), field_state(PSTATE_UAO),
	      field_state(PSTATE_SSBS));
}

bool guest_arch_exec_fault_recover(struct guest_fault_seen *seen)
{
	uint64_t target = FAULT_EXEC_IPA, ec, fsc, sctlr0 = read_sysreg(sctlr_el1), sctlr = sctlr0, saved;

	pstate_present = (ID_FIELD(read_sysreg(id_aa64mmfr1_el1), MMFR1_PAN_SHIFT) ? PSTATE_PAN : 0) |
			 (ID_FIELD(read_sysreg(id_aa64mmfr2_el1), MMFR2_UAO_SHIFT) ? PSTATE_UAO : 0) |
			 (ID_FIELD(read_sysreg(id_aa64pfr1_el1), PFR1_SSBS_SHIFT) >= PFR1_SSBS2 ? PSTATE_SSBS : 0);
	saved = read_pstate_fields();
	iabt_seen = (struct guest_fault_seen){ 0 };
	iabt_pstate = 0;
	if (pstate_present & PSTATE_PAN)
		sctlr &= ~SCTLR_SPAN;
	if (pstate_present & PSTATE_SSBS)
		sctlr |= SCTLR_DSSBS;
	write_sysreg(sctlr_el1, sctlr);
	isb();
	write_pstate_fields(PSTATE_UAO);   /* PAN 0, UAO 1, SSBS 0: the opposite of what entry must give */
	iabt_expected = true;
	/* A call: the abort handler above returns to the link register. Every other register comes
	 * back from the exception frame as it was, so only x30 changes. */
	__asm__ volatile("blr %0" : : "r"(target) : "x30", "memory");
	iabt_expected = false;
	write_pstate_fields(saved);
	write_sysreg(sctlr_el1, sctlr0);
	isb();
	exec_fault_pstate_check(iabt_seen.taken);
	*seen = iabt_seen;
	ec = ESR_EC_OF(seen->syndrome);
	fsc = seen->syndrome & ESR_FSC_MASK;
	seen->expected = seen->taken && ec == ESR_EC_IABT_CUR && fsc == ESR_FSC_EXTABT &&
			 seen->addr == target && seen->pc == target;
	return true;
}

bool guest_arch_has_split_eoi(void)
{
	return true;
}

void guest_arch_set_split_eoi(bool on)
{
	uint64_t ctlr = read_sysreg(icc_ctlr_el1);

	write_sysreg(icc_ctlr_el1, on ? (ctlr | ICC_CTLR_EOIMODE) : (ctlr & ~ICC_CTLR_EOIMODE));
	isb();
	split_eoi[guest_arch_cpu_id()] = on;
}

void guest_arch_deactivate(unsigned irq)
{
	write_sysreg(icc_dir_el1, irq);
	isb();
}

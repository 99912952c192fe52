/* aa32_tests.c: the suite's 32-bit user mode on arm64 (AArch32 EL0, as a 32-bit Linux task runs): an access
 * the hypervisor refuses and one it emulates, each of which it must hand back the way the architecture says. */
#include "arm64.h"
#include "../common/guest.h"

#define ESR_SVC_IMM_MASK   0xffffUL
#define ID_AA64PFR0_EL0_SHIFT 0
#define ID_AA64PFR0_EL0_AA32  2UL    /* EL0 runs AArch64 and AArch32 */

#define SPSR_AA32_USR      0x10UL    /* M[4] = AArch32, M[3:0] = User */
#define SPSR_AA32_T        (1UL << 5)
#define SPSR_AA32_AIF      ((1UL << 8) | (1UL << 7) | (1UL << 6))  /* no interrupt reaches the sequence */
#define SPSR_Z             (1UL << 30)
#define SPSR_EL1H_DAIF     0x3c5UL
#define SPSR_AA32_IT_BITS  ((0x3fUL << 10) | (0x3UL << 25))
#define A32_INSN_BYTES     4U

/* The EL0 window: the identity map's fourth GiB (unused: RAM ends below 2 GiB), a table of 2 MiB blocks
 * any EL0 may use, below the 4 GiB an AArch32 address can reach. */
#define EL0_GIB_SLOT       3U
#define EL0_WINDOW         (EL0_GIB_SLOT * GIB)
#define BLOCK_2M           (1UL << 21)
#define PT_AP_EL0_RW       (1UL << 6)   /* EL0 may use it (so EL1 may not execute it) */
#define EL0_BLOCK_CODE     0U   /* the 2 MiB of RAM that hold the sequences below */
#define EL0_BLOCK_GIC      1U   /* the 2 MiB from the distributor: an emulated register to read */
#define EL0_BLOCK_HOLE     2U   /* nothing there at stage 2: the hypervisor refuses the access */
#define HOLE_IPA           0x80000000UL /* beyond guest RAM (at most 1 GiB from 0x40000000), no device */
#define GICD_IIDR          0x0008U
_Static_assert(GICD_IIDR == 8, "t32_wide_load's ldr.w encodes GICD_IIDR's offset as #8");

/* Each sequence ends in UDF: a skip that went wrong ends it through the UNDEFINED path, never a hang. */
#define A32_UDF 0xe7f000f0U
#define T16_UDF 0xde00U
/* A32: ldr r0, [r1]; svc #0 -- the load is refused, the abort reaches our AArch32 vector, we resume after. */
static const uint32_t a32_abort[] __attribute__((aligned(64))) = { 0xe5910000, 0xef000000, A32_UDF };
/* A32: ldr r0, [r1]; svc #6; svc #7 -- an emulated load, 4 bytes to skip. */
static const uint32_t a32_load[] __attribute__((aligned(64))) = { 0xe5910000, 0xef000006, 0xef000007, A32_UDF };
/* T32, 16-bit: ldr r0, [r1]; svc #2; svc #3 -- an emulated load whose skip must be 2 bytes (ESR.IL clear). */
static const uint16_t t32_load[] __attribute__((aligned(64))) = { 0x6808, 0xdf02, 0xdf03, T16_UDF };
/* T32, 32-bit: ldr.w r0, [r1, #8] (GICD_IIDR from the GICD base); svc #4; svc #5 -- 4 bytes to skip.
 * Resumed 2 bytes on, its second halfword would run as "movs r0, r1" and leave the address in r0. */
static const uint16_t t32_wide_load[] __attribute__((aligned(64))) = { 0xf8d1, 0x0008, 0xdf04, 0xdf05, T16_UDF };
/* T32: ite eq; ldreq r0, [r1]; svcne #0; svc #1 -- with Z set the load runs and svcne must not: the skip
 * must move the IT state on. */
static const uint16_t t32_it[] __attribute__((aligned(64))) = { 0xbf0c, 0x6808, 0xdf00, 0xdf01, T16_UDF };

static uint64_t el0_table[PT_ENTRIES] __attribute__((aligned(4096)));

struct el0_run {
	volatile bool active, expect_abort;
	uint64_t abort_esr, abort_far, abort_pc;   /* the refused access, as our vector saw it */
	uint64_t end_esr, end_spsr, r0;            /* the exception that ended the sequence */
	bool aborted;
};
static struct el0_run run;

void arm64_el0_run(uint64_t entry, uint64_t spsr, uint64_t r1);
void arm64_el0_return(void);

bool arm64_el0_exception(uint64_t *frame, uint64_t esr)
{
	uint64_t ec = ESR_EC_OF(esr);

	if (!run.active)
		return false;
	if (ec == ESR_EC_DABT_LOW && run.expect_abort && !run.aborted) {
		run.aborted = true;
		run.abort_esr = esr;
		run.abort_far = read_sysreg(far_el1);
		run.abort_pc = frame[FRAME_ELR];
		frame[FRAME_ELR] += A32_INSN_BYTES;   /* the A32 load: go on after it */
		return true;
	}
	/* The sequence's SVC, or anything else: it is over. Back to EL1, to arm64_el0_run's caller. */
	run.end_esr = esr;
	run.end_spsr = frame[FRAME_SPSR];
	run.r0 = frame[FRAME_X0] & UINT32_MAX;
	run.active = false;
	frame[FRAME_ELR] = (uint64_t)arm64_el0_return;
	frame[FRAME_SPSR] = SPSR_EL1H_DAIF;
	return true;
}

static uint64_t block_of(uint64_t pa)
{
	return pa & ~(BLOCK_2M - 1);
}

/* The window's VA of pa, inside the given block (mapped at block_of(pa)). */
static uint64_t el0_va(unsigned block, uint64_t pa)
{
	return EL0_WINDOW + block * BLOCK_2M + (pa & (BLOCK_2M - 1));
}

/* One block of the window, break before make when it changes. */
static void el0_set_block(unsigned block, uint64_t entry)
{
	arm64_pte_replace(&el0_table[block], entry);
}

static void el0_sequence(const void *code, uint64_t spsr, uint64_t r1, bool expect_abort)
{
	uint64_t pa = (uint64_t)code;

	el0_set_block(EL0_BLOCK_CODE,
		      block_of(pa) | PT_BLOCK_VALID | PT_AF | PT_SH_INNER | PT_ATTR_NORMAL | PT_AP_EL0_RW);
	run = (struct el0_run){ .expect_abort = expect_abort };
	run.active = true;
	arm64_el0_run(el0_va(EL0_BLOCK_CODE, pa), spsr, r1);
}

static uint64_t svc_imm(void)
{
	return ESR_EC_OF(run.end_esr) == ESR_EC_SVC32 ? run.end_esr & ESR_SVC_IMM_MASK : ~0UL;
}

void guest_arch_compat_tests(void)
{
	static const char *const check_names[] = { "aa32_abort_vector", "aa32_a32_load", "aa32_t32_load_skip",
						   "aa32_t32_wide_load_skip", "aa32_t32_it_advance" };
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), iidr, hole_va, gicd_va, ec, fsc, saved_gib;

	if (ID_FIELD(pfr0, ID_AA64PFR0_EL0_SHIFT) != ID_AA64PFR0_EL0_AA32) {
		for (unsigned i = 0; i < sizeof(check_names) / sizeof(check_names[0]); i++)
			skip(check_names[i], "this CPU has no AArch32 at EL0");
		return;
	}
	iidr = mmio_r32(machine.gicd + GICD_IIDR);
	el0_set_block(EL0_BLOCK_GIC,
		      block_of(machine.gicd) | PT_BLOCK_VALID | PT_AF | PT_ATTR_DEVICE | PT_AP_EL0_RW | PT_XN);
	el0_set_block(EL0_BLOCK_HOLE, HOLE_IPA | PT_BLOCK_VALID | PT_AF | PT_ATTR_DEVICE | PT_AP_EL0_RW | PT_XN);
	hole_va = el0_va(EL0_BLOCK_HOLE, HOLE_IPA);
	saved_gib = arm64_map_gib(EL0_GIB_SLOT, (uint64_t)el0_table | PT_TABLE);
	gicd_va = el0_va(EL0_BLOCK_GIC, machine.gicd + GICD_IIDR);

	/* A refused access from AArch32 EL0: an external abort at VBAR_EL1 + 0x600, the lower-EL AArch32
	 * group, with the lower-EL data abort class; then the sequence goes on to its SVC. */
	el0_sequence(a32_abort, SPSR_AA32_USR | SPSR_AA32_AIF, hole_va, true);
	ec = ESR_EC_OF(run.abort_esr);
	fsc = run.abort_esr & ESR_FSC_MASK;
	check("aa32_abort_vector", run.aborted && ec == ESR_EC_DABT_LOW && fsc == ESR_FSC_EXTABT &&
	      run.abort_far == hole_va && run.abort_pc == el0_va(EL0_BLOCK_CODE, (uint64_t)a32_abort) &&
	      svc_imm() == 0,
	      "an A32 load from EL0 of nothing: %s AArch32 vector, ESR 0x%lx, FAR 0x%lx, PC 0x%lx, then svc #%ld",
	      run.aborted ? "taken at the" : "not taken at the", run.abort_esr, run.abort_far, run.abort_pc,
	      (long)svc_imm());

	/* An emulated A32 load: the register read, 4 bytes skipped. */
	el0_sequence(a32_load, SPSR_AA32_USR | SPSR_AA32_AIF, gicd_va, false);
	check("aa32_a32_load", svc_imm() == 6 && run.r0 == iidr,
	      "an A32 load of GICD_IIDR from EL0 read 0x%lx (EL1 reads 0x%lx), then svc #%ld (want #6)", run.r0,
	      iidr, (long)svc_imm());

	/* An emulated 16-bit T32 load: the hypervisor must skip 2 bytes (ESR.IL clear), not 4. */
	el0_sequence(t32_load, SPSR_AA32_USR | SPSR_AA32_T | SPSR_AA32_AIF, gicd_va, false);
	check("aa32_t32_load_skip", svc_imm() == 2 && run.r0 == iidr,
	      "a 16-bit T32 load of GICD_IIDR from EL0 read 0x%lx (EL1 reads 0x%lx), then svc #%ld (want #2: "
	      "#3 means the hypervisor skipped 4 bytes)", run.r0, iidr, (long)svc_imm());

	/* An emulated 32-bit T32 load: 4 bytes, though the instruction set is Thumb (ESR.IL set). */
	el0_sequence(t32_wide_load, SPSR_AA32_USR | SPSR_AA32_T | SPSR_AA32_AIF, el0_va(EL0_BLOCK_GIC, machine.gicd),
		     false);
	check("aa32_t32_wide_load_skip", svc_imm() == 4 && run.r0 == iidr,
	      "a 32-bit T32 load (ldr.w) of GICD_IIDR from EL0 read 0x%lx, then svc #%ld (want 0x%lx and #4: a "
	      "2-byte skip runs its second half as movs r0, r1)", run.r0, (long)svc_imm(), iidr);

	/* The same load inside an IT block: after it, the block's else-slot must fail with Z set. */
	el0_sequence(t32_it, SPSR_AA32_USR | SPSR_AA32_T | SPSR_AA32_AIF | SPSR_Z, gicd_va, false);
	check("aa32_t32_it_advance", svc_imm() == 1 && run.r0 == iidr && !(run.end_spsr & SPSR_AA32_IT_BITS),
	      "ite eq; ldreq (emulated, read 0x%lx); svcne #0; svc #1 from EL0 with Z set: svc #%ld, IT state "
	      "0x%lx after (want #1 and 0: #0 means the skip left the IT state behind)", run.r0, (long)svc_imm(),
	      run.end_spsr & SPSR_AA32_IT_BITS);
	arm64_map_gib(EL0_GIB_SLOT, saved_gib);
}

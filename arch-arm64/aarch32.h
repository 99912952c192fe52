/* aarch32.h: what a trap from an AArch32 EL0 needs beyond the A64 case: its vector group, the length of
 * the trapped instruction, the Thumb IT state to move past it, and the condition it was trapped under. */
#ifndef HYP_AARCH32_H
#define HYP_AARCH32_H

#include <stdbool.h>
#include <stdint.h>
#include "sysreg.h"

/* SPSR_EL2 of the exit: was the guest in AArch32 (EL0; EL1 is always AArch64 here)? */
static inline bool aa32_state(uint64_t spsr)
{
	return (spsr & PSR_AA32) != 0;
}

/* The AArch32 halves of the two below, out of line (aarch32.c). */
uint64_t aa32_it_advance_thumb(uint64_t spsr);
bool aa32_trap_cond_passed(uint64_t spsr, uint64_t esr);

/* After an AArch32 instruction was skipped: the next one's place in a Thumb IT block (ITAdvance). Every
 * trap skips through here, so an AArch64 one pays only the test of M[4]. */
static inline uint64_t aa32_it_advance(uint64_t spsr)
{
	return aa32_state(spsr) && (spsr & PSR_AA32_T) ? aa32_it_advance_thumb(spsr) : spsr;
}

/* Would the trapped AArch32 instruction have executed? Some AArch32 traps may be taken for a conditional
 * instruction that fails its condition (WFI/WFE are trapped only when they pass, so for them this is
 * defensive); such an instruction must do nothing. ISS carries the condition (CV), or for a Thumb
 * instruction inside an IT block the IT state does. From AArch64 nothing is conditional. */
static inline bool aa32_cond_passed(uint64_t spsr, uint64_t esr)
{
	return !aa32_state(spsr) || aa32_trap_cond_passed(spsr, esr);
}

#endif

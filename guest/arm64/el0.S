/* el0.S: run a short user-mode sequence and come back: arm64_el0_run() erets to EL0 with the PSTATE it is
 * given; the vector that takes the sequence's last exception resumes at arm64_el0_return, which returns. */
	.text
	.global arm64_el0_run
/* x0: entry, x1: SPSR_EL1 for it (mode, instruction set, flags), x2: the value of x1 (r1) it starts with */
arm64_el0_run:
	adrp	x9, el0_saved
	add	x9, x9, :lo12:el0_saved
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x30, [x9, #80]
	mov	x10, sp
	mrs	x11, daif
	stp	x10, x11, [x9, #96]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	mov	x1, x2
	mov	x0, xzr
	isb
	eret

/* Entered by eret from the vector (exceptions.c), at EL1 with every exception masked. The sequence ran
 * on no register we need (AArch32 sees only the low halves of x0-x14): restore them all from memory. */
	.global arm64_el0_return
arm64_el0_return:
	adrp	x9, el0_saved
	add	x9, x9, :lo12:el0_saved
	ldp	x19, x20, [x9, #0]
	ldp	x21, x22, [x9, #16]
	ldp	x23, x24, [x9, #32]
	ldp	x25, x26, [x9, #48]
	ldp	x27, x28, [x9, #64]
	ldp	x29, x30, [x9, #80]
	ldp	x10, x11, [x9, #96]
	mov	sp, x10
	msr	daif, x11
	ret

	.bss
	.balign 16
el0_saved:
	.skip	112

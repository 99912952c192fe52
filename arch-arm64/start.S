/* start.S: the hypervisor's first instructions on every physical CPU, at EL2 with the MMU off.
 * The boot CPU enters at _start (from QEMU); the others at secondary_entry (PSCI CPU_ON, x0 = index). */
#include "asm_offsets.h"

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x20, x0			/* DTB address if the loader passed one (QEMU passes 0 for ELF) */
	/* Zero .bss before any C runs; the stacks live in it too, so no stack use until done. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	mov	x1, x20
	b	cpu_common

	.global secondary_entry
secondary_entry:
	mov	x1, #0
	/* fall through: x0 = CPU index from the PSCI context ID */

cpu_common:
	msr	daifset, #0xf		/* EL2 runs with everything masked; it polls the GIC */
	adrp	x2, hyp_stacks
	add	x2, x2, :lo12:hyp_stacks
	add	x3, x0, #1
	add	x2, x2, x3, lsl #HYP_STACK_SHIFT
	mov	sp, x2
	adrp	x2, hyp_vectors
	add	x2, x2, :lo12:hyp_vectors
	msr	vbar_el2, x2
	isb
	bl	hyp_cpu_main		/* (index, dtb); does not return */
3:	wfe
	b	3b

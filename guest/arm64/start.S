/* start.S: the guest's entry at EL1 with the MMU off: x0 = DTB on the boot CPU, x0 = CPU index on
 * the others (the PSCI CPU_ON context ID). Sets a stack per CPU, the vectors, FP access, then C. */
	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, x0
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	cpu_setup
	mov	x0, x19
	bl	guest_arm64_boot	/* does not return */
	b	.

	.global guest_secondary_entry
guest_secondary_entry:
	mov	x19, x0
	bl	cpu_setup
	mov	x0, x19
	bl	guest_arm64_secondary	/* does not return */
	b	.

/* x0 = CPU index: stack, vectors, FP/SIMD (libfdt uses SIMD registers). Uses x1-x2 only. */
cpu_setup:
	adrp	x1, guest_stacks
	add	x1, x1, :lo12:guest_stacks
	add	x2, x0, #1
	add	x1, x1, x2, lsl #14
	mov	sp, x1
	adrp	x1, guest_vectors
	add	x1, x1, :lo12:guest_vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x1
	isb
	ret

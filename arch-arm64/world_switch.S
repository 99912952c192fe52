/* world_switch.S: enter the guest with ERET and come back through the lower-EL exception vectors.
 * guest_enter() returns to its C caller with the exit kind, as if it were an ordinary call. */
#include "asm_offsets.h"

	.text
	.balign 16
	.global guest_enter
	.type guest_enter, %function
/* uint64_t guest_enter(struct vcpu_regs *regs) */
guest_enter:
	/* Callee-saved registers of the C caller; popped by guest_exit in reverse order. */
	stp	x29, x30, [sp, #-16]!
	stp	x27, x28, [sp, #-16]!
	stp	x25, x26, [sp, #-16]!
	stp	x23, x24, [sp, #-16]!
	stp	x21, x22, [sp, #-16]!
	stp	x19, x20, [sp, #-16]!
	mrs	x1, tpidr_el2
	mov	x2, sp
	str	x2, [x1, #PCPU_HOST_SP_OFF]
	str	x0, [x1, #PCPU_GUEST_REGS_OFF]
	ldp	x2, x3, [x0, #VCPU_REGS_ELR_OFF]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	dsb	nsh		/* no speculation past the ERET */
	isb
	.size guest_enter, . - guest_enter

/* Entered from a lower-EL vector with the guest's x0/x1 pushed and x0 = exit kind. */
	.global guest_exit
	.type guest_exit, %function
guest_exit:
	mrs	x1, tpidr_el2
	ldr	x1, [x1, #PCPU_GUEST_REGS_OFF]
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	stp	x18, x19, [x1, #144]
	stp	x20, x21, [x1, #160]
	stp	x22, x23, [x1, #176]
	stp	x24, x25, [x1, #192]
	stp	x26, x27, [x1, #208]
	stp	x28, x29, [x1, #224]
	str	x30, [x1, #240]
	ldp	x2, x3, [sp], #16	/* the guest's x0, x1 */
	stp	x2, x3, [x1, #0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #VCPU_REGS_ELR_OFF]
	ldp	x19, x20, [sp], #16
	ldp	x21, x22, [sp], #16
	ldp	x23, x24, [sp], #16
	ldp	x25, x26, [sp], #16
	ldp	x27, x28, [sp], #16
	ldp	x29, x30, [sp], #16
	ret
	.size guest_exit, . - guest_exit

/* vectors.S: the guest's EL1 vector table. IRQs save the full frame (so a handler may unmask and be
 * preempted); synchronous exceptions go to C with the same frame so an expected abort can be skipped. */
#define FRAME_SIZE 272		/* x0-x30, ELR_EL1, SPSR_EL1, padded to 16 */

.macro save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x30, x0, [sp, #240]
	str	x1, [sp, #256]
.endm

.macro restore_frame
	ldr	x1, [sp, #256]
	ldp	x30, x0, [sp, #240]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

.macro vector handler, kind
	.balign 0x80
	save_frame
	mov	x0, #\kind
	mov	x1, sp
	bl	\handler
	b	vector_return
.endm

	.text
	.balign 0x800
	.global guest_vectors
guest_vectors:
	vector guest_arm64_sync, 0	/* current EL, SP_EL0 */
	vector guest_arm64_irq, 1
	vector guest_arm64_sync, 2
	vector guest_arm64_sync, 3
	vector guest_arm64_sync, 0	/* current EL, SP_EL1: the guest itself */
	vector guest_arm64_irq, 1
	vector guest_arm64_sync, 2
	vector guest_arm64_sync, 3
	vector guest_arm64_sync, 4	/* lower EL, AArch64: the guest runs nothing there */
	vector guest_arm64_sync, 4
	vector guest_arm64_sync, 4
	vector guest_arm64_sync, 4
	vector guest_arm64_sync, 5	/* lower EL, AArch32: the suite's 32-bit user sequences (aa32_tests.c) */
	vector guest_arm64_irq, 1
	vector guest_arm64_sync, 2
	vector guest_arm64_sync, 3

vector_return:
	restore_frame

/* start.S: x86 guest entry (64-bit long mode, IF=0; RDI = vCPU index, RSI = vCPUs, RDX = boot flags)
 * and the 256 interrupt stubs, which push a uniform frame for x86_isr(). */
#define STACK_SIZE 16384
#define KERNEL_CS 0x08

	.section .text.start, "ax"
	.globl _start
_start:
	cli
	/* Each vCPU takes its own stack from x86_stacks by index; the VMM's RSP is not relied on. */
	leaq x86_stacks(%rip), %rsp
	movq %rdi, %rax
	incq %rax
	shlq $14, %rax
	addq %rax, %rsp
	xorq %rbp, %rbp
	call x86_main
1:	cli
	hlt
	jmp 1b

/* Vectors that push an error code when raised as exceptions: 8, 10-14, 17, 21, 29, 30. The same vector
 * can also arrive as an external interrupt (no error code); tell them apart by where CS sits. */
.macro STUB v, err
	.text
isr_\v:
	.if \err
	cmpq $KERNEL_CS, 8(%rsp)
	jne 2f
	pushq $0
2:
	.else
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
	.section .rodata
	.quad isr_\v
.endm

	.section .rodata
	.globl x86_isr_table
	.balign 8
x86_isr_table:
.altmacro
.macro STUBS from, to
	.if (\from == 8) || (\from >= 10 && \from <= 14) || (\from == 17) || (\from == 21) || (\from == 29) || (\from == 30)
	STUB %from, 1
	.else
	STUB %from, 0
	.endif
	.if \to-\from
	STUBS %(\from+1), \to
	.endif
.endm
	STUBS 0, 99
	STUBS 100, 199
	STUBS 200, 255

	.text
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	call x86_isr
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.bss
	.globl x86_stacks
	.balign 4096
x86_stacks:
	.space STACK_SIZE * 64   /* G_MAX_CPUS */
	.section .note.GNU-stack, "", @progbits

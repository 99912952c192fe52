/* triple_fault.S: a guest that faults before installing an IDT (#UD -> #GP -> #DF -> shutdown).
 * The VMM must report the triple fault with registers and exit with status 125, not crash. */
	.section .text.start, "ax"
	.globl _start
_start:
	movq $0x1122334455667788, %rbx   /* a marker the register dump must show */
	ud2
	.section .note.GNU-stack, "", @progbits

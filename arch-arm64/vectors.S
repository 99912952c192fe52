/* vectors.S: the EL2 exception vector table.
 * Lower-EL entries are guest exits (to guest_exit); current-EL entries are hypervisor bugs (to hyp_fault). */
#include "asm_offsets.h"

.macro exit_vector kind
	.balign 0x80
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	guest_exit
.endm

.macro fault_vector kind
	.balign 0x80
	mov	x0, #\kind
	b	hyp_fault_entry
.endm

	.text
	.balign 0x800
	.global hyp_vectors
hyp_vectors:
	/* current EL with SP_EL0: never used */
	fault_vector EXIT_SYNC
	fault_vector EXIT_IRQ
	fault_vector EXIT_FIQ
	fault_vector EXIT_SERROR
	/* current EL with SP_EL2: a fault in the hypervisor itself */
	fault_vector EXIT_SYNC
	fault_vector EXIT_IRQ
	fault_vector EXIT_FIQ
	fault_vector EXIT_SERROR
	/* lower EL, AArch64: the guest */
	exit_vector EXIT_SYNC
	exit_vector EXIT_IRQ
	exit_vector EXIT_FIQ
	exit_vector EXIT_SERROR
	/* lower EL, AArch32: HCR_EL2.RW forbids AArch32 EL1; EL0 faults are still the guest's */
	exit_vector EXIT_SYNC
	exit_vector EXIT_IRQ
	exit_vector EXIT_FIQ
	exit_vector EXIT_SERROR

hyp_fault_entry:
	bl	hyp_fault	/* does not return */
1:	wfe
	b	1b

/* tiny-guest.S: the smallest guest scripts/run-guest.sh runs (docs/arm64.md, "Running your own guest"):
 * it prints a line on the PL011, checks that x0 points at a device tree, and powers off through PSCI. */
	.equ	UART_DR, 0x09000000		/* QEMU virt's PL011 data register, passed through */
	.equ	FDT_MAGIC_LE, 0xedfe0dd0	/* 0xd00dfeed is stored big-endian: read as a little-endian word */
	.equ	PSCI_SYSTEM_OFF, 0x84000008	/* over HVC: the guest's firmware conduit */

	.text
	.global	_start
_start:					/* EL1, MMU off, x0 = the device tree */
	mov	x19, x0
	adr	x1, hello
	bl	puts
	adr	x1, dtb_bad
	ldr	w2, [x19]
	ldr	w3, =FDT_MAGIC_LE
	cmp	w2, w3
	b.ne	1f
	adr	x1, dtb_ok
1:	bl	puts
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.				/* SYSTEM_OFF does not return */

puts:					/* x1: a NUL-terminated string; clobbers x1, x2, x4 */
	ldr	x4, =UART_DR
2:	ldrb	w2, [x1], #1
	cbz	w2, 3f
	str	w2, [x4]
	b	2b
3:	ret

hello:	.asciz	"tiny-guest: hello, entered at the ELF's entry point\n"
dtb_ok:	.asciz	"tiny-guest: x0 points at a device tree\n"
dtb_bad: .asciz	"tiny-guest: x0 does not point at a device tree\n"

/* guest_dtb.S: the guest's device tree (dts/guest.dts compiled by dtc), embedded in the hypervisor image.
 * fdt_setup.c copies it into guest RAM and fills in the CPU count, memory and boot arguments. */
	.section .rodata
	.balign 8
	.global guest_dtb_start, guest_dtb_end
guest_dtb_start:
	.incbin GUEST_DTB_PATH
guest_dtb_end:

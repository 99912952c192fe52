/* vmm_layout.h: where the VMM puts the boot structures in guest-physical memory.
 * The guest image links at LAYOUT_IMAGE and must leave the first megabyte alone. */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

#define LAYOUT_PAGE       0x1000ULL
#define LAYOUT_GDT        0x1000ULL
#define LAYOUT_TSS        0x1800ULL
#define LAYOUT_PML4       0x2000ULL
#define LAYOUT_PDPT       0x3000ULL
#define LAYOUT_PD         0x4000ULL   /* four pages: 0x4000..0x7fff */
#define LAYOUT_IDT        0x8000ULL
#define LAYOUT_BOOTARGS   0x9000ULL   /* with VMM_BOOT_ARGS: the guest's argument string */
#define LAYOUT_SCALE      0xA000ULL   /* with --scale-hz: each source's last raise, guest TSC (u64 each) */
#define LAYOUT_IMAGE      0x100000ULL
#define LAYOUT_BOOT_STACK 0x10000ULL  /* RSP at entry: top of RAM minus 64 KiB per vCPU index */

#define LAYOUT_SEL_CODE   0x08U
#define LAYOUT_SEL_DATA   0x10U
#define LAYOUT_SEL_TSS    0x18U
#define LAYOUT_GDT_LIMIT  (0x28U - 1U)

#endif

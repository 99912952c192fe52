/* hyp.h: the EL2 hypervisor's memory map, limits and the small helpers every hypervisor file shares.
 * Addresses that QEMU's DTB describes are read at boot (platform.c); only our own layout is fixed here. */
#ifndef HYP_H
#define HYP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "asm_offsets.h"
#include "minilib.h"

#define HYP_MAX_CPUS        8U   /* physical CPUs, and vCPUs of all VMs together */
#define HYP_MAX_VMS         2U   /* hyp.vm2.*: a second VM sharing the CPUs (vm.h) */
#define HYP_STACK_SIZE      (1U << HYP_STACK_SHIFT)

/* Host physical layout (QEMU virt, RAM from 0x40000000; see docs/arm64.md). */
#define HOST_DTB_DEFAULT    0x40000000UL  /* where QEMU puts its DTB for an ELF image */
#define GUEST_RAM_PA        0x50000000UL  /* host memory backing the (first) guest (QEMU -m covers it);
                                            * a second VM's RAM follows the first's */
#define GUEST_RAM_IPA       0x40000000UL  /* where the guest sees it; 1 GiB aligned (one stage-2 L1 slot) */
/* Guest RAM size (hyp.mem=): 2 MiB stage-2 blocks in the one 1 GiB slot at GUEST_RAM_IPA. */
#define GUEST_RAM_DEFAULT   0x08000000UL  /* 128 MiB, without hyp.mem= */
#define GUEST_RAM_MIN       0x04000000UL  /* 64 MiB */
#define GUEST_RAM_MAX       0x40000000UL  /* 1 GiB: the whole slot */
#define GUEST_RAM_ALIGN     0x00200000UL  /* a whole number of stage-2 blocks */
/* The guest DTB: at hyp.dtb= (scripts/run-guest.sh places it as QEMU would), else the start of RAM. */
#define GUEST_DTB_DEFAULT   GUEST_RAM_IPA
#define GUEST_DTB_MAX       0x10000U
#define GUEST_DTB_ALIGN     8U            /* the arm64 boot protocol's alignment for the DTB */
#define GUEST_IMAGE_OFFSET  0x80000UL     /* QEMU's place for an image without a header */
#define GUEST_ENTRY_IPA     (GUEST_RAM_IPA + GUEST_IMAGE_OFFSET)

/* Guest interrupt configuration */
#define GUEST_NR_SPIS       64U            /* INTIDs 32..95: ABI lines 0..31 and the UART's */
#define GUEST_NR_LPIS       8192U          /* INTIDs 8192..16383, behind the guest's ITS */

/* Physical interrupts the hypervisor uses */
#define HYP_SGI_KICK        0U   /* cross-CPU kick: "your vCPU has new work" */
#define PPI_MAINTENANCE     25U
#define PPI_HYP_TIMER       26U
#define PPI_VTIMER          27U  /* EL1 virtual timer: the guest's, forwarded HW-mapped */
#define PPI_PTIMER          30U  /* EL1 physical timer: the guest's too, forwarded the same way */

/* Exit status the hypervisor reports when it, not the guest, ends the run */
#define HYP_STATUS_GUEST_FAULT  0xfaU
#define HYP_STATUS_HYP_PANIC    0x7fU
#define HYP_STATUS_BOOT_FAILED  0x7eU
#define HYP_STATUS_MAX          0xffU   /* guest HALT statuses above this are reported as this */

static inline uint32_t hyp_cpu_index(void)
{
	uint64_t v;

	/* TPIDR_EL2 holds this CPU's struct pcpu; its first word is the index. */
	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(v));
	return *(const uint32_t *)v;
}

/* lib.c: the C library pieces that libfdt and the compiler need */
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* print.c */
void hyp_puts(const char *s);
__attribute__((format(printf, 1, 2))) void hyp_printf(const char *fmt, ...);

/* exit.c: end the whole run (all CPUs) with a status; never returns */
__attribute__((noreturn)) void hyp_end_run(unsigned status, const char *why);
__attribute__((noreturn)) void hyp_panic(const char *what);

#endif

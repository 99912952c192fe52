/* mmu.h: the hypervisor's own identity map (EL2 stage 1) and the guest's stage-2 tables.
 * Stage 2 maps a VM's RAM and (one VM) the UART only; the GIC ranges stay unmapped so every access traps. */
#ifndef HYP_MMU_H
#define HYP_MMU_H

#include <stdint.h>

/* Boot CPU, once: the EL2 identity map (before the DTB is read, so libfdt runs on cacheable memory)... */
void mmu_build_el2(void);
struct vm;
/* ...and, once the UART address and vm's RAM (ram_pa, ram_size: a multiple of 2 MiB, at most 1 GiB)
 * are known, vm's stage-2 tables and VTTBR (its VMID). */
void mmu_build_stage2(struct vm *vm);
/* Every CPU: turn on the EL2 MMU with the identity map, and set VTCR for stage 2 (VTTBR: main.c, sched.c). */
void mmu_enable_cpu(void);
/* Clean a range to the point of coherency so a guest running with its caches off sees our writes. */
void mmu_clean_dcache(const void *p, uint64_t len);

#endif

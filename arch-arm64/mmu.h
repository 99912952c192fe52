/* mmu.h: the hypervisor's own identity map (EL2 stage 1) and the guest's stage-2 tables.
 * Stage 2 maps guest RAM and the UART only; the GIC ranges stay unmapped so every access traps. */
#ifndef HYP_MMU_H
#define HYP_MMU_H

#include <stdint.h>

/* Boot CPU, once: the EL2 identity map (before the DTB is read, so libfdt runs on cacheable memory)... */
void mmu_build_el2(void);
/* ...and, once the UART address and the guest's RAM size (bytes, a multiple of 2 MiB, at most 1 GiB)
 * are known, the stage-2 tables. */
void mmu_build_stage2(uint64_t ram_size);
/* Guest RAM's size as mapped (from GUEST_RAM_IPA); 0 before mmu_build_stage2(). */
uint64_t mmu_guest_ram_size(void);
/* Every CPU: turn on the EL2 MMU with the identity map, and load VTCR/VTTBR for stage 2. */
void mmu_enable_cpu(void);
/* Guest physical (IPA) range inside guest RAM -> hypervisor pointer; NULL if any byte is outside. */
void *mmu_guest_ram_ptr(uint64_t ipa, uint64_t len);
/* Clean a range to the point of coherency so a guest running with its caches off sees our writes. */
void mmu_clean_dcache(const void *p, uint64_t len);

#endif

/* fdt_guest.h: the guest's device tree, written to the start of guest RAM before vCPU 0 starts.
 * The guest receives its address in x0 (docs/guest-abi.md, "Boot state"). */
#ifndef HYP_FDT_GUEST_H
#define HYP_FDT_GUEST_H

#include <stdint.h>
#include "hyp.h"

int fdt_guest_build(uint32_t nr_cpus, const uint64_t *mpidr, const char *bootargs);

#endif

/* fdt_guest.h: the guest's device tree, written into guest RAM (hyp.dtb=) before vCPU 0 starts.
 * The guest receives its address in x0 (docs/guest-abi.md, "Boot state"). */
#ifndef HYP_FDT_GUEST_H
#define HYP_FDT_GUEST_H

#include <stdint.h>
#include "bootparams.h"
#include "hyp.h"

struct vm;
/* Written in vm's RAM at bp->dtb (from dts/guest.dts, or edited in place if bp->dtb_loaded), with the cpu nodes
 * beyond its vCPUs deleted (theirs get the vCPUs' MPIDRs), bp->mem_size in the memory node, the GICR span, bp->guest_args as bootargs;
 * bp->initrd_size 0: no initrd, else /chosen gets linux,initrd-start/-end (guest IPAs).
 * 0, or -1 with *why saying what was wrong. */
int fdt_guest_build(const struct vm *vm, const struct bootparams *bp, const char **why);

/* The root node's model in the guest DTB built at bp->dtb; "(none)" if it has none. */
const char *fdt_guest_model(const struct vm *vm, const struct bootparams *bp);
/* The INTID of the guest's PL011 in dts/guest.dts; 0 if it has none. */
uint32_t fdt_guest_uart_intid(void);
/* Where dts/guest.dts puts the ITS (arm,gic-v3-its, 128 KiB); 0 if it has none. */
uint64_t fdt_guest_its_base(void);

#endif

/* platform.h: what the hypervisor learns from QEMU's device tree at boot.
 * Filled once by platform_init() on the boot CPU before anything else reads it. */
#ifndef HYP_PLATFORM_H
#define HYP_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include "hyp.h"

#define PLATFORM_UART_EARLY  0x09000000UL  /* QEMU virt's PL011, used until the DTB is read */
#define PLATFORM_BOOTARGS_MAX 256U

struct platform {
	uint64_t uart_base;
	uint32_t uart_intid;               /* the PL011's SPI as an INTID; 0: none described */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size;
	uint64_t mem_base, mem_size;
	uint32_t nr_cpus;
	uint64_t cpu_mpidr[HYP_MAX_CPUS];  /* from the cpu nodes' reg */
	bool psci_hvc;                     /* firmware conduit: false = SMC */
	const void *dtb;
	char bootargs[PLATFORM_BOOTARGS_MAX];
};

extern struct platform platform;

/* Parse QEMU's DTB; 0 on success, else a negative libfdt error or -1. */
int platform_init(const void *dtb);
/* The INTID of the first SPI in the interrupts of the first node compatible with compat
 * (three-cell GIC specifiers); 0 if there is none. Serves QEMU's tree and the guest's alike. */
uint32_t platform_fdt_spi(const void *fdt, const char *compat);
/* Entry idx of the reg property of the first node compatible with compat: 0, or -1 if there is none. */
int platform_fdt_reg(const void *fdt, const char *compat, int idx, uint64_t *addr, uint64_t *size);

#endif

/* gic.h: the hypervisor's driver for the physical GICv3 (distributor, this CPU's redistributor, ICC_*).
 * EL2 runs with EOImode 1: EOIR only drops priority, so a forwarded interrupt can stay active for the guest. */
#ifndef HYP_GIC_H
#define HYP_GIC_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_SPURIOUS_FIRST 1020U

/* Once, on the boot CPU: the distributor. */
int gic_dist_init(void);
/* Make an SPI a level, route it to the CPU with this MPIDR and enable it (the guest's UART).
 * gic_dist_init() already put it in Group 1. */
void gic_spi_route(uint32_t intid, uint64_t mpidr);
/* On every CPU: wake its redistributor, enable the PPIs/SGIs the hypervisor uses, set up ICC_*. */
int gic_cpu_init(uint64_t mpidr);
/* Acknowledge the highest-priority pending interrupt; >= GIC_SPURIOUS_FIRST when none. */
uint32_t gic_ack(void);
void gic_priority_drop(uint32_t intid);
void gic_deactivate(uint32_t intid);
/* Deactivate intid as CPU `cpu` acknowledged it: this CPU's ICC_DIR, or cpu's redistributor, or the distributor. */
void gic_deactivate_on(unsigned cpu, uint32_t intid);
/* Enable or disable one of this CPU's SGIs/PPIs. */
void gic_ppi_enable(uint32_t intid, bool on);
/* This CPU's private interrupt intid: is it active; make it active (a vCPU that moved here brings
 * the active state of its forwarded timer, as KVM does, so the guest's deactivation lands here). */
bool gic_ppi_active(uint32_t intid);
void gic_ppi_set_active(uint32_t intid);
/* Send SGI intid to the CPU with this MPIDR. */
void gic_send_sgi(uint64_t mpidr, uint32_t intid);

#endif

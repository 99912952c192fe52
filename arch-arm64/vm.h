/* vm.h: the one guest VM: its vgic instance, the hooks the core calls, the test-device lines, the UART's.
 * vm_init() runs on the boot CPU; vm_cpu_init() on each physical CPU for its own vCPU's backend. */
#ifndef HYP_VM_H
#define HYP_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "vgic.h"
#include "vgic_its.h"

extern struct vgic hyp_vgic;
/* The guest's ITS and its base IPA (0: the guest's device tree has none). */
extern struct vgic_its hyp_its;
extern uint64_t hyp_its_base;

int vm_init(uint32_t nr_vcpus);
/* vm_init without the HW mappings (a restore brings them back); and the instance poisoned. */
int vm_vgic_create(uint32_t nr_vcpus);
void vm_vgic_destroy(void);
int vm_cpu_init(uint32_t cpu);
/* HW-map the guest's UART SPI vintid to the physical pintid and route that to CPU 0; a 0 skips it. */
int vm_forward_uart(uint32_t vintid, uint32_t pintid);
/* irq_poll(): if pintid is the forwarded UART's, inject it (left active) and return true. */
bool vm_forward_spi(uint32_t pintid);
/* ABI LINE_SET: drive test-device line 1..31 (HV_LINE_LOWER/RAISE/PULSE). */
int vm_line_set(uint32_t line, uint32_t op);
/* ABI MSI_SEND: the test device's message to the ITS. */
int vm_msi_send(uint64_t addr, uint64_t data);
/* The paravirtual timer's line 0 fired. */
void vm_timer_line_pulse(void);

#endif

/* vm.h: the one guest VM: its vgic instance, the hooks the core calls, and the test-device lines.
 * vm_init() runs on the boot CPU; vm_cpu_init() on each physical CPU for its own vCPU's backend. */
#ifndef HYP_VM_H
#define HYP_VM_H

#include <stdint.h>
#include "vgic.h"

extern struct vgic hyp_vgic;

int vm_init(uint32_t nr_vcpus);
int vm_cpu_init(uint32_t cpu);
/* ABI LINE_SET: drive test-device line 1..31 (HV_LINE_LOWER/RAISE/PULSE). */
int vm_line_set(uint32_t line, uint32_t op);
/* The paravirtual timer's line 0 fired. */
void vm_timer_line_pulse(void);

#endif

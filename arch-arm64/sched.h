/* sched.h: more vCPUs than physical CPUs (hyp.vcpus=N, two VMs): any CPU runs any vCPU, for a time slice or
 * until the vCPU waits in WFI; docs/arm64.md "Scheduling". With as many vCPUs as CPUs nothing moves. */
#ifndef HYP_SCHED_H
#define HYP_SCHED_H

#include <stdbool.h>
#include "vcpu.h"

/* After hyp_nr_cpus, hyp_nr_vcpus and hyp_nr_vms are known: scheduling is on with more vCPUs than
 * CPUs, or with two VMs. */
void sched_init(void);
bool sched_enabled(void);
/* A CPU's life with scheduling on: pick a vCPU, run it, put it back. */
__attribute__((noreturn)) void sched_loop(struct pcpu *p);
/* v has something new (an interrupt queued, CPU_ON): make its CPU exit, or an idle CPU look. */
void sched_kick(struct vcpu *v);
/* At an exit of the vCPU on p: its slice is over and another vCPU wants a CPU. */
bool sched_should_switch(struct pcpu *p);
/* CNTHP fired on p: end the slice if its deadline passed. */
void sched_slice_fire(struct pcpu *p);
/* The core deactivated private interrupt pintid of v (a HW-mapped timer) outside an LR. */
void sched_phys_deactivate(struct vcpu *v, uint32_t pintid);
/* Switches counted for the exit accounting: vCPU loads, and those onto another CPU than the last. */
void sched_report(void);

#endif

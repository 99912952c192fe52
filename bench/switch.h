/* switch.h: vCPU put+load counted for every policy (bench/switch.c), written to vcpu_switch.csv. */
#ifndef SWITCH_H
#define SWITCH_H

/*
 * Count one put+load of a vCPU with 0, 1 and 4 interrupts in flight, 4 and 16 LRs, every policy; write
 * DIR/vcpu_switch.csv; check the exact counts the document states. Returns the number of failed checks.
 */
unsigned run_switch(const char *dir);

#endif

/* pvtimer.h: the ABI's paravirtual periodic timer (TIMER_PERIOD), raised on line 0 (SPI 32), one per VM.
 * Each runs on the EL2 physical timer (CNTHP, PPI 26) of the CPU whose vCPU last set its period. */
#ifndef HYP_PVTIMER_H
#define HYP_PVTIMER_H

#include <stdint.h>
#include "vcpu.h"
#include "vm.h"

/* ABI TIMER_PERIOD from vm's vCPU on p: HV_ABI_OK or HV_ABI_INVALID_PARAM. */
int64_t pvtimer_set_period(struct pcpu *p, struct vm *vm, uint64_t period_us);
/* CNTHP fired on p: the paravirtual ticks whose deadlines passed. */
void pvtimer_fire(struct pcpu *p);
/* Arm CNTHP for the earlier of p's paravirtual-timer and time-slice deadlines (0: none), or stop it. */
void el2_timer_rearm(struct pcpu *p);
/* The VMs were stopped for `ticks`: the owner moves its next deadlines by as much (the guest's clock did
 * not see the stop either). */
void pvtimer_shift(struct pcpu *p, uint64_t ticks);
uint64_t pvtimer_ticks_delivered(void);

#endif

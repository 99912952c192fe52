/* cntp.h: the guest's physical counter and timer across VM pauses. While the VM has never been stopped
 * the guest uses them directly; after a checkpoint they are trapped and offset like the virtual ones. */
#ifndef HYP_CNTP_H
#define HYP_CNTP_H
#include <stdbool.h>
#include <stdint.h>
#include "vcpu.h"

/*
 * A trapped CNTPCT_EL0 / CNTP_{CTL,CVAL,TVAL}_EL0 access (reg as ESR_SYS_REG gives it): emulated with
 * the VM's offset hyp_cntvoff. false: not one of these registers.
 */
bool cntp_sysreg(struct vcpu *v, uint64_t reg, bool read, unsigned rt);
/* On this CPU, after the VM was stopped for `pause` ticks: keep the guest's CNTP deadline where its
 * clock has it (the register holds guest CVAL + offset), and trap the physical counter from now on. */
void cntp_resume(uint64_t pause);
#endif

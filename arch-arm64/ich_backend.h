/* ich_backend.h: the vgic core's lr_backend on the real ICH_*_EL2 registers of this physical CPU.
 * One instance per physical CPU; with one vCPU per physical CPU it is also that vCPU's backend. */
#ifndef HYP_ICH_BACKEND_H
#define HYP_ICH_BACKEND_H

#include "lr_backend.h"

/* Read ICH_VTR_EL2 for the LR count, clear every LR, the APRs and ICH_HCR_EL2 (their reset is UNKNOWN). */
void ich_backend_init(struct lr_backend *be);
/* Clear every LR, the APRs, ICH_HCR_EL2 and ICH_VMCR_EL2 (a checkpoint's teardown), counted. */
void ich_backend_clear(struct lr_backend *be);
/* How many AP0R/AP1R registers this CPU has per group (ICH_VTR_EL2.PREbits). */
unsigned ich_backend_nr_aprs(struct lr_backend *be);

#endif

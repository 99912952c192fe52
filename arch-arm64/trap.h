/* trap.h: guest exit handling: decode why the guest stopped and act on it.
 * Also the exception injection a hostile or buggy guest earns: external aborts and undefined instructions. */
#ifndef HYP_TRAP_H
#define HYP_TRAP_H

#include <stdint.h>
#include "vcpu.h"

void trap_handle_exit(struct pcpu *p, struct vcpu *v, uint64_t kind);
/* Skip the trapped instruction: 4 bytes, or 2 for a 16-bit T32 one (ESR.IL clear), moving a Thumb IT
 * block's state on past it. */
void trap_skip_insn(struct vcpu *v, uint64_t esr);
/* Deliver a synchronous external data abort at guest virtual address far. */
void trap_inject_dabt(struct pcpu *p, struct vcpu *v, uint64_t far);
void trap_inject_undef(struct pcpu *p, struct vcpu *v);
/* Guest register Rt (31 reads as zero, writes are dropped). */
uint64_t trap_get_reg(const struct vcpu *v, unsigned rt);
void trap_set_reg(struct vcpu *v, unsigned rt, uint64_t val);
/* Report a guest fault the guest cannot be given back, and end the run with a failure status. */
void trap_guest_fatal(struct vcpu *v, uint64_t esr, uint64_t far, const char *what);

/* mmio.c: a stage-2 data abort; hvc.c: an HVC; psci.c: a PSCI function ID */
void mmio_handle_dabt(struct pcpu *p, struct vcpu *v, uint64_t esr);
void hvc_handle(struct pcpu *p, struct vcpu *v);
bool psci_handle(struct pcpu *p, struct vcpu *v, uint64_t fid);

#endif

/* storm.h: the checkpoint storm (hyp.storm=US): at random moments every CPU stops, the VGIC and its ITS
 * are saved, destroyed and restored into a fresh instance from the blob alone, and the run goes on. */
#ifndef HYP_STORM_H
#define HYP_STORM_H
#include <stdint.h>
#include "vcpu.h"

/* Mean interval in microseconds (0: off). Before the secondaries start. */
void storm_init(uint64_t mean_us);
/*
 * Every CPU calls this where its vCPU is synced and it holds no lock: after handling an exit, in the
 * WFI sleep and in the powered-off wait. It may start a checkpoint (when one is due) or take part in
 * one; it returns with the fresh instance in place, or at once if the run is stopping.
 */
void storm_point(struct pcpu *p);
/* "hyp: storm ..." line for the exit accounting (nothing when off). */
void storm_report(void);
#endif

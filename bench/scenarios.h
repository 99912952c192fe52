/* scenarios.h: the workloads every policy runs: what is injected, how the guest responds, what a round is.
 * A round leaves the VM as it found it, so rounds can be repeated for timing. */
#ifndef SCENARIOS_H
#define SCENARIOS_H

#include "bench.h"

struct scenario;

struct scen_ctx {
	const struct scenario *sc;
	unsigned depth;                  /* depth sweep: interrupts kept queued */
	unsigned level_deliveries;       /* level scenario: EOIs the device has seen this round */
	bool level_high;
	bool timer_handled[B_MAX_VCPUS]; /* HW timer: the guest reprogrammed it; lower the line at exit */
	struct bvm *vm;
};

struct scenario {
	const char *name;
	unsigned nr_vcpus;
	bool depth_sweep;                /* run once per ap_list depth */
	unsigned (*queued)(const struct scen_ctx *c);   /* interrupts queued per vCPU at round start */
	void (*setup)(struct scen_ctx *c, struct bvm *vm);
	void (*round)(struct scen_ctx *c, struct bvm *vm, struct run_stats *st);
	unsigned lpis;                   /* LPIs the VM needs besides a depth sweep's */
};

extern const struct scenario *const b_scenarios[];
extern const unsigned b_nr_scenarios;

#endif

/* runner.h: options, results and the measuring loop of lr_bench.
 * All runs of one configuration (the policies, and ours on the NV2 backend) are measured together,
 * interleaved batch by batch. */
#ifndef RUNNER_H
#define RUNNER_H

#include <stdbool.h>
#include "bench.h"
#include "scenarios.h"

#define B_MAX_REPS   101U
#define B_MAX_DEPTHS 16U
#define B_MAX_TRAPS  8U

struct b_options {
	const char *out_dir;
	unsigned reps;                   /* timed batches per policy, interleaved across policies */
	double batch_ns;                 /* target length of one timed batch */
	unsigned warm_rounds;            /* untimed, uncounted rounds after set-up */
	unsigned count_rounds;           /* rounds whose register accesses are counted */
	unsigned depths[B_MAX_DEPTHS];
	unsigned nr_depths;
	unsigned lr_counts[2];
	unsigned nr_lr_counts;
	double ghz;                      /* host clock, to express measured ns as cycles */
	double trap_cycles[B_MAX_TRAPS]; /* nested model: cost of one trapped ICH_* access */
	unsigned nr_trap_cycles;
	bool smoke;                      /* tiny counts; assert the invariants; exit status says */
};

struct b_result {
	const struct policy *pol;
	const struct scenario *sc;
	unsigned nr_lrs;
	unsigned depth;                  /* interrupts queued per vCPU when a round starts */
	unsigned rounds;                 /* counted rounds */
	struct run_stats st;             /* totals over the counted rounds */
	double ns_med, ns_min, ns_max;   /* per flush+sync pair (one entry and its exit) */
	double irqs_per_sec;             /* delivered through the model, at the median */
	unsigned samples;
};

/* Per-entry and per-exit averages of the counted rounds. */
double res_entry_acc(const struct b_result *r);
double res_exit_acc(const struct b_result *r);
double res_maint_per_irq(const struct b_result *r);   /* NAN: maintenance without deliveries */
/* Accesses of the counted rounds that trap to an outer hypervisor: all of them, or under NV2 only
 * the kinds B_NV2_TRAPPING names. */
uint64_t res_traps(const struct b_result *r, bool nv2);

/*
 * Measure every run on one configuration; appends B_NR_RUNS results in b_runs order: ours, the peers,
 * then ours on the NV2 backend (B_RUN_OURS_NV2).
 */
void run_config(const struct b_options *o, const struct scenario *sc, unsigned nr_lrs, unsigned depth,
		struct b_result *out);

#endif

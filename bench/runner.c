/* runner.c: count once, then time batches of rounds with CLOCK_MONOTONIC, all policies interleaved.
 * Rotating the order each repetition spreads the machine's noise over every policy alike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runner.h"

#define NS_PER_S         1e9
#define MAX_BATCH_ROUNDS (1U << 24)

struct polrun {
	struct bvm *vm;
	struct scen_ctx ctx;
	unsigned k;                     /* rounds per timed batch */
	double entries_per_round;
	double samples[B_MAX_REPS];
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * NS_PER_S + (double)ts.tv_nsec;
}

static double time_rounds(struct polrun *pr, unsigned k)
{
	double t0 = now_ns();

	for (unsigned i = 0; i < k; i++)
		pr->ctx.sc->round(&pr->ctx, pr->vm, NULL);
	return now_ns() - t0;
}

double res_entry_acc(const struct b_result *r)
{
	uint64_t t = 0;

	for (unsigned k = 0; k < LR_ACC_NR; k++)
		t += r->st.entry_acc[k];
	return r->st.entries ? (double)t / (double)r->st.entries : 0.0;
}

double res_exit_acc(const struct b_result *r)
{
	uint64_t t = 0;

	for (unsigned k = 0; k < LR_ACC_NR; k++)
		t += r->st.exit_acc[k];
	return r->st.exits ? (double)t / (double)r->st.exits : 0.0;
}

uint64_t res_traps(const struct b_result *r, bool nv2)
{
	uint64_t t = 0;

	for (unsigned k = 0; k < LR_ACC_NR; k++)
		if (!nv2 || B_NV2_TRAPPING(k))
			t += r->st.entry_acc[k] + r->st.exit_acc[k];
	return t;
}

double res_maint_per_irq(const struct b_result *r)
{
	if (r->st.delivered)
		return (double)r->st.maint / (double)r->st.delivered;
	return r->st.maint ? NAN : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void prepare(const struct b_options *o, struct polrun *pr, const struct policy *pol,
		    const struct scenario *sc, unsigned nr_lrs, unsigned depth, struct b_result *res)
{
	double t;

	memset(pr, 0, sizeof(*pr));
	pr->vm = pol->create(sc->nr_vcpus, nr_lrs, sc->depth_sweep ? depth : sc->lpis);
	pr->ctx.sc = sc;
	pr->ctx.depth = depth;
	pr->ctx.vm = pr->vm;
	sc->setup(&pr->ctx, pr->vm);
	for (unsigned i = 0; i < o->warm_rounds; i++)
		sc->round(&pr->ctx, pr->vm, NULL);

	memset(res, 0, sizeof(*res));
	res->pol = pol;
	res->sc = sc;
	res->nr_lrs = nr_lrs;
	res->depth = sc->queued(&pr->ctx);
	res->rounds = o->count_rounds;
	for (unsigned i = 0; i < o->count_rounds; i++)
		sc->round(&pr->ctx, pr->vm, &res->st);
	pr->entries_per_round = (double)res->st.entries / (double)o->count_rounds;

	/* Double the batch until it lasts batch_ns: long enough for the clock, short enough to interleave. */
	for (pr->k = 1; pr->k < MAX_BATCH_ROUNDS; pr->k *= 2) {
		t = time_rounds(pr, pr->k);
		if (t >= o->batch_ns)
			break;
	}
}

static void summarise(const struct b_options *o, const struct polrun *pr, struct b_result *res)
{
	double sorted[B_MAX_REPS];
	double delivered_per_round = (double)res->st.delivered / (double)res->rounds;

	memcpy(sorted, pr->samples, o->reps * sizeof(double));
	qsort(sorted, o->reps, sizeof(double), cmp_double);
	res->samples = o->reps;
	res->ns_min = sorted[0];
	res->ns_max = sorted[o->reps - 1];
	res->ns_med = (o->reps % 2) ? sorted[o->reps / 2]
				    : (sorted[o->reps / 2 - 1] + sorted[o->reps / 2]) / 2.0;
	res->irqs_per_sec = res->ns_med > 0.0
		? delivered_per_round / (res->ns_med * pr->entries_per_round / NS_PER_S) : 0.0;
}

void run_config(const struct b_options *o, const struct scenario *sc, unsigned nr_lrs, unsigned depth,
		struct b_result *out)
{
	struct polrun *pr = calloc(B_NR_RUNS, sizeof(*pr));

	if (!pr)
		abort();
	/* The NV2 run is timed in the same rotation, so its native cost is as comparable as the peers'. */
	for (unsigned p = 0; p < B_NR_RUNS; p++)
		prepare(o, &pr[p], b_runs[p], sc, nr_lrs, depth, &out[p]);
	for (unsigned r = 0; r < o->reps; r++) {
		for (unsigned j = 0; j < B_NR_RUNS; j++) {
			struct polrun *x = &pr[(r + j) % B_NR_RUNS];
			double t = time_rounds(x, x->k);

			x->samples[r] = t / ((double)x->k * x->entries_per_round);
		}
	}
	for (unsigned p = 0; p < B_NR_RUNS; p++) {
		summarise(o, &pr[p], &out[p]);
		b_runs[p]->destroy(pr[p].vm);
	}
	free(pr);
}

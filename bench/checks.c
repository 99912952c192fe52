/* checks.c: the acceptance targets of issue 7, judged on the results of one run.
 * Register accesses and maintenance counts are exact and deterministic; timings are reported as measured. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

#define EPS             1e-9
#define MIN_SPEEDUP     10.0   /* ours vs KVM classic at the deepest ap_list */
#define FLAT_TOLERANCE  2.0    /* past the LR count, deeper may cost at most this factor more */
#define SPEEDUP_DEPTH   4096U  /* the speed-up target is stated at this depth */

/*
 * exact:  deterministic, counted by --smoke (a failure fails the build) unless listed below;
 * accept: the literal per-entry/per-exit criterion, reported but not counted, because an
 *         average per entry rewards policies that take more exits (docs/benchmarks.md explains);
 * timing: reported only, a noisy machine must not fail a build.
 */
enum kind { K_EXACT, K_ACCEPT, K_TIMING };
static const char *const kind_name[] = { "exact", "acceptance", "timing" };

/*
 * Exact losses measured and explained in docs/benchmarks.md (bench/gen_docs_text.py); --smoke reports
 * them as KNOWN and fails on any other. None at present: the depth sweep's accesses_per_round against
 * old Xen, whose LRs stay loaded across exits, went with commit 9d07afe (an interrupt keeps its LR, an
 * LR that does not change is not rewritten); the NV2 trap against old Xen, which reads the used LRs
 * and never ELRSR, went with commit 8ffc0e8 (lrs_in_memory) and is judged on ours' NV2-backend run by
 * nv2_traps_per_round. An entry added here needs its explanation in the document too. The list ends
 * with a NULL check.
 */
static const struct known_loss {
	const char *check, *scenario, *peer, *why;
} known_losses[] = {
	{ NULL, NULL, NULL, NULL },
};

struct judge_ctx {
	FILE *csv;
	unsigned failed_exact;
};

static const char *known(const char *check, const char *scenario, const char *peer)
{
	for (unsigned i = 0; known_losses[i].check; i++)
		if (!strcmp(known_losses[i].check, check) && !strcmp(known_losses[i].scenario, scenario) &&
		    peer && !strcmp(known_losses[i].peer, peer))
			return known_losses[i].why;
	return NULL;
}

static void verdict(struct judge_ctx *j, enum kind kind, const char *check, const char *scope,
		    const char *scenario, const char *peer, double value, double limit, bool ok)
{
	const char *why = (!ok && kind == K_EXACT) ? known(check, scenario, peer) : NULL;
	const char *res = ok ? "PASS" : why ? "KNOWN" : "FAIL";

	printf("%-5s %-20s %-30s value %-10.3f limit %-10.3f %s\n", res, check, scope, value, limit,
	       kind_name[kind]);
	fprintf(j->csv, "%s,%s,%.4f,%.4f,%s,%s,%s\n", check, scope, value, limit, res, kind_name[kind],
		why ? why : "");
	if (!ok && !why && kind == K_EXACT)
		j->failed_exact++;
}

static void scope_of(const struct b_result *r, const char *peer, char *buf, size_t len)
{
	if (r->sc->depth_sweep)
		snprintf(buf, len, "%s/%uLR/d%u%s%s", r->sc->name, r->nr_lrs, r->depth, peer ? "/" : "",
			 peer ? peer : "");
	else
		snprintf(buf, len, "%s/%uLR%s%s", r->sc->name, r->nr_lrs, peer ? "/" : "", peer ? peer : "");
}

/* All register accesses of the counted rounds, entries and exits together, per round. */
static double per_round(const struct b_result *r)
{
	return (res_entry_acc(r) * (double)r->st.entries + res_exit_acc(r) * (double)r->st.exits) /
	       (double)r->rounds;
}

/*
 * Trapping accesses under NV2 over whole rounds, not per switch: as with accesses_per_round, an
 * average per switch would reward the policy that takes more switches.
 */
static double nv2_traps_per_round(const struct b_result *r)
{
	return (double)res_traps(r, true) / (double)r->rounds;
}

static double locks_per_flush(const struct b_result *r)
{
	return r->st.entries ? (double)r->st.entry_locks / (double)r->st.entries : 0.0;
}

/*
 * Ours (block[0]) against every peer; idle must be zero; at most one maintenance per delivery. Under
 * NV2, ours is its run on the NV2 backend (block[B_RUN_OURS_NV2]), the run the nested model projects;
 * it must do the same work as the normal run and trap no more than any peer.
 */
static void judge_block(struct judge_ctx *j, const struct b_result *block)
{
	const struct b_result *ours = &block[0];
	const struct b_result *ours_nv2 = &block[B_RUN_OURS_NV2];
	const char *sc = ours->sc->name;
	double oe = res_entry_acc(ours), ox = res_exit_acc(ours), mi = res_maint_per_irq(ours);
	char scope[96];

	for (unsigned p = 1; p < B_NR_POLICIES; p++) {
		const struct b_result *peer = &block[p];
		const char *pn = peer->pol->name;

		scope_of(ours, pn, scope, sizeof(scope));
		/* The peers are re-implementations: they must deliver exactly what ours delivers. */
		verdict(j, K_EXACT, "same_deliveries", scope, sc, pn, (double)peer->st.delivered,
			(double)ours->st.delivered, peer->st.delivered == ours->st.delivered);
		verdict(j, K_EXACT, "accesses_per_round", scope, sc, pn, per_round(ours), per_round(peer),
			per_round(ours) <= per_round(peer) + EPS);
		verdict(j, K_ACCEPT, "entry_accesses", scope, sc, pn, oe, res_entry_acc(peer),
			oe <= res_entry_acc(peer) + EPS);
		verdict(j, K_ACCEPT, "exit_accesses", scope, sc, pn, ox, res_exit_acc(peer),
			ox <= res_exit_acc(peer) + EPS);
		/* Lock acquire/release pairs per flush (bench/blist.h counts them; ours through its hooks). */
		/* Ours locks inline (spin_locks), unseen; its NV2 run counts the same locks through hooks. */
		verdict(j, K_EXACT, "flush_lock_pairs", scope, sc, pn, locks_per_flush(ours_nv2), locks_per_flush(peer),
			locks_per_flush(ours_nv2) <= locks_per_flush(peer) + EPS);
		verdict(j, K_EXACT, "nv2_traps_per_round", scope, sc, pn, nv2_traps_per_round(ours_nv2),
			nv2_traps_per_round(peer), nv2_traps_per_round(ours_nv2) <= nv2_traps_per_round(peer) + EPS);
	}
	scope_of(ours, NULL, scope, sizeof(scope));
	/* The flag changes which registers the exit reads, never what the guest is given. */
	verdict(j, K_EXACT, "nv2_same_deliveries", scope, sc, NULL, (double)ours_nv2->st.delivered,
		(double)ours->st.delivered, ours_nv2->st.delivered == ours->st.delivered);
	if (!strcmp(sc, "idle"))
		verdict(j, K_EXACT, "idle_zero", scope, sc, NULL, oe + ox, 0.0, oe + ox <= EPS);
	verdict(j, K_EXACT, "maint_per_irq", scope, sc, NULL, isnan(mi) ? INFINITY : mi, 1.0,
		!isnan(mi) && mi <= 1.0 + EPS);
}

/*
 * Timing targets on the depth sweep of one LR count. The speed-up compares policies measured
 * interleaved, so it uses medians; growth and flatness compare configurations measured one after
 * the other, where other load on the machine can raise a whole configuration's median, so they use
 * each configuration's fastest batch, which noise can only make slower.
 */
static void judge_sweep(struct judge_ctx *j, const struct b_result *res, unsigned n, unsigned nr_lrs)
{
	const struct b_result *first = NULL, *last = NULL, *at_lrs = NULL, *kvmc_last = NULL;
	char scope[96];
	double grow, flat, speedup;

	for (unsigned i = 0; i < n; i += B_NR_RUNS) {
		const struct b_result *r = &res[i];

		if (!r->sc->depth_sweep || r->nr_lrs != nr_lrs)
			continue;
		if (!first)
			first = r;
		last = r;
		kvmc_last = &res[i + 1];
		if (!at_lrs && r->depth >= nr_lrs)
			at_lrs = r;
	}
	if (!first || last == first)
		return;
	if (last->depth >= SPEEDUP_DEPTH) {
		speedup = kvmc_last->ns_med / last->ns_med;
		snprintf(scope, sizeof(scope), "depth/%uLR/d%u", nr_lrs, last->depth);
		verdict(j, K_TIMING, "speedup_vs_kvm", scope, "depth", NULL, speedup, MIN_SPEEDUP,
			speedup >= MIN_SPEEDUP);
	}
	/* Linear or better: cost(last)/cost(first) no larger than depth(last)/depth(first). */
	grow = last->ns_min / first->ns_min;
	snprintf(scope, sizeof(scope), "depth/%uLR/d%u-d%u", nr_lrs, first->depth, last->depth);
	verdict(j, K_TIMING, "growth_vs_linear", scope, "depth", NULL, grow,
		(double)last->depth / (double)first->depth, grow <= (double)last->depth / (double)first->depth);
	if (at_lrs && at_lrs != last) {
		flat = last->ns_min / at_lrs->ns_min;
		snprintf(scope, sizeof(scope), "depth/%uLR/d%u-d%u", nr_lrs, at_lrs->depth, last->depth);
		verdict(j, K_TIMING, "flat_past_lrs", scope, "depth", NULL, flat, FLAT_TOLERANCE,
			flat <= FLAT_TOLERANCE);
	}
}

unsigned judge(const char *dir, const struct b_options *o, const struct b_result *res, unsigned n)
{
	char path[1024];
	struct judge_ctx j = { NULL, 0 };

	snprintf(path, sizeof(path), "%s/acceptance.csv", dir);
	j.csv = fopen(path, "w");
	if (!j.csv) {
		perror(path);
		exit(2);
	}
	fprintf(j.csv, "check,scope,value,limit,result,kind,note\n");
	for (unsigned i = 0; i < n; i += B_NR_RUNS)
		judge_block(&j, &res[i]);
	for (unsigned l = 0; l < o->nr_lr_counts; l++)
		judge_sweep(&j, res, n, o->lr_counts[l]);
	fclose(j.csv);
	return j.failed_exact;
}

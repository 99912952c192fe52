/* report.c: the CSV files of lr_bench: the headline table, the per-register breakdown, the nested model.
 * Column meanings are documented in docs/benchmarks.md, which bench/gen_docs.py builds from these files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "report.h"

FILE *report_open(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	return f;
}

/* Ours is the first result of every configuration block. */
static const struct b_result *ours_of_block(const struct b_result *res, unsigned i)
{
	return &res[i - i % B_NR_RUNS];
}

void write_main_csv(const char *dir, const struct b_result *res, unsigned n)
{
	FILE *f = report_open(dir, "lr_policies.csv");

	fprintf(f, "policy,scenario,nr_lrs,depth,entry_accesses,exit_accesses,maint_per_irq,ns_per_switch\n");
	for (unsigned i = 0; i < n; i++) {
		const struct b_result *r = &res[i];

		fprintf(f, "%s,%s,%u,%u,%.3f,%.3f,%.4f,%.2f\n", r->pol->name, r->sc->name, r->nr_lrs, r->depth,
			res_entry_acc(r), res_exit_acc(r), res_maint_per_irq(r), r->ns_med);
	}
	fclose(f);
}

void write_flush_work_csv(const char *dir, const struct b_result *res, unsigned n)
{
	FILE *f = report_open(dir, "flush_work.csv");

	fprintf(f, "policy,scenario,nr_lrs,depth,cmps_per_flush,lock_pairs_per_flush,cmps_per_sync,"
		   "lock_pairs_per_sync\n");
	for (unsigned i = 0; i < n; i++) {
		const struct b_result *r = &res[i];
		/* The core's priority selection scans bucket bitmaps in vgic/, which has no counter. */
		bool ours = r->pol == &pol_ours || r->pol == &pol_ours_nv2;
		/* Ours locks inline, unseen: its lock pairs are those its NV2 run counts through hooks. */
		const struct b_result *l = r->pol == &pol_ours ? &res[i - i % B_NR_RUNS + B_RUN_OURS_NV2] : r;
		double e = r->st.entries ? (double)r->st.entries : 1.0;
		double x = r->st.exits ? (double)r->st.exits : 1.0;
		double le = l->st.entries ? (double)l->st.entries : 1.0;
		double lx = l->st.exits ? (double)l->st.exits : 1.0;

		fprintf(f, "%s,%s,%u,%u,%.2f,%.2f,%.2f,%.2f\n", r->pol->name, r->sc->name, r->nr_lrs, r->depth,
			ours ? -1.0 : (double)r->st.entry_cmps / e, (double)l->st.entry_locks / le,
			ours ? -1.0 : (double)r->st.exit_cmps / x, (double)l->st.exit_locks / lx);
	}
	fclose(f);
}

void write_detail_csv(const char *dir, const struct b_result *res, unsigned n)
{
	FILE *f = report_open(dir, "lr_policies_detail.csv");

	fprintf(f, "policy,scenario,nr_lrs,depth,rounds,entries,exits,delivered,maint,dir_traps");
	for (unsigned k = 0; k < LR_ACC_NR; k++)
		fprintf(f, ",entry_%s", lr_access_name(k));
	for (unsigned k = 0; k < LR_ACC_NR; k++)
		fprintf(f, ",exit_%s", lr_access_name(k));
	fprintf(f, ",ns_median,ns_min,ns_max,samples,ns_ratio_vs_ours,irqs_per_sec\n");
	for (unsigned i = 0; i < n; i++) {
		const struct b_result *r = &res[i];
		const struct b_result *o = ours_of_block(res, i);
		double e = r->st.entries ? (double)r->st.entries : 1.0;
		double x = r->st.exits ? (double)r->st.exits : 1.0;

		fprintf(f, "%s,%s,%u,%u,%u,%llu,%llu,%llu,%llu,%llu", r->pol->name, r->sc->name, r->nr_lrs,
			r->depth, r->rounds, (unsigned long long)r->st.entries,
			(unsigned long long)r->st.exits, (unsigned long long)r->st.delivered,
			(unsigned long long)r->st.maint, (unsigned long long)r->st.dir_traps);
		for (unsigned k = 0; k < LR_ACC_NR; k++)
			fprintf(f, ",%.3f", (double)r->st.entry_acc[k] / e);
		for (unsigned k = 0; k < LR_ACC_NR; k++)
			fprintf(f, ",%.3f", (double)r->st.exit_acc[k] / x);
		fprintf(f, ",%.2f,%.2f,%.2f,%u,%.3f,%.0f\n", r->ns_med, r->ns_min, r->ns_max, r->samples,
			o->ns_med > 0.0 ? r->ns_med / o->ns_med : NAN, r->irqs_per_sec);
	}
	fclose(f);
}

/* Traps per world switch (one entry and its exit) under a nesting model. */
static double traps_per_switch(const struct b_result *r, bool nv2)
{
	return r->st.entries ? (double)res_traps(r, nv2) / (double)r->st.entries : 0.0;
}

/* The nesting models of nested_model.csv, in its order. */
enum nest_model { NEST_ALL_TRAP, NEST_NV2, NEST_NR_MODELS };
static const char *const nest_model_name[NEST_NR_MODELS] = { "nv_all_trap", "nv2_vncr" };

/*
 * Which run of a block stands for ours under a model. Under NV2 it is the run on the NV2 backend: an
 * NV2 build sets lrs_in_memory, and its exit then reads the used LRs (memory) rather than the trapping
 * ELRSR, so projecting the real-register run would charge ours for a trap it would not take. Where
 * every ICH_* access traps the LRs are registers too, so ours is the normal run. The peers are the
 * same run in both models: their code has no such choice.
 */
static unsigned ours_run(enum nest_model m)
{
	return m == NEST_NV2 ? B_RUN_OURS_NV2 : 0U;
}

static bool run_in_model(unsigned p, enum nest_model m)
{
	return (p != 0 && p != B_RUN_OURS_NV2) || p == ours_run(m);
}

void write_nested_csv(const char *dir, const struct b_options *o, const struct b_result *res, unsigned n)
{
	FILE *f = report_open(dir, "nested_model.csv");

	fprintf(f, "model,trap_cycles,policy,scenario,nr_lrs,depth,traps_per_switch,native_cycles,"
		   "projected_cycles,ratio_vs_ours\n");
	for (unsigned m = 0; m < NEST_NR_MODELS; m++)
		for (unsigned t = 0; t < o->nr_trap_cycles; t++)
			for (unsigned i = 0; i < n; i++) {
				bool nv2 = m == NEST_NV2;
				const struct b_result *r = &res[i];
				const struct b_result *ours = ours_of_block(res, i) + ours_run(m);
				double tc = o->trap_cycles[t];
				double traps = traps_per_switch(r, nv2);
				double proj = r->ns_med * o->ghz + traps * tc;
				double proj_ours = ours->ns_med * o->ghz + traps_per_switch(ours, nv2) * tc;

				if (!run_in_model(i % B_NR_RUNS, m))
					continue;
				fprintf(f, "%s,%.0f,%s,%s,%u,%u,%.3f,%.1f,%.1f,%.3f\n", nest_model_name[m], tc,
					r->pol->name, r->sc->name, r->nr_lrs, r->depth, traps, r->ns_med * o->ghz,
					proj, proj_ours > 0.0 ? proj / proj_ours : NAN);
			}
	fclose(f);
}

/* The 1-minute load average: other work on the machine shows in the timings, so the run records it. */
double host_loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double load = -1.0;

	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1.0;
		fclose(f);
	}
	return load;
}

void write_run_info(const char *dir, const struct b_options *o, double load_start, double load_end)
{
	FILE *f = report_open(dir, "run_info.csv");

	fprintf(f, "key,value\n");
	fprintf(f, "reps,%u\nbatch_ns,%.0f\nwarm_rounds,%u\ncount_rounds,%u\nhost_ghz,%.3f\n", o->reps,
		o->batch_ns, o->warm_rounds, o->count_rounds, o->ghz);
	fprintf(f, "loadavg_start,%.2f\nloadavg_end,%.2f\n", load_start, load_end);
	for (unsigned t = 0; t < o->nr_trap_cycles; t++)
		fprintf(f, "trap_cycles,%.0f\n", o->trap_cycles[t]);
	fclose(f);
}

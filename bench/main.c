/* main.c: lr_bench, the LR-policy microbenchmark: options, the configuration loop, the summary table.
 * `lr_bench --smoke` is the quick build-time check; `make bench` runs the full measurement. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include "report.h"
#include "instr.h"
#include "switch.h"

#define DEFAULT_OUT        "bench/results"
#define DEFAULT_REPS       101U
#define DEFAULT_BATCH_NS   2000e3
#define DEFAULT_WARM       3U
#define DEFAULT_COUNT      8U
#define SMOKE_REPS         3U
#define SMOKE_BATCH_NS     20e3
#define SMOKE_WARM         1U
#define SMOKE_COUNT        2U
#define FALLBACK_GHZ       1.0
#define MHZ_PER_GHZ        1000.0
/* Published lower bound: the direct cost of one exit, ~2,000 cycles (SplitX, Landau et al., 2011);
 * 10,000 is a labelled assumption for a nested trap that the outer hypervisor must also emulate. */
static const double default_traps[] = { 2000.0, 10000.0 };
static const unsigned default_depths[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 };
static const unsigned smoke_depths[] = { 1, 4, 16, 64 };

static void usage(void)
{
	fprintf(stderr,
		"usage: lr_bench [--smoke] [--out DIR] [--reps N] [--batch-us US] [--ghz GHZ]\n"
		"                [--trap-cycles C1,C2,...] [--depths D1,D2,...]\n"
		"       lr_bench --instr POLICY SCENARIO NR_LRS DEPTH ROUNDS   (for callgrind)\n");
	exit(2);
}

static double host_ghz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0.0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "cpu MHz", 7) && sscanf(strchr(line, ':') + 1, "%lf", &mhz) == 1)
			break;
	if (f)
		fclose(f);
	return mhz > 0.0 ? mhz / MHZ_PER_GHZ : FALLBACK_GHZ;
}

static unsigned parse_list(const char *s, double *out, unsigned max)
{
	unsigned n = 0;
	char *end;

	while (*s && n < max) {
		out[n++] = strtod(s, &end);
		if (end == s)
			usage();
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void defaults(struct b_options *o, bool smoke)
{
	const unsigned *d = smoke ? smoke_depths : default_depths;
	unsigned nd = smoke ? sizeof(smoke_depths) / sizeof(smoke_depths[0])
			    : sizeof(default_depths) / sizeof(default_depths[0]);

	memset(o, 0, sizeof(*o));
	o->smoke = smoke;
	o->out_dir = smoke ? "build/bench/smoke" : DEFAULT_OUT;
	o->reps = smoke ? SMOKE_REPS : DEFAULT_REPS;
	o->batch_ns = smoke ? SMOKE_BATCH_NS : DEFAULT_BATCH_NS;
	o->warm_rounds = smoke ? SMOKE_WARM : DEFAULT_WARM;
	o->count_rounds = smoke ? SMOKE_COUNT : DEFAULT_COUNT;
	o->nr_depths = nd;
	memcpy(o->depths, d, nd * sizeof(unsigned));
	o->lr_counts[0] = 4;
	o->lr_counts[1] = 16;
	o->nr_lr_counts = 2;
	o->nr_trap_cycles = sizeof(default_traps) / sizeof(default_traps[0]);
	memcpy(o->trap_cycles, default_traps, sizeof(default_traps));
}

static void parse(int argc, char **argv, struct b_options *o)
{
	bool smoke = false;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--smoke"))
			smoke = true;
	defaults(o, smoke);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		double tmp[B_MAX_DEPTHS];

		if (!strcmp(a, "--smoke"))
			continue;
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--out")) {
			o->out_dir = v;
		} else if (!strcmp(a, "--reps")) {
			o->reps = (unsigned)strtoul(v, NULL, 10);
		} else if (!strcmp(a, "--batch-us")) {
			o->batch_ns = strtod(v, NULL) * 1e3;
		} else if (!strcmp(a, "--ghz")) {
			o->ghz = strtod(v, NULL);
		} else if (!strcmp(a, "--trap-cycles")) {
			o->nr_trap_cycles = parse_list(v, o->trap_cycles, B_MAX_TRAPS);
		} else if (!strcmp(a, "--depths")) {
			o->nr_depths = parse_list(v, tmp, B_MAX_DEPTHS);
			for (unsigned d = 0; d < o->nr_depths; d++)
				o->depths[d] = (unsigned)tmp[d];
		} else {
			usage();
		}
	}
	if (o->reps == 0 || o->reps > B_MAX_REPS || o->nr_depths == 0 || o->nr_trap_cycles == 0)
		usage();
	for (unsigned d = 0; d < o->nr_depths; d++)
		if (o->depths[d] == 0 || o->depths[d] > B_MAX_LPIS)
			usage();
	if (o->ghz <= 0.0)
		o->ghz = host_ghz();
}

/* mkdir -p: the results directory may not exist in a fresh checkout (build/bench/smoke). */
static void make_dirs(const char *dir)
{
	char path[1024];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		usage();
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			perror(path);
			exit(2);
		}
		*p = c;
		if (c == '\0')
			break;
	}
}

static unsigned nr_configs(const struct b_options *o)
{
	unsigned n = 0;

	for (unsigned s = 0; s < b_nr_scenarios; s++)
		n += o->nr_lr_counts * (b_scenarios[s]->depth_sweep ? o->nr_depths : 1U);
	return n;
}

/* One line per configuration: each run's time as a multiple of ours, and the access counts. */
static void print_block(const struct b_result *b)
{
	char scope[64];

	snprintf(scope, sizeof(scope), "%s/%uLR/d%u", b->sc->name, b->nr_lrs, b->depth);
	printf("%-20s", scope);
	for (unsigned p = 0; p < B_NR_RUNS; p++)
		printf(" %s %.0fns %.1f+%.1f x%.2f |", b[p].pol->name, b[p].ns_med, res_entry_acc(&b[p]),
		       res_exit_acc(&b[p]), b[0].ns_med > 0.0 ? b[p].ns_med / b[0].ns_med : NAN);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct b_options o;
	struct b_result *res;
	unsigned n = 0, failed;
	double load_start;

	if (argc > 1 && !strcmp(argv[1], "--instr"))
		return instr_main(argc, argv);
	parse(argc, argv, &o);
	make_dirs(o.out_dir);
	load_start = host_loadavg();
	res = calloc((size_t)nr_configs(&o) * B_NR_RUNS, sizeof(*res));
	if (!res)
		return 2;
	printf("lr_bench: %u reps, batches of %.0f us, host %.3f GHz, results in %s\n", o.reps,
	       o.batch_ns / 1e3, o.ghz, o.out_dir);
	for (unsigned s = 0; s < b_nr_scenarios; s++) {
		const struct scenario *sc = b_scenarios[s];

		for (unsigned l = 0; l < o.nr_lr_counts; l++) {
			unsigned nd = sc->depth_sweep ? o.nr_depths : 1U;

			for (unsigned d = 0; d < nd; d++) {
				run_config(&o, sc, o.lr_counts[l], sc->depth_sweep ? o.depths[d] : 0, &res[n]);
				print_block(&res[n]);
				fflush(stdout);
				n += B_NR_RUNS;
			}
		}
	}
	write_main_csv(o.out_dir, res, n);
	write_detail_csv(o.out_dir, res, n);
	write_nested_csv(o.out_dir, &o, res, n);
	write_flush_work_csv(o.out_dir, res, n);
	write_run_info(o.out_dir, &o, load_start, host_loadavg());
	failed = judge(o.out_dir, &o, res, n);
	failed += run_switch(o.out_dir);
	printf("lr_bench: %u deterministic check(s) failed\n", failed);
	free(res);
	return (o.smoke && failed) ? 1 : 0;
}

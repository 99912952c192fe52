/* instr.c: `lr_bench --instr POLICY SCENARIO NR_LRS DEPTH ROUNDS`: set up one configuration and run
 * ROUNDS rounds, nothing else, for bench/instructions.sh to count under callgrind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "instr.h"
#include "scenarios.h"

static const struct policy *find_policy(const char *name)
{
	for (unsigned p = 0; p < B_NR_RUNS; p++)
		if (!strcmp(b_runs[p]->name, name))
			return b_runs[p];
	return NULL;
}

static const struct scenario *find_scenario(const char *name)
{
	for (unsigned s = 0; s < b_nr_scenarios; s++)
		if (!strcmp(b_scenarios[s]->name, name))
			return b_scenarios[s];
	return NULL;
}

int instr_main(int argc, char **argv)
{
	const struct policy *pol;
	const struct scenario *sc;
	struct scen_ctx ctx;
	struct bvm *vm;
	unsigned nr_lrs, depth, rounds;

	if (argc != 7) {
		fprintf(stderr, "usage: lr_bench --instr POLICY SCENARIO NR_LRS DEPTH ROUNDS\n");
		return 2;
	}
	pol = find_policy(argv[2]);
	sc = find_scenario(argv[3]);
	nr_lrs = (unsigned)strtoul(argv[4], NULL, 10);
	depth = (unsigned)strtoul(argv[5], NULL, 10);
	rounds = (unsigned)strtoul(argv[6], NULL, 10);
	if (!pol || !sc || nr_lrs == 0 || nr_lrs > LR_BACKEND_MAX_LRS || (sc->depth_sweep && !depth) ||
	    depth > B_MAX_LPIS) {
		fprintf(stderr, "lr_bench --instr: unknown policy or scenario, or a bad count\n");
		return 2;
	}
	memset(&ctx, 0, sizeof(ctx));
	vm = pol->create(sc->nr_vcpus, nr_lrs, sc->depth_sweep ? depth : sc->lpis);
	ctx.sc = sc;
	ctx.depth = depth;
	ctx.vm = vm;
	sc->setup(&ctx, vm);
	for (unsigned i = 0; i < rounds; i++)
		sc->round(&ctx, vm, NULL);
	pol->destroy(vm);
	return 0;
}

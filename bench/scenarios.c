/* scenarios.c: idle, one edge, 1x and 2x the LRs taken, bursts of 16 and 64, a held level line, the HW timer, SGIs across 4 vCPUs,
 * and the ap_list depth sweep. Each is policy-neutral: it only calls struct policy and the guest loop. */
#include <stdio.h>
#include <stdlib.h>
#include "scenarios.h"
#include "bpol.h"

#define SPI(n)              (B_NR_PRIVATE + (n))
#define EDGE_SPI            SPI(0)
#define LEVEL_SPI           SPI(1)
#define BURST_SMALL         16U
#define BURST_LARGE         64U
#define LEVEL_DELIVERIES    4U      /* the device holds its line through this many EOIs */
#define LEVEL_MAX_RUNS      64U     /* a policy that never resamples would spin: bound it */
#define TIMER_PPI           27U     /* the virtual timer, forwarded as a HW interrupt */
#define TIMER_PINTID        27U
#define SGI_VCPUS           4U
#define SGIS_PER_PAIR       2U      /* each vCPU sends this many SGIs to each other one per round */
#define PRIO_EDGE           0xa0U
#define PRIO_TIMER          0x40U
#define PRIO_RANGE          256U    /* priorities 0x00..0xff */
#define PRIO_LEVELS         32U     /* all 5-bit priority levels */
#define PRIO_MIX            7U      /* coprime with the level counts: neighbours differ in priority */

/* Mixed priorities, so that sorting has work to do and the LRs hold the highest ones. */
static uint8_t spread_prio(unsigned i, unsigned levels)
{
	return (uint8_t)(((i * PRIO_MIX) % levels) * (PRIO_RANGE / levels));
}

static unsigned queued_none(const struct scen_ctx *c) { (void)c; return 0; }
static unsigned queued_one(const struct scen_ctx *c) { (void)c; return 1; }
static unsigned queued_small(const struct scen_ctx *c) { (void)c; return BURST_SMALL; }
static unsigned queued_large(const struct scen_ctx *c) { (void)c; return BURST_LARGE; }
static unsigned queued_depth(const struct scen_ctx *c) { return c->depth; }
static unsigned queued_sgi(const struct scen_ctx *c) { (void)c; return (SGI_VCPUS - 1U) * SGIS_PER_PAIR; }

static void setup_nothing(struct scen_ctx *c, struct bvm *vm) { (void)c; (void)vm; }

/* ---- idle: nothing queued, nothing in flight ---- */
static void round_idle(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	guest_run(c, NULL, vm, 0, st);
}

/* ---- one edge SPI, taken and ended ---- */
static void setup_edge(struct scen_ctx *c, struct bvm *vm)
{
	(void)c;
	vm->pol->configure(vm, 0, EDGE_SPI, PRIO_EDGE, false);
}

static void round_edge(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	bpol_raise_edge(vm, 0, EDGE_SPI);
	guest_run(c, NULL, vm, 0, st);
}

/* ---- bursts past the LRs ---- */
static void setup_burst(struct bvm *vm, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vm->pol->configure(vm, 0, SPI(i), spread_prio(i, 4U), false);
}

static void burst(struct scen_ctx *c, struct bvm *vm, struct run_stats *st, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		bpol_raise_edge(vm, 0, SPI(i));
	guest_run(c, NULL, vm, 0, st);
}

static void setup_burst16(struct scen_ctx *c, struct bvm *vm) { (void)c; setup_burst(vm, BURST_SMALL); }
static void setup_burst64(struct scen_ctx *c, struct bvm *vm) { (void)c; setup_burst(vm, BURST_LARGE); }

static void round_burst16(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	burst(c, vm, st, BURST_SMALL);
}

static void round_burst64(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	burst(c, vm, st, BURST_LARGE);
}

/* ---- realistic depth: 1x and 2x the LRs queued at once, the guest taking every one ---- */
static unsigned queued_1x(const struct scen_ctx *c) { return c->vm->nr_lrs; }
static unsigned queued_2x(const struct scen_ctx *c) { return 2U * c->vm->nr_lrs; }

static void setup_1x(struct scen_ctx *c, struct bvm *vm) { setup_burst(vm, queued_1x(c)); }
static void setup_2x(struct scen_ctx *c, struct bvm *vm) { setup_burst(vm, queued_2x(c)); }

static void round_1x(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	burst(c, vm, st, queued_1x(c));
}

static void round_2x(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	burst(c, vm, st, queued_2x(c));
}

/* ---- a level line held through LEVEL_DELIVERIES EOIs, then lowered by its device ---- */
static void level_resample(void *owner, uint32_t intid)
{
	struct scen_ctx *c = owner;

	if (++c->level_deliveries >= LEVEL_DELIVERIES && c->level_high) {
		c->level_high = false;
		bpol_set_level(c->vm, 0, intid, false);
	}
}

static void setup_level(struct scen_ctx *c, struct bvm *vm)
{
	vm->pol->configure(vm, 0, LEVEL_SPI, PRIO_EDGE, true);
	vm->pol->set_resample(vm, 0, LEVEL_SPI, level_resample, c);
}

/* Policies that see the EOI only at an unrelated exit need more than one guest run per round. */
static void round_level(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	c->level_deliveries = 0;
	c->level_high = true;
	bpol_set_level(vm, 0, LEVEL_SPI, true);
	for (unsigned runs = 0; c->level_high; runs++) {
		if (runs == LEVEL_MAX_RUNS) {
			fprintf(stderr, "lr_bench: %s never resampled the level line\n", vm->pol->name);
			abort();
		}
		guest_run(c, NULL, vm, 0, st);
	}
}

/* ---- the HW-mapped virtual timer: fires, the guest reprograms it, the line drops at exit ---- */
static void timer_ack(struct scen_ctx *c, struct bvm *vm, unsigned vcpu, uint32_t intid)
{
	(void)vm;
	if (intid == TIMER_PPI)
		c->timer_handled[vcpu] = true;
}

static void timer_exit(struct scen_ctx *c, struct bvm *vm, unsigned vcpu)
{
	if (!c->timer_handled[vcpu])
		return;
	c->timer_handled[vcpu] = false;
	bpol_set_level(vm, vcpu, TIMER_PPI, false);
}

static const struct guest_hooks timer_hooks = { .on_ack = timer_ack, .on_exit = timer_exit };

static void setup_timer(struct scen_ctx *c, struct bvm *vm)
{
	(void)c;
	vm->pol->configure(vm, 0, TIMER_PPI, PRIO_TIMER, true);
	vm->pol->map_hw(vm, 0, TIMER_PPI, TIMER_PINTID);
}

static void round_timer(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	bpol_set_level(vm, 0, TIMER_PPI, true);
	guest_run(c, &timer_hooks, vm, 0, st);
}

/* ---- SGIs across 4 vCPUs ---- */
static uint32_t sgi_of(unsigned src, unsigned k)
{
	return (SGIS_PER_PAIR * src + k) % B_NR_SGIS;
}

static void setup_sgi(struct scen_ctx *c, struct bvm *vm)
{
	(void)c;
	for (unsigned v = 0; v < SGI_VCPUS; v++)
		for (uint32_t sgi = 0; sgi < B_NR_SGIS; sgi++)
			vm->pol->configure(vm, v, sgi, spread_prio(sgi, 4U), false);
}

static void round_sgi(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	for (unsigned src = 0; src < SGI_VCPUS; src++)
		for (unsigned dst = 0; dst < SGI_VCPUS; dst++)
			for (unsigned k = 0; dst != src && k < SGIS_PER_PAIR; k++)
				bpol_sgi(vm, src, dst, sgi_of(src, k));
	for (unsigned v = 0; v < SGI_VCPUS; v++)
		guest_run(c, NULL, vm, v, st);
}

/* ---- one LPI, as an MSI through an ITS ends: made pending, taken and ended ---- */
#define LPI_ONE (B_LPI_BASE)

static void setup_lpi(struct scen_ctx *c, struct bvm *vm)
{
	(void)c;
	vm->pol->configure(vm, 0, LPI_ONE, PRIO_EDGE, false);
}

static void round_lpi(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	bpol_raise_edge(vm, 0, LPI_ONE);
	guest_run(c, NULL, vm, 0, st);
}

/* ---- ap_list depth: N LPIs stay queued; the guest has interrupts masked and takes none ---- */
static void setup_depth(struct scen_ctx *c, struct bvm *vm)
{
	for (unsigned i = 0; i < c->depth; i++) {
		vm->pol->configure(vm, 0, B_LPI_BASE + i, spread_prio(i, PRIO_LEVELS), false);
		bpol_raise_edge(vm, 0, B_LPI_BASE + i);
	}
}

/* One world switch: entry, the guest runs something unrelated, exit. */
static void round_depth(struct scen_ctx *c, struct bvm *vm, struct run_stats *st)
{
	guest_enter(vm, 0, st);
	if (st && icv_maint_asserted(&vm->cpu[0]))
		st->maint++;   /* would exit at once: reported, not hidden */
	guest_exit(c, NULL, vm, 0, st);
}

static const struct scenario sc_idle = { "idle", 1, false, queued_none, setup_nothing, round_idle, 0 };
static const struct scenario sc_edge = { "edge1", 1, false, queued_one, setup_edge, round_edge, 0 };
static const struct scenario sc_b16 = { "burst16", 1, false, queued_small, setup_burst16, round_burst16, 0 };
static const struct scenario sc_b64 = { "burst64", 1, false, queued_large, setup_burst64, round_burst64, 0 };
static const struct scenario sc_1x = { "busy1x", 1, false, queued_1x, setup_1x, round_1x, 0 };
static const struct scenario sc_2x = { "busy2x", 1, false, queued_2x, setup_2x, round_2x, 0 };
static const struct scenario sc_level = { "level", 1, false, queued_one, setup_level, round_level, 0 };
static const struct scenario sc_timer = { "hwtimer", 1, false, queued_one, setup_timer, round_timer, 0 };
static const struct scenario sc_sgi = { "sgi4", SGI_VCPUS, false, queued_sgi, setup_sgi, round_sgi, 0 };
static const struct scenario sc_lpi = { "lpi1", 1, false, queued_one, setup_lpi, round_lpi, 1 };
static const struct scenario sc_depth = { "depth", 1, true, queued_depth, setup_depth, round_depth, 0 };

const struct scenario *const b_scenarios[] = {
	&sc_idle, &sc_edge, &sc_1x, &sc_2x, &sc_b16, &sc_b64, &sc_level, &sc_timer, &sc_sgi, &sc_lpi, &sc_depth,
};
const unsigned b_nr_scenarios = sizeof(b_scenarios) / sizeof(b_scenarios[0]);

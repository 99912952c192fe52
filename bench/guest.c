/* guest.c: the guest, played by the software ICV model, and the counted entry/exit around each policy call.
 * Register accesses are split by the call that made them: a flush counts as entry, a sync as exit. */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"
#include "blist.h"
#include "bpol.h"
#include "hv_errno.h"

/* A guest loop that has not gone idle after this many steps is live-locked: fail loudly. */
#define GUEST_MAX_STEPS 1000000U

const struct policy *const b_runs[B_NR_RUNS] = {
	&pol_ours, &pol_kvm_classic, &pol_kvm619, &pol_xen, &pol_ours_nv2,
};

static void model_phys_deactivate(void *ctx, uint32_t pintid)
{
	(void)pintid;
	((struct bvm *)ctx)->phys_deactivations++;
}

void bvm_init_models(struct bvm *vm, const struct policy *pol, unsigned nr_vcpus, unsigned nr_lrs)
{
	vm->pol = pol;
	vm->nr_vcpus = nr_vcpus;
	vm->nr_lrs = nr_lrs;
	vm->phys_deactivations = 0;
	for (unsigned i = 0; i < nr_vcpus; i++) {
		struct icv_model *m = &vm->cpu[i];

		if (icv_model_init(m, nr_lrs, B_PRI_BITS) != HV_OK) {
			fprintf(stderr, "lr_bench: icv_model_init(%u LRs) failed\n", nr_lrs);
			abort();
		}
		m->phys_deactivate = model_phys_deactivate;
		m->phys_ctx = vm;
		icv_set_group_enable(m, B_GRP1, true);
		icv_set_pmr(m, B_PMR_OPEN);
	}
}

static void snapshot(const struct bvm *vm, uint64_t out[LR_ACC_NR])
{
	for (unsigned k = 0; k < LR_ACC_NR; k++) {
		out[k] = 0;
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			out[k] += vm->cpu[i].be.count[k];
	}
}

static void add_delta(const struct bvm *vm, const uint64_t before[LR_ACC_NR], uint64_t acc[LR_ACC_NR])
{
	uint64_t now[LR_ACC_NR];

	snapshot(vm, now);
	for (unsigned k = 0; k < LR_ACC_NR; k++)
		acc[k] += now[k] - before[k];
}

void guest_enter(struct bvm *vm, unsigned vcpu, struct run_stats *st)
{
	uint64_t before[LR_ACC_NR];

	if (!st) {
		bpol_flush(vm, vcpu);
		return;
	}
	uint64_t cmps = b_prio_cmps, locks = b_lock_pairs;

	snapshot(vm, before);
	bpol_flush(vm, vcpu);
	add_delta(vm, before, st->entry_acc);
	st->entry_cmps += b_prio_cmps - cmps;
	st->entry_locks += b_lock_pairs - locks;
	st->entries++;
}

void guest_exit(struct scen_ctx *c, const struct guest_hooks *h, struct bvm *vm, unsigned vcpu,
		struct run_stats *st)
{
	uint64_t before[LR_ACC_NR];
	uint64_t cmps = b_prio_cmps, locks = b_lock_pairs;

	if (st)
		snapshot(vm, before);
	bpol_sync(vm, vcpu);
	if (st) {
		add_delta(vm, before, st->exit_acc);
		st->exit_cmps += b_prio_cmps - cmps;
		st->exit_locks += b_lock_pairs - locks;
		st->exits++;
	}
	if (h && h->on_exit)
		h->on_exit(c, vm, vcpu);
}

/* EOImode 1 guests only: a DIR that traps is an exit, the arch's DIR handling, and an entry. */
static void guest_dir(struct scen_ctx *c, const struct guest_hooks *h, struct bvm *vm, unsigned vcpu,
		      uint32_t intid, struct run_stats *st)
{
	if (icv_dir(&vm->cpu[vcpu], intid) != ICV_DIR_TRAPPED)
		return;
	if (st)
		st->dir_traps++;
	guest_exit(c, h, vm, vcpu, st);
	bpol_dir_trap(vm, vcpu, intid);
	guest_enter(vm, vcpu, st);
}

void guest_run(struct scen_ctx *c, const struct guest_hooks *h, struct bvm *vm, unsigned vcpu,
	       struct run_stats *st)
{
	struct icv_model *m = &vm->cpu[vcpu];
	unsigned step;

	guest_enter(vm, vcpu, st);
	for (step = 0; step < GUEST_MAX_STEPS; step++) {
		uint32_t intid;

		if (icv_maint_asserted(m)) {
			if (st)
				st->maint++;
			guest_exit(c, h, vm, vcpu, st);
			guest_enter(vm, vcpu, st);
			continue;
		}
		if (!icv_irq_signalled(m, B_GRP1))
			break;
		intid = icv_iar(m, B_GRP1);
		if (intid >= GIC_INTID_SPECIAL_FIRST && intid < GIC_INTID_LPI_FIRST)
			break;
		if (st)
			st->delivered++;
		if (h && h->on_ack)
			h->on_ack(c, vm, vcpu, intid);
		icv_eoir(m, B_GRP1, intid);
		if (m->vmcr & ICH_VMCR_VEOIM)
			guest_dir(c, h, vm, vcpu, intid, st);
	}
	if (step == GUEST_MAX_STEPS) {
		fprintf(stderr, "lr_bench: policy %s live-locked (no idle after %u guest steps)\n",
			vm->pol->name, GUEST_MAX_STEPS);
		abort();
	}
	guest_exit(c, h, vm, vcpu, st);
}

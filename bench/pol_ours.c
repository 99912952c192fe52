/* pol_ours.c: our policy: the real vgic core (vgic_flush_lrs/vgic_sync_lrs) on the software ICV model.
 * Storage is the caller's, as in the hypervisor: SPIs in an array, LPIs in a pool given to vgic_lpi_init. */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"
#include "blist.h"
#include "vgic.h"

/* The core reports a level EOI as (owner, SPI line); the scenarios want the INTID. */
struct ours_resample {
	b_resample_fn fn;
	void *owner;
	uint32_t intid;
};

struct ours_vm {
	struct bvm base;
	struct vgic vm;
	struct vgic_vcpu vcpus[B_MAX_VCPUS];
	struct vgic_vcpu *vh[B_MAX_VCPUS];   /* vgic_get_vcpu() of each: the world switch's handles */
	struct vgic_irq spis[B_NR_SPIS];
	struct ours_resample res[B_NR_SPIS];
	struct vgic_irq *lpis;
	unsigned nr_lpis;
	/* vCPU put/load (bench/switch.c): one vgic_cpu_if per physical CPU, the CPU each vCPU is on, and
	 * what the arch saves at put (ICH_VMCR_EL2, the APRs), as arch-arm64/sched.c does. */
	struct vgic_cpu_if cpu_if[B_MAX_VCPUS];
	unsigned cpu_of[B_MAX_VCPUS];
	uint64_t vmcr[B_MAX_VCPUS];
	uint32_t apr[B_MAX_VCPUS][2][4];
	unsigned nr_aprs;   /* from ICH_VTR_EL2, read once (ich_backend_nr_aprs() caches it) */
};

#define OURS_CHECK(expr)                                                              \
	do {                                                                          \
		int rc_ = (expr);                                                     \
		if (rc_ != HV_OK) {                                                   \
			fprintf(stderr, "lr_bench: %s failed (%d)\n", #expr, rc_);   \
			abort();                                                      \
		}                                                                     \
	} while (0)

static struct ours_vm *ours_of(struct bvm *b)
{
	return (struct ours_vm *)(void *)b;
}

/* Same uncontended lock the peers take, so nobody is charged for locking the others skip. */
static void hook_lock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	block_take(l);
}

static void hook_unlock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	block_drop(l);
}

/*
 * No phys_deactivate hook: the core calls it only for a HW interrupt deactivated outside the LRs
 * (EOIcount, trapped DIR), which no scenario here produces; the HW timer is deactivated through its
 * LR, and the model counts that. Leaving it out also keeps this file independent of that hook's
 * signature.
 */
static const struct vgic_hooks ours_counting_hooks = {
	.lock = hook_lock,
	.unlock = hook_unlock,
};

/*
 * As arch-arm64 configures the core: its own inline spin locks (vgic_hooks.spin_locks), the same
 * test-and-set as the peers' block_take(), with no call per lock. The lock pairs they take are not
 * seen by the bench, so ours' lock pairs per flush are counted in its NV2 run, which keeps
 * ours_counting_hooks: same core, same data path, same locks (bench/checks.c, bench/report.c).
 */
static const struct vgic_hooks ours_spin_hooks = {
	.spin_locks = true,
};

/* LPIs: the pool goes to the core, each LPI is routed to vCPU 0, and RD 0 turns LPIs on as a guest would. */
static void ours_lpi_setup(struct ours_vm *o)
{
	uint64_t enable = 1; /* GICR_CTLR.EnableLPIs */

	if (!o->nr_lpis)
		return;
	OURS_CHECK(vgic_lpi_init(&o->vm, o->lpis, o->nr_lpis));
	for (unsigned i = 0; i < o->nr_lpis; i++)
		OURS_CHECK(vgic_irq_set_target(&o->vm, B_LPI_BASE + i, 0));
	OURS_CHECK(vgic_mmio_redist_access(&o->vm, 0, 0, 0 /* GICR_CTLR */, 4, true, &enable));
}

/* lrs_in_memory: the backend flag the core reads at every exit (vgic/lr_backend.h). */
static struct bvm *ours_create_on(const struct policy *pol, bool lrs_in_memory, const struct vgic_hooks *hooks,
				  unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	struct ours_vm *o = calloc(1, sizeof(*o));
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus, .nr_spis = B_NR_SPIS, .prio_bits = B_PRI_BITS };

	if (!o || (nr_lpis && !(o->lpis = calloc(nr_lpis, sizeof(*o->lpis))))) {
		fprintf(stderr, "lr_bench: out of memory\n");
		abort();
	}
	o->nr_lpis = nr_lpis;
	bvm_init_models(&o->base, pol, nr_vcpus, nr_lrs);
	/* Before the core sees the backend: it is a property of the hardware, fixed for the VM's life. */
	for (unsigned i = 0; i < nr_vcpus; i++)
		o->base.cpu[i].be.lrs_in_memory = lrs_in_memory;
	OURS_CHECK(vgic_init(&o->vm, &cfg, hooks, &o->base, o->vcpus, o->spis));
	ours_lpi_setup(o);
	for (unsigned i = 0; i < nr_vcpus; i++) {
		OURS_CHECK(vgic_vcpu_set_backend(&o->vm, i, &o->base.cpu[i].be));
		o->vh[i] = vgic_get_vcpu(&o->vm, i);
	}
	OURS_CHECK(vgic_dist_enable(&o->vm, false, true));
	return &o->base;
}

/* Real ICH_* registers: the setting of arch-arm64's backend, and of every table but the NV2 one. */
static struct bvm *ours_create(unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	return ours_create_on(&pol_ours, false, &ours_spin_hooks, nr_vcpus, nr_lrs, nr_lpis);
}

/* Nested with NV2: LRs in the VNCR page, ELRSR trapping; measured for the NV2 projection only. */
static struct bvm *ours_nv2_create(unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	return ours_create_on(&pol_ours_nv2, true, &ours_counting_hooks, nr_vcpus, nr_lrs, nr_lpis);
}

static void ours_destroy(struct bvm *b)
{
	struct ours_vm *o = ours_of(b);

	free(o->lpis);
	free(o);
}

static void ours_configure(struct bvm *b, unsigned vcpu, uint32_t intid, uint8_t prio, bool level)
{
	struct vgic *vm = &ours_of(b)->vm;

	OURS_CHECK(vgic_irq_set_group(vm, vcpu, intid, B_GRP1));
	OURS_CHECK(vgic_irq_set_priority(vm, vcpu, intid, prio));
	if (intid >= B_NR_SGIS)
		OURS_CHECK(vgic_irq_set_trigger(vm, vcpu, intid, level ? VGIC_LEVEL : VGIC_EDGE));
	OURS_CHECK(vgic_irq_set_enabled(vm, vcpu, intid, true));
}

static void ours_map_hw(struct bvm *b, unsigned vcpu, uint32_t intid, uint32_t pintid)
{
	OURS_CHECK(vgic_irq_map_hw(&ours_of(b)->vm, vcpu, intid, pintid));
}

static void ours_resample_tramp(void *owner, uint32_t line)
{
	struct ours_resample *r = owner;

	(void)line;
	r->fn(r->owner, r->intid);
}

static void ours_set_resample(struct bvm *b, unsigned vcpu, uint32_t intid, b_resample_fn fn, void *owner)
{
	struct ours_vm *o = ours_of(b);
	struct irq_chip *chip = vgic_spi_chip(&o->vm);
	uint32_t line = intid - B_NR_PRIVATE;

	(void)vcpu;
	if (intid < B_NR_PRIVATE || line >= B_NR_SPIS) {
		fprintf(stderr, "lr_bench: resample is wired for SPIs only\n");
		abort();
	}
	o->res[line] = (struct ours_resample){ .fn = fn, .owner = owner, .intid = intid };
	OURS_CHECK(chip->ops->set_resample(chip, line, ours_resample_tramp, &o->res[line]));
}

static int ours_raise_edge(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	return vgic_inject(&ours_of(b)->vm, vcpu, intid, true);
}

static int ours_set_level(struct bvm *b, unsigned vcpu, uint32_t intid, bool high)
{
	return vgic_inject(&ours_of(b)->vm, vcpu, intid, high);
}

static int ours_sgi(struct bvm *b, unsigned src, unsigned dst, uint32_t sgi)
{
	return vgic_inject_sgi(&ours_of(b)->vm, src, dst, sgi);
}

/*
 * The world switch on the vCPU handles, as arch-arm64's vcpu_run_slice() calls it. These entry points
 * return the core's code; bpol.c checks it for every policy alike (the peers return 0).
 */
static int ours_flush(struct bvm *b, unsigned vcpu)
{
	return vgic_flush_vcpu(ours_of(b)->vh[vcpu]);
}

static int ours_sync(struct bvm *b, unsigned vcpu)
{
	return vgic_sync_vcpu(ours_of(b)->vh[vcpu]);
}

static int ours_dir_trap(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	return vgic_handle_dir(&ours_of(b)->vm, vcpu, intid);
}

/*
 * vCPU put/load as the arm64 hypervisor's scheduler does it (arch-arm64/sched.c switch_out/switch_in):
 * the core's vgic_vcpu_put()/vgic_vcpu_load_on() (docs/design.md section 12) and the arch's own work
 * around them. Each physical CPU gets a struct vgic_cpu_if, and every vCPU is loaded on its own CPU.
 */
/* ich_backend_nr_aprs() in arch-arm64/ich_backend.c: ICH_VTR_EL2 read once, at set-up (not counted, as
 * the hypervisor resets its counts after set-up), then cached. */
static unsigned ours_nr_aprs(struct lr_backend *be)
{
	unsigned n = 1U << ((((be->ops->read_vtr(be) >> ICH_VTR_PREBITS_SHIFT) & 7U) + 1U) - 5U);

	return n < 4U ? n : 4U;
}

static void ours_switch_init(struct bvm *b)
{
	struct ours_vm *o = ours_of(b);

	for (unsigned i = 0; i < b->nr_vcpus; i++) {
		OURS_CHECK(vgic_cpu_if_init(&o->cpu_if[i], &b->cpu[i].be));
		OURS_CHECK(vgic_vcpu_load_on(&o->vm, i, &o->cpu_if[i]));
		o->cpu_of[i] = i;
	}
	o->nr_aprs = ours_nr_aprs(&b->cpu[0].be);
}

/* switch_out(): vgic_vcpu_put, the maintenance PPI masked (GICR_ICENABLER0 write, then GICR_CTLR.RWP
 * polled: at least one read), save_cpu_if(): ICH_VMCR_EL2 and the APRs read. */
static void ours_put(struct bvm *b, unsigned vcpu)
{
	struct ours_vm *o = ours_of(b);
	struct lr_backend *be = &b->cpu[o->cpu_of[vcpu]].be;
	uint64_t before = lr_backend_total(be);
	unsigned n;

	OURS_CHECK(vgic_vcpu_put(&o->vm, vcpu));
	b->core_switch_accesses += lr_backend_total(be) - before;
	b->gicr_accesses += 2;
	n = o->nr_aprs;
	o->vmcr[vcpu] = lr_read_vmcr(be);
	for (unsigned i = 0; i < n; i++) {
		o->apr[vcpu][0][i] = lr_read_apr(be, 0, i);
		o->apr[vcpu][1][i] = lr_read_apr(be, 1, i);
	}
}

/* switch_in(): restore_cpu_if() (ICH_VMCR_EL2 and the APRs written),
 * vgic_vcpu_load_on, the maintenance PPI unmasked (a GICR_ISENABLER0 write). */
static void ours_load(struct bvm *b, unsigned vcpu, unsigned cpu)
{
	struct ours_vm *o = ours_of(b);
	struct lr_backend *be = &b->cpu[cpu].be;
	unsigned n = o->nr_aprs;
	uint64_t before;

	lr_write_vmcr(be, o->vmcr[vcpu]);
	for (unsigned i = 0; i < n; i++) {
		lr_write_apr(be, 0, i, o->apr[vcpu][0][i]);
		lr_write_apr(be, 1, i, o->apr[vcpu][1][i]);
	}
	before = lr_backend_total(be);
	OURS_CHECK(vgic_vcpu_load_on(&o->vm, vcpu, &o->cpu_if[cpu]));
	b->core_switch_accesses += lr_backend_total(be) - before;
	o->cpu_of[vcpu] = cpu;
	b->gicr_accesses += 1;
}

const struct policy pol_ours = {
	.name = "ours",
	.create = ours_create,
	.destroy = ours_destroy,
	.configure = ours_configure,
	.map_hw = ours_map_hw,
	.set_resample = ours_set_resample,
	.raise_edge = ours_raise_edge,
	.set_level = ours_set_level,
	.sgi = ours_sgi,
	.flush = ours_flush,
	.sync = ours_sync,
	.dir_trap = ours_dir_trap,
	.switch_init = ours_switch_init,
	.put = ours_put,
	.load = ours_load,
};

/* The same core and data path; only the backend's lrs_in_memory differs (set in ours_nv2_create). */
const struct policy pol_ours_nv2 = {
	.name = "ours_nv2",
	.create = ours_nv2_create,
	.destroy = ours_destroy,
	.configure = ours_configure,
	.map_hw = ours_map_hw,
	.set_resample = ours_set_resample,
	.raise_edge = ours_raise_edge,
	.set_level = ours_set_level,
	.sgi = ours_sgi,
	.flush = ours_flush,
	.sync = ours_sync,
	.dir_trap = ours_dir_trap,
};

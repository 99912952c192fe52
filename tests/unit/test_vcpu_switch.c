/* test_vcpu_switch.c: vCPUs that move: put and load on physical CPUs shared by vCPUs and by VMs, the
 * LR-keeping optimisation across them, the cost of an idle switch, and refused calls. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"

#define SPI(n)   (VGIC_SPI_BASE + (n))
#define NR_SPIS  32U
#define NR_LRS   4U

/* A physical CPU: its CPU interface (the model), the core's view of it, and the guest context the
 * arch saves at put and restores at load (VMCR and the APRs), per vCPU. */
struct pcpu {
	struct icv_model hw;
	struct vgic_cpu_if cif;
};

struct guest_ctx {
	uint64_t vmcr;
	uint32_t apr[2][LR_BACKEND_MAX_APRS];
};

static void pcpu_init(struct pcpu *p, unsigned nr_lrs)
{
	assert_int_equal(icv_model_init(&p->hw, nr_lrs, 5), HV_OK);
	assert_int_equal(vgic_cpu_if_init(&p->cif, &p->hw.be), HV_OK);
}

/* A fresh guest context: group 1 on, PMR open (what the harness gives its own vCPUs). */
static void ctx_init(struct guest_ctx *g)
{
	struct icv_model tmp;

	assert_int_equal(icv_model_init(&tmp, 1, 5), HV_OK);
	icv_set_group_enable(&tmp, 1, true);
	icv_set_pmr(&tmp, 0xff);
	memset(g, 0, sizeof(*g));
	g->vmcr = tmp.vmcr;
}

/* What the arch does around the core's calls when vCPU (vm, id) lands on p / leaves it. */
static void arch_load(struct vgic *vm, uint32_t id, struct pcpu *p, const struct guest_ctx *g)
{
	p->hw.vmcr = g->vmcr;
	memcpy(p->hw.apr, g->apr, sizeof(g->apr));
	assert_int_equal(vgic_vcpu_load_on(vm, id, &p->cif), HV_OK);
}

static void arch_put(struct vgic *vm, uint32_t id, struct pcpu *p, struct guest_ctx *g)
{
	assert_int_equal(vgic_vcpu_put(vm, id), HV_OK);
	g->vmcr = p->hw.vmcr;
	memcpy(g->apr, p->hw.apr, sizeof(g->apr));
}

static bool lrs_hold(const struct pcpu *p, uint32_t intid)
{
	for (unsigned i = 0; i < p->hw.be.nr_lrs; i++)
		if ((p->hw.lr[i] & ICH_LR_STATE_MASK) && (uint32_t)(p->hw.lr[i] & ICH_LR_VINTID_MASK) == intid)
			return true;
	return false;
}

static uint32_t edge_to(struct harness *h, uint32_t spi, uint32_t vcpu, uint8_t prio)
{
	h_cfg(h, 0, spi, prio, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_target(&h->vm, spi, vcpu), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, spi, true), HV_OK);
	return spi;
}

/*
 * Two vCPUs take turns on one CPU. vCPU 0 leaves with an interrupt active in an LR; vCPU 1 must not
 * see it (its entry clears the LR); back on the CPU, vCPU 0 gets it rewritten and ends it.
 */
static void test_an_lr_left_by_one_vcpu_is_not_seen_by_the_next(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);
	static struct pcpu p;
	struct guest_ctx g0, g1;

	(void)state;
	pcpu_init(&p, NR_LRS);
	ctx_init(&g0);
	ctx_init(&g1);
	edge_to(h, SPI(8), 0, 0x80);
	arch_load(&h->vm, 0, &p, &g0);
	h_enter(h, 0);
	assert_int_equal(icv_iar(&p.hw, 1), SPI(8));
	h_exit(h, 0);
	assert_true(h_state(h, 0, SPI(8)).active);
	arch_put(&h->vm, 0, &p, &g0);

	arch_load(&h->vm, 1, &p, &g1);
	h_enter(h, 1);
	assert_false(lrs_hold(&p, SPI(8)));
	assert_false(icv_irq_signalled(&p.hw, 1));
	assert_int_equal(icv_rpr(&p.hw), 0xff);             /* vCPU 1's own context: nothing running */
	h_exit(h, 1);
	arch_put(&h->vm, 1, &p, &g1);

	arch_load(&h->vm, 0, &p, &g0);
	h_enter(h, 0);
	assert_true(lrs_hold(&p, SPI(8)));
	icv_eoir(&p.hw, 1, SPI(8));
	h_exit(h, 0);
	assert_false(h_state(h, 0, SPI(8)).active);
	assert_int_equal(icv_rpr(&p.hw), 0xff);
	arch_put(&h->vm, 0, &p, &g0);
	h_finish(h);
}

/*
 * A vCPU leaves a CPU with 8 LRs with 6 interrupts kept in them (its guest masks them with PMR), and
 * lands on one with 4. Its kept LRs beyond the 4th must have been folded back at the put: the load
 * forgets which interrupt the LRs past the new CPU's count held. Found by review (a NULL interrupt
 * folded at the next entry).
 */
static void test_kept_lrs_survive_a_move_to_a_cpu_with_fewer(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);
	static struct pcpu wide, narrow;
	struct guest_ctx g;
	unsigned taken = 0;

	(void)state;
	pcpu_init(&wide, 2U * NR_LRS);
	pcpu_init(&narrow, NR_LRS);
	ctx_init(&g);
	for (unsigned i = 0; i < NR_LRS + 2U; i++)
		edge_to(h, SPI(i), 0, 0x80);
	arch_load(&h->vm, 0, &wide, &g);
	icv_set_pmr(&wide.hw, 0x60);                         /* the guest masks them: arch_put saves it */
	h_enter(h, 0);
	h_exit(h, 0);                                        /* nothing taken: every LR kept */
	assert_int_equal(h->vcpus[0].used_mask, 0x3fU);
	arch_put(&h->vm, 0, &wide, &g);
	arch_load(&h->vm, 0, &narrow, &g);
	icv_set_pmr(&narrow.hw, 0xff);
	h_enter(h, 0);
	for (uint32_t intid; (intid = icv_iar(&narrow.hw, 1)) < GIC_INTID_SPECIAL_FIRST; taken++) {
		icv_eoir(&narrow.hw, 1, intid);
		h_exit(h, 0);
		h_enter(h, 0);
	}
	h_exit(h, 0);
	assert_int_equal(taken, NR_LRS + 2U);
	arch_put(&h->vm, 0, &narrow, &g);
	h_finish(h);
}

/* Switching between idle vCPUs costs no register access at all, in either direction, many times. */
static void test_an_idle_switch_costs_no_register_access(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);
	static struct pcpu p;
	struct guest_ctx g[2];

	(void)state;
	pcpu_init(&p, NR_LRS);
	ctx_init(&g[0]);
	ctx_init(&g[1]);
	/* One real interrupt first, so the CPU has been written and known. */
	edge_to(h, SPI(1), 0, 0x40);
	arch_load(&h->vm, 0, &p, &g[0]);
	h_enter(h, 0);
	assert_int_equal(icv_iar(&p.hw, 1), SPI(1));
	icv_eoir(&p.hw, 1, SPI(1));
	h_exit(h, 0);
	h_enter(h, 0);                                       /* clears the spent LR */
	h_exit(h, 0);
	arch_put(&h->vm, 0, &p, &g[0]);
	lr_backend_reset_counts(&p.hw.be);
	for (unsigned i = 0; i < 100; i++) {
		unsigned v = i % 2;

		arch_load(&h->vm, v, &p, &g[v]);
		h_enter(h, v);
		h_exit(h, v);
		arch_put(&h->vm, v, &p, &g[v]);
	}
	assert_int_equal(lr_backend_total(&p.hw.be), 0);
	h_finish(h);
}

/*
 * Two VMs share one CPU. VM A leaves an interrupt pending in an LR (its guest has not taken it);
 * VM B's entry must clear it, and B's own interrupt of the same INTID is B's. Back on the CPU, A's
 * pending interrupt is rewritten and taken there.
 */
static void test_two_vms_share_a_cpu_without_seeing_each_other(void **state)
{
	struct harness *a = h_mk(1, NR_SPIS, NR_LRS);
	struct harness *b = h_new(1, NR_SPIS, NR_LRS);
	static struct pcpu p;
	struct guest_ctx ga, gb;

	(void)state;
	pcpu_init(&p, NR_LRS);
	ctx_init(&ga);
	ctx_init(&gb);
	edge_to(a, SPI(8), 0, 0x80);
	arch_load(&a->vm, 0, &p, &ga);
	h_enter(a, 0);
	assert_true(lrs_hold(&p, SPI(8)));
	h_exit(a, 0);                                        /* not taken: pending in the LR */
	arch_put(&a->vm, 0, &p, &ga);

	arch_load(&b->vm, 0, &p, &gb);
	h_enter(b, 0);
	assert_false(lrs_hold(&p, SPI(8)));
	assert_false(icv_irq_signalled(&p.hw, 1));
	h_exit(b, 0);
	edge_to(b, SPI(8), 0, 0x20);
	h_enter(b, 0);
	assert_int_equal(icv_iar(&p.hw, 1), SPI(8));
	assert_int_equal(icv_rpr(&p.hw), 0x20);              /* B's priority, not A's */
	icv_eoir(&p.hw, 1, SPI(8));
	h_exit(b, 0);
	arch_put(&b->vm, 0, &p, &gb);
	assert_false(h_state(b, 0, SPI(8)).pending);

	arch_load(&a->vm, 0, &p, &ga);
	assert_true(h_state(a, 0, SPI(8)).pending);
	h_enter(a, 0);
	assert_int_equal(icv_iar(&p.hw, 1), SPI(8));
	assert_int_equal(icv_rpr(&p.hw), 0x80);
	icv_eoir(&p.hw, 1, SPI(8));
	h_exit(a, 0);
	arch_put(&a->vm, 0, &p, &ga);
	assert_false(h_state(a, 0, SPI(8)).pending);
	h_free(b);
	h_finish(a);
}

/* A vCPU moves to another CPU with an interrupt pending: it is taken there, and the CPU it left
 * has its stale LR cleared by the next vCPU that runs on it. */
static void test_a_vcpu_migrates_with_its_interrupt(void **state)
{
	struct harness *h = h_mk(2, NR_SPIS, NR_LRS);
	static struct pcpu p0, p1;
	struct guest_ctx g0, g1;

	(void)state;
	pcpu_init(&p0, NR_LRS);
	pcpu_init(&p1, 16);                                  /* a different LR count */
	ctx_init(&g0);
	ctx_init(&g1);
	edge_to(h, SPI(3), 0, 0x60);
	arch_load(&h->vm, 0, &p0, &g0);
	h_enter(h, 0);
	h_exit(h, 0);
	arch_put(&h->vm, 0, &p0, &g0);
	assert_true(lrs_hold(&p0, SPI(3)));                  /* stale, harmless while nobody runs */

	arch_load(&h->vm, 0, &p1, &g0);
	h_enter(h, 0);
	assert_int_equal(icv_iar(&p1.hw, 1), SPI(3));
	icv_eoir(&p1.hw, 1, SPI(3));
	h_exit(h, 0);
	arch_put(&h->vm, 0, &p1, &g0);

	arch_load(&h->vm, 1, &p0, &g1);
	h_enter(h, 1);
	assert_false(lrs_hold(&p0, SPI(3)));
	assert_false(icv_irq_signalled(&p0.hw, 1));
	h_exit(h, 1);
	arch_put(&h->vm, 1, &p0, &g1);
	assert_false(h_state(h, 0, SPI(3)).pending);
	h_finish(h);
}

static void test_refused_calls_change_nothing(void **state)
{
	struct harness *h = h_mk(1, NR_SPIS, NR_LRS);
	static struct pcpu p, wide;
	struct icv_model eight;
	struct guest_ctx g;

	(void)state;
	pcpu_init(&p, NR_LRS);
	ctx_init(&g);
	assert_int_equal(vgic_cpu_if_init(NULL, &p.hw.be), HV_EINVAL);
	assert_int_equal(vgic_cpu_if_init(&wide.cif, NULL), HV_EINVAL);
	assert_int_equal(vgic_vcpu_load_on(NULL, 0, &p.cif), HV_EINVAL);
	assert_int_equal(vgic_vcpu_load_on(&h->vm, 1, &p.cif), HV_ERANGE);
	assert_int_equal(vgic_vcpu_load_on(&h->vm, 0, NULL), HV_EINVAL);
	/* An 8-bit CPU interface for a VM configured with 5 priority bits. */
	assert_int_equal(icv_model_init(&eight, NR_LRS, 8), HV_OK);
	assert_int_equal(vgic_cpu_if_init(&wide.cif, &eight.be), HV_OK);
	assert_int_equal(vgic_vcpu_load_on(&h->vm, 0, &wide.cif), HV_EINVAL);
	arch_load(&h->vm, 0, &p, &g);
	h_enter(h, 0);
	assert_int_equal(vgic_vcpu_put(&h->vm, 0), HV_EBUSY);       /* flushed, not synced */
	assert_int_equal(vgic_vcpu_load_on(&h->vm, 0, &p.cif), HV_EBUSY);
	h_exit(h, 0);
	arch_put(&h->vm, 0, &p, &g);
	assert_int_equal(vgic_vcpu_put(&h->vm, 0), HV_EINVAL);      /* not loaded anywhere */
	assert_int_equal(vgic_flush_lrs(&h->vm, 0), HV_ENODEV);     /* put: no LRs until the next load */
	assert_int_equal(vgic_sync_lrs(&h->vm, 0), HV_ENODEV);
	assert_int_equal(vgic_flush_vcpu(vgic_get_vcpu(&h->vm, 0)), HV_ENODEV);  /* the handle forms too */
	assert_int_equal(vgic_sync_vcpu(vgic_get_vcpu(&h->vm, 0)), HV_ENODEV);
	assert_int_equal(vgic_flush_vcpu(NULL), HV_EINVAL);
	assert_int_equal(vgic_sync_vcpu(NULL), HV_EINVAL);
	arch_load(&h->vm, 0, &p, &g);
	assert_int_equal(vgic_flush_vcpu(vgic_get_vcpu(&h->vm, 0)), HV_OK);
	assert_int_equal(vgic_flush_vcpu(vgic_get_vcpu(&h->vm, 0)), HV_EBUSY);  /* flushed twice */
	assert_int_equal(vgic_sync_vcpu(vgic_get_vcpu(&h->vm, 0)), HV_OK);
	h_enter(h, 0);
	h_exit(h, 0);
	h_finish(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_an_lr_left_by_one_vcpu_is_not_seen_by_the_next, h_teardown),
		cmocka_unit_test_teardown(test_an_idle_switch_costs_no_register_access, h_teardown),
		cmocka_unit_test_teardown(test_two_vms_share_a_cpu_without_seeing_each_other, h_teardown),
		cmocka_unit_test_teardown(test_a_vcpu_migrates_with_its_interrupt, h_teardown),
		cmocka_unit_test_teardown(test_refused_calls_change_nothing, h_teardown),
		cmocka_unit_test_teardown(test_kept_lrs_survive_a_move_to_a_cpu_with_fewer, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

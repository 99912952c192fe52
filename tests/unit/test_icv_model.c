/* test_icv_model.c: cmocka unit tests for the GICv3 virtual CPU interface model (vgic/icv_model.c).
 * Each test name states one architectural rule of IHI 0069 that the model must follow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hv_errno.h"
#include "icv_model.h"

#define G0 0U
#define G1 1U
#define NR_LRS 4U
#define PRI_BITS 5U
#define PMR_OPEN 0xffU

/* An LR as the hypervisor would write it (HW = 0, no EOI maintenance request). */
static uint64_t mk_lr(uint32_t vintid, uint8_t prio, unsigned grp, uint64_t state)
{
	return (uint64_t)vintid | ((uint64_t)prio << ICH_LR_PRIORITY_SHIFT) |
	       (grp ? ICH_LR_GROUP : 0) | state;
}

static uint64_t mk_hw_lr(uint32_t vintid, uint32_t pintid, uint8_t prio, unsigned grp, uint64_t state)
{
	return mk_lr(vintid, prio, grp, state) | ICH_LR_HW | ((uint64_t)pintid << ICH_LR_PINTID_SHIFT);
}

/* A model the guest can take interrupts from: En set, both groups on, PMR open. */
static void ready(struct icv_model *m, unsigned nr_lrs, unsigned pri_bits)
{
	assert_int_equal(icv_model_init(m, nr_lrs, pri_bits), HV_OK);
	m->be.ops->write_hcr(&m->be, ICH_HCR_EN);
	icv_set_group_enable(m, G0, true);
	icv_set_group_enable(m, G1, true);
	icv_set_pmr(m, PMR_OPEN);
}

static void put(struct icv_model *m, unsigned n, uint64_t lr)
{
	m->be.ops->write_lr(&m->be, n, lr);
}

static uint64_t state_of(const struct icv_model *m, unsigned n)
{
	return m->lr[n] & ICH_LR_STATE_MASK;
}

static unsigned eoicount(const struct icv_model *m)
{
	return ich_hcr_eoicount(m->hcr);
}

static void set_hcr_bits(struct icv_model *m, uint64_t bits)
{
	m->be.ops->write_hcr(&m->be, m->hcr | bits);
}

struct phys_log {
	unsigned calls;
	uint32_t last;
	void *ctx_seen;
};

static void record_phys_deactivate(void *ctx, uint32_t pintid)
{
	struct phys_log *log = ctx;

	log->calls++;
	log->last = pintid;
	log->ctx_seen = ctx;
}

/* ---- init ---- */

static void init_rejects_lr_count_outside_1_to_16(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, 0, PRI_BITS), HV_EINVAL);
	assert_int_equal(icv_model_init(&m, LR_BACKEND_MAX_LRS + 1, PRI_BITS), HV_EINVAL);
	assert_int_equal(icv_model_init(&m, 1, PRI_BITS), HV_OK);
	assert_int_equal(icv_model_init(&m, LR_BACKEND_MAX_LRS, PRI_BITS), HV_OK);
}

static void init_rejects_priority_bits_outside_5_to_8(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, 4), HV_EINVAL);
	assert_int_equal(icv_model_init(&m, NR_LRS, 9), HV_EINVAL);
	assert_int_equal(icv_model_init(&m, NR_LRS, 5), HV_OK);
	assert_int_equal(icv_model_init(&m, NR_LRS, 8), HV_OK);
	assert_int_equal(icv_model_init(NULL, NR_LRS, 5), HV_EINVAL);
}

static void init_resets_registers_counters_and_minimum_bprs(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, 5), HV_OK);
	assert_non_null(m.be.ops);
	assert_int_equal(m.be.nr_lrs, NR_LRS);
	assert_int_equal(lr_backend_total(&m.be), 0);
	assert_int_equal(m.hcr, 0);
	for (unsigned i = 0; i < LR_BACKEND_MAX_LRS; i++)
		assert_int_equal(m.lr[i], 0);
	/* 5 preemption bits: VBPR0 minimum 2, VBPR1 minimum 3. */
	assert_int_equal(icv_get_bpr(&m, G0), 2);
	assert_int_equal(icv_get_bpr(&m, G1), 3);
	assert_int_equal(icv_get_pmr(&m), 0);
	assert_false(m.vmcr & (ICH_VMCR_VENG0 | ICH_VMCR_VENG1 | ICH_VMCR_VEOIM));
	assert_null(m.phys_deactivate);
	assert_false(m.quirk_eoicount_on_split_eoir);

	assert_int_equal(icv_model_init(&m, NR_LRS, 7), HV_OK);
	assert_int_equal(icv_get_bpr(&m, G0), 0);
	assert_int_equal(icv_get_bpr(&m, G1), 1);
}

/* ---- ICH_* register view ---- */

static void vtr_reports_listregs_prebits_pribits_and_tds(void **state)
{
	struct icv_model m;
	uint64_t vtr;

	(void)state;
	assert_int_equal(icv_model_init(&m, 4, 5), HV_OK);
	vtr = lr_read_vtr(&m.be);
	assert_int_equal(vtr & ICH_VTR_LISTREGS_MASK, 3);
	assert_int_equal((vtr >> ICH_VTR_PREBITS_SHIFT) & 7U, 4);
	assert_int_equal((vtr >> ICH_VTR_PRIBITS_SHIFT) & 7U, 4);
	assert_int_equal((vtr >> ICH_VTR_IDBITS_SHIFT) & 7U, 0);
	assert_true(vtr & ICH_VTR_TDS);

	assert_int_equal(icv_model_init(&m, 16, 6), HV_OK);
	vtr = lr_read_vtr(&m.be);
	assert_int_equal(vtr & ICH_VTR_LISTREGS_MASK, 15);
	assert_int_equal((vtr >> ICH_VTR_PREBITS_SHIFT) & 7U, 5);
	assert_int_equal((vtr >> ICH_VTR_PRIBITS_SHIFT) & 7U, 5);
}

static void vtr_caps_preemption_bits_at_7_with_8_priority_bits(void **state)
{
	struct icv_model m;
	uint64_t vtr;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, 8), HV_OK);
	vtr = lr_read_vtr(&m.be);
	assert_int_equal((vtr >> ICH_VTR_PRIBITS_SHIFT) & 7U, 7);
	assert_int_equal((vtr >> ICH_VTR_PREBITS_SHIFT) & 7U, 6);
}

static void lr_write_reads_unimplemented_priority_bits_as_zero(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, 5), HV_OK);
	put(&m, 0, mk_lr(40, 0xff, G1, ICH_LR_STATE_PENDING) | ICH_LR_EOI);
	assert_int_equal(ich_lr_priority(m.be.ops->read_lr(&m.be, 0)), 0xf8);
	/* Everything outside the priority field is stored as written. */
	assert_int_equal(m.lr[0] & ~ICH_LR_PRIORITY_MASK,
			 mk_lr(40, 0, G1, ICH_LR_STATE_PENDING) | ICH_LR_EOI);

	assert_int_equal(icv_model_init(&m, NR_LRS, 8), HV_OK);
	put(&m, 0, mk_lr(40, 0xff, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(ich_lr_priority(m.lr[0]), 0xff);
}

static void vmcr_write_clamps_bprs_to_minimum_and_masks_vpmr(void **state)
{
	struct icv_model m;
	uint64_t vmcr;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, 5), HV_OK);
	m.be.ops->write_vmcr(&m.be, ICH_VMCR_VENG1 | (0xffULL << ICH_VMCR_VPMR_SHIFT));
	vmcr = m.be.ops->read_vmcr(&m.be);
	assert_int_equal((vmcr & ICH_VMCR_VPMR_MASK) >> ICH_VMCR_VPMR_SHIFT, 0xf8);
	assert_int_equal((vmcr & ICH_VMCR_VBPR0_MASK) >> ICH_VMCR_VBPR0_SHIFT, 2);
	assert_int_equal((vmcr & ICH_VMCR_VBPR1_MASK) >> ICH_VMCR_VBPR1_SHIFT, 3);
	assert_true(vmcr & ICH_VMCR_VENG1);

	m.be.ops->write_vmcr(&m.be, (5ULL << ICH_VMCR_VBPR0_SHIFT) | (6ULL << ICH_VMCR_VBPR1_SHIFT));
	assert_int_equal(icv_get_bpr(&m, G0), 5);
	assert_int_equal(icv_get_bpr(&m, G1), 6);
}

static void hcr_write_stores_eoicount(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, PRI_BITS), HV_OK);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | (7ULL << ICH_HCR_EOICOUNT_SHIFT));
	assert_int_equal(ich_hcr_eoicount(m.be.ops->read_hcr(&m.be)), 7);
	assert_true(m.be.ops->read_hcr(&m.be) & ICH_HCR_EN);
}

static void apr_count_follows_preemption_bits_extra_aprs_raz_wi(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, 5), HV_OK);
	m.be.ops->write_apr(&m.be, G0, 1, 0x1);
	assert_int_equal(m.be.ops->read_apr(&m.be, G0, 1), 0);

	assert_int_equal(icv_model_init(&m, NR_LRS, 6), HV_OK);
	m.be.ops->write_apr(&m.be, G1, 1, 0x4);
	assert_int_equal(m.be.ops->read_apr(&m.be, G1, 1), 0x4);
	m.be.ops->write_apr(&m.be, G1, 2, 0x4);
	assert_int_equal(m.be.ops->read_apr(&m.be, G1, 2), 0);

	assert_int_equal(icv_model_init(&m, NR_LRS, 7), HV_OK);
	m.be.ops->write_apr(&m.be, G0, 3, 0x80000000U);
	assert_int_equal(m.be.ops->read_apr(&m.be, G0, 3), 0x80000000U);
}

static void counted_accessors_count_each_access_kind(void **state)
{
	struct icv_model m;

	(void)state;
	assert_int_equal(icv_model_init(&m, NR_LRS, PRI_BITS), HV_OK);
	lr_write(&m.be, 0, mk_lr(33, 0x80, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(ich_lr_vintid(lr_read(&m.be, 0)), 33);
	(void)lr_read(&m.be, 1);
	(void)lr_read_elrsr(&m.be);
	(void)lr_read_eisr(&m.be);
	(void)lr_read_misr(&m.be);
	lr_write_hcr(&m.be, ICH_HCR_EN);
	assert_true(lr_read_hcr(&m.be) & ICH_HCR_EN);
	lr_write_vmcr(&m.be, ICH_VMCR_VENG1);
	assert_true(lr_read_vmcr(&m.be) & ICH_VMCR_VENG1);
	lr_write_apr(&m.be, G1, 0, 1);
	assert_int_equal(lr_read_apr(&m.be, G1, 0), 1);
	(void)lr_read_vtr(&m.be);

	assert_int_equal(m.be.count[LR_ACC_LR_READ], 2);
	assert_int_equal(m.be.count[LR_ACC_LR_WRITE], 1);
	assert_int_equal(m.be.count[LR_ACC_ELRSR_READ], 1);
	assert_int_equal(m.be.count[LR_ACC_EISR_READ], 1);
	assert_int_equal(m.be.count[LR_ACC_MISR_READ], 1);
	assert_int_equal(m.be.count[LR_ACC_HCR_READ], 1);
	assert_int_equal(m.be.count[LR_ACC_HCR_WRITE], 1);
	assert_int_equal(m.be.count[LR_ACC_VMCR_READ], 1);
	assert_int_equal(m.be.count[LR_ACC_VMCR_WRITE], 1);
	assert_int_equal(m.be.count[LR_ACC_APR_READ], 1);
	assert_int_equal(m.be.count[LR_ACC_APR_WRITE], 1);
	assert_int_equal(m.be.count[LR_ACC_VTR_READ], 1);
	assert_int_equal(lr_backend_total(&m.be), 13);
}

static void guest_view_accesses_are_not_counted(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	lr_backend_reset_counts(&m.be);
	put(&m, 0, mk_lr(33, 0x80, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 33);
	icv_eoir(&m, G1, 33);
	(void)icv_misr(&m);
	assert_int_equal(lr_backend_total(&m.be), 0);
}

/* ---- acknowledge ---- */

static void iar_returns_spurious_when_nothing_is_pending(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(icv_iar(&m, G0), GIC_INTID_SPURIOUS);
	assert_false(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_rpr(&m), 0xff);
}

static void iar_takes_lowest_priority_value_then_lowest_lr_index(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(40, 0xa0, G1, ICH_LR_STATE_PENDING));
	put(&m, 1, mk_lr(41, 0x60, G1, ICH_LR_STATE_PENDING));
	put(&m, 2, mk_lr(42, 0x60, G1, ICH_LR_STATE_PENDING));
	put(&m, 3, mk_lr(43, 0x90, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_hppir(&m, G1), 41);
	assert_true(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_iar(&m, G1), 41);
	assert_int_equal(state_of(&m, 1), ICH_LR_STATE_ACTIVE);
	assert_int_equal(state_of(&m, 2), ICH_LR_STATE_PENDING);
}

static void iar_sets_apr_bit_of_group_priority_and_raises_running_priority(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, 5);
	put(&m, 0, mk_lr(50, 0x48, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 50);
	/* 5 preemption bits: bit n is priority n << 3, so 0x48 is bit 9. */
	assert_int_equal(m.apr[G1][0], 1U << 9);
	assert_int_equal(m.apr[G0][0], 0);
	assert_int_equal(icv_rpr(&m), 0x48);

	ready(&m, NR_LRS, 7);
	put(&m, 0, mk_lr(51, 0xc2, G0, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G0), 51);
	/* 7 preemption bits: 0xc2 >> 1 = 97, i.e. APR 3 bit 1. */
	assert_int_equal(m.apr[G0][3], 1U << 1);
	assert_int_equal(icv_rpr(&m), 0xc2);
}

static void iar_respects_priority_mask(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(60, 0x80, G1, ICH_LR_STATE_PENDING));
	icv_set_pmr(&m, 0x80);
	assert_false(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_PENDING);
	/* The mask does not hide it from HPPIR. */
	assert_int_equal(icv_hppir(&m, G1), 60);

	icv_set_pmr(&m, 0x88);
	assert_int_equal(icv_iar(&m, G1), 60);
}

static void iar_requires_virtual_interface_enabled(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	m.be.ops->write_hcr(&m.be, 0);
	put(&m, 0, mk_lr(61, 0x20, G1, ICH_LR_STATE_PENDING));
	assert_false(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_PENDING);
}

static void iar_of_other_group_returns_spurious_and_changes_nothing(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(62, 0x20, G1, ICH_LR_STATE_PENDING));
	put(&m, 1, mk_lr(63, 0x40, G0, ICH_LR_STATE_PENDING));
	/* The HPPVI is group 1, so a group 0 acknowledge gets nothing, not the group 0 LR. */
	assert_int_equal(icv_iar(&m, G0), GIC_INTID_SPURIOUS);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_PENDING);
	assert_int_equal(state_of(&m, 1), ICH_LR_STATE_PENDING);
	assert_int_equal(icv_rpr(&m), 0xff);
	assert_false(icv_irq_signalled(&m, G0));
	assert_int_equal(icv_hppir(&m, G0), GIC_INTID_SPURIOUS);
}

static void pending_active_lr_is_not_acknowledged(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(64, 0x20, G1, ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE));
	assert_int_equal(icv_hppir(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE);
}

static void lr_with_priority_0xff_is_never_signalled(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, 8);
	put(&m, 0, mk_lr(65, 0xff, G1, ICH_LR_STATE_PENDING));
	assert_false(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_hppir(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
}

static void disabled_group_is_not_signalled(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_group_enable(&m, G1, false);
	put(&m, 0, mk_lr(66, 0x20, G1, ICH_LR_STATE_PENDING));
	put(&m, 1, mk_lr(67, 0x40, G0, ICH_LR_STATE_PENDING));
	assert_false(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_hppir(&m, G1), GIC_INTID_SPURIOUS);
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
	/* The enabled group's interrupt is now the HPPVI. */
	assert_int_equal(icv_hppir(&m, G0), 67);
	assert_int_equal(icv_iar(&m, G0), 67);
}

static void special_intid_in_lr_goes_pending_to_invalid_without_activation(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(1021, 0x20, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 1021);
	assert_int_equal(state_of(&m, 0), 0);
	assert_int_equal(m.apr[G1][0], 0);
	assert_int_equal(icv_rpr(&m), 0xff);
}

static void hppir_ignores_running_priority(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(70, 0x20, G1, ICH_LR_STATE_PENDING));
	put(&m, 1, mk_lr(71, 0x80, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 70);
	assert_int_equal(icv_hppir(&m, G1), 71);
	assert_false(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
}

/* ---- preemption ---- */

static void higher_group_priority_preempts_running_interrupt(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(80, 0x80, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 80);
	put(&m, 1, mk_lr(81, 0x40, G0, ICH_LR_STATE_PENDING));
	assert_true(icv_irq_signalled(&m, G0));
	assert_int_equal(icv_iar(&m, G0), 81);
	assert_int_equal(icv_rpr(&m), 0x40);
	/* Lower priority (higher value) than running: waits. */
	put(&m, 2, mk_lr(82, 0x60, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), GIC_INTID_SPURIOUS);
}

static void equal_group_priority_does_not_preempt_subpriority_ignored(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, 8);
	/* VBPR0 = 4: group priority is bits [7:5]. */
	icv_set_bpr(&m, G0, 4);
	put(&m, 0, mk_lr(90, 0x50, G0, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G0), 90);
	assert_int_equal(icv_rpr(&m), 0x40);
	put(&m, 1, mk_lr(91, 0x48, G0, ICH_LR_STATE_PENDING));
	assert_false(icv_irq_signalled(&m, G0));
	assert_int_equal(icv_iar(&m, G0), GIC_INTID_SPURIOUS);

	/* At the minimum BPR the same values are distinct group priorities. */
	ready(&m, NR_LRS, 8);
	put(&m, 0, mk_lr(90, 0x50, G0, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G0), 90);
	put(&m, 1, mk_lr(91, 0x48, G0, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G0), 91);
}

static void bpr1_group_priority_keeps_one_more_bit_than_bpr0(void **state)
{
	struct icv_model m;

	(void)state;
	/* Running 0x18; with BPR = 3, group 0 compares bits [7:4], group 1 bits [7:3]. */
	ready(&m, NR_LRS, 8);
	icv_set_bpr(&m, G0, 3);
	icv_set_bpr(&m, G1, 3);
	put(&m, 0, mk_lr(100, 0x18, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 100);
	put(&m, 1, mk_lr(101, 0x10, G0, ICH_LR_STATE_PENDING));
	assert_false(icv_irq_signalled(&m, G0));
	put(&m, 1, mk_lr(102, 0x10, G1, ICH_LR_STATE_PENDING));
	assert_true(icv_irq_signalled(&m, G1));
	assert_int_equal(icv_iar(&m, G1), 102);
}

static void cbpr_makes_group1_use_vbpr0(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, 8);
	icv_set_bpr(&m, G0, 3);
	icv_set_bpr(&m, G1, 3);
	m.be.ops->write_vmcr(&m.be, m.vmcr | ICH_VMCR_VCBPR);
	/* ICV_BPR1 reads VBPR0 + 1 and ignores writes. */
	assert_int_equal(icv_get_bpr(&m, G1), 4);
	icv_set_bpr(&m, G1, 6);
	assert_int_equal(icv_get_bpr(&m, G1), 4);
	put(&m, 0, mk_lr(110, 0x18, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 110);
	assert_int_equal(icv_rpr(&m), 0x10);
	put(&m, 1, mk_lr(111, 0x10, G1, ICH_LR_STATE_PENDING));
	assert_false(icv_irq_signalled(&m, G1));
}

static void set_bpr_clamps_to_minimum_and_set_pmr_masks_low_bits(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, 6);
	icv_set_bpr(&m, G0, 0);
	icv_set_bpr(&m, G1, 0);
	assert_int_equal(icv_get_bpr(&m, G0), 1);
	assert_int_equal(icv_get_bpr(&m, G1), 2);
	icv_set_bpr(&m, G0, 7);
	assert_int_equal(icv_get_bpr(&m, G0), 7);
	icv_set_pmr(&m, 0xff);
	assert_int_equal(icv_get_pmr(&m), 0xfc);
	icv_set_pmr(&m, 0x43);
	assert_int_equal(icv_get_pmr(&m), 0x40);
}

/* ---- end of interrupt and deactivation ---- */

static void eoi_in_eoimode0_drops_priority_and_deactivates(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(120, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 120);
	icv_eoir(&m, G1, 120);
	assert_int_equal(state_of(&m, 0), 0);
	assert_int_equal(icv_rpr(&m), 0xff);
	assert_int_equal(m.apr[G1][0], 0);
	assert_int_equal(eoicount(&m), 0);
}

static void eoi_of_pending_active_lr_leaves_it_pending(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(121, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 121);
	/* The hypervisor re-pends it while it is active. */
	put(&m, 0, m.lr[0] | ICH_LR_STATE_PENDING);
	icv_eoir(&m, G1, 121);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_PENDING);
	assert_int_equal(icv_iar(&m, G1), 121);
}

static void eoimode1_eoir_only_drops_priority_and_dir_deactivates(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_eoimode(&m, true);
	assert_true(m.vmcr & ICH_VMCR_VEOIM);
	put(&m, 0, mk_lr(130, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 130);
	icv_eoir(&m, G1, 130);
	assert_int_equal(icv_rpr(&m), 0xff);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_ACTIVE);
	assert_int_equal(icv_dir(&m, 130), ICV_DIR_DONE);
	assert_int_equal(state_of(&m, 0), 0);
	assert_int_equal(eoicount(&m), 0);
}

static void dir_with_tdir_is_trapped_and_changes_nothing(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_eoimode(&m, true);
	set_hcr_bits(&m, ICH_HCR_TDIR);
	put(&m, 0, mk_lr(140, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 140);
	icv_eoir(&m, G1, 140);
	assert_int_equal(icv_dir(&m, 140), ICV_DIR_TRAPPED);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_ACTIVE);
	/* Not in an LR either: still trapped, and no EOIcount. */
	assert_int_equal(icv_dir(&m, 141), ICV_DIR_TRAPPED);
	assert_int_equal(eoicount(&m), 0);
}

static void dir_in_eoimode0_is_ignored(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(150, 0x40, G1, ICH_LR_STATE_ACTIVE));
	assert_int_equal(icv_dir(&m, 150), ICV_DIR_DONE);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_ACTIVE);
	assert_int_equal(icv_dir(&m, 151), ICV_DIR_DONE);
	assert_int_equal(eoicount(&m), 0);
}

static void eoi_of_intid_without_lr_increments_eoicount_in_eoimode0(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	/* The hypervisor restored the active priority of an interrupt it keeps outside the LRs. */
	m.be.ops->write_apr(&m.be, G1, 0, 1U << 8);
	icv_eoir(&m, G1, 200);
	assert_int_equal(eoicount(&m), 1);
	assert_int_equal(icv_rpr(&m), 0xff);
}

static void eoi_without_lr_in_eoimode1_counts_only_with_quirk(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_eoimode(&m, true);
	m.be.ops->write_apr(&m.be, G1, 0, 1U << 8);
	icv_eoir(&m, G1, 200);
	assert_int_equal(eoicount(&m), 0);
	assert_int_equal(icv_rpr(&m), 0xff);

	m.quirk_eoicount_on_split_eoir = true;
	m.be.ops->write_apr(&m.be, G1, 0, 1U << 8);
	icv_eoir(&m, G1, 200);
	assert_int_equal(eoicount(&m), 1);
}

static void dir_of_intid_without_lr_increments_eoicount_in_eoimode1(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_eoimode(&m, true);
	assert_int_equal(icv_dir(&m, 300), ICV_DIR_DONE);
	assert_int_equal(eoicount(&m), 1);
	/* Special INTIDs are ignored. */
	assert_int_equal(icv_dir(&m, GIC_INTID_SPURIOUS), ICV_DIR_DONE);
	assert_int_equal(eoicount(&m), 1);
}

static void eoicount_wraps_at_32(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_eoimode(&m, true);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | (31ULL << ICH_HCR_EOICOUNT_SHIFT));
	assert_int_equal(icv_dir(&m, 300), ICV_DIR_DONE);
	assert_int_equal(eoicount(&m), 0);
	/* The wrap does not spill into the bits above the field. */
	assert_int_equal(m.hcr & ~ICH_HCR_EOICOUNT_MASK, ICH_HCR_EN);
	assert_int_equal(icv_dir(&m, 300), ICV_DIR_DONE);
	assert_int_equal(eoicount(&m), 1);
}

static void eoi_with_no_active_priority_has_no_effect(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(160, 0x40, G1, ICH_LR_STATE_ACTIVE));
	icv_eoir(&m, G1, 160);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_ACTIVE);
	icv_eoir(&m, G1, 161);
	assert_int_equal(eoicount(&m), 0);
}

static void eoi_of_special_intid_is_ignored_without_priority_drop(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(170, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 170);
	icv_eoir(&m, G1, GIC_INTID_SPURIOUS);
	assert_int_equal(icv_rpr(&m), 0x40);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_ACTIVE);
}

static void eoi_drops_highest_priority_first_group0_on_tie(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	m.be.ops->write_apr(&m.be, G0, 0, 1U << 4);
	m.be.ops->write_apr(&m.be, G1, 0, (1U << 4) | (1U << 2));
	icv_eoir(&m, G0, 400);
	assert_int_equal(m.apr[G1][0], 1U << 4);
	assert_int_equal(m.apr[G0][0], 1U << 4);
	icv_eoir(&m, G1, 401);
	assert_int_equal(m.apr[G0][0], 0);
	assert_int_equal(m.apr[G1][0], 1U << 4);
}

static void eoi_with_wrong_group_drops_priority_but_does_not_deactivate(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(180, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 180);
	icv_eoir(&m, G0, 180);
	assert_int_equal(icv_rpr(&m), 0xff);
	assert_int_equal(state_of(&m, 0), ICH_LR_STATE_ACTIVE);
	assert_int_equal(eoicount(&m), 0);
}

static void hw_lr_deactivation_deactivates_physical_intid(void **state)
{
	struct icv_model m;
	struct phys_log log = { 0 };

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	m.phys_deactivate = record_phys_deactivate;
	m.phys_ctx = &log;
	put(&m, 0, mk_hw_lr(27, 543, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 27);
	icv_eoir(&m, G1, 27);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.last, 543);
	assert_ptr_equal(log.ctx_seen, &log);
	assert_int_equal(state_of(&m, 0), 0);

	/* Through DIR in EOImode 1, too. */
	icv_set_eoimode(&m, true);
	put(&m, 1, mk_hw_lr(28, 600, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 28);
	icv_eoir(&m, G1, 28);
	assert_int_equal(log.calls, 1);
	assert_int_equal(icv_dir(&m, 28), ICV_DIR_DONE);
	assert_int_equal(log.calls, 2);
	assert_int_equal(log.last, 600);
}

static void hw_lr_deactivation_without_callback_still_deactivates(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_hw_lr(27, 543, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_iar(&m, G1), 27);
	icv_eoir(&m, G1, 27);
	assert_int_equal(state_of(&m, 0), 0);
}

/* ---- status registers and maintenance ---- */

static void elrsr_and_eisr_follow_state_hw_and_eoi(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, 0);                                                  /* empty */
	put(&m, 1, mk_lr(10, 0x40, G1, 0) | ICH_LR_EOI);               /* awaiting EOI maintenance */
	put(&m, 2, mk_hw_lr(11, 1 << 9, 0x40, G1, 0));                  /* bit 41 is pINTID, not EOI */
	put(&m, 3, mk_lr(12, 0x40, G1, ICH_LR_STATE_PENDING) | ICH_LR_EOI);
	assert_true(m.lr[2] & ICH_LR_EOI);
	assert_int_equal(icv_elrsr(&m), (1U << 0) | (1U << 2));
	assert_int_equal(icv_eisr(&m), 1U << 1);
	assert_int_equal(m.be.ops->read_elrsr(&m.be), icv_elrsr(&m));
	assert_int_equal(m.be.ops->read_eisr(&m.be), icv_eisr(&m));
}

static void eoi_of_lr_with_eoi_bit_sets_eisr_and_misr_eoi(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(13, 0x40, G1, ICH_LR_STATE_PENDING) | ICH_LR_EOI);
	assert_int_equal(icv_misr(&m) & ICH_MISR_EOI, 0);
	assert_int_equal(icv_iar(&m, G1), 13);
	icv_eoir(&m, G1, 13);
	assert_int_equal(icv_eisr(&m), 1U << 0);
	assert_int_equal(icv_elrsr(&m) & 1U, 0);
	assert_true(icv_misr(&m) & ICH_MISR_EOI);
	assert_true(icv_maint_asserted(&m));
}

static void misr_underflow_when_fewer_than_two_lrs_valid(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	put(&m, 0, mk_lr(20, 0x40, G1, ICH_LR_STATE_PENDING));
	put(&m, 1, mk_lr(21, 0x40, G1, ICH_LR_STATE_ACTIVE));
	assert_int_equal(icv_misr(&m) & ICH_MISR_U, 0);
	set_hcr_bits(&m, ICH_HCR_UIE);
	assert_int_equal(icv_misr(&m) & ICH_MISR_U, 0);
	put(&m, 1, 0);
	assert_true(icv_misr(&m) & ICH_MISR_U);
}

static void misr_np_when_no_lr_is_pending_only(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	set_hcr_bits(&m, ICH_HCR_NPIE);
	assert_true(icv_misr(&m) & ICH_MISR_NP);
	/* Pending+Active does not count as pending. */
	put(&m, 0, mk_lr(22, 0x40, G1, ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE));
	assert_true(icv_misr(&m) & ICH_MISR_NP);
	put(&m, 1, mk_lr(23, 0x40, G1, ICH_LR_STATE_PENDING));
	assert_int_equal(icv_misr(&m) & ICH_MISR_NP, 0);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN);
	put(&m, 1, 0);
	assert_int_equal(icv_misr(&m) & ICH_MISR_NP, 0);
}

static void misr_lrenp_when_eoicount_nonzero(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | ICH_HCR_LRENPIE);
	assert_int_equal(icv_misr(&m) & ICH_MISR_LRENP, 0);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | ICH_HCR_LRENPIE | (1ULL << ICH_HCR_EOICOUNT_SHIFT));
	assert_true(icv_misr(&m) & ICH_MISR_LRENP);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | (1ULL << ICH_HCR_EOICOUNT_SHIFT));
	assert_int_equal(icv_misr(&m) & ICH_MISR_LRENP, 0);
}

static void misr_vgrp_bits_follow_group_enables(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	icv_set_group_enable(&m, G0, false);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | ICH_HCR_VGRP0EIE | ICH_HCR_VGRP0DIE |
				       ICH_HCR_VGRP1EIE | ICH_HCR_VGRP1DIE);
	assert_int_equal(icv_misr(&m), ICH_MISR_VGRP0D | ICH_MISR_VGRP1E);
	icv_set_group_enable(&m, G0, true);
	icv_set_group_enable(&m, G1, false);
	assert_int_equal(icv_misr(&m), ICH_MISR_VGRP0E | ICH_MISR_VGRP1D);
	m.be.ops->write_hcr(&m.be, ICH_HCR_EN | ICH_HCR_VGRP1EIE);
	assert_int_equal(icv_misr(&m), 0);
	assert_int_equal(m.be.ops->read_misr(&m.be), icv_misr(&m));
}

static void maintenance_asserted_only_with_en(void **state)
{
	struct icv_model m;

	(void)state;
	ready(&m, NR_LRS, PRI_BITS);
	assert_false(icv_maint_asserted(&m));
	m.be.ops->write_hcr(&m.be, ICH_HCR_UIE);
	assert_true(icv_misr(&m) & ICH_MISR_U);
	assert_false(icv_maint_asserted(&m));
	m.be.ops->write_hcr(&m.be, ICH_HCR_UIE | ICH_HCR_EN);
	assert_true(icv_maint_asserted(&m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_lr_count_outside_1_to_16),
		cmocka_unit_test(init_rejects_priority_bits_outside_5_to_8),
		cmocka_unit_test(init_resets_registers_counters_and_minimum_bprs),
		cmocka_unit_test(vtr_reports_listregs_prebits_pribits_and_tds),
		cmocka_unit_test(vtr_caps_preemption_bits_at_7_with_8_priority_bits),
		cmocka_unit_test(lr_write_reads_unimplemented_priority_bits_as_zero),
		cmocka_unit_test(vmcr_write_clamps_bprs_to_minimum_and_masks_vpmr),
		cmocka_unit_test(hcr_write_stores_eoicount),
		cmocka_unit_test(apr_count_follows_preemption_bits_extra_aprs_raz_wi),
		cmocka_unit_test(counted_accessors_count_each_access_kind),
		cmocka_unit_test(guest_view_accesses_are_not_counted),
		cmocka_unit_test(iar_returns_spurious_when_nothing_is_pending),
		cmocka_unit_test(iar_takes_lowest_priority_value_then_lowest_lr_index),
		cmocka_unit_test(iar_sets_apr_bit_of_group_priority_and_raises_running_priority),
		cmocka_unit_test(iar_respects_priority_mask),
		cmocka_unit_test(iar_requires_virtual_interface_enabled),
		cmocka_unit_test(iar_of_other_group_returns_spurious_and_changes_nothing),
		cmocka_unit_test(pending_active_lr_is_not_acknowledged),
		cmocka_unit_test(lr_with_priority_0xff_is_never_signalled),
		cmocka_unit_test(disabled_group_is_not_signalled),
		cmocka_unit_test(special_intid_in_lr_goes_pending_to_invalid_without_activation),
		cmocka_unit_test(hppir_ignores_running_priority),
		cmocka_unit_test(higher_group_priority_preempts_running_interrupt),
		cmocka_unit_test(equal_group_priority_does_not_preempt_subpriority_ignored),
		cmocka_unit_test(bpr1_group_priority_keeps_one_more_bit_than_bpr0),
		cmocka_unit_test(cbpr_makes_group1_use_vbpr0),
		cmocka_unit_test(set_bpr_clamps_to_minimum_and_set_pmr_masks_low_bits),
		cmocka_unit_test(eoi_in_eoimode0_drops_priority_and_deactivates),
		cmocka_unit_test(eoi_of_pending_active_lr_leaves_it_pending),
		cmocka_unit_test(eoimode1_eoir_only_drops_priority_and_dir_deactivates),
		cmocka_unit_test(dir_with_tdir_is_trapped_and_changes_nothing),
		cmocka_unit_test(dir_in_eoimode0_is_ignored),
		cmocka_unit_test(eoi_of_intid_without_lr_increments_eoicount_in_eoimode0),
		cmocka_unit_test(eoi_without_lr_in_eoimode1_counts_only_with_quirk),
		cmocka_unit_test(dir_of_intid_without_lr_increments_eoicount_in_eoimode1),
		cmocka_unit_test(eoicount_wraps_at_32),
		cmocka_unit_test(eoi_with_no_active_priority_has_no_effect),
		cmocka_unit_test(eoi_of_special_intid_is_ignored_without_priority_drop),
		cmocka_unit_test(eoi_drops_highest_priority_first_group0_on_tie),
		cmocka_unit_test(eoi_with_wrong_group_drops_priority_but_does_not_deactivate),
		cmocka_unit_test(hw_lr_deactivation_deactivates_physical_intid),
		cmocka_unit_test(hw_lr_deactivation_without_callback_still_deactivates),
		cmocka_unit_test(elrsr_and_eisr_follow_state_hw_and_eoi),
		cmocka_unit_test(eoi_of_lr_with_eoi_bit_sets_eisr_and_misr_eoi),
		cmocka_unit_test(misr_underflow_when_fewer_than_two_lrs_valid),
		cmocka_unit_test(misr_np_when_no_lr_is_pending_only),
		cmocka_unit_test(misr_lrenp_when_eoicount_nonzero),
		cmocka_unit_test(misr_vgrp_bits_follow_group_enables),
		cmocka_unit_test(maintenance_asserted_only_with_en),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

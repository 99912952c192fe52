/* harness.c: the test VM and guest loop declared in harness.h.
 * Single-threaded: the lock hooks are absent, kicks are counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"

static void h_kick(void *ctx, struct vgic_vcpu *v)
{
	struct harness *h = ctx;

	h->kicks[v->id]++;
}

static void h_log_phys_deactivate(struct harness *h, int owner, uint32_t pintid)
{
	if (h->nr_phys_deactivated < H_MAX_LOG) {
		h->phys_deactivated_on[h->nr_phys_deactivated] = owner;
		h->phys_deactivated[h->nr_phys_deactivated++] = pintid;
	}
}

static void h_phys_deactivate(void *ctx, struct vgic_vcpu *owner, uint32_t pintid)
{
	h_log_phys_deactivate(ctx, owner ? (int)owner->id : -1, pintid);
}

/* Guest RAM: a window [ram_base, ram_base + ram_size); anything else is outside guest memory. */
static uint8_t *h_ram_at(struct harness *h, uint64_t gpa, uint32_t len)
{
	if (!h->ram || gpa < h->ram_base || len > h->ram_size || gpa - h->ram_base > h->ram_size - len)
		return NULL;
	return h->ram + (gpa - h->ram_base);
}

static int h_guest_read(void *ctx, uint64_t gpa, void *buf, uint32_t len)
{
	struct harness *h = ctx;
	uint8_t *p = h_ram_at(h, gpa, len);

	h->guest_reads++;
	if (!p)
		return HV_ERANGE;
	memcpy(buf, p, len);
	return HV_OK;
}

static int h_guest_write(void *ctx, uint64_t gpa, const void *buf, uint32_t len)
{
	struct harness *h = ctx;
	uint8_t *p = h_ram_at(h, gpa, len);

	h->guest_writes++;
	if (!p)
		return HV_ERANGE;
	memcpy(p, buf, len);
	return HV_OK;
}

/*
 * The harness VM uses the core's own spin locks. One thread runs each test, so a lock found taken is
 * one the core took twice or never released: fail at once instead of spinning for ever.
 */
static void h_relax(void *ctx)
{
	(void)ctx;
	fail_msg("vgic lock found taken in a single-threaded test: locked twice, or never unlocked");
}

static const struct vgic_hooks h_hooks = {
	.spin_locks = true,
	.relax = h_relax,
	.kick = h_kick,
	.phys_deactivate = h_phys_deactivate,
	.guest_read = h_guest_read,
	.guest_write = h_guest_write,
};

/* The model's HW LR deactivations happen on the CPU interface itself; -2 marks "by the LR". */
static void model_phys_deactivate(void *ctx, uint32_t pintid)
{
	h_log_phys_deactivate(ctx, -2, pintid);
}

struct harness *h_new(unsigned nr_vcpus, unsigned nr_spis, unsigned nr_lrs)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus, .nr_spis = nr_spis, .prio_bits = 5 };

	assert_non_null(h);
	assert_true(nr_vcpus <= H_MAX_VCPUS);
	h->nr_vcpus = nr_vcpus;
	assert_int_equal(vgic_init(&h->vm, &cfg, &h_hooks, h, h->vcpus, h->spis), HV_OK);
	for (unsigned i = 0; i < nr_vcpus; i++) {
		struct icv_model *m = &h->cpu[i];

		assert_int_equal(icv_model_init(m, nr_lrs, 5), HV_OK);
		m->phys_deactivate = model_phys_deactivate;
		m->phys_ctx = h;
		icv_set_group_enable(m, 1, true);
		icv_set_pmr(m, 0xff);
		assert_int_equal(vgic_vcpu_set_backend(&h->vm, i, &m->be), HV_OK);
	}
	assert_int_equal(vgic_dist_enable(&h->vm, true, true), HV_OK);
	/* Tests count world-switch accesses from here: set_backend's one ICH_VTR read is set-up. */
	for (unsigned i = 0; i < nr_vcpus; i++)
		lr_backend_reset_counts(&h->cpu[i].be);
	return h;
}

void h_free(struct harness *h)
{
	if (h) {
		free(h->lpis);
		free(h->ram);
	}
	free(h);
}

void h_lpis(struct harness *h, unsigned nr, uint64_t ram_base, uint64_t ram_size)
{
	h->lpis = calloc(nr, sizeof(*h->lpis));
	assert_non_null(h->lpis);
	h->nr_lpis = nr;
	assert_int_equal(vgic_lpi_init(&h->vm, h->lpis, nr), HV_OK);
	if (ram_size) {
		h->ram = calloc(1, ram_size);
		assert_non_null(h->ram);
		h->ram_base = ram_base;
		h->ram_size = ram_size;
	}
}

static struct harness *h_current;

struct harness *h_mk(unsigned nr_vcpus, unsigned nr_spis, unsigned nr_lrs)
{
	h_current = h_new(nr_vcpus, nr_spis, nr_lrs);
	return h_current;
}

void h_finish(struct harness *h)
{
	const char *err = h_check_invariants(h);

	if (err)
		fail_msg("invariant broken: %s", err);
	h_free(h);
	h_current = NULL;
}

int h_teardown(void **state)
{
	(void)state;
	if (h_current) {
		h_free(h_current);
		h_current = NULL;
	}
	return 0;
}

struct vgic_irq_state h_state(struct harness *h, uint32_t vcpu, uint32_t intid)
{
	struct vgic_irq_state st = { 0 };

	assert_int_equal(vgic_irq_get_state(&h->vm, vcpu, intid, &st), HV_OK);
	return st;
}

void h_cfg(struct harness *h, unsigned vcpu, uint32_t intid, uint8_t prio, enum vgic_trigger t)
{
	assert_int_equal(vgic_irq_set_group(&h->vm, vcpu, intid, 1), HV_OK);
	assert_int_equal(vgic_irq_set_priority(&h->vm, vcpu, intid, prio), HV_OK);
	if (intid >= VGIC_NR_SGIS)
		assert_int_equal(vgic_irq_set_trigger(&h->vm, vcpu, intid, t), HV_OK);
	assert_int_equal(vgic_irq_set_enabled(&h->vm, vcpu, intid, true), HV_OK);
}

/*
 * Every other world-switch call goes through the vCPU handle (vgic_flush_vcpu/vgic_sync_vcpu), the
 * rest through (vm, index): each test's exact counts then hold for both entry points.
 */
void h_enter(struct harness *h, unsigned vcpu)
{
	if (h->switches++ & 1U)
		assert_int_equal(vgic_flush_vcpu(vgic_get_vcpu(&h->vm, vcpu)), HV_OK);
	else
		assert_int_equal(vgic_flush_lrs(&h->vm, vcpu), HV_OK);
}

void h_exit(struct harness *h, unsigned vcpu)
{
	if (h->switches++ & 1U)
		assert_int_equal(vgic_sync_vcpu(vgic_get_vcpu(&h->vm, vcpu)), HV_OK);
	else
		assert_int_equal(vgic_sync_lrs(&h->vm, vcpu), HV_OK);
}

uint32_t h_ack(struct harness *h, unsigned vcpu)
{
	uint32_t intid = icv_iar(&h->cpu[vcpu], 1);

	if ((intid < GIC_INTID_SPECIAL_FIRST || intid >= GIC_INTID_LPI_FIRST) && h->nr_acked[vcpu] < H_MAX_LOG)
		h->acked[vcpu][h->nr_acked[vcpu]++] = intid;
	return intid;
}

void h_eoi(struct harness *h, unsigned vcpu, uint32_t intid)
{
	icv_eoir(&h->cpu[vcpu], 1, intid);
}

void h_dir(struct harness *h, unsigned vcpu, uint32_t intid)
{
	if (icv_dir(&h->cpu[vcpu], intid) == ICV_DIR_TRAPPED) {
		h->dir_traps[vcpu]++;
		h_exit(h, vcpu);
		assert_int_equal(vgic_handle_dir(&h->vm, vcpu, intid), HV_OK);
		h_enter(h, vcpu);
	}
}

unsigned h_run(struct harness *h, unsigned vcpu, unsigned max_steps)
{
	struct icv_model *m = &h->cpu[vcpu];
	unsigned taken = 0;

	h_enter(h, vcpu);
	for (unsigned step = 0; step < max_steps; step++) {
		if (icv_maint_asserted(m)) {
			h->maint_exits[vcpu]++;
			h_exit(h, vcpu);
			h_enter(h, vcpu);
			continue;
		}
		if (!icv_irq_signalled(m, 1))
			break;
		uint32_t intid = h_ack(h, vcpu);

		if (intid >= GIC_INTID_SPECIAL_FIRST && intid < GIC_INTID_LPI_FIRST)
			break;
		taken++;
		h_eoi(h, vcpu, intid);
		if (m->vmcr & ICH_VMCR_VEOIM)
			h_dir(h, vcpu, intid);
	}
	h_exit(h, vcpu);
	return taken;
}

uint64_t h_acc(struct harness *h, unsigned vcpu, enum lr_access kind)
{
	return h->cpu[vcpu].be.count[kind];
}

uint64_t h_acc_total(struct harness *h, unsigned vcpu)
{
	return lr_backend_total(&h->cpu[vcpu].be);
}

unsigned h_lrs_holding(struct harness *h, unsigned vcpu, uint32_t intid)
{
	const struct icv_model *m = &h->cpu[vcpu];
	unsigned n = 0;

	for (unsigned i = 0; i < m->be.nr_lrs; i++)
		if ((m->lr[i] & ICH_LR_STATE_MASK) && ich_lr_vintid(m->lr[i]) == intid)
			n++;
	return n;
}

void h_acc_reset(struct harness *h, unsigned vcpu)
{
	lr_backend_reset_counts(&h->cpu[vcpu].be);
}

static const char *check_irq(struct harness *h, struct vgic_irq *irq, unsigned *seen_on)
{
	unsigned lists = 0;

	for (unsigned c = 0; c < h->nr_vcpus; c++)
		if (seen_on[c])
			lists++;
	if (lists > 1)
		return "interrupt on two ap_lists";
	if (lists == 0 && irq->vcpu)
		return "irq->vcpu set but on no ap_list";
	if (lists == 1 && (!irq->vcpu || !seen_on[irq->vcpu->id]))
		return "irq->vcpu does not match its ap_list";
	/* In an LR (the guest's, or kept across an exit): the vCPU's shadow must name it there. */
	if (irq->in_lr && (!irq->vcpu || irq->vcpu->lr_irq[irq->lr] != irq ||
			   !(irq->vcpu->used_mask & (1U << irq->lr))))
		return "in an LR its vCPU does not hold";
	if (!irq->in_lr && vgic_oracle(&h->vm, irq) != irq->vcpu)
		return "interrupt not where the oracle says (lost or stale)";
	return NULL;
}

const char *h_check_invariants(struct harness *h)
{
	static unsigned seen[VGIC_MAX_SPIS + H_MAX_VCPUS * VGIC_NR_PRIVATE][H_MAX_VCPUS];
	unsigned nr_spis = h->vm.nr_spis;
	const char *err;

	for (unsigned i = 0; i < nr_spis + h->nr_vcpus * VGIC_NR_PRIVATE; i++)
		for (unsigned c = 0; c < H_MAX_VCPUS; c++)
			seen[i][c] = 0;
	for (unsigned c = 0; c < h->nr_vcpus; c++) {
		struct vgic_aplist *l = &h->vcpus[c].aplist;

		for (unsigned cls = 0; cls < VGIC_AP_CLASSES; cls++) {
			struct vgic_irq *first = NULL;
			unsigned n = 0;

			/*
			 * A short class is the sorted list alone, every bucket empty; a spread one is the
			 * buckets alone. Either way each bucket's walk below checks its entries; the
			 * sorted list is walked as bucket "p" = its entries' own priorities, in order.
			 */
			if (l->spread[cls] && !vgic_node_empty(&l->sorted[cls]))
				return "spread class with entries left on its short list";
			if (!l->spread[cls] && l->count[cls] > VGIC_APLIST_SHORT_MAX)
				return "short class longer than VGIC_APLIST_SHORT_MAX";
			if (l->spread[cls] && l->count[cls] == 0)
				return "empty class left spread";
			if (!l->spread[cls]) {
				unsigned last = 0;

				for (struct vgic_node *nd = l->sorted[cls].next; nd != &l->sorted[cls]; nd = nd->next) {
					struct vgic_irq *irq = vgic_container_of(nd, struct vgic_irq, ap_node);

					if (nd->next->prev != nd)
						return "short ap_list links broken";
					if (irq->bucket / VGIC_NR_PRIORITIES != cls || irq->bucket < last)
						return "short ap_list out of order";
					last = irq->bucket;
				}
			}
			for (unsigned p = 0; p < VGIC_NR_PRIORITIES + 1U; p++) {
				bool on_short = p == VGIC_NR_PRIORITIES;
				struct vgic_node *head = on_short ? &l->sorted[cls] : &l->bucket[cls][p];
				bool bit = !on_short && ((l->nonempty[cls][p / 64] >> (p % 64)) & 1);

				if (!on_short && bit != !vgic_node_empty(head))
					return "bucket bitmap out of step with bucket";
				if (!on_short && !l->spread[cls] && !vgic_node_empty(head))
					return "short class with entries in a bucket";
				if (!first && !vgic_node_empty(head))
					first = vgic_container_of(head->next, struct vgic_irq, ap_node);
				for (struct vgic_node *nd = head->next; nd != head; nd = nd->next) {
					struct vgic_irq *irq = vgic_container_of(nd, struct vgic_irq, ap_node);
					unsigned idx;

					if (irq->lpi) {
						/* LPIs: listed here means irq->vcpu says so; counted below */
						if (irq->vcpu != &h->vcpus[c])
							return "LPI's irq->vcpu does not match its ap_list";
						n++;
						continue;
					}
					if (irq->bucket != vgic_aplist_bucket_of(irq) ||
					    (!on_short && irq->bucket != cls * VGIC_NR_PRIORITIES + p))
						return "irq->bucket wrong";
					if (irq->intid >= VGIC_SPI_BASE)
						idx = irq->intid - VGIC_SPI_BASE;
					else
						idx = nr_spis + (unsigned)(irq - &h->vcpus[0].priv[0]) / 1;
					if (irq->intid < VGIC_SPI_BASE) {
						unsigned owner = irq->target->id;

						idx = nr_spis + owner * VGIC_NR_PRIVATE + irq->intid;
					}
					seen[idx][c]++;
					if (seen[idx][c] > 1)
						return "interrupt twice on one ap_list";
					n++;
				}
			}
			if (n != l->count[cls])
				return "ap_list count wrong";
			/* The one-interrupt entry takes the head this way. */
			if (vgic_aplist_first(l, cls) != first)
				return "vgic_aplist_first is not the class's head";
			for (unsigned w = 0; w < VGIC_PRIO_WORDS; w++)
				if (((l->words[cls] >> w) & 1U) != (l->nonempty[cls][w] != 0))
					return "ap_list word summary out of step with its bitmap";
		}
	}
	for (unsigned i = 0; i < nr_spis; i++)
		if ((err = check_irq(h, &h->spis[i], seen[i])))
			return err;
	for (unsigned c = 0; c < h->nr_vcpus; c++)
		for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
			if ((err = check_irq(h, &h->vcpus[c].priv[i], seen[nr_spis + c * VGIC_NR_PRIVATE + i])))
				return err;
	/* An LPI is on at most one list (irq->vcpu, checked above) and where the oracle says. */
	for (unsigned i = 0; i < h->nr_lpis; i++) {
		struct vgic_irq *irq = &h->lpis[i];
		unsigned one[H_MAX_VCPUS] = { 0 };

		if (irq->vcpu)
			one[irq->vcpu->id] = 1;
		if (irq->vcpu && vgic_node_empty(&irq->ap_node))
			return "LPI says it is listed but is on no list";
		if ((err = check_irq(h, irq, one)))
			return err;
		if (irq->active)
			return "an LPI has an active state";
	}
	return NULL;
}

/* test_threads.c: concurrent stress of the core's locking: vCPU threads run entry/guest/exit while
 * injector threads inject, retarget, enable and disable. Afterwards nothing is lost or duplicated. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <cmocka.h>
#include "vgic.h"
#include "vgic_internal.h"
#include "icv_model.h"
#include "harness.h"

#define T_VCPUS        4U
#define T_SPIS         64U
#define T_INJECTORS    2U
#define T_LRS          4U
#define T_GUEST_ROUNDS 3000U
#define T_INJECT_OPS   20000U
#define T_FIRST_SPI    VGIC_SPI_BASE

struct stress {
	struct vgic vm;
	struct vgic_vcpu vcpus[T_VCPUS];
	struct vgic_irq spis[T_SPIS];
	struct icv_model cpu[T_VCPUS];
	/* per SPI: edges the injectors made and deliveries the guests saw */
	uint64_t injected[T_SPIS];
	uint64_t delivered[T_SPIS];
	uint64_t sgi_injected[T_VCPUS];
	uint64_t sgi_delivered[T_VCPUS];
	uint64_t kicks;
	int stop;
	uint64_t runs;
};

static void spin_lock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	while (__atomic_exchange_n(&l->word, 1U, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->word, __ATOMIC_RELAXED))
			;
}

static void spin_unlock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	__atomic_store_n(&l->word, 0U, __ATOMIC_RELEASE);
}

static void count_kick(void *ctx, struct vgic_vcpu *v)
{
	struct stress *s = ctx;

	(void)v;
	__atomic_fetch_add(&s->kicks, 1, __ATOMIC_RELAXED);
}

static const struct vgic_hooks stress_hooks = {
	.lock = spin_lock,
	.unlock = spin_unlock,
	.kick = count_kick,
};

/* The core's own inline spin locks instead (vgic_hooks.spin_locks), as the arm64 hypervisor runs it. */
static const struct vgic_hooks stress_hooks_core_spin = {
	.spin_locks = true,
	.kick = count_kick,
};

/*
 * With 5 priority bits PMR can hold at most 0xf8, and an interrupt is signalled
 * only below PMR: 0xf8 is the one priority a guest can never take. Stay under it.
 */
#define T_PRIO_LEVELS 31U
#define T_PRIO_STEP   8U
static uint8_t deliverable_prio(uint64_t r)
{
	return (uint8_t)((r % T_PRIO_LEVELS) * T_PRIO_STEP);
}

static uint64_t xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static void record(struct stress *s, unsigned c, uint32_t intid)
{
	if (intid >= T_FIRST_SPI && intid < T_FIRST_SPI + T_SPIS)
		__atomic_fetch_add(&s->delivered[intid - T_FIRST_SPI], 1, __ATOMIC_RELAXED);
	else if (intid < VGIC_NR_SGIS)
		__atomic_fetch_add(&s->sgi_delivered[c], 1, __ATOMIC_RELAXED);
}

/* One guest run: enter, take and end what is signalled, honouring maintenance exits, exit. */
static void guest_run(struct stress *s, unsigned c)
{
	struct icv_model *m = &s->cpu[c];

	assert_int_equal(vgic_flush_lrs(&s->vm, c), HV_OK);
	for (unsigned step = 0; step < 64; step++) {
		uint32_t intid;

		if (icv_maint_asserted(m)) {
			assert_int_equal(vgic_sync_lrs(&s->vm, c), HV_OK);
			assert_int_equal(vgic_flush_lrs(&s->vm, c), HV_OK);
			continue;
		}
		intid = icv_iar(m, 1);
		if (intid >= GIC_INTID_SPECIAL_FIRST)
			break;
		record(s, c, intid);
		icv_eoir(m, 1, intid);
	}
	assert_int_equal(vgic_sync_lrs(&s->vm, c), HV_OK);
}

struct vcpu_arg {
	struct stress *s;
	unsigned id;
};

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *a = p;

	/* Run for as long as the injectors do, so every operation races with entries and exits. */
	unsigned r = 0;

	while (!__atomic_load_n(&a->s->stop, __ATOMIC_ACQUIRE) || r < T_GUEST_ROUNDS) {
		guest_run(a->s, a->id);
		r++;
	}
	__atomic_fetch_add(&a->s->runs, r, __ATOMIC_RELAXED);
	return NULL;
}

static void *injector_thread(void *p)
{
	struct vcpu_arg *a = p;
	struct stress *s = a->s;
	uint64_t rnd = 0x9e3779b97f4a7c15ULL * (a->id + 1);

	for (unsigned op = 0; op < T_INJECT_OPS; op++) {
		uint64_t r = xorshift(&rnd);
		uint32_t spi = (uint32_t)(r % T_SPIS);
		uint32_t intid = T_FIRST_SPI + spi;

		switch ((r >> 8) % 8) {
		case 0: case 1: case 2:
			__atomic_fetch_add(&s->injected[spi], 1, __ATOMIC_RELAXED);
			assert_int_equal(vgic_inject(&s->vm, 0, intid, true), HV_OK);
			break;
		case 3:
			/*
			 * The edge, and its line lowered (which changes no edge's state): the lower's fast path
			 * (inject_lower_spin) meets the other injector's raises and the syncs' unlisting.
			 */
			__atomic_fetch_add(&s->injected[spi], 1, __ATOMIC_RELAXED);
			assert_int_equal(vgic_inject(&s->vm, 0, intid, true), HV_OK);
			assert_int_equal(vgic_inject(&s->vm, 0, intid, false), HV_OK);
			break;
		case 4:
			assert_int_equal(vgic_irq_set_target(&s->vm, intid, (uint32_t)((r >> 16) % T_VCPUS)), HV_OK);
			break;
		case 5:
			assert_int_equal(vgic_irq_set_priority(&s->vm, 0, intid, deliverable_prio(r >> 24)), HV_OK);
			break;
		case 6: {
			uint32_t src = (uint32_t)((r >> 16) % T_VCPUS), dst = (uint32_t)((r >> 20) % T_VCPUS);

			__atomic_fetch_add(&s->sgi_injected[dst], 1, __ATOMIC_RELAXED);
			assert_int_equal(vgic_inject_sgi(&s->vm, src, dst, 1), HV_OK);
			break;
		}
		default:
			/* Disable briefly: pending survives and is delivered once re-enabled. */
			assert_int_equal(vgic_irq_set_enabled(&s->vm, 0, intid, false), HV_OK);
			assert_int_equal(vgic_irq_set_enabled(&s->vm, 0, intid, true), HV_OK);
			break;
		}
	}
	return NULL;
}

static struct stress *stress_new(const struct vgic_hooks *hooks)
{
	struct stress *s = calloc(1, sizeof(*s));
	struct vgic_config cfg = { .nr_vcpus = T_VCPUS, .nr_spis = T_SPIS, .prio_bits = 5 };

	assert_non_null(s);
	assert_int_equal(vgic_init(&s->vm, &cfg, hooks, s, s->vcpus, s->spis), HV_OK);
	for (unsigned c = 0; c < T_VCPUS; c++) {
		assert_int_equal(icv_model_init(&s->cpu[c], T_LRS, 5), HV_OK);
		icv_set_group_enable(&s->cpu[c], 1, true);
		icv_set_pmr(&s->cpu[c], 0xff);
		assert_int_equal(vgic_vcpu_set_backend(&s->vm, c, &s->cpu[c].be), HV_OK);
		assert_int_equal(vgic_irq_set_group(&s->vm, c, 1, 1), HV_OK);
		assert_int_equal(vgic_irq_set_priority(&s->vm, c, 1, 0x10), HV_OK);
		assert_int_equal(vgic_irq_set_enabled(&s->vm, c, 1, true), HV_OK);
	}
	for (unsigned i = 0; i < T_SPIS; i++) {
		uint32_t intid = T_FIRST_SPI + i;

		assert_int_equal(vgic_irq_set_group(&s->vm, 0, intid, 1), HV_OK);
		assert_int_equal(vgic_irq_set_trigger(&s->vm, 0, intid, VGIC_EDGE), HV_OK);
		assert_int_equal(vgic_irq_set_priority(&s->vm, 0, intid, deliverable_prio(i)), HV_OK);
		assert_int_equal(vgic_irq_set_target(&s->vm, intid, i % T_VCPUS), HV_OK);
		assert_int_equal(vgic_irq_set_enabled(&s->vm, 0, intid, true), HV_OK);
	}
	assert_int_equal(vgic_dist_enable(&s->vm, false, true), HV_OK);
	return s;
}

/* Every ap_list is well formed, every interrupt is on at most one, and where the oracle says. */
static void check_structure(struct stress *s)
{
	for (unsigned i = 0; i < T_SPIS; i++) {
		struct vgic_irq *irq = &s->spis[i];
		unsigned lists = 0;

		for (unsigned c = 0; c < T_VCPUS; c++) {
			struct vgic_aplist *l = &s->vcpus[c].aplist;

			for (unsigned cls = 0; cls < VGIC_AP_CLASSES; cls++)
				for (struct vgic_irq *it = vgic_aplist_next(l, cls, NULL); it;
				     it = vgic_aplist_next(l, cls, it))
					if (it == irq)
						lists++;
		}
		assert_true(lists <= 1);
		assert_int_equal(lists, irq->vcpu != NULL);
		assert_false(irq->in_lr);
		assert_ptr_equal(vgic_oracle(&s->vm, irq), irq->vcpu);
	}
}

static void stress_run(const struct vgic_hooks *hooks)
{
	struct stress *s = stress_new(hooks);
	pthread_t vt[T_VCPUS], it[T_INJECTORS];
	struct vcpu_arg va[T_VCPUS], ia[T_INJECTORS];
	uint64_t total_inj = 0, total_del = 0, sgi_inj = 0, sgi_del = 0;

	for (unsigned c = 0; c < T_VCPUS; c++) {
		va[c] = (struct vcpu_arg){ s, c };
		assert_int_equal(pthread_create(&vt[c], NULL, vcpu_thread, &va[c]), 0);
	}
	for (unsigned j = 0; j < T_INJECTORS; j++) {
		ia[j] = (struct vcpu_arg){ s, j };
		assert_int_equal(pthread_create(&it[j], NULL, injector_thread, &ia[j]), 0);
	}
	for (unsigned j = 0; j < T_INJECTORS; j++)
		pthread_join(it[j], NULL);
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	for (unsigned c = 0; c < T_VCPUS; c++)
		pthread_join(vt[c], NULL);

	/* Quiesce: every vCPU runs until it has nothing left. */
	for (unsigned round = 0; round < 8; round++)
		for (unsigned c = 0; c < T_VCPUS; c++)
			guest_run(s, c);
	check_structure(s);

	for (unsigned i = 0; i < T_SPIS; i++) {
		struct vgic_irq_state st;

		assert_int_equal(vgic_irq_get_state(&s->vm, 0, T_FIRST_SPI + i, &st), HV_OK);
		/* nothing left pending or active: every edge was delivered */
		if (st.pending || st.active)
			print_message("SPI %u: pending %d active %d enabled %d queued_on %d target %d prio %#x inj %llu del %llu\n",
				      T_FIRST_SPI + i, st.pending, st.active, st.enabled, st.queued_on, st.target,
				      st.priority, (unsigned long long)s->injected[i], (unsigned long long)s->delivered[i]);
		assert_false(st.pending);
		assert_false(st.active);
		/* edges may coalesce, never multiply */
		assert_true(s->delivered[i] <= s->injected[i]);
		assert_true(s->injected[i] == 0 || s->delivered[i] >= 1);
		total_inj += s->injected[i];
		total_del += s->delivered[i];
	}
	for (unsigned c = 0; c < T_VCPUS; c++) {
		assert_true(s->sgi_delivered[c] <= s->sgi_injected[c]);
		assert_true(s->sgi_injected[c] == 0 || s->sgi_delivered[c] >= 1);
		sgi_inj += s->sgi_injected[c];
		sgi_del += s->sgi_delivered[c];
	}
	print_message("stress: %u vCPUs, %llu guest runs, %u injectors x %u ops: SPI edges %llu -> %llu delivered, "
		      "SGIs %llu -> %llu, kicks %llu\n",
		      T_VCPUS, (unsigned long long)s->runs, T_INJECTORS, T_INJECT_OPS,
		      (unsigned long long)total_inj, (unsigned long long)total_del,
		      (unsigned long long)sgi_inj, (unsigned long long)sgi_del,
		      (unsigned long long)s->kicks);
	assert_true(total_del > 0);
	free(s);
}

static void test_concurrent_inject_run_retarget_loses_and_duplicates_nothing(void **state)
{
	(void)state;
	stress_run(&stress_hooks);
}

static void test_the_same_with_the_cores_own_spin_locks(void **state)
{
	(void)state;
	stress_run(&stress_hooks_core_spin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_inject_run_retarget_loses_and_duplicates_nothing),
		cmocka_unit_test(test_the_same_with_the_cores_own_spin_locks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

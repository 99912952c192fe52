/* vgic_queue.c: the lock helpers and the one path that moves an interrupt between ap_lists (the oracle and the
 * common injection ending are inline in vgic_internal.h).
 * Every state change ends in vgic_irq_update_unlock(), so queueing and pruning follow one rule. */
#include "vgic_internal.h"

/* Out of line for the cold paths; the injection paths inline the same loop (vgic_internal.h). */
struct vgic_vcpu *vgic_irq_lock_listed(struct vgic *vm, struct vgic_irq *irq)
{
	return vgic_irq_lock_listed_inline(vm, irq, VGIC_LOCK_BY_VM);
}

static void lock_pair(struct vgic *vm, struct vgic_vcpu *a, struct vgic_vcpu *b)
{
	if (a && b && b->id < a->id) {
		struct vgic_vcpu *t = a;

		a = b;
		b = t;
	}
	if (a) {
		vgic_lock(vm, &a->ap_lock);
		vgic_vcpu_touch_locked(a, NULL);
	}
	if (b && b != a) {
		vgic_lock(vm, &b->ap_lock);
		vgic_vcpu_touch_locked(b, NULL);
	}
}

static void unlock_pair(struct vgic *vm, struct vgic_vcpu *a, struct vgic_vcpu *b)
{
	if (b && b != a)
		vgic_unlock(vm, &b->ap_lock);
	if (a)
		vgic_unlock(vm, &a->ap_lock);
}

struct vgic_vcpu *vgic_irq_lock_for_update(struct vgic *vm, struct vgic_irq *irq)
{
	return vgic_irq_lock_for_update_inline(vm, irq, VGIC_LOCK_BY_VM);
}

void vgic_irq_update_unlock(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v)
{
	vgic_irq_update_unlock_inline(vm, irq, v, VGIC_LOCK_BY_VM);
}

static void queue_spread_unlock(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v);

void vgic_irq_queue_long_unlock(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v)
{
	unsigned b = vgic_aplist_bucket_of(irq);
	unsigned cls = b / VGIC_NR_PRIORITIES;

	if (vgic_aplist_short_room(&v->aplist, cls)) {
		vgic_aplist_insert_short_at(&v->aplist, irq, b, cls);
	} else if (!v->aplist.spread[cls]) {
		/* The spreading insert in a frame of its own: this one calls nothing but its last act. */
		queue_spread_unlock(vm, irq, v);
		return;
	} else {
		vgic_aplist_insert_spread_at(&v->aplist, irq, b, cls);
	}
	__atomic_store_n(&irq->vcpu, v, __ATOMIC_RELEASE);
	vgic_irq_unlock_listed(vm, irq, v);
	vgic_kick(vm, v);
}

static __attribute__((noinline)) void queue_spread_unlock(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v)
{
	vgic_aplist_spread(&v->aplist, vgic_irq_class(irq));
	vgic_irq_queue_long_unlock(vm, irq, v);
}

void vgic_irq_update_unlock_slow(struct vgic *vm, struct vgic_irq *irq, struct vgic_vcpu *v)
{
	/* Locked by vgic_irq_lock_for_update() while on no list, and the prediction was wrong: let it go. */
	if (v && !vgic_listed_on(irq)) {
		vgic_unlock(vm, &v->ap_lock);
		v = NULL;
	}
	for (;;) {
		struct vgic_vcpu *t;

		/*
		 * In a list register: the hardware owns its state until the
		 * next sync, which prunes it. Keep it listed, re-sort it, and
		 * make the vCPU exit so the change is seen.
		 */
		if (irq->in_lr) {
			vgic_aplist_reposition(&v->aplist, irq);
			vgic_irq_unlock_listed(vm, irq, v);
			vgic_kick(vm, v);
			return;
		}
		t = vgic_oracle(vm, irq);
		if (t == v) {
			/*
			 * Already listed here: the vCPU needs to exit only if the
			 * interrupt moved up to where it may now deserve an LR.
			 */
			bool wake = v && vgic_aplist_reposition(&v->aplist, irq) &&
				    vgic_irq_is_pending(irq);

			vgic_irq_unlock_listed(vm, irq, v);
			if (wake)
				vgic_kick(vm, v);
			return;
		}
		if (!t) {
			vgic_aplist_remove(&v->aplist, irq);
			__atomic_store_n(&irq->vcpu, NULL, __ATOMIC_RELEASE);
			vgic_irq_unlock_listed(vm, irq, v);
			return;
		}
		/* Moving to another vCPU: take both ap_locks in order, then re-check. */
		vgic_irq_unlock_listed(vm, irq, v);
		lock_pair(vm, v, t);
		vgic_lock(vm, &irq->lock);
		if (vgic_listed_on(irq) == v && !irq->in_lr && vgic_oracle(vm, irq) == t) {
			if (v)
				vgic_aplist_remove(&v->aplist, irq);
			vgic_aplist_insert(&t->aplist, irq);
			__atomic_store_n(&irq->vcpu, t, __ATOMIC_RELEASE);
			vgic_unlock(vm, &irq->lock);
			unlock_pair(vm, v, t);
			vgic_kick(vm, t);
			return;
		}
		/* Raced with another change: start again from a consistent lock state. */
		vgic_unlock(vm, &irq->lock);
		unlock_pair(vm, v, t);
		v = vgic_irq_lock_listed(vm, irq);
	}
}

void vgic_irq_phys_deactivate(struct vgic *vm, struct vgic_irq *irq)
{
	struct vgic_vcpu *owner = irq->active_on ? irq->active_on : irq->target;

	if (irq->hw && vm->hooks->phys_deactivate)
		vm->hooks->phys_deactivate(vm->hooks_ctx, owner, irq->hw_intid);
}

void vgic_irq_deactivate_locked(struct vgic *vm, struct vgic_irq *irq)
{
	vgic_irq_phys_deactivate(vm, irq);
	irq->active = 0;
	irq->active_on = NULL;
}

void vgic_deferred_run(struct vgic *vm, struct vgic_deferred *d)
{
	/*
	 * Resample before requeueing: an owner that lowers its line in the
	 * callback must do so before the interrupt is placed on another vCPU,
	 * or that vCPU could be given a level the device already withdrew.
	 */
	for (unsigned i = 0; i < d->nr_resample; i++) {
		struct vgic_irq *irq = d->resample[i];
		irq_resample_fn fn = d->first_fn;
		void *owner = d->first_owner;

		/* The first as deferred (nothing of ours ran since); the rest as they are now. */
		if (i) {
			vgic_lock(vm, &irq->lock);
			fn = irq->resample;
			owner = irq->resample_owner;
			vgic_unlock(vm, &irq->lock);
		}
		if (fn)
			fn(owner, vgic_resample_line(irq));
	}
	for (unsigned i = 0; i < d->nr_requeue; i++) {
		struct vgic_irq *irq = d->requeue[i];

		vgic_irq_update_unlock(vm, irq, vgic_irq_lock_listed(vm, irq));
	}
	d->nr_requeue = d->nr_resample = 0;
}

void vgic_lock_hooked(struct vgic *vm, vgic_lock_t *l)
{
	if (vm->hooks->lock)
		vm->hooks->lock(vm->hooks_ctx, l);
}

void vgic_unlock_hooked(struct vgic *vm, vgic_lock_t *l)
{
	if (vm->hooks->unlock)
		vm->hooks->unlock(vm->hooks_ctx, l);
}

/*
 * A spin lock found taken: watch it with plain loads (no exclusive access while another CPU holds it)
 * and relax between looks, then try again; returns holding it.
 */
void vgic_spin_wait(struct vgic *vm, vgic_lock_t *l)
{
	do {
		while (__atomic_load_n(&l->word, __ATOMIC_RELAXED))
			if (vm->hooks->relax)
				vm->hooks->relax(vm->hooks_ctx);
	} while (!vgic_spin_trylock(l));
}

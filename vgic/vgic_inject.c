/* vgic_inject.c: how interrupts enter the core: device lines, the direct API, and SGIs.
 * Edge inputs latch on a rising edge; level inputs track the line, so pending follows the wire. */
#include "vgic_internal.h"

/* A level input follows its line. irq lock held. */
static void set_level_locked(struct vgic_irq *irq, bool high)
{
	irq->line_level = high;
	if (!high)
		irq->line_in_lr = 0; /* lowered while in an LR: do not give the old level back */
}

int vgic_line_set(struct vgic *vm, struct vgic_irq *irq, bool high, bool pulse)
{
	struct vgic_vcpu *v;

	/* Lowered: pending can only go, so nothing is queued and no routing target's lock is needed. */
	if (!high && !pulse) {
		v = vgic_irq_lock_listed_inline(vm, irq, VGIC_LOCK_BY_VM);
		irq->line_level = 0;
		if (irq->trigger == VGIC_LEVEL)
			irq->line_in_lr = 0;
		vgic_irq_lowered_unlock(vm, irq, v, VGIC_LOCK_BY_VM);
		return HV_OK;
	}
	v = vgic_irq_lock_for_update_inline(vm, irq, VGIC_LOCK_BY_VM);
	if (pulse) {
		/*
		 * One event: it latches, so a short pulse on a level input is not
		 * lost either; a HW level's pending state is the physical line's.
		 */
		if (irq->trigger == VGIC_EDGE || !irq->hw)
			irq->pending_latch = 1;
		irq->line_level = 0;
	} else if (irq->trigger == VGIC_EDGE) {
		if (high && !irq->line_level)
			irq->pending_latch = 1;
		irq->line_level = high;
	} else {
		set_level_locked(irq, high);
	}
	vgic_irq_update_unlock_inline(vm, irq, v, VGIC_LOCK_BY_VM);
	return HV_OK;
}

/*
 * vgic_inject()'s two ways, each out of line and reached by a tail call, so that each saves only the
 * registers it uses and the lookup pays no frame; each built once per lock mode (vgic_lock_mode), the
 * spin-locked copies free of every hook test. Lowered: pending can only go, so nothing is queued and
 * no routing target's lock is needed.
 */
static inline __attribute__((always_inline)) int inject_lower_in(struct vgic *vm, struct vgic_irq *irq,
								   enum vgic_lock_mode m)
{
	struct vgic_vcpu *v = vgic_irq_lock_listed_inline(vm, irq, m);

	if (irq->trigger == VGIC_LEVEL)
		set_level_locked(irq, false);
	vgic_irq_lowered_unlock(vm, irq, v, m);
	return HV_OK;
}

/* vgic_inject()'s raise: an edge latches, a level line goes high. irq lock held. */
static inline void raise_locked(struct vgic_irq *irq)
{
	if (irq->trigger == VGIC_LEVEL)
		set_level_locked(irq, true);
	else
		irq->pending_latch = 1;
}

static inline __attribute__((always_inline)) int inject_raise_in(struct vgic *vm, struct vgic_irq *irq,
								   enum vgic_lock_mode m)
{
	struct vgic_vcpu *v = vgic_irq_lock_for_update_inline(vm, irq, m);

	raise_locked(irq);
	vgic_irq_update_unlock_inline(vm, irq, v, m);
	return HV_OK;
}

/*
 * The spin-locked fast paths' locking: the list's ap_lock, then the interrupt's lock, one try each (a
 * fast path then calls nothing but its last act, and saves no registers for a wait). False, holding
 * nothing, when either is taken: the general path waits for both, in the same order.
 */
static inline __attribute__((always_inline)) bool inject_trylock_pair(struct vgic *vm, struct vgic_vcpu *t,
								       struct vgic_irq *irq)
{
	if (!vgic_spin_trylock(&t->ap_lock))
		return false;
	if (vgic_spin_trylock(&irq->lock))
		return true;
	vgic_unlock_in(vm, &t->ap_lock, VGIC_LOCK_SPIN);
	return false;
}

static __attribute__((noinline)) int inject_lower_general_spin(struct vgic *vm, struct vgic_irq *irq)
{
	return inject_lower_in(vm, irq, VGIC_LOCK_SPIN);
}

/*
 * The commonest lower with spin locks, as inject_raise_spin() is for the raise: an interrupt on no list
 * (a timer line lowered after the guest ended it), which needs only its own lock, and no retry loop; a
 * listed one goes to the general lower having changed nothing.
 */
static __attribute__((noinline)) int inject_lower_spin(struct vgic *vm, struct vgic_irq *irq)
{
	if (vgic_listed_on(irq) || !vgic_spin_trylock(&irq->lock))
		return inject_lower_general_spin(vm, irq);
	if (__builtin_expect(vgic_listed_on(irq) != NULL, 0)) {
		vgic_unlock_in(vm, &irq->lock, VGIC_LOCK_SPIN);
		return inject_lower_general_spin(vm, irq);
	}
	if (irq->trigger == VGIC_LEVEL)
		set_level_locked(irq, false);
	vgic_irq_lowered_unlock(vm, irq, NULL, VGIC_LOCK_SPIN);
	return HV_OK;
}

static __attribute__((noinline)) int inject_lower_hooks(struct vgic *vm, struct vgic_irq *irq)
{
	return inject_lower_in(vm, irq, VGIC_LOCK_HOOKS);
}

static __attribute__((noinline)) int inject_raise_general_spin(struct vgic *vm, struct vgic_irq *irq)
{
	return inject_raise_in(vm, irq, VGIC_LOCK_SPIN);
}

/*
 * The commonest raise with spin locks: an interrupt on no list, locked with its routing target's ap_lock
 * at the first try and still on no list then. It is inject_raise_in() without the retry loop: any other
 * case (a lock taken included) leaves with nothing changed for the general raise, which locks again. So
 * this frame holds nothing across a call (the kick and the slow update are its last acts) and saves no
 * registers: about 25 instructions fewer a raise than the general one's.
 */
static __attribute__((noinline)) int inject_raise_spin(struct vgic *vm, struct vgic_irq *irq)
{
	struct vgic_vcpu *t = __atomic_load_n(&irq->target, __ATOMIC_RELAXED);

	if (!t || vgic_listed_on(irq) || !inject_trylock_pair(vm, t, irq))
		return inject_raise_general_spin(vm, irq);
	if (__builtin_expect(vgic_listed_on(irq) != NULL, 0)) {
		/* Listed since the first look: the general raise's retry, and touch, handle it. */
		vgic_unlock_in(vm, &irq->lock, VGIC_LOCK_SPIN);
		vgic_unlock_in(vm, &t->ap_lock, VGIC_LOCK_SPIN);
		return inject_raise_general_spin(vm, irq);
	}
	raise_locked(irq);
	vgic_irq_queue_unlisted_unlock_inline(vm, irq, t, VGIC_LOCK_SPIN, true);
	return HV_OK;
}

static __attribute__((noinline)) int inject_raise_hooks(struct vgic *vm, struct vgic_irq *irq)
{
	return inject_raise_in(vm, irq, VGIC_LOCK_HOOKS);
}

static inline __attribute__((always_inline)) int inject_lower(struct vgic *vm, struct vgic_irq *irq)
{
	return vm->spin_locks ? inject_lower_spin(vm, irq) : inject_lower_hooks(vm, irq);
}

static inline __attribute__((always_inline)) int inject_raise(struct vgic *vm, struct vgic_irq *irq)
{
	return vm->spin_locks ? inject_raise_spin(vm, irq) : inject_raise_hooks(vm, irq);
}

/*
 * An LPI (an MSI's end): it becomes pending only through a redistributor with EnableLPIs set, the one
 * it targets; vgic_lpi_set_pending() with the locking inlined, as for the other injections.
 */
static inline __attribute__((always_inline)) int inject_lpi_in(struct vgic *vm, struct vgic_irq *irq, bool level,
								enum vgic_lock_mode m)
{
	struct vgic_vcpu *rd = __atomic_load_n(&irq->target, __ATOMIC_RELAXED);
	struct vgic_vcpu *v;
	int rc;

	if (!rd || !__atomic_load_n(&rd->rd_lpis_enabled, __ATOMIC_ACQUIRE))
		return HV_EBUSY;
	if (!level)
		return HV_OK;
	v = vgic_irq_lock_for_update_inline(vm, irq, m);
	rc = vgic_lpi_raise_locked(irq, rd);
	vgic_irq_update_unlock_inline(vm, irq, v, m);
	return rc;
}

static __attribute__((noinline)) int inject_lpi_general_spin(struct vgic *vm, struct vgic_irq *irq, bool level)
{
	return inject_lpi_in(vm, irq, level, VGIC_LOCK_SPIN);
}

/*
 * inject_lpi_in() with spin locks for an LPI on no list, as inject_raise_spin() is for the others: no retry
 * loop, and anything else leaves with nothing changed for the general path.
 */
static __attribute__((noinline)) int inject_lpi_spin(struct vgic *vm, struct vgic_irq *irq, bool level)
{
	struct vgic_vcpu *rd = __atomic_load_n(&irq->target, __ATOMIC_RELAXED);

	if (!level || !rd || vgic_listed_on(irq) || !inject_trylock_pair(vm, rd, irq))
		return inject_lpi_general_spin(vm, irq, level);
	if (__builtin_expect(vgic_listed_on(irq) != NULL, 0) ||
	    !__atomic_load_n(&rd->rd_lpis_enabled, __ATOMIC_ACQUIRE)) {
		/* Listed since the first look, or the redistributor's LPIs off: the general path's answer. */
		vgic_unlock_in(vm, &irq->lock, VGIC_LOCK_SPIN);
		vgic_unlock_in(vm, &rd->ap_lock, VGIC_LOCK_SPIN);
		return inject_lpi_general_spin(vm, irq, level);
	}
	irq->pending_latch = 1;
	vgic_irq_queue_unlisted_unlock_inline(vm, irq, rd, VGIC_LOCK_SPIN, true);
	return HV_OK;
}

static __attribute__((noinline)) int inject_lpi_hooks(struct vgic *vm, struct vgic_irq *irq, bool level)
{
	return inject_lpi_in(vm, irq, level, VGIC_LOCK_HOOKS);
}

static inline __attribute__((always_inline)) int inject_lpi(struct vgic *vm, struct vgic_irq *irq, bool level)
{
	return vm->spin_locks ? inject_lpi_spin(vm, irq, level) : inject_lpi_hooks(vm, irq, level);
}

/* vgic_inject() once the interrupt is found: an LPI, or one of the two ways above by a tail call. */
static inline __attribute__((always_inline)) int inject_found(struct vgic *vm, struct vgic_irq *irq, bool level)
{
	if (irq->lpi)
		return inject_lpi(vm, irq, level);
	return level ? inject_raise(vm, irq) : inject_lower(vm, irq);
}

/* The lookup out of line (every error, and LPIs outside the pool, which it refuses): its error code
 * lives in this frame only. */
static __attribute__((noinline)) int inject_lookup_slow(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool level)
{
	int err;
	struct vgic_irq *irq;

	irq = vgic_lookup_slow(vm, vcpu, intid, &err);
	if (!irq)
		return err;
	return inject_found(vm, irq, level);
}

int vgic_inject(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool level)
{
	struct vgic_irq *irq = vgic_lookup_fast(vm, vcpu, intid);

	/* An SPI or a private interrupt: never an LPI. */
	if (irq)
		return level ? inject_raise(vm, irq) : inject_lower(vm, irq);
	/* An LPI in the pool (an MSI, a device's commonest interrupt) goes straight to its way too. */
	if (vm && intid - VGIC_LPI_BASE < vm->nr_lpis)
		return inject_lpi(vm, &vm->lpis[intid - VGIC_LPI_BASE], level);
	return inject_lookup_slow(vm, vcpu, intid, level);
}

int vgic_inject_sgi(struct vgic *vm, uint32_t src, uint32_t target, uint32_t sgi)
{
	if (!vm)
		return HV_EINVAL;
	if (src >= vm->nr_vcpus || target >= vm->nr_vcpus || sgi >= VGIC_NR_SGIS)
		return HV_ERANGE;
	/*
	 * GICv3 with affinity routing keeps no source per SGI: one latch per target. The arguments are
	 * checked, so the raise needs no lookup (an SGI is a private edge, never an LPI).
	 */
	return inject_raise(vm, &vm->vcpus[target].priv[sgi]);
}

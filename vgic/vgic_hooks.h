/* vgic_hooks.h: the whole boundary between the portable vgic core and its host or EL2 environment.
 * The core calls only these; an arch provides them at init, so no generic file includes an arch header. */
#ifndef VGIC_HOOKS_H
#define VGIC_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

struct vgic;
struct vgic_vcpu;

/* Storage for one lock; its meaning belongs to the hooks (a spinlock word at EL2, a mutex index on a host). */
typedef struct {
	volatile uint32_t word;
	uint32_t spare;
} vgic_lock_t;

struct vgic_hooks {
	/* Locks are optional: a single-threaded host may leave both NULL (and spin_locks false). */
	void (*lock)(void *ctx, vgic_lock_t *lock);
	void (*unlock)(void *ctx, vgic_lock_t *lock);
	/*
	 * Or the core's own lock: a test-and-set spinlock on vgic_lock_t.word with acquire/release
	 * ordering, inline wherever the core locks, so an uncontended lock and unlock cost no call
	 * (three of them through lock/unlock are about a third of an injection's instructions). relax,
	 * if set, runs each time round the wait for a lock another CPU holds (a yield or WFE at EL2),
	 * and never when the lock is free. Set spin_locks with lock and unlock NULL: vgic_init refuses
	 * both kinds at once.
	 */
	bool spin_locks;
	void (*relax)(void *ctx);
	/*
	 * The vCPU has new work: if it runs, make it exit (a physical SGI at EL2,
	 * a signal on a host); if it sleeps in WFI, wake it. Called with no vgic
	 * lock held. Optional.
	 */
	void (*kick)(void *ctx, struct vgic_vcpu *vcpu);
	/*
	 * Deactivate the physical interrupt behind a HW-mapped virtual one, when
	 * the guest's deactivation could not reach it through an LR (the virtual
	 * interrupt was not in a list register). owner is the vCPU the interrupt
	 * was active on: a PPI is banked per physical CPU, so the arch must act on
	 * owner's CPU (its redistributor), which need not be the caller's.
	 * Optional; required with HW maps.
	 */
	void (*phys_deactivate)(void *ctx, struct vgic_vcpu *owner, uint32_t pintid);
	/* Console output for vgic_dump(). Optional. */
	void (*print)(void *ctx, const char *s);
	/*
	 * Guest physical memory, for the LPI configuration and pending tables (and the ITS's tables
	 * and command queue). Copy len bytes; return 0, or a negative HV_* code when any part of the
	 * range is outside guest RAM (the core then treats the table as unusable; the guest broke it).
	 * Called with no vgic lock held, except an ITS's own lock while it runs commands or translates
	 * an MSI: so it must not call into the core. Optional; required for LPIs the guest configures.
	 */
	int (*guest_read)(void *ctx, uint64_t gpa, void *buf, uint32_t len);
	int (*guest_write)(void *ctx, uint64_t gpa, const void *buf, uint32_t len);
};

#endif

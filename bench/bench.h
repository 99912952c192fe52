/* bench.h: shared declarations of the LR-policy microbenchmark: the policy interface, the VM base, run statistics.
 * Every policy (ours and the peers' re-implementations) runs on the same software ICV model, one per vCPU. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include "icv_model.h"
#include "lr_backend.h"

#define B_MAX_VCPUS   4U
#define B_NR_SPIS     96U     /* SPIs 32..127: enough for the 64-interrupt burst */
#define B_MAX_LPIS    4096U   /* the deepest ap_list the sweep reaches */
#define B_LPI_BASE    8192U
#define B_NR_PRIVATE  32U
#define B_NR_SGIS     16U
#define B_PRI_BITS    5U      /* QEMU's cortex-a57/a72/max: 32 priority levels */
#define B_GRP1        1U
#define B_PMR_OPEN    0xffU

/* Register kinds that still trap under NV2 (KVM keeps LRs, APRs, HCR, VMCR in the VNCR page). */
#define B_NV2_TRAPPING(kind) ((kind) == LR_ACC_ELRSR_READ || (kind) == LR_ACC_EISR_READ || \
			      (kind) == LR_ACC_MISR_READ || (kind) == LR_ACC_VTR_READ)

typedef void (*b_resample_fn)(void *owner, uint32_t intid);

struct policy;

/* First member of every policy's VM: what the guest loop and the scenarios need. */
struct bvm {
	const struct policy *pol;
	unsigned nr_vcpus;
	unsigned nr_lrs;
	struct icv_model cpu[B_MAX_VCPUS];
	uint64_t phys_deactivations;   /* HW deactivations that reached the physical side */
	/* vCPU put/load (bench/switch.c): GICR MMIO accesses ours' arch makes (the maintenance PPI's mask and
	 * unmask), and ICH_* accesses made inside the core's own vgic_vcpu_put/vgic_vcpu_load_on. */
	uint64_t gicr_accesses;
	uint64_t core_switch_accesses;
};

/*
 * One LR policy. Set-up calls (configure, map_hw, set_resample) happen before
 * measuring; the rest is the measured data path. Level lines use wire
 * semantics; raise_edge is one edge event.
 */
struct policy {
	const char *name;
	struct bvm *(*create)(unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis);
	void (*destroy)(struct bvm *vm);
	/* Group 1, enabled, priority prio, edge or level. */
	void (*configure)(struct bvm *vm, unsigned vcpu, uint32_t intid, uint8_t prio, bool level);
	void (*map_hw)(struct bvm *vm, unsigned vcpu, uint32_t intid, uint32_t pintid);
	void (*set_resample)(struct bvm *vm, unsigned vcpu, uint32_t intid, b_resample_fn fn, void *owner);
	int (*raise_edge)(struct bvm *vm, unsigned vcpu, uint32_t intid);
	int (*set_level)(struct bvm *vm, unsigned vcpu, uint32_t intid, bool high);
	int (*sgi)(struct bvm *vm, unsigned src, unsigned dst, uint32_t sgi);
	int (*flush)(struct bvm *vm, unsigned vcpu);   /* guest entry */
	int (*sync)(struct bvm *vm, unsigned vcpu);    /* guest exit */
	/* A trapped ICC_DIR_EL1 (TDIR), between sync and flush. NULL: the policy never sets TDIR. */
	int (*dir_trap)(struct bvm *vm, unsigned vcpu, uint32_t intid);
	/*
	 * vCPU put and load (bench/switch.c), what the policy and its arch do when a vCPU leaves its physical
	 * CPU (after its exit's sync) and when it comes back onto CPU cpu (vm->cpu[cpu]'s backend), as the
	 * peers' vcpu_put/vcpu_load and context switch do. switch_init (NULL: nothing) prepares a VM for it,
	 * untimed and uncounted. Only ours lets two vCPUs share one CPU's backend; a peer loads on its own.
	 */
	void (*switch_init)(struct bvm *vm);
	void (*put)(struct bvm *vm, unsigned vcpu);
	void (*load)(struct bvm *vm, unsigned vcpu, unsigned cpu);
};

extern const struct policy pol_ours;
extern const struct policy pol_kvm_classic;
extern const struct policy pol_kvm619;
extern const struct policy pol_xen;
/*
 * Ours again, on an ICV model backend with lrs_in_memory set (nested with NV2: the LRs are memory,
 * ELRSR traps), so the core takes the exit path an NV2 build would take. The NV2 projection uses this
 * run and nothing else does: the peers' code has no such flag, and every other table (and every
 * projection where all ICH_* accesses trap) keeps ours on the real-register setting.
 */
extern const struct policy pol_ours_nv2;

/* The policies compared, in the order the reports list them; ours first. */
#define B_NR_POLICIES 4U
/* Runs per configuration: the policies, then ours on the NV2 backend (index B_RUN_OURS_NV2). */
#define B_NR_RUNS      (B_NR_POLICIES + 1U)
#define B_RUN_OURS_NV2 B_NR_POLICIES
extern const struct policy *const b_runs[B_NR_RUNS];

/* Prepare the models the way a guest with group 1 enabled and PMR open leaves them. */
void bvm_init_models(struct bvm *vm, const struct policy *pol, unsigned nr_vcpus, unsigned nr_lrs);

/* ---- the guest loop (guest.c) ---- */

struct run_stats {
	uint64_t entries, exits;
	uint64_t maint;                  /* maintenance interrupts taken (each one exit + entry) */
	uint64_t delivered;              /* interrupts the guest acknowledged */
	uint64_t dir_traps;
	uint64_t entry_acc[LR_ACC_NR];   /* register accesses made by flushes, by kind */
	uint64_t exit_acc[LR_ACC_NR];    /* register accesses made by syncs, by kind */
	/* Priority comparisons and lock acquisitions (each one pair) made by flushes and by syncs (blist.h). */
	uint64_t entry_cmps, entry_locks, exit_cmps, exit_locks;
};

struct scen_ctx;

/* Called after each acknowledge (the guest's handler) and after each exit (the arch's exit work). */
struct guest_hooks {
	void (*on_ack)(struct scen_ctx *c, struct bvm *vm, unsigned vcpu, uint32_t intid);
	void (*on_exit)(struct scen_ctx *c, struct bvm *vm, unsigned vcpu);
};

/* st == NULL: timing mode, nothing is counted (no snapshot overhead). */
void guest_enter(struct bvm *vm, unsigned vcpu, struct run_stats *st);
void guest_exit(struct scen_ctx *c, const struct guest_hooks *h, struct bvm *vm, unsigned vcpu,
		struct run_stats *st);
/*
 * Entry, then the guest takes and ends (EOImode 0) every interrupt it is
 * signalled, exiting and re-entering on each maintenance interrupt; then exit.
 */
void guest_run(struct scen_ctx *c, const struct guest_hooks *h, struct bvm *vm, unsigned vcpu,
	       struct run_stats *st);

#endif

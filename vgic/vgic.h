/* vgic.h: public API of the portable GICv3 virtual interrupt controller core.
 * Freestanding: the caller provides all storage, the hooks, and one LR backend per vCPU. */
#ifndef VGIC_H
#define VGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgic_export.h"
#include "vgic_version.h"
#include "hv_errno.h"
#include "irq_line.h"
#include "lr_backend.h"
#include "vgic_hooks.h"

#define VGIC_NR_SGIS          16U
#define VGIC_NR_PPIS          16U
#define VGIC_NR_PRIVATE       32U
#define VGIC_SPI_BASE         32U
#define VGIC_MAX_SPIS         988U   /* INTIDs 32..1019 */
#define VGIC_LPI_BASE         8192U  /* first LPI; storage for LPIs is the caller's (vgic_lpi_init) */
#define VGIC_MAX_LPIS         65536U /* INTIDs 8192..73727: 17 ID bits */
#define VGIC_MAX_VCPUS        64U
#define VGIC_NR_PRIORITIES    256U
#define VGIC_PRIO_WORDS       (VGIC_NR_PRIORITIES / 64U)
#define VGIC_DEFAULT_PRIO_BITS 5U
#define VGIC_MIN_PRIO_BITS    5U     /* the GICv3 virtual CPU interface implements 5 to 8 */
#define VGIC_TARGET_NONE      UINT32_MAX /* vgic_irq_set_target: IROUTER names no vCPU */
#define VGIC_HCR_UNKNOWN      (~0ULL)

enum vgic_trigger { VGIC_EDGE = 0, VGIC_LEVEL = 1 };

/* Intrusive circular list node. */
struct vgic_node {
	struct vgic_node *next, *prev;
};

/*
 * One interrupt. Pending is derived and never stored twice:
 * edge gives pending_latch; level gives pending_latch || line_level.
 */
struct vgic_irq {
	struct vgic_node ap_node;       /* link in the owning vCPU's ap_list (short list or bucket) */
	vgic_lock_t lock;
	struct vgic_vcpu *vcpu;         /* ap_list holding it, or NULL */
	struct vgic_vcpu *target;       /* routing target: IROUTER result for SPIs, owner for SGI/PPI */
	struct vgic_vcpu *active_on;    /* vCPU it is active on, while active */
	irq_resample_fn resample;       /* level-line owner's EOI notifier */
	void *resample_owner;
	uint32_t intid;
	uint32_t hw_intid;              /* physical INTID when hw */
	uint16_t bucket;                /* ap_list bucket while listed */
	uint8_t priority;
	/*
	 * The priority the guest acknowledged it at, kept while it is active: its LR must carry this one,
	 * whatever IPRIORITYR says now, or the guest's EOI (which drops the running priority) would
	 * match no LR and never deactivate it.
	 */
	uint8_t active_prio;
	uint8_t lr;                     /* LR index while in_lr */
	/* An LPI: edge, Group 1, no active state, gated by its RD's EnableLPIs. Set once at init, never
	 * changed, and kept out of the bit-fields so that it may be read without a lock. */
	bool lpi;
	uint8_t group : 1;
	uint8_t enabled : 1;
	uint8_t trigger : 1;            /* enum vgic_trigger */
	uint8_t pending_latch : 1;
	uint8_t line_level : 1;
	uint8_t active : 1;
	uint8_t hw : 1;
	uint8_t in_lr : 1;              /* placed by the last flush of ->vcpu, not yet synced */
	/* Register writes that arrive while the LR owns the state; the next sync applies them. */
	uint8_t pend_clear_req : 1;
	uint8_t act_req : 2;            /* VGIC_ACT_REQ_* */
	uint8_t latch_in_lr : 1;        /* the software latch went into the LR with the pending state */
	uint8_t line_in_lr : 1;         /* a HW level's line state went into the LR (its physical side is held) */
	/* GICD_IROUTER as the guest wrote it (SPIs; 0 = affinity 0.0.0.0). vm->dist_lock. */
	uint64_t irouter;
};

#define VGIC_ACT_REQ_NONE  0U
#define VGIC_ACT_REQ_SET   1U
#define VGIC_ACT_REQ_CLEAR 2U

/*
 * The ap_list: every interrupt that is pending or active for this vCPU, in
 * priority order, so that the highest-priority entries are found in
 * O(number of LRs). Class 0 holds pending-and-not-active interrupts (the
 * guest can take them now); class 1 holds active ones (with or without a new
 * pending state). Within a priority, arrival order. A class of at most
 * VGIC_APLIST_SHORT_MAX entries is one list kept in that order (the common
 * case: a linked insert and remove); a longer one is spread over priority
 * buckets with occupancy bitmaps, and goes back to the short list when it
 * empties (docs/design.md 7.5a).
 */
#define VGIC_AP_CLASSES 2U
#define VGIC_APLIST_SHORT_MAX 16U
struct vgic_aplist {
	struct vgic_node bucket[VGIC_AP_CLASSES][VGIC_NR_PRIORITIES];
	uint64_t nonempty[VGIC_AP_CLASSES][VGIC_PRIO_WORDS];
	uint32_t words[VGIC_AP_CLASSES];     /* bit w: nonempty[cls][w] != 0, so a scan skips empty words */
	uint32_t count[VGIC_AP_CLASSES];
	struct vgic_node sorted[VGIC_AP_CLASSES]; /* the class while it is short, in bucket order */
	uint8_t spread[VGIC_AP_CLASSES];          /* the class is in the buckets, not on sorted[] */
};

struct vgic_vcpu_stats {
	uint64_t flushes;          /* calls that did work */
	uint64_t flushes_kept;     /* of those, entries that found every LR still right (docs/design.md 7.2b) */
	uint64_t syncs;            /* calls that did work */
	uint64_t lrs_filled;
	uint64_t taken;            /* pending LRs the guest acknowledged (delivered interrupts) */
	uint64_t overflows;        /* flushes that left interrupts out */
	uint64_t evicted_active;   /* active interrupts left out of the LRs */
	uint64_t eoicount_deact;   /* deactivations inferred from EOIcount */
	uint64_t dir_traps;        /* deactivations by trapped ICC_DIR_EL1 */
	uint64_t resamples;        /* level EOIs reported to line owners */
	uint64_t kicks;
	/* register emulation, counted on the vCPU that made the access */
	uint64_t mmio_accesses;    /* GICD/GICR accesses */
	uint64_t mmio_reserved;    /* of those, to reserved offsets (RAZ/WI) */
	uint64_t mmio_aborts;      /* of those, refused: bad width or alignment */
	uint64_t sgi_writes;       /* trapped ICC_SGI0R/SGI1R/ASGI1R writes */
};

struct vgic;

/*
 * One physical CPU's virtual CPU interface, as the core knows it between vCPUs: its LR backend and
 * what its list registers and ICH_HCR_EL2 hold, whichever vCPU of whichever VM put it there. Caller
 * storage, one per physical CPU, shared by every VM that runs there (vgic_cpu_if_init).
 */
struct vgic_cpu_if {
	struct lr_backend *be;
	const struct vgic_vcpu *last;           /* the vCPU that last left this CPU (NULL: none since init) */
	uint32_t hw_dirty;                       /* LRs that may hold something */
	uint32_t lr_hw_known;                    /* LRs whose content lr_hw[] records */
	uint64_t lr_hw[LR_BACKEND_MAX_LRS];
	uint64_t hcr;                            /* ICH_HCR_EL2, or VGIC_HCR_UNKNOWN */
	uint8_t prio_mask;                       /* implemented priority bits (ICH_VTR), 0 if unknown */
};

struct vgic_vcpu {
	struct vgic *vm;
	uint32_t id;                    /* 0..nr_vcpus-1; also the lock order */
	uint64_t mpidr;                 /* affinity, Aff3.Aff2.Aff1.Aff0 packed as in MPIDR_EL1 */
	struct lr_backend *be;
	vgic_lock_t ap_lock;            /* protects aplist and the lr_* shadows below */
	struct vgic_aplist aplist;
	struct vgic_irq priv[VGIC_NR_PRIVATE];
	struct irq_chip ppi_chip;       /* lines 0..15 are PPIs 16..31 of this vCPU */
	/*
	 * LR shadow: what the last flush wrote, and to which interrupt. lr_irq[i]
	 * keeps naming the last occupant after the sync, so the next flush can
	 * give an interrupt back its own LR (and skip rewriting it).
	 */
	struct vgic_irq *lr_irq[LR_BACKEND_MAX_LRS];
	uint64_t lr_val[LR_BACKEND_MAX_LRS];
	uint32_t used_mask;             /* LRs filled by the last flush and not yet synced, or kept by the sync */
	/*
	 * Kept LRs (docs/design.md 7.2b): out of the guest, an LR in used_mask still holds its interrupt's
	 * state, which the sync left there because neither the guest nor anyone else had touched it.
	 * sel_dirty: something changed that the last flush's choice did not see (any change to this
	 * ap_list outside the world switch, a fold at the sync, a load), so the next flush chooses again.
	 * sel_vmcr: the ICH_VMCR_EL2 that choice read for its group enables and EOImode, if it read it.
	 * sel_kept: the last entry kept every LR, so the guest is likely to leave them alone again (a hint:
	 * cleared by a fold at the sync, not by every entry that chose).
	 * sel_total: the ap_list's length when the last choice was made (a queueing changes it).
	 */
	bool sel_vmcr_used;             /* (the three side by side: each flush and sync sets two at once) */
	bool sel_dirty;
	bool sel_kept;
	uint32_t sel_total;
	uint64_t sel_vmcr;
	uint32_t hw_dirty;              /* LRs whose hardware content may still matter */
	uint64_t lr_hw[LR_BACKEND_MAX_LRS]; /* what LR i holds in hardware, where lr_hw_known says */
	uint32_t lr_hw_known;           /* entry skips writing a value the LR already holds */
	uint64_t hcr;                   /* value last written to ICH_HCR_EL2; VGIC_HCR_UNKNOWN forces a write */
	bool loaded;                    /* flushed and not yet synced: the LRs own in-flight state */
	struct vgic_cpu_if *cpu_if;     /* the physical CPU it is loaded on (vgic_vcpu_load_on), or NULL */
	struct vgic_vcpu_stats stats;
	/* Redistributor registers (vgic_redist.c), under vm->dist_lock; all-zero is the reset state. */
	bool rd_awake;                  /* GICR_WAKER.ProcessorSleep == 0 (resets asleep) */
	uint64_t rd_propbaser;          /* GICR_PROPBASER: the LPI configuration table */
	uint64_t rd_pendbaser;          /* GICR_PENDBASER: this RD's LPI pending table */
	bool rd_pend_ptz;               /* PENDBASER was last written with PTZ: the table is all zero */
	bool rd_lpis_enabled;           /* GICR_CTLR.EnableLPIs (atomic: the oracle reads it) */
};

struct vgic {
	const struct vgic_hooks *hooks;
	void *hooks_ctx;
	bool spin_locks;                /* hooks->spin_locks, read once at init: the core locks inline */
	struct vgic_vcpu *vcpus;
	uint32_t nr_vcpus;
	struct vgic_irq *spis;
	uint32_t nr_spis;
	uint8_t prio_mask;              /* implemented priority bits, e.g. 0xf8 for 5 */
	bool grp0_enabled;              /* GICD_CTLR.EnableGrp0 */
	bool grp1_enabled;              /* GICD_CTLR.EnableGrp1NS */
	vgic_lock_t dist_lock;          /* serialises distributor-wide config changes and routing */
	uint32_t route_gen;             /* bumped by each IROUTER or WAKER change; dist_lock */
	struct irq_chip spi_chip;       /* line N is SPI 32+N */
	struct vgic_irq *lpis;          /* INTID 8192 + i is lpis[i]; NULL until vgic_lpi_init */
	uint32_t nr_lpis;
};

struct vgic_config {
	uint32_t nr_vcpus;              /* 1..VGIC_MAX_VCPUS */
	uint32_t nr_spis;               /* a multiple of 32 up to 960, or VGIC_MAX_SPIS (988: INTIDs up to 1019) */
	uint32_t prio_bits;             /* 5..8 implemented priority bits, = ICH_VTR_EL2.PRIbits + 1; 0 means 5 */
};

/* ---- set-up ---- */
VGIC_API int vgic_init(struct vgic *vm, const struct vgic_config *cfg,
	      const struct vgic_hooks *hooks, void *hooks_ctx,
	      struct vgic_vcpu *vcpus, struct vgic_irq *spis);
/*
 * Give a vCPU its LR backend. Reads ICH_VTR_EL2 once (if the backend has read_vtr): HV_EINVAL when its
 * PRIbits disagree with vgic_config.prio_bits. HV_EBUSY while the vCPU is flushed and not synced.
 */
VGIC_API int vgic_vcpu_set_backend(struct vgic *vm, uint32_t vcpu, struct lr_backend *be);
VGIC_API int vgic_vcpu_set_mpidr(struct vgic *vm, uint32_t vcpu, uint64_t mpidr);
VGIC_API struct vgic_vcpu *vgic_get_vcpu(struct vgic *vm, uint32_t vcpu);
/* Private INTIDs need a vCPU; SPIs ignore it. NULL for anything that does not exist. */
VGIC_API struct vgic_irq *vgic_get_irq(struct vgic *vm, uint32_t vcpu, uint32_t intid);
/*
 * LPIs: INTIDs 8192 .. 8192 + nr_lpis - 1 (up to VGIC_MAX_LPIS), one struct vgic_irq each in pool,
 * found in O(1). Call once, after vgic_init and before the guest runs. GICD_TYPER then reports
 * LPIS and the ID bits, each GICR_TYPER PLPIS and DirectLPI; the guest's configuration and pending
 * tables are reached through hooks->guest_read/guest_write (docs/design.md, "LPIs").
 */
VGIC_API int vgic_lpi_init(struct vgic *vm, struct vgic_irq *pool, uint32_t nr_lpis);

/*
 * ---- distributor-level state (the register emulation calls these) ----
 * Every call below that changes an interrupt (these setters, the injection calls, the register
 * emulation's writes, vgic_sysreg_sgi, vgic_dist_enable, vgic_restore) may call hooks->kick for the
 * vCPU that must notice, and a level line's resample callback, from inside the call, after it has
 * released every vgic lock. So the caller must not hold a lock those hooks take. A kick of the
 * calling vCPU itself is harmless: its next entry flushes anyway.
 */
VGIC_API int vgic_dist_enable(struct vgic *vm, bool grp0, bool grp1);
VGIC_API int vgic_irq_set_enabled(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on);
VGIC_API int vgic_irq_set_priority(struct vgic *vm, uint32_t vcpu, uint32_t intid, uint8_t prio);
VGIC_API int vgic_irq_set_group(struct vgic *vm, uint32_t vcpu, uint32_t intid, unsigned grp);
VGIC_API int vgic_irq_set_trigger(struct vgic *vm, uint32_t vcpu, uint32_t intid, enum vgic_trigger t);
VGIC_API int vgic_irq_set_target(struct vgic *vm, uint32_t intid, uint32_t target_vcpu);
/* ISPENDR/ICPENDR semantics: set or clear the software pending latch. */
VGIC_API int vgic_irq_set_pending(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on);
/* ISACTIVER/ICACTIVER semantics. */
VGIC_API int vgic_irq_set_active(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on);
VGIC_API int vgic_irq_map_hw(struct vgic *vm, uint32_t vcpu, uint32_t intid, uint32_t pintid);
VGIC_API int vgic_irq_unmap_hw(struct vgic *vm, uint32_t vcpu, uint32_t intid);

struct vgic_irq_state {
	bool pending, active, enabled, hw, level_cfg, line_level, queued;
	uint8_t priority, group;
	int32_t queued_on;              /* vCPU id whose ap_list holds it, or -1 */
	int32_t target;                 /* routing target vCPU id, or -1 */
};
/*
 * The state as of the owning vCPU's last vgic_sync_lrs(): while that vCPU runs in the guest its list
 * registers own the in-flight state (the guest may have acknowledged or ended it since).
 */
VGIC_API int vgic_irq_get_state(struct vgic *vm, uint32_t vcpu, uint32_t intid, struct vgic_irq_state *out);

/* ---- injection ---- */
/* Level semantics for level interrupts (line high/low); for edge ones a true is one edge. */
VGIC_API int vgic_inject(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool level);
/* SGI from a vCPU (src) to another, as ICC_SGI1R would. */
VGIC_API int vgic_inject_sgi(struct vgic *vm, uint32_t src, uint32_t target, uint32_t sgi);
VGIC_API struct irq_chip *vgic_spi_chip(struct vgic *vm);
VGIC_API struct irq_chip *vgic_ppi_chip(struct vgic *vm, uint32_t vcpu);

/* ---- world switch ---- */
/*
 * Before guest entry: ap_list -> LRs and ICH_HCR_EL2. Touches no register when there is nothing to
 * do. HV_EBUSY if the vCPU is already flushed (every flush needs a sync before the next).
 * A vCPU's world-switch calls (flush, sync, load, put, set_backend) come from the CPU that runs it, one at
 * a time, as its LRs are that CPU's: the entry reads some of the vCPU's own LR bookkeeping without the
 * lock on that ground. Every other call is safe from any CPU.
 */
VGIC_API int vgic_flush_lrs(struct vgic *vm, uint32_t vcpu);
/*
 * After guest exit, before handling the exit: in-use LRs -> interrupt state, then prune. Emulating a
 * GICD/GICR/ICC access or a trapped DIR for this vCPU is correct only after this. An LR the guest left
 * exactly as written may stay in place until the next entry (docs/design.md 7.2b); every other API
 * call still sees its interrupt as folded, so the caller needs to do nothing about it, except not to
 * write the LRs or ICH_HCR_EL2 itself between this and the next flush without vgic_vcpu_load().
 * Resample callbacks of level lines the guest ended run from inside this call, with no vgic lock held.
 */
VGIC_API int vgic_sync_lrs(struct vgic *vm, uint32_t vcpu);
/*
 * The same two on a vCPU handle (from vgic_get_vcpu(), kept by the arch for the vCPU's life): what the
 * arch's world switch calls, since it already knows its vCPU. Only the handle and its backend are
 * checked (HV_EINVAL for NULL, HV_ENODEV with no backend, as after vgic_vcpu_put); vgic_flush_lrs()
 * and vgic_sync_lrs() check the (vm, index) pair as well, on every call.
 */
VGIC_API int vgic_flush_vcpu(struct vgic_vcpu *v);
VGIC_API int vgic_sync_vcpu(struct vgic_vcpu *v);
/*
 * The LR hardware of this physical CPU no longer holds what this vCPU last wrote (it migrated, or
 * another vCPU used the LRs since): the next flush writes every LR it needs and ICH_HCR_EL2. It does
 * not touch ICH_VMCR_EL2 or the APRs: the arch saves them when the vCPU leaves a CPU and restores them
 * here, like the guest's general registers. HV_EBUSY while flushed and not synced.
 */
VGIC_API int vgic_vcpu_load(struct vgic *vm, uint32_t vcpu);
/*
 * Scheduling vCPUs: a physical CPU's interface (its backend and what its LRs hold) is a struct
 * vgic_cpu_if, initialised once with that CPU's backend; the LRs' content starts unknown.
 *   vgic_vcpu_load_on(vm, vcpu, cpu_if)   the vCPU now runs on that CPU (its backend replaces the one
 *                                          set_backend gave); the next flush writes exactly what
 *                                          differs from what the LRs hold, whoever wrote it
 *   vgic_vcpu_put(vm, vcpu)               it leaves: records what the LRs hold for the next vCPU
 * Both refuse a flushed, not yet synced vCPU (HV_EBUSY): every exit syncs, so put after the sync.
 * After a put, flush and sync return HV_ENODEV until the next load; load_on refuses (HV_EINVAL) a CPU
 * whose ICH_VTR_EL2.PRIbits (read once, at vgic_cpu_if_init) disagree with the VM's prio_bits.
 * A vCPU switch with nothing in flight then costs no LR access at all. The core saves no CPU
 * interface register itself: ICH_VMCR_EL2 and the APRs are the guest's context, which the arch saves
 * at put and restores at load (docs/design.md, "vCPUs that move").
 */
VGIC_API int vgic_cpu_if_init(struct vgic_cpu_if *cpu_if, struct lr_backend *be);
VGIC_API int vgic_vcpu_load_on(struct vgic *vm, uint32_t vcpu, struct vgic_cpu_if *cpu_if);
VGIC_API int vgic_vcpu_put(struct vgic *vm, uint32_t vcpu);
/*
 * Save and restore (docs/design.md, "Save and restore"). The blob is versioned and little-endian and
 * holds the distributor, every redistributor, every interrupt (pending, active, level, HW mapping,
 * routing, LPIs) and, if the caller passes them, each vCPU's CPU interface registers (VMCR, APRs:
 * the arch reads them, since the core does not own them). Every vCPU must be synced (none flushed):
 * then nothing sits in an LR that the interrupts do not record. HV_EBUSY otherwise.
 *   vgic_save: needs *used bytes (set even on HV_ENOSPC, so a first call with size 0 asks the size).
 *   vgic_restore: into an instance freshly made with the same vCPUs, SPIs, LPIs and priority bits
 *   (the LR count may differ). The blob is checked completely first: a corrupt, truncated or
 *   incompatible one is refused (HV_EINVAL; HV_ERANGE for another shape) and nothing changes.
 *   cpu (nr_vcpus entries, may be NULL) receives the CPU interface registers to load at entry.
 * HW mappings come back with their physical INTID; where that means another device on the destination,
 * map them again before the first entry.
 */
#define VGIC_SAVE_APRS 4U
struct vgic_cpu_state {
	uint64_t vmcr;
	uint32_t apr[2][VGIC_SAVE_APRS];   /* ICH_AP0R<n>_EL2, ICH_AP1R<n>_EL2 */
};
VGIC_API int vgic_save(struct vgic *vm, const struct vgic_cpu_state *cpu, void *buf, size_t size, size_t *used);
VGIC_API int vgic_restore(struct vgic *vm, const void *blob, size_t len, struct vgic_cpu_state *cpu);
/* Trapped ICC_DIR_EL1 (ICH_HCR_EL2.TDIR); call between sync and flush. */
VGIC_API int vgic_handle_dir(struct vgic *vm, uint32_t vcpu, uint32_t intid);
/* Something deliverable is queued (a WFI should not sleep). */
VGIC_API bool vgic_vcpu_has_pending(struct vgic *vm, uint32_t vcpu);
/*
 * The same, seen through the guest's CPU interface state in vmcr (ICH_VMCR_EL2):
 * a queued pending interrupt whose group the guest enabled and whose priority
 * passes its PMR. A WFI whose pending interrupts are all masked may sleep; the
 * hardware would not signal them either. Call it only when has_pending says
 * yes, so an idle vCPU costs no VMCR read.
 */
VGIC_API bool vgic_vcpu_should_wake(struct vgic *vm, uint32_t vcpu, uint64_t vmcr);

/* ---- register emulation: GICD, GICR, trapped ICC registers (docs/design.md, "Register emulation") ---- */
/*
 * Outcome of a guest access. Negative HV_E* values mean the host passed bad arguments
 * (NULL pointer, width not 1/2/4/8, offset beyond the frame, no such vCPU).
 */
enum vgic_mmio_result {
	VGIC_MMIO_OK = 0,     /* done (RAZ/WI included); a read's value is in *val */
	VGIC_MMIO_ABORT = 1,  /* width or alignment the register does not allow: inject an external abort */
};
#define VGIC_GICD_SIZE 0x10000U  /* the distributor frame */
#define VGIC_GICR_SIZE 0x20000U  /* one redistributor: RD_base then SGI_base; frame i is vCPU i */
/*
 * vcpu: the vCPU that made the access. offset: within the frame. width: 1, 2, 4 or 8 bytes.
 * A write takes *val (bits above width ignored); a read stores the zero-extended value in *val.
 * The arch calls vgic_sync_lrs() before emulating, so the accessing vCPU's own LR state is folded.
 */
VGIC_API int vgic_mmio_dist_access(struct vgic *vm, uint32_t vcpu, uint64_t offset, unsigned width,
			  bool write, uint64_t *val);
VGIC_API int vgic_mmio_redist_access(struct vgic *vm, uint32_t vcpu, uint32_t redist, uint64_t offset,
			    unsigned width, bool write, uint64_t *val);
enum vgic_mmio_frame_id { VGIC_FRAME_GICD = 0, VGIC_FRAME_GICR = 1 };
/* The register at offset ("GICD_ISENABLER"), or NULL for reserved space: for logs and tools.
 * GICR names include the direct LPI registers, reserved in a VM without LPIs. */
VGIC_API const char *vgic_mmio_reg_name(enum vgic_mmio_frame_id frame, uint64_t offset);

enum vgic_sgi_reg { VGIC_ICC_SGI1R = 0, VGIC_ICC_ASGI1R = 1, VGIC_ICC_SGI0R = 2 };
/* A trapped write of ICC_SGI1R_EL1/ICC_ASGI1R_EL1/ICC_SGI0R_EL1 by vcpu. Any value is accepted. */
VGIC_API int vgic_sysreg_sgi(struct vgic *vm, uint32_t vcpu, enum vgic_sgi_reg which, uint64_t value);
/* A trapped ICC_DIR_EL1 write (guest value); INTIDs that do not exist are ignored. */
VGIC_API int vgic_sysreg_dir(struct vgic *vm, uint32_t vcpu, uint64_t value);

/* Print the distributor, each redistributor, each ap_list and LR shadow through hooks->print. */
VGIC_API int vgic_dump(struct vgic *vm);

#endif

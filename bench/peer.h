/* peer.h: interrupt state and storage shared by the peers' re-implementations (KVM classic, KVM 6.19, old Xen).
 * The same fields as the core's struct vgic_irq, kept in plain lists the way the originals keep them. */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>
#include <stdint.h>
#include "bench.h"
#include "blist.h"
#include "vgic.h"

/* Xen's pending_irq status bits (GIC_IRQ_GUEST_QUEUED, _ACTIVE, _VISIBLE, _PRISTINE_LPI). */
#define XEN_QUEUED        (1U << 0)
#define XEN_ACTIVE        (1U << 1)
#define XEN_VISIBLE       (1U << 2)
#define XEN_PRISTINE_LPI  (1U << 3)
/* Xen's irq_desc status bit _IRQ_INPROGRESS, of the physical interrupt behind an HW-mapped one. */
#define XEN_IRQ_INPROGRESS (1U << 0)
/* Xen's v->pause_flags bit _VPF_blocked; KVM's vcpu->requests bit KVM_REQ_IRQ_PENDING. */
#define XEN_VPF_BLOCKED   (1U << 0)
#define KVM_REQ_IRQ_PENDING_BIT (1U << 1)
#define PEER_NO_LR   0xffU
#define PEER_PRIO_MASK 0xf8U   /* 5 implemented priority bits, as the core keeps them */

struct peer_vcpu;
struct kvmc_cte;

struct peer_irq {
	/*
	 * intid, hw_intid, priority, group, enabled, trigger, pending_latch,
	 * line_level, active, hw, in_lr (KVM 6.19's "present in an LR"), lr
	 * (Xen's p->lr) and lock; s.ap_node links KVM's ap_list or Xen's inflight list.
	 */
	struct vgic_irq s;
	struct peer_vcpu *vcpu;        /* KVM irq->vcpu: whose ap_list holds it */
	struct peer_vcpu *target;
	union {                        /* one link, two owners: the struct keeps its size (and its indexing) */
		struct vgic_node lr_queue;   /* Xen: link in lr_pending */
		struct vgic_node lpi_node;   /* KVM classic: link in lpi_list (LPIs only) */
	};
	struct vgic_node raise_node;   /* Xen: a raise waiting for the next entry (see pol_xen.c) */
	uint8_t xstatus;               /* Xen: XEN_* bits */
	uint8_t desc_status;           /* Xen: p->desc->status, for an HW-mapped interrupt */
	bool phys_line;                /* HW level interrupts: the physical line the device drives */
	b_resample_fn resample;
	void *resample_owner;
};

struct peer_vcpu {
	unsigned id;
	vgic_lock_t lock;                  /* KVM: ap_list_lock; Xen: v->arch.vgic.lock */
	struct vgic_node ap_list;          /* KVM: ap_list; Xen: inflight_irqs, priority order */
	struct vgic_node lr_pending;       /* Xen: waiting for an LR, priority order */
	struct vgic_node raises;           /* Xen: raises since the last entry, in arrival order */
	uint64_t lr[LR_BACKEND_MAX_LRS];   /* KVM: cpu_if->vgic_lr, the in-memory LR shadow */
	unsigned used_lrs;                 /* KVM */
	uint64_t hcr;                      /* KVM: cpu_if->vgic_hcr */
	uint64_t vmcr;                     /* KVM 6.19: read back on every exit */
	struct peer_irq *last_in_lr;       /* KVM 6.19: the EOIcount walk starts after it */
	uint32_t lr_mask;                  /* Xen: LRs in use, kept loaded across exits */
	/* The word each peer's kick changes (pol_xen.c xen_vcpu_kick, kvm_common.c kvm_kick). */
	uint32_t pause_flags;              /* Xen: v->pause_flags */
	uint32_t requests;                 /* KVM: vcpu->requests */
	/* vCPU put/load (bench/switch.c): the guest's CPU interface saved off the CPU. KVM classic keeps
	 * ICH_VMCR_EL2 in vmcr above (saved at put); Xen saves every LR too (v->arch.gic.v3.lr[]). */
	uint32_t apr[2][4];
	uint64_t saved_lr[LR_BACKEND_MAX_LRS];
};

struct peer_vm {
	struct bvm base;
	struct peer_vcpu vcpu[B_MAX_VCPUS];
	struct peer_irq priv[B_MAX_VCPUS][B_NR_PRIVATE];
	struct peer_irq spi[B_NR_SPIS];
	struct peer_irq *lpi;
	unsigned nr_lpis;
	unsigned active_spis;              /* KVM 6.19: VM-wide count, sets TDIR */
	/* KVM classic, before v6.9 (see pol_kvm_classic.c): dist->lpi_list_head in mapping order, its
	 * lpi_list_lock, and the ITS's LPI translation cache (an LRU list of nr_cte entries). */
	struct vgic_node lpi_list;
	vgic_lock_t lpi_list_lock;
	struct vgic_node its_cache;
	struct kvmc_cte *cte;
	unsigned nr_cte;
};

static inline struct peer_vm *peer_of(struct bvm *b)
{
	return (struct peer_vm *)(void *)b;
}

static inline struct peer_irq *peer_of_node(struct vgic_node *n)
{
	return blist_entry(n, struct peer_irq, s.ap_node);
}

static inline bool peer_pending(const struct peer_irq *p)
{
	return p->s.pending_latch || (p->s.trigger == VGIC_LEVEL && p->s.line_level);
}

struct bvm *peer_create(const struct policy *pol, unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis);
void peer_destroy(struct bvm *b);
/* Private INTIDs need the vCPU; NULL for what does not exist. */
struct peer_irq *peer_irq(struct peer_vm *vm, unsigned vcpu, uint32_t intid);
/* The same rule KVM's vgic_target_oracle() and our core use. */
struct peer_vcpu *peer_oracle(struct peer_irq *p);

/* Set-up shared by every peer: group 1, priority, trigger, enable; HW mapping; level EOI notifier. */
void peer_configure(struct bvm *b, unsigned vcpu, uint32_t intid, uint8_t prio, bool level);
void peer_map_hw(struct bvm *b, unsigned vcpu, uint32_t intid, uint32_t pintid);
void peer_set_resample(struct bvm *b, unsigned vcpu, uint32_t intid, b_resample_fn fn, void *owner);
void peer_notify_resample(struct peer_irq *p);

#endif

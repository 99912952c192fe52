/* kvm_common.h: what KVM's classic and 6.19 vgic share: injection, LR encoding, folding, pruning.
 * Each function names the Linux function it follows; docs/benchmarks.md lists the facts and versions. */
#ifndef KVM_COMMON_H
#define KVM_COMMON_H

#include "peer.h"

/* kvm_vgic_inject_irq() + vgic_queue_irq_unlock(): latch or line, then add to the target's ap_list tail. */
int kvm_raise_edge(struct bvm *b, unsigned vcpu, uint32_t intid);
int kvm_set_level(struct bvm *b, unsigned vcpu, uint32_t intid, bool high);
int kvm_sgi(struct bvm *b, unsigned src, unsigned dst, uint32_t sgi);
/* vgic_queue_irq_unlock(): p's lock held on entry, dropped on return; onto its target's ap_list tail. */
void kvm_queue_unlock(struct peer_irq *p);

/* vgic_v3_compute_lr(): the LR value, no side effects. irq lock held. */
uint64_t kvm_compute_lr(const struct peer_irq *p);
/* vgic_v3_populate_lr(): compute, consume an edge latch, lower a mapped level line, fill the shadow. */
void kvm_populate_lr(struct peer_vcpu *v, struct peer_irq *p, unsigned lr);
/*
 * One LR of vgic_v3_fold_lr_state(): look the interrupt up by vINTID, fold
 * active/pending back, notify a level EOI. drop_lpi_active: 6.19's "Drop LPI
 * active state when folding LRs".
 */
void kvm_fold_lr(struct peer_vm *vm, struct peer_vcpu *v, uint64_t val, bool drop_lpi_active);
/* The same fold, the interrupt already looked up by the caller (KVM classic's own LPI lookup). */
void kvm_fold_irq(struct peer_vm *vm, struct peer_irq *p, uint64_t val);
/* vgic_prune_ap_list(): walk the whole ap_list and drop or migrate what the oracle says. */
void kvm_prune(struct peer_vm *vm, struct peer_vcpu *v);
/* The same, before v6.9: dropping an LPI's ap_list reference takes lpi_list_lock (vgic_put_irq()). */
void kvm_prune_lpi_locked(struct peer_vm *vm, struct peer_vcpu *v);

/*
 * vcpu_put/vcpu_load of the GICv3 CPU interface (vgic_v3_put()/vgic_v3_load() in vgic-v3.c, the hyp side
 * in hyp/vgic-v3-sr.c). The LRs are not touched: every exit already saved and zeroed the used ones.
 * kvm_put_aprs(): __vgic_v3_save_aprs(), an ICH_VTR_EL2 read for the preemption bits, then AP0Rn and
 * AP1Rn (one each with 5 bits, two with 6, four with 7). kvm_load_vmcr_aprs(): __vgic_v3_restore_vmcr_aprs(),
 * an ICH_VMCR_EL2 write, then ICH_VTR_EL2 and the APRs as at put.
 */
void kvm_put_aprs(struct bvm *b, unsigned vcpu);
void kvm_load_vmcr_aprs(struct bvm *b, unsigned vcpu, unsigned cpu);

#endif

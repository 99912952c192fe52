/* peer.c: storage, lookup, oracle and set-up shared by the peers' re-implementations.
 * Set-up is not measured; only the data path (injection, flush, sync) differs between the peers. */
#include <stdio.h>
#include <stdlib.h>
#include "peer.h"

static void irq_reset(struct peer_irq *p, uint32_t intid, struct peer_vcpu *target)
{
	blist_init(&p->s.ap_node);
	blist_init(&p->lr_queue);   /* and lpi_node, which shares it */
	blist_init(&p->raise_node);
	p->s.intid = intid;
	p->s.lr = PEER_NO_LR;
	/* SGIs and LPIs are edge; PPIs and SPIs reset to level, as in the core. */
	p->s.trigger = (intid < B_NR_SGIS || intid >= B_LPI_BASE) ? VGIC_EDGE : VGIC_LEVEL;
	p->target = target;
}

struct bvm *peer_create(const struct policy *pol, unsigned nr_vcpus, unsigned nr_lrs, unsigned nr_lpis)
{
	struct peer_vm *vm = calloc(1, sizeof(*vm));

	if (!vm || (nr_lpis && !(vm->lpi = calloc(nr_lpis, sizeof(*vm->lpi))))) {
		fprintf(stderr, "lr_bench: out of memory\n");
		abort();
	}
	bvm_init_models(&vm->base, pol, nr_vcpus, nr_lrs);
	vm->nr_lpis = nr_lpis;
	for (unsigned c = 0; c < nr_vcpus; c++) {
		struct peer_vcpu *v = &vm->vcpu[c];

		v->id = c;
		blist_init(&v->ap_list);
		blist_init(&v->lr_pending);
		blist_init(&v->raises);
		v->hcr = ICH_HCR_EN;   /* KVM's vgic_v3_enable(): "Get the show on the road..." */
		for (uint32_t i = 0; i < B_NR_PRIVATE; i++)
			irq_reset(&vm->priv[c][i], i, v);
	}
	for (uint32_t i = 0; i < B_NR_SPIS; i++)
		irq_reset(&vm->spi[i], B_NR_PRIVATE + i, &vm->vcpu[0]);
	for (uint32_t i = 0; i < nr_lpis; i++)
		irq_reset(&vm->lpi[i], B_LPI_BASE + i, &vm->vcpu[0]);
	return &vm->base;
}

void peer_destroy(struct bvm *b)
{
	struct peer_vm *vm = peer_of(b);

	free(vm->lpi);
	free(vm);
}

struct peer_irq *peer_irq(struct peer_vm *vm, unsigned vcpu, uint32_t intid)
{
	if (intid < B_NR_PRIVATE)
		return vcpu < vm->base.nr_vcpus ? &vm->priv[vcpu][intid] : NULL;
	if (intid - B_NR_PRIVATE < B_NR_SPIS)
		return &vm->spi[intid - B_NR_PRIVATE];
	if (intid >= B_LPI_BASE && intid - B_LPI_BASE < vm->nr_lpis)
		return &vm->lpi[intid - B_LPI_BASE];
	return NULL;
}

struct peer_vcpu *peer_oracle(struct peer_irq *p)
{
	/* An active interrupt stays where it is active; a pending, enabled one goes to its target. */
	if (p->s.active)
		return p->vcpu ? p->vcpu : p->target;
	if (p->s.enabled && peer_pending(p))
		return p->target;
	return NULL;
}

static struct peer_irq *must_get(struct bvm *b, unsigned vcpu, uint32_t intid)
{
	struct peer_irq *p = peer_irq(peer_of(b), vcpu, intid);

	if (!p) {
		fprintf(stderr, "lr_bench: %s: no INTID %u\n", b->pol->name, intid);
		abort();
	}
	return p;
}

void peer_configure(struct bvm *b, unsigned vcpu, uint32_t intid, uint8_t prio, bool level)
{
	struct peer_irq *p = must_get(b, vcpu, intid);

	p->s.group = B_GRP1;
	p->s.priority = prio & PEER_PRIO_MASK;
	if (intid >= B_NR_SGIS)
		p->s.trigger = level ? VGIC_LEVEL : VGIC_EDGE;
	p->s.enabled = 1;
}

void peer_map_hw(struct bvm *b, unsigned vcpu, uint32_t intid, uint32_t pintid)
{
	struct peer_irq *p = must_get(b, vcpu, intid);

	p->s.hw = 1;
	p->s.hw_intid = pintid;
}

void peer_set_resample(struct bvm *b, unsigned vcpu, uint32_t intid, b_resample_fn fn, void *owner)
{
	struct peer_irq *p = must_get(b, vcpu, intid);

	p->resample = fn;
	p->resample_owner = owner;
}

void peer_notify_resample(struct peer_irq *p)
{
	if (p->resample)
		p->resample(p->resample_owner, p->s.intid);
}

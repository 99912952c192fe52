/* vgic_mmio.c: register-map dispatch (width, alignment, reserved space) and the per-INTID registers.
 * The GICD and a GICR SGI frame share these handlers; vgic_mmio_irq() decides which INTIDs each frame owns. */
#include "vgic_mmio.h"

/* ProductID 'V' (this vgic); implementer 0 is no JEP106 allocation, so no guest erratum matches it. */
#define VGIC_IIDR_PRODUCT_ID   0x56U
#define VGIC_IIDR_IMPLEMENTER  0x000U
#define VGIC_IIDR_VARIANT      0x0U
#define VGIC_IIDR_REVISION     0x0U

#define BITS_PER_BYTE 8U

static unsigned width_bit(unsigned width)
{
	switch (width) {
	case 1: return VGIC_MMIO_W8;
	case 2: return VGIC_MMIO_W16;
	case 4: return VGIC_MMIO_W32;
	case 8: return VGIC_MMIO_W64;
	default: return 0;
	}
}

static uint64_t width_mask(unsigned width)
{
	return width >= sizeof(uint64_t) ? ~0ULL : (1ULL << (width * BITS_PER_BYTE)) - 1U;
}

const struct vgic_mmio_reg *vgic_mmio_find(const struct vgic_mmio_frame *f, uint32_t offset,
					   unsigned width)
{
	for (unsigned i = 0; i < f->nr_regs; i++) {
		const struct vgic_mmio_reg *r = &f->regs[i];

		if (r->offset < offset + width && offset < r->offset + r->len)
			return r;
	}
	return NULL;
}

enum vgic_mmio_outcome vgic_mmio_dispatch(const struct vgic_mmio_frame *f,
					  const struct vgic_mmio_ctx *c, uint32_t offset,
					  unsigned width, bool write, uint64_t *val)
{
	const struct vgic_mmio_reg *r;

	if (!write)
		*val = 0;
	/* Device registers are naturally aligned: a misaligned access has no single register. */
	if (offset & (width - 1U))
		return VGIC_MMIO_REFUSED;
	r = vgic_mmio_find(f, offset, width);
	if (!r)
		return VGIC_MMIO_RESERVED;
	if (!(r->widths & width_bit(width)) || offset < r->offset ||
	    offset + width > r->offset + r->len)
		return VGIC_MMIO_REFUSED;
	if (write) {
		if (r->write)
			r->write(c, offset - r->offset, width, *val & width_mask(width));
	} else if (r->read) {
		*val = r->read(c, offset - r->offset, width) & width_mask(width);
	}
	return VGIC_MMIO_HIT;
}

int vgic_mmio_check_args(struct vgic *vm, uint32_t vcpu, unsigned width, const uint64_t *val)
{
	if (!vm || !val || !width_bit(width))
		return HV_EINVAL;
	if (vcpu >= vm->nr_vcpus)
		return HV_ERANGE;
	return HV_OK;
}

int vgic_mmio_account(struct vgic *vm, uint32_t vcpu, enum vgic_mmio_outcome o)
{
	struct vgic_vcpu_stats *s = &vm->vcpus[vcpu].stats;

	/* Only the accessing vCPU's thread touches its counters, so they need no lock. */
	s->mmio_accesses++;
	if (o == VGIC_MMIO_RESERVED)
		s->mmio_reserved++;
	if (o == VGIC_MMIO_REFUSED) {
		s->mmio_aborts++;
		return VGIC_MMIO_ABORT;
	}
	return VGIC_MMIO_OK;
}

const char *vgic_mmio_reg_name(enum vgic_mmio_frame_id frame, uint64_t offset)
{
	const struct vgic_mmio_frame *f;
	const struct vgic_mmio_reg *r;

	if (frame == VGIC_FRAME_GICD && offset < GICD_FRAME_SIZE) {
		f = &vgic_dist_frame;
	} else if (frame == VGIC_FRAME_GICR && offset < GICR_SGI_BASE) {
		f = &vgic_redist_rd_lpi_frame;  /* every register a configuration can have */
	} else if (frame == VGIC_FRAME_GICR && offset < GICR_STRIDE) {
		f = &vgic_redist_sgi_frame;
		offset -= GICR_SGI_BASE;
	} else {
		return NULL;
	}
	r = vgic_mmio_find(f, (uint32_t)offset, 1);
	return r ? r->name : NULL;
}

/* ---- 64-bit registers ---- */

#define HALF_BITS  32U
#define LOW_HALF   0xffffffffULL

static bool upper_half(uint32_t off, unsigned width)
{
	return width == sizeof(uint32_t) && (off % sizeof(uint64_t)) != 0;
}

uint64_t vgic_mmio_extract64(uint64_t reg, uint32_t off, unsigned width)
{
	return upper_half(off, width) ? reg >> HALF_BITS : reg;
}

uint64_t vgic_mmio_merge64(uint64_t reg, uint32_t off, unsigned width, uint64_t val)
{
	if (width == sizeof(uint64_t))
		return val;
	if (upper_half(off, width))
		return (reg & LOW_HALF) | ((val & LOW_HALF) << HALF_BITS);
	return (reg & ~LOW_HALF) | (val & LOW_HALF);
}

/* ---- which interrupt a field names ---- */

struct vgic_irq *vgic_mmio_irq(const struct vgic_mmio_ctx *c, uint32_t intid)
{
	if (c->rd)
		return intid < VGIC_NR_PRIVATE ? &c->rd->priv[intid] : NULL;
	if (intid < VGIC_SPI_BASE || intid - VGIC_SPI_BASE >= c->vm->nr_spis)
		return NULL;
	return &c->vm->spis[intid - VGIC_SPI_BASE];
}

uint32_t vgic_mmio_setter_vcpu(const struct vgic_mmio_ctx *c)
{
	return c->rd ? c->rd->id : 0;
}

/* The state a guest reads back, taken under the interrupt's locks. */
struct irq_view {
	bool pending, active, enabled, edge;
	uint8_t group, priority;
};

static void irq_view(struct vgic *vm, struct vgic_irq *irq, struct irq_view *out)
{
	struct vgic_vcpu *v = vgic_irq_lock_listed(vm, irq);
	bool pend = vgic_irq_is_pending(irq);
	bool act = irq->active;

	/*
	 * In an LR (of a vCPU still running: the accessing one was synced before this trap)
	 * the hardware holds what the last entry gave it; register writes made since are
	 * queued as requests, and win.
	 */
	if (irq->in_lr && v) {
		uint64_t lr = v->lr_val[irq->lr];

		if ((lr & ICH_LR_STATE_PENDING) && !irq->pend_clear_req)
			pend = true;
		if (lr & ICH_LR_STATE_ACTIVE)
			act = true;
		if (irq->act_req == VGIC_ACT_REQ_SET)
			act = true;
		else if (irq->act_req == VGIC_ACT_REQ_CLEAR)
			act = false;
	}
	out->pending = pend;
	out->active = act;
	out->enabled = irq->enabled;
	out->edge = irq->trigger == VGIC_EDGE;
	out->group = irq->group;
	out->priority = irq->priority;
	vgic_unlock(vm, &irq->lock);
	if (v)
		vgic_unlock(vm, &v->ap_lock);
}

/* ---- one bit per INTID: IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER ---- */

enum irq_bit { BIT_GROUP, BIT_ENABLED, BIT_PENDING, BIT_ACTIVE };

static bool view_bit(const struct irq_view *w, enum irq_bit b)
{
	switch (b) {
	case BIT_GROUP: return w->group != 0;
	case BIT_ENABLED: return w->enabled;
	case BIT_PENDING: return w->pending;
	case BIT_ACTIVE: return w->active;
	}
	return false;
}

static uint64_t read_bits(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, enum irq_bit b)
{
	uint32_t first = off * BITS_PER_BYTE;
	uint64_t val = 0;

	for (uint32_t i = 0; i < width * BITS_PER_BYTE; i++) {
		struct vgic_irq *irq = vgic_mmio_irq(c, first + i);
		struct irq_view w;

		if (!irq)
			continue;
		irq_view(c->vm, irq, &w);
		if (view_bit(&w, b))
			val |= 1ULL << i;
	}
	return val;
}

typedef int (*irq_bool_setter)(struct vgic *vm, uint32_t vcpu, uint32_t intid, bool on);

/* Write-1-to-set / write-1-to-clear: only the ones act, zeros leave the interrupt alone. */
static void write_ones(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val,
		       irq_bool_setter set, bool on)
{
	uint32_t first = off * BITS_PER_BYTE;

	for (uint32_t i = 0; i < width * BITS_PER_BYTE; i++) {
		if (!((val >> i) & 1U) || !vgic_mmio_irq(c, first + i))
			continue;
		(void)set(c->vm, vgic_mmio_setter_vcpu(c), first + i, on);
	}
}

uint64_t vgic_mmio_read_group(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return read_bits(c, off, width, BIT_GROUP);
}

void vgic_mmio_write_group(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t first = off * BITS_PER_BYTE;

	for (uint32_t i = 0; i < width * BITS_PER_BYTE; i++) {
		struct vgic_irq *irq = vgic_mmio_irq(c, first + i);
		unsigned grp = (unsigned)((val >> i) & 1U);
		struct irq_view w;

		if (!irq)
			continue;
		/* An unchanged group must not requeue (and kick) a queued interrupt. */
		irq_view(c->vm, irq, &w);
		if (w.group != grp)
			(void)vgic_irq_set_group(c->vm, vgic_mmio_setter_vcpu(c), first + i, grp);
	}
}

uint64_t vgic_mmio_read_enable(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return read_bits(c, off, width, BIT_ENABLED);
}

void vgic_mmio_write_senable(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	write_ones(c, off, width, val, vgic_irq_set_enabled, true);
}

void vgic_mmio_write_cenable(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	write_ones(c, off, width, val, vgic_irq_set_enabled, false);
}

uint64_t vgic_mmio_read_pending(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return read_bits(c, off, width, BIT_PENDING);
}

void vgic_mmio_write_spending(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	write_ones(c, off, width, val, vgic_irq_set_pending, true);
}

void vgic_mmio_write_cpending(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	write_ones(c, off, width, val, vgic_irq_set_pending, false);
}

uint64_t vgic_mmio_read_active(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return read_bits(c, off, width, BIT_ACTIVE);
}

void vgic_mmio_write_sactive(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	write_ones(c, off, width, val, vgic_irq_set_active, true);
}

void vgic_mmio_write_cactive(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	write_ones(c, off, width, val, vgic_irq_set_active, false);
}

/* ---- one byte per INTID: IPRIORITYR ---- */

uint64_t vgic_mmio_read_priority(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	uint64_t val = 0;

	for (uint32_t i = 0; i < width; i++) {
		struct vgic_irq *irq = vgic_mmio_irq(c, off + i);
		struct irq_view w;

		if (!irq)
			continue;
		irq_view(c->vm, irq, &w);
		val |= (uint64_t)w.priority << (i * BITS_PER_BYTE);
	}
	return val;
}

void vgic_mmio_write_priority(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	for (uint32_t i = 0; i < width; i++) {
		struct vgic_irq *irq = vgic_mmio_irq(c, off + i);
		uint8_t prio = (uint8_t)(val >> (i * BITS_PER_BYTE)) & c->vm->prio_mask;
		struct irq_view w;

		if (!irq)
			continue;
		irq_view(c->vm, irq, &w);
		if (w.priority != prio)
			(void)vgic_irq_set_priority(c->vm, vgic_mmio_setter_vcpu(c), off + i, prio);
	}
}

/* ---- two bits per INTID: ICFGR ---- */

uint64_t vgic_mmio_read_config(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	uint32_t first = off * GIC_CFG_PER_BYTE;
	uint64_t val = 0;

	for (uint32_t i = 0; i < width * GIC_CFG_PER_BYTE; i++) {
		struct vgic_irq *irq = vgic_mmio_irq(c, first + i);
		struct irq_view w;

		if (!irq)
			continue;
		irq_view(c->vm, irq, &w);
		if (w.edge)
			val |= (uint64_t)GIC_ICFGR_EDGE << (i * GIC_CFG_FIELD_BITS);
	}
	return val;
}

void vgic_mmio_write_config(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t first = off * GIC_CFG_PER_BYTE;

	for (uint32_t i = 0; i < width * GIC_CFG_PER_BYTE; i++) {
		uint32_t intid = first + i;
		struct vgic_irq *irq = vgic_mmio_irq(c, intid);
		bool edge = (val >> (i * GIC_CFG_FIELD_BITS)) & GIC_ICFGR_EDGE;
		struct irq_view w;

		/* SGIs are always edge: their fields are read-only. PPIs are programmable (design.md). */
		if (!irq || intid < VGIC_NR_SGIS)
			continue;
		irq_view(c->vm, irq, &w);
		if (w.edge != edge)
			(void)vgic_irq_set_trigger(c->vm, vgic_mmio_setter_vcpu(c), intid,
						   edge ? VGIC_EDGE : VGIC_LEVEL);
	}
}

/* ---- identification ---- */

static const uint32_t vgic_idregs[GIC_NR_IDREGS] = {
	GIC_PIDR4_SIZE_64K << GIC_PIDR4_SIZE_SHIFT,           /* PIDR4 */
	0, 0, 0,                                              /* PIDR5..7 */
	VGIC_IIDR_PRODUCT_ID,                                 /* PIDR0: part number */
	0,                                                    /* PIDR1 */
	GIC_PIDR2_ArchRev_GICv3 << GIC_PIDR2_ArchRev_SHIFT,   /* PIDR2: a GICv3 */
	0,                                                    /* PIDR3 */
	GIC_CIDR0, GIC_CIDR1, GIC_CIDR2, GIC_CIDR3,
};

uint64_t vgic_mmio_read_idreg(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	(void)c;
	(void)width;
	return vgic_idregs[(off / sizeof(uint32_t)) % GIC_NR_IDREGS];
}

uint64_t vgic_mmio_read_iidr(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	(void)c;
	(void)off;
	(void)width;
	return (VGIC_IIDR_PRODUCT_ID << GIC_IIDR_ProductID_SHIFT) |
	       (VGIC_IIDR_VARIANT << GIC_IIDR_Variant_SHIFT) |
	       (VGIC_IIDR_REVISION << GIC_IIDR_Revision_SHIFT) |
	       (VGIC_IIDR_IMPLEMENTER << GIC_IIDR_Implementer_SHIFT);
}

/* vgic_redist.c: one redistributor per vCPU: the RD_base frame (CTLR, TYPER, WAKER, ...) and the SGI_base
 * frame, whose per-INTID registers are the GICD handlers applied to that vCPU's SGIs and PPIs. */
#include "vgic_mmio.h"

/* ---- values shared with the dump ---- */

uint64_t vgic_redist_typer(const struct vgic *vm, const struct vgic_vcpu *v)
{
	/* No LPIs, no VLPIs, no DPG bits, 16 PPIs; Last marks the end of the walk Linux does. */
	uint64_t t = (uint64_t)gic_mpidr_aff(v->mpidr) << GICR_TYPER_Affinity_SHIFT;

	t |= ((uint64_t)v->id & GICR_TYPER_Processor_Number_MASK) << GICR_TYPER_Processor_Number_SHIFT;
	if (v->id + 1U == vm->nr_vcpus)
		t |= GICR_TYPER_Last;
	return t;
}

uint32_t vgic_redist_waker(const struct vgic_vcpu *v)
{
	/* The children (our CPU interface model) go to sleep and wake at once. */
	return v->rd_awake ? 0 : GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep;
}

/* ---- RD_base ---- */

static uint64_t typer_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return vgic_mmio_extract64(vgic_redist_typer(c->vm, c->rd), off, width);
}

static uint64_t waker_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	uint32_t v;

	(void)off;
	(void)width;
	vgic_lock(c->vm, &c->vm->dist_lock);
	v = vgic_redist_waker(c->rd);
	vgic_unlock(c->vm, &c->vm->dist_lock);
	return v;
}

static void waker_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	bool awake = !(val & GICR_WAKER_ProcessorSleep);
	bool changed;

	(void)off;
	(void)width;
	vgic_lock(c->vm, &c->vm->dist_lock);
	changed = c->rd->rd_awake != awake;
	if (changed) {
		c->rd->rd_awake = awake;
		c->vm->route_gen++;
	}
	vgic_unlock(c->vm, &c->vm->dist_lock);
	/* The set of vCPUs taking part in 1-of-N routing changed. */
	if (changed)
		vgic_dist_reroute_irm(c->vm);
}

static uint64_t propbaser_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	uint64_t v;

	vgic_lock(c->vm, &c->vm->dist_lock);
	v = c->rd->rd_propbaser;
	vgic_unlock(c->vm, &c->vm->dist_lock);
	return vgic_mmio_extract64(v, off, width);
}

static void propbaser_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	vgic_lock(c->vm, &c->vm->dist_lock);
	c->rd->rd_propbaser = vgic_mmio_merge64(c->rd->rd_propbaser, off, width, val) &
			      GICR_PROPBASER_WRITABLE;
	vgic_unlock(c->vm, &c->vm->dist_lock);
}

static uint64_t pendbaser_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	uint64_t v;

	vgic_lock(c->vm, &c->vm->dist_lock);
	v = c->rd->rd_pendbaser;
	vgic_unlock(c->vm, &c->vm->dist_lock);
	return vgic_mmio_extract64(v, off, width);
}

static void pendbaser_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	vgic_lock(c->vm, &c->vm->dist_lock);
	c->rd->rd_pendbaser = vgic_mmio_merge64(c->rd->rd_pendbaser, off, width, val) &
			      GICR_PENDBASER_WRITABLE;
	vgic_unlock(c->vm, &c->vm->dist_lock);
}

#define W32      VGIC_MMIO_W32
#define W8_32    VGIC_MMIO_W8_32
#define W32_64   VGIC_MMIO_W32_64

/*
 * GICR_CTLR reads as zero: EnableLPIs is RES0 without LPIs, RWP and UWP are zero because writes
 * complete at once. SETLPIR, INVLPIR, SYNCR and friends exist only with LPIs: reserved here.
 */
static const struct vgic_mmio_reg rd_regs[] = {
	{ "GICR_CTLR",      GICR_CTLR,      VGIC_REG32, W32, NULL, NULL },
	{ "GICR_IIDR",      GICR_IIDR,      VGIC_REG32, W32, vgic_mmio_read_iidr, NULL },
	{ "GICR_TYPER",     GICR_TYPER,     VGIC_REG64, W32_64, typer_read, NULL },
	{ "GICR_STATUSR",   GICR_STATUSR,   VGIC_REG32, W32, NULL, NULL },
	{ "GICR_WAKER",     GICR_WAKER,     VGIC_REG32, W32, waker_read, waker_write },
	{ "GICR_PROPBASER", GICR_PROPBASER, VGIC_REG64, W32_64, propbaser_read, propbaser_write },
	{ "GICR_PENDBASER", GICR_PENDBASER, VGIC_REG64, W32_64, pendbaser_read, pendbaser_write },
	{ "GICR_ID",        GICR_IDREGS,    GIC_IDREGS_BYTES, W32, vgic_mmio_read_idreg, NULL },
};

const struct vgic_mmio_frame vgic_redist_rd_frame = {
	.name = "GICR_RD",
	.regs = rd_regs,
	.nr_regs = sizeof(rd_regs) / sizeof(rd_regs[0]),
	.size = GICR_FRAME_SIZE,
};

/* ---- SGI_base: this vCPU's SGIs and PPIs; GICR_ICFGR0 (SGIs) is read-only in the handler ---- */

static const struct vgic_mmio_reg sgi_regs[] = {
	{ "GICR_IGROUPR0",   GICR_IGROUPR0,   VGIC_REG32, W32, vgic_mmio_read_group, vgic_mmio_write_group },
	{ "GICR_ISENABLER0", GICR_ISENABLER0, VGIC_REG32, W32, vgic_mmio_read_enable, vgic_mmio_write_senable },
	{ "GICR_ICENABLER0", GICR_ICENABLER0, VGIC_REG32, W32, vgic_mmio_read_enable, vgic_mmio_write_cenable },
	{ "GICR_ISPENDR0",   GICR_ISPENDR0,   VGIC_REG32, W32, vgic_mmio_read_pending, vgic_mmio_write_spending },
	{ "GICR_ICPENDR0",   GICR_ICPENDR0,   VGIC_REG32, W32, vgic_mmio_read_pending, vgic_mmio_write_cpending },
	{ "GICR_ISACTIVER0", GICR_ISACTIVER0, VGIC_REG32, W32, vgic_mmio_read_active, vgic_mmio_write_sactive },
	{ "GICR_ICACTIVER0", GICR_ICACTIVER0, VGIC_REG32, W32, vgic_mmio_read_active, vgic_mmio_write_cactive },
	{ "GICR_IPRIORITYR", GICR_IPRIORITYR0, GICR_IPRIORITYR_BYTES, W8_32,
	  vgic_mmio_read_priority, vgic_mmio_write_priority },
	{ "GICR_ICFGR",      GICR_ICFGR0,     GICR_ICFGR_BYTES, W32, vgic_mmio_read_config, vgic_mmio_write_config },
	/* DS = 1: no group modifier and no non-secure access control. */
	{ "GICR_IGRPMODR0",  GICR_IGRPMODR0,  VGIC_REG32, W32, NULL, NULL },
	{ "GICR_NSACR",      GICR_NSACR,      VGIC_REG32, W32, NULL, NULL },
};

const struct vgic_mmio_frame vgic_redist_sgi_frame = {
	.name = "GICR_SGI",
	.regs = sgi_regs,
	.nr_regs = sizeof(sgi_regs) / sizeof(sgi_regs[0]),
	.size = GICR_FRAME_SIZE,
};

int vgic_mmio_redist_access(struct vgic *vm, uint32_t vcpu, uint32_t redist, uint64_t offset,
			    unsigned width, bool write, uint64_t *val)
{
	const struct vgic_mmio_frame *f = &vgic_redist_rd_frame;
	struct vgic_mmio_ctx c;
	int rc = vgic_mmio_check_args(vm, vcpu, width, val);

	if (rc)
		return rc;
	if (redist >= vm->nr_vcpus || offset >= GICR_STRIDE)
		return HV_ERANGE;
	if (offset >= GICR_SGI_BASE) {
		f = &vgic_redist_sgi_frame;
		offset -= GICR_SGI_BASE;
	}
	c.vm = vm;
	c.rd = &vm->vcpus[redist];
	return vgic_mmio_account(vm, vcpu, vgic_mmio_dispatch(f, &c, (uint32_t)offset, width, write, val));
}

/* vgic_redist.c: one redistributor per vCPU: the RD_base frame (CTLR, TYPER, WAKER, ...) and the SGI_base
 * frame, whose per-INTID registers are the GICD handlers applied to that vCPU's SGIs and PPIs. */
#include "vgic_mmio.h"

/* ---- values shared with the dump ---- */

uint64_t vgic_redist_typer(const struct vgic *vm, const struct vgic_vcpu *v)
{
	/* No VLPIs, no DPG bits, 16 PPIs; Last marks the end of the walk Linux does. */
	uint64_t t = (uint64_t)gic_mpidr_aff(v->mpidr) << GICR_TYPER_Affinity_SHIFT;

	/* With LPIs: physical LPIs, and the direct LPI registers (SETLPIR and friends) as well. */
	if (vm->nr_lpis)
		t |= GICR_TYPER_PLPIS | GICR_TYPER_DirectLPI;

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

/* With EnableLPIs set a write to PROPBASER or PENDBASER is UNPREDICTABLE: we ignore it. */
static bool lpis_on(const struct vgic_mmio_ctx *c)
{
	return __atomic_load_n(&c->rd->rd_lpis_enabled, __ATOMIC_ACQUIRE);
}

static void propbaser_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	if (lpis_on(c))
		return;
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
	uint64_t merged;

	if (lpis_on(c))
		return;
	vgic_lock(c->vm, &c->vm->dist_lock);
	merged = vgic_mmio_merge64(c->rd->rd_pendbaser, off, width, val);
	/* PTZ is a hint at the time of the write (reads as zero): remember it for the next enable. */
	if (off + width > 7U)
		c->rd->rd_pend_ptz = (merged & GICR_PENDBASER_PTZ) != 0;
	c->rd->rd_pendbaser = merged & GICR_PENDBASER_WRITABLE;
	vgic_unlock(c->vm, &c->vm->dist_lock);
}

/* GICR_CTLR: EnableLPIs is the only writable bit, and only with LPIs; RWP reads 0 (writes complete). */
static uint64_t ctlr_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	(void)off;
	(void)width;
	return lpis_on(c) ? GICR_CTLR_EnableLPIs : 0;
}

static void ctlr_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	(void)off;
	(void)width;
	vgic_lpi_ctlr_write(c->vm, c->rd, (val & GICR_CTLR_EnableLPIs) != 0);
}

/* The direct LPI registers: reserved (RAZ/WI) without LPIs. */
static void setlpir_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	if (off == 0 && c->vm->nr_lpis)
		(void)vgic_lpi_set_pending(c->vm, c->rd, (uint32_t)(val & GICR_LPIR_INTID_MASK), true);
	(void)width;
}

static void clrlpir_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	if (off == 0 && c->vm->nr_lpis)
		(void)vgic_lpi_set_pending(c->vm, c->rd, (uint32_t)(val & GICR_LPIR_INTID_MASK), false);
	(void)width;
}

static void invlpir_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t intid = (uint32_t)(val & GICR_LPIR_INTID_MASK);

	(void)width;
	if (off == 0 && intid - VGIC_LPI_BASE < c->vm->nr_lpis)
		vgic_lpi_read_config(c->vm, c->rd, intid - VGIC_LPI_BASE, 1);
}

static void invallr_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	(void)val;
	(void)width;
	if (off == 0 && c->vm->nr_lpis)
		vgic_lpi_read_config(c->vm, c->rd, 0, c->vm->nr_lpis);
}

#define W32      VGIC_MMIO_W32
#define W8_32    VGIC_MMIO_W8_32
#define W32_64   VGIC_MMIO_W32_64

/*
 * GICR_CTLR: EnableLPIs (RES0 without LPIs); RWP and UWP are zero because writes complete at once.
 * Without LPIs the direct LPI registers are reserved space (RAZ/WI at any width); with them the
 * second table applies: SETLPIR, CLRLPIR, INVLPIR, INVALLR, and SYNCR, which reads 0 because
 * nothing is ever in flight.
 */
#define RD_REGS_COMMON \
	{ "GICR_CTLR",      GICR_CTLR,      VGIC_REG32, W32, ctlr_read, ctlr_write }, \
	{ "GICR_IIDR",      GICR_IIDR,      VGIC_REG32, W32, vgic_mmio_read_iidr, NULL }, \
	{ "GICR_TYPER",     GICR_TYPER,     VGIC_REG64, W32_64, typer_read, NULL }, \
	{ "GICR_STATUSR",   GICR_STATUSR,   VGIC_REG32, W32, NULL, NULL }, \
	{ "GICR_WAKER",     GICR_WAKER,     VGIC_REG32, W32, waker_read, waker_write }, \
	{ "GICR_PROPBASER", GICR_PROPBASER, VGIC_REG64, W32_64, propbaser_read, propbaser_write }, \
	{ "GICR_PENDBASER", GICR_PENDBASER, VGIC_REG64, W32_64, pendbaser_read, pendbaser_write }, \
	{ "GICR_ID",        GICR_IDREGS,    GIC_IDREGS_BYTES, W32, vgic_mmio_read_idreg, NULL }

static const struct vgic_mmio_reg rd_regs[] = { RD_REGS_COMMON };

static const struct vgic_mmio_reg rd_lpi_regs[] = {
	RD_REGS_COMMON,
	{ "GICR_SETLPIR",   GICR_SETLPIR,   VGIC_REG64, W32_64, NULL, setlpir_write },
	{ "GICR_CLRLPIR",   GICR_CLRLPIR,   VGIC_REG64, W32_64, NULL, clrlpir_write },
	{ "GICR_INVLPIR",   GICR_INVLPIR,   VGIC_REG64, W32_64, NULL, invlpir_write },
	{ "GICR_INVALLR",   GICR_INVALLR,   VGIC_REG64, W32_64, NULL, invallr_write },
	{ "GICR_SYNCR",     GICR_SYNCR,     VGIC_REG32, W32, NULL, NULL },
};

const struct vgic_mmio_frame vgic_redist_rd_frame = {
	.name = "GICR_RD",
	.regs = rd_regs,
	.nr_regs = sizeof(rd_regs) / sizeof(rd_regs[0]),
	.size = GICR_FRAME_SIZE,
};

const struct vgic_mmio_frame vgic_redist_rd_lpi_frame = {
	.name = "GICR_RD",
	.regs = rd_lpi_regs,
	.nr_regs = sizeof(rd_lpi_regs) / sizeof(rd_lpi_regs[0]),
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
	const struct vgic_mmio_frame *f;
	struct vgic_mmio_ctx c;
	int rc = vgic_mmio_check_args(vm, vcpu, width, val);

	if (rc)
		return rc;
	f = vm->nr_lpis ? &vgic_redist_rd_lpi_frame : &vgic_redist_rd_frame;
	if (redist >= vm->nr_vcpus || offset >= GICR_STRIDE)
		return HV_ERANGE;
	if (offset >= GICR_SGI_BASE) {
		f = &vgic_redist_sgi_frame;
		offset -= GICR_SGI_BASE;
	}
	c.vm = vm;
	c.rd = &vm->vcpus[redist];
	c.its = NULL;
	return vgic_mmio_account(vm, vcpu, vgic_mmio_dispatch(f, &c, (uint32_t)offset, width, write, val));
}

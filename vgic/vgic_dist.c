/* vgic_dist.c: the GICD frame: its register table, the distributor-only registers, and SPI routing.
 * One security state (DS = 1) with affinity routing always on, so the GICD holds no SGI/PPI state. */
#include "vgic_mmio.h"

#define VGIC_TYPER_CPUS_MAX (GICD_TYPER_CPUNumber_MAX + 1U)

/* ---- values shared with the dump ---- */

uint32_t vgic_dist_ctlr(struct vgic *vm)
{
	/* ARE and DS read as one and ignore writes; RWP is zero because every write completes at once. */
	uint32_t v = GICD_CTLR_ARE_NS | GICD_CTLR_DS;

	vgic_lock(vm, &vm->dist_lock);
	if (vm->grp0_enabled)
		v |= GICD_CTLR_EnableGrp0;
	if (vm->grp1_enabled)
		v |= GICD_CTLR_EnableGrp1;
	vgic_unlock(vm, &vm->dist_lock);
	return v;
}

uint32_t vgic_dist_typer(const struct vgic *vm)
{
	uint32_t cpus = vm->nr_vcpus < VGIC_TYPER_CPUS_MAX ? vm->nr_vcpus : VGIC_TYPER_CPUS_MAX;
	/* 32 * (ITLinesNumber + 1) INTIDs must cover every SPI; 988 SPIs (up to 1019) give 31. */
	uint32_t lines = (vm->nr_spis + GIC_INTIDS_PER_WORD - 1U) / GIC_INTIDS_PER_WORD;

	/*
	 * MBIS: SETSPI/CLRSPI_NSR exist only when it is set, and we implement them.
	 * No1N clear: IRM=1 routing is supported. RSS: ICC_SGI1R.RS reaches Aff0 up to 255.
	 * A3V: a vCPU's MPIDR may have a non-zero Aff3. LPIS with vgic_lpi_init. No ESPI range, no NMI.
	 */
	return (lines & GICD_TYPER_ITLinesNumber_MASK) |
	       ((cpus - 1U) << GICD_TYPER_CPUNumber_SHIFT) |
	       GICD_TYPER_MBIS | (vm->nr_lpis ? GICD_TYPER_LPIS : 0U) |
	       ((vgic_lpi_id_bits(vm) - 1U) << GICD_TYPER_IDbits_SHIFT) |
	       GICD_TYPER_A3V | GICD_TYPER_RSS;
}

/* ---- routing ---- */

static uint32_t first_awake_vcpu(const struct vgic *vm)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].rd_awake)
			return i;
	return VGIC_TARGET_NONE;
}

/*
 * IRM=1 (1 of N): a PE whose redistributor is asleep does not take part, so the choice is the
 * lowest-numbered vCPU whose GICR_WAKER.ProcessorSleep is clear, made again whenever a WAKER
 * changes. Deterministic, and never a vCPU that told the GIC it is powered down. None awake: the
 * SPI waits, pending, until one wakes.
 */
uint32_t vgic_dist_route(struct vgic *vm, uint64_t irouter)
{
	uint32_t aff;

	if (irouter & GICD_IROUTER_IRM)
		return first_awake_vcpu(vm);
	aff = gic_irouter_aff(irouter);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (gic_mpidr_aff(vm->vcpus[i].mpidr) == aff)
			return i;
	return VGIC_TARGET_NONE; /* an affinity no vCPU has: the SPI reaches nobody */
}

/*
 * Give the SPI the target its IROUTER and the WAKERs select now. dist_lock is a leaf lock (the
 * target change requeues and may kick, which must happen unlocked), so the route is computed under
 * it, applied without it, and recomputed if any routing change landed in between: whichever
 * change is last, its own pass or a retry here applies the final route.
 */
static void route_spi(struct vgic *vm, struct vgic_irq *irq)
{
	for (;;) {
		uint32_t gen, t;
		bool settled;

		vgic_lock(vm, &vm->dist_lock);
		gen = vm->route_gen;
		t = vgic_dist_route(vm, irq->irouter);
		vgic_unlock(vm, &vm->dist_lock);
		(void)vgic_irq_set_target(vm, irq->intid, t);
		vgic_lock(vm, &vm->dist_lock);
		settled = gen == vm->route_gen;
		vgic_unlock(vm, &vm->dist_lock);
		if (settled)
			return;
	}
}

void vgic_dist_reroute_irm(struct vgic *vm)
{
	for (uint32_t i = 0; i < vm->nr_spis; i++) {
		struct vgic_irq *irq = &vm->spis[i];
		bool irm;

		vgic_lock(vm, &vm->dist_lock);
		irm = irq->irouter & GICD_IROUTER_IRM;
		vgic_unlock(vm, &vm->dist_lock);
		if (irm)
			route_spi(vm, irq);
	}
}

/* ---- GICD_CTLR ---- */

static uint64_t ctlr_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	(void)off;
	(void)width;
	return vgic_dist_ctlr(c->vm);
}

static void ctlr_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	bool g0 = val & GICD_CTLR_EnableGrp0;
	bool g1 = val & GICD_CTLR_EnableGrp1;
	bool same;

	(void)off;
	(void)width;
	vgic_lock(c->vm, &c->vm->dist_lock);
	same = c->vm->grp0_enabled == g0 && c->vm->grp1_enabled == g1;
	vgic_unlock(c->vm, &c->vm->dist_lock);
	/* vgic_dist_enable re-places every interrupt: skip it when nothing changes. */
	if (!same)
		(void)vgic_dist_enable(c->vm, g0, g1);
}

static uint64_t typer_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	(void)off;
	(void)width;
	return vgic_dist_typer(c->vm);
}

/* ---- GICD_SETSPI_NSR / GICD_CLRSPI_NSR ---- */

/*
 * Set: an edge SPI latches; a level SPI is asserted and stays pending until CLRSPI deasserts it.
 * Clear: deasserts a level SPI and drops the latch of either kind. Only bits [15:0] matter, and
 * writes naming no implemented SPI are ignored.
 */
static void setspi_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t intid = (uint32_t)(val & GICD_SETSPI_INTID_MASK);

	(void)width;
	if (off != 0 || !vgic_mmio_irq(c, intid))
		return;
	(void)vgic_inject(c->vm, 0, intid, true);
}

static void clrspi_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t intid = (uint32_t)(val & GICD_SETSPI_INTID_MASK);

	(void)width;
	if (off != 0 || !vgic_mmio_irq(c, intid))
		return;
	(void)vgic_inject(c->vm, 0, intid, false);
	(void)vgic_irq_set_pending(c->vm, 0, intid, false);
}

/* ---- GICD_IROUTER<n> ---- */

static uint64_t irouter_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	struct vgic_irq *irq = vgic_mmio_irq(c, off / GIC_IROUTER_BYTES);
	uint64_t v;

	if (!irq)
		return 0;
	vgic_lock(c->vm, &c->vm->dist_lock);
	v = irq->irouter;
	vgic_unlock(c->vm, &c->vm->dist_lock);
	return vgic_mmio_extract64(v, off, width);
}

static void irouter_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t intid = off / GIC_IROUTER_BYTES;
	struct vgic_irq *irq = vgic_mmio_irq(c, intid);
	uint64_t v;

	if (!irq)
		return;
	vgic_lock(c->vm, &c->vm->dist_lock);
	v = vgic_mmio_merge64(irq->irouter, off, width, val);
	irq->irouter = v & GICD_IROUTER_WRITABLE;
	c->vm->route_gen++;
	vgic_unlock(c->vm, &c->vm->dist_lock);
	route_spi(c->vm, irq);
}

/* ---- the map ---- */

#define W32      VGIC_MMIO_W32
#define W8_32    VGIC_MMIO_W8_32
#define W16_32   VGIC_MMIO_W16_32
#define W32_64   VGIC_MMIO_W32_64

/*
 * RAZ/WI entries are listed, not left as holes, where the architecture gives the register a
 * width rule: a wrong width there is refused like on any register. Unlisted space is reserved.
 */
static const struct vgic_mmio_reg dist_regs[] = {
	{ "GICD_CTLR",       GICD_CTLR,       VGIC_REG32, W32, ctlr_read, ctlr_write },
	{ "GICD_TYPER",      GICD_TYPER,      VGIC_REG32, W32, typer_read, NULL },
	{ "GICD_IIDR",       GICD_IIDR,       VGIC_REG32, W32, vgic_mmio_read_iidr, NULL },
	{ "GICD_TYPER2",     GICD_TYPER2,     VGIC_REG32, W32, NULL, NULL },
	{ "GICD_STATUSR",    GICD_STATUSR,    VGIC_REG32, W32, NULL, NULL },
	{ "GICD_SETSPI_NSR", GICD_SETSPI_NSR, VGIC_REG32, W16_32, NULL, setspi_write },
	{ "GICD_CLRSPI_NSR", GICD_CLRSPI_NSR, VGIC_REG32, W16_32, NULL, clrspi_write },
	/* With DS = 1 the Secure aliases are write-ignored. */
	{ "GICD_SETSPI_SR",  GICD_SETSPI_SR,  VGIC_REG32, W16_32, NULL, NULL },
	{ "GICD_CLRSPI_SR",  GICD_CLRSPI_SR,  VGIC_REG32, W16_32, NULL, NULL },
	{ "GICD_IGROUPR",    GICD_IGROUPR,    GIC_BITMAP_BYTES, W32, vgic_mmio_read_group, vgic_mmio_write_group },
	{ "GICD_ISENABLER",  GICD_ISENABLER,  GIC_BITMAP_BYTES, W32, vgic_mmio_read_enable, vgic_mmio_write_senable },
	{ "GICD_ICENABLER",  GICD_ICENABLER,  GIC_BITMAP_BYTES, W32, vgic_mmio_read_enable, vgic_mmio_write_cenable },
	{ "GICD_ISPENDR",    GICD_ISPENDR,    GIC_BITMAP_BYTES, W32, vgic_mmio_read_pending, vgic_mmio_write_spending },
	{ "GICD_ICPENDR",    GICD_ICPENDR,    GIC_BITMAP_BYTES, W32, vgic_mmio_read_pending, vgic_mmio_write_cpending },
	{ "GICD_ISACTIVER",  GICD_ISACTIVER,  GIC_BITMAP_BYTES, W32, vgic_mmio_read_active, vgic_mmio_write_sactive },
	{ "GICD_ICACTIVER",  GICD_ICACTIVER,  GIC_BITMAP_BYTES, W32, vgic_mmio_read_active, vgic_mmio_write_cactive },
	{ "GICD_IPRIORITYR", GICD_IPRIORITYR, GIC_PRIORITY_BYTES, W8_32, vgic_mmio_read_priority, vgic_mmio_write_priority },
	/* Affinity routing makes ITARGETSR RES0; it keeps its byte access. */
	{ "GICD_ITARGETSR",  GICD_ITARGETSR,  GIC_PRIORITY_BYTES, W8_32, NULL, NULL },
	{ "GICD_ICFGR",      GICD_ICFGR,      GIC_ICFGR_BYTES, W32, vgic_mmio_read_config, vgic_mmio_write_config },
	/* DS = 1: no group modifier and no non-secure access control. */
	{ "GICD_IGRPMODR",   GICD_IGRPMODR,   GIC_BITMAP_BYTES, W32, NULL, NULL },
	{ "GICD_NSACR",      GICD_NSACR,      GIC_NSACR_BYTES, W32, NULL, NULL },
	/* Affinity routing: SGIs come from ICC_SGI*R, the legacy SGI registers are RES0. */
	{ "GICD_SGIR",       GICD_SGIR,       VGIC_REG32, W32, NULL, NULL },
	{ "GICD_CPENDSGIR",  GICD_CPENDSGIR,  GICD_SGI_PEND_BYTES, W8_32, NULL, NULL },
	{ "GICD_SPENDSGIR",  GICD_SPENDSGIR,  GICD_SGI_PEND_BYTES, W8_32, NULL, NULL },
	{ "GICD_IROUTER",    GICD_IROUTER,    GICD_IROUTER_BYTES, W32_64, irouter_read, irouter_write },
	{ "GICD_ID",         GICD_IDREGS,     GIC_IDREGS_BYTES, W32, vgic_mmio_read_idreg, NULL },
};

const struct vgic_mmio_frame vgic_dist_frame = {
	.name = "GICD",
	.regs = dist_regs,
	.nr_regs = sizeof(dist_regs) / sizeof(dist_regs[0]),
	.size = GICD_FRAME_SIZE,
};

int vgic_mmio_dist_access(struct vgic *vm, uint32_t vcpu, uint64_t offset, unsigned width,
			  bool write, uint64_t *val)
{
	struct vgic_mmio_ctx c;
	int rc = vgic_mmio_check_args(vm, vcpu, width, val);

	if (rc)
		return rc;
	if (offset >= GICD_FRAME_SIZE)
		return HV_ERANGE;
	c.vm = vm;
	c.rd = NULL;
	c.its = NULL;
	return vgic_mmio_account(vm, vcpu, vgic_mmio_dispatch(&vgic_dist_frame, &c, (uint32_t)offset,
							       width, write, val));
}

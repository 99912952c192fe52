/* vgic_its.c: the emulated ITS: GITS_* registers, the command queue, and MSI translation through the
 * device table, each device's ITT and the collection table, all kept in guest memory (nothing cached). */
#include "vgic_mmio.h"
#include "vgic_its.h"

/*
 * Table entries are 8 bytes each, little-endian, in a format of our own (the architecture leaves it
 * IMPLEMENTATION DEFINED; GITS_TYPER.ITT_entry_size and GITS_BASER.Entry_Size say 8):
 *   device table entry:     [63] valid, [51:8] ITT address, [4:0] EventID bits - 1
 *   ITT entry:              [63] valid, [47:32] ICID, [31:0] pINTID
 *   collection table entry: [63] valid, [15:0] target redistributor (processor number; PTA = 0)
 * The two-level device or collection table's first level is the architecture's: [63] valid,
 * [51:page bits] the second-level page.
 */
_Static_assert(GITS_TRANSLATER == GITS_TRANSLATER_OFFSET, "the public and the register-map offsets agree");

#define ITS_ENTRY_BYTES      8U
#define ITS_ENTRY_VALID      (1ULL << 63)
#define DTE_ITT_MASK         (((1ULL << 52) - 1) & ~((1ULL << 8) - 1))
#define DTE_SIZE_MASK        0x1fULL
#define ITE_ICID_SHIFT       32
#define ITE_ICID_MASK        0xffffULL
#define ITE_INTID_MASK       0xffffffffULL
#define CTE_RD_MASK          0xffffULL
#define ITS_ICID_BITS        16U
#define ITS_BASER_DEVICES    0U
#define ITS_BASER_COLLECTIONS 1U
#define ITS_PAGE_4K          0x1000ULL
#define ITS_PAGE_16K         0x4000ULL
#define ITS_PAGE_64K         0x10000ULL

/* Command fields (Linux's its_encode_* and the GICv3 specification agree on these). */
#define CMD_OPCODE(c)        ((uint32_t)((c)[0] & 0xffU))
#define CMD_DEVID(c)         ((uint32_t)((c)[0] >> 32))
#define CMD_EVENTID(c)       ((uint32_t)((c)[1] & 0xffffffffULL))
#define CMD_PINTID(c)        ((uint32_t)((c)[1] >> 32))
#define CMD_SIZE(c)          ((uint32_t)((c)[1] & 0x1fU))
#define CMD_ITT(c)           ((c)[2] & DTE_ITT_MASK)
#define CMD_VALID(c)         (((c)[2] >> 63) & 1U)
#define CMD_ICID(c)          ((uint32_t)((c)[2] & 0xffffU))
#define CMD_RDBASE(c)        ((uint32_t)(((c)[2] >> 16) & 0xffffffffULL))
#define CMD_RDBASE2(c)       ((uint32_t)(((c)[3] >> 16) & 0xffffffffULL))

/* ---- guest memory, little-endian whatever the host ---- */

static int read64(struct vgic *vm, uint64_t gpa, uint64_t *out)
{
	uint8_t b[ITS_ENTRY_BYTES];
	int rc;

	if (!vm->hooks->guest_read)
		return HV_ENODEV;
	rc = vm->hooks->guest_read(vm->hooks_ctx, gpa, b, sizeof(b));
	if (rc)
		return rc;
	*out = 0;
	for (unsigned i = 0; i < sizeof(b); i++)
		*out |= (uint64_t)b[i] << (8U * i);
	return HV_OK;
}

static int write64(struct vgic *vm, uint64_t gpa, uint64_t v)
{
	uint8_t b[ITS_ENTRY_BYTES];

	if (!vm->hooks->guest_write)
		return HV_ENODEV;
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(v >> (8U * i));
	return vm->hooks->guest_write(vm->hooks_ctx, gpa, b, sizeof(b));
}

/* ---- the tables GITS_BASER<n> describes ---- */

static uint64_t baser_page(uint64_t baser)
{
	switch ((baser & GITS_BASER_Page_Size_MASK) >> GITS_BASER_Page_Size_SHIFT) {
	case 0: return ITS_PAGE_4K;
	case 1: return ITS_PAGE_16K;
	default: return ITS_PAGE_64K;  /* 3 is reserved: read as 64 KiB, the largest */
	}
}

static uint64_t baser_pa(uint64_t baser)
{
	if (baser_page(baser) == ITS_PAGE_64K)
		return (baser & GITS_BASER_PA_MASK & ~(ITS_PAGE_64K - 1)) |
		       (((baser & GITS_BASER_PA_HI_MASK) >> 12) << 48);
	return baser & GITS_BASER_PA_MASK & ~(baser_page(baser) - 1);
}

/* Where entry idx of table n lives, walking a two-level table's first level; false if nowhere. */
static bool table_entry(struct vgic_its *its, unsigned n, uint32_t idx, uint64_t *gpa)
{
	uint64_t baser = its->baser[n], page = baser_page(baser);
	uint64_t bytes = ((baser & GITS_BASER_Size_MASK) + 1U) * page;
	uint64_t per_page = page / ITS_ENTRY_BYTES, l1;

	if (!(baser & GITS_BASER_Valid))
		return false;
	if (!(baser & GITS_BASER_Indirect)) {
		if ((uint64_t)idx * ITS_ENTRY_BYTES >= bytes)
			return false;
		*gpa = baser_pa(baser) + (uint64_t)idx * ITS_ENTRY_BYTES;
		return true;
	}
	if ((idx / per_page) * ITS_ENTRY_BYTES >= bytes)
		return false;
	if (read64(its->vm, baser_pa(baser) + (idx / per_page) * ITS_ENTRY_BYTES, &l1) ||
	    !(l1 & GITS_LVL1_Valid))
		return false;
	*gpa = (l1 & GITS_LVL1_PA_MASK & ~(page - 1)) + (idx % per_page) * ITS_ENTRY_BYTES;
	return true;
}

static enum vgic_its_error read_dte(struct vgic_its *its, uint32_t devid, uint64_t *dte)
{
	uint64_t gpa;

	if (devid >> VGIC_ITS_DEVID_BITS || !table_entry(its, ITS_BASER_DEVICES, devid, &gpa))
		return VGIC_ITS_ERR_DEVICE;
	if (read64(its->vm, gpa, dte))
		return VGIC_ITS_ERR_MEMORY;
	return (*dte & ITS_ENTRY_VALID) ? VGIC_ITS_OK : VGIC_ITS_ERR_DEVICE;
}

/* The ITT entry of (devid, eventid): its address, and its value (valid or not). */
static enum vgic_its_error ite_at(struct vgic_its *its, uint32_t devid, uint32_t eventid,
				  uint64_t *gpa, uint64_t *ite)
{
	uint64_t dte;
	enum vgic_its_error e = read_dte(its, devid, &dte);

	if (e)
		return e;
	if ((uint64_t)eventid >> ((dte & DTE_SIZE_MASK) + 1U))
		return VGIC_ITS_ERR_EVENT;
	*gpa = (dte & DTE_ITT_MASK) + (uint64_t)eventid * ITS_ENTRY_BYTES;
	return read64(its->vm, *gpa, ite) ? VGIC_ITS_ERR_MEMORY : VGIC_ITS_OK;
}

/* The redistributor (vCPU) collection icid is mapped to. */
static enum vgic_its_error collection_rd(struct vgic_its *its, uint32_t icid, struct vgic_vcpu **rd)
{
	uint64_t gpa, cte;

	if (icid >> ITS_ICID_BITS || !table_entry(its, ITS_BASER_COLLECTIONS, icid, &gpa))
		return VGIC_ITS_ERR_COLLECTION;
	if (read64(its->vm, gpa, &cte))
		return VGIC_ITS_ERR_MEMORY;
	if (!(cte & ITS_ENTRY_VALID))
		return VGIC_ITS_ERR_COLLECTION;
	if ((cte & CTE_RD_MASK) >= its->vm->nr_vcpus)
		return VGIC_ITS_ERR_TARGET;
	*rd = &its->vm->vcpus[cte & CTE_RD_MASK];
	return VGIC_ITS_OK;
}

/* (devid, eventid) -> (LPI, redistributor), the walk every MSI and INT/CLEAR/INV/DISCARD/MOVI makes. */
struct its_xlate {
	uint64_t ite_gpa, ite;
	uint32_t intid;
	struct vgic_vcpu *rd;
};

static enum vgic_its_error translate(struct vgic_its *its, uint32_t devid, uint32_t eventid,
				     struct its_xlate *x)
{
	enum vgic_its_error e = ite_at(its, devid, eventid, &x->ite_gpa, &x->ite);

	if (e)
		return e;
	if (!(x->ite & ITS_ENTRY_VALID))
		return VGIC_ITS_ERR_EVENT;
	x->intid = (uint32_t)(x->ite & ITE_INTID_MASK);
	if (x->intid - VGIC_LPI_BASE >= its->vm->nr_lpis)
		return VGIC_ITS_ERR_LPI;
	return collection_rd(its, (uint32_t)((x->ite >> ITE_ICID_SHIFT) & ITE_ICID_MASK), &x->rd);
}

/* ---- commands ---- */

/*
 * What a command asks of the core, done after the ITS lock is dropped: the core may kick a vCPU, and
 * kicks run with no vgic lock held. A command's guest-memory part (table writes) is done under the lock.
 */
enum its_act_kind { ACT_NONE, ACT_PEND, ACT_CLEAR, ACT_TARGET, ACT_CONFIG, ACT_CONFIG_ALL, ACT_MOVALL };

struct its_action {
	enum its_act_kind kind;
	struct vgic_vcpu *rd;          /* PEND/CLEAR/CONFIG*: the redistributor; MOVALL: from */
	uint32_t intid;
	uint32_t to;                   /* TARGET/MOVALL: the new redistributor */
};

static void its_act(struct vgic *vm, const struct its_action *a)
{
	switch (a->kind) {
	case ACT_PEND:
	case ACT_CLEAR:
		(void)vgic_lpi_set_pending(vm, a->rd, a->intid, a->kind == ACT_PEND);
		break;
	case ACT_TARGET:
		(void)vgic_irq_set_target(vm, a->intid, a->to);
		break;
	case ACT_CONFIG:
		vgic_lpi_read_config(vm, a->rd, a->intid - VGIC_LPI_BASE, 1);
		break;
	case ACT_CONFIG_ALL:
		vgic_lpi_read_config(vm, a->rd, 0, vm->nr_lpis);
		break;
	case ACT_MOVALL:
		for (uint32_t i = 0; i < vm->nr_lpis; i++)
			if (__atomic_load_n(&vm->lpis[i].target, __ATOMIC_RELAXED) == a->rd)
				(void)vgic_irq_set_target(vm, VGIC_LPI_BASE + i, a->to);
		break;
	case ACT_NONE:
		break;
	}
}

static enum vgic_its_error cmd_mapd(struct vgic_its *its, const uint64_t *c)
{
	uint64_t gpa;

	if (CMD_DEVID(c) >> VGIC_ITS_DEVID_BITS || !table_entry(its, ITS_BASER_DEVICES, CMD_DEVID(c), &gpa))
		return VGIC_ITS_ERR_DEVICE;
	if (CMD_VALID(c) && CMD_SIZE(c) + 1U > VGIC_ITS_EVENT_BITS)
		return VGIC_ITS_ERR_SIZE;
	/* Unmapping a device leaves its LPIs' pending state alone, as the architecture allows. */
	return write64(its->vm, gpa, CMD_VALID(c) ? ITS_ENTRY_VALID | CMD_ITT(c) | CMD_SIZE(c) : 0)
		? VGIC_ITS_ERR_MEMORY : VGIC_ITS_OK;
}

static enum vgic_its_error cmd_mapc(struct vgic_its *its, const uint64_t *c)
{
	uint64_t gpa;

	if (CMD_ICID(c) >> ITS_ICID_BITS || !table_entry(its, ITS_BASER_COLLECTIONS, CMD_ICID(c), &gpa))
		return VGIC_ITS_ERR_COLLECTION;
	if (CMD_VALID(c) && CMD_RDBASE(c) >= its->vm->nr_vcpus)
		return VGIC_ITS_ERR_TARGET;
	return write64(its->vm, gpa, CMD_VALID(c) ? ITS_ENTRY_VALID | CMD_RDBASE(c) : 0)
		? VGIC_ITS_ERR_MEMORY : VGIC_ITS_OK;
}

/* MAPTI, and MAPI (pINTID = EventID). */
static enum vgic_its_error cmd_mapti(struct vgic_its *its, const uint64_t *c, uint32_t intid,
				     struct its_action *a)
{
	uint64_t gpa, ite;
	struct vgic_vcpu *rd;
	enum vgic_its_error e = ite_at(its, CMD_DEVID(c), CMD_EVENTID(c), &gpa, &ite);

	if (e)
		return e;
	if (intid - VGIC_LPI_BASE >= its->vm->nr_lpis)
		return VGIC_ITS_ERR_LPI;
	if (CMD_ICID(c) >> ITS_ICID_BITS)
		return VGIC_ITS_ERR_COLLECTION;
	/* The collection need not be mapped yet; but if it is, route the LPI there from now on. */
	if (collection_rd(its, CMD_ICID(c), &rd) == VGIC_ITS_OK)
		*a = (struct its_action){ .kind = ACT_TARGET, .intid = intid, .to = rd->id };
	return write64(its->vm, gpa, ITS_ENTRY_VALID | ((uint64_t)CMD_ICID(c) << ITE_ICID_SHIFT) | intid)
		? VGIC_ITS_ERR_MEMORY : VGIC_ITS_OK;
}

static enum vgic_its_error cmd_movi(struct vgic_its *its, const uint64_t *c, struct its_action *a)
{
	struct its_xlate x;
	struct vgic_vcpu *to;
	enum vgic_its_error e = translate(its, CMD_DEVID(c), CMD_EVENTID(c), &x);

	if (e)
		return e;
	e = collection_rd(its, CMD_ICID(c), &to);
	if (e)
		return e;
	if (write64(its->vm, x.ite_gpa, (x.ite & ~(ITE_ICID_MASK << ITE_ICID_SHIFT)) |
					((uint64_t)CMD_ICID(c) << ITE_ICID_SHIFT)))
		return VGIC_ITS_ERR_MEMORY;
	/* A pending LPI moves with its mapping: set_target re-places it on the new redistributor. */
	*a = (struct its_action){ .kind = ACT_TARGET, .intid = x.intid, .to = to->id };
	return VGIC_ITS_OK;
}

static enum vgic_its_error cmd_discard(struct vgic_its *its, const uint64_t *c, struct its_action *a)
{
	struct its_xlate x;
	enum vgic_its_error e = translate(its, CMD_DEVID(c), CMD_EVENTID(c), &x);

	if (e)
		return e;
	*a = (struct its_action){ .kind = ACT_CLEAR, .rd = x.rd, .intid = x.intid };
	return write64(its->vm, x.ite_gpa, 0) ? VGIC_ITS_ERR_MEMORY : VGIC_ITS_OK;
}

static enum vgic_its_error cmd_int_clear_inv(struct vgic_its *its, const uint64_t *c, uint32_t op,
					     struct its_action *a)
{
	struct its_xlate x;
	enum vgic_its_error e = translate(its, CMD_DEVID(c), CMD_EVENTID(c), &x);

	if (e)
		return e;
	*a = (struct its_action){ .kind = op == GITS_CMD_INV ? ACT_CONFIG : op == GITS_CMD_INT ? ACT_PEND : ACT_CLEAR,
				  .rd = x.rd, .intid = x.intid };
	return VGIC_ITS_OK;
}

static enum vgic_its_error cmd_invall(struct vgic_its *its, const uint64_t *c, struct its_action *a)
{
	struct vgic_vcpu *rd;
	enum vgic_its_error e = collection_rd(its, CMD_ICID(c), &rd);

	/* Every LPI, not only the collection's: re-reading more than asked is always allowed. */
	if (!e)
		*a = (struct its_action){ .kind = ACT_CONFIG_ALL, .rd = rd };
	return e;
}

static enum vgic_its_error cmd_movall(struct vgic_its *its, const uint64_t *c, struct its_action *a)
{
	struct vgic *vm = its->vm;

	if (CMD_RDBASE(c) >= vm->nr_vcpus || CMD_RDBASE2(c) >= vm->nr_vcpus)
		return VGIC_ITS_ERR_TARGET;
	if (CMD_RDBASE(c) != CMD_RDBASE2(c))
		*a = (struct its_action){ .kind = ACT_MOVALL, .rd = &vm->vcpus[CMD_RDBASE(c)], .to = CMD_RDBASE2(c) };
	return VGIC_ITS_OK;
}

static enum vgic_its_error run_command(struct vgic_its *its, const uint64_t *c, struct its_action *a)
{
	switch (CMD_OPCODE(c)) {
	case GITS_CMD_MAPD:    return cmd_mapd(its, c);
	case GITS_CMD_MAPC:    return cmd_mapc(its, c);
	case GITS_CMD_MAPTI:   return cmd_mapti(its, c, CMD_PINTID(c), a);
	case GITS_CMD_MAPI:    return cmd_mapti(its, c, CMD_EVENTID(c), a);
	case GITS_CMD_MOVI:    return cmd_movi(its, c, a);
	case GITS_CMD_DISCARD: return cmd_discard(its, c, a);
	case GITS_CMD_INT:
	case GITS_CMD_CLEAR:
	case GITS_CMD_INV:     return cmd_int_clear_inv(its, c, CMD_OPCODE(c), a);
	case GITS_CMD_INVALL:  return cmd_invall(its, c, a);
	case GITS_CMD_MOVALL:  return cmd_movall(its, c, a);
	/* Every command completes before the next is read: SYNC has nothing to wait for. */
	case GITS_CMD_SYNC:    return CMD_RDBASE(c) < its->vm->nr_vcpus ? VGIC_ITS_OK : VGIC_ITS_ERR_TARGET;
	default:               return VGIC_ITS_ERR_UNKNOWN_CMD;
	}
}

/*
 * Run the queue from CREADR to CWRITER, one command at a time: read and execute it under the ITS lock
 * (its guest-memory part), drop the lock, then do what it asks of the core. A command in error is
 * ignored and the queue moves on (the choice the architecture offers besides stalling; Linux handles
 * it, a stall it would wait out). CWRITER only ever names an offset inside the queue, so each call
 * ends after at most one lap unless the guest keeps writing. Called with no lock held.
 */
static void process_queue(struct vgic_its *its)
{
	for (;;) {
		uint64_t c[GITS_CMD_BYTES / 8];
		struct its_action act = { .kind = ACT_NONE };
		enum vgic_its_error e = VGIC_ITS_OK;
		uint64_t qbytes, base;

		vgic_lock(its->vm, &its->lock);
		if (!its->enabled || !(its->cbaser & GITS_CBASER_Valid) || its->creadr == its->cwriter) {
			vgic_unlock(its->vm, &its->lock);
			return;
		}
		qbytes = ((its->cbaser & GITS_CBASER_Size_MASK) + 1U) * ITS_PAGE_4K;
		base = its->cbaser & GITS_CBASER_PA_MASK;
		for (unsigned i = 0; i < GITS_CMD_BYTES / 8 && !e; i++)
			if (read64(its->vm, base + its->creadr + 8U * i, &c[i]))
				e = VGIC_ITS_ERR_MEMORY;
		if (!e)
			e = run_command(its, c, &act);
		its->stats.commands++;
		if (e) {
			its->stats.cmd_errors++;
			its->last_error = e;
			act.kind = ACT_NONE;
		}
		its->creadr = (its->creadr + GITS_CMD_BYTES) % qbytes;
		vgic_unlock(its->vm, &its->lock);
		its_act(its->vm, &act);
	}
}

int vgic_its_send_msi(struct vgic_its *its, uint32_t devid, uint32_t eventid)
{
	struct its_xlate x;
	enum vgic_its_error e;

	if (!its || !its->vm)
		return HV_EINVAL;
	vgic_lock(its->vm, &its->lock);
	e = its->enabled ? translate(its, devid, eventid, &x) : VGIC_ITS_ERR_DISABLED;
	vgic_unlock(its->vm, &its->lock);
	/* Outside the ITS lock: making the LPI pending may kick its vCPU. */
	if (!e && vgic_lpi_set_pending(its->vm, x.rd, x.intid, true) != HV_OK)
		e = VGIC_ITS_ERR_LPIS_OFF;
	vgic_lock(its->vm, &its->lock);
	if (e) {
		its->last_error = e;
		its->stats.msis_dropped++;
	} else {
		its->stats.msis++;
	}
	vgic_unlock(its->vm, &its->lock);
	return !e ? HV_OK : (e == VGIC_ITS_ERR_DEVICE && devid >> VGIC_ITS_DEVID_BITS) ? HV_ERANGE : HV_ENODEV;
}

/* ---- registers ---- */

static struct vgic_its *its_of(const struct vgic_mmio_ctx *c)
{
	return c->its;
}

static uint64_t ctlr_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	(void)off;
	(void)width;
	/* Quiescent: commands and translations complete inside the access that starts them. */
	return (its_of(c)->enabled ? GITS_CTLR_Enabled : 0U) | GITS_CTLR_Quiescent;
}

static void ctlr_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	struct vgic_its *its = its_of(c);

	(void)off;
	(void)width;
	its->enabled = (val & GITS_CTLR_Enabled) != 0;
	/* Commands waiting in the queue run once the access returns (vgic_its_mmio_access). */
}

static uint64_t typer_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	/* Physical LPIs, 8-byte ITT entries, 16 EventID and DeviceID bits, PTA = 0 (processor numbers),
	 * no collections held in the ITS (HCC = 0), 16-bit ICIDs (CIL = 0). */
	uint64_t t = GITS_TYPER_Physical | ((uint64_t)(ITS_ENTRY_BYTES - 1U) << GITS_TYPER_ITT_entry_size_SHIFT) |
		     ((uint64_t)(VGIC_ITS_EVENT_BITS - 1U) << GITS_TYPER_IDbits_SHIFT) |
		     ((uint64_t)(VGIC_ITS_DEVID_BITS - 1U) << GITS_TYPER_Devbits_SHIFT);

	(void)c;
	return vgic_mmio_extract64(t, off, width);
}

static uint64_t cbaser_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return vgic_mmio_extract64(its_of(c)->cbaser, off, width);
}

static void cbaser_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	struct vgic_its *its = its_of(c);

	if (its->enabled)
		return;  /* UNPREDICTABLE while enabled: ignored */
	its->cbaser = vgic_mmio_merge64(its->cbaser, off, width, val) & GITS_CBASER_WRITABLE;
	its->creadr = 0;  /* a write to CBASER resets the read pointer */
	its->cwriter = 0;
}

static uint64_t cwriter_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return vgic_mmio_extract64(its_of(c)->cwriter, off, width);
}

static void cwriter_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	struct vgic_its *its = its_of(c);
	uint64_t w = vgic_mmio_merge64(its->cwriter, off, width, val) & GITS_CQUEUE_OFFSET_MASK;

	/* An offset beyond the queue is ignored: the queue would never reach it. */
	if (w >= ((its->cbaser & GITS_CBASER_Size_MASK) + 1U) * ITS_PAGE_4K)
		return;
	its->cwriter = w;
}

static uint64_t creadr_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	return vgic_mmio_extract64(its_of(c)->creadr, off, width);
}

static uint64_t baser_value(const struct vgic_its *its, unsigned n)
{
	static const uint64_t type[VGIC_ITS_NR_BASER] = {
		[ITS_BASER_DEVICES] = GITS_BASER_Type_Devices,
		[ITS_BASER_COLLECTIONS] = GITS_BASER_Type_Collections,
	};

	if (!type[n])
		return 0;  /* unimplemented: RAZ/WI */
	return its->baser[n] | (type[n] << GITS_BASER_Type_SHIFT) |
	       ((uint64_t)(ITS_ENTRY_BYTES - 1U) << GITS_BASER_Entry_Size_SHIFT);
}

static uint64_t baser_read(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width)
{
	unsigned n = off / 8U;

	return vgic_mmio_extract64(baser_value(its_of(c), n), off % 8U, width);
}

static void baser_write(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val)
{
	struct vgic_its *its = its_of(c);
	unsigned n = off / 8U;

	if (n >= VGIC_ITS_NR_BASER || its->enabled || !baser_value(its, n))
		return;  /* unimplemented, or changed while enabled (UNPREDICTABLE): ignored */
	its->baser[n] = vgic_mmio_merge64(its->baser[n], off % 8U, width, val) & GITS_BASER_WRITABLE;
}

#define W32      VGIC_MMIO_W32
#define W16_32   VGIC_MMIO_W16_32
#define W32_64   VGIC_MMIO_W32_64

static const struct vgic_mmio_reg its_regs[] = {
	{ "GITS_CTLR",       GITS_CTLR,       VGIC_REG32, W32, ctlr_read, ctlr_write },
	{ "GITS_IIDR",       GITS_IIDR,       VGIC_REG32, W32, vgic_mmio_read_iidr, NULL },
	{ "GITS_TYPER",      GITS_TYPER,      VGIC_REG64, W32_64, typer_read, NULL },
	{ "GITS_CBASER",     GITS_CBASER,     VGIC_REG64, W32_64, cbaser_read, cbaser_write },
	{ "GITS_CWRITER",    GITS_CWRITER,    VGIC_REG64, W32_64, cwriter_read, cwriter_write },
	{ "GITS_CREADR",     GITS_CREADR,     VGIC_REG64, W32_64, creadr_read, NULL },
	{ "GITS_BASER",      GITS_BASER,      VGIC_ITS_NR_BASER * VGIC_REG64, W32_64, baser_read, baser_write },
	{ "GITS_ID",         GITS_IDREGS,     GIC_IDREGS_BYTES, W32, vgic_mmio_read_idreg, NULL },
	/* A CPU write carries no DeviceID: accepted and ignored (16 and 32 bits, as a device may write). */
	{ "GITS_TRANSLATER", GITS_TRANSLATER, VGIC_REG32, W16_32, NULL, NULL },
};

const struct vgic_mmio_frame vgic_its_frame = {
	.name = "GITS",
	.regs = its_regs,
	.nr_regs = sizeof(its_regs) / sizeof(its_regs[0]),
	.size = GITS_FRAME_SIZE,
};

int vgic_its_init(struct vgic_its *its, struct vgic *vm)
{
	if (!its || !vm)
		return HV_EINVAL;
	vgic_zero(its, sizeof(*its));
	its->vm = vm;
	return HV_OK;
}

int vgic_its_mmio_access(struct vgic_its *its, uint32_t vcpu, uint64_t offset, unsigned width,
			 bool write, uint64_t *val)
{
	struct vgic_mmio_ctx c;
	enum vgic_mmio_outcome o;
	int rc;

	if (!its || !its->vm)
		return HV_EINVAL;
	rc = vgic_mmio_check_args(its->vm, vcpu, width, val);
	if (rc)
		return rc;
	if (offset >= GITS_FRAME_SIZE || offset + width > GITS_FRAME_SIZE)
		return HV_ERANGE;
	c.vm = its->vm;
	c.rd = NULL;
	c.its = its;
	vgic_lock(its->vm, &its->lock);
	o = vgic_mmio_dispatch(&vgic_its_frame, &c, (uint32_t)offset, width, write, val);
	vgic_unlock(its->vm, &its->lock);
	/* A write to CTLR or CWRITER may have given the queue work; run it with no lock held. */
	if (write && o == VGIC_MMIO_HIT)
		process_queue(its);
	return vgic_mmio_account(its->vm, vcpu, o);
}

/* ---- the irq_msg.h target ---- */

static int msi_target_send(struct irq_msi_target *t, uint64_t addr, uint32_t data, uint32_t devid)
{
	struct vgic_its *its = vgic_container_of(t, struct vgic_its, msi);

	if (!its->doorbell || addr != its->doorbell)
		return HV_EINVAL;
	return vgic_its_send_msi(its, devid, data);
}

static const struct irq_msi_ops its_msi_ops = { .send = msi_target_send };

struct irq_msi_target *vgic_its_msi_target(struct vgic_its *its, uint64_t frame_gpa)
{
	if (!its)
		return NULL;
	vgic_lock(its->vm, &its->lock);
	its->doorbell = frame_gpa + GITS_TRANSLATER_OFFSET;
	its->msi.ops = &its_msi_ops;
	its->msi.name = "gic-its";
	vgic_unlock(its->vm, &its->lock);
	return &its->msi;
}

/* ---- save and restore (vgic_its.h) ---- */

#define ITS_SAVE_MAGIC   0x53544947U   /* "GITS" as a little-endian u32 */
#define ITS_SAVE_VERSION 1U

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8U * i));
}

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8U * i);
	return v;
}

int vgic_its_save(struct vgic_its *its, void *buf, size_t size)
{
	uint8_t *p = buf;

	if (!its || !its->vm || !buf)
		return HV_EINVAL;
	if (size < VGIC_ITS_SAVE_BYTES)
		return HV_ENOSPC;
	vgic_lock(its->vm, &its->lock);
	put_le(p, ITS_SAVE_MAGIC, 4);
	put_le(p + 4, ITS_SAVE_VERSION, 2);
	put_le(p + 6, its->enabled, 2);
	put_le(p + 8, its->cbaser, 8);
	put_le(p + 16, its->cwriter, 8);
	put_le(p + 24, its->creadr, 8);
	for (unsigned n = 0; n < VGIC_ITS_NR_BASER; n++)
		put_le(p + 32 + 8U * n, its->baser[n], 8);
	vgic_unlock(its->vm, &its->lock);
	return HV_OK;
}

int vgic_its_restore(struct vgic_its *its, const void *blob, size_t len)
{
	const uint8_t *p = blob;
	uint64_t cbaser, cwriter, creadr, qbytes, baser[VGIC_ITS_NR_BASER];
	uint16_t enabled;

	if (!its || !its->vm || !blob || len != VGIC_ITS_SAVE_BYTES)
		return HV_EINVAL;
	enabled = (uint16_t)get_le(p + 6, 2);
	cbaser = get_le(p + 8, 8);
	cwriter = get_le(p + 16, 8);
	creadr = get_le(p + 24, 8);
	qbytes = ((cbaser & GITS_CBASER_Size_MASK) + 1U) * ITS_PAGE_4K;
	if (get_le(p, 4) != ITS_SAVE_MAGIC || get_le(p + 4, 2) != ITS_SAVE_VERSION || enabled > 1 ||
	    (cbaser & ~GITS_CBASER_WRITABLE) || (cwriter & ~GITS_CQUEUE_OFFSET_MASK) ||
	    (creadr & ~GITS_CQUEUE_OFFSET_MASK) || cwriter >= qbytes || creadr >= qbytes)
		return HV_EINVAL;
	for (unsigned n = 0; n < VGIC_ITS_NR_BASER; n++) {
		baser[n] = get_le(p + 32 + 8U * n, 8);
		/* Only what a guest could have written: implemented BASERs' writable bits, nothing else. */
		if ((baser[n] & ~GITS_BASER_WRITABLE) ||
		    (baser[n] && n != ITS_BASER_DEVICES && n != ITS_BASER_COLLECTIONS))
			return HV_EINVAL;
	}
	vgic_lock(its->vm, &its->lock);
	its->enabled = enabled;
	its->cbaser = cbaser;
	its->cwriter = cwriter;
	its->creadr = creadr;
	for (unsigned n = 0; n < VGIC_ITS_NR_BASER; n++)
		its->baser[n] = baser[n];
	vgic_unlock(its->vm, &its->lock);
	/* Commands the guest queued before the save and the ITS had not reached run now. */
	process_queue(its);
	return HV_OK;
}

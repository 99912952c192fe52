/* vgic_lpi.c: LPIs: storage from the caller, the configuration and pending tables in guest memory,
 * GICR_CTLR.EnableLPIs, and the direct LPI registers (SETLPIR, CLRLPIR, INVLPIR, INVALLR). */
#include "vgic_internal.h"
#include "gic_regs.h"

/* Table reads and writes go through a small bounce buffer: the core allocates nothing. */
#define LPI_CHUNK          256U
#define LPI_CFG_PRIO_MASK  0xfcU   /* configuration byte: priority [7:2], RES1 [1], enable [0] */
#define LPI_CFG_ENABLE     0x01U
#define LPI_PEND_LPI_BYTE  (VGIC_LPI_BASE / 8U)  /* pending table: bit n is INTID n; LPIs start here */

int vgic_lpi_init(struct vgic *vm, struct vgic_irq *pool, uint32_t nr_lpis)
{
	if (!vm || !pool)
		return HV_EINVAL;
	if (nr_lpis == 0 || nr_lpis > VGIC_MAX_LPIS)
		return HV_ERANGE;
	for (uint32_t i = 0; i < nr_lpis; i++) {
		struct vgic_irq *irq = &pool[i];

		vgic_zero(irq, sizeof(*irq));
		vgic_node_init(&irq->ap_node);
		irq->intid = VGIC_LPI_BASE + i;
		irq->trigger = VGIC_EDGE;   /* LPIs are edge-triggered, */
		irq->group = 1;             /* always Group 1, */
		irq->lpi = 1;               /* and disabled until the configuration table says otherwise */
	}
	vgic_lock(vm, &vm->dist_lock);
	vm->lpis = pool;
	vm->nr_lpis = nr_lpis;
	vgic_unlock(vm, &vm->dist_lock);
	return HV_OK;
}

uint32_t vgic_lpi_id_bits(const struct vgic *vm)
{
	uint32_t last = VGIC_LPI_BASE + vm->nr_lpis - 1U;
	uint32_t bits = 16U;

	while (vm->nr_lpis && (last >> bits))
		bits++;
	return bits;
}

/* How many LPIs the guest's configuration table covers: PROPBASER.IDbits + 1 bits of INTID. */
static uint32_t lpi_table_span(const struct vgic *vm, uint64_t propbaser)
{
	uint32_t idbits = (uint32_t)(propbaser & GICR_PROPBASER_IDbits_MASK) + 1U;
	uint64_t ids = idbits >= 32U ? (1ULL << 32) : (1ULL << idbits);

	if (ids <= VGIC_LPI_BASE)
		return 0;  /* too small to hold any LPI: all of them read as disabled */
	ids -= VGIC_LPI_BASE;
	return ids < vm->nr_lpis ? (uint32_t)ids : vm->nr_lpis;
}

static int guest_read(struct vgic *vm, uint64_t gpa, void *buf, uint32_t len)
{
	if (!vm->hooks->guest_read)
		return HV_ENODEV;
	return vm->hooks->guest_read(vm->hooks_ctx, gpa, buf, len);
}

static int guest_write(struct vgic *vm, uint64_t gpa, const void *buf, uint32_t len)
{
	if (!vm->hooks->guest_write)
		return HV_ENODEV;
	return vm->hooks->guest_write(vm->hooks_ctx, gpa, buf, len);
}

/* Apply one configuration byte to one LPI, with the locking and requeue every change gets. */
static void lpi_apply_config(struct vgic *vm, struct vgic_irq *irq, uint8_t cfg)
{
	struct vgic_vcpu *v = vgic_irq_lock_for_update(vm, irq);

	irq->priority = (uint8_t)(cfg & LPI_CFG_PRIO_MASK) & vm->prio_mask;
	irq->enabled = (cfg & LPI_CFG_ENABLE) != 0;
	vgic_irq_update_unlock(vm, irq, v);
}

/*
 * Re-read the configuration of LPIs [first, first + count) (indices into the pool) from the table
 * rd's GICR_PROPBASER names: what INVLPIR, INVALLR, the ITS's INV/INVALL and enabling LPIs do.
 * The core caches the table in the interrupts themselves and reads it only at those points, as
 * the architecture allows. An LPI the table does not cover, or a table outside guest RAM, reads as
 * disabled: the guest broke its own tables, and the host carries on.
 */
void vgic_lpi_read_config(struct vgic *vm, struct vgic_vcpu *rd, uint32_t first, uint32_t count)
{
	uint8_t buf[LPI_CHUNK];
	uint64_t propbaser;
	uint32_t span;

	vgic_lock(vm, &vm->dist_lock);
	propbaser = rd->rd_propbaser;
	vgic_unlock(vm, &vm->dist_lock);
	span = lpi_table_span(vm, propbaser);
	if (first >= vm->nr_lpis)
		return;
	if (count > vm->nr_lpis - first)
		count = vm->nr_lpis - first;
	for (uint32_t done = 0; done < count;) {
		uint32_t i = first + done;
		uint32_t n = count - done < LPI_CHUNK ? count - done : LPI_CHUNK;
		bool ok = i + n <= span &&
			  guest_read(vm, (propbaser & GICR_PROPBASER_PA_MASK) + i, buf, n) == HV_OK;

		for (uint32_t k = 0; k < n; k++)
			lpi_apply_config(vm, &vm->lpis[i + k], ok ? buf[k] : 0);
		done += n;
	}
}

/* Make an LPI pending on rd, or withdraw it: SETLPIR/CLRLPIR, and the ITS's INT/CLEAR and MSIs. */
int vgic_lpi_set_pending(struct vgic *vm, struct vgic_vcpu *rd, uint32_t intid, bool on)
{
	struct vgic_irq *irq;
	struct vgic_vcpu *v;
	int rc = HV_OK;

	if (intid - VGIC_LPI_BASE >= vm->nr_lpis)
		return HV_ERANGE;
	irq = &vm->lpis[intid - VGIC_LPI_BASE];
	v = vgic_irq_lock_for_update(vm, irq);
	if (on)
		rc = vgic_lpi_raise_locked(irq, rd);
	else if (irq->target == rd) {
		irq->pending_latch = 0;
		irq->pend_clear_req = irq->in_lr;
	}
	vgic_irq_update_unlock(vm, irq, v);
	return rc;
}

/* EnableLPIs 0 -> 1: read the configuration, then the pending bits the guest left for this RD. */
static void lpi_enable(struct vgic *vm, struct vgic_vcpu *rd)
{
	uint8_t buf[LPI_CHUNK];
	uint64_t pendbaser;
	bool zero;
	uint32_t bytes = (vm->nr_lpis + 7U) / 8U;

	vgic_lpi_read_config(vm, rd, 0, vm->nr_lpis);
	vgic_lock(vm, &vm->dist_lock);
	pendbaser = rd->rd_pendbaser;
	zero = rd->rd_pend_ptz;
	rd->rd_pend_ptz = false;
	vgic_unlock(vm, &vm->dist_lock);
	__atomic_store_n(&rd->rd_lpis_enabled, true, __ATOMIC_RELEASE);
	/* LPIs already pending for this RD (through the host API) may be delivered now. */
	for (uint32_t i = 0; i < vm->nr_lpis; i++) {
		struct vgic_irq *irq = &vm->lpis[i];

		if (__atomic_load_n(&irq->target, __ATOMIC_RELAXED) == rd)
			vgic_irq_update_unlock(vm, irq, vgic_irq_lock_listed(vm, irq));
	}
	if (zero)
		return;  /* PTZ: the guest promised an all-zero table */
	for (uint32_t off = 0; off < bytes; off += LPI_CHUNK) {
		uint32_t n = bytes - off < LPI_CHUNK ? bytes - off : LPI_CHUNK;

		if (guest_read(vm, (pendbaser & GICR_PENDBASER_PA_MASK) + LPI_PEND_LPI_BYTE + off, buf, n))
			return;
		for (uint32_t k = 0; k < n; k++)
			for (uint32_t b = 0; buf[k] >> b; b++)
				if ((buf[k] >> b) & 1U)
					(void)vgic_lpi_set_pending(vm, rd, VGIC_LPI_BASE + (off + k) * 8U + b, true);
	}
}

/*
 * EnableLPIs 1 -> 0 (allowed, IMPLEMENTATION DEFINED): LPIs pending on this RD go back to its pending
 * table, as a disabled RD holds them in memory, and leave the ap_list.
 */
static void lpi_disable(struct vgic *vm, struct vgic_vcpu *rd)
{
	uint8_t buf[LPI_CHUNK];
	uint64_t pendbaser;
	uint32_t bytes = (vm->nr_lpis + 7U) / 8U;

	__atomic_store_n(&rd->rd_lpis_enabled, false, __ATOMIC_RELEASE);
	vgic_lock(vm, &vm->dist_lock);
	pendbaser = rd->rd_pendbaser;
	vgic_unlock(vm, &vm->dist_lock);
	for (uint32_t off = 0; off < bytes; off += LPI_CHUNK) {
		uint32_t n = bytes - off < LPI_CHUNK ? bytes - off : LPI_CHUNK;

		for (uint32_t k = 0; k < n; k++) {
			buf[k] = 0;
			for (uint32_t b = 0; b < 8U && (off + k) * 8U + b < vm->nr_lpis; b++) {
				struct vgic_irq *irq = &vm->lpis[(off + k) * 8U + b];
				struct vgic_vcpu *v = vgic_irq_lock_for_update(vm, irq);

				if (irq->target == rd && (vgic_irq_is_pending(irq) || irq->latch_in_lr)) {
					buf[k] |= (uint8_t)(1U << b);
					irq->pending_latch = 0;
					irq->pend_clear_req = irq->in_lr;
				}
				vgic_irq_update_unlock(vm, irq, v);
			}
		}
		(void)guest_write(vm, (pendbaser & GICR_PENDBASER_PA_MASK) + LPI_PEND_LPI_BYTE + off, buf, n);
	}
}

void vgic_lpi_ctlr_write(struct vgic *vm, struct vgic_vcpu *rd, bool enable)
{
	bool was = __atomic_load_n(&rd->rd_lpis_enabled, __ATOMIC_ACQUIRE);

	if (!vm->nr_lpis || was == enable)
		return;
	if (enable)
		lpi_enable(vm, rd);
	else
		lpi_disable(vm, rd);
}

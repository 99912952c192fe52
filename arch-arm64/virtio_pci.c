/* virtio_pci.c: the virtio-blk device's PCI side: its configuration space (header, MSI-X and virtio
 * capabilities) and BAR0 (common, ISR, device and notify blocks, the MSI-X table and PBA), virtio 1.2 4.1. */
#include <string.h>
#include "virtio_blk.h"
#include "virtio_pci_regs.h"

/* This device's identity (the register layout: include/virtio_pci_regs.h) */
#define PCI_CFG_BYTES        256U
#define VIRTIO_PCI_BLK       0x1042U  /* 0x1040 + device type 2: a modern-only virtio-blk */
#define VIRTIO_PCI_REVISION  1U
#define PCI_CLASS_STORAGE    0x010000U
#define VIRTIO_PCI_SUBSYS    0x1100U

/* Capabilities: MSI-X, then the virtio structures (4.1.4) */
#define CAP_MSIX             0x40U
#define MSIX_CTRL            (CAP_MSIX + 2U)
#define CAP_COMMON           0x4cU
#define CAP_NOTIFY           0x5cU
#define CAP_ISR              0x70U
#define CAP_DEVICE           0x80U
#define CAP_PCI_CFG          0x90U
#define VIRTIO_CAP_LEN       16U
#define VIRTIO_CAP_NOTIFY_LEN 20U
#define PCI_CFG_BAR          (CAP_PCI_CFG + 4U)
#define PCI_CFG_OFFSET       (CAP_PCI_CFG + 8U)
#define PCI_CFG_LENGTH       (CAP_PCI_CFG + 12U)
#define PCI_CFG_DATA         (CAP_PCI_CFG + 16U)

/* BAR0 layout */
#define BAR_COMMON           0x0000U
#define BAR_ISR              0x0800U
#define BAR_DEVICE           0x1000U
#define BAR_DEVICE_SIZE      0x40U
#define BAR_NOTIFY           0x1800U
#define NOTIFY_MULTIPLIER    4U
#define BAR_MSIX_TABLE       0x2000U
#define BAR_MSIX_PBA         0x3000U

/* Common configuration (struct virtio_pci_common_cfg) */
#define ISR_QUEUE            1U
#define VRING_DESC_BYTES     16U
#define VRING_DESC_ALIGN     16U
#define VRING_AVAIL_ALIGN    2U
#define VRING_USED_ALIGN     4U
#define VRING_HDR_BYTES      6U   /* flags, idx, and the event index after the ring */
#define VRING_AVAIL_ELEM     2U
#define VRING_USED_ELEM      8U

static uint16_t nr_vectors(const struct vblk *d)
{
	return (uint16_t)(d->nr_queues + 1U);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

/* A virtio capability pointing into BAR0. */
static void virtio_cap(uint8_t *cfg, uint32_t at, uint8_t next, uint8_t len, uint8_t type, uint32_t off,
		       uint32_t size)
{
	cfg[at] = PCI_CAP_ID_VNDR;
	cfg[at + 1] = next;
	cfg[at + 2] = len;
	cfg[at + 3] = type;
	cfg[at + 4] = 0; /* BAR0 */
	put32(cfg + at + 8, off);
	put32(cfg + at + 12, size);
}

static void queue_reset(struct vblk_queue *q)
{
	q->size = VBLK_QUEUE_MAX;
	q->msix_vector = VBLK_NO_VECTOR;
	q->enabled = false;
	q->desc = q->avail = q->used = 0;
	q->last_avail = q->used_idx = 0;
}

/* Device reset (status 0): the virtio state; the PCI function (BAR, MSI-X table) is untouched. */
static void device_reset_locked(struct vblk *d)
{
	d->dev_feat_sel = d->drv_feat_sel = 0;
	d->drv_features = 0;
	d->status = 0;
	d->isr = 0;
	d->queue_sel = 0;
	d->msix_config = VBLK_NO_VECTOR;
	d->config_gen++;
	for (uint32_t i = 0; i < VBLK_MAX_QUEUES; i++) {
		spin_lock(&d->q[i].lock);
		queue_reset(&d->q[i]);
		spin_unlock(&d->q[i].lock);
	}
}

void vblk_init(struct vblk *d)
{
	uint8_t *c = d->cfg;

	if (d->nr_queues == 0 || d->nr_queues > VBLK_MAX_QUEUES)
		d->nr_queues = 1;
	memset(c, 0, PCI_CFG_BYTES);
	put16(c + PCI_VENDOR_ID, VIRTIO_PCI_VENDOR);
	put16(c + PCI_DEVICE_ID, VIRTIO_PCI_BLK);
	put16(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
	c[PCI_REVISION] = VIRTIO_PCI_REVISION;
	put16(c + PCI_CLASS_PROG, (uint16_t)PCI_CLASS_STORAGE);
	c[PCI_CLASS_PROG + 2] = (uint8_t)(PCI_CLASS_STORAGE >> 16);
	put16(c + PCI_SUBSYS_VENDOR, VIRTIO_PCI_VENDOR);
	put16(c + PCI_SUBSYS_ID, VIRTIO_PCI_SUBSYS);
	c[PCI_CAP_PTR] = CAP_MSIX;
	/* No INTx (interrupt pin 0): the driver must use MSI-X, and the bridge needs no interrupt-map. */
	c[CAP_MSIX] = PCI_CAP_ID_MSIX;
	c[CAP_MSIX + 1] = CAP_COMMON;
	put16(c + MSIX_CTRL, (uint16_t)(nr_vectors(d) - 1U));
	put32(c + CAP_MSIX + 4, BAR_MSIX_TABLE);
	put32(c + CAP_MSIX + 8, BAR_MSIX_PBA);
	virtio_cap(c, CAP_COMMON, CAP_NOTIFY, VIRTIO_CAP_LEN, VIRTIO_CAP_COMMON, BAR_COMMON, VIRTIO_CC_SIZE);
	virtio_cap(c, CAP_NOTIFY, CAP_ISR, VIRTIO_CAP_NOTIFY_LEN, VIRTIO_CAP_NOTIFY, BAR_NOTIFY,
		   NOTIFY_MULTIPLIER * VBLK_MAX_QUEUES);
	put32(c + CAP_NOTIFY + 16, NOTIFY_MULTIPLIER);
	virtio_cap(c, CAP_ISR, CAP_DEVICE, VIRTIO_CAP_LEN, VIRTIO_CAP_ISR, BAR_ISR, 4);
	virtio_cap(c, CAP_DEVICE, CAP_PCI_CFG, VIRTIO_CAP_LEN, VIRTIO_CAP_DEVICE, BAR_DEVICE, BAR_DEVICE_SIZE);
	virtio_cap(c, CAP_PCI_CFG, 0, VIRTIO_CAP_NOTIFY_LEN, VIRTIO_CAP_PCI_CFG, 0, 0);
	for (uint32_t v = 0; v < VBLK_NR_VECTORS; v++)
		d->msix[v] = (struct vblk_msix_entry){ .ctrl = PCI_MSIX_ENTRY_MASKED };
	d->pba = 0;
	memset(&d->st, 0, sizeof(d->st));
	device_reset_locked(d);
}

/* Which bits of each configuration byte the driver may write. */
static uint8_t cfg_wmask(uint32_t reg)
{
	switch (reg) {
	case PCI_COMMAND:
		return (uint8_t)(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	case PCI_COMMAND + 1:
		return (uint8_t)(PCI_COMMAND_INTX_OFF >> 8);
	case PCI_BAR0 + 1:
		return (uint8_t)(~(VBLK_BAR0_SIZE - 1U) >> 8); /* the size's low bits read as 0 */
	case PCI_BAR0 + 2:
	case PCI_BAR0 + 3:
	case PCI_INT_LINE:
		return 0xffU;
	case MSIX_CTRL + 1:
		return (uint8_t)((PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL) >> 8);
	default:
		if (reg == PCI_CFG_BAR || (reg >= PCI_CFG_OFFSET && reg < PCI_CFG_DATA))
			return 0xffU;
		return 0;
	}
}

static uint16_t msix_ctrl(const struct vblk *d)
{
	return get16(d->cfg + MSIX_CTRL);
}

static bool vector_masked(const struct vblk *d, uint16_t v)
{
	return (msix_ctrl(d) & PCI_MSIX_CTRL_MASKALL) || (d->msix[v].ctrl & PCI_MSIX_ENTRY_MASKED);
}

static void msi_send_locked(struct vblk *d, uint16_t v)
{
	uint64_t addr = (uint64_t)d->msix[v].addr_hi << 32 | d->msix[v].addr_lo;

	if (irq_msi_send(d->msi, addr, d->msix[v].data, d->devid) == HV_EINVAL)
		vblk_count(&d->st.msi_misses, 1);
	else
		vblk_count(&d->st.msis, 1);
}

/* An interrupt for vector v: sent, or remembered in the PBA while its vector is masked. */
static void signal_locked(struct vblk *d, uint16_t v, uint8_t isr)
{
	d->isr |= isr;
	if (v >= nr_vectors(d) || !(msix_ctrl(d) & PCI_MSIX_CTRL_ENABLE))
		return;   /* no vector, or MSI-X off: there is no INTx to fall back to */
	if (vector_masked(d, v)) {
		d->pba |= 1U << v;
		vblk_count(&d->st.msis_deferred, 1);
		return;
	}
	msi_send_locked(d, v);
}

/* After an unmask: what the PBA holds goes out now (PCI 6.8.2.9). */
static void deliver_pending_locked(struct vblk *d)
{
	if (!(msix_ctrl(d) & PCI_MSIX_CTRL_ENABLE))
		return;
	for (uint16_t v = 0; v < nr_vectors(d); v++) {
		if (!(d->pba & (1U << v)) || vector_masked(d, v))
			continue;
		d->pba &= ~(1U << v);
		vblk_count(&d->st.msis_unmasked, 1);
		msi_send_locked(d, v);
	}
}

static bool aligned_in(uint64_t off, unsigned width, uint64_t base, uint64_t size)
{
	return off >= base && off - base < size && (off & (width - 1U)) == 0;
}

static void pci_cfg_window(struct vblk *d, bool write, uint64_t *val);

void vblk_cfg_access(struct vblk *d, uint32_t reg, unsigned width, bool write, uint64_t *val)
{
	if (width != 1 && width != 2 && width != 4) {
		vblk_count(&d->st.bad_accesses, 1);
		if (!write)
			*val = 0;
		return;
	}
	if (reg >= PCI_CFG_BYTES || (reg & (width - 1U))) {
		if (!write)
			*val = 0;   /* no extended capabilities */
		return;
	}
	spin_lock(&d->lock);
	if (reg == PCI_CFG_DATA) {
		spin_unlock(&d->lock);
		pci_cfg_window(d, write, val);
		return;
	}
	if (!write) {
		*val = 0;
		for (unsigned i = 0; i < width; i++)
			*val |= (uint64_t)d->cfg[reg + i] << (8U * i);
	} else {
		for (unsigned i = 0; i < width; i++) {
			uint8_t m = cfg_wmask(reg + i), b = (uint8_t)(*val >> (8U * i));

			d->cfg[reg + i] = (uint8_t)((d->cfg[reg + i] & ~m) | (b & m));
		}
		if (reg <= MSIX_CTRL + 1U && reg + width > MSIX_CTRL)
			deliver_pending_locked(d);
	}
	spin_unlock(&d->lock);
}

bool vblk_bar_hit(struct vblk *d, uint64_t ipa, uint64_t *off)
{
	uint32_t bar = get32(d->cfg + PCI_BAR0) & PCI_BAR_ADDR_MASK;

	*off = ipa - bar;
	return bar && (get16(d->cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY) && *off < VBLK_BAR0_SIZE;
}

static bool features_ok(uint64_t f)
{
	return !(f & ~vblk_features()) && (f & vblk_features() & (1ULL << 32));
}

/* A queue's rings must lie in guest RAM, aligned, with a power-of-two size: checked once, at enable. */
static bool queue_usable(const struct vblk *d, const struct vblk_queue *q)
{
	uint64_t n = q->size;

	return n && n <= VBLK_QUEUE_MAX && !(n & (n - 1U)) && !(q->desc % VRING_DESC_ALIGN) &&
	       !(q->avail % VRING_AVAIL_ALIGN) && !(q->used % VRING_USED_ALIGN) &&
	       d->ram_ptr(d->ram_ctx, q->desc, n * VRING_DESC_BYTES) &&
	       d->ram_ptr(d->ram_ctx, q->avail, VRING_HDR_BYTES + n * VRING_AVAIL_ELEM) &&
	       d->ram_ptr(d->ram_ctx, q->used, VRING_HDR_BYTES + n * VRING_USED_ELEM);
}

static uint64_t *queue_addr(struct vblk_queue *q, uint64_t off)
{
	if (off - VIRTIO_CC_Q_DESC < 8U)
		return &q->desc;
	if (off - VIRTIO_CC_Q_DRIVER < 8U)
		return &q->avail;
	return &q->used;
}

static uint64_t common_read_locked(struct vblk *d, uint64_t off, unsigned width)
{
	struct vblk_queue *q = d->queue_sel < d->nr_queues ? &d->q[d->queue_sel] : NULL;
	uint64_t f = vblk_features();

	switch (off | (uint64_t)width << 8) {
	case VIRTIO_CC_DFSELECT | 4U << 8: return d->dev_feat_sel;
	case VIRTIO_CC_DF | 4U << 8: return d->dev_feat_sel == 0 ? (uint32_t)f : d->dev_feat_sel == 1 ? f >> 32 : 0;
	case VIRTIO_CC_GFSELECT | 4U << 8: return d->drv_feat_sel;
	case VIRTIO_CC_GF | 4U << 8: return d->drv_feat_sel < 2 ? (uint32_t)(d->drv_features >> (32U * d->drv_feat_sel)) : 0;
	case VIRTIO_CC_MSIX_CONFIG | 2U << 8: return d->msix_config;
	case VIRTIO_CC_NUM_QUEUES | 2U << 8: return d->nr_queues;
	case VIRTIO_CC_STATUS | 1U << 8: return d->status;
	case VIRTIO_CC_CONFIG_GEN | 1U << 8: return d->config_gen;
	case VIRTIO_CC_Q_SELECT | 2U << 8: return d->queue_sel;
	case VIRTIO_CC_Q_SIZE | 2U << 8: return q ? q->size : 0;
	case VIRTIO_CC_Q_MSIX | 2U << 8: return q ? q->msix_vector : VBLK_NO_VECTOR;
	case VIRTIO_CC_Q_ENABLE | 2U << 8: return q ? q->enabled : 0;
	case VIRTIO_CC_Q_NOTIFY_OFF | 2U << 8: return d->queue_sel;
	default:
		break;
	}
	if (q && off >= VIRTIO_CC_Q_DESC && off < VIRTIO_CC_SIZE && (width == 4 || width == 8)) {
		uint64_t v = *queue_addr(q, off);

		return width == 8 ? v : (uint32_t)(v >> (off % 8U ? 32U : 0U));
	}
	if (!q && off >= VIRTIO_CC_Q_DESC && off < VIRTIO_CC_SIZE && (width == 4 || width == 8))
		return 0;
	vblk_count(&d->st.bad_accesses, 1);
	return 0;
}

static void queue_write_locked(struct vblk *d, struct vblk_queue *q, uint64_t off, unsigned width, uint64_t val)
{
	spin_lock(&q->lock);
	if (off == VIRTIO_CC_Q_ENABLE && width == 2) {
		if (val == 1 && !q->enabled) {
			if (queue_usable(d, q))
				q->enabled = true;
			else
				vblk_count(&d->st.queues_refused, 1);
		}
	} else if (q->enabled) {
		/* The rings and size are fixed while the queue runs (4.1.4.3.2); the vector may change. */
		if (off == VIRTIO_CC_Q_MSIX && width == 2)
			q->msix_vector = val < nr_vectors(d) ? (uint16_t)val : VBLK_NO_VECTOR;
	} else if (off == VIRTIO_CC_Q_SIZE && width == 2) {
		q->size = (uint16_t)val;
	} else if (off == VIRTIO_CC_Q_MSIX && width == 2) {
		q->msix_vector = val < nr_vectors(d) ? (uint16_t)val : VBLK_NO_VECTOR;
	} else if (off >= VIRTIO_CC_Q_DESC && off < VIRTIO_CC_SIZE && (width == 4 || width == 8)) {
		uint64_t *a = queue_addr(q, off);

		if (width == 8)
			*a = val;
		else if (off % 8U)
			*a = (*a & UINT32_MAX) | (val << 32);
		else
			*a = (*a & ~(uint64_t)UINT32_MAX) | (val & UINT32_MAX);
	} else {
		vblk_count(&d->st.bad_accesses, 1);
	}
	spin_unlock(&q->lock);
}

static void common_write_locked(struct vblk *d, uint64_t off, unsigned width, uint64_t val)
{
	switch (off | (uint64_t)width << 8) {
	case VIRTIO_CC_DFSELECT | 4U << 8: d->dev_feat_sel = (uint32_t)val; return;
	case VIRTIO_CC_GFSELECT | 4U << 8: d->drv_feat_sel = (uint32_t)val; return;
	case VIRTIO_CC_GF | 4U << 8:
		if (d->drv_feat_sel < 2) {
			unsigned sh = 32U * d->drv_feat_sel;

			d->drv_features = (d->drv_features & ~((uint64_t)UINT32_MAX << sh)) | (val & UINT32_MAX) << sh;
		}
		return;
	case VIRTIO_CC_MSIX_CONFIG | 2U << 8:
		d->msix_config = val < nr_vectors(d) ? (uint16_t)val : VBLK_NO_VECTOR;
		return;
	case VIRTIO_CC_STATUS | 1U << 8:
		if (val == 0) {
			device_reset_locked(d);
			return;
		}
		/* FEATURES_OK sticks only for features we offered, VERSION_1 among them. */
		if ((val & VIRTIO_ST_FEATURES_OK) && !features_ok(d->drv_features))
			val &= ~(uint64_t)VIRTIO_ST_FEATURES_OK;
		d->status = (uint8_t)val;
		return;
	case VIRTIO_CC_Q_SELECT | 2U << 8: d->queue_sel = (uint16_t)val; return;
	default:
		break;
	}
	if (off >= VIRTIO_CC_Q_SIZE && d->queue_sel < d->nr_queues && off != VIRTIO_CC_Q_NOTIFY_OFF)
		queue_write_locked(d, &d->q[d->queue_sel], off, width, val);
	else if (off < VIRTIO_CC_Q_SIZE || d->queue_sel < d->nr_queues)
		vblk_count(&d->st.bad_accesses, 1);
}

static void msix_access_locked(struct vblk *d, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	uint32_t v = (uint32_t)(off / PCI_MSIX_ENTRY_SIZE), field = (uint32_t)(off % PCI_MSIX_ENTRY_SIZE);
	uint32_t *w;

	if (v >= nr_vectors(d) || (width != 4 && !(width == 8 && field == 0))) {
		vblk_count(&d->st.bad_accesses, 1);
		if (!write)
			*val = 0;
		return;
	}
	w = field == 0 ? &d->msix[v].addr_lo : field == 4 ? &d->msix[v].addr_hi :
	    field == 8 ? &d->msix[v].data : &d->msix[v].ctrl;
	if (!write) {
		*val = width == 8 ? ((uint64_t)d->msix[v].addr_hi << 32 | d->msix[v].addr_lo) : *w;
		return;
	}
	if (width == 8) {
		d->msix[v].addr_lo = (uint32_t)*val;
		d->msix[v].addr_hi = (uint32_t)(*val >> 32);
	} else if (w == &d->msix[v].ctrl) {
		*w = (uint32_t)*val & PCI_MSIX_ENTRY_MASKED;
		deliver_pending_locked(d);
	} else {
		*w = (uint32_t)*val;
	}
}

void vblk_bar_access(struct vblk *d, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	uint64_t r = 0;

	if (width != 1 && width != 2 && width != 4 && width != 8) {
		vblk_count(&d->st.bad_accesses, 1);
		if (!write)
			*val = 0;
		return;
	}
	/* The notify: served without the device lock, so queues on different vCPUs run in parallel. */
	if (aligned_in(off, width, BAR_NOTIFY, NOTIFY_MULTIPLIER * VBLK_MAX_QUEUES)) {
		uint32_t qi = (uint32_t)((off - BAR_NOTIFY) / NOTIFY_MULTIPLIER);

		if (!write) {
			*val = 0;
			return;
		}
		if (qi >= d->nr_queues)
			return;
		vblk_count(&d->st.notifies, 1);
		if (vblk_queue_process(d, &d->q[qi])) {
			spin_lock(&d->lock);
			signal_locked(d, d->q[qi].msix_vector, ISR_QUEUE);
			spin_unlock(&d->lock);
		}
		return;
	}
	spin_lock(&d->lock);
	if (aligned_in(off, width, BAR_COMMON, VIRTIO_CC_SIZE)) {
		if (write)
			common_write_locked(d, off - BAR_COMMON, width, *val);
		else
			r = common_read_locked(d, off - BAR_COMMON, width);
	} else if (aligned_in(off, width, BAR_ISR, 4)) {
		if (!write) {
			r = d->isr;   /* reading acknowledges */
			d->isr = 0;
		}
	} else if (aligned_in(off, width, BAR_DEVICE, BAR_DEVICE_SIZE)) {
		for (unsigned i = 0; !write && i < width; i++)
			r |= (uint64_t)vblk_config_byte(d, (uint32_t)(off - BAR_DEVICE) + i) << (8U * i);
	} else if (aligned_in(off, width, BAR_MSIX_TABLE, PCI_MSIX_ENTRY_SIZE * VBLK_NR_VECTORS)) {
		msix_access_locked(d, off - BAR_MSIX_TABLE, width, write, write ? val : &r);
	} else if (aligned_in(off, width, BAR_MSIX_PBA, 8)) {
		r = off == BAR_MSIX_PBA ? d->pba : 0;
	} else {
		vblk_count(&d->st.bad_accesses, 1);
	}
	spin_unlock(&d->lock);
	if (!write)
		*val = width == 8 ? r : r & ((1ULL << (8U * width)) - 1U);
}

/* VIRTIO_PCI_CAP_PCI_CFG (4.1.4.9): a window into BAR0 through configuration space. */
static void pci_cfg_window(struct vblk *d, bool write, uint64_t *val)
{
	uint32_t bar, off, len;

	spin_lock(&d->lock);
	bar = d->cfg[PCI_CFG_BAR];
	off = get32(d->cfg + PCI_CFG_OFFSET);
	len = get32(d->cfg + PCI_CFG_LENGTH);
	spin_unlock(&d->lock);
	if (bar != 0 || (len != 1 && len != 2 && len != 4) || off >= VBLK_BAR0_SIZE) {
		if (!write)
			*val = 0;
		return;
	}
	vblk_bar_access(d, off, len, write, val);
}

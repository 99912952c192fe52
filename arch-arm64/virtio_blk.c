/* virtio_blk.c: the block device's side of virtio: its features and configuration block, and requests
 * from a split virtqueue served by copying from the disk image. The guest's rings are untrusted input. */
#include <string.h>
#include "virtio_blk.h"
#include "virtio_pci_regs.h"

/* Feature bits (virtio 1.2, 5.2.3 and 6) */
#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_MQ (1ULL << 12)
#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VBLK_SEG_MAX           (VBLK_QUEUE_MAX - 2U) /* a request's data descriptors: all but header, status */

/* struct virtio_blk_config offsets */
#define VBLK_CFG_CAPACITY      0x00U
#define VBLK_CFG_SEG_MAX       0x0cU
#define VBLK_CFG_BLK_SIZE      0x14U
#define VBLK_CFG_NUM_QUEUES    0x22U

/* Requests (5.2.6) */
#define VBLK_HDR_BYTES         16U
static const char vblk_id[] = "vgic-hyp-disk";

/* Split virtqueue layout (2.7) */
#define VRING_AVAIL_F_NO_INTERRUPT 1U

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vring_avail {
	uint16_t flags, idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id, len;
};

struct vring_used {
	uint16_t flags, idx;
	struct vring_used_elem ring[];
};

uint64_t vblk_features(void)
{
	return VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_MQ |
	       VIRTIO_F_VERSION_1;
}

static uint8_t le_byte(uint64_t v, uint32_t byte)
{
	return (uint8_t)(v >> (8U * byte));
}

uint8_t vblk_config_byte(const struct vblk *d, uint32_t off)
{
	if (off - VBLK_CFG_CAPACITY < 8U)
		return le_byte(d->disk_bytes / VBLK_SECTOR, off - VBLK_CFG_CAPACITY);
	if (off - VBLK_CFG_SEG_MAX < 4U)
		return le_byte(VBLK_SEG_MAX, off - VBLK_CFG_SEG_MAX);
	if (off - VBLK_CFG_BLK_SIZE < 4U)
		return le_byte(VBLK_SECTOR, off - VBLK_CFG_BLK_SIZE);
	if (off - VBLK_CFG_NUM_QUEUES < 2U)
		return le_byte(d->nr_queues, off - VBLK_CFG_NUM_QUEUES);
	return 0;
}

/* One request being parsed: where its data goes, and how it ends. */
struct vblk_req {
	uint32_t type;
	uint64_t pos;         /* byte offset in the disk of the next data byte */
	uint8_t status;
	uint32_t written;     /* bytes written into device-writable buffers, the status byte included */
};

/* A data buffer of the request: reads fill it from the disk; other types leave it alone. */
static void data_buffer(struct vblk *d, struct vblk_req *r, const struct vring_desc *desc, uint32_t len)
{
	uint8_t *buf;

	if (r->status != VIRTIO_BLK_S_OK || len == 0)
		return;
	if (r->type == VIRTIO_BLK_T_GET_ID) {
		uint32_t n = len < VIRTIO_BLK_ID_BYTES ? len : VIRTIO_BLK_ID_BYTES;

		buf = (desc->flags & VRING_DESC_F_WRITE) ? d->ram_ptr(d->ram_ctx, desc->addr, n) : NULL;
		if (!buf) {
			r->status = VIRTIO_BLK_S_IOERR;
			return;
		}
		memset(buf, 0, n);
		memcpy(buf, vblk_id, sizeof(vblk_id) - 1U < n ? sizeof(vblk_id) - 1U : n);
		r->written += n;
		return;
	}
	if (r->type != VIRTIO_BLK_T_IN)
		return;
	buf = (desc->flags & VRING_DESC_F_WRITE) ? d->ram_ptr(d->ram_ctx, desc->addr, len) : NULL;
	if (!buf || r->pos > d->disk_bytes || len > d->disk_bytes - r->pos) {
		r->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	memcpy(buf, d->disk + r->pos, len);
	r->pos += len;
	r->written += len;
	vblk_count(&d->st.bytes_read, len);
}

/*
 * Is the chain from head one the device can complete? It must end within the ring (no loop, no index
 * past it), start with a readable 16-byte header in RAM and end with a writable status byte in RAM
 * (the last byte of the last descriptor). Checked before anything is written, so a chain refused
 * here has had nothing done to it.
 */
static bool chain_ok(const struct vblk *d, const struct vring_desc *ring, uint16_t size, uint16_t head,
		     struct vring_desc *last)
{
	struct vring_desc cur;
	uint16_t i = head;

	if (i >= size)
		return false;
	cur = ring[i];
	if ((cur.flags & VRING_DESC_F_WRITE) || cur.len < VBLK_HDR_BYTES || !(cur.flags & VRING_DESC_F_NEXT) ||
	    !d->ram_ptr(d->ram_ctx, cur.addr, VBLK_HDR_BYTES))
		return false;
	for (uint32_t n = 1; cur.flags & VRING_DESC_F_NEXT; n++) {
		if (n >= size || cur.next >= size)
			return false;
		cur = ring[cur.next];
	}
	*last = cur;
	return (cur.flags & VRING_DESC_F_WRITE) && cur.len && d->ram_ptr(d->ram_ctx, cur.addr + cur.len - 1U, 1);
}

/*
 * Serve the chain from head: the header, data buffers, the status byte. Returns the used length, or -1
 * if chain_ok() refused it: the caller still returns it to the driver, with length 0, so the ring never
 * stalls.
 */
static int32_t serve(struct vblk *d, const struct vring_desc *ring, uint16_t size, uint16_t head)
{
	struct vblk_req r = { .status = VIRTIO_BLK_S_OK };
	struct vring_desc cur, last;
	const uint8_t *hdr;

	if (!chain_ok(d, ring, size, head, &last))
		return -1;
	cur = ring[head];
	hdr = d->ram_ptr(d->ram_ctx, cur.addr, VBLK_HDR_BYTES);
	memcpy(&r.type, hdr, sizeof(r.type));
	memcpy(&r.pos, hdr + 8, sizeof(r.pos));
	if (r.pos > UINT64_MAX / VBLK_SECTOR)
		r.status = VIRTIO_BLK_S_IOERR;
	r.pos *= VBLK_SECTOR;
	if (r.type == VIRTIO_BLK_T_OUT)
		r.status = VIRTIO_BLK_S_IOERR;      /* a read-only disk (VIRTIO_BLK_F_RO) */
	else if (r.type != VIRTIO_BLK_T_IN && r.type != VIRTIO_BLK_T_FLUSH && r.type != VIRTIO_BLK_T_GET_ID)
		r.status = VIRTIO_BLK_S_UNSUPP;
	/* chain_ok() walked it, but the guest can rewrite the ring meanwhile (another vCPU): the walk is
	 * bounded again, and the status goes where the checked copy of the last descriptor says. */
	cur = ring[cur.next < size ? cur.next : 0];
	for (uint32_t n = 1; (cur.flags & VRING_DESC_F_NEXT) && n < size && cur.next < size; n++) {
		data_buffer(d, &r, &cur, cur.len);
		cur = ring[cur.next];
	}
	/* The last descriptor: data, then the status byte as its last byte. */
	data_buffer(d, &r, &last, last.len - 1U);
	if (r.status == VIRTIO_BLK_S_IOERR)
		vblk_count(&d->st.io_errors, 1);
	else if (r.status == VIRTIO_BLK_S_UNSUPP)
		vblk_count(&d->st.unsupported, 1);
	*(uint8_t *)d->ram_ptr(d->ram_ctx, last.addr + last.len - 1U, 1) = r.status;
	return (int32_t)(r.written + 1U);
}

bool vblk_queue_process(struct vblk *d, struct vblk_queue *q)
{
	const struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;
	bool added = false;

	spin_lock(&q->lock);
	if (!q->enabled) {
		spin_unlock(&q->lock);
		return false;
	}
	desc = d->ram_ptr(d->ram_ctx, q->desc, (uint64_t)q->size * sizeof(*desc));
	avail = d->ram_ptr(d->ram_ctx, q->avail, sizeof(*avail) + (uint64_t)q->size * sizeof(uint16_t));
	used = d->ram_ptr(d->ram_ctx, q->used, sizeof(*used) + (uint64_t)q->size * sizeof(struct vring_used_elem));
	avail_idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
	/* More new entries than the ring holds: the driver's index is garbage. Serve nothing. */
	if ((uint16_t)(avail_idx - q->last_avail) > q->size) {
		vblk_count(&d->st.bad_chains, 1);
		spin_unlock(&q->lock);
		return false;
	}
	while (q->last_avail != avail_idx) {
		uint16_t head = __atomic_load_n(&avail->ring[q->last_avail % q->size], __ATOMIC_RELAXED);
		int32_t len = serve(d, desc, q->size, head);

		vblk_count(&d->st.requests, 1);
		if (len < 0) {
			vblk_count(&d->st.bad_chains, 1);
			len = 0;
		}
		used->ring[q->used_idx % q->size].id = head;
		used->ring[q->used_idx % q->size].len = (uint32_t)len;
		q->last_avail++;
		q->used_idx++;
		added = true;
	}
	if (added)
		__atomic_store_n(&used->idx, q->used_idx, __ATOMIC_RELEASE);
	added = added && !(__atomic_load_n(&avail->flags, __ATOMIC_RELAXED) & VRING_AVAIL_F_NO_INTERRUPT);
	spin_unlock(&q->lock);
	return added;
}

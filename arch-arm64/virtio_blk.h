/* virtio_blk.h: a virtio 1.x block device on a PCI function (virtio_pci.c the transport, virtio_blk.c the
 * requests): read-only, one queue per vCPU, its disk an image in host memory; served at the queue notify. */
#ifndef HYP_VIRTIO_BLK_H
#define HYP_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include "irq_msg.h"
#include "spinlock.h"

#define VBLK_MAX_QUEUES   8U
#define VBLK_QUEUE_MAX    256U                   /* each queue's largest (and initial) size */
#define VBLK_NR_VECTORS   (VBLK_MAX_QUEUES + 1U) /* MSI-X: the configuration vector and one per queue */
#define VBLK_NO_VECTOR    0xffffU
#define VBLK_SECTOR       512U
#define VBLK_BAR0_SIZE    0x4000U

struct vblk_queue {
	struct spinlock lock;           /* taken alone: never while the device lock is held, nor the reverse */
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc, avail, used;     /* guest physical addresses, checked when the queue was enabled */
	uint16_t last_avail, used_idx;
};

struct vblk_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

/* What the device counts (docs/arm64.md, "The PCI disk"); printed at the end of the run. */
struct vblk_stats {
	uint64_t notifies, requests, bytes_read, io_errors, unsupported;
	uint64_t bad_chains;        /* a request the device could not parse: its header or status unreachable */
	uint64_t queues_refused;    /* queue_enable with rings outside guest RAM or a bad size */
	uint64_t msis, msis_deferred, msis_unmasked; /* sent; held by a mask; sent at the unmask */
	uint64_t msi_misses;        /* an MSI-X address that is not the ITS's doorbell: dropped */
	uint64_t bad_accesses;      /* register accesses of a width or at an offset the device does not have */
};

/*
 * Count into a vblk_stats field. Each queue is served on the CPU of the vCPU that notified it, under
 * that queue's lock only, so several CPUs count into the same fields at once: a plain += lost updates
 * (bytes_read came up 40 KiB short of the 256 MiB that 4 readers on 4 vCPUs read, test-linux).
 */
static inline void vblk_count(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

struct vblk {
	/* Set by the owner before vblk_init(). */
	const uint8_t *disk;
	uint64_t disk_bytes;
	void *(*ram_ptr)(void *ctx, uint64_t gpa, uint64_t len); /* guest RAM, NULL outside */
	void *ram_ctx;
	struct irq_msi_target *msi;
	uint32_t devid;                 /* the requester ID the MSIs carry (bus 0, device 1: 0x8) */
	uint16_t nr_queues;
	/* Transport state, under lock. */
	struct spinlock lock;
	uint32_t dev_feat_sel, drv_feat_sel;
	uint64_t drv_features;
	uint8_t status, config_gen, isr;
	uint16_t queue_sel, msix_config;
	struct vblk_queue q[VBLK_MAX_QUEUES];
	struct vblk_msix_entry msix[VBLK_NR_VECTORS];
	uint32_t pba;                   /* vectors signalled while masked */
	uint8_t cfg[256];               /* PCI configuration header and capabilities */
	struct vblk_stats st;
};

void vblk_init(struct vblk *d);
/* ECAM configuration space of the function, reg 0..4095 (above 255 reads 0). */
void vblk_cfg_access(struct vblk *d, uint32_t reg, unsigned width, bool write, uint64_t *val);
/* Is BAR0 assigned, decoding memory, and ipa inside it (*off: where)? */
bool vblk_bar_hit(struct vblk *d, uint64_t ipa, uint64_t *off);
/* An access inside BAR0 (common, ISR, device and notify blocks, MSI-X table and PBA). */
void vblk_bar_access(struct vblk *d, uint64_t off, unsigned width, bool write, uint64_t *val);

/* virtio_blk.c: serve what the driver queued on q; true if an interrupt is due. */
bool vblk_queue_process(struct vblk *d, struct vblk_queue *q);
/* The device's configuration block (struct virtio_blk_config) as bytes, for the transport. */
uint8_t vblk_config_byte(const struct vblk *d, uint32_t off);
/* Offered feature bits. */
uint64_t vblk_features(void);

#endif

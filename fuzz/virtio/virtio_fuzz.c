/* virtio_fuzz.c: libFuzzer over the arm64 hypervisor's PCI disk (arch-arm64/virtio_pci.c, virtio_blk.c):
 * configuration space, BAR0 and the rings in guest RAM all from the input, against a device set up as a driver would. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "virtio_blk.h"

#define RAM_GPA        0x40000000ULL
#define RAM_SIZE       0x10000U
#define DISK_SIZE      0x4000U
#define DOORBELL       0x08090040ULL
#define BAR_BASE       0x10000000U
#define PCI_BAR0       0x10U
#define PCI_COMMAND    0x04U
#define MSIX_CTRL_REG  0x42U
#define MSIX_ENABLE    0x8000U
#define CC_GFSELECT    0x08U
#define CC_GF          0x0cU
#define CC_STATUS      0x14U
#define CC_Q_SELECT    0x16U
#define CC_Q_SIZE      0x18U
#define CC_Q_MSIX      0x1aU
#define CC_Q_ENABLE    0x1cU
#define CC_Q_DESC      0x20U
#define CC_Q_DRIVER    0x28U
#define CC_Q_DEVICE    0x30U
#define BAR_NOTIFY     0x1800U
#define BAR_MSIX       0x2000U
#define QSIZE          16U
/* Where the preamble puts queue 0's rings in the fake guest RAM */
#define DESC_OFF       0x0000U
#define AVAIL_OFF      0x1000U
#define USED_OFF       0x2000U

static uint8_t ram[RAM_SIZE];
static uint8_t disk[DISK_SIZE], disk_copy[DISK_SIZE];
static struct vblk dev;
static uint64_t msis_sent;

static void *ram_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	if (gpa < RAM_GPA || len > RAM_SIZE || gpa - RAM_GPA > RAM_SIZE - len)
		return NULL;
	return ram + (gpa - RAM_GPA);
}

static int msi_send(struct irq_msi_target *t, uint64_t addr, uint32_t data, uint32_t devid)
{
	(void)t;
	(void)data;
	if (devid != dev.devid)
		abort();   /* the device must always send its own requester ID */
	if (addr != DOORBELL)
		return HV_EINVAL;
	msis_sent++;
	return HV_OK;
}

static const struct irq_msi_ops msi_ops = { .send = msi_send };
static struct irq_msi_target msi_target = { .ops = &msi_ops, .name = "fuzz doorbell" };

static void cfg_w(uint32_t reg, unsigned width, uint64_t v) { vblk_cfg_access(&dev, reg, width, true, &v); }
static void bar_w(uint64_t off, unsigned width, uint64_t v) { vblk_bar_access(&dev, off, width, true, &v); }

/* A device a driver has set up: BAR0 on, VERSION_1 negotiated, queue 0 enabled, MSI-X on. */
static void preamble(void)
{
	memset(&dev, 0, sizeof(dev));
	memset(ram, 0, sizeof(ram));
	dev.disk = disk;
	dev.disk_bytes = DISK_SIZE;
	dev.ram_ptr = ram_ptr;
	dev.msi = &msi_target;
	dev.devid = 8;
	dev.nr_queues = 2;
	vblk_init(&dev);
	cfg_w(PCI_BAR0, 4, BAR_BASE);
	cfg_w(PCI_COMMAND, 2, 6);
	bar_w(CC_STATUS, 1, 3);
	bar_w(CC_GFSELECT, 4, 1);
	bar_w(CC_GF, 4, 1);
	bar_w(CC_STATUS, 1, 11);
	bar_w(CC_Q_SELECT, 2, 0);
	bar_w(CC_Q_SIZE, 2, QSIZE);
	bar_w(CC_Q_MSIX, 2, 1);
	bar_w(CC_Q_DESC, 8, RAM_GPA + DESC_OFF);
	bar_w(CC_Q_DRIVER, 8, RAM_GPA + AVAIL_OFF);
	bar_w(CC_Q_DEVICE, 8, RAM_GPA + USED_OFF);
	bar_w(CC_Q_ENABLE, 2, 1);
	bar_w(BAR_MSIX + 16, 4, (uint32_t)DOORBELL);
	bar_w(BAR_MSIX + 28, 4, 0);
	cfg_w(MSIX_CTRL_REG, 2, MSIX_ENABLE);
	bar_w(CC_STATUS, 1, 15);
}

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8U * i);
	return v;
}

static const unsigned widths[8] = { 1, 2, 4, 8, 1, 2, 4, 3 };

/* The device's own state must stay inside what it was built with, whatever the input did. */
static void check_invariants(void)
{
	uint32_t nvec = dev.nr_queues + 1U;

	if (memcmp(disk, disk_copy, DISK_SIZE))
		abort();   /* a read-only disk */
	if (dev.pba >> nvec)
		abort();
	if (dev.msix_config != VBLK_NO_VECTOR && dev.msix_config >= nvec)
		abort();
	for (uint32_t i = 0; i < VBLK_MAX_QUEUES; i++) {
		const struct vblk_queue *q = &dev.q[i];

		if (q->lock.word || (q->msix_vector != VBLK_NO_VECTOR && q->msix_vector >= nvec))
			abort();
		if (q->enabled && (i >= dev.nr_queues || !q->size || q->size > VBLK_QUEUE_MAX ||
				   (q->size & (q->size - 1U))))
			abort();
	}
	if (dev.lock.word || dev.st.msis != msis_sent)
		abort();   /* every message counted as sent reached the doorbell */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	static bool disk_ready;

	if (!disk_ready) {
		for (unsigned i = 0; i < DISK_SIZE; i++)
			disk[i] = (uint8_t)(i * 7U + 3U);
		memcpy(disk_copy, disk, DISK_SIZE);
		disk_ready = true;
	}
	msis_sent = 0;
	preamble();
	while (in.n) {
		uint8_t op = (uint8_t)take(&in, 1);
		unsigned width = widths[op >> 5];
		uint64_t v;

		switch (op & 3U) {
		case 0: {   /* configuration space */
			uint32_t reg = (uint32_t)take(&in, 2) & 0xfffU;
			bool write = op & 4U;

			v = take(&in, 4);
			vblk_cfg_access(&dev, reg, width, write, &v);
			break;
		}
		case 1: {   /* BAR0 */
			uint64_t off = take(&in, 2) % VBLK_BAR0_SIZE;
			bool write = op & 4U;

			v = take(&in, 8);
			vblk_bar_access(&dev, off, width, write, &v);
			break;
		}
		case 2: {   /* guest RAM: rings, descriptors, headers */
			uint32_t off = (uint32_t)take(&in, 2) % RAM_SIZE, len = (uint32_t)take(&in, 1);

			for (uint32_t i = 0; i < len && in.n; i++)
				ram[(off + i) % RAM_SIZE] = (uint8_t)take(&in, 1);
			break;
		}
		default:    /* notify a queue */
			bar_w(BAR_NOTIFY + 4U * (take(&in, 1) % (VBLK_MAX_QUEUES + 1U)), 2, 0);
			break;
		}
	}
	check_invariants();
	return 0;
}

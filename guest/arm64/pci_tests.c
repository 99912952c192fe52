/* pci_tests.c: the "pci" mode's checks: the hypervisor's virtio-blk disk driven by hand, as a driver
 * would and as a hostile one would (bad rings, chains, buffers, MSI-X addresses, unmapped events). */
#include "arm64.h"
#include "hv_abi.h"
#include "its.h"
#include "virtio_pci_regs.h"
#include "../common/guest.h"

/* PCI configuration space */
#define PCI_DEVFN(d, f)      ((d) << 3 | (f))
#define ECAM(devfn, reg)     (machine.pci_ecam + ((uint64_t)(devfn) << 12) + (reg))
#define DISK_DEVFN           PCI_DEVFN(1U, 0U)
#define DISK_RID             DISK_DEVFN     /* bus 0: the ITS's DeviceID through msi-map */
#define PCI_ID               0x00U
#define PCI_ABSENT           0xffffffffU
#define VIRTIO_BLK_ID        0x10421af4U   /* device 0x1042, vendor 0x1af4 */
/* virtio common configuration */
#define F_VERSION_1_HI       1U            /* bit 32: bit 0 of the high word */
#define F_UNOFFERED_HI       (1U << 8)     /* bit 40: not a feature the device offers */
/* virtio-blk */
#define T_BOGUS              99U
static const char disk_label[] = "vgic test disk: ";   /* scripts/mkdisk.py's sector 0 */
static const char disk_id[] = "vgic-hyp-disk";
/* The ring */
#define QSIZE                8U
#define NOT_RAM              0x7f000000UL  /* an IPA beyond every guest's RAM */
#define NOT_DOORBELL         0x12345678UL
/* MSI-X: vector 1 is queue 0's, event 0 of the disk's device in the ITS; LPIs past its_tests.c's */
#define VEC_Q0               1U
#define EVENT_Q0             0U
#define EVENT_UNMAPPED       7U
#define PCI_LPI_SLOT         2100U
#define ITT_EVENT_BITS       4U
#define PRIO_PCI             6U
#define DONE_NS              (500 * NS_PER_MS)
#define QUIET_NS             (50 * NS_PER_MS)

struct vdesc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vavail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct vused { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; uint16_t avail_event; };
struct blk_hdr { uint32_t type, reserved; uint64_t sector; };

static struct vdesc desc[QSIZE] __attribute__((aligned(16)));
static struct vavail avail __attribute__((aligned(4)));
static volatile struct vused used __attribute__((aligned(8)));
static struct blk_hdr hdr __attribute__((aligned(16)));
static uint8_t data[VIRTIO_BLK_SECTOR] __attribute__((aligned(64)));
static volatile uint8_t status;
static uint64_t itt[1U << ITT_EVENT_BITS] __attribute__((aligned(256)));

static uint64_t bar, common, notify, devcfg, msix_table, msix_pba;
static uint32_t notify_mult;
static unsigned msix_cap;
static volatile uint32_t lpis;

static uint64_t pa(const void *p) { return (uint64_t)(uintptr_t)p; }

static void lpi_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&lpis, 1, __ATOMIC_RELEASE);
}

/* The capabilities: MSI-X, and the virtio structures' places in BAR0. */
static bool find_caps(void)
{
	for (uint32_t at = mmio_r8(ECAM(DISK_DEVFN, PCI_CAP_PTR)), n = 0; at && n < 16; n++) {
		uint8_t id = mmio_r8(ECAM(DISK_DEVFN, at)), type = mmio_r8(ECAM(DISK_DEVFN, at + 3));
		uint64_t off = mmio_r32(ECAM(DISK_DEVFN, at + 8));

		if (id == PCI_CAP_ID_MSIX) {
			msix_cap = at;
			msix_table = bar + (mmio_r32(ECAM(DISK_DEVFN, at + 4)) & ~7U);
			msix_pba = bar + (mmio_r32(ECAM(DISK_DEVFN, at + 8)) & ~7U);
		} else if (id == PCI_CAP_ID_VNDR && type == VIRTIO_CAP_COMMON) {
			common = bar + off;
		} else if (id == PCI_CAP_ID_VNDR && type == VIRTIO_CAP_NOTIFY) {
			notify = bar + off;
			notify_mult = mmio_r32(ECAM(DISK_DEVFN, at + 16));
		} else if (id == PCI_CAP_ID_VNDR && type == VIRTIO_CAP_DEVICE) {
			devcfg = bar + off;
		}
		at = mmio_r8(ECAM(DISK_DEVFN, at + 1));
	}
	return msix_cap && common && notify && devcfg;
}

static void test_enumerate(void)
{
	uint32_t id = mmio_r32(ECAM(DISK_DEVFN, PCI_ID)), empty = mmio_r32(ECAM(PCI_DEVFN(0U, 0U), PCI_ID));
	uint32_t size;

	mmio_w32(ECAM(DISK_DEVFN, PCI_BAR0), PCI_ABSENT);
	size = ~(mmio_r32(ECAM(DISK_DEVFN, PCI_BAR0)) & ~0xfU) + 1U;
	bar = machine.pci_mmio;
	mmio_w32(ECAM(DISK_DEVFN, PCI_BAR0), (uint32_t)bar);
	mmio_w16(ECAM(DISK_DEVFN, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	check("pci_enumerate", id == VIRTIO_BLK_ID && empty == PCI_ABSENT && size && size <= machine.pci_mmio_size &&
	      find_caps(), "00:01.0 id 0x%x, 00:00.0 id 0x%x, BAR0 %u bytes at 0x%lx, caps %s", id, empty, size, bar,
	      msix_cap ? "found" : "missing");
}

/* Negotiate: an unoffered feature must not get FEATURES_OK; VERSION_1 alone must. */
static bool negotiate(uint32_t hi)
{
	mmio_w8(common + VIRTIO_CC_STATUS, 0);
	mmio_w8(common + VIRTIO_CC_STATUS, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER);
	mmio_w32(common + VIRTIO_CC_GFSELECT, 0);
	mmio_w32(common + VIRTIO_CC_GF, 0);
	mmio_w32(common + VIRTIO_CC_GFSELECT, 1);
	mmio_w32(common + VIRTIO_CC_GF, hi);
	mmio_w8(common + VIRTIO_CC_STATUS, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK);
	return mmio_r8(common + VIRTIO_CC_STATUS) & VIRTIO_ST_FEATURES_OK;
}

static void msix_entry(unsigned v, uint64_t addr, uint32_t event, uint32_t ctrl)
{
	uint64_t e = msix_table + (uint64_t)v * PCI_MSIX_ENTRY_SIZE;

	mmio_w32(e, (uint32_t)addr);
	mmio_w32(e + 4, (uint32_t)(addr >> 32));
	mmio_w32(e + 8, event);
	mmio_w32(e + 12, ctrl);
}

static void queue_addresses(uint64_t d, uint64_t a, uint64_t u)
{
	mmio_w32(common + VIRTIO_CC_Q_DESC, (uint32_t)d);
	mmio_w32(common + VIRTIO_CC_Q_DESC + 4, (uint32_t)(d >> 32));
	mmio_w32(common + VIRTIO_CC_Q_DRIVER, (uint32_t)a);
	mmio_w32(common + VIRTIO_CC_Q_DRIVER + 4, (uint32_t)(a >> 32));
	mmio_w32(common + VIRTIO_CC_Q_DEVICE, (uint32_t)u);
	mmio_w32(common + VIRTIO_CC_Q_DEVICE + 4, (uint32_t)(u >> 32));
}

/* The ITS side: the disk's DeviceID mapped with its own ITT, event 0 -> an LPI on CPU 0. */
static bool its_map_disk(void)
{
	uint64_t dev = (uint64_t)DISK_RID << CMD_DEVICE_SHIFT;

	if (!its_ready())
		return false;
	its_lpi_config(PCI_LPI_SLOT, PRIO_PCI, true);
	guest_irq_register(GUEST_IRQ_MSI_BASE + PCI_LPI_SLOT, lpi_handler, NULL);
	return its_cmd(CMD_MAPD | dev, ITT_EVENT_BITS - 1U, (1UL << 63) | pa(itt), 0) &&
	       its_cmd(CMD_MAPTI | dev, EVENT_Q0 | (uint64_t)(GIC_LPI_BASE + PCI_LPI_SLOT) << CMD_EVENT_LPI_SHIFT, 0, 0) &&
	       its_cmd(CMD_INV | dev, EVENT_Q0, 0, 0) && its_cmd(CMD_SYNC, 0, its_rdbase(0) << CMD_RD_SHIFT, 0);
}

static void test_setup(void)
{
	bool bad_features = negotiate(F_VERSION_1_HI | F_UNOFFERED_HI);
	bool good_features = negotiate(F_VERSION_1_HI);
	uint64_t sectors = mmio_r32(devcfg + VIRTIO_BLK_CFG_CAPACITY) | (uint64_t)mmio_r32(devcfg + VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	uint16_t refused, enabled;

	mmio_w16(common + VIRTIO_CC_Q_SELECT, 0);
	mmio_w16(common + VIRTIO_CC_Q_SIZE, QSIZE);
	mmio_w16(common + VIRTIO_CC_MSIX_CONFIG, VIRTIO_NO_VECTOR);
	mmio_w16(common + VIRTIO_CC_Q_MSIX, VEC_Q0);
	/* Hostile first: rings outside guest RAM are refused, the queue stays off. */
	queue_addresses(NOT_RAM, pa(&avail), pa((const void *)&used));
	mmio_w16(common + VIRTIO_CC_Q_ENABLE, 1);
	refused = mmio_r16(common + VIRTIO_CC_Q_ENABLE);
	queue_addresses(pa(desc), pa(&avail), pa((const void *)&used));
	mmio_w16(common + VIRTIO_CC_Q_ENABLE, 1);
	enabled = mmio_r16(common + VIRTIO_CC_Q_ENABLE);
	msix_entry(0, 0, 0, PCI_MSIX_ENTRY_MASKED);
	msix_entry(VEC_Q0, machine.its + GITS_TRANSLATER, EVENT_Q0, 0);
	mmio_w16(ECAM(DISK_DEVFN, msix_cap + 2), PCI_MSIX_CTRL_ENABLE);
	mmio_w8(common + VIRTIO_CC_STATUS, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK | VIRTIO_ST_DRIVER_OK);
	check("pci_virtio_setup", !bad_features && good_features && sectors && !refused && enabled &&
	      mmio_r16(common + VIRTIO_CC_Q_MSIX) == VEC_Q0 && its_map_disk(),
	      "FEATURES_OK with an unoffered feature %s, with VERSION_1 %s; %lu sectors; rings outside RAM %s; "
	      "queue 0 %s", bad_features ? "kept (wrong)" : "refused", good_features ? "kept" : "refused", sectors,
	      refused ? "accepted (wrong)" : "refused", enabled ? "enabled" : "not enabled");
}

/* One request: descriptors 0..n-1 already written; put head 0 on the ring, notify, wait for it. */
static bool submit(uint32_t *len, bool want_lpi, uint32_t *lpis_seen)
{
	uint16_t before = used.idx;
	uint32_t lpis_before = lpis;
	uint64_t deadline;

	avail.ring[avail.idx % QSIZE] = 0;
	dsb(ish);
	avail.idx++;
	dsb(ish);
	mmio_w16(notify + (uint64_t)mmio_r16(common + VIRTIO_CC_Q_NOTIFY_OFF) * notify_mult, 0);
	deadline = guest_arch_now_ns() + DONE_NS;
	while (used.idx == before && guest_arch_now_ns() < deadline)
		;
	guest_arch_local_irq_enable();
	if (want_lpi)
		wait_count(&lpis, lpis_before + 1U, DONE_NS);
	else
		delay_ns(QUIET_NS);
	guest_arch_local_irq_disable();
	*lpis_seen = lpis - lpis_before;
	*len = used.ring[before % QSIZE].len;
	return used.idx == (uint16_t)(before + 1U);
}

/* header, data buffer (dlen bytes at daddr, device-writable or not), status */
static void chain(uint32_t type, uint64_t sector, uint64_t daddr, uint32_t dlen, uint16_t dflags)
{
	hdr = (struct blk_hdr){ .type = type, .sector = sector };
	status = 0xff;
	desc[0] = (struct vdesc){ pa(&hdr), sizeof(hdr), VRING_DESC_F_NEXT, 1 };
	desc[1] = (struct vdesc){ daddr, dlen, (uint16_t)(dflags | VRING_DESC_F_NEXT), 2 };
	desc[2] = (struct vdesc){ pa((const void *)&status), 1, VRING_DESC_F_WRITE, 0 };
}

static bool label_ok(void)
{
	for (unsigned i = 0; i < sizeof(disk_label) - 1U; i++)
		if (data[i] != (uint8_t)disk_label[i])
			return false;
	return true;
}

static void test_read(const char *name)
{
	uint32_t len, got;
	bool done;

	for (unsigned i = 0; i < VIRTIO_BLK_SECTOR; i++)
		data[i] = 0;
	chain(VIRTIO_BLK_T_IN, 0, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);
	done = submit(&len, true, &got);
	check(name, done && status == VIRTIO_BLK_S_OK && len == VIRTIO_BLK_SECTOR + 1U && label_ok() && got == 1,
	      "%s, status %u, used length %u, sector 0 %s, %u LPI(s)", done ? "completed" : "not completed",
	      status, len, label_ok() ? "is the image's label" : "wrong", got);
}

static void test_get_id(void)
{
	uint32_t len, got;
	bool done, same = true;

	chain(VIRTIO_BLK_T_GET_ID, 0, pa(data), VIRTIO_BLK_ID_BYTES, VRING_DESC_F_WRITE);
	done = submit(&len, true, &got);
	for (unsigned i = 0; i < sizeof(disk_id) - 1U; i++)
		same = same && data[i] == (uint8_t)disk_id[i];
	check("pci_get_id", done && status == VIRTIO_BLK_S_OK && same && got == 1, "status %u, id %s, %u LPI(s)", status,
	      same ? "as expected" : "wrong", got);
}

/* An interrupt raised while its vector is masked waits in the PBA and is sent at the unmask. */
static void test_masked_vector(void)
{
	uint32_t len, got, late, pba;
	uint32_t before;
	bool done;

	mmio_w32(msix_table + VEC_Q0 * PCI_MSIX_ENTRY_SIZE + 12, PCI_MSIX_ENTRY_MASKED);
	chain(VIRTIO_BLK_T_IN, 1, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);
	done = submit(&len, false, &got);
	pba = mmio_r32(msix_pba);
	before = lpis;
	mmio_w32(msix_table + VEC_Q0 * PCI_MSIX_ENTRY_SIZE + 12, 0);
	guest_arch_local_irq_enable();
	wait_count(&lpis, before + 1U, DONE_NS);
	guest_arch_local_irq_disable();
	late = lpis - before;
	check("pci_masked_vector", done && status == VIRTIO_BLK_S_OK && got == 0 && (pba & (1U << VEC_Q0)) && late == 1 &&
	      !(mmio_r32(msix_pba) & (1U << VEC_Q0)), "request %s; while masked %u LPI(s), PBA 0x%x; at unmask %u LPI(s)",
	      done ? "completed" : "not completed", got, pba, late);
}

/* Requests a hostile driver makes: each is answered (or dropped) without taking the device down. */
static void test_hostile_requests(void)
{
	uint32_t len, got, fails = 0;
	uint64_t sectors = mmio_r32(devcfg + VIRTIO_BLK_CFG_CAPACITY) | (uint64_t)mmio_r32(devcfg + VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	uint16_t idx;

	chain(VIRTIO_BLK_T_IN, 0, NOT_RAM, VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);          /* a buffer outside RAM */
	fails |= (uint32_t)!(submit(&len, true, &got) && status == VIRTIO_BLK_S_IOERR) << 0;
	chain(VIRTIO_BLK_T_IN, sectors, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);   /* past the end of the disk */
	fails |= (uint32_t)!(submit(&len, true, &got) && status == VIRTIO_BLK_S_IOERR) << 1;
	chain(VIRTIO_BLK_T_OUT, 0, pa(data), VIRTIO_BLK_SECTOR, 0);              /* a write to a read-only disk */
	fails |= (uint32_t)!(submit(&len, true, &got) && status == VIRTIO_BLK_S_IOERR) << 2;
	chain(T_BOGUS, 0, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);      /* a request type that does not exist */
	fails |= (uint32_t)!(submit(&len, true, &got) && status == VIRTIO_BLK_S_UNSUPP) << 3;
	chain(VIRTIO_BLK_T_IN, 0, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);         /* a chain that loops */
	desc[2].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	desc[2].next = 0;
	fails |= (uint32_t)!(submit(&len, true, &got) && len == 0 && status == 0xff) << 4;
	chain(VIRTIO_BLK_T_IN, 0, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);         /* no status byte: the chain ends on a read-only one */
	desc[2].flags = 0;
	fails |= (uint32_t)!(submit(&len, true, &got) && len == 0) << 5;
	/* An available index far ahead of the ring: nothing is served until it makes sense again. */
	idx = avail.idx;
	avail.idx = (uint16_t)(idx + 100U);
	dsb(ish);
	mmio_w16(notify + (uint64_t)mmio_r16(common + VIRTIO_CC_Q_NOTIFY_OFF) * notify_mult, 0);
	delay_ns(QUIET_NS);
	fails |= (uint32_t)(used.idx != idx) << 6;
	avail.idx = idx;
	dsb(ish);
	check("pci_hostile_requests", fails == 0, "wrong answers (bit per case: buffer outside RAM, past the end, write, bad type, loop, no status, garbage index): 0x%x; used index %u", fails, used.idx);
}

/* Messages that go nowhere: an MSI-X address that is not the doorbell, an event the ITS has no
 * mapping for. The request completes; no interrupt arrives; the device goes on. */
static void test_lost_messages(void)
{
	uint32_t len, got_miss, got_unmapped;
	bool done_miss, done_unmapped;

	msix_entry(VEC_Q0, NOT_DOORBELL, EVENT_Q0, 0);
	chain(VIRTIO_BLK_T_IN, 0, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);
	done_miss = submit(&len, false, &got_miss);
	msix_entry(VEC_Q0, machine.its + GITS_TRANSLATER, EVENT_UNMAPPED, 0);
	chain(VIRTIO_BLK_T_IN, 0, pa(data), VIRTIO_BLK_SECTOR, VRING_DESC_F_WRITE);
	done_unmapped = submit(&len, false, &got_unmapped);
	msix_entry(VEC_Q0, machine.its + GITS_TRANSLATER, EVENT_Q0, 0);
	check("pci_lost_messages", done_miss && done_unmapped && got_miss == 0 && got_unmapped == 0,
	      "address off the doorbell: request %s, %u LPI(s); unmapped event: request %s, %u LPI(s)",
	      done_miss ? "completed" : "not completed", got_miss, done_unmapped ? "completed" : "not completed",
	      got_unmapped);
}

bool guest_arch_pci_tests(void)
{
	if (!machine.pci_ecam || !machine.its)
		return false;
	test_enumerate();
	if (!common)
		return true;
	test_setup();
	test_read("pci_read");
	test_get_id();
	test_masked_vector();
	test_hostile_requests();
	test_lost_messages();
	test_read("pci_read_after_hostile");
	return true;
}

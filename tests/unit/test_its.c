/* test_its.c: the emulated ITS: every register, every command and its error paths, MSI translation
 * through flat and two-level tables in guest memory, and two ITSes in one VM. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"
#include "vgic_its.h"
#include "gic_regs.h"

#define NR_VCPUS   4U
#define NR_SPIS    32U
#define NR_LPIS    8192U
#define LPI(n)     (VGIC_LPI_BASE + (n))
#define RAM_BASE   0x80000000ULL
#define RAM_SIZE   0x200000ULL                  /* 2 MiB */
#define PROP_GPA   (RAM_BASE + 0x000000)        /* 8 KiB of LPI configuration */
#define PEND_GPA(r) (RAM_BASE + 0x010000 + (uint64_t)(r) * 0x10000)
#define DT_GPA     (RAM_BASE + 0x100000)        /* device table: 4 pages of 4 KiB = 2048 devices */
#define DT_PAGES   4U
#define CT_GPA     (RAM_BASE + 0x108000)        /* collection table: 1 page = 512 collections */
#define CQ_GPA     (RAM_BASE + 0x110000)        /* command queue: 1 page = 128 commands */
#define ITT_GPA(d) (RAM_BASE + 0x120000 + (uint64_t)((d) % 256U) * 0x100)
#define L2_GPA     (RAM_BASE + 0x180000)        /* a second-level device table page */
#define ITS2_BASE  0x40000ULL                   /* the second ITS's tables, offset from the first's */

struct its_env {
	struct harness *h;
	struct vgic_its its;
	uint64_t off;                              /* where this ITS's tables sit (0 or ITS2_BASE) */
};

static uint64_t its_rd(struct its_env *e, uint32_t reg, unsigned width)
{
	uint64_t v = 0;

	assert_int_equal(vgic_its_mmio_access(&e->its, 0, reg, width, false, &v), VGIC_MMIO_OK);
	return v;
}

static void its_wr(struct its_env *e, uint32_t reg, unsigned width, uint64_t v)
{
	assert_int_equal(vgic_its_mmio_access(&e->its, 0, reg, width, true, &v), VGIC_MMIO_OK);
}

static void put64(struct harness *h, uint64_t gpa, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		h->ram[gpa - RAM_BASE + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(struct harness *h, uint64_t gpa)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)h->ram[gpa - RAM_BASE + i] << (8 * i);
	return v;
}

/* Queue one command and ring the doorbell, as Linux does. */
static void cmd(struct its_env *e, uint64_t dw0, uint64_t dw1, uint64_t dw2, uint64_t dw3)
{
	uint64_t w = its_rd(e, GITS_CWRITER, 8);
	uint64_t slot = CQ_GPA + e->off + w;

	put64(e->h, slot, dw0);
	put64(e->h, slot + 8, dw1);
	put64(e->h, slot + 16, dw2);
	put64(e->h, slot + 24, dw3);
	its_wr(e, GITS_CWRITER, 8, (w + GITS_CMD_BYTES) % 0x1000);
}

static void mapd(struct its_env *e, uint32_t dev, unsigned event_bits, bool valid)
{
	cmd(e, GITS_CMD_MAPD | ((uint64_t)dev << 32), event_bits - 1U,
	    (valid ? 1ULL << 63 : 0) | (ITT_GPA(dev) + e->off), 0);
}

static void mapc(struct its_env *e, uint32_t icid, uint32_t rd, bool valid)
{
	cmd(e, GITS_CMD_MAPC, 0, (valid ? 1ULL << 63 : 0) | ((uint64_t)rd << 16) | icid, 0);
}

static void mapti(struct its_env *e, uint32_t dev, uint32_t event, uint32_t intid, uint32_t icid)
{
	cmd(e, GITS_CMD_MAPTI | ((uint64_t)dev << 32), event | ((uint64_t)intid << 32), icid, 0);
}

static void dev_event_cmd(struct its_env *e, uint32_t op, uint32_t dev, uint32_t event, uint64_t dw2)
{
	cmd(e, op | ((uint64_t)dev << 32), event, dw2, 0);
}

/* A VM with LPIs on every redistributor (configuration: priority 0xa0, enabled) and one ITS. */
static void env_init(struct its_env *e, struct harness *h, uint64_t off)
{
	memset(e, 0, sizeof(*e));
	e->h = h;
	e->off = off;
	assert_int_equal(vgic_its_init(&e->its, &h->vm), HV_OK);
	its_wr(e, GITS_BASER + 0, 8, GITS_BASER_Valid | (DT_GPA + off) | (DT_PAGES - 1U));
	its_wr(e, GITS_BASER + 8, 8, GITS_BASER_Valid | (CT_GPA + off));
	its_wr(e, GITS_CBASER, 8, GITS_CBASER_Valid | (CQ_GPA + off));
	its_wr(e, GITS_CTLR, 4, GITS_CTLR_Enabled);
}

static struct harness *vm_with_lpis(void)
{
	struct harness *h = h_mk(NR_VCPUS, NR_SPIS, 4);
	uint64_t v;

	h_lpis(h, NR_LPIS, RAM_BASE, RAM_SIZE);
	memset(&h->ram[PROP_GPA - RAM_BASE], 0xa3, NR_LPIS);
	for (unsigned r = 0; r < NR_VCPUS; r++) {
		v = PROP_GPA | 13U;                     /* 14 ID bits: 8192 LPIs */
		assert_int_equal(vgic_mmio_redist_access(&h->vm, r, r, GICR_PROPBASER, 8, true, &v), 0);
		v = PEND_GPA(r) | GICR_PENDBASER_PTZ;
		assert_int_equal(vgic_mmio_redist_access(&h->vm, r, r, GICR_PENDBASER, 8, true, &v), 0);
		v = GICR_CTLR_EnableLPIs;
		assert_int_equal(vgic_mmio_redist_access(&h->vm, r, r, GICR_CTLR, 4, true, &v), 0);
	}
	return h;
}

static void test_registers_report_and_keep_what_the_architecture_says(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;
	uint64_t typer, b;

	(void)state;
	env_init(&e, h, 0);
	assert_int_equal(its_rd(&e, GITS_CTLR, 4), GITS_CTLR_Enabled | GITS_CTLR_Quiescent);
	typer = its_rd(&e, GITS_TYPER, 8);
	assert_true(typer & GITS_TYPER_Physical);
	assert_int_equal((typer >> GITS_TYPER_ITT_entry_size_SHIFT) & 0xf, 7);
	assert_int_equal((typer >> GITS_TYPER_IDbits_SHIFT) & 0x1f, 15);
	assert_int_equal((typer >> GITS_TYPER_Devbits_SHIFT) & 0x1f, 15);
	assert_int_equal(its_rd(&e, GITS_TYPER + 4, 4), typer >> 32);
	b = its_rd(&e, GITS_BASER, 8);
	assert_int_equal((b >> GITS_BASER_Type_SHIFT) & 7, GITS_BASER_Type_Devices);
	assert_int_equal((b >> GITS_BASER_Entry_Size_SHIFT) & 0x1f, 7);
	assert_int_equal((its_rd(&e, GITS_BASER + 8, 8) >> GITS_BASER_Type_SHIFT) & 7, GITS_BASER_Type_Collections);
	/* Unimplemented BASERs are RAZ/WI; implemented ones ignore writes while the ITS is enabled. */
	its_wr(&e, GITS_BASER + 16, 8, ~0ULL);
	assert_int_equal(its_rd(&e, GITS_BASER + 16, 8), 0);
	its_wr(&e, GITS_BASER, 8, 0);
	assert_int_equal(its_rd(&e, GITS_BASER, 8), b);
	/* PIDR2 says GICv3; IIDR as the distributor's. */
	assert_int_equal((its_rd(&e, GITS_IDREGS + 0x18, 4) >> 4) & 0xf, 3);
	assert_int_not_equal(its_rd(&e, GITS_IIDR, 4), 0);
	/* CBASER: ignored while enabled; while disabled a write resets CREADR. */
	mapc(&e, 0, 0, true);
	assert_int_equal(its_rd(&e, GITS_CREADR, 8), GITS_CMD_BYTES);
	its_wr(&e, GITS_CTLR, 4, 0);
	assert_int_equal(its_rd(&e, GITS_CTLR, 4), GITS_CTLR_Quiescent);
	its_wr(&e, GITS_CBASER, 8, GITS_CBASER_Valid | CQ_GPA);
	assert_int_equal(its_rd(&e, GITS_CREADR, 8), 0);
	/* Bad widths abort; reserved space is RAZ/WI; a CPU's TRANSLATER write does nothing. */
	{
		uint64_t v = 0;

		assert_int_equal(vgic_its_mmio_access(&e.its, 0, GITS_CTLR, 1, false, &v), VGIC_MMIO_ABORT);
		assert_int_equal(vgic_its_mmio_access(&e.its, 0, 0x3000, 4, false, &v), VGIC_MMIO_OK);
		assert_int_equal(v, 0);
		assert_int_equal(vgic_its_mmio_access(&e.its, 0, GITS_FRAME_SIZE, 4, false, &v), HV_ERANGE);
		assert_int_equal(vgic_its_mmio_access(NULL, 0, 0, 4, false, &v), HV_EINVAL);
		assert_int_equal(vgic_its_mmio_access(&e.its, NR_VCPUS, 0, 4, false, &v), HV_ERANGE);
	}
	its_wr(&e, GITS_TRANSLATER, 4, 0);
	assert_int_equal(e.its.stats.msis, 0);
	h_finish(h);
}

/* MAPD + MAPC + MAPTI, then an MSI: the LPI is pending on the collection's vCPU and delivered there. */
static void test_mapped_msi_delivers_the_lpi_on_the_mapped_vcpu(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 7, 4, true);
	mapc(&e, 3, 2, true);
	mapti(&e, 7, 5, LPI(100), 3);
	assert_int_equal(e.its.stats.cmd_errors, 0);
	assert_int_equal(e.its.stats.commands, 3);
	assert_int_equal(vgic_its_send_msi(&e.its, 7, 5), HV_OK);
	assert_int_equal(h_state(h, 0, LPI(100)).queued_on, 2);
	assert_int_equal(h_run(h, 2, 1000), 1);
	assert_int_equal(h->acked[2][0], LPI(100));
	/* INT does the same from the command queue; CLEAR withdraws it. */
	dev_event_cmd(&e, GITS_CMD_INT, 7, 5, 0);
	assert_true(h_state(h, 0, LPI(100)).pending);
	dev_event_cmd(&e, GITS_CMD_CLEAR, 7, 5, 0);
	assert_false(h_state(h, 0, LPI(100)).pending);
	/* MAPI: pINTID = EventID. */
	mapd(&e, 8, 16, true);
	cmd(&e, GITS_CMD_MAPI | (8ULL << 32), 8300, 3, 0);
	assert_int_equal(vgic_its_send_msi(&e.its, 8, 8300), HV_OK);
	assert_true(h_state(h, 0, 8300).pending);
	h_finish(h);
}

/* MOVI moves one mapping (and its pending state); MOVALL moves everything pending on one RD. */
static void test_movi_and_movall_move_lpis(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 1, 4, true);
	mapc(&e, 0, 0, true);
	mapc(&e, 1, 1, true);
	mapti(&e, 1, 0, LPI(10), 0);
	mapti(&e, 1, 1, LPI(11), 0);
	assert_int_equal(vgic_its_send_msi(&e.its, 1, 0), HV_OK);
	assert_int_equal(h_state(h, 0, LPI(10)).queued_on, 0);
	cmd(&e, GITS_CMD_MOVI | (1ULL << 32), 0, 1, 0);
	assert_int_equal(h_state(h, 0, LPI(10)).queued_on, 1);
	assert_int_equal(vgic_its_send_msi(&e.its, 1, 0), HV_OK);   /* the ITT now says collection 1 */
	assert_int_equal(h_state(h, 0, LPI(10)).queued_on, 1);
	assert_int_equal(vgic_its_send_msi(&e.its, 1, 1), HV_OK);
	cmd(&e, GITS_CMD_MOVALL, 0, 0ULL << 16, 3ULL << 16);
	assert_int_equal(h_state(h, 0, LPI(11)).queued_on, 3);
	assert_int_equal(h_state(h, 0, LPI(10)).queued_on, 1);
	assert_int_equal(e.its.stats.cmd_errors, 0);
	h_finish(h);
}

/* DISCARD removes the mapping and the pending state: the next MSI translates to nothing. */
static void test_discard_stops_an_event(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 2, 4, true);
	mapc(&e, 0, 0, true);
	mapti(&e, 2, 3, LPI(20), 0);
	assert_int_equal(vgic_its_send_msi(&e.its, 2, 3), HV_OK);
	dev_event_cmd(&e, GITS_CMD_DISCARD, 2, 3, 0);
	assert_false(h_state(h, 0, LPI(20)).pending);
	assert_int_equal(vgic_its_send_msi(&e.its, 2, 3), HV_ENODEV);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_EVENT);
	assert_int_equal(e.its.stats.msis_dropped, 1);
	h_finish(h);
}

/* INV and INVALL re-read the configuration table; without them a change is not seen. */
static void test_inv_and_invall_pick_up_configuration_changes(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 3, 4, true);
	mapc(&e, 5, 1, true);
	mapti(&e, 3, 0, LPI(30), 5);
	mapti(&e, 3, 1, LPI(31), 5);
	h->ram[PROP_GPA - RAM_BASE + 30] = 0x42;   /* priority 0x40, disabled */
	h->ram[PROP_GPA - RAM_BASE + 31] = 0x23;   /* priority 0x20, enabled */
	assert_true(h_state(h, 0, LPI(30)).enabled);
	dev_event_cmd(&e, GITS_CMD_INV, 3, 0, 0);
	assert_false(h_state(h, 0, LPI(30)).enabled);
	assert_int_equal(h_state(h, 0, LPI(31)).priority, 0xa0);
	cmd(&e, GITS_CMD_INVALL, 0, 5, 0);
	assert_int_equal(h_state(h, 0, LPI(31)).priority, 0x20);
	/* A disabled LPI's MSI leaves it pending but undelivered until INV enables it. */
	assert_int_equal(vgic_its_send_msi(&e.its, 3, 0), HV_OK);
	assert_false(h_state(h, 0, LPI(30)).queued);
	h->ram[PROP_GPA - RAM_BASE + 30] = 0x43;
	dev_event_cmd(&e, GITS_CMD_INV, 3, 0, 0);
	assert_int_equal(h_state(h, 0, LPI(30)).queued_on, 1);
	cmd(&e, GITS_CMD_SYNC, 0, 1ULL << 16, 0);
	assert_int_equal(e.its.stats.cmd_errors, 0);
	h_finish(h);
}

/* A two-level device table: the first level names second-level pages; an invalid one maps nothing. */
static void test_two_level_device_table(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;
	uint32_t dev = 5000;                       /* 512 entries per 4 KiB page: level-1 index 9 */

	(void)state;
	env_init(&e, h, 0);
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER, 8, GITS_BASER_Valid | GITS_BASER_Indirect | DT_GPA);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	mapd(&e, dev, 4, true);                    /* level-1 entry 9 not valid yet: an error */
	assert_int_equal(e.its.stats.cmd_errors, 1);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_DEVICE);
	put64(h, DT_GPA + 9 * 8, GITS_LVL1_Valid | L2_GPA);
	mapd(&e, dev, 4, true);
	mapc(&e, 0, 0, true);
	mapti(&e, dev, 2, LPI(50), 0);
	assert_int_equal(e.its.stats.cmd_errors, 1);
	assert_true(get64(h, L2_GPA + (dev % 512) * 8) >> 63);
	assert_int_equal(vgic_its_send_msi(&e.its, dev, 2), HV_OK);
	assert_true(h_state(h, 0, LPI(50)).pending);
	/* A device whose first-level entry is not valid maps nothing; one beyond 16 bits does not exist. */
	assert_int_equal(vgic_its_send_msi(&e.its, 600, 0), HV_ENODEV);
	assert_int_equal(vgic_its_send_msi(&e.its, 1U << 16, 0), HV_ERANGE);
	h_finish(h);
}

/*
 * Tables as the guest may describe them: 16 KiB and 64 KiB pages, a 64 KiB-page base with PA[51:48]
 * set (outside any RAM), two-level tables whose first level runs out or sits outside RAM, and table
 * entries the guest itself corrupted (an ITE naming a non-LPI, a collection naming an absent RD).
 * Every one is an error the ITS counts and survives; the good cases translate.
 */
static void test_page_sizes_and_tables_in_bad_places(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;
	uint64_t v = 0;

	(void)state;
	env_init(&e, h, 0);
	/* 16 KiB pages: one page holds device 1500, which a one-page table of 4 KiB would not. */
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER, 8, GITS_BASER_Valid | (1ULL << GITS_BASER_Page_Size_SHIFT) | DT_GPA);
	assert_int_equal(its_rd(&e, GITS_CBASER, 8) & ~0xfffULL, GITS_CBASER_Valid | CQ_GPA);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	/* CBASER is UNPREDICTABLE to write while the ITS is enabled: ignored. */
	its_wr(&e, GITS_CBASER, 8, GITS_CBASER_Valid | (CQ_GPA + 0x1000));
	assert_int_equal(its_rd(&e, GITS_CBASER, 8) & ~0xfffULL, GITS_CBASER_Valid | CQ_GPA);
	mapd(&e, 1500, 4, true);
	mapc(&e, 0, 1, true);
	mapti(&e, 1500, 3, LPI(60), 0);
	assert_int_equal(e.its.stats.cmd_errors, 0);
	assert_true(get64(h, DT_GPA + 1500 * 8) >> 63);
	assert_int_equal(vgic_its_send_msi(&e.its, 1500, 3), HV_OK);
	assert_true(h_state(h, 1, LPI(60)).pending);

	/* 64 KiB pages with PA[51:48] = 1: far outside RAM, so MAPD cannot write its entry. */
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER, 8, GITS_BASER_Valid | (2ULL << GITS_BASER_Page_Size_SHIFT) |
	       (1ULL << 12) | DT_GPA);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	mapd(&e, 2, 4, true);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_MEMORY);
	assert_int_equal(vgic_its_send_msi(&e.its, 2, 0), HV_ENODEV);   /* nor can a message read it */
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_MEMORY);
	/* Two-level with 64 KiB pages (8,192 devices per level-2 page): an empty level-1 entry. */
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER, 8, GITS_BASER_Valid | GITS_BASER_Indirect | (2ULL << GITS_BASER_Page_Size_SHIFT) |
	       (RAM_BASE + 0x1c0000));
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	assert_int_equal(vgic_its_send_msi(&e.its, 0xffff, 0), HV_ENODEV);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_DEVICE);
	/* A level-1 table outside RAM: the walk fails, the device does not exist. */
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER, 8, GITS_BASER_Valid | GITS_BASER_Indirect | 0x7ff000000ULL);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	mapd(&e, 3, 4, true);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_DEVICE);

	/* Back to the flat table; then the guest corrupts the tables behind the ITS's back. */
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER, 8, GITS_BASER_Valid | DT_GPA | (DT_PAGES - 1U));
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	mapd(&e, 7, 4, true);
	mapti(&e, 7, 1, LPI(70), 0);
	put64(h, ITT_GPA(7) + 1 * 8, get64(h, ITT_GPA(7) + 1 * 8) & ~0xffffffffULL);   /* INTID 0 */
	assert_int_equal(vgic_its_send_msi(&e.its, 7, 1), HV_ENODEV);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_LPI);
	mapti(&e, 7, 2, LPI(71), 0);
	dev_event_cmd(&e, GITS_CMD_MOVI, 7, 2, 9);                                      /* collection 9: unmapped */
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_COLLECTION);
	dev_event_cmd(&e, GITS_CMD_DISCARD, 7, 3, 0);                                   /* event 3: unmapped */
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_EVENT);
	put64(h, CT_GPA + 0 * 8, (1ULL << 63) | 77U);                                    /* RD 77 */
	assert_int_equal(vgic_its_send_msi(&e.its, 7, 2), HV_ENODEV);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_TARGET);
	/* A collection table moved outside RAM: INT cannot read where its collection goes. */
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_BASER + 8, 8, GITS_BASER_Valid | 0x7ff000000ULL);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	dev_event_cmd(&e, GITS_CMD_INT, 7, 2, 0);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_MEMORY);
	/* None of it made anything pending, and the registers still answer. */
	assert_false(h_state(h, 0, LPI(70)).pending);
	assert_false(h_state(h, 0, LPI(71)).pending);
	assert_int_equal(vgic_its_mmio_access(&e.its, 0, GITS_CTLR, 4, false, &v), VGIC_MMIO_OK);
	h_finish(h);
}

/* Every erroneous command is ignored, counted, and leaves the queue moving and the state alone. */
static void test_bad_commands_are_ignored_and_the_queue_moves_on(void **state)
{
	static const struct { uint64_t dw[4]; enum vgic_its_error err; } bad[] = {
		{ { 0x2A, 0, 0, 0 }, VGIC_ITS_ERR_UNKNOWN_CMD },                             /* VMAPP: GICv4 */
		{ { GITS_CMD_MAPD | (70000ULL << 32), 3, 1ULL << 63, 0 }, VGIC_ITS_ERR_DEVICE }, /* DeviceID > 16 bits */
		{ { GITS_CMD_MAPD | (4000ULL << 32), 3, 1ULL << 63, 0 }, VGIC_ITS_ERR_DEVICE },  /* beyond the flat table */
		{ { GITS_CMD_MAPD | (1ULL << 32), 20, 1ULL << 63, 0 }, VGIC_ITS_ERR_SIZE },      /* 21 EventID bits */
		{ { GITS_CMD_MAPC, 0, (1ULL << 63) | (9ULL << 16) | 1, 0 }, VGIC_ITS_ERR_TARGET }, /* no RD 9 */
		{ { GITS_CMD_MAPC, 0, (1ULL << 63) | 600, 0 }, VGIC_ITS_ERR_COLLECTION },         /* beyond the table */
		{ { GITS_CMD_MAPTI | (9ULL << 32), 0 | (LPI(1) * 1ULL << 32), 0, 0 }, VGIC_ITS_ERR_DEVICE }, /* unmapped */
		{ { GITS_CMD_MAPTI | (1ULL << 32), 16 | (LPI(1) * 1ULL << 32), 0, 0 }, VGIC_ITS_ERR_EVENT }, /* event 16 of 16 */
		{ { GITS_CMD_MAPTI | (1ULL << 32), 1 | (33ULL << 32), 0, 0 }, VGIC_ITS_ERR_LPI },  /* an SPI */
		{ { GITS_CMD_MAPTI | (1ULL << 32), 1 | ((uint64_t)LPI(NR_LPIS) << 32), 0, 0 }, VGIC_ITS_ERR_LPI },
		{ { GITS_CMD_INT | (1ULL << 32), 2, 0, 0 }, VGIC_ITS_ERR_EVENT },                 /* not mapped */
		{ { GITS_CMD_INT | (1ULL << 32), 0, 0, 0 }, VGIC_ITS_ERR_COLLECTION },            /* collection 7 unmapped */
		{ { GITS_CMD_MOVI | (1ULL << 32), 0, 7, 0 }, VGIC_ITS_ERR_COLLECTION },
		{ { GITS_CMD_INVALL, 0, 7, 0 }, VGIC_ITS_ERR_COLLECTION },
		{ { GITS_CMD_MOVALL, 0, 0, 99ULL << 16 }, VGIC_ITS_ERR_TARGET },
		{ { GITS_CMD_SYNC, 0, 99ULL << 16, 0 }, VGIC_ITS_ERR_TARGET },
	};
	struct harness *h = vm_with_lpis();
	struct its_env e;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 1, 4, true);
	mapti(&e, 1, 0, LPI(1), 7);                /* collection 7 is never mapped */
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t errs = e.its.stats.cmd_errors, rd = its_rd(&e, GITS_CREADR, 8);

		cmd(&e, bad[i].dw[0], bad[i].dw[1], bad[i].dw[2], bad[i].dw[3]);
		assert_int_equal(e.its.stats.cmd_errors, errs + 1);
		assert_int_equal(e.its.last_error, bad[i].err);
		assert_int_equal(its_rd(&e, GITS_CREADR, 8), (rd + GITS_CMD_BYTES) % 0x1000);
	}
	for (unsigned i = 0; i < NR_LPIS; i++)
		assert_false(h->lpis[i].pending_latch);
	/* CWRITER beyond the queue is ignored; a queue outside RAM makes every command an error. */
	its_wr(&e, GITS_CWRITER, 8, 0x2000);
	assert_int_equal(its_rd(&e, GITS_CWRITER, 8), its_rd(&e, GITS_CREADR, 8));
	its_wr(&e, GITS_CTLR, 4, 0);
	its_wr(&e, GITS_CBASER, 8, GITS_CBASER_Valid | 0x7fff0000000ULL);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	its_wr(&e, GITS_CWRITER, 8, 4 * GITS_CMD_BYTES);
	assert_int_equal(its_rd(&e, GITS_CREADR, 8), 4 * GITS_CMD_BYTES);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_MEMORY);
	h_finish(h);
}

/* MSIs: dropped while the ITS is disabled or the RD has EnableLPIs clear, and for IDs out of range. */
static void test_msis_that_translate_to_nothing_are_dropped_with_a_reason(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;
	uint64_t v = 0;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 4, 2, true);
	mapc(&e, 0, 3, true);
	mapti(&e, 4, 1, LPI(40), 0);
	its_wr(&e, GITS_CTLR, 4, 0);
	assert_int_equal(vgic_its_send_msi(&e.its, 4, 1), HV_ENODEV);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_DISABLED);
	its_wr(&e, GITS_CTLR, 4, GITS_CTLR_Enabled);
	assert_int_equal(vgic_its_send_msi(&e.its, 4, 4), HV_ENODEV);   /* 2 EventID bits */
	assert_int_equal(vgic_its_send_msi(&e.its, 1U << 16, 0), HV_ERANGE);
	assert_int_equal(vgic_its_send_msi(NULL, 0, 0), HV_EINVAL);
	/* RD 3 turns LPIs off: the LPI cannot become pending there. */
	assert_int_equal(vgic_mmio_redist_access(&h->vm, 3, 3, GICR_CTLR, 4, true, &v), 0);
	assert_int_equal(vgic_its_send_msi(&e.its, 4, 1), HV_ENODEV);
	assert_int_equal(e.its.last_error, VGIC_ITS_ERR_LPIS_OFF);
	assert_false(h_state(h, 0, LPI(40)).pending);
	assert_int_equal(e.its.stats.msis, 0);
	assert_int_equal(e.its.stats.msis_dropped, 4);   /* the NULL call is refused before counting */
	h_finish(h);
}

/* Two ITSes in one VM keep separate tables, queues and state. */
static void test_two_itses_are_independent(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env a, b;

	(void)state;
	env_init(&a, h, 0);
	env_init(&b, h, ITS2_BASE);
	mapd(&a, 1, 4, true);
	mapc(&a, 0, 0, true);
	mapti(&a, 1, 0, LPI(60), 0);
	mapd(&b, 1, 4, true);
	mapc(&b, 0, 1, true);
	mapti(&b, 1, 0, LPI(61), 0);
	assert_int_equal(vgic_its_send_msi(&a.its, 1, 0), HV_OK);
	assert_int_equal(vgic_its_send_msi(&b.its, 1, 0), HV_OK);
	assert_int_equal(h_state(h, 0, LPI(60)).queued_on, 0);
	assert_int_equal(h_state(h, 0, LPI(61)).queued_on, 1);
	assert_int_equal(a.its.stats.commands, 3);
	assert_int_equal(b.its.stats.commands, 3);
	h_finish(h);
}

/* The ITS's registers survive a save into a fresh ITS; its tables are in guest memory already. */
static void test_save_and_restore_the_its_registers(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;
	struct vgic_its fresh;
	uint8_t blob[VGIC_ITS_SAVE_BYTES], bad[VGIC_ITS_SAVE_BYTES];

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 6, 4, true);
	mapc(&e, 0, 1, true);
	mapti(&e, 6, 2, LPI(70), 0);
	assert_int_equal(vgic_its_save(&e.its, blob, sizeof(blob) - 1), HV_ENOSPC);
	assert_int_equal(vgic_its_save(&e.its, blob, sizeof(blob)), HV_OK);
	assert_int_equal(vgic_its_init(&fresh, &h->vm), HV_OK);
	/* Bad blobs first: each refused, the fresh ITS untouched. */
	memcpy(bad, blob, sizeof(bad));
	bad[0] ^= 1;                                   /* magic */
	assert_int_equal(vgic_its_restore(&fresh, bad, sizeof(bad)), HV_EINVAL);
	memcpy(bad, blob, sizeof(bad));
	bad[16] = 0xff;                                /* CWRITER: not a command boundary */
	assert_int_equal(vgic_its_restore(&fresh, bad, sizeof(bad)), HV_EINVAL);
	memcpy(bad, blob, sizeof(bad));
	bad[32 + 8 * 5 + 7] = 0x80;                    /* an unimplemented BASER made valid */
	assert_int_equal(vgic_its_restore(&fresh, bad, sizeof(bad)), HV_EINVAL);
	assert_int_equal(vgic_its_restore(&fresh, blob, sizeof(blob) - 1), HV_EINVAL);
	assert_false(fresh.enabled);
	assert_int_equal(fresh.cbaser, 0);
	assert_int_equal(vgic_its_restore(&fresh, blob, sizeof(blob)), HV_OK);
	assert_int_equal(vgic_its_send_msi(&fresh, 6, 2), HV_OK);
	assert_int_equal(h_state(h, 0, LPI(70)).queued_on, 1);
	{
		struct its_env f2 = e;                 /* the restored ITS takes more commands */

		f2.its = fresh;
		mapti(&f2, 6, 3, LPI(71), 0);
		assert_int_equal(vgic_its_send_msi(&f2.its, 6, 3), HV_OK);
		assert_true(h_state(h, 0, LPI(71)).pending);
	}
	h_finish(h);
}

/* The ITS as an irq_msg.h target: a device's write to the doorbell is an MSI; elsewhere, refused. */
static void test_the_its_as_a_message_target(void **state)
{
	struct harness *h = vm_with_lpis();
	struct its_env e;
	struct irq_msi_target *t;
	const uint64_t frame = 0x08080000ULL;

	(void)state;
	env_init(&e, h, 0);
	mapd(&e, 9, 4, true);
	mapc(&e, 0, 3, true);
	mapti(&e, 9, 1, LPI(90), 0);
	assert_null(vgic_its_msi_target(NULL, frame));
	t = vgic_its_msi_target(&e.its, frame);
	assert_non_null(t);
	assert_int_equal(irq_msi_send(t, frame + GITS_TRANSLATER, 1, 9), HV_OK);
	assert_int_equal(h_state(h, 0, LPI(90)).queued_on, 3);
	assert_int_equal(irq_msi_send(t, frame, 1, 9), HV_EINVAL);                 /* not the doorbell */
	assert_int_equal(irq_msi_send(t, frame + GITS_TRANSLATER, 2, 9), HV_ENODEV); /* unmapped event */
	assert_int_equal(irq_msi_send(NULL, frame + GITS_TRANSLATER, 1, 9), HV_EINVAL);
	assert_int_equal(e.its.stats.msis, 1);
	h_finish(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_registers_report_and_keep_what_the_architecture_says, h_teardown),
		cmocka_unit_test_teardown(test_mapped_msi_delivers_the_lpi_on_the_mapped_vcpu, h_teardown),
		cmocka_unit_test_teardown(test_movi_and_movall_move_lpis, h_teardown),
		cmocka_unit_test_teardown(test_discard_stops_an_event, h_teardown),
		cmocka_unit_test_teardown(test_inv_and_invall_pick_up_configuration_changes, h_teardown),
		cmocka_unit_test_teardown(test_two_level_device_table, h_teardown),
		cmocka_unit_test_teardown(test_bad_commands_are_ignored_and_the_queue_moves_on, h_teardown),
		cmocka_unit_test_teardown(test_msis_that_translate_to_nothing_are_dropped_with_a_reason, h_teardown),
		cmocka_unit_test_teardown(test_two_itses_are_independent, h_teardown),
		cmocka_unit_test_teardown(test_save_and_restore_the_its_registers, h_teardown),
		cmocka_unit_test_teardown(test_the_its_as_a_message_target, h_teardown),
		cmocka_unit_test_teardown(test_page_sizes_and_tables_in_bad_places, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

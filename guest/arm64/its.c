/* its.c: the arm64 layer's MSIs: LPIs behind the ITS, set up the way Linux does it (tables in RAM,
 * EnableLPIs on every redistributor, MAPD/MAPC, then MAPTI/MOVI/INV/DISCARD per message). */
#include "arm64.h"
#include "hv_abi.h"
#include "its.h"

#define PAGE_4K            0x1000UL
#define PAGE_64K           0x10000UL
/* GICR LPI registers */
#define GICR_CTLR_ENABLE_LPIS  (1U << 0)
#define GICR_CTLR_RWP      (1U << 3)
#define GICR_TYPER_PROC_SHIFT  8
#define GICR_TYPER_PROC_MASK   0xffffUL
#define GICR_PROPBASER     0x0070U
#define GICR_PENDBASER     0x0078U
#define GICR_PENDBASER_PTZ (1UL << 62)
#define LPI_ID_BITS        14U                 /* INTIDs below 16384: 8192 LPIs */
#define LPI_CFG_RES1       0x02U
#define LPI_CFG_ENABLE     0x01U
/* ITS registers and commands */
#define GITS_CTLR          0x0000U
#define GITS_CTLR_ENABLED  (1U << 0)
#define GITS_CBASER        0x0080U
#define GITS_CWRITER       0x0088U
#define GITS_CREADR        0x0090U
#define GITS_BASER(n)      (0x0100U + 8U * (n))
#define GITS_VALID         (1UL << 63)
#define GITS_CTLR_QUIESCENT (1U << 31)
#define GITS_BASER_INDIRECT (1UL << 62)
#define CMD_BYTES          32U
#define QUEUE_BYTES        PAGE_4K
#define EVENT_BITS         12U                 /* 4096 events: the common ones and its_tests.c's */
#define WAIT_SPINS         1000000U
#define L2_DEVICES         (PAGE_4K / 8U)      /* device table entries are 8 bytes (GITS_BASER.Entry_Size) */

/* Guest RAM the ITS and the redistributors read: aligned as the registers that name it require. */
static uint8_t prop_table[1U << LPI_ID_BITS >> 1] __attribute__((aligned(PAGE_4K)));
static uint8_t pend_tables[GUEST_MAX_CPUS][PAGE_64K] __attribute__((aligned(PAGE_64K)));
static uint64_t device_table[PAGE_4K / 8] __attribute__((aligned(PAGE_4K)));   /* flat, or level 1 */
static uint64_t device_l2[PAGE_4K / 8] __attribute__((aligned(PAGE_4K)));
static uint64_t collection_table[PAGE_4K / 8] __attribute__((aligned(PAGE_4K)));
static uint64_t queue[QUEUE_BYTES / 8] __attribute__((aligned(PAGE_64K)));
static uint64_t itt[1U << EVENT_BITS] __attribute__((aligned(256)));

static bool ready, failed;
static uint64_t cwriter;
static bool mapped[GUEST_NR_MSIS];

static uint64_t pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;  /* the guest runs identity-mapped */
}

/* The ITS names a redistributor by its processor number (GITS_TYPER.PTA = 0). */
uint64_t its_rdbase(unsigned cpu)
{
	return (mmio_r64(gic_redist(cpu) + 0x0008U) >> GICR_TYPER_PROC_SHIFT) & GICR_TYPER_PROC_MASK;
}

bool its_cmd(uint64_t dw0, uint64_t dw1, uint64_t dw2, uint64_t dw3)
{
	uint64_t *slot = &queue[cwriter / 8];

	slot[0] = dw0;
	slot[1] = dw1;
	slot[2] = dw2;
	slot[3] = dw3;
	cwriter = (cwriter + CMD_BYTES) % QUEUE_BYTES;
	dsb(ish);
	mmio_w64(machine.its + GITS_CWRITER, cwriter);
	for (unsigned i = 0; i < WAIT_SPINS; i++)
		if (mmio_r64(machine.its + GITS_CREADR) == cwriter)
			return true;
	return false;
}

uint64_t its_dev_dw0(uint64_t cmd)
{
	return cmd | ((uint64_t)HV_MSI_TEST_DEVID << CMD_DEVICE_SHIFT);
}

/* Every CPU's redistributor: the shared configuration table, its own pending table, EnableLPIs. */
static void redists_init(void)
{
	for (unsigned i = 0; i < sizeof(prop_table); i++)
		prop_table[i] = LPI_CFG_RES1;   /* disabled until a message is set up */
	dsb(ish);
	for (unsigned c = 0; c < machine.nr_cpus; c++) {
		uint64_t rd = gic_redist(c);

		if (!rd)
			continue;
		/* Whatever ran before us (the hostile mode's garbage, a previous kernel) may have left LPIs
		 * enabled, and the base registers ignore writes then: turn them off first. */
		its_lpis_enable(c, false);
		mmio_w64(rd + GICR_PROPBASER, pa(prop_table) | (LPI_ID_BITS - 1U));
		mmio_w64(rd + GICR_PENDBASER, pa(pend_tables[c]) | GICR_PENDBASER_PTZ);
		mmio_w32(rd, mmio_r32(rd) | GICR_CTLR_ENABLE_LPIS);
	}
}

bool its_lpis_enable(unsigned cpu, bool on)
{
	uint64_t rd = gic_redist(cpu);

	if (!rd)
		return false;
	if (on) {
		/* Without PTZ: the redistributor reads the bits left in the pending table. */
		dsb(ish);
		mmio_w64(rd + GICR_PENDBASER, pa(pend_tables[cpu]));
		mmio_w32(rd, mmio_r32(rd) | GICR_CTLR_ENABLE_LPIS);
		return true;
	}
	mmio_w32(rd, mmio_r32(rd) & ~GICR_CTLR_ENABLE_LPIS);
	for (unsigned i = 0; i < WAIT_SPINS; i++)
		if (!(mmio_r32(rd) & GICR_CTLR_RWP))
			return true;   /* the pending LPIs are written back to the table by now */
	return false;
}

uint8_t *its_pending_table(unsigned cpu)
{
	return cpu < GUEST_MAX_CPUS ? pend_tables[cpu] : NULL;
}

bool its_start(enum its_device_table kind)
{
	ready = false;
	mmio_w32(machine.its + GITS_CTLR, 0);
	for (unsigned i = 0; i < WAIT_SPINS; i++)
		if (mmio_r32(machine.its + GITS_CTLR) & GITS_CTLR_QUIESCENT)
			break;
	for (unsigned i = 0; i < sizeof(itt) / sizeof(itt[0]); i++)
		itt[i] = 0;   /* software hands MAPD a zeroed ITT */
	for (unsigned i = 0; i < sizeof(device_table) / sizeof(device_table[0]); i++)
		device_table[i] = device_l2[i] = 0;
	for (unsigned n = 0; n < GUEST_NR_MSIS; n++)
		mapped[n] = false;
	dsb(ish);
	mmio_w64(machine.its + GITS_BASER(0), GITS_VALID | pa(device_table) |
		 (kind == ITS_TABLE_FLAT ? 0 : GITS_BASER_INDIRECT));
	mmio_w64(machine.its + GITS_BASER(1), GITS_VALID | pa(collection_table));
	mmio_w64(machine.its + GITS_CBASER, GITS_VALID | pa(queue));
	cwriter = 0;
	mmio_w64(machine.its + GITS_CWRITER, 0);
	mmio_w32(machine.its + GITS_CTLR, GITS_CTLR_ENABLED);
	/* Two-level: the level-1 entry stays invalid until its_publish_l2(), so this MAPD is an error
	 * the ITS ignores. */
	if (!its_cmd(its_dev_dw0(CMD_MAPD), EVENT_BITS - 1U, GITS_VALID | pa(itt), 0))
		return false;
	for (unsigned c = 0; c < machine.nr_cpus; c++)
		if (gic_redist(c) && !its_cmd(CMD_MAPC, 0, GITS_VALID | (its_rdbase(c) << CMD_RD_SHIFT) | c, 0))
			return false;
	if (!its_cmd(CMD_SYNC, 0, its_rdbase(0) << CMD_RD_SHIFT, 0))
		return false;
	ready = true;
	return true;
}

void its_publish_l2(void)
{
	device_table[HV_MSI_TEST_DEVID / L2_DEVICES] = GITS_VALID | pa(device_l2);
	dsb(ish);
}

bool its_map_device(void)
{
	return its_cmd(its_dev_dw0(CMD_MAPD), EVENT_BITS - 1U, GITS_VALID | pa(itt), 0) &&
	       its_cmd(CMD_SYNC, 0, its_rdbase(0) << CMD_RD_SHIFT, 0);
}

void its_lpi_config(unsigned event, unsigned prio, bool enable)
{
	if (event < sizeof(prop_table))
		prop_table[event] = (uint8_t)((prio << GIC_PRIO_SHIFT) | LPI_CFG_RES1 | (enable ? LPI_CFG_ENABLE : 0));
	dsb(ish);
}

/* Once, on first use (every CPU is up by then): the LPI tables, EnableLPIs, the ITS, the device. */
static bool its_init(void)
{
	if (ready || failed)
		return ready;
	failed = true;
	if (!machine.its)
		return false;
	redists_init();
	if (!its_start(ITS_TABLE_FLAT))
		return false;
	failed = false;
	return true;
}

bool its_ready(void)
{
	return its_init();
}

bool guest_arch_msi_setup(unsigned n, unsigned cpu, unsigned prio, uint64_t *addr, uint32_t *data)
{
	if (n >= GUEST_NR_MSIS || cpu >= machine.nr_cpus || !its_init())
		return false;
	its_lpi_config(n, prio, true);
	/* Collection c is CPU c's (MAPC above): a message moves by naming another collection. */
	if (!its_cmd(its_dev_dw0(mapped[n] ? CMD_MOVI : CMD_MAPTI),
		     n | (mapped[n] ? 0 : (uint64_t)(GIC_LPI_BASE + n) << CMD_EVENT_LPI_SHIFT), cpu, 0) ||
	    !its_cmd(its_dev_dw0(CMD_INV), n, 0, 0))
		return false;
	mapped[n] = true;
	*addr = machine.its + GITS_TRANSLATER;
	*data = n;
	return true;
}

unsigned guest_arch_irq_of_msi(unsigned n)
{
	return GUEST_IRQ_MSI_BASE + n;
}

void guest_arch_msi_teardown(unsigned n)
{
	if (n < GUEST_NR_MSIS && ready && mapped[n] && its_cmd(its_dev_dw0(CMD_DISCARD), n, 0, 0))
		mapped[n] = false;
}

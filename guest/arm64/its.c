/* its.c: the arm64 layer's MSIs: LPIs behind the ITS, set up the way Linux does it (tables in RAM,
 * EnableLPIs on every redistributor, MAPD/MAPC, then MAPTI/MOVI/INV/DISCARD per message). */
#include "arm64.h"
#include "hv_abi.h"

#define PAGE_4K            0x1000UL
#define PAGE_64K           0x10000UL
/* GICR LPI registers */
#define GICR_CTLR_ENABLE_LPIS  (1U << 0)
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
#define GITS_TRANSLATER    0x10040U
#define GITS_VALID         (1UL << 63)
#define CMD_MAPD           0x08UL
#define CMD_MAPC           0x09UL
#define CMD_MAPTI          0x0AUL
#define CMD_MOVI           0x01UL
#define CMD_INV            0x0CUL
#define CMD_DISCARD        0x0FUL
#define CMD_SYNC           0x05UL
#define CMD_BYTES          32U
#define QUEUE_BYTES        PAGE_4K
#define EVENT_BITS         6U                  /* 64 events: GUEST_NR_MSIS */
#define WAIT_SPINS         1000000U

/* Guest RAM the ITS and the redistributors read: aligned as the registers that name it require. */
static uint8_t prop_table[1U << LPI_ID_BITS >> 1] __attribute__((aligned(PAGE_4K)));
static uint8_t pend_tables[GUEST_MAX_CPUS][PAGE_64K] __attribute__((aligned(PAGE_64K)));
static uint64_t device_table[PAGE_4K / 8] __attribute__((aligned(PAGE_4K)));
static uint64_t collection_table[PAGE_4K / 8] __attribute__((aligned(PAGE_4K)));
static uint64_t queue[QUEUE_BYTES / 8] __attribute__((aligned(PAGE_64K)));
static uint64_t itt[GUEST_NR_MSIS] __attribute__((aligned(256)));

static bool ready, failed;
static uint64_t cwriter;
static bool mapped[GUEST_NR_MSIS];

static uint64_t pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;  /* the guest runs identity-mapped */
}

/* The ITS names a redistributor by its processor number (GITS_TYPER.PTA = 0). */
static uint64_t rdbase(unsigned cpu)
{
	return (mmio_r64(gic_redist(cpu) + 0x0008U) >> GICR_TYPER_PROC_SHIFT) & GICR_TYPER_PROC_MASK;
}

static bool its_cmd(uint64_t dw0, uint64_t dw1, uint64_t dw2, uint64_t dw3)
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

static uint64_t dev_dw0(uint64_t cmd)
{
	return cmd | ((uint64_t)HV_MSI_TEST_DEVID << 32);
}

/* Once, on first use (every CPU is up by then): the LPI tables, EnableLPIs, the ITS, the device. */
static bool its_init(void)
{
	if (ready || failed)
		return ready;
	failed = true;
	if (!machine.its)
		return false;
	for (unsigned i = 0; i < sizeof(prop_table); i++)
		prop_table[i] = LPI_CFG_RES1;   /* disabled until a message is set up */
	dsb(ish);
	/* Whatever ran before us (the hostile mode's garbage, a previous kernel) may have left LPIs or
	 * the ITS enabled, and their base registers ignore writes then: turn both off first. */
	mmio_w32(machine.its + GITS_CTLR, 0);
	for (unsigned c = 0; c < machine.nr_cpus; c++) {
		uint64_t rd = gic_redist(c);

		if (!rd)
			continue;
		if (mmio_r32(rd) & GICR_CTLR_ENABLE_LPIS)
			mmio_w32(rd, mmio_r32(rd) & ~GICR_CTLR_ENABLE_LPIS);
		mmio_w64(rd + GICR_PROPBASER, pa(prop_table) | (LPI_ID_BITS - 1U));
		mmio_w64(rd + GICR_PENDBASER, pa(pend_tables[c]) | GICR_PENDBASER_PTZ);
		mmio_w32(rd, mmio_r32(rd) | GICR_CTLR_ENABLE_LPIS);
	}
	mmio_w64(machine.its + GITS_BASER(0), GITS_VALID | pa(device_table));
	mmio_w64(machine.its + GITS_BASER(1), GITS_VALID | pa(collection_table));
	mmio_w64(machine.its + GITS_CBASER, GITS_VALID | pa(queue));
	cwriter = 0;
	mmio_w64(machine.its + GITS_CWRITER, 0);
	mmio_w32(machine.its + GITS_CTLR, GITS_CTLR_ENABLED);
	if (!its_cmd(dev_dw0(CMD_MAPD), EVENT_BITS - 1U, GITS_VALID | pa(itt), 0))
		return false;
	for (unsigned c = 0; c < machine.nr_cpus; c++)
		if (gic_redist(c) && !its_cmd(CMD_MAPC, 0, GITS_VALID | (rdbase(c) << 16) | c, 0))
			return false;
	if (!its_cmd(CMD_SYNC, 0, rdbase(0) << 16, 0))
		return false;
	failed = false;
	ready = true;
	return true;
}

bool guest_arch_msi_setup(unsigned n, unsigned cpu, unsigned prio, uint64_t *addr, uint32_t *data)
{
	if (n >= GUEST_NR_MSIS || cpu >= machine.nr_cpus || !its_init())
		return false;
	prop_table[n] = (uint8_t)((prio << GIC_PRIO_SHIFT) | LPI_CFG_RES1 | LPI_CFG_ENABLE);
	dsb(ish);
	/* Collection c is CPU c's (MAPC above): a message moves by naming another collection. */
	if (!its_cmd(dev_dw0(mapped[n] ? CMD_MOVI : CMD_MAPTI),
		     n | (mapped[n] ? 0 : (uint64_t)(GIC_LPI_BASE + n) << 32), cpu, 0) ||
	    !its_cmd(dev_dw0(CMD_INV), n, 0, 0))
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
	if (n < GUEST_NR_MSIS && ready && mapped[n] && its_cmd(dev_dw0(CMD_DISCARD), n, 0, 0))
		mapped[n] = false;
}

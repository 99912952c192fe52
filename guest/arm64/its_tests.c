/* its_tests.c: the arm64 layer's own ITS checks, after the common MSI checks: INT and CLEAR, INVALL,
 * MOVALL, LPIs across EnableLPIs through the pending table, two-level device tables, 2,000 LPIs at once. */
#include "arm64.h"
#include "its.h"
#include "../common/guest.h"

#define DELIVER_NS   (500 * NS_PER_MS)
#define SETTLE_NS    (20 * NS_PER_MS)
#define BULK_NS      (20 * NS_PER_S)       /* 2,000 LPIs through 4 LRs under TCG */
#define PRIO_TEST    6U
#define BITS_PER_BYTE 8U

/* Events of the test device used here: past the common suite's GUEST_NR_MSIS. */
enum {
	E_INT = GUEST_NR_MSIS,
	E_INVALL,
	E_MOVALL,
	E_PENDTABLE,
	E_TWO_LEVEL,
	E_BULK_FIRST,
};
#define BULK_LPIS    2000U
_Static_assert(E_BULK_FIRST + BULK_LPIS <= GUEST_MAX_LAYER_MSIS, "the bulk events fit the handler table");

static volatile uint32_t hits;
static volatile uint32_t last_cpu;

static void count_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_store_n(&last_cpu, guest_arch_cpu_id(), __ATOMIC_RELAXED);
	__atomic_add_fetch(&hits, 1, __ATOMIC_RELEASE);
}

static uint64_t translater(void)
{
	return machine.its + GITS_TRANSLATER;
}

/* MAPTI event -> LPI 8192 + event on collection `cpu`, configured and INV'd; the counting handler. */
static bool map_event(unsigned event, unsigned cpu, unsigned prio, bool enable)
{
	its_lpi_config(event, prio, enable);
	guest_irq_register(GUEST_IRQ_MSI_BASE + event, count_handler, NULL);
	return its_cmd(its_dev_dw0(CMD_MAPTI),
		       event | (uint64_t)(GIC_LPI_BASE + event) << CMD_EVENT_LPI_SHIFT, cpu, 0) &&
	       its_cmd(its_dev_dw0(CMD_INV), event, 0, 0);
}

static bool sync_rd(unsigned cpu)
{
	return its_cmd(CMD_SYNC, 0, its_rdbase(cpu) << CMD_RD_SHIFT, 0);
}

/* Let whatever is pending arrive (interrupts enabled for a while), then mask again. */
static uint32_t take_for(uint32_t want, uint64_t ns)
{
	guest_arch_local_irq_enable();
	wait_count(&hits, want, ns);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	return hits;
}

/* INT makes the event pending without the device; CLEAR takes it back before the CPU sees it. */
static void test_int_clear(void)
{
	uint32_t after_clear, after_int;

	if (!map_event(E_INT, 0, PRIO_TEST, true)) {
		check("its_int_clear", false, "the event could not be mapped");
		return;
	}
	hits = 0;
	its_cmd(its_dev_dw0(CMD_INT), E_INT, 0, 0);
	its_cmd(its_dev_dw0(CMD_CLEAR), E_INT, 0, 0);
	sync_rd(0);
	after_clear = take_for(1, SETTLE_NS);
	its_cmd(its_dev_dw0(CMD_INT), E_INT, 0, 0);
	sync_rd(0);
	after_int = take_for(1, DELIVER_NS);
	check("its_int_clear", after_clear == 0 && after_int == 1,
	      "INT then CLEAR: %u deliveries (want 0); INT alone: %u (want 1)", after_clear, after_int);
}

/* INVALL rereads every configuration byte of a collection: disabling holds a message back as pending,
 * enabling again lets it through. */
static void test_invall(void)
{
	uint32_t while_off, after_on;

	if (!map_event(E_INVALL, 0, PRIO_TEST, true)) {
		check("its_invall", false, "the event could not be mapped");
		return;
	}
	its_lpi_config(E_INVALL, PRIO_TEST, false);
	its_cmd(CMD_INVALL, 0, 0, 0);   /* collection 0 */
	sync_rd(0);
	hits = 0;
	hv_msi_send(translater(), E_INVALL);
	while_off = take_for(1, SETTLE_NS);
	its_lpi_config(E_INVALL, PRIO_TEST, true);
	its_cmd(CMD_INVALL, 0, 0, 0);
	sync_rd(0);
	after_on = take_for(1, DELIVER_NS);
	check("its_invall", while_off == 0 && after_on == 1,
	      "sent while disabled: %u deliveries (want 0); after enabling and INVALL: %u (want 1, the held one)",
	      while_off, after_on);
}

/*
 * MOVALL moves the pending state from one redistributor to another; the mapping (collection 1 = CPU 1)
 * stays. A disabled LPI waits pending on CPU 1, moves, and is taken on CPU 0 once enabled; the next
 * message goes to CPU 1 again.
 */
static void test_movall(void)
{
	uint32_t moved, cpu_moved, next;

	if (machine.nr_cpus < 2) {
		skip("its_movall", "needs two vCPUs");
		return;
	}
	if (!map_event(E_MOVALL, 1, PRIO_TEST, false)) {
		check("its_movall", false, "the event could not be mapped");
		return;
	}
	hits = 0;
	last_cpu = ~0U;
	hv_msi_send(translater(), E_MOVALL);   /* pending, disabled, on CPU 1 */
	its_cmd(CMD_MOVALL, 0, its_rdbase(1) << CMD_RD_SHIFT, its_rdbase(0) << CMD_RD_SHIFT);
	sync_rd(0);
	its_lpi_config(E_MOVALL, PRIO_TEST, true);
	its_cmd(its_dev_dw0(CMD_INV), E_MOVALL, 0, 0);
	sync_rd(0);
	moved = take_for(1, DELIVER_NS);
	cpu_moved = last_cpu;
	hv_msi_send(translater(), E_MOVALL);
	wait_count(&hits, 2, DELIVER_NS);
	delay_ns(SETTLE_NS);
	next = hits;
	check("its_movall", moved == 1 && cpu_moved == 0 && next == 2 && last_cpu == 1,
	      "held LPI after MOVALL 1->0: %u delivery on CPU %u (want 1 on CPU 0); next message on CPU %u "
	      "(want CPU 1, the collection's)", moved, cpu_moved, last_cpu);
}

/*
 * EnableLPIs off writes the pending LPIs back to the pending table, and on reads them. An MSI that
 * arrives while it is off is lost (IHI 0069: the redistributor cannot make an LPI pending then; KVM
 * and QEMU drop it too); a bit the guest sets in the table arrives when it is turned on.
 */
static void test_pending_table(void)
{
	unsigned intid = GIC_LPI_BASE + E_PENDTABLE;
	uint8_t *pend = its_pending_table(0);
	uint32_t got;
	bool off, on;

	if (!map_event(E_PENDTABLE, 0, PRIO_TEST, true)) {
		check("its_pending_table", false, "the event could not be mapped");
		return;
	}
	hits = 0;
	off = its_lpis_enable(0, false);
	hv_msi_send(translater(), E_PENDTABLE);          /* lost: EnableLPIs is 0 */
	pend[intid / BITS_PER_BYTE] |= (uint8_t)(1U << (intid % BITS_PER_BYTE));
	on = its_lpis_enable(0, true);
	got = take_for(1, DELIVER_NS);
	check("its_pending_table", off && on && got == 1,
	      "EnableLPIs off (RWP clear: %s), an MSI sent, the LPI's bit set in the table, on: %u deliveries "
	      "(want 1: the table's bit; the MSI while off is dropped)", off ? "yes" : "no", got);
}

/* A two-level device table: MAPD is ignored while the level-1 entry is invalid; valid, it works. */
static void test_two_level(void)
{
	uint32_t before, after;
	bool started = its_start(ITS_TABLE_TWO_LEVEL);

	hits = 0;
	map_event(E_TWO_LEVEL, 0, PRIO_TEST, true);      /* fails quietly: no device yet */
	hv_msi_send(translater(), E_TWO_LEVEL);
	before = take_for(1, SETTLE_NS);
	its_publish_l2();
	started = started && its_map_device() && map_event(E_TWO_LEVEL, 0, PRIO_TEST, true);
	hv_msi_send(translater(), E_TWO_LEVEL);
	after = take_for(1, DELIVER_NS);
	check("its_two_level_device_table", started && before == 0 && after == 1,
	      "level-1 entry invalid: %u deliveries (want 0); valid, device mapped again: %u (want 1)",
	      before, after);
}

static volatile uint32_t bulk_n;
static uint16_t bulk_seen[BULK_LPIS];

static unsigned bulk_prio(unsigned i)
{
	return (i * 7U) % GUEST_PRIO_LEVELS;
}

static void bulk_handler(unsigned irq, void *arg)
{
	unsigned k = __atomic_fetch_add(&bulk_n, 1, __ATOMIC_ACQ_REL);

	(void)arg;
	if (k < BULK_LPIS)
		bulk_seen[k] = (uint16_t)(irq - GUEST_IRQ_MSI_BASE - E_BULK_FIRST);
}

/* 2,000 LPIs pending at once, 16 priorities, through this CPU's few LRs: each arrives once, in order. */
static void test_bulk(void)
{
	unsigned out_of_order = 0, not_once = 0;
	static uint64_t before[BULK_LPIS];

	for (unsigned i = 0; i < BULK_LPIS; i++) {
		unsigned e = E_BULK_FIRST + i;

		its_lpi_config(e, bulk_prio(i), true);
		if (!its_cmd(its_dev_dw0(CMD_MAPTI), e | (uint64_t)(GIC_LPI_BASE + e) << CMD_EVENT_LPI_SHIFT, 0, 0)) {
			check("its_2000_lpis_in_order", false, "event %u could not be mapped", e);
			return;
		}
		guest_irq_register(GUEST_IRQ_MSI_BASE + e, bulk_handler, NULL);
		before[i] = guest_irq_count(GUEST_IRQ_MSI_BASE + e);
	}
	its_cmd(CMD_INVALL, 0, 0, 0);
	sync_rd(0);
	bulk_n = 0;
	for (unsigned i = 0; i < BULK_LPIS; i++)
		hv_msi_send(translater(), E_BULK_FIRST + i);   /* masked: all wait, pending */
	guest_arch_local_irq_enable();
	wait_count(&bulk_n, BULK_LPIS, BULK_NS);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	for (unsigned k = 1; k < BULK_LPIS && k < bulk_n; k++)
		if (bulk_seen[k] >= BULK_LPIS || bulk_seen[k - 1] >= BULK_LPIS ||
		    bulk_prio(bulk_seen[k]) < bulk_prio(bulk_seen[k - 1]))
			out_of_order++;
	for (unsigned i = 0; i < BULK_LPIS; i++)
		if (guest_irq_count(GUEST_IRQ_MSI_BASE + E_BULK_FIRST + i) != before[i] + 1U)
			not_once++;
	check("its_2000_lpis_in_order", bulk_n == BULK_LPIS && out_of_order == 0 && not_once == 0,
	      "%u of %u taken, %u out of priority order, %u not exactly once", bulk_n, BULK_LPIS, out_of_order,
	      not_once);
	for (unsigned i = 0; i < BULK_LPIS; i++)
		its_cmd(its_dev_dw0(CMD_DISCARD), E_BULK_FIRST + i, 0, 0);
}

void guest_arch_msi_tests(void)
{
	if (!its_ready()) {
		skip("its", "no ITS");
		return;
	}
	test_int_clear();
	test_invall();
	test_movall();
	test_pending_table();
	test_bulk();
	/* Last: it restarts the ITS with another device table (the common messages stay usable through
	 * guest_arch_msi_setup, which maps them again). */
	test_two_level();
}

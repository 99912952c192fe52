/* tests_irq.c: device lines through the ABI's test device: edge and level semantics, priority order
 * with more pending interrupts than list registers, preemption, enable/disable while pending, masking. */
#include "guest.h"

#define SETTLE_NS     (20 * NS_PER_MS)   /* how long "nothing more arrives" is watched */
#define DELIVER_NS    (500 * NS_PER_MS)  /* upper bound for an expected delivery */
#define PRIO_LOW      12U
#define PRIO_MID      8U
#define PRIO_HIGH     2U
#define ORDER_LINES   16U
#define ORDER_FIRST   1U                 /* lines 1..16 */
#define LEVEL_REPEATS 3U

/* Lines used by this file (each test owns its own, so leftovers cannot confuse another). */
enum { L_EDGE = 17, L_LEVEL = 18, L_LEVEL_LOW = 19, L_LOW = 20, L_HIGH = 21, L_LOWER = 22,
       L_ENDIS = 23, L_PMR_LOW = 24, L_PMR_HIGH = 25 };

static volatile uint32_t hits;

static void count_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&hits, 1, __ATOMIC_RELEASE);
}

static void test_edge(void)
{
	unsigned irq = line_setup(L_EDGE, PRIO_MID, false, 0, count_handler, NULL);
	uint32_t after_pulse, after_high, after_edge;

	hits = 0;
	guest_arch_irq_enable(irq, true);
	guest_arch_local_irq_enable();
	hv_line(L_EDGE, HV_LINE_PULSE);
	wait_count(&hits, 1, DELIVER_NS);
	delay_ns(SETTLE_NS);
	after_pulse = hits;
	hv_line(L_EDGE, HV_LINE_RAISE);
	wait_count(&hits, 2, DELIVER_NS);
	hv_line(L_EDGE, HV_LINE_RAISE);     /* already high: not a new edge */
	delay_ns(SETTLE_NS);
	after_high = hits;
	hv_line(L_EDGE, HV_LINE_LOWER);
	hv_line(L_EDGE, HV_LINE_RAISE);
	wait_count(&hits, 3, DELIVER_NS);
	delay_ns(SETTLE_NS);
	after_edge = hits;
	hv_line(L_EDGE, HV_LINE_LOWER);
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	check("line_edge", after_pulse == 1 && after_high == 2 && after_edge == 3,
	      "pulse -> %u, raise + raise again -> %u, lower + raise -> %u (want 1, 2, 3)",
	      after_pulse, after_high, after_edge);
}

/* ---- 16 lines at once, distinct priorities: they must arrive highest first ---- */
static volatile uint32_t order_n;
static unsigned order_prio[ORDER_LINES];
static unsigned order_seen[ORDER_LINES];

static unsigned prio_of_line(unsigned i)
{
	return (i * 7U + 3U) % ORDER_LINES;  /* a permutation of 0..15, not monotonic in the line */
}

static void order_handler(unsigned irq, void *arg)
{
	uint32_t n = order_n;

	(void)irq;
	if (n < ORDER_LINES)
		order_seen[n] = (unsigned)(uintptr_t)arg;
	__atomic_store_n(&order_n, n + 1, __ATOMIC_RELEASE);
}

static void test_priority_order(void)
{
	unsigned irqs[ORDER_LINES], bad = 0, dup = 0;
	bool seen[ORDER_LINES] = { false };

	order_n = 0;
	for (unsigned i = 0; i < ORDER_LINES; i++) {
		order_prio[i] = prio_of_line(i);
		irqs[i] = line_setup(ORDER_FIRST + i, order_prio[i], false, 0, order_handler, (void *)(uintptr_t)i);
		guest_arch_irq_enable(irqs[i], true);
	}
	/* All 16 become pending while this CPU is masked: the hypervisor holds 16 with 4 LRs. */
	for (unsigned i = 0; i < ORDER_LINES; i++)
		hv_line(ORDER_FIRST + i, HV_LINE_PULSE);
	guest_arch_local_irq_enable();
	wait_count(&order_n, ORDER_LINES, DELIVER_NS);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	for (unsigned k = 0; k < ORDER_LINES && k < order_n; k++) {
		unsigned i = order_seen[k];

		if (seen[i])
			dup++;
		seen[i] = true;
		if (k > 0 && order_prio[order_seen[k - 1]] > order_prio[i])
			bad++;
	}
	for (unsigned i = 0; i < ORDER_LINES; i++)
		guest_arch_irq_enable(irqs[i], false);
	check("overflow_16_delivered", order_n == ORDER_LINES && dup == 0,
	      "%u of 16 pulsed lines delivered, %u duplicates (4 list registers)", order_n, dup);
	check("priority_order_16", order_n == ORDER_LINES && bad == 0,
	      "%u out-of-order deliveries; first three priorities %u %u %u", bad,
	      order_prio[order_seen[0]], order_prio[order_seen[1]], order_prio[order_seen[2]]);
}

/* ---- preemption: a higher priority interrupts a handler that unmasked; a lower one waits ---- */
static volatile uint32_t pre_high_hits, pre_low_done, pre_nested, pre_other_before_end;
static unsigned pre_other_line;
static uint64_t pre_wait_ns;   /* how long the low handler waits for the other one to cut in */

static void high_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	if (!pre_low_done)
		pre_nested = 1; /* ran inside the low handler */
	__atomic_add_fetch(&pre_high_hits, 1, __ATOMIC_RELEASE);
}

static void low_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	guest_arch_local_irq_enable();
	hv_line(pre_other_line, HV_LINE_PULSE);
	wait_count(&pre_high_hits, 1, pre_wait_ns);
	pre_other_before_end = pre_high_hits;
	guest_arch_local_irq_disable();
	pre_low_done = 1;
}

static void run_preemption(unsigned other_line, unsigned other_prio, bool expect_nested, const char *name)
{
	unsigned low = line_setup(L_LOW, PRIO_MID, false, 0, low_handler, NULL);
	unsigned other = line_setup(other_line, other_prio, false, 0, high_handler, NULL);

	pre_other_line = other_line;
	/* Expected to cut in: allow a loaded host its time. Expected to wait: watch a while. */
	pre_wait_ns = expect_nested ? DELIVER_NS : 5 * SETTLE_NS;
	pre_high_hits = pre_low_done = pre_nested = pre_other_before_end = 0;
	guest_arch_irq_enable(low, true);
	guest_arch_irq_enable(other, true);
	guest_arch_local_irq_enable();
	hv_line(L_LOW, HV_LINE_PULSE);
	wait_count(&pre_low_done, 1, DELIVER_NS);
	wait_count(&pre_high_hits, 1, DELIVER_NS);
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(low, false);
	guest_arch_irq_enable(other, false);
	if (expect_nested)
		check(name, pre_low_done && pre_nested && pre_high_hits == 1,
		      "priority %u interrupted the running priority-%u handler (nested %u, delivered %u)",
		      other_prio, PRIO_MID, pre_nested, pre_high_hits);
	else
		check(name, pre_low_done && !pre_nested && pre_other_before_end == 0 && pre_high_hits == 1,
		      "priority %u waited for the priority-%u handler's EOI (nested %u, delivered %u)",
		      other_prio, PRIO_MID, pre_nested, pre_high_hits);
}

/* ---- a level line held by the device until the handler clears it ---- */
static volatile uint32_t level_hits;

static void level_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	/* Leave the line high twice: after each EOI it must come back. The third time clear it. */
	if (__atomic_add_fetch(&level_hits, 1, __ATOMIC_RELEASE) >= LEVEL_REPEATS)
		hv_line(L_LEVEL, HV_LINE_LOWER);
}

static void test_level(void)
{
	unsigned irq = line_setup(L_LEVEL, PRIO_MID, true, 0, level_handler, NULL);
	uint32_t got;

	level_hits = 0;
	guest_arch_irq_enable(irq, true);
	guest_arch_local_irq_enable();
	hv_line(L_LEVEL, HV_LINE_RAISE);
	wait_count(&level_hits, LEVEL_REPEATS, DELIVER_NS);
	delay_ns(SETTLE_NS);
	got = level_hits;
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	check("level_held_until_cleared", got == LEVEL_REPEATS,
	      "held line delivered %u times, cleared by the handler on delivery %u (want exactly %u)", got,
	      LEVEL_REPEATS, LEVEL_REPEATS);
}

static void test_level_dropped(void)
{
	unsigned irq;
	int pend_high, pend_low;

	if (!guest_arch_level_retracts()) {
		skip("level_lowered_before_taken", "this controller latches a level interrupt once sent");
		return;
	}
	irq = line_setup(L_LEVEL_LOW, PRIO_MID, true, 0, count_handler, NULL);
	hits = 0;
	guest_arch_irq_enable(irq, true);
	hv_line(L_LEVEL_LOW, HV_LINE_RAISE);
	pend_high = guest_arch_irq_pending(irq);
	hv_line(L_LEVEL_LOW, HV_LINE_LOWER);
	pend_low = guest_arch_irq_pending(irq);
	guest_arch_local_irq_enable();
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	check("level_lowered_before_taken", hits == 0 && pend_high != 0 && pend_low != 1,
	      "pending while high %d, after lower %d, delivered %u (want 1, 0, 0)", pend_high, pend_low, hits);
}

static void test_enable_disable(void)
{
	unsigned irq = line_setup(L_ENDIS, PRIO_MID, false, 0, count_handler, NULL);
	uint32_t while_disabled, after_enable, disabled_in_flight, final;
	int pend;

	hits = 0;
	/* Pending while disabled: held, visible in ISPENDR, delivered once enabled. */
	hv_line(L_ENDIS, HV_LINE_PULSE);
	guest_arch_local_irq_enable();
	delay_ns(SETTLE_NS);
	while_disabled = hits;
	pend = guest_arch_irq_pending(irq);
	guest_arch_irq_enable(irq, true);
	wait_count(&hits, 1, DELIVER_NS);
	delay_ns(SETTLE_NS);
	after_enable = hits;
	/* Disabled after it was queued (likely already in a list register): must not be delivered. */
	guest_arch_local_irq_disable();
	hv_line(L_ENDIS, HV_LINE_PULSE);
	guest_arch_irq_enable(irq, false);
	guest_arch_local_irq_enable();
	delay_ns(SETTLE_NS);
	disabled_in_flight = hits;
	guest_arch_irq_enable(irq, true);
	wait_count(&hits, 2, DELIVER_NS);
	delay_ns(SETTLE_NS);
	final = hits;
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	check("enable_disable_pending", while_disabled == 0 && pend != 0 && after_enable == 1 &&
	      disabled_in_flight == 1 && final == 2,
	      "disabled: %u delivered, pending %d; enabled: %u; disabled while queued: %u; re-enabled: %u",
	      while_disabled, pend, after_enable, disabled_in_flight, final);
}

static volatile uint32_t pmr_low_hits, pmr_high_hits;

static void pmr_low(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&pmr_low_hits, 1, __ATOMIC_RELEASE);
}

static void pmr_high(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_add_fetch(&pmr_high_hits, 1, __ATOMIC_RELEASE);
}

static void test_pmr(void)
{
	unsigned lo = line_setup(L_PMR_LOW, PRIO_LOW, false, 0, pmr_low, NULL);
	unsigned hi = line_setup(L_PMR_HIGH, PRIO_HIGH, false, 0, pmr_high, NULL);
	uint32_t masked_low, high, unmasked_low;

	pmr_low_hits = pmr_high_hits = 0;
	guest_arch_irq_enable(lo, true);
	guest_arch_irq_enable(hi, true);
	guest_arch_set_priority_mask(PRIO_MID);  /* blocks priority >= 8 */
	guest_arch_local_irq_enable();
	hv_line(L_PMR_LOW, HV_LINE_PULSE);
	delay_ns(SETTLE_NS);
	masked_low = pmr_low_hits;
	hv_line(L_PMR_HIGH, HV_LINE_PULSE);
	wait_count(&pmr_high_hits, 1, DELIVER_NS);
	high = pmr_high_hits;
	guest_arch_set_priority_mask(GUEST_PRIO_LEVELS);
	wait_count(&pmr_low_hits, 1, DELIVER_NS);
	unmasked_low = pmr_low_hits;
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(lo, false);
	guest_arch_irq_enable(hi, false);
	check("priority_mask", masked_low == 0 && high == 1 && unmasked_low == 1,
	      "mask %u: priority-%u delivered %u, priority-%u delivered %u; mask lifted: %u", PRIO_MID,
	      PRIO_LOW, masked_low, PRIO_HIGH, high, unmasked_low);
}

void tests_irq(void)
{
	test_edge();
	test_priority_order();
	run_preemption(L_HIGH, PRIO_HIGH, true, "preemption_higher");
	run_preemption(L_LOWER, PRIO_LOW, false, "no_preemption_lower");
	test_level();
	test_level_dropped();
	test_enable_disable();
	test_pmr();
}

/* tests_eoi.c: split end of interrupt (arm64 EOImode 1): priority drop first, deactivation later.
 * Includes the case other VGICs live-lock on: more dropped-but-active interrupts than list registers. */
#include "guest.h"

#define SETTLE_NS   (20 * NS_PER_MS)
#define DELIVER_NS  (500 * NS_PER_MS)
#define PRIO_MID    8U
#define PRIO_HIGH   2U
#define MANY        6U          /* more than QEMU's 4 list registers */
enum { L_SPLIT = 26, L_MANY_FIRST = 1, L_NEW = 27 };

static volatile uint32_t split_hits, many_hits, new_hits;

static void deferring_handler(unsigned irq, void *arg)
{
	volatile uint32_t *counter = arg;

	(void)irq;
	guest_irq_defer_deactivate();
	__atomic_add_fetch(counter, 1, __ATOMIC_RELEASE);
}

static void plain_handler(unsigned irq, void *arg)
{
	(void)irq;
	__atomic_add_fetch((volatile uint32_t *)arg, 1, __ATOMIC_RELEASE);
}

static void test_split_one(void)
{
	unsigned irq = line_setup(L_SPLIT, PRIO_MID, false, 0, deferring_handler, (void *)&split_hits);
	uint32_t first, while_active, after_dir;
	int active, active_end;

	split_hits = 0;
	guest_arch_set_split_eoi(true);
	guest_arch_irq_enable(irq, true);
	guest_arch_local_irq_enable();
	hv_line(L_SPLIT, HV_LINE_PULSE);
	wait_count(&split_hits, 1, DELIVER_NS);
	first = split_hits;
	active = guest_arch_irq_active(irq);
	/* Pending again while still active: must wait for the deactivation. */
	hv_line(L_SPLIT, HV_LINE_PULSE);
	delay_ns(SETTLE_NS);
	while_active = split_hits;
	guest_arch_deactivate(irq);
	wait_count(&split_hits, 2, DELIVER_NS);
	after_dir = split_hits;
	guest_arch_deactivate(irq);
	delay_ns(SETTLE_NS);
	active_end = guest_arch_irq_active(irq);
	guest_arch_local_irq_disable();
	guest_arch_irq_enable(irq, false);
	guest_arch_set_split_eoi(false);
	check("eoimode1_split", first == 1 && active == 1 && while_active == 1 && after_dir == 2 && active_end == 0,
	      "delivered %u, active after EOI %d, re-pended while active -> %u, after DIR %u, active at end %d",
	      first, active, while_active, after_dir, active_end);
}

static void test_split_many(void)
{
	unsigned irqs[MANY], newirq, still_active = 0, again;
	uint32_t all, fresh;

	many_hits = new_hits = 0;
	guest_arch_set_split_eoi(true);
	for (unsigned i = 0; i < MANY; i++) {
		irqs[i] = line_setup(L_MANY_FIRST + i, PRIO_MID, false, 0, deferring_handler, (void *)&many_hits);
		guest_arch_irq_enable(irqs[i], true);
	}
	newirq = line_setup(L_NEW, PRIO_HIGH, false, 0, plain_handler, (void *)&new_hits);
	guest_arch_irq_enable(newirq, true);
	for (unsigned i = 0; i < MANY; i++)
		hv_line(L_MANY_FIRST + i, HV_LINE_PULSE);
	guest_arch_local_irq_enable();
	wait_count(&many_hits, MANY, DELIVER_NS);
	all = many_hits;
	/* Six interrupts now active, dropped, not deactivated: a new one must still get through. */
	hv_line(L_NEW, HV_LINE_PULSE);
	wait_count(&new_hits, 1, DELIVER_NS);
	fresh = new_hits;
	for (unsigned i = 0; i < MANY; i++)
		still_active += guest_arch_irq_active(irqs[i]) == 1;
	for (unsigned i = 0; i < MANY; i++)
		guest_arch_deactivate(irqs[i]);
	delay_ns(SETTLE_NS);
	again = 0;
	for (unsigned i = 0; i < MANY; i++)
		again += guest_arch_irq_active(irqs[i]) == 1;
	/* Deactivated for real: the first line can be taken again. */
	hv_line(L_MANY_FIRST, HV_LINE_PULSE);
	wait_count(&many_hits, MANY + 1, DELIVER_NS);
	guest_arch_deactivate(irqs[0]);
	guest_arch_local_irq_disable();
	for (unsigned i = 0; i < MANY; i++)
		guest_arch_irq_enable(irqs[i], false);
	guest_arch_irq_enable(newirq, false);
	guest_arch_set_split_eoi(false);
	check("eoimode1_more_actives_than_lrs", all == MANY && fresh == 1 && still_active == MANY && again == 0 &&
	      many_hits == MANY + 1,
	      "%u delivered and left active (%u seen active), new interrupt delivered %u, active after DIR %u, "
	      "redelivery %u", all, still_active, fresh, again, many_hits - MANY);
}

void tests_eoi(void)
{
	if (!guest_arch_has_split_eoi()) {
		skip("eoimode1_split", "this interrupt controller has no split EOI");
		skip("eoimode1_more_actives_than_lrs", "this interrupt controller has no split EOI");
		return;
	}
	test_split_one();
	test_split_many();
}

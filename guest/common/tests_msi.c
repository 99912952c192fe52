/* tests_msi.c: message-signalled interrupts from the test device (HV_CALL_MSI_SEND): delivery on the
 * programmed CPU, moving a message to another CPU, unmapping it, and many pending at once in order. */
#include "guest.h"

#define DELIVER_NS  (500 * NS_PER_MS)
#define SETTLE_NS   (20 * NS_PER_MS)
#define PRIO_MSI    6U
#define ORDER_MSIS  48U                  /* well past the LR count */
#define ORDER_FIRST 8U                   /* messages 8..55 */

/* Messages used by this file (each check its own). */
enum { M_BASIC = 0, M_OTHER = 1, M_MOVE = 2, M_GONE = 3, M_PRIO_A = 4, M_PRIO_B = 5 };

static volatile uint32_t hits;
static volatile uint32_t last_cpu;

static void msi_handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	__atomic_store_n(&last_cpu, guest_arch_cpu_id(), __ATOMIC_RELAXED);
	__atomic_add_fetch(&hits, 1, __ATOMIC_RELEASE);
}

/* Set message n up on cpu with the counting handler; false (and a FAIL) if the layer refuses. */
static bool msi_to(const char *name, unsigned n, unsigned cpu, uint64_t *addr, uint32_t *data)
{
	bool ok = guest_arch_msi_setup(n, cpu, PRIO_MSI, addr, data);

	if (!ok)
		check(name, false, "the layer could not set message %u up on CPU %u", n, cpu);
	else
		guest_irq_register(guest_arch_irq_of_msi(n), msi_handler, NULL);
	return ok;
}

/* Send, and wait for one more delivery; how many arrived, on which CPU. */
static uint32_t send_and_wait(uint64_t addr, uint32_t data, uint32_t want, long *rc)
{
	*rc = hv_msi_send(addr, data);
	wait_count(&hits, want, DELIVER_NS);
	delay_ns(SETTLE_NS);
	return hits;
}

static void test_basic(void)
{
	uint64_t a;
	uint32_t d, got;
	long rc;

	if (!msi_to("msi_basic", M_BASIC, 0, &a, &d))
		return;
	hits = 0;
	guest_arch_local_irq_enable();
	got = send_and_wait(a, d, 1, &rc);
	guest_arch_local_irq_disable();
	check("msi_basic", rc == HV_ABI_OK && got == 1 && last_cpu == 0,
	      "message %u (address 0x%lx, data 0x%x): call %ld, %u delivery(ies) on CPU %u (want 1 on CPU 0)",
	      M_BASIC, a, d, rc, got, last_cpu);
	/* A malformed address is refused by the ABI, not sent. */
	rc = hv_msi_send(0x1000, 0);
	check("msi_bad_address_refused", rc == HV_ABI_INVALID_PARAM, "MSI_SEND to 0x1000 returned %ld", rc);
}

/* A message to another CPU is taken there; set up again for a third CPU (arm64: MOVI), it moves. */
static void test_other_cpu_and_move(void)
{
	/* The move goes to the highest CPU, or back to CPU 0 when there are only two. */
	unsigned to = smp_online() > 2 ? smp_online() - 1U : 0U;
	uint64_t a;
	uint32_t d, got;
	long rc;

	if (smp_online() < 2) {
		skip("msi_other_cpu", "one CPU");
		skip("msi_move", "one CPU");
		return;
	}
	if (!msi_to("msi_other_cpu", M_OTHER, 1, &a, &d))
		return;
	hits = 0;
	got = send_and_wait(a, d, 1, &rc);
	check("msi_other_cpu", rc == HV_ABI_OK && got == 1 && last_cpu == 1,
	      "%u delivery(ies), last on CPU %u (want 1 on CPU 1)", got, last_cpu);

	if (!msi_to("msi_move", M_MOVE, 1, &a, &d))
		return;
	hits = 0;
	send_and_wait(a, d, 1, &rc);
	if (!msi_to("msi_move", M_MOVE, to, &a, &d))
		return;
	guest_arch_local_irq_enable();
	got = send_and_wait(a, d, 2, &rc);
	guest_arch_local_irq_disable();
	check("msi_move", got == 2 && last_cpu == to, "after the move from CPU 1: %u deliveries, the last on CPU %u (want 2, CPU %u)",
	      got, last_cpu, to);
}

/* An unmapped message (arm64: DISCARD) delivers nothing; the call itself still succeeds. */
static void test_teardown(void)
{
	uint64_t a;
	uint32_t d, got;
	long rc;

	if (!msi_to("msi_teardown", M_GONE, 0, &a, &d))
		return;
	hits = 0;
	guest_arch_local_irq_enable();
	send_and_wait(a, d, 1, &rc);
	guest_arch_msi_teardown(M_GONE);
	got = send_and_wait(a, d, 2, &rc);
	guest_arch_local_irq_disable();
	check("msi_teardown", got == 1 && rc == HV_ABI_OK,
	      "%u delivery(ies) across one mapped and one unmapped send (want 1), call %ld", got, rc);
}

/* Many messages pending at once, distinct priorities: taken highest first, each once. */
static volatile uint32_t order_n;
static unsigned order_seen[ORDER_MSIS];

static void order_handler(unsigned irq, void *arg)
{
	unsigned k = __atomic_fetch_add(&order_n, 1, __ATOMIC_ACQ_REL);

	(void)arg;
	if (k < ORDER_MSIS)
		order_seen[k] = irq;
}

static void test_many_in_priority_order(void)
{
	uint64_t a[ORDER_MSIS];
	uint32_t d[ORDER_MSIS];
	unsigned bad = 0, prio_of[GUEST_NR_MSIS];

	for (unsigned i = 0; i < ORDER_MSIS; i++) {
		unsigned n = ORDER_FIRST + i;

		prio_of[n] = (i * 7U) % GUEST_PRIO_LEVELS;
		if (!guest_arch_msi_setup(n, 0, prio_of[n], &a[i], &d[i])) {
			check("msi_priority_order", false, "message %u could not be set up", n);
			return;
		}
		guest_irq_register(guest_arch_irq_of_msi(n), order_handler, NULL);
	}
	order_n = 0;
	for (unsigned i = 0; i < ORDER_MSIS; i++)
		hv_msi_send(a[i], d[i]);              /* masked: they all wait, pending */
	guest_arch_local_irq_enable();
	wait_count(&order_n, ORDER_MSIS, DELIVER_NS);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	for (unsigned k = 1; k < ORDER_MSIS && k < order_n; k++) {
		unsigned prev = order_seen[k - 1] - guest_arch_irq_of_msi(0);
		unsigned cur = order_seen[k] - guest_arch_irq_of_msi(0);

		if (prev >= GUEST_NR_MSIS || cur >= GUEST_NR_MSIS || prio_of[cur] < prio_of[prev])
			bad++;
	}
	check("msi_priority_order", order_n == ORDER_MSIS && bad == 0,
	      "%u of %u messages taken, %u out of priority order", order_n, ORDER_MSIS, bad);
}

/*
 * A message's priority changes when it is set up again (arm64: the configuration table and INV; x86:
 * another vector class): two sent while masked arrive in the order of their new priorities.
 */
static volatile uint32_t first_irq, reprio_n;

static void reprio_handler(unsigned irq, void *arg)
{
	(void)arg;
	if (__atomic_fetch_add(&reprio_n, 1, __ATOMIC_ACQ_REL) == 0)
		first_irq = irq;
}

static unsigned first_of_two(unsigned prio_a, unsigned prio_b, bool *ok)
{
	uint64_t aa, ab;
	uint32_t da, db;

	*ok = guest_arch_msi_setup(M_PRIO_A, 0, prio_a, &aa, &da) &&
	      guest_arch_msi_setup(M_PRIO_B, 0, prio_b, &ab, &db);
	if (!*ok)
		return 0;
	guest_irq_register(guest_arch_irq_of_msi(M_PRIO_A), reprio_handler, NULL);
	guest_irq_register(guest_arch_irq_of_msi(M_PRIO_B), reprio_handler, NULL);
	reprio_n = 0;
	hv_msi_send(aa, da);
	hv_msi_send(ab, db);
	guest_arch_local_irq_enable();
	wait_count(&reprio_n, 2, DELIVER_NS);
	delay_ns(SETTLE_NS);
	guest_arch_local_irq_disable();
	*ok = reprio_n == 2;
	return first_irq;
}

static void test_reprioritise(void)
{
	bool ok1, ok2;
	unsigned first1 = first_of_two(2, 12, &ok1);
	unsigned first2 = first_of_two(12, 2, &ok2);

	check("msi_reprioritise", ok1 && ok2 && first1 == guest_arch_irq_of_msi(M_PRIO_A) &&
	      first2 == guest_arch_irq_of_msi(M_PRIO_B),
	      "A above B: first irq %u; after swapping priorities: first irq %u (want %u, then %u)",
	      first1, first2, guest_arch_irq_of_msi(M_PRIO_A), guest_arch_irq_of_msi(M_PRIO_B));
}

void tests_msi(void)
{
	uint64_t a;
	uint32_t d;

	if (!guest_arch_msi_setup(M_BASIC, 0, PRIO_MSI, &a, &d)) {
		skip("msi", "this layer has no message-signalled interrupts");
		return;
	}
	test_basic();
	test_other_cpu_and_move();
	test_teardown();
	test_reprioritise();
	test_many_in_priority_order();
	guest_arch_msi_tests();
}

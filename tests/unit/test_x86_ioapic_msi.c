/* test_x86_ioapic_msi.c: redirection entries as MSI routes (arch-x86/ioapic_msi.c), what the split-irqchip
 * VMM installs in KVM: which entries get a route, its address and data, and the IOAPIC's own reading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ioapic.h"
#include "ioapic_msi.h"
#include "x86_msi.h"

#define DM(mode) ((uint64_t)(mode) << IOAPIC_RTE_DM_SHIFT)
#define DEST(id) ((uint64_t)(id) << IOAPIC_RTE_DEST_SHIFT)

static void route_ok(uint64_t rte, uint32_t *addr, uint32_t *data)
{
	*addr = *data = 0xdeadbeefU;
	assert_true(ioapic_rte_route(rte, addr, data));
}

/* Fields land where the x86 MSI format puts them, and decode back to the entry's message. */
static void test_fields(void **state)
{
	uint32_t a, d;
	struct apic_msg m;

	(void)state;
	route_ok(0x41 | DEST(3), &a, &d);
	assert_int_equal(a, 0xFEE03000U);
	assert_int_equal(d, 0x41);
	route_ok(0x93 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_DESTMODE | DM(APIC_DM_LOWEST) | DEST(0x0f), &a, &d);
	assert_int_equal(x86_msi_decode(a, d, &m), HV_OK);
	assert_int_equal(m.vector, 0x93);
	assert_int_equal(m.delivery, APIC_DM_LOWEST);
	assert_true(m.logical);
	assert_int_equal(m.dest, 0x0f);
	assert_true(m.level);   /* the bit KVM reads to put the vector in the EOI-exit bitmap */
	assert_true(d & X86_MSI_DATA_LEVEL);
}

/* A masked edge entry sends nothing: no route. A masked level entry keeps its route (an EOI may be owed). */
static void test_masked(void **state)
{
	uint32_t a = 1, d = 2;

	(void)state;
	assert_false(ioapic_rte_route(0x41 | IOAPIC_RTE_MASKED, &a, &d));
	route_ok(0x42 | IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | DEST(1), &a, &d);
	assert_int_equal(a, 0xFEE01000U);
	assert_true(d & X86_MSI_DATA_LEVEL);
	/* Read-only bits (remote IRR, delivery status) and polarity change nothing. */
	uint32_t a2, d2;

	route_ok(0x42 | IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | DEST(1) | IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS |
		 IOAPIC_RTE_POLARITY, &a2, &d2);
	assert_int_equal(a2, a);
	assert_int_equal(d2, d);
}

/* Only fixed, lowest priority and NMI reach a LAPIC; vectors 0..15 are illegal. Outputs untouched. */
static void test_refused(void **state)
{
	static const uint8_t refused[] = { APIC_DM_SMI, APIC_DM_RESERVED, APIC_DM_INIT, APIC_DM_STARTUP,
					   APIC_DM_EXTINT };
	uint32_t a = 0x11111111U, d = 0x22222222U;

	(void)state;
	for (unsigned i = 0; i < sizeof(refused); i++) {
		assert_false(ioapic_msi_mode_ok(refused[i]));
		assert_false(ioapic_rte_route(0x41 | DM(refused[i]), &a, &d));
	}
	assert_true(ioapic_msi_mode_ok(APIC_DM_FIXED));
	assert_true(ioapic_msi_mode_ok(APIC_DM_LOWEST));
	assert_true(ioapic_msi_mode_ok(APIC_DM_NMI));
	assert_false(ioapic_rte_route(0x0f, &a, &d));
	assert_false(ioapic_rte_route(0x00 | IOAPIC_RTE_LEVEL, &a, &d));
	assert_int_equal(a, 0x11111111U);
	assert_int_equal(d, 0x22222222U);
	assert_true(ioapic_rte_route(APIC_FIRST_LEGAL_VECTOR, &a, &d));
}

/* The IOAPIC sends what ioapic_rte_msg reads: an unmasked edge pin's delivery equals its route. */
static struct apic_msg sent;
static unsigned nsent;

static unsigned capture(void *ctx, const struct apic_msg *m)
{
	(void)ctx;
	sent = *m;
	nsent++;
	return 1;
}

static void test_ioapic_sends_the_route(void **state)
{
	struct ioapic io;
	uint64_t rte = 0x5a | DEST(2) | DM(APIC_DM_LOWEST);
	uint32_t a, d, sa, sd;

	(void)state;
	ioapic_init(&io, capture, NULL);
	ioapic_mmio_write(&io, IOAPIC_REGSEL, 4, IOAPIC_REG_REDTBL + 2 * 5);
	ioapic_mmio_write(&io, IOAPIC_WINDOW, 4, (uint32_t)rte);
	ioapic_mmio_write(&io, IOAPIC_REGSEL, 4, IOAPIC_REG_REDTBL + 2 * 5 + 1);
	ioapic_mmio_write(&io, IOAPIC_WINDOW, 4, (uint32_t)(rte >> 32));
	nsent = 0;
	assert_int_equal(ioapic_pulse(&io, 5), HV_OK);
	assert_int_equal(nsent, 1);
	route_ok(io.rte[5], &a, &d);
	x86_msi_encode(&sent, &sa, &sd);
	assert_int_equal(sa, a);
	assert_int_equal(sd, d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_masked),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_ioapic_sends_the_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

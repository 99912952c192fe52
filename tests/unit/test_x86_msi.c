/* test_x86_msi.c: the x86 MSI address/data decoder the VMM's test device uses (arch-x86/x86_msi.c):
 * the window, every field, the KVM-compatible choices, refused arguments, and the round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "x86_msi.h"

static struct apic_msg decode_ok(uint64_t addr, uint32_t data)
{
	struct apic_msg m;

	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(x86_msi_decode(addr, data, &m), HV_OK);
	return m;
}

static void test_fields(void **state)
{
	struct apic_msg m = decode_ok(0xFEE03000ULL, 0x41);

	(void)state;
	assert_int_equal(m.dest, 3);
	assert_false(m.logical);
	assert_int_equal(m.vector, 0x41);
	assert_int_equal(m.delivery, APIC_DM_FIXED);
	assert_false(m.level);
	assert_int_equal(m.shorthand, APIC_SH_NONE);
	m = decode_ok(0xFEEFF004ULL, 0x80FF | (4U << 8));   /* logical, dest 0xff, NMI, level */
	assert_int_equal(m.dest, 0xff);
	assert_true(m.logical);
	assert_int_equal(m.vector, 0xff);
	assert_int_equal(m.delivery, 4);
	assert_true(m.level);
}

/* The redirection hint turns fixed delivery into lowest priority, and only fixed (as KVM). */
static void test_redirection_hint(void **state)
{
	(void)state;
	assert_int_equal(decode_ok(0xFEE00008ULL, 0x30).delivery, APIC_DM_LOWEST);
	assert_int_equal(decode_ok(0xFEE00008ULL, 0x30 | (4U << 8)).delivery, 4);
}

/* Outside the window, high address bits, NULL: refused, *out untouched. Reserved bits: ignored. */
static void test_refusals_and_reserved_bits(void **state)
{
	struct apic_msg m, before;

	(void)state;
	memset(&m, 0x5a, sizeof(m));
	before = m;
	assert_int_equal(x86_msi_decode(0xFED00000ULL, 0x30, &m), HV_EINVAL);
	assert_int_equal(x86_msi_decode(0xFEF00000ULL, 0x30, &m), HV_EINVAL);
	assert_int_equal(x86_msi_decode(0x1FEE00000ULL, 0x30, &m), HV_EINVAL);
	assert_int_equal(x86_msi_decode(0xFEE00000ULL, 0x30, NULL), HV_EINVAL);
	assert_memory_equal(&m, &before, sizeof(m));
	/* The window's edges are inside it. */
	decode_ok(0xFEE00000ULL, 0);
	decode_ok(0xFEEFFFFFULL, 0);
	/* Reserved address bits (11:4 and 1:0) and data bits (13:11, 31:16) change nothing. */
	m = decode_ok(0xFEE02FF3ULL & ~0x8ULL, 0xFFFF3833U & ~0x8000U);
	assert_int_equal(m.dest, 2);
	assert_int_equal(m.vector, 0x33);
	assert_int_equal(m.delivery, APIC_DM_FIXED);
	assert_false(m.level);
}

/* decode(encode(m)) == m for every message without a shorthand. */
static void test_round_trip(void **state)
{
	(void)state;
	for (unsigned dm = 0; dm < 8; dm++) {
		for (unsigned lv = 0; lv < 2; lv++) {
			struct apic_msg m = { .vector = (uint8_t)(0x20 + dm), .delivery = (uint8_t)dm,
					      .shorthand = APIC_SH_NONE, .dest = (uint8_t)(dm * 31U),
					      .logical = dm & 1, .level = lv };
			uint32_t a, d;

			x86_msi_encode(&m, &a, &d);
			struct apic_msg back = decode_ok(a, d);

			assert_int_equal(back.vector, m.vector);
			assert_int_equal(back.delivery, m.delivery);
			assert_int_equal(back.dest, m.dest);
			assert_int_equal(back.logical, m.logical);
			assert_int_equal(back.level, m.level);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_redirection_hint),
		cmocka_unit_test(test_refusals_and_reserved_bits),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

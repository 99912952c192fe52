/* test_aa32.c: the arm64 hypervisor's AArch32 trap helpers (arch-arm64/aarch32.c), built on the host: the
 * IT state through every IT block a T32 IT instruction can open, and the condition of a conditional trap. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../arch-arm64/aarch32.c"

/* Bit positions written out from the Arm ARM here, not taken from sysreg.h, so that a wrong one there
 * cannot be copied into the test: SPSR M[4] (AArch32) bit 4, T bit 5, IT[1:0] bits 26:25, IT[7:2] bits
 * 15:10, NZCV bits 31:28; ESR CV bit 24, COND bits 23:20. */
#define T_SPSR_AA32      (1UL << 4)
#define T_SPSR_T         (1UL << 5)
#define T_SPSR_USR_T32   (T_SPSR_AA32 | T_SPSR_T)   /* AArch32 User mode, Thumb */
#define T_ESR_CV         (1UL << 24)
#define T_ESR_COND_SHIFT 20
#define COND_EQ          0x0U
#define COND_AL          0xeU
#define NR_CONDS         16U
#define NR_FLAG_SETS     16U

static uint64_t spsr_with_it(uint64_t spsr, unsigned it)
{
	return spsr | (uint64_t)(it & 0x3U) << 25 | (uint64_t)(it >> 2) << 10;
}

static unsigned it_of(uint64_t spsr)
{
	return (unsigned)(((spsr >> 10) & 0x3fU) << 2 | ((spsr >> 25) & 0x3U));
}

/* The condition table of the Arm ARM, written out flag by flag (not the way aarch32.c computes it). */
static bool reference_holds(unsigned cond, bool n, bool z, bool c, bool v)
{
	static const char *const names[NR_CONDS] = { "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
						     "hi", "ls", "ge", "lt", "gt", "le", "al", "nv" };
	const char *s = names[cond];

	if (!__builtin_strcmp(s, "eq")) return z;
	if (!__builtin_strcmp(s, "ne")) return !z;
	if (!__builtin_strcmp(s, "cs")) return c;
	if (!__builtin_strcmp(s, "cc")) return !c;
	if (!__builtin_strcmp(s, "mi")) return n;
	if (!__builtin_strcmp(s, "pl")) return !n;
	if (!__builtin_strcmp(s, "vs")) return v;
	if (!__builtin_strcmp(s, "vc")) return !v;
	if (!__builtin_strcmp(s, "hi")) return c && !z;
	if (!__builtin_strcmp(s, "ls")) return !c || z;
	if (!__builtin_strcmp(s, "ge")) return n == v;
	if (!__builtin_strcmp(s, "lt")) return n != v;
	if (!__builtin_strcmp(s, "gt")) return !z && n == v;
	if (!__builtin_strcmp(s, "le")) return z || n != v;
	return true; /* al, and nv (unconditional) */
}

static uint64_t flags(unsigned set)
{
	return (uint64_t)set << 28;
}

/* A conditional trap with the condition in ESR (CV set): every condition against every NZCV. */
static void test_condition_from_the_syndrome(void **state)
{
	(void)state;
	for (unsigned cond = 0; cond < NR_CONDS; cond++) {
		for (unsigned f = 0; f < NR_FLAG_SETS; f++) {
			uint64_t esr = T_ESR_CV | (uint64_t)cond << T_ESR_COND_SHIFT;
			bool want = reference_holds(cond, f & 8, f & 4, f & 2, f & 1);

			assert_int_equal(aa32_cond_passed(T_SPSR_AA32 | flags(f), esr), want);
			/* From AArch64 nothing is conditional. */
			assert_true(aa32_cond_passed(flags(f), esr));
		}
	}
}

/*
 * Every IT instruction (first condition, mask): its block of 1 to 4 instructions, each with the
 * condition its T or E slot gives, then none. Checked by stepping the IT state with aa32_it_advance()
 * and asking aa32_cond_passed() (CV clear: the condition comes from the IT state) under flags where
 * exactly the slot's condition holds or fails.
 */
static void test_it_blocks_step_through_every_slot(void **state)
{
	(void)state;
	for (unsigned first = 0; first < COND_AL; first++) {
		for (unsigned mask = 1; mask < 16; mask++) {
			unsigned len = 4U - (unsigned)__builtin_ctz(mask);
			uint64_t spsr = spsr_with_it(T_SPSR_USR_T32, first << 4 | mask);

			for (unsigned k = 0; k < len; k++) {
				/* Slot 0 is T; slot k > 0 is T when mask bit (4 - k) equals first[0]. */
				bool then = k == 0 || ((mask >> (4U - k)) & 1U) == (first & 1U);
				unsigned cond = then ? first : first ^ 1U;

				for (unsigned f = 0; f < NR_FLAG_SETS; f++)
					assert_int_equal(aa32_cond_passed(spsr | flags(f), 0),
							 reference_holds(cond, f & 8, f & 4, f & 2, f & 1));
				spsr = aa32_it_advance(spsr);
			}
			assert_int_equal(it_of(spsr), 0);
			assert_true(aa32_cond_passed(spsr, 0));   /* out of the block: unconditional */
		}
	}
}

/* Outside Thumb, or from AArch64, there is no IT state to move, and nothing else in the SPSR changes. */
static void test_no_it_state_outside_thumb(void **state)
{
	uint64_t a32 = spsr_with_it(T_SPSR_AA32 | flags(0xf), COND_EQ << 4 | 0x8U);
	uint64_t a64 = spsr_with_it(flags(0x5), COND_EQ << 4 | 0x8U);

	(void)state;
	assert_int_equal(aa32_it_advance(a32), a32);
	assert_int_equal(aa32_it_advance(a64), a64);
	assert_int_equal(aa32_it_advance(T_SPSR_USR_T32 | flags(0xa)), T_SPSR_USR_T32 | flags(0xa));
	/* The advance touches the IT bits alone. */
	assert_int_equal(aa32_it_advance(spsr_with_it(T_SPSR_USR_T32 | flags(0x3), COND_EQ << 4 | 0x4U)) &
			 ~((0x3fUL << 10) | (0x3UL << 25)), T_SPSR_USR_T32 | flags(0x3));
}

/* Golden SPSR values, worked by hand from the Arm ARM: ITE EQ (IT = 0x0c) is SPSR bits 0x00000c00 and
 * after one instruction 0x00001800 (IT = 0x18: the else slot, NE), then nothing. ITET EQ (IT = 0x0a:
 * EQ, mask 1010) steps 0x0a -> 0x14 (NE) -> 0x08 (EQ) -> 0, that is SPSR bits 0x04000800 (IT[1:0] = 2
 * at bits 26:25, IT[7:2] = 2 at 15:10) -> 0x00001400 -> 0x00000800 -> 0. */
static void test_it_golden_values(void **state)
{
	const uint64_t base = T_SPSR_USR_T32;

	(void)state;
	assert_int_equal(aa32_it_advance(base | 0x00000c00UL), base | 0x00001800UL);
	assert_int_equal(aa32_it_advance(base | 0x00001800UL), base);
	assert_int_equal(aa32_it_advance(base | 0x04000800UL), base | 0x00001400UL);
	assert_int_equal(aa32_it_advance(base | 0x00001400UL), base | 0x00000800UL);
	assert_int_equal(aa32_it_advance(base | 0x00000800UL), base);
	/* Z set: inside ITE EQ the first slot passes, the else slot fails. */
	assert_true(aa32_cond_passed(base | 0x40000000UL | 0x00000c00UL, 0));
	assert_false(aa32_cond_passed(base | 0x40000000UL | 0x00001800UL, 0));
	/* A32 WFINE (COND 0001, CV set) with Z set fails; with Z clear it passes. */
	assert_false(aa32_cond_passed(T_SPSR_AA32 | 0x40000000UL, 0x01000000UL | 0x00100000UL));
	assert_true(aa32_cond_passed(T_SPSR_AA32, 0x01000000UL | 0x00100000UL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_condition_from_the_syndrome),
		cmocka_unit_test(test_it_blocks_step_through_every_slot),
		cmocka_unit_test(test_no_it_state_outside_thumb),
		cmocka_unit_test(test_it_golden_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_minilib.c: the freestanding library's memset, memcpy and memmove (lib/minilib_string.c), which
 * move whole words where the alignment allows: every head, tail and relative alignment against bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Built here under other names, beside the host C library's. */
#define memset  mini_memset
#define memcpy  mini_memcpy
#define memmove mini_memmove
#define memcmp  mini_memcmp
#define memchr  mini_memchr
#define strlen  mini_strlen
#define strnlen mini_strnlen
#define strcmp  mini_strcmp
#define strncmp mini_strncmp
#define strchr  mini_strchr
#define strrchr mini_strrchr
#include "../../lib/minilib_string.c"

#define AREA      96U
#define GUARD     0x5aU
#define MAX_ALIGN 8U

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 37U + 11U);
}

static void fill_guard(uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = GUARD;
}

static void test_memset_every_alignment(void **state)
{
	uint8_t buf[AREA + 2U * MAX_ALIGN];

	(void)state;
	for (size_t off = 0; off < MAX_ALIGN; off++)
		for (size_t n = 0; n <= AREA; n++) {
			fill_guard(buf, sizeof(buf));
			assert_ptr_equal(mini_memset(buf + off, 0xc3, n), buf + off);
			for (size_t i = 0; i < sizeof(buf); i++)
				assert_int_equal(buf[i], i >= off && i < off + n ? 0xc3 : GUARD);
		}
}

static void test_memcpy_every_alignment(void **state)
{
	uint8_t src[AREA + MAX_ALIGN], dst[AREA + 2U * MAX_ALIGN];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = pattern(i);
	for (size_t so = 0; so < MAX_ALIGN; so++)
		for (size_t dof = 0; dof < MAX_ALIGN; dof++)
			for (size_t n = 0; n <= AREA; n++) {
				fill_guard(dst, sizeof(dst));
				assert_ptr_equal(mini_memcpy(dst + dof, src + so, n), dst + dof);
				for (size_t i = 0; i < sizeof(dst); i++)
					assert_int_equal(dst[i], i >= dof && i < dof + n ? pattern(i - dof + so) : GUARD);
			}
}

/* memmove goes through memcpy when the regions allow it: both directions, overlapping by any amount. */
static void test_memmove_overlap(void **state)
{
	uint8_t buf[AREA + 2U * MAX_ALIGN], want[sizeof(buf)];

	(void)state;
	for (size_t from = 0; from < 2U * MAX_ALIGN; from++)
		for (size_t to = 0; to < 2U * MAX_ALIGN; to++) {
			size_t n = AREA - MAX_ALIGN;

			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = want[i] = pattern(i);
			for (size_t i = 0; i < n; i++)   /* the reference: through a copy */
				want[to + i] = pattern(from + i);
			mini_memmove(buf + to, buf + from, n);
			assert_memory_equal(buf, want, sizeof(buf));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memset_every_alignment),
		cmocka_unit_test(test_memcpy_every_alignment),
		cmocka_unit_test(test_memmove_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

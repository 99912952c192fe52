/* test_save.c: save and restore: round trips with interrupts mid-flight into instances with another LR
 * count, the blob's format guarantees, and every kind of bad blob refused with no state change. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "harness.h"
#include "vgic_internal.h"
#include "gic_regs.h"

#define NV       2U
#define NR_SPIS  64U
#define NR_LPIS  64U
#define SPI(n)   (VGIC_SPI_BASE + (n))
#define LPI(n)   (VGIC_LPI_BASE + (n))
#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x40000ULL
#define BLOB_MAX (256U * 1024U)

static uint64_t mmio(struct harness *h, bool gicr, uint32_t rd, uint32_t off, unsigned w)
{
	uint64_t v = 0;

	if (gicr)
		assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, rd, off, w, false, &v), VGIC_MMIO_OK);
	else
		assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, off, w, false, &v), VGIC_MMIO_OK);
	return v;
}

static void mmio_w(struct harness *h, bool gicr, uint32_t rd, uint32_t off, unsigned w, uint64_t v)
{
	if (gicr)
		assert_int_equal(vgic_mmio_redist_access(&h->vm, 0, rd, off, w, true, &v), VGIC_MMIO_OK);
	else
		assert_int_equal(vgic_mmio_dist_access(&h->vm, 0, off, w, true, &v), VGIC_MMIO_OK);
}

static struct harness *vm_of(unsigned nr_lrs)
{
	struct harness *h = h_new(NV, NR_SPIS, nr_lrs);

	h_lpis(h, NR_LPIS, RAM_BASE, RAM_SIZE);
	return h;
}

/*
 * A VM in the middle of things: an active interrupt the guest holds (acknowledged, not ended), a
 * pending+active edge, a held level line, a pending edge routed by IROUTER to vCPU 1, a disabled
 * pending one, a group-0 one, a HW-mapped timer, SGIs pending, LPIs on with one pending.
 */
static void busy_state(struct harness *h)
{
	memset(&h->ram[0], 0xa3, NR_LPIS);                    /* LPI configuration: 0xa0, enabled */
	for (unsigned r = 0; r < NV; r++) {
		mmio_w(h, true, r, GICR_PROPBASER, 8, RAM_BASE | 13U);
		mmio_w(h, true, r, GICR_PENDBASER, 8, (RAM_BASE + 0x10000 * (r + 1)) | GICR_PENDBASER_PTZ);
		mmio_w(h, true, r, GICR_CTLR, 4, GICR_CTLR_EnableLPIs);
		mmio_w(h, true, r, GICR_WAKER, 4, 0);
	}
	h_cfg(h, 0, SPI(1), 0x40, VGIC_EDGE);
	h_cfg(h, 0, SPI(2), 0x20, VGIC_EDGE);
	h_cfg(h, 0, SPI(3), 0x80, VGIC_LEVEL);
	h_cfg(h, 0, SPI(4), 0xa0, VGIC_EDGE);
	h_cfg(h, 0, SPI(5), 0x50, VGIC_EDGE);
	h_cfg(h, 0, SPI(6), 0x30, VGIC_EDGE);
	assert_int_equal(vgic_irq_set_group(&h->vm, 0, SPI(6), 0), HV_OK);
	mmio_w(h, false, 0, GICD_IROUTER + SPI(4) * 8, 8, 1);      /* affinity 0.0.0.1: vCPU 1 */
	assert_int_equal(vgic_irq_map_hw(&h->vm, 0, 27, 27), HV_OK);
	h_cfg(h, 0, 27, 0x10, VGIC_LEVEL);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(1), true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI(1));                      /* held active across the save */
	h_exit(h, 0);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(2), true), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI(2));                      /* preempts SPI 1: nested */
	h_exit(h, 0);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(2), true), HV_OK);   /* pending + active */
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(3), true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(4), true), HV_OK);
	assert_int_equal(vgic_irq_set_enabled(&h->vm, 0, SPI(5), false), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(5), true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, SPI(6), true), HV_OK);
	assert_int_equal(vgic_inject(&h->vm, 0, 27, true), HV_OK);
	assert_int_equal(vgic_inject_sgi(&h->vm, 0, 1, 3), HV_OK);
	mmio_w(h, true, 1, GICR_SETLPIR, 8, LPI(7));
}

static void cpu_state_of(struct harness *h, struct vgic_cpu_state *s)
{
	for (unsigned i = 0; i < NV; i++) {
		s[i].vmcr = h->cpu[i].vmcr;
		memcpy(s[i].apr, h->cpu[i].apr, sizeof(s[i].apr));
	}
}

static void load_cpu_state(struct harness *h, const struct vgic_cpu_state *s)
{
	for (unsigned i = 0; i < NV; i++) {
		h->cpu[i].vmcr = s[i].vmcr;
		memcpy(h->cpu[i].apr, s[i].apr, sizeof(s[i].apr));
	}
}

static uint8_t *save_all(struct harness *h, size_t *len)
{
	struct vgic_cpu_state cs[NV];
	uint8_t *blob = calloc(1, BLOB_MAX);

	assert_non_null(blob);
	cpu_state_of(h, cs);
	assert_int_equal(vgic_save(&h->vm, cs, blob, BLOB_MAX, len), HV_OK);
	return blob;
}

/* Every interrupt's state and the registers a guest reads, equal in both instances. */
static void assert_same(struct harness *a, struct harness *b)
{
	static const uint32_t dregs[] = { GICD_CTLR, GICD_TYPER, GICD_ISPENDR + 4, GICD_ISACTIVER + 4,
					  GICD_ISENABLER + 4, GICD_IGROUPR + 4, GICD_ICFGR + 8,
					  GICD_IPRIORITYR + 32, GICD_IPRIORITYR + 36 };
	static const uint32_t rregs[] = { GICR_CTLR, GICR_WAKER, GICR_PROPBASER, GICR_PENDBASER,
					  GICR_SGI_BASE + GICR_ISPENDR0, GICR_SGI_BASE + GICR_ISACTIVER0 };

	for (unsigned v = 0; v < NV; v++)
		for (uint32_t i = 0; i < VGIC_SPI_BASE + NR_SPIS + NR_LPIS; i++) {
			uint32_t intid = i < VGIC_SPI_BASE + NR_SPIS ? i : LPI(i - VGIC_SPI_BASE - NR_SPIS);
			struct vgic_irq_state sa = h_state(a, v, intid), sb = h_state(b, v, intid);

			if (memcmp(&sa, &sb, sizeof(sa)))
				fail_msg("INTID %u (vCPU %u) differs after restore", intid, v);
		}
	for (unsigned i = 0; i < sizeof(dregs) / sizeof(dregs[0]); i++)
		assert_int_equal(mmio(a, false, 0, dregs[i], 4), mmio(b, false, 0, dregs[i], 4));
	assert_int_equal(mmio(a, false, 0, GICD_IROUTER + SPI(4) * 8, 8), mmio(b, false, 0, GICD_IROUTER + SPI(4) * 8, 8));
	for (unsigned r = 0; r < NV; r++)
		for (unsigned i = 0; i < sizeof(rregs) / sizeof(rregs[0]); i++)
			assert_int_equal(mmio(a, true, r, rregs[i], rregs[i] == GICR_PROPBASER || rregs[i] == GICR_PENDBASER ? 8 : 4),
					 mmio(b, true, r, rregs[i], rregs[i] == GICR_PROPBASER || rregs[i] == GICR_PENDBASER ? 8 : 4));
}

/* Both instances go on as one: the guest ends what it held, then takes everything pending in order. */
static void assert_same_future(struct harness *a, struct harness *b)
{
	struct harness *hs[2] = { a, b };

	for (unsigned k = 0; k < 2; k++) {
		struct harness *h = hs[k];

		for (unsigned v = 0; v < NV; v++)
			h->nr_acked[v] = 0;             /* compare what each takes from here on */
		h_enter(h, 0);
		h_eoi(h, 0, SPI(2));
		h_eoi(h, 0, SPI(1));
		h_exit(h, 0);
		assert_false(h_state(h, 0, SPI(1)).active);
		assert_int_equal(vgic_inject(&h->vm, 0, SPI(3), false), HV_OK);
		h_run(h, 0, 100);
		h_run(h, 1, 100);
	}
	for (unsigned v = 0; v < NV; v++) {
		assert_int_equal(a->nr_acked[v], b->nr_acked[v]);
		assert_memory_equal(a->acked[v], b->acked[v], a->nr_acked[v] * sizeof(uint32_t));
	}
}

static void round_trip(unsigned from_lrs, unsigned to_lrs)
{
	struct harness *a = vm_of(from_lrs), *b = vm_of(to_lrs);
	struct vgic_cpu_state cs[NV];
	size_t len;
	uint8_t *blob;

	busy_state(a);
	blob = save_all(a, &len);
	memcpy(b->ram, a->ram, RAM_SIZE);                   /* guest memory travels by itself */
	assert_int_equal(vgic_restore(&b->vm, blob, len, cs), HV_OK);
	load_cpu_state(b, cs);
	assert_same(a, b);
	assert_true(h_state(b, 0, SPI(1)).active);
	assert_true(h_state(b, 0, SPI(2)).active && h_state(b, 0, SPI(2)).pending);
	assert_true(h_state(b, 0, 27).hw);
	assert_int_equal(h_state(b, 0, SPI(4)).target, 1);
	assert_true(h_state(b, 0, LPI(7)).pending);
	assert_same_future(a, b);
	assert_null(h_check_invariants(a));
	assert_null(h_check_invariants(b));
	free(blob);
	h_free(a);
	h_free(b);
}

static void test_round_trip_4_to_16_lrs_mid_flight(void **state)
{
	(void)state;
	round_trip(4, 16);
}

static void test_round_trip_16_to_4_lrs_mid_flight(void **state)
{
	(void)state;
	round_trip(16, 4);
}

/* The header says what it is, little-endian, whatever the host. */
static void test_blob_format(void **state)
{
	struct harness *a = vm_of(4);
	size_t len, need = 0;
	uint8_t *blob;

	(void)state;
	busy_state(a);
	assert_int_equal(vgic_save(&a->vm, NULL, NULL, 0, &need), HV_ENOSPC);
	blob = save_all(a, &len);
	assert_int_equal(len, need);
	assert_memory_equal(blob, "VGIC", 4);
	assert_int_equal(blob[4] | blob[5] << 8, 1);                       /* version */
	assert_int_equal(blob[8] | blob[9] << 8 | blob[10] << 16 | (uint32_t)blob[11] << 24, len);
	assert_int_equal(blob[16], NV);
	assert_int_equal(blob[20], NR_SPIS);
	assert_int_equal(blob[24], NR_LPIS);
	/* Saving twice gives the same bytes: nothing depends on the host's memory layout. */
	{
		size_t len2;
		uint8_t *again = save_all(a, &len2);

		assert_int_equal(len2, len);
		assert_memory_equal(again, blob, len);
		free(again);
	}
	/* A flushed, not synced vCPU: the LRs own state the blob would miss. */
	h_enter(a, 0);
	assert_int_equal(vgic_save(&a->vm, NULL, blob, BLOB_MAX, &len), HV_EBUSY);
	h_exit(a, 0);
	free(blob);
	h_free(a);
}

/* Refused: the target's own blob before and after must be identical. */
static void assert_refused(struct harness *b, const uint8_t *blob, size_t len, int want)
{
	size_t l0, l1;
	uint8_t *before = save_all(b, &l0), *after;

	assert_int_equal(vgic_restore(&b->vm, blob, len, NULL), want);
	after = save_all(b, &l1);
	assert_int_equal(l0, l1);
	assert_memory_equal(before, after, l0);
	free(before);
	free(after);
}

static void rechecksum(uint8_t *blob, size_t len)
{
	uint32_t h = 0x811c9dc5U;

	for (size_t i = 16; i < len; i++)
		h = (h ^ blob[i]) * 0x01000193U;
	for (unsigned i = 0; i < 4; i++)
		blob[12 + i] = (uint8_t)(h >> (8 * i));
}

static void test_bad_blobs_are_refused_and_change_nothing(void **state)
{
	struct harness *a = vm_of(4), *b = vm_of(4), *other = h_new(NV, NR_SPIS + 32, 4);
	size_t len;
	uint8_t *blob, *bad;

	(void)state;
	busy_state(a);
	blob = save_all(a, &len);
	bad = malloc(len);
	assert_non_null(bad);
	/* Truncated at every length, a byte short to empty. */
	for (size_t n = 0; n < len; n += (n < 64 ? 1 : 97))
		assert_refused(b, blob, n, HV_EINVAL);
	/* Every byte flipped in turn (sampled): the checksum or the header catches it. */
	for (size_t i = 0; i < len; i += 13) {
		memcpy(bad, blob, len);
		bad[i] ^= 0x5a;
		assert_true(vgic_restore(&b->vm, bad, len, NULL) < 0);
	}
	assert_refused(b, blob, len - 1, HV_EINVAL);
	/* Consistent checksums over inconsistent contents: the field checks catch them. */
	{
		size_t irq0 = 32 + NV * (8 * 4 + 4 + 32);         /* header, vCPU records, first interrupt */
		size_t spi1 = irq0 + (NV * 32 + 1) * 28;         /* SPI 33's record */
		static const struct { size_t off; uint8_t val; } edits[] = {
			{ 0, 'X' },                      /* magic */
			{ 4, 2 },                        /* version */
			{ 32 + 24, 2 },                  /* vCPU 0 awake = 2 */
			{ 0, 0 },                        /* placeholder, replaced below */
		};

		for (unsigned e = 0; e < 3; e++) {
			memcpy(bad, blob, len);
			bad[edits[e].off] = edits[e].val;
			rechecksum(bad, len);
			assert_refused(b, bad, len, HV_EINVAL);
		}
		memcpy(bad, blob, len);
		bad[spi1 + 8] = 9;                               /* SPI 33 routed to vCPU 9 of 2 */
		rechecksum(bad, len);
		assert_refused(b, bad, len, HV_EINVAL);
		memcpy(bad, blob, len);
		bad[spi1 + 0] ^= 1;                              /* records out of order */
		rechecksum(bad, len);
		assert_refused(b, bad, len, HV_EINVAL);
		memcpy(bad, blob, len);
		bad[spi1 + 26] = 0x80;                           /* an unknown flag */
		rechecksum(bad, len);
		assert_refused(b, bad, len, HV_EINVAL);
		memcpy(bad, blob, len);
		bad[irq0 + 26] |= 1U << 2;                       /* SGI 0 made level */
		rechecksum(bad, len);
		assert_refused(b, bad, len, HV_EINVAL);
	}
	/* Another shape (more SPIs): refused as a range mismatch. */
	assert_int_equal(vgic_restore(&other->vm, blob, len, NULL), HV_ERANGE);
	assert_int_equal(vgic_restore(NULL, blob, len, NULL), HV_EINVAL);
	assert_int_equal(vgic_restore(&b->vm, NULL, len, NULL), HV_EINVAL);
	/* And the good blob still restores. */
	memcpy(b->ram, a->ram, RAM_SIZE);
	assert_int_equal(vgic_restore(&b->vm, blob, len, NULL), HV_OK);
	free(bad);
	free(blob);
	h_free(other);
	h_free(a);
	h_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_4_to_16_lrs_mid_flight),
		cmocka_unit_test(test_round_trip_16_to_4_lrs_mid_flight),
		cmocka_unit_test(test_blob_format),
		cmocka_unit_test(test_bad_blobs_are_refused_and_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

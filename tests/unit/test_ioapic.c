/* test_ioapic.c: cmocka tests of the IOAPIC (arch-x86/ioapic.c) and the line fan-out (x86_gsi.c).
 * A fake APIC bus records every message; level tests play the LAPIC's EOI broadcast. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ioapic.h"
#include "x86_gsi.h"

#define MAX_MSGS 64U
#define VEC 0x41U
#define RTE_LO(pin) (IOAPIC_REG_REDTBL + 2U * (pin))
#define RTE_HI(pin) (IOAPIC_REG_REDTBL + 2U * (pin) + 1U)

struct bus {
	struct apic_msg msg[MAX_MSGS];
	unsigned n;
	unsigned accept;          /* what deliver() answers */
	unsigned resampled[IOAPIC_NR_PINS];
	struct ioapic *io;
	bool lower_on_resample;
};

static unsigned deliver(void *ctx, const struct apic_msg *m)
{
	struct bus *b = ctx;

	if (b->n < MAX_MSGS)
		b->msg[b->n++] = *m;
	return b->accept;
}

static void resample(void *ctx, uint32_t pin)
{
	struct bus *b = ctx;

	b->resampled[pin]++;
	if (b->lower_on_resample)
		ioapic_set_level(b->io, pin, false);
}

static void wr(struct ioapic *io, uint32_t reg, uint32_t v)
{
	assert_int_equal(ioapic_mmio_write(io, IOAPIC_REGSEL, 4, reg), HV_OK);
	assert_int_equal(ioapic_mmio_write(io, IOAPIC_WINDOW, 4, v), HV_OK);
}

static uint32_t rd(struct ioapic *io, uint32_t reg)
{
	uint32_t v;

	assert_int_equal(ioapic_mmio_write(io, IOAPIC_REGSEL, 4, reg), HV_OK);
	assert_int_equal(ioapic_mmio_read(io, IOAPIC_WINDOW, 4, &v), HV_OK);
	return v;
}

static void setup(struct ioapic *io, struct bus *b)
{
	*b = (struct bus){ .accept = 1, .io = io };
	assert_int_equal(ioapic_init(io, deliver, b), HV_OK);
}

static void id_version_arbitration(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	assert_int_equal(rd(&io, IOAPIC_REG_VER), 0x00170011);
	wr(&io, IOAPIC_REG_ID, 0xFFFFFFFF);
	assert_int_equal(rd(&io, IOAPIC_REG_ID), 0x0F000000);
	assert_int_equal(rd(&io, IOAPIC_REG_ARB), 0x0F000000);
	wr(&io, IOAPIC_REG_VER, 0);                 /* read-only */
	assert_int_equal(rd(&io, IOAPIC_REG_VER), 0x00170011);
	assert_int_equal(rd(&io, 0x03), 0);         /* unimplemented index reads zero */
	assert_int_equal(rd(&io, RTE_LO(24)), 0);
}

static void regsel_reads_back_and_entries_reset_masked(void **s)
{
	struct ioapic io;
	struct bus b;
	uint32_t v;

	(void)s;
	setup(&io, &b);
	ioapic_mmio_write(&io, IOAPIC_REGSEL, 4, 0x1234);
	ioapic_mmio_read(&io, IOAPIC_REGSEL, 4, &v);
	assert_int_equal(v, 0x34);
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		assert_int_equal(rd(&io, RTE_LO(pin)), IOAPIC_RTE_MASKED);
		assert_int_equal(rd(&io, RTE_HI(pin)), 0);
	}
}

static void redirection_entry_fields_and_readonly_bits(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	wr(&io, RTE_LO(5), 0xFFFFFFFF);
	/* delivery status (12) and remote IRR (14) are read-only; bits 31:17 reserved */
	assert_int_equal(rd(&io, RTE_LO(5)), 0x1AFFF);
	wr(&io, RTE_HI(5), 0xFFFFFFFF);
	assert_int_equal(rd(&io, RTE_HI(5)), 0xFF000000);
}

static void edge_pin_sends_message_on_rising_edge(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	wr(&io, RTE_HI(3), 0x01000000);
	wr(&io, RTE_LO(3), VEC | (1U << 8) | (1U << 11));   /* lowest priority, logical */
	ioapic_set_level(&io, 3, true);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.msg[0].vector, VEC);
	assert_int_equal(b.msg[0].delivery, APIC_DM_LOWEST);
	assert_true(b.msg[0].logical);
	assert_int_equal(b.msg[0].dest, 1);
	assert_false(b.msg[0].level);
	ioapic_set_level(&io, 3, true);                    /* no new edge */
	assert_int_equal(b.n, 1);
	ioapic_set_level(&io, 3, false);
	ioapic_pulse(&io, 3);
	assert_int_equal(b.n, 2);
	assert_int_equal(rd(&io, RTE_LO(3)) & IOAPIC_RTE_REMOTE_IRR, 0);
}

static void masked_edge_is_lost_masked_level_waits(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	wr(&io, RTE_LO(1), VEC | IOAPIC_RTE_MASKED);
	ioapic_pulse(&io, 1);
	wr(&io, RTE_LO(1), VEC);
	assert_int_equal(b.n, 0);
	assert_int_equal(io.stats.dropped_masked, 1);
	wr(&io, RTE_LO(2), VEC | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_set_level(&io, 2, true);
	assert_int_equal(b.n, 0);
	wr(&io, RTE_LO(2), VEC | IOAPIC_RTE_LEVEL);           /* unmask: delivered now */
	assert_int_equal(b.n, 1);
	assert_true(b.msg[0].level);
}

static void level_remote_irr_blocks_until_eoi_then_redelivers(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	io.chip.ops->set_resample(&io.chip, 9, resample, &b);
	wr(&io, RTE_LO(9), VEC | IOAPIC_RTE_LEVEL);
	ioapic_set_level(&io, 9, true);
	assert_int_equal(b.n, 1);
	assert_true(rd(&io, RTE_LO(9)) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_set_level(&io, 9, true);
	assert_int_equal(b.n, 1);                              /* remote IRR: waits for the EOI */
	ioapic_eoi(&io, VEC + 1);                              /* another vector: nothing */
	assert_int_equal(b.resampled[9], 0);
	ioapic_eoi(&io, VEC);
	assert_int_equal(b.resampled[9], 1);
	assert_int_equal(b.n, 2);                              /* still asserted: sent again */
	b.lower_on_resample = true;
	ioapic_eoi(&io, VEC);
	assert_int_equal(b.resampled[9], 2);
	assert_int_equal(b.n, 2);                              /* the owner cleared the device */
	assert_int_equal(rd(&io, RTE_LO(9)) & IOAPIC_RTE_REMOTE_IRR, 0);
	assert_int_equal(io.stats.eoi_broadcasts, 2);
}

static void level_pulse_delivers_once(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	wr(&io, RTE_LO(4), VEC | IOAPIC_RTE_LEVEL);
	ioapic_pulse(&io, 4);
	assert_int_equal(b.n, 1);
	ioapic_eoi(&io, VEC);
	assert_int_equal(b.n, 1);
}

static void unaccepted_level_sets_no_remote_irr(void **s)
{
	struct ioapic io;
	struct bus b;

	(void)s;
	setup(&io, &b);
	b.accept = 0;
	wr(&io, RTE_LO(6), VEC | IOAPIC_RTE_LEVEL);
	ioapic_set_level(&io, 6, true);
	assert_int_equal(rd(&io, RTE_LO(6)) & IOAPIC_RTE_REMOTE_IRR, 0);
	/* Switching a pin to edge clears a stale remote IRR. */
	b.accept = 1;
	wr(&io, RTE_LO(6), VEC | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	wr(&io, RTE_LO(6), VEC | IOAPIC_RTE_LEVEL);
	assert_true(rd(&io, RTE_LO(6)) & IOAPIC_RTE_REMOTE_IRR);
	wr(&io, RTE_LO(6), VEC);
	assert_int_equal(rd(&io, RTE_LO(6)) & IOAPIC_RTE_REMOTE_IRR, 0);
}

static void bad_widths_and_offsets_are_raz_wi(void **s)
{
	struct ioapic io;
	struct bus b;
	uint32_t v = 0xdead;

	(void)s;
	setup(&io, &b);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_WINDOW, 1, &v), HV_OK);
	assert_int_equal(v, 0);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_REGSEL + 2, 4, 5), HV_OK);
	assert_int_equal(ioapic_mmio_write(&io, 0x40, 4, 5), HV_OK);
	assert_int_equal(ioapic_mmio_read(&io, 0x20, 4, &v), HV_OK);
	assert_int_equal(v, 0);
	assert_int_equal(ioapic_mmio_write(&io, IOAPIC_MMIO_SIZE, 4, 5), HV_ERANGE);
	assert_int_equal(io.stats.bad_access, 4);
	assert_int_equal(ioapic_set_level(&io, 24, true), HV_ERANGE);
	assert_int_equal(ioapic_pulse(&io, 24), HV_ERANGE);
}

static void garbage_then_reprogram_works(void **s)
{
	struct ioapic io;
	struct bus b;
	uint32_t seed = 99, v;

	(void)s;
	setup(&io, &b);
	for (unsigned i = 0; i < 20000; i++) {
		seed = seed * 1103515245U + 12345U;
		if (seed & 0x1000)
			ioapic_mmio_write(&io, (seed >> 4) & 0xFFF, 1 + ((seed >> 16) & 7), seed * 7);
		else
			ioapic_mmio_read(&io, (seed >> 4) & 0xFFF, 1 + ((seed >> 16) & 7), &v);
		if (!(seed & 0x300))
			ioapic_set_level(&io, (seed >> 20) % 24, seed & 0x400);
		if (!(seed & 0x7000))
			ioapic_eoi(&io, (uint8_t)(seed >> 9));
		b.n = 0;
	}
	for (unsigned pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		ioapic_set_level(&io, pin, false);
		wr(&io, RTE_LO(pin), IOAPIC_RTE_MASKED);
	}
	wr(&io, RTE_LO(0), VEC);
	b.n = 0;
	ioapic_pulse(&io, 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.msg[0].vector, VEC);
}

static void gsi_fans_out_to_pic_and_ioapic(void **s)
{
	struct ioapic io;
	struct bus b;
	struct pic pic;
	struct x86_gsi g;
	struct irq_line l;

	(void)s;
	setup(&io, &b);
	pic_init(&pic, NULL, NULL);
	pic_io_write(&pic, PIC_MASTER_CMD, 1, 0x11);
	pic_io_write(&pic, PIC_MASTER_DATA, 1, 0x20);
	pic_io_write(&pic, PIC_MASTER_DATA, 1, 0x04);
	pic_io_write(&pic, PIC_MASTER_DATA, 1, 0x01);
	assert_int_equal(x86_gsi_init(&g, &pic, &io, NULL), HV_OK);
	wr(&io, RTE_LO(1), VEC);
	assert_int_equal(irq_line_bind(&l, &g.chip, 1), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(b.n, 1);
	assert_true(pic_intr_pending(&pic));
	assert_int_equal(irq_line_set_resample(&l, resample, &b), HV_OK);
	assert_int_equal(irq_line_bind(&l, &g.chip, 23), HV_OK);   /* IOAPIC only */
	wr(&io, RTE_LO(23), VEC | IOAPIC_RTE_LEVEL);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	assert_int_equal(b.n, 2);
	assert_int_equal(irq_line_bind(&l, &g.chip, 24), HV_OK);   /* no second IOAPIC: goes nowhere */
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(b.n, 2);
	assert_int_equal(irq_line_bind(&l, &g.chip, 48), HV_ERANGE);
	/* XapicOnly: no PIC behind the wiring. */
	assert_int_equal(x86_gsi_init(&g, NULL, &io, NULL), HV_OK);
	assert_int_equal(irq_line_bind(&l, &g.chip, 1), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(b.n, 3);
	assert_int_equal(irq_line_lower(&l), HV_OK);
	/* A second IOAPIC takes GSI 24..47 on its pins 0..23. */
	struct ioapic hi;
	struct bus b2;

	b2 = (struct bus){ .accept = 1, .io = &hi };
	ioapic_init(&hi, deliver, &b2);
	assert_int_equal(x86_gsi_init(&g, NULL, &io, &hi), HV_OK);
	wr(&hi, RTE_LO(4), VEC + 4);
	assert_int_equal(irq_line_bind(&l, &g.chip, 28), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(b2.n, 1);
	assert_int_equal(b2.msg[0].vector, VEC + 4);
	assert_int_equal(b.n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(id_version_arbitration),
		cmocka_unit_test(regsel_reads_back_and_entries_reset_masked),
		cmocka_unit_test(redirection_entry_fields_and_readonly_bits),
		cmocka_unit_test(edge_pin_sends_message_on_rising_edge),
		cmocka_unit_test(masked_edge_is_lost_masked_level_waits),
		cmocka_unit_test(level_remote_irr_blocks_until_eoi_then_redelivers),
		cmocka_unit_test(level_pulse_delivers_once),
		cmocka_unit_test(unaccepted_level_sets_no_remote_irr),
		cmocka_unit_test(bad_widths_and_offsets_are_raz_wi),
		cmocka_unit_test(garbage_then_reprogram_works),
		cmocka_unit_test(gsi_fans_out_to_pic_and_ioapic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_pic.c: cmocka tests of the dual 8259A and ELCR (arch-x86/pic.c).
 * Each test plays the guest at the ports, with the init sequences Linux and Nanvix/Hyperlight use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pic.h"

#define BASE_M 0x20U
#define BASE_S 0x28U
#define LINUX_BASE_M 0x30U
#define LINUX_BASE_S 0x38U
#define OCW2_EOI   0x20U
#define OCW2_SEOI  0x60U
#define OCW2_ROT_EOI 0xA0U
#define OCW2_ROT_SEOI 0xE0U
#define OCW2_SET_PRIO 0xC0U
#define OCW2_ROT_AEOI_SET 0x80U
#define OCW2_ROT_AEOI_CLR 0x00U
#define OCW3_READ_IRR 0x0AU
#define OCW3_READ_ISR 0x0BU
#define OCW3_POLL  0x0CU
#define OCW3_SET_SMM 0x68U
#define OCW3_CLR_SMM 0x48U

struct ctx {
	unsigned intr_calls;
	bool intr;
	unsigned resampled[PIC_NR_LINES];
};

static void on_intr(void *c, bool level)
{
	struct ctx *x = c;

	x->intr_calls++;
	x->intr = level;
}

static void on_resample(void *c, uint32_t line)
{
	struct ctx *x = c;

	x->resampled[line]++;
}

static void outb(struct pic *p, uint16_t port, uint8_t v)
{
	assert_int_equal(pic_io_write(p, port, 1, v), HV_OK);
}

static uint8_t inb(struct pic *p, uint16_t port)
{
	uint32_t v = 0;

	assert_int_equal(pic_io_read(p, port, 1, &v), HV_OK);
	return (uint8_t)v;
}

/* The sequence of Nanvix and Hyperlight-style guests: ICW1 0x11, ICW2 0x20/0x28, ICW3 0x04/0x02,
 * ICW4 0x01 (or 0x03 for auto-EOI), then OCW1 masks. */
static void init_pair(struct pic *p, uint8_t bm, uint8_t bs, uint8_t icw4, uint8_t mm, uint8_t ms)
{
	outb(p, PIC_MASTER_CMD, 0x11);
	outb(p, PIC_MASTER_DATA, bm);
	outb(p, PIC_MASTER_DATA, 0x04);
	outb(p, PIC_MASTER_DATA, icw4);
	outb(p, PIC_SLAVE_CMD, 0x11);
	outb(p, PIC_SLAVE_DATA, bs);
	outb(p, PIC_SLAVE_DATA, 0x02);
	outb(p, PIC_SLAVE_DATA, icw4);
	outb(p, PIC_MASTER_DATA, mm);
	outb(p, PIC_SLAVE_DATA, ms);
}

static void setup(struct pic *p, struct ctx *x)
{
	*x = (struct ctx){ 0 };
	assert_int_equal(pic_init(p, on_intr, x), HV_OK);
	init_pair(p, BASE_M, BASE_S, 0x01, 0x00, 0x00);
}

static uint8_t isr(struct pic *p, uint16_t cmd)
{
	outb(p, cmd, OCW3_READ_ISR);
	return inb(p, cmd);
}

static uint8_t irr(struct pic *p, uint16_t cmd)
{
	outb(p, cmd, OCW3_READ_IRR);
	return inb(p, cmd);
}

static void nanvix_init_delivers_irq0_at_vector_0x20(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	assert_false(pic_intr_pending(&p));
	assert_int_equal(pic_pulse(&p, 0), HV_OK);
	assert_true(pic_intr_pending(&p));
	assert_true(x.intr);
	assert_int_equal(pic_ack(&p), BASE_M);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x01);
	assert_int_equal(irr(&p, PIC_MASTER_CMD), 0x00);
	assert_false(pic_intr_pending(&p));
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x00);
}

static void linux_mask_all_then_init_then_unmask(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	assert_int_equal(pic_init(&p, on_intr, &x), HV_OK);
	x = (struct ctx){ 0 };
	/* Linux's init_8259A: mask everything first, then ICW1..4 on both, then restore masks. */
	outb(&p, PIC_MASTER_DATA, 0xFF);
	outb(&p, PIC_SLAVE_DATA, 0xFF);
	init_pair(&p, LINUX_BASE_M, LINUX_BASE_S, 0x01, 0xFB, 0xFF);
	assert_int_equal(inb(&p, PIC_MASTER_DATA), 0xFB);
	assert_int_equal(inb(&p, PIC_SLAVE_DATA), 0xFF);
	/* A masked edge is latched in IRR and delivered once unmasked. */
	pic_pulse(&p, 1);
	assert_false(pic_intr_pending(&p));
	assert_int_equal(irr(&p, PIC_MASTER_CMD), 0x02);
	outb(&p, PIC_MASTER_DATA, 0xF9);
	assert_true(pic_intr_pending(&p));
	assert_int_equal(pic_ack(&p), LINUX_BASE_M + 1);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	/* The slave is masked: IRQ 12 stays in its IRR. */
	pic_pulse(&p, 12);
	assert_false(pic_intr_pending(&p));
	outb(&p, PIC_SLAVE_DATA, 0xEF);
	assert_int_equal(pic_ack(&p), LINUX_BASE_S + 4);
}

static void icw1_clears_mask_and_in_service(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	outb(&p, PIC_MASTER_DATA, 0x55);
	pic_pulse(&p, 3);
	pic_ack(&p);
	outb(&p, PIC_MASTER_CMD, 0x11);
	assert_int_equal(inb(&p, PIC_MASTER_DATA), 0x00);
	assert_int_equal(p.u[0].isr, 0);
	assert_int_equal(p.u[0].init_step, 2);
}

static void single_mode_skips_icw3_and_no_icw4_clears_aeoi(void **s)
{
	struct pic p;

	(void)s;
	pic_init(&p, NULL, NULL);
	outb(&p, PIC_MASTER_CMD, 0x13);   /* SNGL + IC4 */
	outb(&p, PIC_MASTER_DATA, 0x40);
	outb(&p, PIC_MASTER_DATA, 0x03);   /* this is ICW4, not ICW3 */
	assert_true(p.u[0].auto_eoi);
	assert_int_equal(p.u[0].init_step, 0);
	outb(&p, PIC_MASTER_CMD, 0x12);   /* SNGL, no ICW4 */
	outb(&p, PIC_MASTER_DATA, 0x40);
	assert_int_equal(p.u[0].init_step, 0);
	assert_false(p.u[0].auto_eoi);
	outb(&p, PIC_MASTER_DATA, 0x3C);   /* OCW1 */
	assert_int_equal(inb(&p, PIC_MASTER_DATA), 0x3C);
}

static void cascade_through_irq2(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 10);
	assert_true(pic_intr_pending(&p));
	assert_int_equal(irr(&p, PIC_MASTER_CMD), 0x04);
	assert_int_equal(pic_ack(&p), BASE_S + 2);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x04);
	assert_int_equal(isr(&p, PIC_SLAVE_CMD), 0x04);
	outb(&p, PIC_SLAVE_CMD, OCW2_EOI);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0);
	assert_int_equal(isr(&p, PIC_SLAVE_CMD), 0);
	/* Masking IR2 on the master hides every slave request. */
	outb(&p, PIC_MASTER_DATA, 0x04);
	pic_pulse(&p, 15);
	assert_false(pic_intr_pending(&p));
	outb(&p, PIC_MASTER_DATA, 0x00);
	assert_int_equal(pic_ack(&p), BASE_S + 7);
}

static void edge_detection_latches_rising_edges_only(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_set_level(&p, 4, true);
	assert_int_equal(pic_ack(&p), BASE_M + 4);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	pic_set_level(&p, 4, true);        /* still high: no new edge */
	assert_false(pic_intr_pending(&p));
	pic_set_level(&p, 4, false);
	pic_set_level(&p, 4, true);
	assert_true(pic_intr_pending(&p));
	/* An edge stays latched after the wire drops. */
	pic_set_level(&p, 4, false);
	assert_int_equal(pic_ack(&p), BASE_M + 4);
}

static void elcr_level_line_redelivers_after_eoi_and_resamples(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	assert_int_equal(p.chip.ops->set_resample(&p.chip, 10, on_resample, &x), HV_OK);
	outb(&p, PIC_ELCR_SLAVE, 0x04);    /* IRQ 10 level */
	assert_int_equal(inb(&p, PIC_ELCR_SLAVE), 0x04);
	pic_set_level(&p, 10, true);
	assert_int_equal(pic_ack(&p), BASE_S + 2);
	assert_false(pic_intr_pending(&p));        /* in service blocks it */
	outb(&p, PIC_SLAVE_CMD, OCW2_EOI);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	assert_int_equal(x.resampled[10], 1);
	assert_true(pic_intr_pending(&p));         /* the wire is still high */
	assert_int_equal(pic_ack(&p), BASE_S + 2);
	pic_set_level(&p, 10, false);
	assert_int_equal(irr(&p, PIC_SLAVE_CMD), 0);
	outb(&p, PIC_SLAVE_CMD, OCW2_SEOI | 2);
	outb(&p, PIC_MASTER_CMD, OCW2_SEOI | 2);
	assert_int_equal(x.resampled[10], 2);
	assert_false(pic_intr_pending(&p));
}

static void elcr_reserved_bits_read_zero_and_word_access_covers_both(void **s)
{
	struct pic p;
	uint32_t v;

	(void)s;
	pic_init(&p, NULL, NULL);
	outb(&p, PIC_ELCR_MASTER, 0xFF);
	outb(&p, PIC_ELCR_SLAVE, 0xFF);
	assert_int_equal(inb(&p, PIC_ELCR_MASTER), PIC_ELCR_MASTER_MASK);
	assert_int_equal(inb(&p, PIC_ELCR_SLAVE), PIC_ELCR_SLAVE_MASK);
	assert_int_equal(pic_io_write(&p, PIC_ELCR_MASTER, 2, 0x0C20), HV_OK);
	assert_int_equal(pic_io_read(&p, PIC_ELCR_MASTER, 2, &v), HV_OK);
	assert_int_equal(v, 0x0C20);
}

static void fixed_priority_and_nesting(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 5);
	pic_pulse(&p, 3);
	assert_int_equal(pic_ack(&p), BASE_M + 3);
	assert_false(pic_intr_pending(&p));     /* 5 is lower than 3 in service */
	pic_pulse(&p, 1);
	assert_int_equal(pic_ack(&p), BASE_M + 1); /* 1 preempts 3 */
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);       /* ends 1, the highest in service */
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x08);
	assert_false(pic_intr_pending(&p));
	outb(&p, PIC_MASTER_CMD, OCW2_SEOI | 3);
	assert_int_equal(pic_ack(&p), BASE_M + 5);
}

static void specific_eoi_ends_only_that_level(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 6);
	pic_ack(&p);
	pic_pulse(&p, 4);
	pic_ack(&p);
	outb(&p, PIC_MASTER_CMD, OCW2_SEOI | 6);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x10);
}

static void auto_eoi_needs_no_eoi(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	pic_init(&p, on_intr, &x);
	init_pair(&p, BASE_M, BASE_S, 0x03, 0x00, 0x00);
	pic_pulse(&p, 3);
	assert_int_equal(pic_ack(&p), BASE_M + 3);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0);
	pic_pulse(&p, 4);
	assert_int_equal(pic_ack(&p), BASE_M + 4);   /* nothing in service blocked it */
	pic_pulse(&p, 11);
	assert_int_equal(pic_ack(&p), BASE_S + 3);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0);
	assert_int_equal(isr(&p, PIC_SLAVE_CMD), 0);
}

static void rotate_on_nonspecific_eoi(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 3);
	assert_int_equal(pic_ack(&p), BASE_M + 3);
	outb(&p, PIC_MASTER_CMD, OCW2_ROT_EOI);   /* 3 becomes the lowest priority */
	pic_pulse(&p, 3);
	pic_pulse(&p, 4);
	pic_pulse(&p, 0);
	assert_int_equal(pic_ack(&p), BASE_M + 4);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	assert_int_equal(pic_ack(&p), BASE_M + 0);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	assert_int_equal(pic_ack(&p), BASE_M + 3);
}

static void set_priority_and_rotate_on_specific_eoi(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	outb(&p, PIC_MASTER_CMD, OCW2_SET_PRIO | 5);   /* 6 highest ... 5 lowest */
	pic_pulse(&p, 1);
	pic_pulse(&p, 7);
	assert_int_equal(pic_ack(&p), BASE_M + 7);
	outb(&p, PIC_MASTER_CMD, OCW2_ROT_SEOI | 7);   /* end 7 and make it lowest: 0 highest */
	assert_int_equal(p.u[0].lowest, 7);
	assert_int_equal(pic_ack(&p), BASE_M + 1);
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	outb(&p, PIC_MASTER_CMD, 0x40);                /* OCW2 no-op changes nothing */
	assert_int_equal(p.u[0].lowest, 7);
}

static void rotate_in_auto_eoi_mode(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	pic_init(&p, on_intr, &x);
	init_pair(&p, BASE_M, BASE_S, 0x03, 0x00, 0x00);
	outb(&p, PIC_MASTER_CMD, OCW2_ROT_AEOI_SET);
	pic_pulse(&p, 2 + 1);
	pic_ack(&p);
	assert_int_equal(p.u[0].lowest, 3);
	pic_pulse(&p, 3);
	pic_pulse(&p, 5);
	assert_int_equal(pic_ack(&p), BASE_M + 5);
	outb(&p, PIC_MASTER_CMD, OCW2_ROT_AEOI_CLR);
	assert_int_equal(pic_ack(&p), BASE_M + 3);
	assert_int_equal(p.u[0].lowest, 5);             /* no rotation once cleared */
}

static void special_mask_mode_lets_lower_levels_in(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 3);
	assert_int_equal(pic_ack(&p), BASE_M + 3);
	pic_pulse(&p, 6);
	assert_false(pic_intr_pending(&p));
	outb(&p, PIC_MASTER_DATA, 0x08);    /* mask the level in service */
	outb(&p, PIC_MASTER_CMD, OCW3_SET_SMM);
	assert_true(p.u[0].special_mask);
	assert_int_equal(pic_ack(&p), BASE_M + 6);
	outb(&p, PIC_MASTER_CMD, OCW2_SEOI | 6);
	outb(&p, PIC_MASTER_CMD, OCW3_CLR_SMM);
	assert_false(p.u[0].special_mask);
	outb(&p, PIC_MASTER_DATA, 0x00);
	pic_pulse(&p, 6);
	assert_false(pic_intr_pending(&p));  /* 3 still in service blocks 6 again */
}

static void poll_mode_reports_and_acknowledges(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	outb(&p, PIC_MASTER_CMD, OCW3_POLL);
	assert_int_equal(inb(&p, PIC_MASTER_CMD), 0x00);  /* nothing pending */
	pic_pulse(&p, 5);
	outb(&p, PIC_MASTER_CMD, OCW3_POLL);
	assert_int_equal(inb(&p, PIC_MASTER_CMD), 0x85);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x20);
	assert_false(pic_intr_pending(&p));
	outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	pic_pulse(&p, 9);
	outb(&p, PIC_SLAVE_CMD, OCW3_POLL);
	assert_int_equal(inb(&p, PIC_SLAVE_DATA), 0x81);  /* poll answers on either port */
	assert_int_equal(inb(&p, PIC_SLAVE_DATA), 0x00);  /* and only once: this is IMR */
}

static void read_irr_and_isr_select(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 1);
	pic_pulse(&p, 7);
	assert_int_equal(irr(&p, PIC_MASTER_CMD), 0x82);
	pic_ack(&p);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x02);
	assert_int_equal(inb(&p, PIC_MASTER_CMD), 0x02);   /* selection sticks */
	outb(&p, PIC_MASTER_CMD, 0x08);                    /* OCW3 without RR keeps it */
	assert_int_equal(inb(&p, PIC_MASTER_CMD), 0x02);
}

static void spurious_irq7_and_irq15(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	outb(&p, PIC_ELCR_MASTER, 0x20);
	outb(&p, PIC_ELCR_SLAVE, 0x02);
	assert_int_equal(pic_ack(&p), BASE_M + 7);   /* INTA with nothing asserted */
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0);
	pic_set_level(&p, 9, true);
	assert_true(pic_intr_pending(&p));
	pic_set_level(&p, 9, false);                 /* gone before the INTA */
	pic_set_level(&p, 9, true);
	p.u[1].irr = 0;                              /* the slave drops it between INTR and INTA */
	p.u[0].irr |= 0x04;
	assert_int_equal(pic_ack(&p), BASE_S + 7);
	assert_int_equal(isr(&p, PIC_SLAVE_CMD), 0);
	assert_int_equal(isr(&p, PIC_MASTER_CMD), 0x04);  /* the master still owes an EOI */
	assert_int_equal(p.stats.spurious, 2);
}

static void special_fully_nested_mode(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	pic_pulse(&p, 12);
	assert_int_equal(pic_ack(&p), BASE_S + 4);
	pic_pulse(&p, 9);
	assert_false(pic_intr_pending(&p));      /* IR2 in service on the master blocks it */
	outb(&p, PIC_MASTER_CMD, 0x11);
	outb(&p, PIC_MASTER_DATA, BASE_M);
	outb(&p, PIC_MASTER_DATA, 0x04);
	outb(&p, PIC_MASTER_DATA, 0x11);         /* ICW4: SFNM */
	p.u[0].isr = 0x04;                       /* the slave's activation is still open */
	assert_true(pic_intr_pending(&p));
	assert_int_equal(pic_ack(&p), BASE_S + 1);
}

static void ltim_makes_every_input_level(void **s)
{
	struct pic p;

	(void)s;
	pic_init(&p, NULL, NULL);
	outb(&p, PIC_MASTER_CMD, 0x19);          /* ICW1 + LTIM */
	outb(&p, PIC_MASTER_DATA, BASE_M);
	outb(&p, PIC_MASTER_DATA, 0x04);
	outb(&p, PIC_MASTER_DATA, 0x01);
	pic_set_level(&p, 1, true);
	pic_set_level(&p, 1, false);
	assert_false(pic_intr_pending(&p));      /* a level request follows the wire */
}

static void intr_hook_reports_changes(void **s)
{
	struct pic p;
	struct ctx x;

	(void)s;
	setup(&p, &x);
	x.intr_calls = 0;
	pic_pulse(&p, 0);
	assert_int_equal(x.intr_calls, 1);
	pic_pulse(&p, 1);
	assert_int_equal(x.intr_calls, 1);       /* already high */
	pic_ack(&p);
	assert_int_equal(x.intr_calls, 2);
	assert_false(x.intr);
}

static void line_interface_and_ranges(void **s)
{
	struct pic p;
	struct irq_line l;
	uint32_t v;

	(void)s;
	pic_init(&p, NULL, NULL);
	init_pair(&p, BASE_M, BASE_S, 0x01, 0, 0);
	assert_int_equal(irq_line_bind(&l, &p.chip, 16), HV_ERANGE);
	assert_int_equal(irq_line_bind(&l, &p.chip, 2), HV_OK);
	assert_int_equal(irq_line_raise(&l), HV_ENODEV);   /* IR2 is the cascade */
	assert_int_equal(irq_line_bind(&l, &p.chip, 14), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(pic_ack(&p), BASE_S + 6);
	assert_int_equal(pic_io_read(&p, 0x60, 1, &v), HV_ERANGE);
	assert_int_equal(pic_io_write(&p, 0x22, 1, 0), HV_ERANGE);
	assert_int_equal(pic_io_read(&p, PIC_MASTER_CMD, 8, &v), HV_EINVAL);
	assert_int_equal(pic_io_read(&p, PIC_MASTER_CMD, 2, &v), HV_OK);   /* cmd + data bytes */
}

static void garbage_at_every_port_never_breaks_reinit(void **s)
{
	static const uint16_t ports[] = { PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA,
					  PIC_ELCR_MASTER, PIC_ELCR_SLAVE };
	struct pic p;
	struct ctx x;
	uint32_t seed = 12345, v;

	(void)s;
	setup(&p, &x);
	for (unsigned i = 0; i < 20000; i++) {
		uint16_t port = ports[(seed >> 8) % 6];

		seed = seed * 1103515245U + 12345U;
		if (seed & 0x10000)
			pic_io_write(&p, port, 1 + (seed >> 20) % 4, seed >> 3);
		else
			pic_io_read(&p, port, 1 + (seed >> 20) % 4, &v);
		if ((seed & 0x300) == 0)
			pic_set_level(&p, (seed >> 12) % 16, seed & 0x400);
		if (pic_intr_pending(&p))
			(void)pic_ack(&p);
	}
	for (unsigned l = 0; l < 16; l++)
		pic_set_level(&p, l, false);
	outb(&p, PIC_ELCR_MASTER, 0);
	outb(&p, PIC_ELCR_SLAVE, 0);
	init_pair(&p, BASE_M, BASE_S, 0x01, 0x00, 0x00);
	/* The edge latches survive ICW1; drain them, then a fresh pulse works normally. */
	for (unsigned i = 0; i < 32 && pic_intr_pending(&p); i++) {
		pic_ack(&p);
		outb(&p, PIC_SLAVE_CMD, OCW2_EOI);
		outb(&p, PIC_MASTER_CMD, OCW2_EOI);
	}
	assert_false(pic_intr_pending(&p));
	pic_pulse(&p, 0);
	assert_int_equal(pic_ack(&p), BASE_M);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nanvix_init_delivers_irq0_at_vector_0x20),
		cmocka_unit_test(linux_mask_all_then_init_then_unmask),
		cmocka_unit_test(icw1_clears_mask_and_in_service),
		cmocka_unit_test(single_mode_skips_icw3_and_no_icw4_clears_aeoi),
		cmocka_unit_test(cascade_through_irq2),
		cmocka_unit_test(edge_detection_latches_rising_edges_only),
		cmocka_unit_test(elcr_level_line_redelivers_after_eoi_and_resamples),
		cmocka_unit_test(elcr_reserved_bits_read_zero_and_word_access_covers_both),
		cmocka_unit_test(fixed_priority_and_nesting),
		cmocka_unit_test(specific_eoi_ends_only_that_level),
		cmocka_unit_test(auto_eoi_needs_no_eoi),
		cmocka_unit_test(rotate_on_nonspecific_eoi),
		cmocka_unit_test(set_priority_and_rotate_on_specific_eoi),
		cmocka_unit_test(rotate_in_auto_eoi_mode),
		cmocka_unit_test(special_mask_mode_lets_lower_levels_in),
		cmocka_unit_test(poll_mode_reports_and_acknowledges),
		cmocka_unit_test(read_irr_and_isr_select),
		cmocka_unit_test(spurious_irq7_and_irq15),
		cmocka_unit_test(special_fully_nested_mode),
		cmocka_unit_test(ltim_makes_every_input_level),
		cmocka_unit_test(intr_hook_reports_changes),
		cmocka_unit_test(line_interface_and_ranges),
		cmocka_unit_test(garbage_at_every_port_never_breaks_reinit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

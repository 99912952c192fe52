/* test_irq_line.c: cmocka tests of the irq_line interface (include/irq_line.h) on the vgic's chips.
 * vgic_spi_chip: line N is SPI 32+N. vgic_ppi_chip(vcpu): line N is PPI 16+N of that vCPU. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#define NV    2U
#define NS    64U
#define NL    4U
#define STEPS 64U
#define LINE  8U                       /* SPI chip line 8 ... */
#define SPI   (VGIC_SPI_BASE + LINE)   /* ... is SPI 40 */
#define PLINE 4U                       /* PPI chip line 4 ... */
#define PPI   (VGIC_NR_SGIS + PLINE)   /* ... is PPI 20 */


static struct irq_line spi_line(struct harness *h, uint32_t line)
{
	struct irq_line l = { 0 };

	assert_int_equal(irq_line_bind(&l, vgic_spi_chip(&h->vm), line), HV_OK);
	return l;
}

static struct irq_line ppi_line(struct harness *h, uint32_t vcpu, uint32_t line)
{
	struct irq_line l = { 0 };

	assert_int_equal(irq_line_bind(&l, vgic_ppi_chip(&h->vm, vcpu), line), HV_OK);
	return l;
}

/* Nothing at all pending, active or queued, anywhere. */
static void assert_all_idle(struct harness *h)
{
	for (uint32_t c = 0; c < h->nr_vcpus; c++)
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE + h->vm.nr_spis; i++) {
			struct vgic_irq_state s;

			if (i >= VGIC_NR_PRIVATE && c > 0)
				break;
			s = h_state(h, c, i);
			if (s.pending || s.active || s.queued || s.line_level)
				fail_msg("vCPU %u INTID %u is not idle", c, i);
		}
}

/*
 * A device model behind a level line. It has `events` things to report; each
 * resample (the guest ended the interrupt) consumes one, and the line stays
 * high while any are left.
 */
struct dev {
	struct irq_line line;
	unsigned events;
	unsigned resamples;
	uint32_t last_line;
	void *last_owner;
	int rc;                 /* of the last raise/lower made from the callback */
};

static void dev_resample(void *owner, uint32_t line)
{
	struct dev *d = owner;

	d->resamples++;
	d->last_line = line;
	d->last_owner = owner;
	if (d->events)
		d->events--;
	d->rc = d->events ? irq_line_raise(&d->line) : irq_line_lower(&d->line);
}

static void dev_attach(struct dev *d, struct irq_line l, unsigned events)
{
	*d = (struct dev){ .line = l, .events = events };
	assert_int_equal(irq_line_set_resample(&d->line, dev_resample, d), HV_OK);
}

/* A resample hook that only counts. */
static unsigned counted;
static uint32_t counted_line;

static void count_resample(void *owner, uint32_t line)
{
	(void)owner;
	counted++;
	counted_line = line;
}

/* ======================= bad arguments ======================= */

static void bind_rejects_a_null_line_a_null_chip_or_a_chip_without_ops_with_einval(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_chip no_ops = { .ops = NULL, .name = "none", .nr_lines = 4 };
	struct irq_line l = { .chip = NULL, .line = 77 };

	(void)state;
	assert_int_equal(irq_line_bind(NULL, vgic_spi_chip(&h->vm), 0), HV_EINVAL);
	assert_int_equal(irq_line_bind(&l, NULL, 0), HV_EINVAL);
	assert_int_equal(irq_line_bind(&l, &no_ops, 0), HV_EINVAL);
	assert_null(l.chip);
	assert_int_equal(l.line, 77);
	h_finish(h);
}

static void bind_rejects_a_line_at_or_beyond_nr_lines_with_erange(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = { .chip = NULL, .line = 77 };

	(void)state;
	assert_int_equal(irq_line_bind(&l, vgic_spi_chip(&h->vm), NS), HV_ERANGE);
	assert_int_equal(irq_line_bind(&l, vgic_spi_chip(&h->vm), 1000), HV_ERANGE);
	assert_int_equal(irq_line_bind(&l, vgic_spi_chip(&h->vm), UINT32_MAX), HV_ERANGE);
	assert_int_equal(irq_line_bind(&l, vgic_ppi_chip(&h->vm, 1), VGIC_NR_PPIS), HV_ERANGE);
	assert_int_equal(irq_line_bind(&l, vgic_ppi_chip(&h->vm, 0), UINT32_MAX), HV_ERANGE);
	assert_null(l.chip);
	assert_int_equal(l.line, 77);

	assert_int_equal(irq_line_bind(&l, vgic_spi_chip(&h->vm), NS - 1), HV_OK);
	assert_ptr_equal(l.chip, vgic_spi_chip(&h->vm));
	assert_int_equal(l.line, NS - 1);
	assert_int_equal(irq_line_bind(&l, vgic_ppi_chip(&h->vm, 1), VGIC_NR_PPIS - 1), HV_OK);
	assert_ptr_equal(l.chip, vgic_ppi_chip(&h->vm, 1));
	h_finish(h);
}

static void line_operations_reject_a_null_or_unbound_line_with_einval(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line unbound = { 0 };
	struct irq_chip no_ops = { .ops = NULL, .name = "none", .nr_lines = 4 };
	struct irq_line opless = { .chip = &no_ops, .line = 0 };

	(void)state;
	assert_int_equal(irq_line_raise(NULL), HV_EINVAL);
	assert_int_equal(irq_line_lower(NULL), HV_EINVAL);
	assert_int_equal(irq_line_pulse(NULL), HV_EINVAL);
	assert_int_equal(irq_line_set_resample(NULL, count_resample, NULL), HV_EINVAL);
	assert_int_equal(irq_line_raise(&unbound), HV_EINVAL);
	assert_int_equal(irq_line_lower(&unbound), HV_EINVAL);
	assert_int_equal(irq_line_pulse(&unbound), HV_EINVAL);
	assert_int_equal(irq_line_set_resample(&unbound, count_resample, NULL), HV_EINVAL);
	assert_int_equal(irq_line_raise(&opless), HV_EINVAL);
	assert_int_equal(irq_line_pulse(&opless), HV_EINVAL);
	assert_all_idle(h);
	h_finish(h);
}

static void line_operations_reject_a_line_beyond_nr_lines_with_erange_and_change_nothing(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_chip *spi = vgic_spi_chip(&h->vm), *ppi = vgic_ppi_chip(&h->vm, 1);
	struct irq_line bad_spi = { .chip = spi, .line = NS };
	struct irq_line bad_ppi = { .chip = ppi, .line = VGIC_NR_PPIS };
	struct irq_line huge = { .chip = spi, .line = UINT32_MAX };

	(void)state;
	h_cfg(h, 0, VGIC_SPI_BASE + NS - 1, 0x80, VGIC_LEVEL);
	h_cfg(h, 1, 31, 0x80, VGIC_LEVEL);
	assert_int_equal(irq_line_raise(&bad_spi), HV_ERANGE);
	assert_int_equal(irq_line_lower(&bad_spi), HV_ERANGE);
	assert_int_equal(irq_line_pulse(&bad_spi), HV_ERANGE);
	assert_int_equal(irq_line_set_resample(&bad_spi, count_resample, NULL), HV_ERANGE);
	assert_int_equal(irq_line_raise(&huge), HV_ERANGE);
	assert_int_equal(irq_line_pulse(&huge), HV_ERANGE);
	assert_int_equal(irq_line_raise(&bad_ppi), HV_ERANGE);
	assert_int_equal(irq_line_lower(&bad_ppi), HV_ERANGE);
	assert_int_equal(irq_line_pulse(&bad_ppi), HV_ERANGE);
	assert_int_equal(irq_line_set_resample(&bad_ppi, count_resample, NULL), HV_ERANGE);
	/* The chips check too, for callers that bypass irq_line. */
	assert_int_equal(spi->ops->set_level(spi, NS, true), HV_ERANGE);
	assert_int_equal(spi->ops->pulse(spi, NS), HV_ERANGE);
	assert_int_equal(spi->ops->set_resample(spi, NS, count_resample, NULL), HV_ERANGE);
	assert_int_equal(ppi->ops->set_level(ppi, VGIC_NR_PPIS, true), HV_ERANGE);
	assert_int_equal(ppi->ops->pulse(ppi, VGIC_NR_PPIS), HV_ERANGE);
	assert_int_equal(ppi->ops->set_resample(ppi, VGIC_NR_PPIS, count_resample, NULL), HV_ERANGE);
	assert_all_idle(h);
	h_finish(h);
}

static void chips_are_null_for_a_null_vm_or_a_vcpu_out_of_range_and_sized_by_the_config(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l;

	(void)state;
	assert_null(vgic_spi_chip(NULL));
	assert_null(vgic_ppi_chip(NULL, 0));
	assert_null(vgic_ppi_chip(&h->vm, NV));
	assert_null(vgic_ppi_chip(&h->vm, UINT32_MAX));
	assert_int_equal(vgic_spi_chip(&h->vm)->nr_lines, NS);
	assert_int_equal(vgic_ppi_chip(&h->vm, 0)->nr_lines, VGIC_NR_PPIS);
	assert_non_null(vgic_spi_chip(&h->vm)->ops);
	assert_ptr_not_equal(vgic_ppi_chip(&h->vm, 0), vgic_ppi_chip(&h->vm, 1));
	h_finish(h);

	/* A VM without SPIs has an SPI chip with no lines. */
	h = h_mk(1, 0, NL);
	assert_int_equal(vgic_spi_chip(&h->vm)->nr_lines, 0);
	assert_int_equal(irq_line_bind(&l, vgic_spi_chip(&h->vm), 0), HV_ERANGE);
	h_finish(h);
}

/* ======================= line numbering ======================= */

static void spi_chip_line_n_drives_spi_32_plus_n(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	static const uint32_t lines[] = { 0, LINE, NS - 1 };

	(void)state;
	for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct irq_line l = spi_line(h, lines[i]);
		uint32_t intid = VGIC_SPI_BASE + lines[i];

		assert_int_equal(irq_line_raise(&l), HV_OK);
		assert_true(h_state(h, 0, intid).line_level);
		assert_true(h_state(h, 0, intid).pending);
		assert_int_equal(irq_line_lower(&l), HV_OK);
		assert_false(h_state(h, 0, intid).pending);
		assert_all_idle(h);
	}
	h_finish(h);
}

static void ppi_chip_line_n_drives_ppi_16_plus_n_of_its_vcpu_only(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l0 = ppi_line(h, 1, 0), l4 = ppi_line(h, 1, PLINE), l15 = ppi_line(h, 1, 15);

	(void)state;
	assert_int_equal(irq_line_raise(&l4), HV_OK);
	assert_true(h_state(h, 1, PPI).line_level);
	assert_true(h_state(h, 1, PPI).pending);
	assert_false(h_state(h, 0, PPI).pending);
	assert_false(h_state(h, 1, PPI - 1).pending);
	assert_false(h_state(h, 1, PPI + 1).pending);
	assert_int_equal(irq_line_lower(&l4), HV_OK);

	assert_int_equal(irq_line_raise(&l0), HV_OK);
	assert_true(h_state(h, 1, 16).pending);
	assert_int_equal(irq_line_lower(&l0), HV_OK);
	assert_int_equal(irq_line_raise(&l15), HV_OK);
	assert_true(h_state(h, 1, 31).pending);
	assert_int_equal(irq_line_lower(&l15), HV_OK);
	assert_all_idle(h);
	h_finish(h);
}

static void raising_a_ppi_line_kicks_its_vcpu_and_the_guest_there_takes_it(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = ppi_line(h, 1, PLINE);
	unsigned k0, k1;

	(void)state;
	h_cfg(h, 1, PPI, 0x80, VGIC_EDGE);
	k0 = h->kicks[0];
	k1 = h->kicks[1];
	assert_int_equal(irq_line_raise(&l), HV_OK);
	assert_int_equal(h_state(h, 1, PPI).queued_on, 1);
	assert_int_equal(h->kicks[0], k0);
	assert_int_equal(h->kicks[1], k1 + 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(h->acked[1][0], PPI);
	h_finish(h);
}

/* ======================= level and edge semantics ======================= */

static void level_spi_is_pending_exactly_while_its_line_is_high(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	s = h_state(h, 0, SPI);
	assert_true(s.line_level);
	assert_true(s.pending);
	assert_int_equal(s.queued_on, 0);
	assert_int_equal(irq_line_raise(&l), HV_OK); /* still high */
	assert_true(h_state(h, 0, SPI).pending);
	assert_int_equal(irq_line_lower(&l), HV_OK);
	s = h_state(h, 0, SPI);
	assert_false(s.line_level);
	assert_false(s.pending);
	assert_false(s.queued);
	/* Lowered before the guest ran: nothing is delivered. */
	assert_int_equal(h_run(h, 0, STEPS), 0);
	h_finish(h);
}

static void edge_spi_raise_raise_is_one_edge_and_one_delivery(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_EDGE);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(irq_line_raise(&l), HV_OK); /* already high: no edge */
	s = h_state(h, 0, SPI);
	assert_true(s.line_level);
	assert_false(s.pending);
	assert_false(s.queued);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h->nr_acked[0], 1);
	assert_int_equal(h->acked[0][0], SPI);
	h_finish(h);
}

static void edge_spi_raise_lower_raise_is_two_edges_and_two_deliveries(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_EDGE);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(irq_line_lower(&l), HV_OK);
	assert_false(h_state(h, 0, SPI).pending); /* a falling edge is no event */
	assert_int_equal(irq_line_raise(&l), HV_OK);
	assert_true(h_state(h, 0, SPI).pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->nr_acked[0], 2);

	/* The second edge may also arrive while the guest handles the first. */
	assert_int_equal(irq_line_lower(&l), HV_OK);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	assert_int_equal(irq_line_lower(&l), HV_OK);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	h_eoi(h, 0, SPI);
	h_exit(h, 0);
	assert_true(h_state(h, 0, SPI).pending);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->nr_acked[0], 4);
	assert_int_equal(irq_line_lower(&l), HV_OK);
	assert_all_idle(h);
	h_finish(h);
}

static void edge_spi_edges_before_the_guest_runs_merge_into_one_delivery(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_EDGE);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(irq_line_raise(&l), HV_OK);
		assert_int_equal(irq_line_lower(&l), HV_OK);
	}
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_all_idle(h);
	h_finish(h);
}

static void pulse_on_an_edge_spi_is_one_delivery_and_leaves_the_line_low(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_EDGE);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	s = h_state(h, 0, SPI);
	assert_true(s.pending);
	assert_false(s.line_level);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	/* Low after the pulse: the next pulse and the next raise are new edges. */
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(irq_line_raise(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->nr_acked[0], 3);
	assert_int_equal(irq_line_lower(&l), HV_OK);
	assert_all_idle(h);
	h_finish(h);
}

static void pulse_on_a_level_spi_is_one_delivery_and_leaves_the_line_low(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);
	struct vgic_irq_state s;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	s = h_state(h, 0, SPI);
	assert_true(s.pending);
	assert_false(s.line_level);
	assert_int_equal(s.queued_on, 0);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->acked[0][0], SPI);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_all_idle(h);
	h_finish(h);
}

static void pulse_on_a_ppi_line_is_delivered_on_that_vcpu(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = ppi_line(h, 0, PLINE);

	(void)state;
	h_cfg(h, 0, PPI, 0x80, VGIC_LEVEL);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(h_run(h, 1, STEPS), 0);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(h->acked[0][0], PPI);
	assert_all_idle(h);
	h_finish(h);
}

/* ======================= resampling ======================= */

static void resample_is_called_with_the_spi_line_number_at_eoi_of_a_level_interrupt(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	h_exit(h, 0);
	assert_int_equal(d.resamples, 0); /* taken but not ended: no resample */
	assert_int_equal(irq_line_lower(&d.line), HV_OK);
	h_enter(h, 0);
	h_eoi(h, 0, SPI);
	h_exit(h, 0);
	assert_int_equal(d.resamples, 1);
	assert_int_equal(d.last_line, LINE);
	assert_ptr_equal(d.last_owner, &d);
	assert_int_equal(d.rc, HV_OK);
	assert_int_equal(vgic_get_vcpu(&h->vm, 0)->stats.resamples, 1);
	assert_all_idle(h);
	h_finish(h);
}

static void resample_is_called_with_the_ppi_line_number_for_a_level_ppi(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	h_cfg(h, 1, PPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, ppi_line(h, 1, PLINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	assert_int_equal(h_run(h, 1, STEPS), 1);
	assert_int_equal(d.resamples, 1);
	assert_int_equal(d.last_line, PLINE);
	assert_all_idle(h);
	h_finish(h);
}

static void device_that_lowers_its_line_in_resample_is_not_redelivered(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(d.resamples, 1);
	assert_int_equal(d.last_line, LINE);
	assert_false(h_state(h, 0, SPI).line_level);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(d.resamples, 1);
	assert_all_idle(h);
	h_finish(h);
}

static void device_that_keeps_its_line_high_in_resample_is_redelivered_once_per_eoi(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 3);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 3);
	assert_int_equal(d.resamples, 3);
	assert_int_equal(d.events, 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(h->acked[0][i], SPI);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_all_idle(h);
	h_finish(h);
}

/*
 * Core bug: a level interrupt that is active with its line still high is put
 * in the LR as pending+active. The guest's deactivation then leaves the LR
 * pending, so there is no EOI maintenance, no resample, and the guest takes the
 * interrupt again although the device, never asked, would have lowered its line.
 */
static void device_that_lowers_its_line_in_resample_is_not_redelivered_after_an_exit_while_active(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	h_exit(h, 0); /* e.g. the handler's MMIO access to the device traps */
	h_enter(h, 0);
	h_eoi(h, 0, SPI);
	/* The deactivation must reach the hypervisor before the guest can take SPI again. */
	assert_false(icv_irq_signalled(&h->cpu[0], 1));
	assert_true(icv_maint_asserted(&h->cpu[0]));
	h_exit(h, 0);
	assert_int_equal(d.resamples, 1);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_int_equal(h->nr_acked[0], 1);
	assert_all_idle(h);
	h_finish(h);
}

static void resample_is_not_called_for_an_edge_interrupt(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);

	(void)state;
	counted = 0;
	h_cfg(h, 0, SPI, 0x80, VGIC_EDGE);
	assert_int_equal(irq_line_set_resample(&l, count_resample, NULL), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(counted, 0);
	h_finish(h);
}

static void set_resample_with_a_null_function_stops_the_callbacks(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct irq_line l = spi_line(h, LINE);

	(void)state;
	counted = 0;
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	assert_int_equal(irq_line_set_resample(&l, count_resample, NULL), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(counted, 1);
	assert_int_equal(counted_line, LINE);
	assert_int_equal(irq_line_set_resample(&l, NULL, NULL), HV_OK);
	assert_int_equal(irq_line_pulse(&l), HV_OK);
	assert_int_equal(h_run(h, 0, STEPS), 1);
	assert_int_equal(counted, 1);
	assert_all_idle(h);
	h_finish(h);
}

static void resample_waits_for_deactivation_not_priority_drop_in_split_eoi_mode(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	h_eoi(h, 0, SPI);                           /* priority drop only */
	assert_false(icv_maint_asserted(&h->cpu[0])); /* no reason to exit yet */
	h_dir(h, 0, SPI);                           /* deactivation, in the LR */
	assert_true(icv_maint_asserted(&h->cpu[0]));
	assert_int_equal(d.resamples, 0);
	h_exit(h, 0);
	assert_int_equal(d.resamples, 1);
	assert_int_equal(d.last_line, LINE);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_all_idle(h);
	h_finish(h);
}

static void resample_is_called_when_a_trapped_dir_deactivates_a_level_interrupt(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	h_eoi(h, 0, SPI);
	h_exit(h, 0);
	assert_int_equal(d.resamples, 0);
	/* Between sync and flush, as the arch does for a trapped ICC_DIR_EL1. */
	assert_int_equal(vgic_handle_dir(&h->vm, 0, SPI), HV_OK);
	assert_int_equal(d.resamples, 1);
	assert_int_equal(d.last_line, LINE);
	assert_false(h_state(h, 0, SPI).active);
	assert_int_equal(h_run(h, 0, STEPS), 0);
	assert_all_idle(h);
	h_finish(h);
}

/* GICD_ICACTIVER is a deactivation too: the line owner hears of it, in or out of an LR. */
static void resample_is_called_when_icactiver_deactivates_a_level_interrupt(void **state)
{
	struct harness *h = h_mk(NV, NS, NL);
	struct dev d;

	(void)state;
	/* Split EOI: the guest's EOIR only drops priority, so ICACTIVER is the deactivation. */
	icv_set_eoimode(&h->cpu[0], true);
	h_cfg(h, 0, SPI, 0x80, VGIC_LEVEL);
	dev_attach(&d, spi_line(h, LINE), 1);
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	h_eoi(h, 0, SPI);
	h_exit(h, 0);
	/* out of any LR: immediate */
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI, false), HV_OK);
	assert_int_equal(d.resamples, 1);
	assert_false(h_state(h, 0, SPI).active);
	/* in an LR: applied, and reported, at the next exit */
	assert_int_equal(irq_line_raise(&d.line), HV_OK);
	h_enter(h, 0);
	assert_int_equal(h_ack(h, 0), SPI);
	h_eoi(h, 0, SPI);
	h_exit(h, 0);
	h_enter(h, 0);
	assert_int_equal(vgic_irq_set_active(&h->vm, 0, SPI, false), HV_OK);
	assert_int_equal(d.resamples, 1);
	h_exit(h, 0);
	assert_int_equal(d.resamples, 2);
	assert_false(h_state(h, 0, SPI).active);
	h_finish(h);
}

#define T(fn) cmocka_unit_test_teardown(fn, h_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(bind_rejects_a_null_line_a_null_chip_or_a_chip_without_ops_with_einval),
		T(bind_rejects_a_line_at_or_beyond_nr_lines_with_erange),
		T(line_operations_reject_a_null_or_unbound_line_with_einval),
		T(line_operations_reject_a_line_beyond_nr_lines_with_erange_and_change_nothing),
		T(chips_are_null_for_a_null_vm_or_a_vcpu_out_of_range_and_sized_by_the_config),
		T(spi_chip_line_n_drives_spi_32_plus_n),
		T(ppi_chip_line_n_drives_ppi_16_plus_n_of_its_vcpu_only),
		T(raising_a_ppi_line_kicks_its_vcpu_and_the_guest_there_takes_it),
		T(level_spi_is_pending_exactly_while_its_line_is_high),
		T(edge_spi_raise_raise_is_one_edge_and_one_delivery),
		T(edge_spi_raise_lower_raise_is_two_edges_and_two_deliveries),
		T(edge_spi_edges_before_the_guest_runs_merge_into_one_delivery),
		T(pulse_on_an_edge_spi_is_one_delivery_and_leaves_the_line_low),
		T(pulse_on_a_level_spi_is_one_delivery_and_leaves_the_line_low),
		T(pulse_on_a_ppi_line_is_delivered_on_that_vcpu),
		T(resample_is_called_with_the_spi_line_number_at_eoi_of_a_level_interrupt),
		T(resample_is_called_with_the_ppi_line_number_for_a_level_ppi),
		T(device_that_lowers_its_line_in_resample_is_not_redelivered),
		T(device_that_keeps_its_line_high_in_resample_is_redelivered_once_per_eoi),
		T(device_that_lowers_its_line_in_resample_is_not_redelivered_after_an_exit_while_active),
		T(resample_is_not_called_for_an_edge_interrupt),
		T(set_resample_with_a_null_function_stops_the_callbacks),
		T(resample_waits_for_deactivation_not_priority_drop_in_split_eoi_mode),
		T(resample_is_called_when_a_trapped_dir_deactivates_a_level_interrupt),
		T(resample_is_called_when_icactiver_deactivates_a_level_interrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_lapic.c: cmocka tests of the xAPIC (arch-x86/lapic.c) and the APIC bus (apic_bus.c).
 * Time is a variable the test advances, so timer tests are exact and instant. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "apic_bus.h"
#include "ioapic.h"

#define NCPU 4U
#define V_TIMER 0xECU
#define V_A 0x41U
#define V_B 0x52U
#define V_HI 0x91U

struct sys {
	struct lapic cpu[NCPU];
	struct apic_bus bus;
	struct ioapic io;
	uint64_t now;
	uint64_t armed[NCPU];
	unsigned kicks[NCPU];
	unsigned eoi_bcast;
	uint8_t last_bcast;
};

static uint64_t h_now(void *c)
{
	return ((struct sys *)c)->now;
}

static void h_kick(void *c, unsigned cpu)
{
	((struct sys *)c)->kicks[cpu]++;
}

static void h_arm(void *c, unsigned cpu, uint64_t deadline)
{
	((struct sys *)c)->armed[cpu] = deadline;
}

static unsigned h_send(void *c, unsigned src, const struct apic_msg *m)
{
	return apic_bus_send(&((struct sys *)c)->bus, (int)src, m);
}

static void h_eoi(void *c, uint8_t v)
{
	struct sys *x = c;

	x->eoi_bcast++;
	x->last_bcast = v;
	ioapic_eoi(&x->io, v);
}

static unsigned io_deliver(void *c, const struct apic_msg *m)
{
	return apic_bus_send(&((struct sys *)c)->bus, APIC_BUS_NO_SRC, m);
}

static const struct lapic_hooks hooks = {
	.now_ns = h_now, .kick = h_kick, .timer_arm = h_arm, .send = h_send, .eoi_broadcast = h_eoi,
};

static void wr(struct sys *x, unsigned c, uint32_t reg, uint32_t v)
{
	assert_int_equal(lapic_mmio_write(&x->cpu[c], reg, 4, v), HV_OK);
}

static uint32_t rd(struct sys *x, unsigned c, uint32_t reg)
{
	uint32_t v;

	assert_int_equal(lapic_mmio_read(&x->cpu[c], reg, 4, &v), HV_OK);
	return v;
}

static struct sys *mk(void)
{
	static struct sys x;

	x = (struct sys){ .now = 1000 };
	for (unsigned i = 0; i < NCPU; i++)
		assert_int_equal(lapic_init(&x.cpu[i], i, i == 0, &hooks, &x), HV_OK);
	assert_int_equal(apic_bus_init(&x.bus, x.cpu, NCPU), HV_OK);
	assert_int_equal(ioapic_init(&x.io, io_deliver, &x), HV_OK);
	for (unsigned i = 0; i < NCPU; i++)
		wr(&x, i, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF);
	return &x;
}

/* The CPU takes what it is offered: returns the vector or -1. */
static int take(struct sys *x, unsigned c)
{
	int v = lapic_pending_vector(&x->cpu[c]);

	if (v >= 0)
		lapic_ack(&x->cpu[c], (uint8_t)v);
	return v;
}

static bool bit(struct sys *x, unsigned c, uint32_t base, unsigned vec)
{
	return rd(x, c, base + (vec / 32U) * LAPIC_REG_STRIDE) & (1U << (vec % 32U));
}

static void reset_state(void **s)
{
	struct lapic l;

	(void)s;
	assert_int_equal(lapic_init(&l, 3, false, &hooks, NULL), HV_OK);
	assert_int_equal(l.id, 3U << 24);
	assert_int_equal(l.svr, 0xFF);
	assert_int_equal(l.dfr, 0xFFFFFFFF);
	for (unsigned i = 0; i < LAPIC_NR_LVT; i++)
		assert_int_equal(l.lvt[i], LAPIC_MASKED);
	assert_false(lapic_accepts_extint(&l));
	assert_int_equal(lapic_init(&l, 0, true, &hooks, NULL), HV_OK);
	assert_true(lapic_accepts_extint(&l));    /* virtual wire, as KVM's BSP */
	assert_int_equal(lapic_init(&l, 256, false, &hooks, NULL), HV_EINVAL);
}

static void id_version_ldr_dfr(void **s)
{
	struct sys *x = mk();

	(void)s;
	assert_int_equal(rd(x, 1, LAPIC_ID), 1U << 24);
	wr(x, 1, LAPIC_ID, 0xABCDEF12);
	assert_int_equal(rd(x, 1, LAPIC_ID), 0xAB000000);
	assert_int_equal(rd(x, 1, LAPIC_VER), LAPIC_VERSION);
	wr(x, 1, LAPIC_VER, 0);
	assert_int_equal(rd(x, 1, LAPIC_VER), LAPIC_VERSION);
	wr(x, 1, LAPIC_LDR, 0x12345678);
	assert_int_equal(rd(x, 1, LAPIC_LDR), 0x12000000);
	wr(x, 1, LAPIC_DFR, 0);
	assert_int_equal(rd(x, 1, LAPIC_DFR), 0x0FFFFFFF);
	wr(x, 1, LAPIC_DFR, 0xFFFFFFFF);
	assert_int_equal(rd(x, 1, LAPIC_DFR), 0xFFFFFFFF);
	assert_int_equal(rd(x, 1, LAPIC_APR), 0);
	assert_int_equal(rd(x, 1, LAPIC_RRD), 0);
}

static void tpr_ppr_and_priority_classes(void **s)
{
	struct sys *x = mk();
	struct apic_msg m = { .vector = V_A, .dest = 0 };

	(void)s;
	wr(x, 0, LAPIC_TPR, 0x4F);
	assert_int_equal(rd(x, 0, LAPIC_PPR), 0x4F);
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);
	assert_true(bit(x, 0, LAPIC_IRR, V_A));
	assert_int_equal(take(x, 0), -1);         /* class 4 is not above TPR class 4 */
	wr(x, 0, LAPIC_TPR, 0x30);
	assert_int_equal(take(x, 0), V_A);
	assert_int_equal(rd(x, 0, LAPIC_PPR), 0x40);  /* ISR class wins over TPR */
	assert_true(bit(x, 0, LAPIC_ISR, V_A));
	assert_false(bit(x, 0, LAPIC_IRR, V_A));
	m.vector = V_A + 2;                            /* same class: waits */
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);
	assert_int_equal(take(x, 0), -1);
	m.vector = V_HI;                               /* higher class preempts */
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);
	assert_int_equal(take(x, 0), V_HI);
	wr(x, 0, LAPIC_EOI, 0);
	wr(x, 0, LAPIC_EOI, 0);
	assert_int_equal(take(x, 0), V_A + 2);
	wr(x, 0, LAPIC_EOI, 0);
	assert_int_equal(rd(x, 0, LAPIC_PPR), 0x30);
	wr(x, 0, LAPIC_TPR, 0x1FF);
	assert_int_equal(rd(x, 0, LAPIC_TPR), 0xFF);
}

static void eoi_of_level_vector_broadcasts_to_ioapic(void **s)
{
	struct sys *x = mk();

	(void)s;
	assert_int_equal(ioapic_mmio_write(&x->io, IOAPIC_REGSEL, 4, IOAPIC_REG_REDTBL + 2 * 7), HV_OK);
	assert_int_equal(ioapic_mmio_write(&x->io, IOAPIC_WINDOW, 4, V_B | IOAPIC_RTE_LEVEL), HV_OK);
	ioapic_set_level(&x->io, 7, true);
	assert_true(bit(x, 0, LAPIC_TMR, V_B));
	assert_int_equal(take(x, 0), V_B);
	wr(x, 0, LAPIC_EOI, 0);
	assert_int_equal(x->eoi_bcast, 1);
	assert_int_equal(x->last_bcast, V_B);
	assert_int_equal(take(x, 0), V_B);        /* line still high: the IOAPIC re-sent it */
	ioapic_set_level(&x->io, 7, false);
	wr(x, 0, LAPIC_EOI, 0);
	assert_int_equal(take(x, 0), -1);
	/* An edge vector's EOI is not broadcast. */
	struct apic_msg m = { .vector = V_A };
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);
	take(x, 0);
	wr(x, 0, LAPIC_EOI, 0);
	assert_int_equal(x->eoi_bcast, 2);
	wr(x, 0, LAPIC_EOI, 0);                    /* EOI with nothing in service: harmless */
}

static void svr_software_disable_masks_lvts_and_drops_fixed(void **s)
{
	struct sys *x = mk();
	struct apic_msg m = { .vector = V_A, .dest = 1 };

	(void)s;
	wr(x, 1, LAPIC_LVT_LINT0, 0x700);
	assert_int_equal(rd(x, 1, LAPIC_LVT_LINT0), 0x700);
	wr(x, 1, LAPIC_SVR, 0xFF);
	assert_int_equal(rd(x, 1, LAPIC_SVR), 0xFF);
	assert_true(rd(x, 1, LAPIC_LVT_LINT0) & LAPIC_MASKED);
	wr(x, 1, LAPIC_LVT_LINT0, 0x700);
	assert_true(rd(x, 1, LAPIC_LVT_LINT0) & LAPIC_MASKED);   /* cannot unmask while disabled */
	assert_int_equal(apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m), 0);
	assert_int_equal(x->cpu[1].stats.dropped_disabled, 1);
	m.delivery = APIC_DM_NMI;
	assert_int_equal(apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m), 1);  /* NMI still accepted */
	assert_true(lapic_take_nmi(&x->cpu[1]));
	assert_false(lapic_take_nmi(&x->cpu[1]));
	wr(x, 1, LAPIC_SVR, 0x1FF | LAPIC_SVR_FOCUS_OFF | (1U << 12));
	assert_int_equal(rd(x, 1, LAPIC_SVR), 0x3FF);   /* no EOI-broadcast suppression bit */
}

static void lvt_writable_bits_and_extint(void **s)
{
	struct sys *x = mk();

	(void)s;
	wr(x, 0, LAPIC_LVT_TIMER, 0xFFFFFFFF);
	assert_int_equal(rd(x, 0, LAPIC_LVT_TIMER), 0x300FF);  /* no TSC-deadline bit */
	wr(x, 0, LAPIC_LVT_LINT0, 0xFFFFFFFF);
	assert_int_equal(rd(x, 0, LAPIC_LVT_LINT0), 0x1A7FF);
	wr(x, 0, LAPIC_LVT_LINT1, 0x400);
	assert_int_equal(rd(x, 0, LAPIC_LVT_LINT1), 0x400);
	wr(x, 0, LAPIC_LVT_ERROR, 0xFFFFFFFF);
	assert_int_equal(rd(x, 0, LAPIC_LVT_ERROR), 0x100FF);
	wr(x, 0, LAPIC_LVT_THERMAL, 0xFFFFFFFF);
	assert_int_equal(rd(x, 0, LAPIC_LVT_THERMAL), 0x107FF);
	wr(x, 0, LAPIC_LVT_PERF, 0x12345);
	assert_int_equal(rd(x, 0, LAPIC_LVT_PERF), 0x10345);
	wr(x, 0, LAPIC_LVT_LINT0, 0x700);
	assert_true(lapic_accepts_extint(&x->cpu[0]));
	wr(x, 0, LAPIC_LVT_LINT0, 0x10700);
	assert_false(lapic_accepts_extint(&x->cpu[0]));
	wr(x, 0, LAPIC_LVT_LINT0, 0x400);                    /* NMI mode is not ExtINT */
	assert_false(lapic_accepts_extint(&x->cpu[0]));
}

static void esr_latches_on_write_and_error_lvt_fires(void **s)
{
	struct sys *x = mk();
	uint32_t v;

	(void)s;
	wr(x, 0, LAPIC_LVT_ERROR, 0xFE);
	assert_int_equal(lapic_mmio_read(&x->cpu[0], 0x2F0, 4, &v), HV_OK);   /* no CMCI LVT */
	assert_int_equal(v, 0);
	assert_int_equal(rd(x, 0, LAPIC_ESR), 0);             /* not latched yet */
	wr(x, 0, LAPIC_ESR, 0);
	assert_int_equal(rd(x, 0, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG);
	wr(x, 0, LAPIC_ESR, 0);
	assert_int_equal(rd(x, 0, LAPIC_ESR), 0);
	assert_int_equal(take(x, 0), 0xFE);
	wr(x, 0, LAPIC_EOI, 0);
	wr(x, 0, LAPIC_ICR_LO, 0x05);                          /* send illegal vector */
	struct apic_msg m = { .vector = 0x07 };
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);           /* receive illegal vector */
	wr(x, 0, LAPIC_ESR, 0);
	assert_int_equal(rd(x, 0, LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL_VEC | LAPIC_ESR_RECV_ILLEGAL_VEC);
	assert_false(bit(x, 0, LAPIC_IRR, 0x07));
}

static void icr_fixed_physical_and_logical(void **s)
{
	struct sys *x = mk();

	(void)s;
	wr(x, 0, LAPIC_ICR_HI, 2U << 24);
	wr(x, 0, LAPIC_ICR_LO, V_A);
	assert_true(bit(x, 2, LAPIC_IRR, V_A));
	assert_false(bit(x, 1, LAPIC_IRR, V_A));
	assert_int_equal(rd(x, 0, LAPIC_ICR_LO), V_A);         /* delivery status idle */
	assert_int_equal(rd(x, 0, LAPIC_ICR_HI), 2U << 24);
	/* Flat logical: LDR bits select. */
	for (unsigned i = 0; i < NCPU; i++)
		wr(x, i, LAPIC_LDR, (1U << i) << 24);
	wr(x, 0, LAPIC_ICR_HI, 0x0AU << 24);
	wr(x, 0, LAPIC_ICR_LO, V_B | LAPIC_DEST_LOGICAL);
	assert_true(bit(x, 1, LAPIC_IRR, V_B));
	assert_true(bit(x, 3, LAPIC_IRR, V_B));
	assert_false(bit(x, 2, LAPIC_IRR, V_B));
	/* Cluster logical: cluster 1, member bit 0. */
	for (unsigned i = 0; i < NCPU; i++) {
		wr(x, i, LAPIC_DFR, 0x0FFFFFFF);
		wr(x, i, LAPIC_LDR, (i == 3 ? 0x11U : ((i + 4U) << 4 | 1U)) << 24);
	}
	wr(x, 0, LAPIC_ICR_HI, 0x11U << 24);
	wr(x, 0, LAPIC_ICR_LO, V_HI | LAPIC_DEST_LOGICAL);
	assert_true(bit(x, 3, LAPIC_IRR, V_HI));
	assert_false(bit(x, 0, LAPIC_IRR, V_HI));
	/* Physical broadcast. */
	wr(x, 0, LAPIC_ICR_HI, 0xFFU << 24);
	wr(x, 0, LAPIC_ICR_LO, 0x61);
	for (unsigned i = 0; i < NCPU; i++)
		assert_true(bit(x, i, LAPIC_IRR, 0x61));
	assert_true(x->kicks[2] > 0);
}

static void icr_shorthands(void **s)
{
	struct sys *x = mk();

	(void)s;
	wr(x, 1, LAPIC_ICR_LO, V_A | (1U << LAPIC_SH_SHIFT));        /* self */
	assert_true(bit(x, 1, LAPIC_IRR, V_A));
	assert_false(bit(x, 0, LAPIC_IRR, V_A));
	wr(x, 1, LAPIC_ICR_LO, V_B | (2U << LAPIC_SH_SHIFT));        /* all including self */
	for (unsigned i = 0; i < NCPU; i++)
		assert_true(bit(x, i, LAPIC_IRR, V_B));
	wr(x, 1, LAPIC_ICR_LO, V_HI | (3U << LAPIC_SH_SHIFT));       /* all excluding self */
	for (unsigned i = 0; i < NCPU; i++)
		assert_int_equal(bit(x, i, LAPIC_IRR, V_HI), i != 1);
	assert_int_equal(x->cpu[1].stats.ipis_sent, 3);
	/* NMI IPI, and INIT/SIPI which this VMM does not use (vCPUs start in long mode). */
	wr(x, 0, LAPIC_ICR_HI, 1U << 24);
	wr(x, 0, LAPIC_ICR_LO, 0x400);
	assert_true(lapic_take_nmi(&x->cpu[1]));
	wr(x, 0, LAPIC_ICR_LO, 0x500);
	wr(x, 0, LAPIC_ICR_LO, 0x608);
	assert_int_equal(x->cpu[1].stats.ignored_mode, 2);
}

static void lowest_priority_picks_lowest_ppr(void **s)
{
	struct sys *x = mk();
	struct apic_msg m = { .vector = V_A, .delivery = APIC_DM_LOWEST, .logical = true, .dest = 0x0F };

	(void)s;
	for (unsigned i = 0; i < NCPU; i++) {
		wr(x, i, LAPIC_LDR, (1U << i) << 24);
		wr(x, i, LAPIC_TPR, 0x80);
	}
	wr(x, 2, LAPIC_TPR, 0x10);
	assert_int_equal(apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m), 1);
	assert_true(bit(x, 2, LAPIC_IRR, V_A));
	m.dest = 0;                                       /* logical 0 addresses nobody */
	assert_int_equal(apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m), 0);
}

static void irr_isr_tmr_are_read_only_and_256_bits(void **s)
{
	struct sys *x = mk();
	struct apic_msg m = { .vector = 0xFF, .level = true };

	(void)s;
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);
	assert_int_equal(rd(x, 0, LAPIC_IRR + 7 * 16), 0x80000000);
	assert_int_equal(rd(x, 0, LAPIC_TMR + 7 * 16), 0x80000000);
	wr(x, 0, LAPIC_IRR + 7 * 16, 0);
	wr(x, 0, LAPIC_ISR, 0xFFFFFFFF);
	assert_int_equal(rd(x, 0, LAPIC_IRR + 7 * 16), 0x80000000);
	assert_int_equal(rd(x, 0, LAPIC_ISR), 0);
	assert_int_equal(take(x, 0), 0xFF);
	assert_int_equal(rd(x, 0, LAPIC_ISR + 7 * 16), 0x80000000);
	m.vector = 0x10;                                  /* lowest legal vector, class 1 */
	m.level = false;
	apic_bus_send(&x->bus, APIC_BUS_NO_SRC, &m);
	assert_int_equal(rd(x, 0, LAPIC_IRR), 0x10000);
}

static void timer_one_shot_with_divider_and_current_count(void **s)
{
	struct sys *x = mk();

	(void)s;
	wr(x, 0, LAPIC_TIMER_DCR, 0x3);               /* divide by 16 */
	assert_int_equal(rd(x, 0, LAPIC_TIMER_DCR), 0x3);
	wr(x, 0, LAPIC_LVT_TIMER, V_TIMER);
	wr(x, 0, LAPIC_TIMER_INIT, 1000);
	assert_int_equal(x->armed[0], 1000 + 16000);
	assert_int_equal(rd(x, 0, LAPIC_TIMER_INIT), 1000);
	assert_int_equal(rd(x, 0, LAPIC_TIMER_CUR), 1000);
	x->now += 1600;
	assert_int_equal(rd(x, 0, LAPIC_TIMER_CUR), 900);
	lapic_timer_poll(&x->cpu[0]);                  /* early wake: nothing */
	assert_int_equal(take(x, 0), -1);
	x->now += 14400;
	lapic_timer_poll(&x->cpu[0]);
	assert_int_equal(take(x, 0), V_TIMER);
	assert_int_equal(rd(x, 0, LAPIC_TIMER_CUR), 0);
	assert_int_equal(x->armed[0], 0);
	x->now += 100000;
	lapic_timer_poll(&x->cpu[0]);
	assert_int_equal(x->cpu[0].stats.timer_fires, 1);  /* one-shot fires once */
	wr(x, 0, LAPIC_TIMER_CUR, 5);                      /* read-only */
	assert_int_equal(rd(x, 0, LAPIC_TIMER_CUR), 0);
}

static void timer_divider_encodings(void **s)
{
	static const uint32_t dcr[8] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB };
	static const uint64_t div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	struct sys *x = mk();

	(void)s;
	for (unsigned i = 0; i < 8; i++) {
		wr(x, 0, LAPIC_TIMER_DCR, dcr[i] | 0xF0);
		assert_int_equal(rd(x, 0, LAPIC_TIMER_DCR), dcr[i]);
		wr(x, 0, LAPIC_TIMER_INIT, 10);
		assert_int_equal(x->armed[0], x->now + 10 * div[i]);
	}
	wr(x, 0, LAPIC_TIMER_INIT, 0);                  /* zero stops the timer */
	assert_int_equal(x->armed[0], 0);
	assert_int_equal(rd(x, 0, LAPIC_TIMER_CUR), 0);
}

#define PER 500000U   /* 0.5 ms: above the 200 us floor for periodic timers */

static void timer_periodic_reloads_and_coalesces_missed_periods(void **s)
{
	struct sys *x = mk();

	(void)s;
	wr(x, 1, LAPIC_TIMER_DCR, 0xB);                /* divide by 1 */
	wr(x, 1, LAPIC_LVT_TIMER, V_TIMER | LAPIC_TIMER_PERIODIC);
	wr(x, 1, LAPIC_TIMER_INIT, PER);
	for (unsigned i = 1; i <= 3; i++) {
		x->now += PER;
		lapic_timer_poll(&x->cpu[1]);
		assert_int_equal(take(x, 1), V_TIMER);
		wr(x, 1, LAPIC_EOI, 0);
		assert_int_equal(x->armed[1], 1000 + (uint64_t)PER * (i + 1));
		assert_int_equal(rd(x, 1, LAPIC_TIMER_CUR), PER);
	}
	x->now += PER * 5 / 2;                          /* 2.5 periods late */
	assert_int_equal(rd(x, 1, LAPIC_TIMER_CUR), PER / 2);
	lapic_timer_poll(&x->cpu[1]);
	assert_int_equal(take(x, 1), V_TIMER);
	assert_int_equal(take(x, 1), -1);
	assert_int_equal(x->armed[1], x->now + PER / 2);
	/* Masked: counts on, no interrupt. */
	wr(x, 1, LAPIC_EOI, 0);
	wr(x, 1, LAPIC_LVT_TIMER, V_TIMER | LAPIC_TIMER_PERIODIC | LAPIC_MASKED);
	x->now += PER / 2;
	lapic_timer_poll(&x->cpu[1]);
	assert_int_equal(take(x, 1), -1);
	assert_int_equal(x->armed[1], x->now + PER);
	/* A divider change keeps the count and changes the rate. */
	x->now += PER / 5;
	wr(x, 1, LAPIC_TIMER_DCR, 0x0);                 /* divide by 2 */
	assert_int_equal(rd(x, 1, LAPIC_TIMER_CUR), PER * 4 / 5);
	assert_int_equal(x->armed[1], x->now + PER * 8 / 5);
}

/* A guest cannot make the host fire a periodic timer every few nanoseconds (KVM's floor too). */
static void timer_periodic_floor(void **s)
{
	struct sys *x = mk();

	(void)s;
	wr(x, 0, LAPIC_TIMER_DCR, 0xB);
	wr(x, 0, LAPIC_LVT_TIMER, V_TIMER | LAPIC_TIMER_PERIODIC);
	wr(x, 0, LAPIC_TIMER_INIT, 1);
	assert_int_equal(x->armed[0], x->now + LAPIC_MIN_PERIOD_NS);
	x->now += LAPIC_MIN_PERIOD_NS;
	lapic_timer_poll(&x->cpu[0]);
	assert_int_equal(x->armed[0], x->now + LAPIC_MIN_PERIOD_NS);
	/* One-shot is not limited: the guest pays an exit for every re-arm anyway. */
	wr(x, 0, LAPIC_LVT_TIMER, V_TIMER);
	wr(x, 0, LAPIC_TIMER_INIT, 1);
	assert_int_equal(x->armed[0], x->now + 1);
}

static void bad_offsets_and_widths(void **s)
{
	struct sys *x = mk();
	uint32_t v = 0xdead;

	(void)s;
	assert_int_equal(lapic_mmio_read(&x->cpu[0], LAPIC_ID + 3, 1, &v), HV_OK);
	assert_int_equal(v, 0);                         /* top byte of ID: 0 for CPU 0 */
	assert_int_equal(lapic_mmio_read(&x->cpu[0], LAPIC_VER, 2, &v), HV_OK);
	assert_int_equal(v, 0x0014);
	assert_int_equal(lapic_mmio_read(&x->cpu[0], LAPIC_VER + 4, 4, &v), HV_OK);
	assert_int_equal(v, 0);
	assert_int_equal(lapic_mmio_read(&x->cpu[0], LAPIC_VER + 2, 4, &v), HV_OK);
	assert_int_equal(v, 0);
	assert_int_equal(lapic_mmio_write(&x->cpu[0], LAPIC_TPR, 2, 0xFF), HV_OK);
	assert_int_equal(lapic_mmio_write(&x->cpu[0], LAPIC_TPR + 4, 4, 0xFF), HV_OK);
	assert_int_equal(rd(x, 0, LAPIC_TPR), 0);
	assert_int_equal(x->cpu[0].stats.bad_access, 4);
	assert_int_equal(lapic_mmio_write(&x->cpu[0], 0x400, 4, 1), HV_OK);   /* reserved */
	assert_int_equal(lapic_mmio_read(&x->cpu[0], 0x000, 4, &v), HV_OK);
	wr(x, 0, LAPIC_ESR, 0);
	assert_int_equal(rd(x, 0, LAPIC_ESR), LAPIC_ESR_ILLEGAL_REG);
	assert_int_equal(lapic_mmio_read(&x->cpu[0], LAPIC_MMIO_SIZE, 4, &v), HV_ERANGE);
	assert_int_equal(lapic_mmio_read(&x->cpu[0], LAPIC_EOI, 4, &v), HV_OK);
	assert_int_equal(v, 0);
}

static void garbage_everywhere_then_reinit(void **s)
{
	struct sys *x = mk();
	uint32_t seed = 7, v;

	(void)s;
	for (unsigned i = 0; i < 50000; i++) {
		unsigned c = (seed >> 3) % NCPU;

		seed = seed * 1103515245U + 12345U;
		if (seed & 0x100)
			lapic_mmio_write(&x->cpu[c], (seed >> 8) & 0xFFF, 1 + ((seed >> 20) & 7), seed * 31);
		else
			lapic_mmio_read(&x->cpu[c], (seed >> 8) & 0xFFF, 1 + ((seed >> 20) & 7), &v);
		if (!(seed & 0x7000))
			x->now += seed >> 16;
		if (!(seed & 0x3000))
			lapic_timer_poll(&x->cpu[c]);
		if (!(seed & 0x30000))
			take(x, c);
	}
	for (unsigned i = 0; i < NCPU; i++) {
		wr(x, i, LAPIC_ID, i << 24);
		wr(x, i, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF);
		wr(x, i, LAPIC_TPR, 0);
		wr(x, i, LAPIC_TIMER_INIT, 0);
		for (unsigned k = 0; k < 256; k++) {
			take(x, i);
			wr(x, i, LAPIC_EOI, 0);
		}
		lapic_take_nmi(&x->cpu[i]);
	}
	wr(x, 0, LAPIC_ICR_HI, 1U << 24);
	wr(x, 0, LAPIC_ICR_LO, V_A);
	assert_int_equal(take(x, 1), V_A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_state),
		cmocka_unit_test(id_version_ldr_dfr),
		cmocka_unit_test(tpr_ppr_and_priority_classes),
		cmocka_unit_test(eoi_of_level_vector_broadcasts_to_ioapic),
		cmocka_unit_test(svr_software_disable_masks_lvts_and_drops_fixed),
		cmocka_unit_test(lvt_writable_bits_and_extint),
		cmocka_unit_test(esr_latches_on_write_and_error_lvt_fires),
		cmocka_unit_test(icr_fixed_physical_and_logical),
		cmocka_unit_test(icr_shorthands),
		cmocka_unit_test(lowest_priority_picks_lowest_ppr),
		cmocka_unit_test(irr_isr_tmr_are_read_only_and_256_bits),
		cmocka_unit_test(timer_one_shot_with_divider_and_current_count),
		cmocka_unit_test(timer_divider_encodings),
		cmocka_unit_test(timer_periodic_reloads_and_coalesces_missed_periods),
		cmocka_unit_test(timer_periodic_floor),
		cmocka_unit_test(bad_offsets_and_widths),
		cmocka_unit_test(garbage_everywhere_then_reinit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lapic.c: xAPIC register emulation, interrupt acceptance and priority, ICR sends, LVT timer.
 * Written from the Intel SDM vol. 3 ch. 11; KVM's lapic.c and QEMU's apic.c were references only. */
#include <stddef.h>
#include "lapic.h"

#define VEC_BITS        32U
#define CLASS_MASK      0xF0U
#define DWORD           4U
#define REG_LANE_MASK   (LAPIC_REG_STRIDE - 1U)
#define BYTE_BITS       8U
#define NO_VECTOR       (-1)
#define LDR_MASK        0xFF000000U
#define ID_MASK         0xFF000000U
#define ICR_HI_MASK     0xFF000000U
#define DFR_MODEL_MASK  0xF0000000U
#define SVR_WRITABLE    (LAPIC_SVR_VECTOR | LAPIC_SVR_ENABLE | LAPIC_SVR_FOCUS_OFF)
#define ICR_LO_WRITABLE (LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_DEST_LOGICAL | LAPIC_ICR_ASSERT | \
                         LAPIC_LEVEL | LAPIC_SH_MASK)
#define LOGICAL_CLUSTER_SHIFT 4U
#define LOGICAL_LOW_NIBBLE    0x0FU
#define DCR_HIGH_BIT          0x8U
#define DCR_DIV_BITS          0x7U
#define DCR_LOW_BITS          0x3U

/* Which bits of each LVT a write may change (delivery status and remote IRR are read-only;
 * bit 18 would select TSC-deadline, which CPUID does not offer, so it stays zero). */
static const uint32_t lvt_writable[LAPIC_NR_LVT] = {
	[LVT_TIMER] = LAPIC_VECTOR_MASK | LAPIC_MASKED | LAPIC_TIMER_PERIODIC,
	[LVT_THERMAL] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_MASKED,
	[LVT_PERF] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_MASKED,
	[LVT_LINT0] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_POLARITY | LAPIC_LEVEL | LAPIC_MASKED,
	[LVT_LINT1] = LAPIC_VECTOR_MASK | LAPIC_DM_MASK | LAPIC_POLARITY | LAPIC_LEVEL | LAPIC_MASKED,
	[LVT_ERROR] = LAPIC_VECTOR_MASK | LAPIC_MASKED,
};

static bool test_vec(const uint32_t *v, unsigned vec)
{
	return v[vec / VEC_BITS] & (1U << (vec % VEC_BITS));
}

static void set_vec(uint32_t *v, unsigned vec)
{
	v[vec / VEC_BITS] |= 1U << (vec % VEC_BITS);
}

static void clear_vec(uint32_t *v, unsigned vec)
{
	v[vec / VEC_BITS] &= ~(1U << (vec % VEC_BITS));
}

static int highest_vec(const uint32_t *v)
{
	for (int i = (int)LAPIC_VEC_REGS - 1; i >= 0; i--)
		if (v[i])
			return i * (int)VEC_BITS + (31 - __builtin_clz(v[i]));
	return NO_VECTOR;
}

static uint64_t now(const struct lapic *l)
{
	return l->hooks && l->hooks->now_ns ? l->hooks->now_ns(l->ctx) : 0;
}

static void kick(struct lapic *l)
{
	if (l->hooks && l->hooks->kick)
		l->hooks->kick(l->ctx, l->cpu);
}

static void timer_arm(struct lapic *l)
{
	if (l->hooks && l->hooks->timer_arm)
		l->hooks->timer_arm(l->ctx, l->cpu, l->timer_next);
}

int lapic_init(struct lapic *l, unsigned cpu, bool virtual_wire, const struct lapic_hooks *hooks, void *ctx)
{
	if (!l || cpu > LAPIC_VECTOR_MASK)
		return HV_EINVAL;
	*l = (struct lapic){ 0 };
	l->cpu = cpu;
	l->hooks = hooks;
	l->ctx = ctx;
	l->id = cpu << LAPIC_ID_SHIFT;
	l->dfr = LAPIC_DFR_RESET;
	l->svr = LAPIC_SVR_RESET;
	for (unsigned i = 0; i < LAPIC_NR_LVT; i++)
		l->lvt[i] = LAPIC_MASKED;
	if (virtual_wire)
		l->lvt[LVT_LINT0] = (uint32_t)APIC_DM_EXTINT << LAPIC_DM_SHIFT;
	return HV_OK;
}

bool lapic_sw_enabled(const struct lapic *l)
{
	return l->svr & LAPIC_SVR_ENABLE;
}

/* PPR = TPR if its class is at least that of the highest in-service vector, else that class. */
uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = highest_vec(l->isr);
	uint32_t isr_class = isrv == NO_VECTOR ? 0 : ((uint32_t)isrv & CLASS_MASK);

	return (l->tpr & CLASS_MASK) >= isr_class ? l->tpr : isr_class;
}

int lapic_pending_vector(const struct lapic *l)
{
	int v;

	if (!l)
		return NO_VECTOR;
	v = highest_vec(l->irr);
	if (v == NO_VECTOR || ((uint32_t)v & CLASS_MASK) <= (lapic_ppr(l) & CLASS_MASK))
		return NO_VECTOR;
	return v;
}

void lapic_ack(struct lapic *l, uint8_t vector)
{
	clear_vec(l->irr, vector);
	set_vec(l->isr, vector);
}

bool lapic_take_nmi(struct lapic *l)
{
	bool n = l->nmi_pending;

	l->nmi_pending = false;
	return n;
}

bool lapic_accepts_extint(const struct lapic *l)
{
	uint32_t lvt0 = l->lvt[LVT_LINT0];

	return !(lvt0 & LAPIC_MASKED) && ((lvt0 & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT) == APIC_DM_EXTINT;
}

/* Set a vector in IRR (the TMR bit records its trigger mode for the EOI broadcast). */
static void post(struct lapic *l, uint8_t vector, bool level)
{
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		lapic_error(l, LAPIC_ESR_RECV_ILLEGAL_VEC);
		return;
	}
	set_vec(l->irr, vector);
	if (level)
		set_vec(l->tmr, vector);
	else
		clear_vec(l->tmr, vector);
	kick(l);
}

void lapic_error(struct lapic *l, uint32_t esr_bits)
{
	uint32_t lvt = l->lvt[LVT_ERROR];

	l->esr_pending |= esr_bits;
	/* An illegal error-LVT vector only records another error; it never recurses. */
	if (!(lvt & LAPIC_MASKED) && (lvt & LAPIC_VECTOR_MASK) >= APIC_FIRST_LEGAL_VECTOR) {
		set_vec(l->irr, lvt & LAPIC_VECTOR_MASK);
		clear_vec(l->tmr, lvt & LAPIC_VECTOR_MASK);
		kick(l);
	}
}

bool lapic_matches(const struct lapic *l, const struct apic_msg *m)
{
	uint8_t id = (uint8_t)(l->id >> LAPIC_ID_SHIFT);
	uint8_t ldr = (uint8_t)(l->ldr >> LAPIC_LDR_SHIFT);

	if (!m->logical)
		return m->dest == APIC_DEST_BROADCAST || m->dest == id;
	if ((l->dfr >> LAPIC_DFR_MODEL_SHIFT) == LAPIC_DFR_FLAT)
		return (ldr & m->dest) != 0;
	/* Cluster model: the high nibble names the cluster, the low nibble is a member bitmap. */
	if (m->dest == APIC_DEST_BROADCAST)
		return true;
	return (ldr >> LOGICAL_CLUSTER_SHIFT) == (m->dest >> LOGICAL_CLUSTER_SHIFT) &&
	       (ldr & m->dest & LOGICAL_LOW_NIBBLE) != 0;
}

bool lapic_accept(struct lapic *l, const struct apic_msg *m)
{
	if (!l || !m)
		return false;
	switch (m->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		/* A software-disabled APIC does not accept fixed interrupts (SDM 11.4.7.2). */
		if (!lapic_sw_enabled(l)) {
			l->stats.dropped_disabled++;
			return false;
		}
		l->stats.accepted++;
		post(l, m->vector, m->level);
		return true;
	case APIC_DM_NMI:
		l->stats.accepted++;
		l->nmi_pending = true;
		kick(l);
		return true;
	default:
		/* SMI, INIT, SIPI and ExtINT messages: vCPUs start in long mode and the PIC reaches
		 * the CPU through LINT0, so there is nothing for these to do here. */
		l->stats.ignored_mode++;
		return false;
	}
}

/* ---- timer ---- */

static uint64_t tick_ns(const struct lapic *l)
{
	/* DCR bits 3,1,0 form a 3-bit value v; the divisor is 2^(v+1), with 0b111 meaning 1. */
	uint32_t v = (l->dcr & DCR_LOW_BITS) | ((l->dcr & DCR_HIGH_BIT) >> 1);

	return (uint64_t)LAPIC_BUS_NS << ((v + 1U) & DCR_DIV_BITS);
}

static bool periodic(const struct lapic *l)
{
	return l->lvt[LVT_TIMER] & LAPIC_TIMER_PERIODIC;
}

/* The next expiry at or after t, skipping whole periods a late poll missed. */
static uint64_t next_after(const struct lapic *l, uint64_t t)
{
	uint64_t n = l->timer_next;

	if (n && t >= n && periodic(l) && l->timer_period)
		n += ((t - n) / l->timer_period + 1U) * l->timer_period;
	return n;
}

uint32_t lapic_timer_current(const struct lapic *l)
{
	uint64_t t = now(l), n, left;

	if (!l->timer_next)
		return 0;
	n = next_after(l, t);
	if (t >= n)
		return 0;
	left = (n - t + tick_ns(l) - 1U) / tick_ns(l);
	/* Under the periodic floor the real period is longer than the count says: never show more. */
	return (uint32_t)(left > l->timer_init ? l->timer_init : left);
}

static void timer_start(struct lapic *l, uint32_t count, uint64_t t)
{
	uint64_t first = (uint64_t)count * tick_ns(l);

	l->timer_period = (uint64_t)l->timer_init * tick_ns(l);
	if (periodic(l) && l->timer_init) {
		if (l->timer_period < LAPIC_MIN_PERIOD_NS)
			l->timer_period = LAPIC_MIN_PERIOD_NS;
		if (first < LAPIC_MIN_PERIOD_NS)
			first = LAPIC_MIN_PERIOD_NS;
	}
	l->timer_next = count ? t + first : 0;
	timer_arm(l);
}

void lapic_timer_poll(struct lapic *l)
{
	uint64_t t;

	if (!l || !l->timer_next)
		return;
	t = now(l);
	if (t < l->timer_next) {
		timer_arm(l);   /* woken early: keep the host timer in step */
		return;
	}
	l->stats.timer_fires++;
	/* A masked timer still counts; it just interrupts nobody. Missed periods coalesce into one IRR bit. */
	if (!(l->lvt[LVT_TIMER] & LAPIC_MASKED))
		post(l, (uint8_t)(l->lvt[LVT_TIMER] & LAPIC_VECTOR_MASK), false);
	if (periodic(l) && l->timer_period)
		l->timer_next = next_after(l, t);
	else
		l->timer_next = 0;
	timer_arm(l);
}

/* ---- registers ---- */

static void send_icr(struct lapic *l)
{
	uint32_t lo = l->icr_lo;
	struct apic_msg m = {
		.vector = (uint8_t)(lo & LAPIC_VECTOR_MASK),
		.delivery = (uint8_t)((lo & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT),
		.shorthand = (uint8_t)((lo & LAPIC_SH_MASK) >> LAPIC_SH_SHIFT),
		.dest = (uint8_t)(l->icr_hi >> LAPIC_ICR_DEST_SHIFT),
		.logical = (lo & LAPIC_DEST_LOGICAL) != 0,
		.level = false,   /* IPIs are edge: a level fixed IPI has no IOAPIC entry to EOI */
	};

	if ((m.delivery == APIC_DM_FIXED || m.delivery == APIC_DM_LOWEST) &&
	    m.vector < APIC_FIRST_LEGAL_VECTOR) {
		lapic_error(l, LAPIC_ESR_SEND_ILLEGAL_VEC);
		return;
	}
	l->stats.ipis_sent++;
	if (l->hooks && l->hooks->send)
		l->hooks->send(l->ctx, l->cpu, &m);
}

static void eoi(struct lapic *l)
{
	int v = highest_vec(l->isr);

	l->stats.eois++;
	if (v == NO_VECTOR)
		return;
	clear_vec(l->isr, (unsigned)v);
	if (test_vec(l->tmr, (unsigned)v) && l->hooks && l->hooks->eoi_broadcast)
		l->hooks->eoi_broadcast(l->ctx, (uint8_t)v);
	/* A lower-priority interrupt held back by this one may be deliverable now. */
	if (lapic_pending_vector(l) != NO_VECTOR)
		kick(l);
}

static void write_svr(struct lapic *l, uint32_t val)
{
	l->svr = val & SVR_WRITABLE;
	/* Software disable masks every LVT (SDM 11.4.7.2); they stay masked until rewritten. */
	if (!lapic_sw_enabled(l))
		for (unsigned i = 0; i < LAPIC_NR_LVT; i++)
			l->lvt[i] |= LAPIC_MASKED;
}

static void write_lvt(struct lapic *l, unsigned i, uint32_t val)
{
	uint32_t v = (l->lvt[i] & ~lvt_writable[i]) | (val & lvt_writable[i]);

	if (!lapic_sw_enabled(l))
		v |= LAPIC_MASKED;   /* cannot unmask while software-disabled */
	l->lvt[i] = v;
}

static bool lvt_index(uint32_t reg, unsigned *i)
{
	if (reg < LAPIC_LVT_TIMER || reg > LAPIC_LVT_ERROR)
		return false;
	*i = (reg - LAPIC_LVT_TIMER) / LAPIC_REG_STRIDE;
	return true;
}

static bool vec_reg(uint32_t reg, uint32_t base, unsigned *i)
{
	if (reg < base || reg >= base + LAPIC_VEC_REGS * LAPIC_REG_STRIDE)
		return false;
	*i = (reg - base) / LAPIC_REG_STRIDE;
	return true;
}

/* false: no register at this offset. */
static bool reg_read(struct lapic *l, uint32_t reg, uint32_t *val)
{
	unsigned i;

	if (lvt_index(reg, &i)) {
		*val = l->lvt[i];
		return true;
	}
	if (vec_reg(reg, LAPIC_ISR, &i)) {
		*val = l->isr[i];
		return true;
	}
	if (vec_reg(reg, LAPIC_TMR, &i)) {
		*val = l->tmr[i];
		return true;
	}
	if (vec_reg(reg, LAPIC_IRR, &i)) {
		*val = l->irr[i];
		return true;
	}
	switch (reg) {
	case LAPIC_ID:         *val = l->id; return true;
	case LAPIC_VER:        *val = LAPIC_VERSION; return true;
	case LAPIC_TPR:        *val = l->tpr; return true;
	case LAPIC_APR:        *val = 0; return true;   /* no lowest-priority arbitration state kept */
	case LAPIC_PPR:        *val = lapic_ppr(l); return true;
	case LAPIC_RRD:        *val = 0; return true;
	case LAPIC_LDR:        *val = l->ldr; return true;
	case LAPIC_DFR:        *val = l->dfr; return true;
	case LAPIC_SVR:        *val = l->svr; return true;
	case LAPIC_ESR:        *val = l->esr; return true;
	case LAPIC_ICR_LO:     *val = l->icr_lo & ~LAPIC_DELIVS; return true;  /* sent at once: idle */
	case LAPIC_ICR_HI:     *val = l->icr_hi; return true;
	case LAPIC_TIMER_INIT: *val = l->timer_init; return true;
	case LAPIC_TIMER_CUR:  *val = lapic_timer_current(l); return true;
	case LAPIC_TIMER_DCR:  *val = l->dcr; return true;
	case LAPIC_EOI:        *val = 0; return true;   /* write-only */
	default:               return false;
	}
}

static bool reg_write(struct lapic *l, uint32_t reg, uint32_t val)
{
	unsigned i;
	uint64_t t;

	if (lvt_index(reg, &i)) {
		write_lvt(l, i, val);
		return true;
	}
	if (vec_reg(reg, LAPIC_ISR, &i) || vec_reg(reg, LAPIC_TMR, &i) || vec_reg(reg, LAPIC_IRR, &i))
		return true;   /* read-only */
	switch (reg) {
	case LAPIC_ID:
		l->id = val & ID_MASK;
		return true;
	case LAPIC_TPR:
		l->tpr = val & LAPIC_VECTOR_MASK;
		if (lapic_pending_vector(l) != NO_VECTOR)
			kick(l);
		return true;
	case LAPIC_EOI:
		eoi(l);
		return true;
	case LAPIC_LDR:
		l->ldr = val & LDR_MASK;
		return true;
	case LAPIC_DFR:
		l->dfr = (val & DFR_MODEL_MASK) | LAPIC_DFR_RO_ONES;
		return true;
	case LAPIC_SVR:
		write_svr(l, val);
		return true;
	case LAPIC_ESR:
		/* A write latches the errors seen since the last write, then clears them. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return true;
	case LAPIC_ICR_HI:
		l->icr_hi = val & ICR_HI_MASK;
		return true;
	case LAPIC_ICR_LO:
		l->icr_lo = val & ICR_LO_WRITABLE;
		send_icr(l);
		return true;
	case LAPIC_TIMER_INIT:
		l->timer_init = val;
		timer_start(l, val, now(l));
		return true;
	case LAPIC_TIMER_DCR: {
		/* The count continues from where it is, at the new rate. */
		uint32_t cur;

		t = now(l);
		cur = lapic_timer_current(l);
		l->dcr = val & LAPIC_DCR_MASK;
		if (l->timer_next)
			timer_start(l, cur, t);
		return true;
	}
	case LAPIC_VER:
	case LAPIC_APR:
	case LAPIC_PPR:
	case LAPIC_RRD:
	case LAPIC_TIMER_CUR:
		return true;   /* read-only: writes ignored */
	default:
		return false;
	}
}

int lapic_mmio_read(struct lapic *l, uint64_t offset, unsigned size, uint32_t *val)
{
	uint32_t lane, v = 0;

	if (!l || !val)
		return HV_EINVAL;
	*val = 0;
	if (offset >= LAPIC_MMIO_SIZE)
		return HV_ERANGE;
	lane = (uint32_t)offset & REG_LANE_MASK;
	if (size == 0 || size > DWORD || lane + size > DWORD) {
		l->stats.bad_access++;
		return HV_OK;   /* outside a register's dword: reads as zero */
	}
	if (!reg_read(l, (uint32_t)offset & ~REG_LANE_MASK, &v)) {
		l->stats.bad_access++;
		lapic_error(l, LAPIC_ESR_ILLEGAL_REG);
		return HV_OK;
	}
	v >>= lane * BYTE_BITS;
	if (size < DWORD)
		v &= (1U << (size * BYTE_BITS)) - 1U;
	*val = v;
	return HV_OK;
}

int lapic_mmio_write(struct lapic *l, uint64_t offset, unsigned size, uint32_t val)
{
	if (!l)
		return HV_EINVAL;
	if (offset >= LAPIC_MMIO_SIZE)
		return HV_ERANGE;
	if (size != DWORD || (offset & REG_LANE_MASK)) {
		l->stats.bad_access++;
		return HV_OK;   /* registers take aligned 32-bit stores only; the rest is ignored */
	}
	if (!reg_write(l, (uint32_t)offset, val)) {
		l->stats.bad_access++;
		lapic_error(l, LAPIC_ESR_ILLEGAL_REG);
	}
	return HV_OK;
}

/* suite.c: the checks the x86 guest runs through the guest ABI and the native interrupt controllers:
 * timer, vector-class priorities, TPR, nesting, many pending, level/edge lines, IPIs, PIC mode. */
#include "native.h"
#include "suite.h"

#define V_TIMER_IOAPIC 0x30U
#define V_LTIMER 0xE0U
#define V_IPI_TO_AP 0x70U
#define V_IPI_REPLY 0x71U
#define V_IPI_BCAST 0x72U
#define V_IPI_LOGICAL 0x73U
#define V_AP_LINE 0x58U
#define V_EDGE 0x56U
#define V_LEVEL 0x55U
#define V_MASKED_LEVEL 0x57U
#define PIC_BASE_M 0x20U
#define PIC_BASE_S 0x28U
#define LINE_EDGE 6U
#define LINE_LEVEL 5U
#define LINE_MASKED 7U
#define LINE_AP 8U
#define LINE_PIC_LEVEL 5U
#define LINE_PIC_SLAVE 10U
#define LEVEL_REPEATS 3U
#define LOG_MAX 128U
#define WAIT_MS 2000U
#define SETTLE_MS 20U
#define TICKS 5U
#define MSI_WINDOW 0x100000UL       /* the LAPIC MSI window: 0xFEE00000..0xFEEFFFFF */
#define MSI_ABSENT_APIC 0x7FUL       /* no vCPU has this APIC ID */
#define MSI_DATA_INIT (5U << 8)     /* delivery mode INIT */

struct g_env g_env;
volatile unsigned g_ap_go, g_ap_ready;
volatile unsigned g_ap_count[G_MAX_CPUS];
volatile unsigned g_hostile_done;

static volatile unsigned cnt[256];
static volatile uint8_t order[LOG_MAX];
static volatile unsigned norder;
static volatile unsigned nest_depth, nest_max;
static volatile bool same_class_preempted;
static volatile bool isr_seen;
static bool isr_quirk;   /* the interrupt controller does not show the ISR bit of the running handler */
static unsigned passed, failed;

static void reset_log(void)
{
	for (unsigned i = 0; i < 256; i++)
		cnt[i] = 0;
	norder = 0;
}

/* The recorder most checks use: log the vector, count it, end it at the LAPIC. */
static void rec(unsigned v, struct g_frame *f)
{
	(void)f;
	if (norder < LOG_MAX)
		order[norder++] = (uint8_t)v;
	cnt[v]++;
	lapic_eoi();
}

static void expect(bool ok, const char *what)
{
	if (!ok)
		g_print("  detail: %s\n", what);
}

/* ---- ABI ---- */

static bool t_abi_version(void)
{
	return hv_call(HV_CALL_VERSION, 0, 0, 0) == HV_ABI_VERSION_CURRENT;
}

static bool t_abi_info(void)
{
	bool ok = true;

	ok &= hv_call(HV_CALL_INFO, HV_INFO_NR_VCPUS, 0, 0) == g_env.nr_cpus;
	ok &= hv_call(HV_CALL_INFO, HV_INFO_VCPU_ID, 0, 0) == 0;
	ok &= hv_call(HV_CALL_INFO, HV_INFO_NR_LINES, 0, 0) == HV_NR_LINES;
	ok &= hv_call(HV_CALL_INFO, HV_INFO_TIMER_HZ, 0, 0) == 1000000;
	return ok;
}

static bool t_abi_bad_calls(void)
{
	bool ok = true;

	ok &= hv_call(0x77, 0, 0, 0) == HV_ABI_NOT_SUPPORTED;
	ok &= hv_call(~0ULL, 1, 2, 3) == HV_ABI_NOT_SUPPORTED;
	ok &= hv_call(HV_CALL_TIMER_PERIOD, 50, 0, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_CONSOLE_WRITE, 0xFFFFFFFF00000000ULL, 4, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_CONSOLE_WRITE, 0x100000, 5000, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_CONSOLE_WRITE, ~0ULL, 2, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_LINE_SET, HV_LINE_TIMER, HV_LINE_RAISE, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_LINE_SET, HV_NR_LINES, HV_LINE_RAISE, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_LINE_SET, 3, 9, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_INFO, 99, 0, 0) == HV_ABI_INVALID_PARAM;
	/* MSI_SEND: only the LAPIC window 0xFEEx_xxxx and 32-bit data are a write the device can make. */
	ok &= hv_call(HV_CALL_MSI_SEND, G_MSI_ADDR_BASE - 1U, V_EDGE, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_MSI_SEND, G_MSI_ADDR_BASE + MSI_WINDOW, V_EDGE, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_MSI_SEND, G_MSI_ADDR_BASE | (1ULL << 32), V_EDGE, 0) == HV_ABI_INVALID_PARAM;
	ok &= hv_call(HV_CALL_MSI_SEND, G_MSI_ADDR_BASE, 1ULL << 32, 0) == HV_ABI_INVALID_PARAM;
	/* Valid messages that no APIC takes still complete: a fixed one to an absent APIC ID, and an
	 * INIT to this CPU (no mode delivers INIT: it would park a long-mode-only vCPU under KVM). */
	ok &= hv_call(HV_CALL_MSI_SEND, G_MSI_ADDR_BASE | (MSI_ABSENT_APIC << G_MSI_ADDR_DEST_SHIFT), V_EDGE, 0) ==
	      HV_ABI_OK;
	ok &= hv_call(HV_CALL_MSI_SEND, G_MSI_ADDR_BASE, MSI_DATA_INIT, 0) == HV_ABI_OK;
	return ok;
}

/* ---- timers ---- */

static bool t_pv_timer_ioapic(void)
{
	unsigned after;
	bool ok;

	reset_log();
	g_set_handler(V_TIMER_IOAPIC, rec);
	ioapic_route(HV_LINE_TIMER, V_TIMER_IOAPIC, 0, 0);
	ok = hv_call(HV_CALL_TIMER_PERIOD, 1000, 0, 0) == 0;
	while (cnt[V_TIMER_IOAPIC] < TICKS)
		g_sti_hlt();              /* the timer guarantees a wake-up */
	g_cli();
	ok &= hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0) == 0;
	g_wait(&cnt[0], 1, SETTLE_MS);  /* let one in flight land */
	after = cnt[V_TIMER_IOAPIC];
	g_wait(&cnt[0], 1, SETTLE_MS);
	ioapic_mask(HV_LINE_TIMER);
	expect(after == cnt[V_TIMER_IOAPIC], "ticks after TIMER_PERIOD(0)");
	return ok && after == cnt[V_TIMER_IOAPIC];
}

static bool t_lapic_timer_oneshot(void)
{
	uint32_t cur;
	bool ok;

	reset_log();
	g_set_handler(V_LTIMER, rec);
	lapic_w(G_LAPIC_TIMER_DCR, G_DCR_DIV1);
	lapic_w(G_LAPIC_LVT_TIMER, V_LTIMER);
	lapic_w(G_LAPIC_TIMER_INIT, 2000000);     /* 2 ms */
	cur = lapic_r(G_LAPIC_TIMER_CUR);
	ok = cur > 0 && cur <= 2000000;
	expect(ok, "current count within (0, initial]");
	ok &= g_wait(&cnt[V_LTIMER], 1, WAIT_MS);
	g_wait(&cnt[0], 1, 10);
	ok &= cnt[V_LTIMER] == 1;
	ok &= lapic_r(G_LAPIC_TIMER_CUR) == 0;
	expect(ok, "one-shot fired exactly once and the count ended at 0");
	return ok;
}

static bool t_lapic_timer_periodic(void)
{
	unsigned n;
	bool ok;

	reset_log();
	g_set_handler(V_LTIMER, rec);
	lapic_w(G_LAPIC_TIMER_DCR, G_DCR_DIV1);
	lapic_w(G_LAPIC_LVT_TIMER, V_LTIMER | G_LVT_PERIODIC);
	lapic_w(G_LAPIC_TIMER_INIT, 500000);      /* 0.5 ms */
	ok = g_wait(&cnt[V_LTIMER], 4, WAIT_MS);
	lapic_w(G_LAPIC_TIMER_INIT, 0);
	g_wait(&cnt[0], 1, 5);
	n = cnt[V_LTIMER];
	g_wait(&cnt[0], 1, SETTLE_MS);
	lapic_w(G_LAPIC_LVT_TIMER, G_LVT_MASKED | V_LTIMER);
	expect(n == cnt[V_LTIMER], "ticks after initial count 0");
	return ok && n == cnt[V_LTIMER];
}

/* ---- priorities ---- */

static bool t_vector_class_order(void)
{
	static const uint8_t sent[] = { 0x41, 0x91, 0x52, 0x63 };
	static const uint8_t want[] = { 0x91, 0x63, 0x52, 0x41 };
	bool ok;

	reset_log();
	for (unsigned i = 0; i < sizeof(sent); i++)
		g_set_handler(sent[i], rec);
	for (unsigned i = 0; i < sizeof(sent); i++)
		lapic_self_ipi(sent[i]);          /* IF=0: all four pend in IRR */
	ok = g_wait(&norder, 4, WAIT_MS);
	for (unsigned i = 0; ok && i < 4; i++)
		ok &= order[i] == want[i];
	expect(ok, "delivery order is by vector, highest first");
	return ok;
}

static bool t_tpr_masks_classes(void)
{
	bool ok;

	reset_log();
	g_set_handler(0x41, rec);
	g_set_handler(0x61, rec);
	lapic_w(G_LAPIC_TPR, 0x50);
	lapic_self_ipi(0x41);
	lapic_self_ipi(0x61);
	ok = g_wait(&cnt[0x61], 1, WAIT_MS);
	g_wait(&cnt[0], 1, SETTLE_MS);
	ok &= cnt[0x41] == 0;
	expect(ok, "class 4 held back by TPR 0x50, class 6 delivered");
	ok &= (lapic_r(G_LAPIC_PPR) & 0xF0) == 0x50;
	lapic_w(G_LAPIC_TPR, 0);
	ok &= g_wait(&cnt[0x41], 1, WAIT_MS);
	return ok;
}

static void nest_low(unsigned v, struct g_frame *f)
{
	(void)f;
	cnt[v]++;
	nest_depth++;
	if (nest_depth > nest_max)
		nest_max = nest_depth;
	lapic_self_ipi(0x43);
	lapic_self_ipi(0x93);     /* higher class: preempts once IF is set */
	g_sti();
	g_spin_ms(5);
	g_cli();
	if (cnt[0x43] != 0)
		same_class_preempted = true;
	nest_depth--;
	lapic_eoi();
}

static void nest_high(unsigned v, struct g_frame *f)
{
	(void)f;
	cnt[v]++;
	nest_depth++;
	if (nest_depth > nest_max)
		nest_max = nest_depth;
	nest_depth--;
	lapic_eoi();
}

static bool t_nesting_by_class(void)
{
	bool ok;

	reset_log();
	nest_depth = nest_max = 0;
	same_class_preempted = false;
	g_set_handler(0x42, nest_low);
	g_set_handler(0x43, rec);
	g_set_handler(0x93, nest_high);
	lapic_self_ipi(0x42);
	ok = g_wait(&cnt[0x43], 1, WAIT_MS);
	ok &= cnt[0x93] == 1 && nest_max == 2 && !same_class_preempted;
	expect(ok, "0x93 nested inside 0x42; 0x43 only after 0x42's EOI");
	return ok;
}

static bool t_many_pending(void)
{
	const unsigned n = 40;
	bool ok;

	reset_log();
	for (unsigned i = 0; i < n; i++) {
		g_set_handler(0x40 + i, rec);
		lapic_self_ipi(0x40 + i);
	}
	ok = g_wait(&norder, n, WAIT_MS);
	for (unsigned i = 0; ok && i < n; i++)
		ok &= order[i] == 0x40 + n - 1 - i;
	for (unsigned i = 0; i < n; i++)
		ok &= cnt[0x40 + i] == 1;
	expect(ok, "40 pending vectors all delivered once, highest first");
	return ok;
}

/* ---- lines through the IOAPIC ---- */

static bool t_edge_line(void)
{
	bool ok = true;

	reset_log();
	g_set_handler(V_EDGE, rec);
	ioapic_route(LINE_EDGE, V_EDGE, 0, 0);
	for (unsigned i = 1; i <= 3; i++) {
		ok &= hv_call(HV_CALL_LINE_SET, LINE_EDGE, HV_LINE_PULSE, 0) == 0;
		ok &= g_wait(&cnt[V_EDGE], i, WAIT_MS);
	}
	ioapic_mask(LINE_EDGE);
	return ok && cnt[V_EDGE] == 3;
}

static void level_handler(unsigned v, struct g_frame *f)
{
	(void)f;
	cnt[v]++;
	/* The device is cleared only on the third interrupt: the first two EOIs find the line
	 * still high, so the IOAPIC must deliver it again. */
	if (cnt[v] == LEVEL_REPEATS)
		hv_call(HV_CALL_LINE_SET, v == V_LEVEL ? LINE_LEVEL : LINE_MASKED, HV_LINE_LOWER, 0);
	lapic_eoi();
}

static bool t_level_line_redelivered(void)
{
	bool ok;

	reset_log();
	g_set_handler(V_LEVEL, level_handler);
	ioapic_route(LINE_LEVEL, V_LEVEL, G_RTE_LEVEL, 0);
	ok = hv_call(HV_CALL_LINE_SET, LINE_LEVEL, HV_LINE_RAISE, 0) == 0;
	ok &= g_wait(&cnt[V_LEVEL], LEVEL_REPEATS, WAIT_MS);
	g_wait(&cnt[0], 1, SETTLE_MS);
	ok &= cnt[V_LEVEL] == LEVEL_REPEATS;
	ok &= !(ioapic_r(0x10 + 2 * LINE_LEVEL) & G_RTE_REMOTE_IRR);
	if (!ok)
		g_print("  detail: level line: %u deliveries (want %u), RTE %x\n", cnt[V_LEVEL], LEVEL_REPEATS,
			ioapic_r(0x10 + 2 * LINE_LEVEL));
	ioapic_mask(LINE_LEVEL);
	return ok;
}

static bool t_masked_level_waits(void)
{
	bool ok;

	reset_log();
	g_set_handler(V_MASKED_LEVEL, level_handler);
	ioapic_route(LINE_MASKED, V_MASKED_LEVEL, G_RTE_LEVEL | G_RTE_MASKED, 0);
	hv_call(HV_CALL_LINE_SET, LINE_MASKED, HV_LINE_RAISE, 0);
	g_wait(&cnt[0], 1, SETTLE_MS);
	ok = cnt[V_MASKED_LEVEL] == 0;
	ioapic_route(LINE_MASKED, V_MASKED_LEVEL, G_RTE_LEVEL, 0);
	ok &= g_wait(&cnt[V_MASKED_LEVEL], LEVEL_REPEATS, WAIT_MS);
	expect(ok, "masked level line delivered on unmask");
	ioapic_mask(LINE_MASKED);
	return ok;
}

/* ---- SMP ---- */

static void ap_count(unsigned v, struct g_frame *f);

static bool t_ipi_roundtrip(void)
{
	bool ok;

	reset_log();
	g_set_handler(V_IPI_REPLY, rec);
	lapic_ipi(1, V_IPI_TO_AP);
	ok = g_wait(&cnt[V_IPI_REPLY], 1, WAIT_MS);
	return ok && g_ap_count[1] >= 1;
}

static bool t_ipi_all_excluding_self(void)
{
	unsigned before[G_MAX_CPUS];
	bool ok = true;

	reset_log();
	for (unsigned c = 1; c < g_env.nr_cpus; c++)
		before[c] = g_ap_count[c];
	lapic_w(G_LAPIC_ICR_LO, G_ICR_ALL_EXCL | V_IPI_BCAST);
	for (unsigned c = 1; c < g_env.nr_cpus; c++) {
		unsigned t = 0;

		while (g_ap_count[c] == before[c] && t++ < WAIT_MS)
			g_spin_ms(1);
		ok &= g_ap_count[c] > before[c];
	}
	g_wait(&cnt[0], 1, SETTLE_MS);
	ok &= cnt[V_IPI_BCAST] == 0;
	expect(ok, "every AP and not the sender");
	return ok;
}

static bool t_ipi_logical_flat(void)
{
	unsigned before = g_ap_count[1];
	unsigned t = 0;

	/* Each AP set LDR = 1 << cpu in flat mode. */
	lapic_ipi(1U << 1, G_ICR_LOGICAL | V_IPI_LOGICAL);
	while (g_ap_count[1] == before && t++ < WAIT_MS)
		g_spin_ms(1);
	return g_ap_count[1] > before;
}

static bool t_ioapic_to_ap(void)
{
	unsigned before = g_ap_count[1];
	unsigned t = 0;

	g_set_handler(V_AP_LINE, ap_count);
	ioapic_route(LINE_AP, V_AP_LINE, 0, 1);
	hv_call(HV_CALL_LINE_SET, LINE_AP, HV_LINE_PULSE, 0);
	while (g_ap_count[1] == before && t++ < WAIT_MS)
		g_spin_ms(1);
	ioapic_mask(LINE_AP);
	return g_ap_count[1] > before;
}

static void ap_count(unsigned v, struct g_frame *f)
{
	unsigned c = g_cpu();

	if (c == 0) {   /* the handler table is shared: the BSP just records */
		rec(v, f);
		return;
	}
	g_ap_count[c]++;
	if (v == V_IPI_TO_AP)
		lapic_ipi(0, V_IPI_REPLY);
	lapic_eoi();
}

void suite_ap_main(unsigned cpu)
{
	g_ap_started_as[cpu] = g_cpu();   /* the index start.S chose the stack by (RDI, CPU_ON's context) */
	lapic_enable();
	lapic_w(G_LAPIC_DFR, 0xFFFFFFFFU);
	/* Logical flat mode names 8 CPUs; the rest (scale runs only) get no logical ID. */
	lapic_w(G_LAPIC_LDR, cpu < 8U ? (1U << cpu) << 24 : 0);
	__atomic_fetch_add(&g_ap_ready, 1, __ATOMIC_SEQ_CST);
	if ((g_env.flags & G_BOOT_ARGS) && g_has_word((const char *)G_BOOTARGS, "scale"))
		scale_ap_idle();
	for (;;)
		g_sti_hlt();
}

/* ---- PIC mode ---- */

static void pic_rec(unsigned v, struct g_frame *f)
{
	(void)f;
	cnt[v]++;
	if (v >= PIC_BASE_S && v < PIC_BASE_S + 8)
		pic_eoi(8);
	else
		pic_eoi(0);
}

static bool t_pic_timer_extint(void)
{
	bool ok;

	reset_log();
	g_set_handler(PIC_BASE_M, pic_rec);
	ioapic_mask(HV_LINE_TIMER);
	pic_init(PIC_BASE_M, PIC_BASE_S, 0x01, 0xFE, 0xFF);   /* only IRQ0 */
	ok = hv_call(HV_CALL_TIMER_PERIOD, 1000, 0, 0) == 0;
	while (cnt[PIC_BASE_M] < 3)
		g_sti_hlt();
	g_cli();
	hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0);
	g_wait(&cnt[0], 1, SETTLE_MS);
	pic_mask_all();
	return ok;
}

static void pic_level(unsigned v, struct g_frame *f)
{
	uint8_t isr;

	(void)f;
	cnt[v]++;
	outb(G_PIC_M_CMD, G_PIC_READ_ISR);
	isr = inb(G_PIC_M_CMD);
	if (!(isr & (1U << LINE_PIC_LEVEL)))
		g_print("  detail: ISR bit not set in handler (isr=%x)\n", isr);
	if (cnt[v] == LEVEL_REPEATS)
		hv_call(HV_CALL_LINE_SET, LINE_PIC_LEVEL, HV_LINE_LOWER, 0);
	pic_eoi(0);
}

static bool t_pic_level_elcr(void)
{
	unsigned v = PIC_BASE_M + LINE_PIC_LEVEL;
	bool ok;

	reset_log();
	g_set_handler(v, pic_level);
	ioapic_mask(LINE_PIC_LEVEL);
	pic_init(PIC_BASE_M, PIC_BASE_S, 0x01, (uint8_t)~(1U << LINE_PIC_LEVEL), 0xFF);
	outb(G_ELCR_M, 1U << LINE_PIC_LEVEL);
	ok = inb(G_ELCR_M) == (1U << LINE_PIC_LEVEL);
	hv_call(HV_CALL_LINE_SET, LINE_PIC_LEVEL, HV_LINE_RAISE, 0);
	ok &= g_wait(&cnt[v], LEVEL_REPEATS, WAIT_MS);
	g_wait(&cnt[0], 1, SETTLE_MS);
	ok &= cnt[v] == LEVEL_REPEATS;
	outb(G_ELCR_M, 0);
	pic_mask_all();
	expect(ok, "ELCR level IRQ5 redelivered until lowered");
	return ok;
}

static bool t_pic_cascade(void)
{
	unsigned v = PIC_BASE_S + (LINE_PIC_SLAVE - 8);
	bool ok;

	reset_log();
	g_set_handler(v, pic_rec);
	pic_init(PIC_BASE_M, PIC_BASE_S, 0x01, 0xFB, (uint8_t)~(1U << (LINE_PIC_SLAVE - 8)));
	hv_call(HV_CALL_LINE_SET, LINE_PIC_SLAVE, HV_LINE_PULSE, 0);
	ok = g_wait(&cnt[v], 1, WAIT_MS);
	outb(G_PIC_M_CMD, G_PIC_READ_ISR);
	ok &= inb(G_PIC_M_CMD) == 0;
	pic_mask_all();
	return ok;
}

static void aeoi_rec(unsigned v, struct g_frame *f)
{
	(void)f;
	cnt[v]++;   /* auto-EOI: no EOI */
}

static bool t_pic_auto_eoi_and_mask_all(void)
{
	unsigned v = PIC_BASE_M + 3;
	bool ok;

	reset_log();
	g_set_handler(v, aeoi_rec);
	ioapic_mask(3);
	pic_init(PIC_BASE_M, PIC_BASE_S, 0x03, 0xF7, 0xFF);
	hv_call(HV_CALL_LINE_SET, 3, HV_LINE_PULSE, 0);
	ok = g_wait(&cnt[v], 1, WAIT_MS);
	hv_call(HV_CALL_LINE_SET, 3, HV_LINE_PULSE, 0);
	ok &= g_wait(&cnt[v], 2, WAIT_MS);
	/* Linux masks everything at boot: a pulse then stays in IRR until unmasked. */
	pic_mask_all();
	hv_call(HV_CALL_LINE_SET, 3, HV_LINE_PULSE, 0);
	g_wait(&cnt[0], 1, SETTLE_MS);
	ok &= cnt[v] == 2;
	outb(G_PIC_M_CMD, G_PIC_READ_IRR);
	ok &= (inb(G_PIC_M_CMD) & 0x08) != 0;
	outb(G_PIC_M_DATA, 0xF7);
	ok &= g_wait(&cnt[v], 3, WAIT_MS);
	pic_init(PIC_BASE_M, PIC_BASE_S, 0x01, 0xFF, 0xFF);
	expect(ok, "auto-EOI delivers without EOI; mask-all holds the request in IRR");
	return ok;
}

/* The garbage phase ran before the suite; the VMM is still here and the LAPIC answers sanely. */
static bool t_hostile_survived(void)
{
	lapic_w(G_LAPIC_ESR, 0);
	return g_hostile_done && lapic_r(G_LAPIC_ID) == 0 && (lapic_r(G_LAPIC_SVR) & G_SVR_ENABLE) &&
	       hv_call(HV_CALL_VERSION, 0, 0, 0) == HV_ABI_VERSION_CURRENT;
}

/* Probe: is the vector of the running handler in ISR? Every real xAPIC says yes. The in-kernel LAPIC
 * of some nested KVM hosts says no (and then cannot hold back same-class vectors or count EOIs). */
static void isr_probe(unsigned v, struct g_frame *f)
{
	(void)f;
	isr_seen = lapic_in_service(v);
	cnt[v]++;
	lapic_eoi();
}

static void probe_isr(void)
{
	reset_log();
	g_set_handler(0x4F, isr_probe);
	lapic_self_ipi(0x4F);
	g_wait(&cnt[0x4F], 1, WAIT_MS);
	isr_quirk = !isr_seen;
	if (isr_quirk)
		g_print("x86 guest: NOTE: this interrupt controller does not report the running vector in ISR; "
			"checks that depend on it are XFAIL\n");
}

/* ---- runner ---- */

struct test {
	const char *name;
	bool (*fn)(void);
	unsigned need;
};

#define ISR_SENSITIVE 0x8U   /* fails where the ISR quirk (see probe_isr) holds */

static const struct test tests[] = {
	{ "hostile_garbage_survived", t_hostile_survived, NEED_HOSTILE },
	{ "abi_version", t_abi_version, 0 },
	{ "abi_info", t_abi_info, 0 },
	{ "abi_bad_calls_rejected", t_abi_bad_calls, 0 },
	{ "pv_timer_ticks_via_ioapic", t_pv_timer_ioapic, 0 },
	{ "lapic_timer_one_shot", t_lapic_timer_oneshot, 0 },
	{ "lapic_timer_periodic", t_lapic_timer_periodic, 0 },
	{ "priority_by_vector_class", t_vector_class_order, 0 },
	{ "tpr_masks_lower_classes", t_tpr_masks_classes, 0 },
	{ "preemption_by_higher_class_only", t_nesting_by_class, ISR_SENSITIVE },
	{ "many_pending_all_delivered_in_order", t_many_pending, 0 },
	{ "edge_line_via_ioapic", t_edge_line, 0 },
	{ "level_line_redelivered_until_lowered", t_level_line_redelivered, ISR_SENSITIVE },
	{ "masked_level_line_delivered_on_unmask", t_masked_level_waits, 0 },
	{ "ipi_round_trip", t_ipi_roundtrip, NEED_SMP },
	{ "ipi_all_excluding_self", t_ipi_all_excluding_self, NEED_SMP },
	{ "ipi_logical_flat", t_ipi_logical_flat, NEED_SMP },
	{ "ioapic_routes_to_ap", t_ioapic_to_ap, NEED_SMP },
	{ "cpu_power_off_on", t_cpu_power, NEED_SMP },
	{ "pic_timer_through_lint0_extint", t_pic_timer_extint, NEED_PIC },
	{ "pic_level_line_via_elcr", t_pic_level_elcr, NEED_PIC },
	{ "pic_slave_cascade", t_pic_cascade, NEED_PIC },
	{ "pic_auto_eoi_and_mask_all", t_pic_auto_eoi_and_mask_all, NEED_PIC },
};

unsigned suite_run(void)
{
	bool have_pic = !(g_env.flags & G_BOOT_NO_PIC);
	bool smp = g_env.nr_cpus > 1;
	unsigned xfail = 0;

	probe_isr();

	g_set_handler(V_IPI_TO_AP, ap_count);
	g_set_handler(V_IPI_BCAST, ap_count);
	g_set_handler(V_IPI_LOGICAL, ap_count);
	g_set_handler(V_AP_LINE, ap_count);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const struct test *t = &tests[i];
		bool ok;

		if ((t->need & NEED_HOSTILE) && !(g_env.flags & G_BOOT_HOSTILE))
			continue;
		if (((t->need & NEED_PIC) && !have_pic) || ((t->need & NEED_SMP) && !smp)) {
			g_print("SKIP: %s (%s)\n", t->name, (t->need & NEED_PIC) ? "no PIC in this mode" : "one vCPU");
			continue;
		}
		ok = t->fn();
		g_cli();
		if (!ok && isr_quirk && (t->need & ISR_SENSITIVE)) {
			xfail++;
			g_print("XFAIL: %s (interrupt controller without ISR tracking)\n", t->name);
			continue;
		}
		if (ok)
			passed++;
		else
			failed++;
		g_print("%s: %s\n", ok ? "PASS" : "FAIL", t->name);
	}
	g_print("x86 guest: strays=%u xfail=%u\n", g_stray_total, xfail);
	g_print("%u passed, %u failed\n", passed, failed);
	return failed;
}

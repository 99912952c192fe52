/* guest_arch_x86.c: guest/include/guest_arch.h on x86: LAPIC + two IOAPICs, the ABI on port 0x510.
 * The common suite runs unchanged on top; this file maps its irqs, priorities and timers to x86. */
#include "guest_arch.h"
#include "x86.h"

/* Arch irq numbers (the suite never computes one). Vectors are assigned when a priority is set. */
#define IRQ_LINE_BASE  256U
#define IRQ_IPI_BASE   320U
#define IRQ_TIMER      352U
#define IRQ_MSI_BASE   384U          /* message n of the test device: 384 + n (< GUEST_MAX_IRQ) */
#define NR_SRC         (IRQ_MSI_BASE + GUEST_NR_MSIS)
/* vec_owner of a torn-down MSI's vector: free for reuse, but a message the device still sends
 * there is ended without a dispatch (arm64's ITS DISCARD delivers nothing either). */
#define VEC_RETIRED    0xFFFFU
#define UNHANDLED_IRQ  0xFFFFFFFFU   /* >= GUEST_MAX_IRQ: the dispatcher counts it as unhandled */
#define HALT_FAULT     0xF0U         /* guest/common's GUEST_STATUS_FAULT */

/* Priority p (0 highest) -> vector class 16 - p, held to 15..2: 14 usable classes for 16 levels, so
 * only the two extreme pairs (0, 1) and (14, 15) share a class; the higher level of a pair takes the
 * upper half of its vectors. One class per middle level leaves room for the suite's busiest levels
 * (lines, IPIs and up to 64 MSIs): 16 vectors is all a class has. */
#define CLASS_TOP      15U
#define CLASS_BOTTOM   2U
#define CLASS_OF_ZERO  16U           /* class of priority 0 before holding it to CLASS_TOP */
#define DEFAULT_PRIO   8U
#define VECTORS_PER_CLASS 16U
#define FIRST_EXTERNAL 32U
#define NMI_VECTOR     2U
#define PF_VECTOR      14U

#define CONSOLE_CHUNK  4096U
#define NS_PER_MS_U    1000000ULL
#define CALIB_TSC_SPIN 20000000ULL
#define CALIB_VECTOR   0xEFU
#define TIMER_MAX_COUNT 0xFFFFFFFFULL
#define UNMAPPED_VA    0x100000000000ULL   /* above the 4 GiB identity map: faults */

struct src {
	uint16_t vector;         /* 0: none yet (an MSI: not set up, or torn down) */
	uint8_t prio;
	bool level;
	bool configured;
	bool enabled;            /* lines: the suite's enable (lazy: the RTE is masked only on arrival) */
	volatile bool soft_pending;
	uint8_t cpu;             /* lines and MSIs: target */
	volatile uint32_t cpu_enabled;   /* IPIs and the timer: per-CPU enable bits */
	volatile uint32_t cpu_pending;   /* per-CPU soft pending while disabled */
};

static struct src srcs[NR_SRC];
static volatile uint16_t vec_owner[256];   /* vector -> irq + 1, 0 or VEC_RETIRED: none */
static unsigned nr_cpus = 1;
static unsigned boot_flags;
static uint64_t tsc_per_ms = 1000000ULL;
static uint64_t tsc0;
static char no_args[1];

static struct {
	void (*volatile fn)(unsigned cpu);
} start_box[GUEST_MAX_CPUS];

static volatile unsigned idt_ready;
void _start(void);   /* start.S: every vCPU's entry, RDI = its index */

/* ---- priorities and vectors ---- */

static unsigned class_of(unsigned p)
{
	unsigned c = p < CLASS_OF_ZERO - CLASS_TOP ? CLASS_TOP : CLASS_OF_ZERO - p;

	return c < CLASS_BOTTOM ? CLASS_BOTTOM : c;
}

static bool is_msi(unsigned irq) { return irq >= IRQ_MSI_BASE && irq < IRQ_MSI_BASE + GUEST_NR_MSIS; }
/* IPIs and the LAPIC timer are enabled per CPU; lines and MSIs are not. */
static bool is_per_cpu(unsigned irq) { return irq >= IRQ_IPI_BASE && irq <= IRQ_TIMER; }

static bool shares_class_with_higher(unsigned p)
{
	return p > 0 && class_of(p - 1U) == class_of(p);
}

/* Within a class shared by two levels, the higher level takes vectors from the top and the lower one
 * from the bottom, so the CPU (which takes the highest vector first) keeps their order. */
static void assign_vector(unsigned irq, unsigned prio)
{
	struct src *s = &srcs[irq];
	unsigned c = class_of(prio);
	bool from_bottom = shares_class_with_higher(prio);

	/* A device may still send an MSI's old vector: retire it rather than leave it unowned. */
	if (s->vector)
		vec_owner[s->vector] = is_msi(irq) ? VEC_RETIRED : 0;
	s->vector = 0;
	for (unsigned k = 0; k < VECTORS_PER_CLASS; k++) {
		unsigned sub = from_bottom ? k : VECTORS_PER_CLASS - 1U - k;
		unsigned v = c * VECTORS_PER_CLASS + sub;

		if (v >= FIRST_EXTERNAL && v != CALIB_VECTOR && v != G_SPURIOUS_VEC &&
		    (!vec_owner[v] || vec_owner[v] == VEC_RETIRED)) {
			s->vector = (uint16_t)v;
			break;
		}
	}
	if (!s->vector)
		guest_printf("x86 layer: no free vector for irq %u at priority %u\n", irq, prio);
	else
		vec_owner[s->vector] = (uint16_t)(irq + 1U);
	s->prio = (uint8_t)prio;
}

/* IPIs the suite sends without configuring them first get the default priority on first use. */
static unsigned vector_of(unsigned irq)
{
	if (!srcs[irq].vector) {
		assign_vector(irq, DEFAULT_PRIO);
		srcs[irq].configured = true;
	}
	return srcs[irq].vector;
}

static bool is_line(unsigned irq) { return irq >= IRQ_LINE_BASE && irq < IRQ_LINE_BASE + HV_NR_LINES; }

/* ---- time ---- */

uint64_t guest_arch_now_ns(void)
{
	uint64_t d = g_rdtsc() - tsc0;

	return (d / tsc_per_ms) * NS_PER_MS_U + ((d % tsc_per_ms) * NS_PER_MS_U) / tsc_per_ms;
}

/* Two reads of the LAPIC timer (1 GHz before the divider) around a TSC spin. */
static void calibrate(void)
{
	uint32_t c0, c1;
	uint64_t t0, t1;

	lapic_w(G_LAPIC_TIMER_DCR, G_DCR_DIV1);
	lapic_w(G_LAPIC_LVT_TIMER, G_LVT_MASKED | CALIB_VECTOR);
	lapic_w(G_LAPIC_TIMER_INIT, 0xFFFFFFFFU);
	c0 = lapic_r(G_LAPIC_TIMER_CUR);
	t0 = g_rdtsc();
	while (g_rdtsc() - t0 < CALIB_TSC_SPIN)
		g_pause();
	c1 = lapic_r(G_LAPIC_TIMER_CUR);
	t1 = g_rdtsc();
	lapic_w(G_LAPIC_TIMER_INIT, 0);
	if (c0 > c1 && t1 > t0)
		tsc_per_ms = (t1 - t0) * NS_PER_MS_U / (c0 - c1);
	if (!tsc_per_ms)
		tsc_per_ms = 1;
	tsc0 = g_rdtsc();
}

static uint32_t timer_lvt(void)
{
	struct src *s = &srcs[IRQ_TIMER];
	bool on = s->cpu_enabled & (1U << g_cpu());

	return s->vector | (on ? 0 : G_LVT_MASKED);
}

void guest_arch_timer_oneshot_ns(uint64_t delta_ns)
{
	uint64_t count = delta_ns ? delta_ns : 1;

	lapic_w(G_LAPIC_TIMER_DCR, G_DCR_DIV1);
	lapic_w(G_LAPIC_LVT_TIMER, timer_lvt());
	lapic_w(G_LAPIC_TIMER_INIT, (uint32_t)(count > TIMER_MAX_COUNT ? TIMER_MAX_COUNT : count));
}

void guest_arch_timer_at_ns(uint64_t when_ns)
{
	uint64_t now = guest_arch_now_ns();

	guest_arch_timer_oneshot_ns(when_ns > now ? when_ns - now : 1);
}

void guest_arch_timer_stop(void)
{
	lapic_w(G_LAPIC_TIMER_INIT, 0);
}

/* ---- boot, SMP ---- */

static void cpu_local_init(unsigned cpu)
{
	g_idt_load();
	lapic_enable();
	lapic_w(G_LAPIC_TPR, 0);
	lapic_w(G_LAPIC_DFR, 0xFFFFFFFFU);
	lapic_w(G_LAPIC_LDR, (1U << cpu) << 24);
	lapic_w(G_LAPIC_LVT_TIMER, G_LVT_MASKED);
}

int guest_arch_init(void *boot_info)
{
	(void)boot_info;
	cpu_local_init(0);
	/* PIC modes: the 8259A pair is programmed and masked, as Linux does before using the IOAPIC. */
	if (!(boot_flags & G_BOOT_NO_PIC))
		pic_init(G_PIC_VEC_M, G_PIC_VEC_S, G_PIC_ICW4_8086, G_PIC_MASK_ALL, G_PIC_MASK_ALL);
	calibrate();
	for (unsigned irq = IRQ_IPI_BASE; irq < IRQ_TIMER; irq++)
		srcs[irq].cpu_enabled = ~0U;   /* IPIs are on unless a test turns them off */
	vector_of(IRQ_TIMER);
	return 0;
}

const char *guest_arch_bootargs(void)
{
	return (boot_flags & G_BOOT_ARGS) ? (const char *)G_BOOTARGS : no_args;
}

unsigned guest_arch_cpu_id(void) { return g_cpu(); }
unsigned guest_arch_nr_cpus(void) { return nr_cpus; }

/* ABI 1.2's CPU_STATE; -1 ("cannot tell") from a VMM without the power calls, so the suite skips. */
int guest_arch_cpu_state(unsigned cpu)
{
	int64_t st = hv_call(HV_CALL_CPU_STATE, cpu, 0, 0);

	return st < 0 ? -1 : (int)st;
}

/* CPU_OFF returns only when refused (the last vCPU on); the caller then carries on. */
void guest_arch_cpu_stop(void)
{
	hv_call(HV_CALL_CPU_OFF, 0, 0, 0);
}

/* At boot every AP is already running (long mode from reset) and waits in x86_main for its start
 * box. A CPU stopped by CPU_OFF is started again with CPU_ON at _start, its index as the context
 * (start.S takes its stack from RDI), and then finds the same start box. */
int guest_arch_cpu_start(unsigned cpu, void (*fn)(unsigned cpu))
{
	if (cpu == 0 || cpu >= nr_cpus || cpu >= GUEST_MAX_CPUS)
		return -1;
	__atomic_store_n(&start_box[cpu].fn, fn, __ATOMIC_RELEASE);
	if (guest_arch_cpu_state(cpu) == HV_CPU_STATE_OFF &&
	    hv_call(HV_CALL_CPU_ON, cpu, (uint64_t)(uintptr_t)_start, cpu) != HV_ABI_OK)
		return -1;
	return 0;
}

void x86_main(uint64_t cpu, uint64_t nr, uint64_t flags);
void x86_main(uint64_t cpu, uint64_t nr, uint64_t flags)
{
	void (*fn)(unsigned);

	if (cpu == 0) {
		nr_cpus = nr > GUEST_MAX_CPUS ? GUEST_MAX_CPUS : (unsigned)nr;
		boot_flags = (unsigned)flags;
		g_idt_init();
		__atomic_store_n(&idt_ready, 1, __ATOMIC_RELEASE);
		guest_arch_init(0);
		guest_main();
		for (;;)
			hv_call(HV_CALL_HALT, HALT_FAULT, 0, 0);
	}
	/* APs start in long mode with the rest of the machine; they wait here for CPU_ON's equivalent. */
	while (!__atomic_load_n(&idt_ready, __ATOMIC_ACQUIRE))
		g_pause();
	while (!(fn = __atomic_load_n(&start_box[cpu].fn, __ATOMIC_ACQUIRE)))
		g_pause();
	cpu_local_init((unsigned)cpu);
	fn((unsigned)cpu);
	for (;;)
		g_sti_hlt();
}

/* ---- calls and console ---- */

long guest_arch_hypercall(unsigned call, unsigned long a0, unsigned long a1, unsigned long a2)
{
	return (long)hv_call(call, a0, a1, a2);
}

long guest_arch_firmware_call(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	(void)fid;
	(void)a0;
	(void)a1;
	(void)a2;
	return -1;   /* no PSCI on x86: vCPUs start in long mode */
}

void guest_arch_console_write(const char *s, size_t len)
{
	while (len) {
		size_t n = len > CONSOLE_CHUNK ? CONSOLE_CHUNK : len;

		hv_call(HV_CALL_CONSOLE_WRITE, (uint64_t)(uintptr_t)s, n, 0);
		s += n;
		len -= n;
	}
}

/* ---- interrupt sources ---- */

unsigned guest_arch_irq_of_line(unsigned line) { return IRQ_LINE_BASE + line; }
unsigned guest_arch_irq_of_ipi(unsigned n) { return IRQ_IPI_BASE + n; }
unsigned guest_arch_irq_of_timer(void) { return IRQ_TIMER; }

static unsigned gsi_of(unsigned irq) { return irq - IRQ_LINE_BASE; }

/* The RTE is left unmasked once configured: disabling is lazy, as Linux does it, so an edge that
 * arrives while the source is disabled is held (soft pending) and re-sent on enable. */
static void program_line(unsigned irq, bool masked)
{
	struct src *s = &srcs[irq];

	ioapic_route(gsi_of(irq), s->vector, (s->level ? G_RTE_LEVEL : 0) | (masked ? G_RTE_MASKED : 0), s->cpu);
}

void guest_arch_irq_configure(unsigned irq, unsigned prio, bool level)
{
	struct src *s;

	/* An MSI's vector is in the device's data: only guest_arch_msi_setup() may change it. */
	if (irq >= NR_SRC || is_msi(irq))
		return;
	s = &srcs[irq];
	assign_vector(irq, prio < GUEST_PRIO_LEVELS ? prio : GUEST_PRIO_LEVELS - 1U);
	s->level = level;
	s->configured = true;
	if (is_line(irq)) {
		s->enabled = false;
		s->soft_pending = false;
		program_line(irq, false);
	}
}

void guest_arch_irq_enable(unsigned irq, bool on)
{
	struct src *s;
	unsigned me = g_cpu();

	if (irq >= NR_SRC || !srcs[irq].configured || is_msi(irq))
		return;   /* an MSI is on from its setup to its teardown */
	s = &srcs[irq];
	if (is_line(irq)) {
		s->enabled = on;
		if (!on)
			return;
		program_line(irq, false);   /* a held level line is delivered again by the IOAPIC */
		if (s->soft_pending && !s->level) {
			s->soft_pending = false;
			lapic_ipi(s->cpu, s->vector);   /* re-send the held edge, like Linux's IRQ resend */
		}
		s->soft_pending = false;
		return;
	}
	if (on)
		__atomic_or_fetch(&s->cpu_enabled, 1U << me, __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&s->cpu_enabled, ~(1U << me), __ATOMIC_SEQ_CST);
	if (irq == IRQ_TIMER) {
		lapic_w(G_LAPIC_LVT_TIMER, timer_lvt());
	} else if (on && (s->cpu_pending & (1U << me))) {
		__atomic_and_fetch(&s->cpu_pending, ~(1U << me), __ATOMIC_SEQ_CST);
		lapic_self_ipi(s->vector);
	}
}

void guest_arch_irq_route(unsigned irq, unsigned cpu)
{
	if (!is_line(irq) || cpu >= nr_cpus)
		return;
	srcs[irq].cpu = (uint8_t)cpu;
	if (srcs[irq].configured)
		program_line(irq, !srcs[irq].enabled && srcs[irq].soft_pending);
}

static bool lapic_vec_bit(uint32_t base, unsigned v)
{
	return lapic_r(base + (v / 32U) * 0x10U) & (1U << (v % 32U));
}

int guest_arch_irq_pending(unsigned irq)
{
	struct src *s;

	if (irq >= NR_SRC || !srcs[irq].vector)
		return -1;
	s = &srcs[irq];
	if (s->soft_pending || (s->cpu_pending & (1U << g_cpu())))
		return 1;
	return lapic_vec_bit(G_LAPIC_IRR, s->vector) ? 1 : 0;
}

int guest_arch_irq_active(unsigned irq)
{
	if (irq >= NR_SRC || !srcs[irq].vector)
		return -1;
	return lapic_vec_bit(G_LAPIC_ISR, srcs[irq].vector) ? 1 : 0;
}

void guest_arch_irq_clear_pending(unsigned irq)
{
	/* Only the held (soft) state can be dropped: an x86 guest cannot clear a LAPIC IRR bit. */
	if (irq < NR_SRC) {
		srcs[irq].soft_pending = false;
		__atomic_and_fetch(&srcs[irq].cpu_pending, ~(1U << g_cpu()), __ATOMIC_SEQ_CST);
	}
}

/* ---- message-signalled interrupts of the test device ---- */

/* The VMM (and KVM) give vCPU i the APIC ID i; IPIs and IOAPIC routes here rely on it too. */
static unsigned apic_id_of(unsigned cpu) { return cpu; }

/* The message gets a vector of prio's class like any other source (so it never collides with a
 * line's, an IPI's or the timer's) and the device is programmed with it, edge, fixed delivery,
 * physical destination. Set up again, the vector stays unless the priority moved, so a message
 * already in flight still finds its owner; only the address changes (a move to another CPU). */
bool guest_arch_msi_setup(unsigned n, unsigned cpu, unsigned prio, uint64_t *addr, uint32_t *data)
{
	unsigned irq = IRQ_MSI_BASE + n;
	struct src *s;

	if (n >= GUEST_NR_MSIS || cpu >= nr_cpus || !addr || !data)
		return false;
	s = &srcs[irq];
	if (prio >= GUEST_PRIO_LEVELS)
		prio = GUEST_PRIO_LEVELS - 1U;
	if (!s->vector || s->prio != prio)
		assign_vector(irq, prio);
	if (!s->vector)
		return false;
	s->cpu = (uint8_t)cpu;
	s->level = false;
	s->configured = true;
	s->enabled = true;
	*addr = G_MSI_ADDR_BASE | ((uint64_t)apic_id_of(cpu) << G_MSI_ADDR_DEST_SHIFT);
	*data = s->vector | G_MSI_DATA_FIXED | G_MSI_DATA_EDGE;
	return true;
}

unsigned guest_arch_irq_of_msi(unsigned n) { return IRQ_MSI_BASE + n; }

/* x86 has no translation to undo: the device would simply be told to stop. The vector is retired,
 * so a message the test device sends anyway is ended unseen (x86_isr) and the vector can be reused. */
void guest_arch_msi_teardown(unsigned n)
{
	struct src *s;

	if (n >= GUEST_NR_MSIS)
		return;
	s = &srcs[IRQ_MSI_BASE + n];
	if (s->vector)
		vec_owner[s->vector] = VEC_RETIRED;
	s->vector = 0;
	s->configured = false;
	s->enabled = false;
}

/* ---- this CPU ---- */

void guest_arch_local_irq_enable(void) { g_sti(); }
void guest_arch_local_irq_disable(void) { g_cli(); }

void guest_arch_set_priority_mask(unsigned mask)
{
	/* Block priority >= mask: TPR's class blocks that class and every lower one. */
	lapic_w(G_LAPIC_TPR, mask >= GUEST_PRIO_LEVELS ? 0 : (class_of(mask) << 4));
}

/* x86 HLT with IF clear does not wake for an interrupt under every hypervisor (KVM keeps such a
 * vCPU halted), so the wait opens the interrupt window: sti;hlt is atomic, the interrupt is taken. */
void guest_arch_wait_for_interrupt(void)
{
	uint64_t rflags;

	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	g_sti_hlt();
	if (!(rflags & (1U << 9)))
		g_cli();
}

void guest_arch_cpu_relax(void) { g_pause(); }

/* ---- IPIs ---- */

void guest_arch_send_ipi(unsigned cpu, unsigned n)
{
	if (n <= GUEST_NR_IPIS && cpu < nr_cpus)
		lapic_ipi(cpu, vector_of(IRQ_IPI_BASE + n));
}

void guest_arch_send_ipi_others(unsigned n)
{
	if (n <= GUEST_NR_IPIS)
		lapic_w(G_LAPIC_ICR_LO, G_ICR_ALL_EXCL | vector_of(IRQ_IPI_BASE + n));
}

/* ---- end of interrupt: x86 has no split EOI ---- */

bool guest_arch_has_split_eoi(void) { return false; }
void guest_arch_set_split_eoi(bool on) { (void)on; }
void guest_arch_deactivate(unsigned irq) { (void)irq; }

/* ---- special modes ---- */

bool guest_arch_hostile(void)
{
	bool pic = !(boot_flags & G_BOOT_NO_PIC);

	x86_garbage(pic);
	x86_restore(pic);
	/* Drain what the garbage left: every vector arriving now has no owner and is ended. */
	for (unsigned r = 0; r < 5; r++) {
		uint64_t end = guest_arch_now_ns() + 20 * NS_PER_MS_U;

		g_sti();
		while (guest_arch_now_ns() < end)
			g_pause();
		g_cli();
		if (pic)
			pic_init(G_PIC_VEC_M, G_PIC_VEC_S, G_PIC_ICW4_8086, G_PIC_MASK_ALL, G_PIC_MASK_ALL);
	}
	cpu_local_init(0);
	return true;
}

bool guest_arch_fault(unsigned kind)
{
	volatile uint64_t *p = (volatile uint64_t *)UNMAPPED_VA;

	if (kind == 0)
		(void)*p;
	else
		((void (*)(void))UNMAPPED_VA)();
	return false;
}

/* ---- interrupt entry ---- */

void x86_isr(struct g_frame *f);
void x86_isr(struct g_frame *f)
{
	unsigned v = (unsigned)f->vector;
	unsigned owner = vec_owner[v];
	unsigned me = g_cpu();
	bool in_service = v >= FIRST_EXTERNAL || lapic_in_service(v);
	struct src *s;

	if (v < FIRST_EXTERNAL && !in_service) {
		uint64_t cr2;

		if (v == NMI_VECTOR)
			return;
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		guest_fatal(v == PF_VECTOR ? "page fault" : "CPU exception", (v << 16) | (f->error & 0xFFFF),
			    v == PF_VECTOR ? cr2 : 0, f->rip);
		return;
	}
	if (owner == VEC_RETIRED) {
		/* A torn-down MSI the device sent anyway: nothing is delivered for it. */
		if (lapic_in_service(v))
			lapic_eoi();
		return;
	}
	if (!owner) {
		guest_irq_dispatch(UNHANDLED_IRQ);
		if (lapic_in_service(v))
			lapic_eoi();
		return;
	}
	s = &srcs[owner - 1U];
	if (is_line(owner - 1U) && !s->enabled) {
		/* Lazy disable: hold it, mask the pin so a level line stops, end it at the LAPIC. */
		s->soft_pending = true;
		program_line(owner - 1U, true);
		lapic_eoi();
		return;
	}
	if (is_per_cpu(owner - 1U) && !(s->cpu_enabled & (1U << me))) {
		__atomic_or_fetch(&s->cpu_pending, 1U << me, __ATOMIC_SEQ_CST);
		lapic_eoi();
		return;
	}
	guest_irq_dispatch(owner - 1U);
	lapic_eoi();
}

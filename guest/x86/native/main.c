/* main.c: x86 guest boot: IDT, LAPIC, the cold-start tick, optional hostile phase, then the suite.
 * The BSP runs the checks; APs (entered in long mode with their index) serve IPIs. */
#include "native.h"
#include "suite.h"

#define TICK_PERIOD_US 1000U
#define V_TICK_IOAPIC  0x30U
#define V_TICK_PIC     0x20U
#define PIC_BASE_S     0x28U
#define PIC_ONLY_IRQ0  0xFEU
#define AP_WAIT_MS     10000U   /* 63 APs under ASan on 2 host CPUs take a while */

static volatile unsigned idt_ready;
static volatile unsigned ticks;

static void tick_ioapic(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	ticks++;
	lapic_eoi();
}

static void tick_pic(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	ticks++;
	pic_eoi(0);
}

/* Reset to the first timer tick with as few exits as the mode allows: in PIC mode the tick comes
 * through the 8259A and LINT0 (virtual wire), in XapicOnly through the IOAPIC. */
static void cold_start(bool pic)
{
	if (pic) {
		g_set_handler(V_TICK_PIC, tick_pic);
		pic_init(V_TICK_PIC, PIC_BASE_S, 0x01, PIC_ONLY_IRQ0, 0xFF);
	} else {
		g_set_handler(V_TICK_IOAPIC, tick_ioapic);
		ioapic_route(HV_LINE_TIMER, V_TICK_IOAPIC, 0, 0);
	}
	hv_call(HV_CALL_TIMER_PERIOD, TICK_PERIOD_US, 0, 0);
	while (ticks == 0)
		g_sti_hlt();
	g_cli();
	/* This call is the marker: the VMM counts cold-start exits up to here. */
	g_print("x86 guest: first timer tick\n");
	hv_call(HV_CALL_TIMER_PERIOD, 0, 0, 0);
	if (pic)
		pic_mask_all();
	else
		ioapic_mask(HV_LINE_TIMER);
}

void x86_main(uint64_t cpu, uint64_t nr, uint64_t flags);
void x86_main(uint64_t cpu, uint64_t nr, uint64_t flags)
{
	unsigned failed, t = 0;

	if (cpu == 0) {
		g_idt_init();
		__atomic_store_n(&idt_ready, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&idt_ready, __ATOMIC_ACQUIRE))
			g_pause();
	}
	g_idt_load();
	if (cpu != 0) {
		while (!__atomic_load_n(&g_ap_go, __ATOMIC_ACQUIRE))
			g_pause();
		suite_ap_main((unsigned)cpu);
	}
	g_env.nr_cpus = (unsigned)(nr > G_MAX_CPUS ? G_MAX_CPUS : nr);
	g_env.flags = (unsigned)flags;
	lapic_enable();
	cold_start(!(flags & G_BOOT_NO_PIC));
	g_print("x86 guest: %u vCPU(s), %s%s\n", g_env.nr_cpus,
		(flags & G_BOOT_KERNEL) ? "in-kernel irqchip" : (flags & G_BOOT_SPLIT) ? "split irqchip (KVM's LAPIC)" :
		(flags & G_BOOT_NO_PIC) ? "XapicOnly" : "userspace PIC+APIC",
		(flags & G_BOOT_HOSTILE) ? ", hostile phase first" : "");
	g_calibrate();
	if (flags & G_BOOT_HOSTILE)
		hostile_phase();
	__atomic_store_n(&g_ap_go, 1, __ATOMIC_RELEASE);
	while (g_ap_ready < g_env.nr_cpus - 1 && t++ < AP_WAIT_MS)
		g_spin_ms(1);
	if (g_ap_ready < g_env.nr_cpus - 1)
		g_print("x86 guest: only %u of %u APs reported in\n", g_ap_ready, g_env.nr_cpus - 1);
	/* Measurements instead of the suite; the APs sleep in HLT meanwhile. */
	if ((flags & G_BOOT_ARGS) && g_has_word((const char *)G_BOOTARGS, "scale")) {
		scale_run();
		g_halt(0);
	}
	if ((flags & G_BOOT_ARGS) && g_has_word((const char *)G_BOOTARGS, "bench")) {
		bench_run();
		g_halt(0);
	}
	failed = suite_run();
	g_halt(failed ? 1 : 0);
}

/* walkthrough.c: an outside hypervisor's view of the installed vgic core, built only through pkg-config.
 * Two vCPUs on the software CPU-interface model; a UART-like device's level line walks from raise to EOI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vgic/vgic.h>
#include <vgic/icv_model.h>

#define NR_VCPUS   2U
#define NR_SPIS    64U
#define NR_LRS     4U
#define PRIO_BITS  5U
#define UART_LINE  1U                      /* irq-line 1 of the SPI chip is SPI 33 */
#define UART_INTID (VGIC_SPI_BASE + UART_LINE)
#define UART_PRIO  0xa0U
#define UART_VCPU  1U                      /* routed to the second vCPU */

/* Everything one VM needs lives in caller storage: the core allocates nothing. */
struct machine {
	struct vgic vm;
	struct vgic_vcpu vcpus[NR_VCPUS];
	struct vgic_irq spis[NR_SPIS];
	struct icv_model cpu[NR_VCPUS];        /* the "hardware" list registers of each vCPU */
	unsigned kicks[NR_VCPUS];
};

/* A device model: it knows an irq_line, never which interrupt controller is behind it. */
struct uart {
	struct irq_line irq;
	int rx_bytes;                          /* bytes waiting: the line is high while there are any */
	unsigned resamples;
};

static int failures;

static void check(int ok, const char *what)
{
	printf("  %s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static void on_kick(void *ctx, struct vgic_vcpu *vcpu)
{
	struct machine *m = ctx;

	m->kicks[vcpu->id]++;
	printf("  hook kick: vCPU %u has new work (an EL2 hypervisor sends a physical SGI here)\n", vcpu->id);
}

static void on_print(void *ctx, const char *s)
{
	(void)ctx;
	fputs(s, stdout);
}

static const struct vgic_hooks hooks = {
	.kick = on_kick,       /* lock/unlock left NULL: this program is single-threaded */
	.print = on_print,
};

/* The guest ended the interrupt: the device re-evaluates and drives the line again if it still has data. */
static void uart_resample(void *owner, uint32_t line)
{
	struct uart *u = owner;

	u->resamples++;
	printf("  resample: line %u ended by the guest; the UART has %d byte(s) left\n", line, u->rx_bytes);
	if (irq_line_set(&u->irq, u->rx_bytes > 0) != HV_OK)
		failures++;
}

static void show_state(struct machine *m, const char *when)
{
	struct vgic_irq_state st;

	if (vgic_irq_get_state(&m->vm, UART_VCPU, UART_INTID, &st) != HV_OK) {
		failures++;
		return;
	}
	printf("  state %-22s pending=%d active=%d line=%d queued_on=%d\n", when, st.pending, st.active,
	       st.line_level, st.queued_on);
}

static int step(const char *title)
{
	static int n;

	printf("\n%d. %s\n", ++n, title);
	return n;
}

int main(void)
{
	struct machine *m = calloc(1, sizeof(*m));
	struct uart uart = { .rx_bytes = 0 };
	struct vgic_config cfg = { .nr_vcpus = NR_VCPUS, .nr_spis = NR_SPIS, .prio_bits = PRIO_BITS };
	struct icv_model *cpu;
	struct vgic_irq_state st;
	uint32_t intid;

	if (!m)
		return 2;
	cpu = &m->cpu[UART_VCPU];
	printf("vgic walkthrough, built against the installed vgic %d.%d.%d\n", VGIC_VERSION_MAJOR,
	       VGIC_VERSION_MINOR, VGIC_VERSION_PATCH);

	step("create the VGIC: 2 vCPUs, 64 SPIs, a software CPU interface with 4 LRs per vCPU");
	check(vgic_init(&m->vm, &cfg, &hooks, m, m->vcpus, m->spis) == HV_OK, "vgic_init");
	for (uint32_t i = 0; i < NR_VCPUS; i++) {
		check(icv_model_init(&m->cpu[i], NR_LRS, PRIO_BITS) == HV_OK, "icv_model_init");
		check(vgic_vcpu_set_backend(&m->vm, i, &m->cpu[i].be) == HV_OK, "vgic_vcpu_set_backend");
		/* What the guest's GIC driver does at its CPU interface: enable group 1, open the mask. */
		icv_set_group_enable(&m->cpu[i], 1, true);
		icv_set_pmr(&m->cpu[i], 0xff);
	}
	check(vgic_init(&m->vm, NULL, &hooks, m, m->vcpus, m->spis) == HV_EINVAL,
	      "a bad argument is an error code, not a crash");

	step("the guest programs the distributor: SPI 33 group 1, priority 0xa0, level, routed to vCPU 1");
	check(vgic_irq_set_group(&m->vm, 0, UART_INTID, 1) == HV_OK, "group 1");
	check(vgic_irq_set_priority(&m->vm, 0, UART_INTID, UART_PRIO) == HV_OK, "priority");
	check(vgic_irq_set_trigger(&m->vm, 0, UART_INTID, VGIC_LEVEL) == HV_OK, "level-triggered");
	check(vgic_irq_set_target(&m->vm, UART_INTID, UART_VCPU) == HV_OK, "routed to vCPU 1");
	check(vgic_irq_set_enabled(&m->vm, 0, UART_INTID, true) == HV_OK, "enabled");
	check(vgic_dist_enable(&m->vm, false, true) == HV_OK, "distributor group 1 enabled");

	step("wire the device: the UART's irq_line is line 1 of the VGIC's SPI chip");
	check(irq_line_bind(&uart.irq, vgic_spi_chip(&m->vm), UART_LINE) == HV_OK, "irq_line_bind");
	check(irq_line_set_resample(&uart.irq, uart_resample, &uart) == HV_OK, "resample callback");

	step("a byte arrives: the device raises its line");
	uart.rx_bytes = 1;
	check(irq_line_raise(&uart.irq) == HV_OK, "irq_line_raise");
	check(m->kicks[UART_VCPU] == 1 && m->kicks[0] == 0, "only vCPU 1 was kicked");
	show_state(m, "after the raise:");

	step("vCPU 1 enters the guest: the ap_list goes into the list registers");
	lr_backend_reset_counts(&cpu->be);
	check(vgic_flush_lrs(&m->vm, UART_VCPU) == HV_OK, "vgic_flush_lrs");
	printf("  LR0 = %#018llx (state pending=%d, vINTID %llu, priority %#llx, EOI bit %d)\n",
	       (unsigned long long)cpu->lr[0], !!(cpu->lr[0] & ICH_LR_STATE_PENDING),
	       (unsigned long long)(cpu->lr[0] & ICH_LR_VINTID_MASK),
	       (unsigned long long)((cpu->lr[0] & ICH_LR_PRIORITY_MASK) >> ICH_LR_PRIORITY_SHIFT),
	       !!(cpu->lr[0] & ICH_LR_EOI));
	printf("  register accesses for this entry: %llu\n", (unsigned long long)lr_backend_total(&cpu->be));
	check(icv_irq_signalled(cpu, 1), "the CPU interface signals a virtual IRQ");

	step("the guest acknowledges (ICV_IAR1_EL1), drains the UART, and EOIs (ICV_EOIR1_EL1): no exit");
	intid = icv_iar(cpu, 1);
	printf("  IAR1 -> %u\n", intid);
	check(intid == UART_INTID, "the guest took SPI 33");
	uart.rx_bytes = 0;                     /* the handler read the byte; the line stays high until resample */
	icv_eoir(cpu, 1, intid);
	check(!icv_irq_signalled(cpu, 1), "nothing else is signalled");

	step("vCPU 1 exits: the used LRs are folded back, the level EOI resamples the device");
	check(vgic_sync_lrs(&m->vm, UART_VCPU) == HV_OK, "vgic_sync_lrs");
	check(uart.resamples == 1, "the device was asked to resample once");
	show_state(m, "after the exit:");
	check(vgic_irq_get_state(&m->vm, UART_VCPU, UART_INTID, &st) == HV_OK && !st.pending && !st.active &&
	      !st.line_level && !st.queued, "SPI 33 is idle: not pending, not active, line low, not queued");

	step("the next entries: the first clears the LR the interrupt left; after that, idle costs nothing");
	lr_backend_reset_counts(&cpu->be);
	check(vgic_flush_lrs(&m->vm, UART_VCPU) == HV_OK, "vgic_flush_lrs");
	printf("  register accesses for the first entry: %llu (LR0 now %#llx)\n",
	       (unsigned long long)lr_backend_total(&cpu->be), (unsigned long long)cpu->lr[0]);
	check(vgic_sync_lrs(&m->vm, UART_VCPU) == HV_OK, "vgic_sync_lrs");
	lr_backend_reset_counts(&cpu->be);
	check(vgic_flush_lrs(&m->vm, UART_VCPU) == HV_OK && vgic_sync_lrs(&m->vm, UART_VCPU) == HV_OK,
	      "an idle entry and exit");
	check(lr_backend_total(&cpu->be) == 0, "the idle round made 0 register accesses");

	printf("\nvgic_dump():\n");
	vgic_dump(&m->vm);
	printf("\nwalkthrough: %s (%d failure%s)\n", failures ? "FAILED" : "done", failures, failures == 1 ? "" : "s");
	free(m);
	return failures ? 1 : 0;
}

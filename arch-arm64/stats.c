/* stats.c: print the per-CPU exit counters, the LR-backend access counts and the vgic core's statistics.
 * Line formats are stable: tests/integration/run-suite.sh parses "hyp: exits", "hyp: lr" and "hyp: quiet";
 * scripts/bench-qemu.sh parses "hyp: mark". */
#include "stats.h"
#include "pvtimer.h"
#include "vcpu.h"
#include "vm.h"
#include "storm.h"
#include "sched.h"

static const char *const exit_names[EXC_NR] = {
	[EXC_HVC_ABI] = "hvc_abi", [EXC_HVC_PSCI] = "hvc_psci", [EXC_MMIO_GICD] = "mmio_gicd",
	[EXC_MMIO_GICR] = "mmio_gicr", [EXC_MMIO_GITS] = "mmio_gits", [EXC_MMIO_PCI] = "mmio_pci", [EXC_MMIO_OTHER] = "mmio_other", [EXC_SGI1R] = "sgi_sysreg",
	[EXC_DIR] = "dir_sysreg", [EXC_SYSREG_OTHER] = "sysreg_other", [EXC_WFI] = "wfi",
	[EXC_WFE] = "wfe", [EXC_IRQ] = "irq", [EXC_FIQ_SERROR] = "fiq_serror", [EXC_IABT] = "iabt",
	[EXC_OTHER_SYNC] = "other_sync",
};

static const char *const irq_names[IRQC_NR] = {
	[IRQC_VTIMER] = "vtimer", [IRQC_PTIMER] = "ptimer", [IRQC_PVTIMER] = "pvtimer",
	[IRQC_MAINT] = "maintenance", [IRQC_KICK] = "kick_sgi", [IRQC_UART] = "uart",
	[IRQC_SPURIOUS] = "spurious", [IRQC_OTHER] = "other",
};

static uint64_t sum_exits(unsigned cause)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i < hyp_nr_cpus; i++)
		t += pcpus[i].stats.exits[cause];
	return t;
}

static void print_exits(void)
{
	uint64_t total = 0;

	for (unsigned c = 0; c < EXC_NR; c++)
		total += sum_exits(c);
	hyp_printf("hyp: exits %lu total\n", total);
	for (unsigned c = 0; c < EXC_NR; c++) {
		if (!sum_exits(c))
			continue;
		hyp_printf("hyp:   exit %-12s %8lu  (", exit_names[c], sum_exits(c));
		for (uint32_t i = 0; i < hyp_nr_cpus; i++)
			hyp_printf("%scpu%u %lu", i ? ", " : "", i, pcpus[i].stats.exits[c]);
		hyp_puts(")\n");
	}
}

static void print_irqs(void)
{
	for (unsigned c = 0; c < IRQC_NR; c++) {
		uint64_t t = 0;

		for (uint32_t i = 0; i < hyp_nr_cpus; i++)
			t += pcpus[i].stats.irqs[c];
		if (t || c == IRQC_MAINT)
			hyp_printf("hyp:   irq  %-12s %8lu\n", irq_names[c], t);
	}
}

static void print_lr(void)
{
	uint64_t kinds[LR_ACC_NR] = { 0 };
	uint64_t total = 0, exits = 0, quiet = 0, quiet_acc = 0;

	for (uint32_t i = 0; i < hyp_nr_cpus; i++) {
		const struct pcpu *p = &pcpus[i];

		for (unsigned k = 0; k < LR_ACC_NR; k++)
			kinds[k] += p->be.count[k];
		total += lr_backend_total(&p->be);
		for (unsigned c = 0; c < EXC_NR; c++)
			exits += p->stats.exits[c];
		quiet += p->stats.quiet_exits;
		quiet_acc += p->stats.quiet_lr_accesses;
	}
	hyp_printf("hyp: lr accesses %lu total, %lu.%02lu per exit\n", total,
		   exits ? total / exits : 0, exits ? (total * 100 / exits) % 100 : 0);
	hyp_puts("hyp:  ");
	for (unsigned k = 0; k < LR_ACC_NR; k++)
		if (kinds[k])
			hyp_printf(" %s %lu", lr_access_name((enum lr_access)k), kinds[k]);
	hyp_puts("\n");
	hyp_printf("hyp: quiet exits %lu lr_accesses %lu (exits with nothing in flight)\n", quiet, quiet_acc);
}

static void print_vgic(void)
{
	struct vgic_vcpu_stats t = { 0 };

	for (uint32_t i = 0; i < hyp_nr_vcpus; i++) {
		const struct vgic_vcpu_stats *s = &vgic_get_vcpu(&vcpus[i].vm->vgic, vcpus[i].id)->stats;

		t.flushes += s->flushes;
		t.syncs += s->syncs;
		t.lrs_filled += s->lrs_filled;
		t.taken += s->taken;
		t.overflows += s->overflows;
		t.evicted_active += s->evicted_active;
		t.eoicount_deact += s->eoicount_deact;
		t.dir_traps += s->dir_traps;
		t.resamples += s->resamples;
		t.kicks += s->kicks;
	}
	hyp_printf("hyp: vgic flushes %lu syncs %lu lrs_filled %lu overflows %lu evicted_active %lu\n",
		   t.flushes, t.syncs, t.lrs_filled, t.overflows, t.evicted_active);
	hyp_printf("hyp: vgic eoicount_deact %lu dir_traps %lu resamples %lu kicks %lu pvtimer_ticks %lu\n",
		   t.eoicount_deact, t.dir_traps, t.resamples, t.kicks, pvtimer_ticks_delivered());
	storm_report();
	sched_report();
	if (vms[0].pci.disk) {
		const struct vblk_stats *d = &vms[0].pci.disk->st;

		hyp_printf("hyp: disk notifies %lu requests %lu bytes_read %lu io_errors %lu unsupported %lu bad_chains %lu\n",
			   d->notifies, d->requests, d->bytes_read, d->io_errors, d->unsupported, d->bad_chains);
		hyp_printf("hyp: disk msis %lu deferred %lu sent_at_unmask %lu misses %lu queues_refused %lu bad_accesses %lu\n",
			   d->msis, d->msis_deferred, d->msis_unmasked, d->msi_misses, d->queues_refused,
			   d->bad_accesses);
	}
	for (uint32_t i = 0; i < hyp_nr_vms; i++) {
		const struct vgic_its_stats *its = &vms[i].its.stats;

		if (!vms[i].its_base)
			continue;
		if (hyp_nr_vms > 1)
			hyp_printf("hyp: vm%u ", i);
		else
			hyp_puts("hyp: ");
		hyp_printf("its commands %lu errors %lu msis %lu dropped %lu\n", its->commands, its->cmd_errors,
			   its->msis, its->msis_dropped);
	}
	if (t.lrs_filled) {
		uint64_t exits = 0, acc = 0;

		for (uint32_t i = 0; i < hyp_nr_cpus; i++) {
			for (unsigned c = 0; c < EXC_NR; c++)
				exits += pcpus[i].stats.exits[c];
			acc += lr_backend_total(&pcpus[i].be);
		}
		/* An LR fill is one interrupt handed to the guest by one entry (a re-fill counts again). */
		hyp_printf("hyp: per LR fill: %lu.%02lu exits, %lu.%02lu LR accesses\n", exits / t.lrs_filled,
			   exits * 100 / t.lrs_filled % 100, acc / t.lrs_filled, acc * 100 / t.lrs_filled % 100);
		/* Delivered: the guest acknowledged it (the core's count of LRs taken out of Pending). */
		if (t.taken)
			hyp_printf("hyp: per delivered interrupt (%lu): %lu.%02lu exits, %lu.%02lu LR accesses\n",
				   t.taken, exits / t.taken, exits * 100 / t.taken % 100, acc / t.taken,
				   acc * 100 / t.taken % 100);
	}
}

void stats_print(void)
{
	uint64_t sleeps = 0, aborts = 0;

	hyp_puts("hyp: ---- exit accounting ----\n");
	print_exits();
	print_irqs();
	for (uint32_t i = 0; i < hyp_nr_cpus; i++) {
		sleeps += pcpus[i].stats.wfi_sleeps;
		aborts += pcpus[i].stats.injected_aborts;
	}
	hyp_printf("hyp: wfi sleeps %lu, exceptions injected %lu\n", sleeps, aborts);
	print_lr();
	print_vgic();
}

/* A load that another CPU's concurrent increment cannot tear (the counters are plain uint64_t). */
static uint64_t peek(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * A guest console line "@@mark LABEL ..." sent with the ABI's CONSOLE_WRITE (so it costs exactly one
 * exit) makes us print the running totals, as the x86 VMM does: a runner subtracts two marks to get
 * the exits and LR accesses of what the guest did between them. The other CPUs keep running, so a
 * total may be a few increments stale; the guest serialises its marks.
 */
void stats_mark(const char *text, uint64_t len)
{
	char label[MARK_LABEL_MAX + 1];
	uint64_t exits = 0, lr = 0, maint = 0, fills = 0;
	uint64_t pre = sizeof(MARK_PREFIX) - 1, n = 0;

	if (len <= pre || memcmp(text, MARK_PREFIX, pre) != 0)
		return;
	while (n < MARK_LABEL_MAX && pre + n < len && text[pre + n] > ' ')
		n++;
	memcpy(label, text + pre, n);
	label[n] = 0;
	for (uint32_t i = 0; i < hyp_nr_cpus; i++) {
		const struct pcpu *p = &pcpus[i];

		for (unsigned c = 0; c < EXC_NR; c++)
			exits += peek(&p->stats.exits[c]);
		for (unsigned k = 0; k < LR_ACC_NR; k++)
			lr += peek(&p->be.count[k]);
		maint += peek(&p->stats.irqs[IRQC_MAINT]);
	}
	for (uint32_t i = 0; i < hyp_nr_vcpus; i++)
		fills += peek(&vgic_get_vcpu(&vcpus[i].vm->vgic, vcpus[i].id)->stats.lrs_filled);
	hyp_printf("hyp: mark %s exits=%lu lr_accesses=%lu maint=%lu lr_fills=%lu\n", label, exits, lr, maint,
		   fills);
}

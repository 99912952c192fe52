/* exit.c: ending the run: stop every CPU, print the exit accounting and the status line, power off.
 * QEMU then exits 0 whatever the status; scripts/run-arm64.sh turns the status line into its exit code. */
#include "hyp.h"
#include "gic.h"
#include "psci.h"
#include "stats.h"
#include "sysreg.h"
#include "vcpu.h"

#define PARK_WAIT_MS             200U
#define MS_PER_S                 1000U

static volatile uint32_t ending;
static volatile uint32_t exiting;

/*
 * No semihosting exit code on purpose: QEMU honours semihosting calls from EL1 too, so enabling it
 * would let the guest exit QEMU or open host files itself. PSCI SYSTEM_OFF is all a guest could
 * also reach through us, and the status line printed last (every vCPU parked) is authoritative.
 */
static __attribute__((noreturn)) void machine_exit(void)
{
	exiting = 1;
	psci_fw_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfe();
}

static void stop_other_cpus(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t deadline = read_sysreg(cntpct_el0) + freq * PARK_WAIT_MS / MS_PER_S;
	uint32_t me = hyp_cpu_index();

	hyp_stopping = 1;
	dsb(ish);
	for (uint32_t i = 0; i < hyp_nr_cpus; i++)
		if (i != me)
			gic_send_sgi(pcpus[i].mpidr, HYP_SGI_KICK);
	for (uint32_t i = 0; i < hyp_nr_cpus; i++)
		while (i != me && !__atomic_load_n(&pcpus[i].parked, __ATOMIC_ACQUIRE) &&
		       read_sysreg(cntpct_el0) < deadline)
			cpu_relax();
}

void hyp_end_run(unsigned status, const char *why)
{
	struct pcpu *p = this_pcpu();

	if (__atomic_exchange_n(&ending, 1U, __ATOMIC_ACQ_REL)) {
		/* Someone else is ending the run: stop here and let them count us. */
		__atomic_store_n(&p->parked, 1U, __ATOMIC_RELEASE);
		for (;;)
			wfe();
	}
	stop_other_cpus();
	hyp_puts("\n"); /* end any line the guest left open, so ours start at column 0 */
	stats_print();
	hyp_printf("hyp: run ended: status %u (%s)\n", status, why);
	machine_exit();
}

void hyp_panic(const char *what)
{
	if (exiting)
		machine_exit(); /* a fault while powering off: try again, print nothing */
	hyp_printf("hyp: PANIC on CPU %u: %s\n", hyp_cpu_index(), what);
	hyp_end_run(HYP_STATUS_HYP_PANIC, "hypervisor panic");
}

/* A synchronous exception or interrupt taken at EL2 itself: a hypervisor bug. */
void hyp_fault(uint64_t kind);
void hyp_fault(uint64_t kind)
{
	if (exiting) {
		psci_fw_call(PSCI_SYSTEM_OFF, 0, 0, 0);
		for (;;)
			wfe();
	}
	hyp_printf("hyp: EL2 exception kind %lu: ESR=0x%lx ELR=0x%lx FAR=0x%lx\n", kind,
		   read_sysreg(esr_el2), read_sysreg(elr_el2), read_sysreg(far_el2));
	hyp_panic("exception at EL2");
}

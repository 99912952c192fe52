/* exit.c: ending the run: stop every CPU, print the exit accounting, and leave QEMU with the status.
 * Status 0 leaves through PSCI SYSTEM_OFF; any other through semihosting, whose exit code QEMU returns. */
#include "hyp.h"
#include "gic.h"
#include "psci.h"
#include "stats.h"
#include "sysreg.h"
#include "vcpu.h"

#define SEMIHOST_SYS_EXIT        0x18U
#define SEMIHOST_APP_EXIT        0x20026U  /* ADP_Stopped_ApplicationExit */
#define PARK_WAIT_MS             200U
#define MS_PER_S                 1000U

static volatile uint32_t ending;
static volatile uint32_t exiting;

/* Semihosting exit (QEMU: -semihosting-config enable=on). Without semihosting the HLT traps to
 * hyp_fault, which sees `exiting` and falls back to PSCI SYSTEM_OFF. */
static void semihost_exit(unsigned status)
{
	uint64_t block[2] = { SEMIHOST_APP_EXIT, status };
	register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uint64_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static __attribute__((noreturn)) void machine_exit(unsigned status)
{
	exiting = 1;
	if (status != 0)
		semihost_exit(status);
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
	stats_print();
	hyp_printf("hyp: run ended: status %u (%s)\n", status, why);
	machine_exit(status);
}

void hyp_panic(const char *what)
{
	if (exiting)
		machine_exit(0); /* cannot even exit with a status: power off */
	hyp_printf("hyp: PANIC on CPU %u: %s\n", hyp_cpu_index(), what);
	hyp_end_run(HYP_STATUS_HYP_PANIC, "hypervisor panic");
}

/* A synchronous exception or interrupt taken at EL2 itself: a hypervisor bug (or a failed semihosting call). */
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

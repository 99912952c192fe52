/* suite.c: the guest's main: choose the mode from the boot arguments, run it, print the summary, halt.
 * Modes: (default) the test suite; "hostile" garbage first, then the suite; "idle"; "sgi-stress[=N]";
 * "pci" (the hypervisor's PCI disk driven well and badly, then the suite);
 * "fault"/"fault-exec"/"fault-novec";
 * "bench" adds measurement marks to any of them (bench_marks.c). */
#include "guest.h"

static __attribute__((noreturn)) void finish(void)
{
	unsigned passed, failed, skipped;

	check_summary(&passed, &failed, &skipped);
	if (skipped)
		guest_printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	else
		guest_printf("%u passed, %u failed\n", passed, failed);
	hv_halt(failed);
	for (;;)
		guest_arch_wait_for_interrupt();
}

static void run_suite(void)
{
	uint64_t strays = guest_irq_unhandled();

	tests_abi();
	tests_mem();
	tests_irq();
	tests_eoi();
	tests_timer();
	tests_smp();
	tests_timer2();
	tests_msi();
	tests_fault();
	/* Every interrupt the suite caused has a handler: anything else is a spurious delivery. */
	strays = guest_irq_unhandled() - strays;
	check("no_stray_interrupts", strays == 0, "%lu interrupt(s) arrived that no check asked for", strays);
}

void guest_main(void)
{
	const char *args = guest_arch_bootargs();

	guest_printf("guest: test suite on %u vCPU(s), bootargs \"%s\"\n", guest_arch_nr_cpus(), args);
	if (guest_has_arg(args, "bench"))
		bench_marks_enable();   /* with any mode: a mark after every check, for bench/ */
	bench_mark("begin");
	if (guest_has_arg(args, "idle")) {
		mode_idle();
	} else if (guest_has_arg(args, "sgi-stress") || guest_arg_u32(args, "sgi-stress", &(uint32_t){ 0 })) {
		smp_boot();
		mode_sgi_stress(args);
	} else if (guest_has_arg(args, "fault")) {
		mode_fault(GUEST_FAULT_DATA);
	} else if (guest_has_arg(args, "fault-exec")) {
		mode_fault(GUEST_FAULT_EXEC);
	} else if (guest_has_arg(args, "fault-novec")) {
		mode_fault(GUEST_FAULT_EXEC_NO_VECTOR);
	} else {
		if (guest_has_arg(args, "hostile")) {
			bool done = guest_arch_hostile();

			check("hostile_garbage", done, "%s", done ?
			      "garbage written to every GIC register at every width; controller reset" :
			      "this layer has no hostile mode");
		}
		smp_boot();
		bench_mark("secondaries_up");
		/* The PCI disk driven well and badly, before the suite (with every CPU up: the ITS set-up
		 * covers every redistributor), which must pass afterwards. */
		if (guest_has_arg(args, "pci") && !guest_arch_pci_tests())
			skip("pci", "no PCI disk on this machine (run with a disk image: scripts/run-arm64.sh --disk)");
		run_suite();
	}
	finish();
}

void guest_fatal(const char *what, uint64_t syndrome, uint64_t addr, uint64_t pc)
{
	guest_printf("guest: FATAL on CPU %u: %s: ESR=0x%lx FAR=0x%lx ELR=0x%lx\n", guest_arch_cpu_id(), what,
		     syndrome, addr, pc);
	hv_halt(GUEST_STATUS_FAULT);
	for (;;)
		guest_arch_wait_for_interrupt();
}

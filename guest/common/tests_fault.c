/* tests_fault.c: faults the guest provokes and survives: an instruction fetch from an address with nothing
 * behind it must reach the guest's own exception vector (arm64: a synchronous external instruction abort);
 * and the layer's 32-bit user-mode traps (arm64: AArch32 EL0). */
#include "guest.h"

void tests_fault(void)
{
	struct guest_fault_seen seen = { 0 };

	if (!guest_arch_exec_fault_recover(&seen)) {
		skip("exec_fault_recovered", "this layer cannot recover from an instruction fetch fault");
		return;
	}
	check("exec_fault_recovered", seen.taken && seen.expected,
	      "the guest's own vector %s: syndrome 0x%lx, address 0x%lx, pc 0x%lx, resumed after the call",
	      seen.taken ? (seen.expected ? "took the fault as prescribed" : "took an unexpected fault") :
	      "never saw it", seen.syndrome, seen.addr, seen.pc);
	guest_arch_compat_tests();
}

/* power.c: the native checks of the ABI's CPU power calls (1.2): CPU_STATE, CPU_ON and CPU_OFF,
 * their refusals (absent vCPU, running vCPU, entry outside RAM, the last vCPU off), and an off/on cycle. */
#include "native.h"
#include "suite.h"

#define V_AP_OFF      0x5CU          /* IPI: the AP ends it and calls CPU_OFF from the handler */
#define V_AP_PING     0x70U          /* suite.c's V_IPI_TO_AP: the AP counts it and replies */
#define POWER_WAIT_MS 2000U
#define ENTRY_NO_RAM  (1ULL << 40)   /* identity-mapped nowhere: far above any guest RAM */
#define ENTRY_PAST_RAM 0x80000000ULL /* 2 GiB: at or past the end of the largest RAM the VMM gives */

void _start(void);   /* start.S: every vCPU's entry; RDI = its index, which is the context here */

volatile unsigned g_ap_started_as[G_MAX_CPUS];

static void ap_off(unsigned v, struct g_frame *f)
{
	(void)v;
	(void)f;
	/* End the IPI first: the CPU comes back through reset, not through this handler's iretq. */
	lapic_eoi();
	hv_call(HV_CALL_CPU_OFF, 0, 0, 0);
}

static bool wait_state(unsigned cpu, int64_t want)
{
	for (unsigned t = 0; t < POWER_WAIT_MS; t++) {
		if (hv_call(HV_CALL_CPU_STATE, cpu, 0, 0) == want)
			return true;
		g_spin_ms(1);
	}
	return false;
}

static bool ok_or_say(bool ok, const char *what)
{
	if (!ok)
		g_print("  detail: %s\n", what);
	return ok;
}

bool t_cpu_power(void)
{
	unsigned ap = g_env.nr_cpus - 1U, nr = g_env.nr_cpus;
	uint64_t entry = (uint64_t)(uintptr_t)_start;
	unsigned ready, pings;
	int64_t again;
	bool ok = true;

	ok &= ok_or_say(hv_call(HV_CALL_CPU_STATE, ap, 0, 0) == HV_CPU_STATE_ON, "AP not reported on");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_STATE, nr, 0, 0) == HV_ABI_INVALID_PARAM, "CPU_STATE of an absent vCPU");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, nr, entry, 0) == HV_ABI_INVALID_PARAM, "CPU_ON of an absent vCPU");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, ~0ULL, entry, 0) == HV_ABI_INVALID_PARAM, "CPU_ON of vCPU ~0");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, ap, entry, ap) == HV_ABI_ALREADY_ON, "CPU_ON of a running AP");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, 0, entry, 0) == HV_ABI_ALREADY_ON, "CPU_ON of the caller itself");

	g_set_handler(V_AP_OFF, ap_off);
	lapic_ipi(ap, V_AP_OFF);
	ok &= ok_or_say(wait_state(ap, HV_CPU_STATE_OFF), "the AP did not go off");
	/* Now this CPU is the only one on: CPU_OFF must be refused and return. */
	if (nr == 2U)
		ok &= ok_or_say(hv_call(HV_CALL_CPU_OFF, 0, 0, 0) == HV_ABI_INVALID_PARAM, "CPU_OFF of the last vCPU");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, ap, ENTRY_NO_RAM, ap) == HV_ABI_INVALID_PARAM, "entry outside RAM");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, ap, ENTRY_PAST_RAM, ap) == HV_ABI_INVALID_PARAM, "entry past RAM");
	ok &= ok_or_say(hv_call(HV_CALL_CPU_STATE, ap, 0, 0) == HV_CPU_STATE_OFF, "refused CPU_ON changed the state");

	ready = g_ap_ready;
	g_ap_started_as[ap] = 0;
	ok &= ok_or_say(hv_call(HV_CALL_CPU_ON, ap, entry, ap) == HV_ABI_OK, "CPU_ON of the stopped AP");
	again = hv_call(HV_CALL_CPU_ON, ap, entry, ap);
	ok &= ok_or_say(again == HV_ABI_ON_PENDING || again == HV_ABI_ALREADY_ON, "a second CPU_ON was accepted");
	for (unsigned t = 0; g_ap_ready == ready && t < POWER_WAIT_MS; t++)
		g_spin_ms(1);
	ok &= ok_or_say(g_ap_ready == ready + 1U && g_ap_started_as[ap] == ap, "the AP did not come back as itself");
	ok &= ok_or_say(wait_state(ap, HV_CPU_STATE_ON), "the AP is not reported on again");
	/* It serves interrupts again: the IPI round trip of suite.c. */
	pings = g_ap_count[ap];
	lapic_ipi(ap, V_AP_PING);
	for (unsigned t = 0; g_ap_count[ap] == pings && t < POWER_WAIT_MS; t++)
		g_spin_ms(1);
	ok &= ok_or_say(g_ap_count[ap] > pings, "the restarted AP took no IPI");
	g_set_handler(V_AP_OFF, 0);
	return ok;
}

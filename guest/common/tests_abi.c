/* tests_abi.c: the guest ABI itself: version, INFO, error returns, CONSOLE_WRITE, and PSCI basics.
 * Everything here is a hypercall and its answer; no interrupt is involved. */
#include "guest.h"

#define BAD_CALL          0x3fU
#define BAD_GUEST_ADDRESS (1UL << 62) /* beyond any guest's RAM (x86 guest RAM starts at 0) */
#define TOO_LONG          5000UL     /* above the 4096-byte limit */
#define PSCI_VERSION      0x84000000UL
#define PSCI_FEATURES     0x8400000AUL
#define PSCI_CPU_ON_64    0xC4000003UL
#define PSCI_BOGUS_FID    0x8400DEADUL
#define PSCI_MIN_VERSION  0x00010000L

static void test_version(void)
{
	long v = hv_call(HV_CALL_VERSION, 0, 0, 0);

	check("abi_version", v == HV_ABI_VERSION_CURRENT, "VERSION = 0x%lx (want 0x%x)", v,
	      HV_ABI_VERSION_CURRENT);
}

static void test_info(void)
{
	long n = hv_call(HV_CALL_INFO, HV_INFO_NR_VCPUS, 0, 0);
	long id = hv_call(HV_CALL_INFO, HV_INFO_VCPU_ID, 0, 0);
	long lines = hv_call(HV_CALL_INFO, HV_INFO_NR_LINES, 0, 0);
	long hz = hv_call(HV_CALL_INFO, HV_INFO_TIMER_HZ, 0, 0);

	check("abi_info", n == (long)guest_arch_nr_cpus() && id == 0 && lines == HV_NR_LINES && hz > 0,
	      "vcpus %ld (machine says %u), id %ld, lines %ld, timer %ld Hz", n, guest_arch_nr_cpus(), id,
	      lines, hz);
}

static void test_errors(void)
{
	long r[6] = {
		hv_call(BAD_CALL, 0, 0, 0),
		hv_line(HV_LINE_TIMER, HV_LINE_RAISE),     /* line 0 belongs to the timer */
		hv_line(HV_NR_LINES, HV_LINE_RAISE),
		hv_line(1, 7),
		hv_call(HV_CALL_INFO, 99, 0, 0),
		hv_call(HV_CALL_TIMER_PERIOD, 50, 0, 0),   /* below the 100 us minimum */
	};
	bool ok = r[0] == HV_ABI_NOT_SUPPORTED;

	for (unsigned i = 1; i < 6; i++)
		ok = ok && r[i] == HV_ABI_INVALID_PARAM;
	check("abi_errors", ok, "unknown call %ld; bad line/op/info/period %ld %ld %ld %ld %ld", r[0], r[1], r[2],
	      r[3], r[4], r[5]);
}

static void test_console(void)
{
	static const char msg[] = "guest: this line came through CONSOLE_WRITE\n";
	long n = hv_call(HV_CALL_CONSOLE_WRITE, (unsigned long)msg, sizeof(msg) - 1, 0);
	long bad = hv_call(HV_CALL_CONSOLE_WRITE, BAD_GUEST_ADDRESS, 4, 0);
	long big = hv_call(HV_CALL_CONSOLE_WRITE, (unsigned long)msg, TOO_LONG, 0);

	check("abi_console_write", n == (long)sizeof(msg) - 1 && bad == HV_ABI_INVALID_PARAM &&
	      big == HV_ABI_INVALID_PARAM, "wrote %ld bytes; outside RAM -> %ld; too long -> %ld", n, bad, big);
}

static void test_psci(void)
{
	long v = guest_arch_firmware_call(PSCI_VERSION, 0, 0, 0);
	long on = guest_arch_firmware_call(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0);
	long bogus = guest_arch_firmware_call(PSCI_FEATURES, PSCI_BOGUS_FID, 0, 0);
	long unknown = guest_arch_firmware_call(PSCI_BOGUS_FID, 0, 0, 0);

	if (v == -1 && on == -1) {
		skip("psci_version_features", "no firmware call interface on this architecture");
		return;
	}
	check("psci_version_features", v >= PSCI_MIN_VERSION && on == 0 && bogus == -1 && unknown == -1,
	      "VERSION 0x%lx, FEATURES(CPU_ON) %ld, FEATURES(bogus) %ld, bogus call %ld", v, on, bogus, unknown);
}

void tests_abi(void)
{
	test_version();
	test_info();
	test_errors();
	test_console();
	test_psci();
}

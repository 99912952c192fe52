/* hvc.c: HVC #0 from the guest: PSCI (psci.c) and the guest ABI's vendor-hypervisor calls (include/hv_abi.h).
 * Arguments come in x1..x3 and the result goes back in x0; a malformed call returns an error, never faults. */
#include "trap.h"
#include "hv_abi.h"
#include "pvtimer.h"
#include "stats.h"
#include "sysreg.h"
#include "vm.h"

#define HV_FID_BASE        HV_ARM64_FID(0)
#define HV_FID_BASE_MASK   (~(uint64_t)HV_SMCCC_FUNC_MASK & UINT32_MAX)
#define CONSOLE_WRITE_MAX  4096U

static int64_t abi_console_write(struct vm *vm, uint64_t ipa, uint64_t len)
{
	const char *src;

	if (len > CONSOLE_WRITE_MAX)
		return HV_ABI_INVALID_PARAM;
	src = vm_ram_ptr(vm, ipa, len);
	if (!src)
		return HV_ABI_INVALID_PARAM;
	vm_console_write(vm, src, len);
	stats_mark(src, len);
	return (int64_t)len;
}

static int64_t abi_info(struct vcpu *v, uint64_t what)
{
	switch (what) {
	case HV_INFO_NR_VCPUS:
		return v->vm->nr_vcpus;
	case HV_INFO_VCPU_ID:
		return v->id;
	case HV_INFO_NR_LINES:
		return HV_NR_LINES;
	case HV_INFO_TIMER_HZ:
		return (int64_t)read_sysreg(cntfrq_el0);
	default:
		return HV_ABI_INVALID_PARAM;
	}
}

static int64_t abi_call(struct pcpu *p, struct vcpu *v, uint32_t call)
{
	uint64_t a0 = v->regs.x[1], a1 = v->regs.x[2];

	switch (call) {
	case HV_CALL_VERSION:
		return HV_ABI_VERSION_CURRENT;
	case HV_CALL_HALT:
		/* A process exit code has 8 bits: never let a failure wrap around to 0. */
		vm_end(v->vm, a0 > HYP_STATUS_MAX ? HYP_STATUS_MAX : (unsigned)a0, "guest HALT");
		return HV_ABI_OK;   /* its vCPUs are off: nobody reads this */
	case HV_CALL_TIMER_PERIOD:
		return pvtimer_set_period(p, v->vm, a0);
	case HV_CALL_CONSOLE_WRITE:
		return abi_console_write(v->vm, a0, a1);
	case HV_CALL_LINE_SET:
		if (a0 > UINT32_MAX || a1 > UINT32_MAX)
			return HV_ABI_INVALID_PARAM;
		return vm_line_set(v->vm, (uint32_t)a0, (uint32_t)a1);
	case HV_CALL_INFO:
		return abi_info(v, a0);
	case HV_CALL_MSI_SEND:
		return vm_msi_send(v->vm, a0, a1);
	default:
		return HV_ABI_NOT_SUPPORTED;
	}
}

void hvc_handle(struct pcpu *p, struct vcpu *v)
{
	uint64_t fid = v->regs.x[0] & UINT32_MAX; /* SMCCC: the function ID is W0 */

	/* ELR_EL2 already points past the HVC. */
	if ((fid & HV_FID_BASE_MASK) == HV_FID_BASE) {
		p->stats.exits[EXC_HVC_ABI]++;
		v->regs.x[0] = (uint64_t)abi_call(p, v, (uint32_t)(fid & HV_SMCCC_FUNC_MASK));
		return;
	}
	p->stats.exits[EXC_HVC_PSCI]++;
	if (!psci_handle(p, v, fid))
		v->regs.x[0] = (uint64_t)(int64_t)HV_ABI_NOT_SUPPORTED;
}

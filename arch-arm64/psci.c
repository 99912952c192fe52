/* psci.c: PSCI for the guest (HVC conduit) on top of the vCPU power states, and the call to QEMU's firmware.
 * CPU_ON only flips a vCPU's state and kicks its physical CPU, which has been waiting at EL2 since boot. */
#include "psci.h"
#include "gic.h"
#include "vm.h"
#include "sysreg.h"
#include "trap.h"
#include "sched.h"

#define PSCI_FW_CONDUIT_SMC "smc #0"

int64_t psci_fw_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile(PSCI_FW_CONDUIT_SMC : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

/* A vCPU of the caller's VM: another VM's are not there for it. */
static struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].mpidr == (mpidr & MPIDR_AFF_MASK))
			return &vm->vcpu[i];
	return NULL;
}

static int64_t cpu_on(struct vm *vm, uint64_t target, uint64_t entry, uint64_t context)
{
	struct vcpu *t = vcpu_by_mpidr(vm, target);
	uint32_t off = VCPU_OFF;

	if (!t)
		return PSCI_RET_INVALID_PARAMS;
	if (!vm_ram_ptr(vm, entry, sizeof(uint32_t)) || (entry & 3))
		return PSCI_RET_INVALID_ADDRESS;
	if (t->power == VCPU_ON)
		return PSCI_RET_ALREADY_ON;
	/* Claim the vCPU first so a racing CPU_ON cannot overwrite the entry point. */
	if (!__atomic_compare_exchange_n(&t->power, &off, VCPU_CLAIMED, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return off == VCPU_ON ? PSCI_RET_ALREADY_ON : PSCI_RET_ON_PENDING;
	t->on_entry = entry;
	t->on_context = context;
	__atomic_store_n(&t->power, VCPU_ON_PENDING, __ATOMIC_RELEASE);
	if (sched_enabled())
		sched_kick(t);
	else
		gic_send_sgi(pcpus[t->id].mpidr, HYP_SGI_KICK);
	return PSCI_RET_SUCCESS;
}

static int64_t affinity_info(struct vm *vm, uint64_t target, uint64_t level)
{
	struct vcpu *t;
	uint32_t s;

	if (level != 0)
		return PSCI_RET_INVALID_PARAMS;
	t = vcpu_by_mpidr(vm, target);
	if (!t)
		return PSCI_RET_INVALID_PARAMS;
	s = __atomic_load_n(&t->power, __ATOMIC_ACQUIRE);
	return s == VCPU_ON ? PSCI_AFF_ON : s == VCPU_OFF ? PSCI_AFF_OFF : PSCI_AFF_ON_PENDING;
}

static bool supported(uint64_t fid)
{
	switch (fid) {
	case PSCI_VERSION: case PSCI_CPU_OFF: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64: case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET: case PSCI_FEATURES: case PSCI_MIGRATE_INFO_TYPE:
		return true;
	default:
		return false;
	}
}

bool psci_handle(struct pcpu *p, struct vcpu *v, uint64_t fid)
{
	uint64_t a1 = v->regs.x[1], a2 = v->regs.x[2], a3 = v->regs.x[3];
	int64_t ret;

	(void)p;
	/* SMC32 calls take 32-bit arguments. */
	if (!(fid & PSCI_SMC64)) {
		a1 &= UINT32_MAX;
		a2 &= UINT32_MAX;
		a3 &= UINT32_MAX;
	}
	switch (fid) {
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_0;
		break;
	case PSCI_FEATURES:
		ret = supported(a1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		ret = cpu_on(v->vm, a1, a2, a3);
		break;
	case PSCI_CPU_OFF:
		__atomic_store_n(&v->power, VCPU_OFF, __ATOMIC_RELEASE);
		return true; /* does not return to the guest: the run loop sees the state */
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		ret = affinity_info(v->vm, a1, a2);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		/* Linux asks at boot; NOT_SUPPORTED would be correct too, but it logs that as a notice. */
		ret = PSCI_TOS_NOT_PRESENT_MP;
		break;
	case PSCI_SYSTEM_OFF:
		vm_end(v->vm, 0, "PSCI SYSTEM_OFF");
		return true;
	case PSCI_SYSTEM_RESET:
		/* No reset: the VM's run ends, successfully, as the guest asked it to. */
		vm_end(v->vm, 0, "PSCI SYSTEM_RESET (the run ends: reset is not emulated)");
		return true;
	default:
		return false;
	}
	v->regs.x[0] = (uint64_t)ret;
	return true;
}

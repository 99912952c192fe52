/* vmm_power.c: the guest ABI's CPU power calls on x86 (CPU_ON, CPU_OFF, CPU_STATE), PSCI's model:
 * a stopped vCPU's thread sleeps; CPU_ON gives it an entry and a context and it re-enters from reset. */
#include <stdio.h>

#include "vmm.h"
#include "hv_abi.h"

/* Start vCPU idx at entry with RDI = context. Arguments are the guest's: an absent vCPU or an entry
 * outside guest RAM is refused, a running (or starting) one answers as PSCI does. */
int64_t vmm_cpu_on(struct vcpu *caller, uint64_t idx, uint64_t entry, uint64_t context)
{
	struct vm *vm = caller->vm;
	struct vcpu *t;
	int64_t rc;

	if (idx >= vm->nr_vcpus || !vmm_gpa(vm, entry, 1))
		return HV_ABI_INVALID_PARAM;
	t = &vm->vcpu[idx];
	pthread_mutex_lock(&vm->lock);
	switch (t->power) {
	case VCPU_ON:
		rc = HV_ABI_ALREADY_ON;
		break;
	case VCPU_ON_PENDING:
		rc = HV_ABI_ON_PENDING;
		break;
	default:
		t->on_entry = entry;
		t->on_context = context;
		t->power = VCPU_ON_PENDING;
		vm->vcpus_on++;
		pthread_cond_signal(&t->wake);
		rc = HV_ABI_OK;
		break;
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

/* Stop the calling vCPU: its thread stops entering the guest until a CPU_ON. The last vCPU still on
 * is refused (PSCI's DENIED, the same -3): a VM ends with HALT, not by having nothing to run. */
int64_t vmm_cpu_off(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int64_t rc = HV_ABI_OK;

	pthread_mutex_lock(&vm->lock);
	if (vm->vcpus_on <= 1) {
		rc = HV_ABI_INVALID_PARAM;
	} else {
		v->power = VCPU_OFF;
		vm->vcpus_on--;
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int64_t vmm_cpu_state(struct vm *vm, uint64_t idx)
{
	int64_t st;

	if (idx >= vm->nr_vcpus)
		return HV_ABI_INVALID_PARAM;
	pthread_mutex_lock(&vm->lock);
	st = vm->vcpu[idx].power;
	pthread_mutex_unlock(&vm->lock);
	return st;
}

/* vm->lock held, on the vCPU's own thread (KVM's vCPU ioctls belong there). A vCPU being started
 * loads the reset state at its entry; one that is off must wait on its condition variable. */
bool vmm_power_ready(struct vcpu *v)
{
	if (v->power == VCPU_OFF)
		return false;
	if (v->power == VCPU_ON_PENDING) {
		if (vmm_vcpu_boot_state(v, v->on_entry, v->on_context) < 0) {
			perror("x86-vmm: CPU_ON entry state");
			v->power = VCPU_OFF;   /* honest to CPU_STATE: it did not start */
			v->vm->vcpus_on--;
			return false;
		}
		v->power = VCPU_ON;
	}
	return true;
}

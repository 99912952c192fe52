/* vmm_abi.c: the guest ABI (include/hv_abi.h) on x86: RAX = call, RDI/RSI/RCX = a0..a2, result in RAX.
 * Arguments are guest-controlled: every one is range-checked, and no call can end the VMM but HALT. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"
#include "hv_abi.h"

#define CONSOLE_MAX 4096U
#define MAX_PERIOD_US (3600ULL * 1000000ULL)   /* an hour: keeps ns arithmetic far from overflow */
#define HALT_STATUS_MASK 0xFFU

#define MARK_PREFIX "@@mark "
#define MARK_LABEL_MAX 32

/* A console line "@@mark LABEL" makes the VMM print its exit totals at that instant, so a guest can
 * bracket a phase and the runner can count exits per interrupt. The line is printed as usual. */
static void console_mark(struct vm *vm, const char *p, uint64_t len)
{
	size_t pre = sizeof(MARK_PREFIX) - 1;
	unsigned long long total = 0, kvm = 0;
	int n = 0;

	if (len <= pre || memcmp(p, MARK_PREFIX, pre) != 0)
		return;
	while (n < MARK_LABEL_MAX && pre + (size_t)n < len && p[pre + n] > ' ')
		n++;
	for (unsigned k = 0; k < EX_COUNT; k++)
		total += vm->stats.exits[k];
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		kvm += vmm_kstat(&vm->vcpu[i], KSTAT_EXITS);
	printf("x86-vmm: mark %.*s exits=%llu kvm-exits=%llu\n", n, p + pre, total, kvm);
	/* The same instant by cause, on its own line (the line above keeps the shape bench tools parse):
	 * EOI exits per level interrupt are mmio-lapic (our LAPIC) or ioapic-eoi (split mode). */
	printf("x86-vmm: mark-by-cause %.*s", n, p + pre);
	for (unsigned k = 0; k < EX_COUNT; k++)
		printf(" %s=%llu", vmm_exit_name((enum vmm_exit_kind)k), (unsigned long long)vm->stats.exits[k]);
	printf("\n");
}

static int64_t console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	struct vm *vm = v->vm;
	void *p;

	if (len > CONSOLE_MAX)
		return HV_ABI_INVALID_PARAM;
	p = vmm_gpa(vm, gpa, len);
	if (!p)
		return HV_ABI_INVALID_PARAM;
	pthread_mutex_lock(&vm->console_lock);
	console_mark(vm, p, len);
	vmm_scale_console(vm, p, len);
	vmm_tsc_line(v, p, len);
	fwrite(p, 1, len, stdout);
	fflush(stdout);
	pthread_mutex_unlock(&vm->console_lock);
	return (int64_t)len;
}

static int64_t timer_period(struct vm *vm, uint64_t us)
{
	if (us != 0 && (us < VMM_MIN_PERIOD_US || us > MAX_PERIOD_US))
		return HV_ABI_INVALID_PARAM;
	vmm_pv_timer_reset(vm);   /* ticks owed to the old period are not owed any more */
	return vmm_pv_timer_set(vm, us) < 0 ? HV_ABI_INVALID_PARAM : HV_ABI_OK;
}

static int64_t line_set(struct vm *vm, uint64_t line, uint64_t op)
{
	/* Line 0 belongs to the timer; the test device owns 1..31 (GSIs on the two IOAPICs). */
	if (line == HV_LINE_TIMER || line >= VMM_NR_LINES || op > HV_LINE_PULSE)
		return HV_ABI_INVALID_PARAM;
	vmm_tsc_note_raise(&vm->stats.line_raise_tsc);
	return vmm_line_set(vm, (unsigned)line, (unsigned)op) ? HV_ABI_INVALID_PARAM : HV_ABI_OK;
}

/* The test device writes 32 bits of data to addr: wider data is no bus write it could make. */
static int64_t msi_send(struct vm *vm, uint64_t addr, uint64_t data)
{
	if (data > UINT32_MAX)
		return HV_ABI_INVALID_PARAM;
	/* Through irq_msg.h, as any device model would send; the test device has no device ID on x86. */
	return irq_msi_send(&vm->msi, addr, (uint32_t)data, HV_MSI_TEST_DEVID) == HV_EINVAL ?
	       HV_ABI_INVALID_PARAM : HV_ABI_OK;
}

static int64_t info(struct vcpu *v, uint64_t key)
{
	switch (key) {
	case HV_INFO_NR_VCPUS: return v->vm->nr_vcpus;
	case HV_INFO_VCPU_ID:  return v->idx;
	case HV_INFO_NR_LINES: return VMM_NR_LINES;
	case HV_INFO_TIMER_HZ: return VMM_TIMER_HZ;
	default:               return HV_ABI_INVALID_PARAM;
	}
}

void vmm_abi_call(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_regs r;
	int64_t ret;

	/* Cold start ends at the guest's first call after the first timer tick was raised. */
	if (atomic_load(&vm->stats.first_tick) && !atomic_exchange(&vm->stats.cold_start_done, true)) {
		unsigned long long total = 0;

		for (unsigned k = 0; k < EX_COUNT; k++)
			total += vm->stats.exits[k];
		vm->stats.cold_start_exits = total - 1;   /* not this call itself */
		if (v->idx == 0)
			vm->stats.cold_start_kvm_exits = vmm_kstat(v, KSTAT_EXITS);
	}
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0) {
		perror("x86-vmm: KVM_GET_REGS");
		vmm_stop(vm, VMM_EXIT_FAULT);
		return;
	}
	switch (r.rax) {
	case HV_CALL_VERSION:
		ret = HV_ABI_VERSION_CURRENT;
		break;
	case HV_CALL_HALT:
		/* A non-zero status must stay non-zero as a process exit code. */
		vmm_stop(vm, r.rdi == 0 ? 0 : ((r.rdi & HALT_STATUS_MASK) ? (int)(r.rdi & HALT_STATUS_MASK) : 1));
		return;
	case HV_CALL_TIMER_PERIOD:
		ret = timer_period(vm, r.rdi);
		break;
	case HV_CALL_CONSOLE_WRITE:
		ret = console_write(v, r.rdi, r.rsi);
		break;
	case HV_CALL_LINE_SET:
		ret = line_set(vm, r.rdi, r.rsi);
		break;
	case HV_CALL_INFO:
		ret = info(v, r.rdi);
		break;
	case HV_CALL_MSI_SEND:
		ret = msi_send(vm, r.rdi, r.rsi);
		break;
	case HV_CALL_CPU_ON:
		ret = vmm_cpu_on(v, r.rdi, r.rsi, r.rcx);
		break;
	case HV_CALL_CPU_OFF:
		ret = vmm_cpu_off(v);
		break;
	case HV_CALL_CPU_STATE:
		ret = vmm_cpu_state(vm, r.rdi);
		break;
	default:
		ret = HV_ABI_NOT_SUPPORTED;
		break;
	}
	if (ret < 0)
		vm->stats.abi_errors++;
	r.rax = (uint64_t)ret;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0) {
		perror("x86-vmm: KVM_SET_REGS");
		vmm_stop(vm, VMM_EXIT_FAULT);
	}
}

/* vmm_vcpu.c: one thread per vCPU: inject, KVM_RUN, dispatch the exit; faults end the VM loudly.
 * A kick is SIGUSR1 whose handler sets kvm_run.immediate_exit, so a kick is never lost. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

static __thread struct kvm_run *tls_run;

static void on_kick(int sig)
{
	(void)sig;
	/* If the thread is about to enter (or is in) KVM_RUN, this makes the entry return at once. */
	if (tls_run)
		tls_run->immediate_exit = 1;
}

static void fault(struct vcpu *v, const char *what)
{
	char buf[128];
	struct kvm_run *run = v->run;

	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		snprintf(buf, sizeof(buf), "%s (suberror %u)", what, run->internal.suberror);
	else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		snprintf(buf, sizeof(buf), "%s (hardware reason 0x%llx)", what,
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	else
		snprintf(buf, sizeof(buf), "%s (exit reason %u)", what, run->exit_reason);
	fprintf(stderr, "x86-vmm: GUEST FAULT: %s\n", buf);
	vmm_dump_vcpu(v, buf);
	vmm_stop(v->vm, VMM_EXIT_FAULT);
}

static void handle_exit(struct vcpu *v)
{
	struct vm *vm = v->vm;

	switch (v->run->exit_reason) {
	case KVM_EXIT_IO:
		vmm_handle_io(v);
		break;
	case KVM_EXIT_MMIO:
		vmm_handle_mmio(v);
		break;
	case KVM_EXIT_HLT:
		vmm_count_exit(vm, EX_HLT);
		vmm_halt_wait(v);
		break;
	case KVM_EXIT_IOAPIC_EOI:
		vmm_split_eoi(v);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		vmm_count_exit(vm, EX_IRQ_WINDOW);
		break;
	case KVM_EXIT_INTR:
		vmm_count_exit(vm, EX_KICK);
		break;
	case KVM_EXIT_SHUTDOWN:
		vmm_count_exit(vm, EX_SHUTDOWN);
		fault(v, "triple fault (KVM_EXIT_SHUTDOWN)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vmm_count_exit(vm, EX_INTERNAL);
		fault(v, "KVM internal error");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vmm_count_exit(vm, EX_FAIL_ENTRY);
		fault(v, "VM entry failed");
		break;
	default:
		vmm_count_exit(vm, EX_OTHER);
		fault(v, "unexpected exit");
		break;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	bool user = !VMM_LAPIC_IN_KERNEL(vm);

	tls_run = v->run;
	while (!atomic_load(&vm->done)) {
		int rc;

		pthread_mutex_lock(&vm->lock);
		/* CPU_OFF: sleep until CPU_ON (or the end of the VM); kicks meanwhile only wake us. */
		if (!vmm_power_ready(v)) {
			if (!atomic_load(&vm->done))
				pthread_cond_wait(&v->wake, &vm->lock);
			pthread_mutex_unlock(&vm->lock);
			continue;
		}
		if (user)
			vmm_inject(v);
		else if (vm->mode == VMM_MODE_SPLIT)
			vmm_split_inject(v);
		/* Set under the lock that kickers take: a kick after our check must signal us. */
		atomic_store(&v->in_run, true);
		pthread_mutex_unlock(&vm->lock);
		rc = ioctl(v->fd, KVM_RUN, 0);
		atomic_store(&v->in_run, false);
		v->run->immediate_exit = 0;
		if (rc < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vmm_count_exit(vm, EX_KICK);
				continue;
			}
			perror("x86-vmm: KVM_RUN");
			vmm_stop(vm, VMM_EXIT_FAULT);
			break;
		}
		handle_exit(v);
	}
	return NULL;
}

int vmm_vcpus_start(struct vm *vm)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;   /* no SA_RESTART: KVM_RUN must return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VMM_KICK_SIGNAL, &sa, NULL) < 0)
		return -1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (pthread_create(&vm->vcpu[i].thread, NULL, vcpu_thread, &vm->vcpu[i]))
			return -1;
	return 0;
}

void vmm_vcpus_join(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		pthread_join(vm->vcpu[i].thread, NULL);
}

void vmm_stop(struct vm *vm, int status)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->lock);
	if (!atomic_exchange(&vm->done, true))
		atomic_store(&vm->exit_status, status);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		pthread_cond_signal(&vm->vcpu[i].wake);
		if (atomic_load(&vm->vcpu[i].in_run))
			pthread_kill(vm->vcpu[i].thread, VMM_KICK_SIGNAL);
	}
	pthread_mutex_unlock(&vm->lock);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		perror("x86-vmm: stop");
}

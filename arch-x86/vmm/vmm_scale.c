/* vmm_scale.c: the scale device (--scale-hz): one level-triggered source per vCPU, raised from its own
 * thread at a fixed rate and lowered at the EOI, counted exactly; docs/x86.md "Scaling". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"
#include "vmm_layout.h"

#define NS_PER_S      1000000000ULL
#define EV_TIMER      0xFFFF0000U
#define EV_STOP       0xFFFF0001U
#define MAX_EVENTS    16
#define START_PREFIX  "@@scale start"
#define STOP_PREFIX   "@@scale stop"

static uint64_t now_ns(void)
{
	return vmm_now_ns();
}

/* Where source i's raise time lives: the guest's handler reads it to measure its latency. */
static void note_raise(struct vm *vm, unsigned i)
{
	uint64_t t = (uint64_t)((int64_t)vmm_rdtsc() + vm->scale.tsc_offset);

	memcpy(vm->mem + LAYOUT_SCALE + i * sizeof(uint64_t), &t, sizeof(t));
}

/* Lock accounting for the paths the scale runs exercise (raise, EOI): wait, then hold, in ns. */
uint64_t vmm_scale_lock(struct vm *vm)
{
	uint64_t t0 = now_ns(), t1;

	pthread_mutex_lock(&vm->lock);
	t1 = now_ns();
	if (vm->scale.hz) {
		vm->scale.lock_acq++;
		vm->scale.lock_wait_ns += t1 - t0;
	}
	return t1;
}

void vmm_scale_unlock(struct vm *vm, uint64_t acquired)
{
	if (vm->scale.hz)
		vm->scale.lock_hold_ns += now_ns() - acquired;
	pthread_mutex_unlock(&vm->lock);
}

/* Source i's interrupt is over (the device saw its EOI): how long it took, then ready to raise again. */
static void note_done(struct vm *vm, unsigned i)
{
	uint64_t d = now_ns() - vm->scale.raised_at_ns[i];

	vm->scale.done_ns_sum += d;
	if (d > vm->scale.done_ns_max)
		vm->scale.done_ns_max = d;
	vm->scale.completed[i]++;
	atomic_store(&vm->scale.busy[i], false);
}

static struct ioapic *src_ioapic(struct vm *vm, unsigned i, unsigned *pin)
{
	unsigned gsi = VMM_SCALE_GSI(i);

	*pin = gsi % IOAPIC_NR_PINS;
	return vmm_ioapic(vm, gsi / IOAPIC_NR_PINS);
}

/* The device's side of the EOI (vm->lock held): the guest's handler has serviced it, so the line drops
 * before the IOAPIC looks again. Ready for the next period's raise. */
static void src_resample(void *owner, uint32_t pin)
{
	struct vmm_scale_src *s = owner;
	struct vm *vm = s->vm;
	unsigned p;
	struct ioapic *io = src_ioapic(vm, s->idx, &p);

	(void)pin;
	ioapic_set_level(io, p, false);
	note_done(vm, s->idx);
}

static void raise_one(struct vm *vm, unsigned i)
{
	if (atomic_exchange(&vm->scale.busy[i], true)) {
		vm->scale.overruns[i]++;   /* the previous one is not EOI'd yet: not a loss, a rate it cannot take */
		return;
	}
	vm->scale.raised[i]++;
	vm->scale.raised_at_ns[i] = now_ns();
	note_raise(vm, i);
	if (vm->mode == VMM_MODE_KERNEL) {
		uint64_t one = 1;

		if (write(vm->scale.irqfd[i], &one, sizeof(one)) != (ssize_t)sizeof(one))
			perror("x86-vmm: scale irqfd");
		return;
	}
	unsigned pin;
	struct ioapic *io = src_ioapic(vm, i, &pin);
	uint64_t t = vmm_scale_lock(vm);

	ioapic_set_level(io, pin, true);
	vmm_scale_unlock(vm, t);
}

static void kernel_resampled(struct vm *vm, unsigned i)
{
	uint64_t n;

	if (read(vm->scale.resamplefd[i], &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;
	note_done(vm, i);
}

static void *scale_thread(void *arg)
{
	struct vm *vm = arg;
	struct epoll_event ev[MAX_EVENTS];

	while (!atomic_load(&vm->done)) {
		int n = epoll_wait(vm->scale.epfd, ev, MAX_EVENTS, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int k = 0; k < n; k++) {
			uint32_t tag = ev[k].data.u32;
			uint64_t x;

			if (tag == EV_STOP) {
				if (read(vm->scale.stop_fd, &x, sizeof(x)) < 0)
					continue;
			} else if (tag == EV_TIMER) {
				if (read(vm->scale.timerfd, &x, sizeof(x)) != (ssize_t)sizeof(x))
					continue;
				if (!atomic_load(&vm->scale.started) || atomic_load(&vm->scale.stopped))
					continue;
				for (unsigned i = 0; i < vm->nr_vcpus; i++)
					raise_one(vm, i);
			} else if (tag < vm->nr_vcpus) {
				kernel_resampled(vm, tag);
			}
		}
	}
	return NULL;
}

static int watch(struct vm *vm, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(vm->scale.epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Kernel mode: KVM's IOAPIC owns GSI 0..23 and tells userspace of a level EOI only through a
 * resamplefd, so each source is an irqfd with one; sources beyond GSI 23 cannot exist there. */
static int kernel_sources(struct vm *vm)
{
	if (VMM_SCALE_GSI(vm->nr_vcpus - 1U) >= IOAPIC_NR_PINS) {
		printf("SKIP: scale device in kernel mode: KVM's IOAPIC has %u pins and %u vCPUs need GSI 1..%u "
		       "(level EOIs reach userspace only from KVM's own IOAPIC, through resamplefds)\n",
		       IOAPIC_NR_PINS, vm->nr_vcpus, VMM_SCALE_GSI(vm->nr_vcpus - 1U));
		return VMM_KVM_UNUSABLE;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct kvm_irqfd f = { .gsi = VMM_SCALE_GSI(i), .flags = KVM_IRQFD_FLAG_RESAMPLE };

		vm->scale.irqfd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		vm->scale.resamplefd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vm->scale.irqfd[i] < 0 || vm->scale.resamplefd[i] < 0)
			return -1;
		f.fd = (uint32_t)vm->scale.irqfd[i];
		f.resamplefd = (uint32_t)vm->scale.resamplefd[i];
		if (ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0) {
			perror("x86-vmm: scale KVM_IRQFD with resamplefd");
			return -1;
		}
		if (watch(vm, vm->scale.resamplefd[i], i))
			return -1;
	}
	return 0;
}

/* After the vCPUs exist (the TSC offset is a vCPU's) and before they run. */
int vmm_scale_init(struct vm *vm)
{
	struct itimerspec it = { 0 };
	uint64_t period;

	if (!vm->scale.hz)
		return 0;
	period = NS_PER_S / vm->scale.hz;
	vm->scale.tsc_offset = vmm_tsc_offset(&vm->vcpu[0]);
	vm->scale.epfd = epoll_create1(EPOLL_CLOEXEC);
	vm->scale.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vm->scale.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->scale.epfd < 0 || vm->scale.timerfd < 0 || vm->scale.stop_fd < 0 ||
	    watch(vm, vm->scale.timerfd, EV_TIMER) || watch(vm, vm->scale.stop_fd, EV_STOP))
		return -1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->scale.src[i] = (struct vmm_scale_src){ .vm = vm, .idx = i };
		if (vm->mode != VMM_MODE_KERNEL) {
			unsigned pin;
			struct ioapic *io = src_ioapic(vm, i, &pin);

			io->chip.ops->set_resample(&io->chip, pin, src_resample, &vm->scale.src[i]);
		}
	}
	if (vm->mode == VMM_MODE_KERNEL) {
		int rc = kernel_sources(vm);

		if (rc)
			return rc;
	}
	it.it_value.tv_sec = (time_t)(period / NS_PER_S);
	it.it_value.tv_nsec = (long)(period % NS_PER_S);
	it.it_interval = it.it_value;
	if (timerfd_settime(vm->scale.timerfd, 0, &it, NULL) < 0)
		return -1;
	return pthread_create(&vm->scale.thread, NULL, scale_thread, vm) ? -1 : 0;
}

static bool starts(const char *p, uint64_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(p, prefix, n);
}

/* The guest's console lines: "@@scale start" once its pins are routed (a raise before would meet the
 * reset state: masked pins, or an unprogrammed PIC on the same GSI), "@@scale stop": no more raises,
 * what is outstanding still completes. */
void vmm_scale_console(struct vm *vm, const char *p, uint64_t len)
{
	if (!vm->scale.hz)
		return;
	if (starts(p, len, START_PREFIX)) {
		atomic_store(&vm->scale.started, true);
	}
	if (starts(p, len, STOP_PREFIX))
		atomic_store(&vm->scale.stopped, true);
}

void vmm_scale_finish(struct vm *vm)
{
	uint64_t one = 1;
	unsigned long long r = 0, c = 0, o = 0;

	if (!vm->scale.hz)
		return;
	if (write(vm->scale.stop_fd, &one, sizeof(one)) < 0)
		perror("x86-vmm: scale stop");
	pthread_join(vm->scale.thread, NULL);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		r += vm->scale.raised[i];
		c += vm->scale.completed[i];
		o += vm->scale.overruns[i];
		printf("x86-vmm: scale src=%u gsi=%u raised=%llu completed=%llu overruns=%llu\n", i, VMM_SCALE_GSI(i),
		       (unsigned long long)vm->scale.raised[i], (unsigned long long)vm->scale.completed[i],
		       (unsigned long long)vm->scale.overruns[i]);
	}
	printf("x86-vmm: scale hz=%u sources=%u raised=%llu completed=%llu overruns=%llu lock-acq=%llu "
	       "lock-wait-ns=%llu lock-hold-ns=%llu\n", vm->scale.hz, vm->nr_vcpus, r, c, o,
	       (unsigned long long)vm->scale.lock_acq, (unsigned long long)vm->scale.lock_wait_ns,
	       (unsigned long long)vm->scale.lock_hold_ns);
	printf("x86-vmm: scale raise-to-eoi-us mean=%llu max=%llu\n", c ? (unsigned long long)(vm->scale.done_ns_sum / c / 1000U) : 0ULL,
	       (unsigned long long)(vm->scale.done_ns_max / 1000U));
}

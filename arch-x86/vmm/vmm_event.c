/* vmm_event.c: the per-VM event thread: one epoll over the PV timer, each LAPIC timer, a watchdog
 * and a stop eventfd. Host timerfds keep the time; nothing here ever spins. */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

#define NS_PER_S  1000000000ULL
#define NS_PER_US 1000ULL
#define EV_PV       0xFFFF0000U
#define EV_WATCHDOG 0xFFFF0001U
#define EV_STOP     0xFFFF0002U
#define MAX_EVENTS  16

uint64_t vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };
}

static int watch(struct vm *vm, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(vm->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int vmm_event_init(struct vm *vm)
{
	vm->epfd = epoll_create1(EPOLL_CLOEXEC);
	vm->pv_timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vm->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->epfd < 0 || vm->pv_timerfd < 0 || vm->watchdog_fd < 0 || vm->stop_fd < 0) {
		perror("x86-vmm: event setup");
		return -1;
	}
	if (watch(vm, vm->pv_timerfd, EV_PV) || watch(vm, vm->watchdog_fd, EV_WATCHDOG) ||
	    watch(vm, vm->stop_fd, EV_STOP))
		return -1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpu[i].timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (vm->vcpu[i].timerfd < 0 || watch(vm, vm->vcpu[i].timerfd, i))
			return -1;
	}
	if (vm->timeout_s) {
		struct itimerspec it = { .it_value = { .tv_sec = vm->timeout_s } };

		timerfd_settime(vm->watchdog_fd, 0, &it, NULL);
	}
	return 0;
}

int vmm_pv_timer_set(struct vm *vm, uint64_t period_us)
{
	struct itimerspec it = { 0 };

	if (period_us) {
		it.it_value = ts_of(period_us * NS_PER_US);
		it.it_interval = it.it_value;
	}
	return timerfd_settime(vm->pv_timerfd, 0, &it, NULL);
}

/* Called under vm->lock from the LAPIC's timer_arm hook: an absolute CLOCK_MONOTONIC deadline. */
void vmm_lapic_timer_arm(struct vm *vm, unsigned idx, uint64_t deadline_ns)
{
	struct itimerspec it = { 0 };

	if (idx >= vm->nr_vcpus)
		return;
	if (deadline_ns)
		it.it_value = ts_of(deadline_ns);   /* never zero: the clock is far past 0 */
	timerfd_settime(vm->vcpu[idx].timerfd, TFD_TIMER_ABSTIME, &it, NULL);
}

/* Expirations since the last read (0 if none): a late event thread sees several at once. */
static uint64_t expirations(int fd)
{
	uint64_t n;

	return read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n) ? n : 0;
}

static bool drain(int fd)
{
	return expirations(fd) > 0;
}

static void *event_loop(void *arg)
{
	struct vm *vm = arg;
	struct epoll_event ev[MAX_EVENTS];

	while (!atomic_load(&vm->done)) {
		int n = epoll_wait(vm->epfd, ev, MAX_EVENTS, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("x86-vmm: epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++) {
			uint32_t tag = ev[i].data.u32;

			if (tag == EV_STOP) {
				drain(vm->stop_fd);
			} else if (tag == EV_PV) {
				uint64_t ticks = expirations(vm->pv_timerfd);

				if (ticks)
					vmm_pv_tick(vm, ticks);
			} else if (tag == EV_WATCHDOG) {
				if (drain(vm->watchdog_fd)) {
					fprintf(stderr, "x86-vmm: TIMEOUT: the guest did not halt within %u s\n",
						vm->timeout_s);
					vmm_stop(vm, VMM_EXIT_TIMEOUT);
				}
			} else if (tag < vm->nr_vcpus) {
				if (drain(vm->vcpu[tag].timerfd))
					vmm_lapic_timer_fired(vm, tag);
			}
		}
	}
	return NULL;
}

int vmm_event_start(struct vm *vm)
{
	return pthread_create(&vm->event_thread, NULL, event_loop, vm) ? -1 : 0;
}

void vmm_event_stop(struct vm *vm)
{
	uint64_t one = 1;

	atomic_store(&vm->done, true);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		perror("x86-vmm: stop event");
	pthread_join(vm->event_thread, NULL);
}

/* vmm.c: a tiny KVM VMM for arm64, run inside an L1 Linux under QEMU, so that KVM's own vgic (unmodified)
 * serves our test guest: RAM, a vGICv3, PSCI vCPUs, a write-only PL011; prints KVM's exit counts at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAM_IPA      0x40000000ULL
#define RAM_SIZE     (128ULL << 20)
#define IMAGE_OFF    0x80000ULL          /* the test guest is linked at RAM + 0x80000 */
#define DTB_OFF      0x0ULL
#define GICD_IPA     0x08000000ULL
#define GICR_IPA     0x080a0000ULL
#define UART_IPA     0x09000000ULL
#define UART_DR      0x000U
#define NR_IRQS      128U
#define MAX_VCPUS    8
#define LINE_MAX_LEN 512

static int vm_fd, nr_vcpus;
static long run_size;
static volatile int done;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static char line[LINE_MAX_LEN];
static size_t line_len;
static unsigned long mmio_exits, exits_to_user;

static void die(const char *what)
{
	fprintf(stderr, "vmm: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	void *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		die(path);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* The guest's console: whole lines, prefixed, so that the host can tell them from L1's own. */
static void uart_put(char c)
{
	pthread_mutex_lock(&out_lock);
	if (c == '\n' || line_len == LINE_MAX_LEN - 1) {
		line[line_len] = 0;
		printf("l2: %s\n", line);
		fflush(stdout);
		/* The suite's last line: KVM returns NOT_SUPPORTED to the guest's HALT call, so we end here. */
		if (strstr(line, " passed, ") && strstr(line, " failed"))
			done = 1;
		line_len = 0;
	} else if (c != '\r') {
		line[line_len++] = c;
	}
	pthread_mutex_unlock(&out_lock);
}

static void set_reg(int vcpu_fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	if (ioctl(vcpu_fd, KVM_SET_ONE_REG, &r) < 0)
		die("KVM_SET_ONE_REG");
}

#define CORE_REG(name) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(name))

struct vcpu {
	int fd;
	struct kvm_run *run;
	pthread_t thread;
};
static struct vcpu vcpus[MAX_VCPUS];

static void *vcpu_loop(void *arg)
{
	struct vcpu *v = arg;

	while (!done) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN");
		}
		__atomic_add_fetch(&exits_to_user, 1, __ATOMIC_RELAXED);
		switch (v->run->exit_reason) {
		case KVM_EXIT_MMIO:
			__atomic_add_fetch(&mmio_exits, 1, __ATOMIC_RELAXED);
			if (v->run->mmio.phys_addr == UART_IPA + UART_DR && v->run->mmio.is_write)
				uart_put((char)v->run->mmio.data[0]);
			else if (!v->run->mmio.is_write)
				memset(v->run->mmio.data, 0, sizeof(v->run->mmio.data)); /* UART FR: ready */
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			done = 1;
			break;
		default:
			fprintf(stderr, "vmm: unexpected exit %u\n", v->run->exit_reason);
			done = 1;
			break;
		}
	}
	return NULL;
}

static void vgic_attr(int dev, uint32_t group, uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val };

	if (ioctl(dev, KVM_SET_DEVICE_ATTR, &a) < 0)
		die("KVM_SET_DEVICE_ATTR");
}

/* KVM's own exit counts for this VM (debugfs), the figures the host compares with its traces. */
static void print_stats(void)
{
	static const char *const names[] = { "exits", "wfe_exit_stat", "wfi_exit_stat", "mmio_exit_user",
					     "mmio_exit_kernel", "irq_exits", "halt_wakeup", "signal_exits" };
	char path[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;
		unsigned long long v;

		snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s", getpid(), vm_fd, names[i]);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%llu", &v) != 1) {
			printf("vmm: stat %s unavailable (%s)\n", names[i], path);
		} else {
			printf("vmm: stat %s %llu\n", names[i], v);
		}
		if (f)
			fclose(f);
	}
	printf("vmm: exits to userspace %lu (mmio %lu)\n", exits_to_user, mmio_exits);
}

int main(int argc, char **argv)
{
	int kvm, gic;
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_vcpu_init init;
	struct kvm_userspace_memory_region mem;
	uint64_t addr, nr_irqs = NR_IRQS;
	uint8_t *ram;
	size_t image_len, dtb_len;
	void *image, *dtb;

	if (argc != 4) {
		fprintf(stderr, "usage: vmm GUEST.bin GUEST.dtb NR_VCPUS\n");
		return 2;
	}
	image = read_file(argv[1], &image_len);
	dtb = read_file(argv[2], &dtb_len);
	nr_vcpus = atoi(argv[3]);
	if (nr_vcpus < 1 || nr_vcpus > MAX_VCPUS)
		return 2;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM");
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	memcpy(ram + IMAGE_OFF, image, image_len);
	memcpy(ram + DTB_OFF, dtb, dtb_len);
	mem = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = RAM_IPA, .memory_size = RAM_SIZE,
						    .userspace_addr = (uint64_t)(uintptr_t)ram };
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &mem) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &cd) < 0)
		die("KVM_CREATE_DEVICE vgic-v3");
	gic = cd.fd;
	addr = GICD_IPA;
	vgic_attr(gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &addr);
	addr = GICR_IPA;
	vgic_attr(gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &addr);
	vgic_attr(gic, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	for (int i = 0; i < nr_vcpus; i++) {
		struct kvm_vcpu_init vi = init;

		vcpus[i].fd = ioctl(vm_fd, KVM_CREATE_VCPU, i);
		if (vcpus[i].fd < 0)
			die("KVM_CREATE_VCPU");
		vi.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
		if (i)
			vi.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
		if (ioctl(vcpus[i].fd, KVM_ARM_VCPU_INIT, &vi) < 0)
			die("KVM_ARM_VCPU_INIT");
		vcpus[i].run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpus[i].fd, 0);
		if (vcpus[i].run == MAP_FAILED)
			die("mmap kvm_run");
	}
	vgic_attr(gic, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	set_reg(vcpus[0].fd, CORE_REG(regs.pc), RAM_IPA + IMAGE_OFF);
	set_reg(vcpus[0].fd, CORE_REG(regs.regs[0]), RAM_IPA + DTB_OFF);
	printf("vmm: %d vCPU(s), KVM's vGICv3 at 0x%llx/0x%llx, guest %zu bytes\n", nr_vcpus, GICD_IPA, GICR_IPA,
	       image_len);
	fflush(stdout);
	for (int i = 0; i < nr_vcpus; i++)
		pthread_create(&vcpus[i].thread, NULL, vcpu_loop, &vcpus[i]);
	while (!done)
		usleep(10000);
	print_stats();
	fflush(stdout);
	_exit(0);   /* vCPU threads may sit in KVM_RUN (a WFI): leave without joining them */
}

/* vmm.c: a tiny KVM VMM for arm64, run inside an L1 Linux under QEMU, so that KVM's own vgic (unmodified)
 * serves our test guest or Linux: RAM, a vGICv3, PSCI vCPUs, a PL011 that prints; prints KVM's exit counts. */
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
#define RAM_SIZE_DEF (128ULL << 20)
#define IMAGE_OFF    0x80000ULL          /* the test guest is linked at RAM + 0x80000 */
#define DTB_OFF      0x0ULL
/* A Linux Image (arm64 boot protocol): a 2 MiB-aligned base plus the header's text_offset; the DTB below
 * it; the initramfs where the device tree's /chosen says (the host script writes the same address). */
#define LINUX_BASE_OFF   0x200000ULL
#define LINUX_INITRD_OFF 0x4000000ULL
#define ARM64_IMAGE_MAGIC     0x644d5241U  /* "ARM\x64" at offset 56 */
#define ARM64_IMAGE_MAGIC_OFF 56U
#define ARM64_IMAGE_TEXT_OFF  8U
#define ARM64_IMAGE_SIZE_OFF  16U
/* The PL011 registers a Linux driver reads: flags (both FIFOs empty, so writes never wait) and the
 * PrimeCell identification the AMBA bus checks before it binds the driver. */
#define UART_FR      0x018U
#define UART_FR_RXFE 0x10U
#define UART_FR_TXFE 0x80U
#define UART_ID_BASE 0xfe0U
static const uint8_t uart_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
#define GICD_IPA     0x08000000ULL
#define GICR_IPA     0x080a0000ULL
#define UART_IPA     0x09000000ULL
#define UART_DR      0x000U
#define NR_IRQS      128U
#define MAX_VCPUS    8
#define LINE_MAX_LEN 512

static int vm_fd, nr_vcpus;
static uint64_t ram_size = RAM_SIZE_DEF;
static bool linux_guest;
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
		if (!linux_guest && strstr(line, " passed, ") && strstr(line, " failed"))
			done = 1;
		line_len = 0;
	} else if (c != '\r') {
		line[line_len++] = c;
	}
	pthread_mutex_unlock(&out_lock);
}

/* Reads: the flags and the ID registers; every other register, and any other address, reads as zero. */
static void uart_read(uint64_t addr, uint8_t *data)
{
	memset(data, 0, 8);
	if (addr == UART_IPA + UART_FR)
		data[0] = UART_FR_RXFE | UART_FR_TXFE;
	else if (addr >= UART_IPA + UART_ID_BASE && addr < UART_IPA + UART_ID_BASE + 4 * sizeof(uart_id) &&
		 (addr & 3) == 0)
		data[0] = uart_id[(addr - UART_IPA - UART_ID_BASE) / 4];
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
				uart_read(v->run->mmio.phys_addr, v->run->mmio.data);
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

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Where the image goes: the test guest at its link address, a Linux Image by its header. Returns the
 * offset in RAM of its first instruction. */
static uint64_t place_image(uint8_t *ram, const uint8_t *image, size_t len)
{
	uint64_t off = IMAGE_OFF, need = len;

	if (len > ARM64_IMAGE_MAGIC_OFF + 4 && (uint32_t)le64(image + ARM64_IMAGE_MAGIC_OFF) == ARM64_IMAGE_MAGIC) {
		linux_guest = true;
		off = LINUX_BASE_OFF + le64(image + ARM64_IMAGE_TEXT_OFF);
		need = le64(image + ARM64_IMAGE_SIZE_OFF) > len ? le64(image + ARM64_IMAGE_SIZE_OFF) : len;
	}
	if (off + need > (linux_guest ? LINUX_INITRD_OFF : ram_size)) {
		fprintf(stderr, "vmm: the image (%zu bytes, %llu with its bss) does not fit\n", len,
			(unsigned long long)need);
		exit(2);
	}
	memcpy(ram + off, image, len);
	return off;
}

int main(int argc, char **argv)
{
	int kvm, gic;
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_vcpu_init init;
	struct kvm_userspace_memory_region mem;
	uint64_t addr, nr_irqs = NR_IRQS, entry;
	bool pauth;
	uint8_t *ram;
	size_t image_len, dtb_len, initrd_len = 0;
	void *image, *dtb, *initrd = NULL;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: vmm GUEST.bin GUEST.dtb NR_VCPUS [INITRD RAM_MIB]\n"
				"       (a Linux Image is recognised by its header; the DTB's /chosen must give the\n"
				"       initrd at RAM + 0x%llx)\n", LINUX_INITRD_OFF);
		return 2;
	}
	image = read_file(argv[1], &image_len);
	dtb = read_file(argv[2], &dtb_len);
	nr_vcpus = atoi(argv[3]);
	if (nr_vcpus < 1 || nr_vcpus > MAX_VCPUS)
		return 2;
	if (argc == 6) {
		initrd = read_file(argv[4], &initrd_len);
		ram_size = strtoull(argv[5], NULL, 0) << 20;
		if (ram_size < LINUX_INITRD_OFF + initrd_len || ram_size > (4ULL << 30)) {
			fprintf(stderr, "vmm: RAM of %s MiB cannot hold the initrd at 0x%llx\n", argv[5],
				LINUX_INITRD_OFF);
			return 2;
		}
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM");
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	entry = RAM_IPA + place_image(ram, image, image_len);
	if (dtb_len > (linux_guest ? LINUX_BASE_OFF : IMAGE_OFF)) {
		fprintf(stderr, "vmm: the DTB (%zu bytes) runs into the image\n", dtb_len);
		return 2;
	}
	memcpy(ram + DTB_OFF, dtb, dtb_len);
	if (initrd)
		memcpy(ram + LINUX_INITRD_OFF, initrd, initrd_len);
	mem = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = RAM_IPA, .memory_size = ram_size,
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
	pauth = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_ADDRESS) > 0 &&
		ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_GENERIC) > 0;
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
		/* Linux under plain QEMU and under our hypervisor sees the CPU's pointer authentication (-cpu max)
		 * and signs its return addresses; so it does here, where KVM offers it. */
		if (linux_guest && pauth)
			vi.features[0] |= 1U << KVM_ARM_VCPU_PTRAUTH_ADDRESS | 1U << KVM_ARM_VCPU_PTRAUTH_GENERIC;
		if (ioctl(vcpus[i].fd, KVM_ARM_VCPU_INIT, &vi) < 0)
			die("KVM_ARM_VCPU_INIT");
		vcpus[i].run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpus[i].fd, 0);
		if (vcpus[i].run == MAP_FAILED)
			die("mmap kvm_run");
	}
	vgic_attr(gic, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	set_reg(vcpus[0].fd, CORE_REG(regs.pc), entry);
	set_reg(vcpus[0].fd, CORE_REG(regs.regs[0]), RAM_IPA + DTB_OFF);
	printf("vmm: %d vCPU(s), %llu MiB, KVM's vGICv3 at 0x%llx/0x%llx, %s %zu bytes at 0x%llx%s%s\n", nr_vcpus,
	       (unsigned long long)(ram_size >> 20), GICD_IPA, GICR_IPA, linux_guest ? "Linux" : "guest", image_len,
	       (unsigned long long)entry, initrd ? ", initrd" : "", linux_guest && pauth ? ", pointer auth" : "");
	fflush(stdout);
	for (int i = 0; i < nr_vcpus; i++)
		pthread_create(&vcpus[i].thread, NULL, vcpu_loop, &vcpus[i]);
	while (!done)
		usleep(10000);
	print_stats();
	fflush(stdout);
	_exit(0);   /* vCPU threads may sit in KVM_RUN (a WFI): leave without joining them */
}

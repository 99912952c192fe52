/* vmm_main.c: x86-vmm entry: parse options, build the VM, run the guest, print exit counts.
 * Exit status: the guest's HALT status, 124 on timeout, 125 on a guest fault, 77 when KVM is unusable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define DEFAULT_TIMEOUT_S 60U
#define MIB (1ULL << 20)
#define MAX_SCALE_HZ 100000U   /* raises per second per source: far beyond what a vCPU can take here */

static void usage(void)
{
	fprintf(stderr, "usage: x86-vmm [--mode user|xapic|kernel|split] [--vcpus N] [--mem MiB] [--timeout S]\n"
			"               [--hostile] [--bootargs \"words\"] [--scale-hz HZ] guest.elf\n");
}

static int parse(struct vm *vm, int argc, char **argv, const char **image)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--hostile")) {
			vm->boot_flags |= VMM_BOOT_HOSTILE;
		} else if (!strcmp(a, "--mode") && val) {
			i++;
			if (!strcmp(val, "user"))
				vm->mode = VMM_MODE_USER;
			else if (!strcmp(val, "xapic"))
				vm->mode = VMM_MODE_XAPIC;
			else if (!strcmp(val, "kernel"))
				vm->mode = VMM_MODE_KERNEL;
			else if (!strcmp(val, "split"))
				vm->mode = VMM_MODE_SPLIT;
			else
				return -1;
		} else if (!strcmp(a, "--vcpus") && val) {
			vm->nr_vcpus = (unsigned)strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--mem") && val) {
			vm->mem_size = strtoull(argv[++i], NULL, 0) * MIB;
		} else if (!strcmp(a, "--bootargs") && val) {
			vm->bootargs = argv[++i];
			if (strlen(vm->bootargs) >= VMM_BOOTARGS_MAX)
				return -1;
			vm->boot_flags |= VMM_BOOT_ARGS;
		} else if (!strcmp(a, "--scale-hz") && val) {
			vm->scale.hz = (unsigned)strtoul(argv[++i], NULL, 0);
			if (vm->scale.hz == 0 || vm->scale.hz > MAX_SCALE_HZ)
				return -1;
		} else if (!strcmp(a, "--timeout") && val) {
			vm->timeout_s = (unsigned)strtoul(argv[++i], NULL, 0);
		} else if (a[0] != '-' && !*image) {
			*image = a;
		} else {
			return -1;
		}
	}
	if (!*image || vm->nr_vcpus == 0 || vm->nr_vcpus > VMM_MAX_VCPUS || vm->mem_size < 4 * MIB ||
	    vm->mem_size > VMM_MAX_MEM)
		return -1;
	if (vm->mode == VMM_MODE_XAPIC)
		vm->boot_flags |= VMM_BOOT_NO_PIC;
	if (vm->mode == VMM_MODE_KERNEL)
		vm->boot_flags |= VMM_BOOT_KERNEL;
	if (vm->mode == VMM_MODE_SPLIT)
		vm->boot_flags |= VMM_BOOT_SPLIT;
	return 0;
}

int main(int argc, char **argv)
{
	static struct vm vm;
	const char *image = NULL;
	int rc;

	vm.mode = VMM_MODE_USER;
	vm.nr_vcpus = 1;
	vm.mem_size = VMM_DEFAULT_MEM;
	vm.timeout_s = DEFAULT_TIMEOUT_S;
	if (parse(&vm, argc, argv, &image) < 0) {
		usage();
		return VMM_EXIT_SETUP;
	}
	rc = vmm_kvm_create(&vm);
	if (rc == VMM_KVM_UNUSABLE)
		return VMM_EXIT_SKIP;
	if (rc < 0 || vmm_load_elf(&vm, image) < 0 || vmm_irq_init(&vm) < 0 || vmm_put_bootargs(&vm) < 0 ||
	    vmm_event_init(&vm) < 0)
		return VMM_EXIT_SETUP;
	for (unsigned i = 0; i < vm.nr_vcpus; i++)
		if (vmm_vcpu_create(&vm, i) < 0)
			return VMM_EXIT_SETUP;
	rc = vmm_scale_init(&vm);
	if (rc == VMM_KVM_UNUSABLE)
		return VMM_EXIT_SKIP;
	if (rc < 0) {
		fprintf(stderr, "x86-vmm: cannot start the scale device\n");
		return VMM_EXIT_SETUP;
	}
	if (vmm_event_start(&vm) < 0 || vmm_vcpus_start(&vm) < 0) {
		fprintf(stderr, "x86-vmm: cannot start threads\n");
		return VMM_EXIT_SETUP;
	}
	vmm_vcpus_join(&vm);
	vmm_event_stop(&vm);
	vmm_scale_finish(&vm);
	vmm_print_stats(&vm);
	return atomic_load(&vm.exit_status);
}

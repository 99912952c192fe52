/* fdt_guest.c: build the guest's device tree in guest RAM from dts/guest.dts (embedded at build time),
 * or from the one the run loaded at hyp.dtb (hyp.dtb-loaded).
 * Run-time facts are filled in with libfdt: CPU count and MPIDRs, memory, GICR span, bootargs, initrd. */
#include <libfdt.h>
#include "fdt_guest.h"
#include "vgic_its.h"
#include "mmu.h"
#include "vcpu.h"
#include "vm.h"
#include "platform.h"
#include "vgic.h"

extern const char guest_dtb_start[], guest_dtb_end[];

#define CPU_PATH_MAX 32U
#define NODE_PATH_MAX 64U
/* Room a loaded device tree must leave for the edits (bootargs up to 256 bytes, initrd, GICR, cpus). */
#define GUEST_DTB_SLACK 0x1000U

static int set_cpus(void *fdt, const struct vm *vm)
{
	char path[CPU_PATH_MAX];

	for (uint32_t i = 0; i < HYP_MAX_CPUS; i++) {
		int node;
		const char *prefix = "/cpus/cpu@";
		size_t n = strlen(prefix);

		memcpy(path, prefix, n);
		path[n] = (char)('0' + i); /* HYP_MAX_CPUS <= 10: one digit */
		path[n + 1] = 0;
		node = fdt_path_offset(fdt, path);
		if (node < 0)
			continue;
		if (i >= vm->nr_vcpus) {
			if (fdt_del_node(fdt, node) < 0)
				return -1;
			continue;
		}
		if (fdt_setprop_u32(fdt, node, "reg", (uint32_t)vm->vcpu[i].mpidr) < 0)
			return -1;
	}
	return 0;
}

static int set_reg64(void *fdt, const char *path, const uint64_t *cells, int n)
{
	fdt64_t v[4];
	int node = fdt_path_offset(fdt, path);

	if (node < 0 || n > 4)
		return -1;
	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt64(cells[i]);
	return fdt_setprop(fdt, node, "reg", v, n * (int)sizeof(fdt64_t));
}

/* A device tree the run loaded (hyp.dtb-loaded): checked before it is trusted, and opened in place
 * with room for the edits. It must describe this machine's interrupt controller: the guest would
 * otherwise program a GIC that is not there. */
static void *open_loaded(void *fdt, const char **why)
{
	uint64_t base, size;

	if (fdt_check_header(fdt) < 0)
		*why = "hyp.dtb-loaded: no device tree (bad magic or header) at hyp.dtb";
	else if (fdt_totalsize(fdt) > GUEST_DTB_MAX - GUEST_DTB_SLACK)
		*why = "hyp.dtb-loaded: the device tree leaves no room for the hypervisor's edits in 64 KiB";
	else if (fdt_open_into(fdt, fdt, GUEST_DTB_MAX) < 0)
		*why = "hyp.dtb-loaded: the device tree is malformed";
	else if (platform_fdt_reg(fdt, "arm,gic-v3", 0, &base, &size) < 0 || base != platform.gicd_base)
		*why = "hyp.dtb-loaded: the device tree has no arm,gic-v3 node with the distributor at this machine's GICD";
	else if (fdt_path_offset(fdt, "/chosen") < 0 && fdt_add_subnode(fdt, 0, "chosen") < 0)
		*why = "hyp.dtb-loaded: cannot add /chosen";
	return *why ? NULL : fdt;
}

int fdt_guest_build(const struct vm *vm, const struct bootparams *bp, const char **why)
{
	void *fdt = vm_ram_ptr(vm, bp->dtb, GUEST_DTB_MAX);
	uint64_t mem[2] = { GUEST_RAM_IPA, bp->mem_size };
	uint64_t gic[4] = { platform.gicd_base, VGIC_GICD_SIZE, platform.gicr_base,
			    (uint64_t)vm->nr_vcpus * VGIC_GICR_SIZE };
	char path[NODE_PATH_MAX];
	int node;

	*why = NULL;
	if (!fdt) {
		*why = "hyp.dtb is outside guest RAM";
		return -1;
	}
	if (bp->dtb_loaded ? !open_loaded(fdt, why) : fdt_open_into(guest_dtb_start, fdt, GUEST_DTB_MAX) < 0) {
		if (!*why)
			*why = "the built-in device tree does not fit";
		return -1;
	}
	*why = "a device tree edit failed (cpu nodes, memory, GIC, /chosen)";
	if (set_cpus(fdt, vm) < 0)
		return -1;
	/* The memory node by its type, not its name: a tree from elsewhere may call it anything. */
	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
	if (node < 0 || fdt_get_path(fdt, node, path, sizeof(path)) < 0 || set_reg64(fdt, path, mem, 2) < 0)
		return -1;
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node < 0 || fdt_get_path(fdt, node, path, sizeof(path)) < 0 || set_reg64(fdt, path, gic, 4) < 0)
		return -1;
	/* The PCIe bridge only with a disk on it: a guest without one has nothing to probe there. */
	node = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
	if (node >= 0 && !bp->disk_size && fdt_del_node(fdt, node) < 0)
		return -1;
	node = fdt_path_offset(fdt, "/chosen");
	if (node < 0 || fdt_setprop_string(fdt, node, "bootargs", bp->guest_args) < 0)
		return -1;
	if (bp->initrd_size &&
	    (fdt_setprop_u64(fdt, node, "linux,initrd-start", bp->initrd_start) < 0 ||
	     fdt_setprop_u64(fdt, node, "linux,initrd-end", bp->initrd_start + bp->initrd_size) < 0))
		return -1;
	if (fdt_pack(fdt) < 0)
		return -1;
	mmu_clean_dcache(fdt, fdt_totalsize(fdt));
	*why = NULL;
	return 0;
}

const char *fdt_guest_model(const struct vm *vm, const struct bootparams *bp)
{
	const void *fdt = vm_ram_ptr(vm, bp->dtb, GUEST_DTB_MAX);
	const char *model = fdt ? fdt_getprop(fdt, 0, "model", NULL) : NULL;

	return model ? model : "(none)";
}

uint32_t fdt_guest_uart_intid(void)
{
	return platform_fdt_spi(guest_dtb_start, "arm,pl011");
}

uint64_t fdt_guest_its_base(void)
{
	uint64_t base, size;

	if (platform_fdt_reg(guest_dtb_start, "arm,gic-v3-its", 0, &base, &size) < 0 || size < VGIC_ITS_SIZE)
		return 0;
	return base;
}

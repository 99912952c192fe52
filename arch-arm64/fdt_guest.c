/* fdt_guest.c: build the guest's device tree in guest RAM from dts/guest.dts (embedded at build time).
 * Run-time facts are filled in with libfdt: CPU count and MPIDRs, memory, GICR span, bootargs, initrd. */
#include <libfdt.h>
#include "fdt_guest.h"
#include "vgic_its.h"
#include "mmu.h"
#include "platform.h"
#include "vgic.h"

extern const char guest_dtb_start[], guest_dtb_end[];

#define CPU_PATH_MAX 32U
#define NODE_PATH_MAX 64U

static int set_cpus(void *fdt, uint32_t nr, const uint64_t *mpidr)
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
		if (i >= nr) {
			if (fdt_del_node(fdt, node) < 0)
				return -1;
			continue;
		}
		if (fdt_setprop_u32(fdt, node, "reg", (uint32_t)mpidr[i]) < 0)
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

int fdt_guest_build(uint32_t nr_cpus, const uint64_t *mpidr, const struct bootparams *bp)
{
	void *fdt = mmu_guest_ram_ptr(bp->dtb, GUEST_DTB_MAX);
	uint64_t mem[2] = { GUEST_RAM_IPA, bp->mem_size };
	uint64_t gic[4] = { platform.gicd_base, VGIC_GICD_SIZE, platform.gicr_base,
			    (uint64_t)nr_cpus * VGIC_GICR_SIZE };
	char gic_path[NODE_PATH_MAX];
	int node;

	if (!fdt || fdt_open_into(guest_dtb_start, fdt, GUEST_DTB_MAX) < 0)
		return -1;
	if (set_cpus(fdt, nr_cpus, mpidr) < 0 || set_reg64(fdt, "/memory@40000000", mem, 2) < 0)
		return -1;
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node < 0 || fdt_get_path(fdt, node, gic_path, sizeof(gic_path)) < 0 ||
	    set_reg64(fdt, gic_path, gic, 4) < 0)
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
	return 0;
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

/* platform.c: read QEMU's device tree (libfdt) for the GIC, UART, memory, CPUs and the PSCI conduit.
 * Nothing here is hard-coded except the early UART, which only matters if the DTB itself is missing. */
#include <libfdt.h>
#include "platform.h"

#define FDT_CELL_BITS 32
/* The GIC binding's three interrupt cells: type (0 = SPI), number within the type, flags. */
#define GIC_FDT_CELLS     3
#define GIC_FDT_TYPE_SPI  0U
#define GIC_FDT_SPI_BASE  32U

struct platform platform = { .uart_base = PLATFORM_UART_EARLY };

/* Read a (#address-cells, #size-cells) pair at index idx of a node's reg property. */
static int read_reg(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -1;
	if ((idx + 1) * (ac + sc) * (int)sizeof(fdt32_t) > len)
		return -1;
	reg += idx * (ac + sc);
	*addr = 0;
	for (int i = 0; i < ac; i++)
		*addr = (*addr << FDT_CELL_BITS) | fdt32_to_cpu(reg[i]);
	*size = 0;
	for (int i = 0; i < sc; i++)
		*size = (*size << FDT_CELL_BITS) | fdt32_to_cpu(reg[ac + i]);
	return 0;
}

int platform_fdt_reg(const void *fdt, const char *compat, int idx, uint64_t *a, uint64_t *s)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat);

	return node < 0 ? -1 : read_reg(fdt, node, idx, a, s);
}

static int read_cpus(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int node;

	if (cpus < 0)
		return -1;
	platform.nr_cpus = 0;
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t mpidr, unused;

		if (!type || strcmp(type, "cpu") != 0)
			continue;
		if (read_reg(fdt, node, 0, &mpidr, &unused) < 0)
			return -1;
		if (platform.nr_cpus < HYP_MAX_CPUS)
			platform.cpu_mpidr[platform.nr_cpus++] = mpidr;
	}
	return platform.nr_cpus ? 0 : -1;
}

uint32_t platform_fdt_spi(const void *fdt, const char *compat)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat), len;
	const fdt32_t *irq = node < 0 ? NULL : fdt_getprop(fdt, node, "interrupts", &len);

	if (!irq || len < GIC_FDT_CELLS * (int)sizeof(fdt32_t) || fdt32_to_cpu(irq[0]) != GIC_FDT_TYPE_SPI)
		return 0;
	return GIC_FDT_SPI_BASE + fdt32_to_cpu(irq[1]);
}

int platform_init(const void *dtb)
{
	uint64_t unused;
	int node, len;
	const char *s;

	if (fdt_check_header(dtb))
		return -1;
	platform.dtb = dtb;
	if (platform_fdt_reg(dtb, "arm,pl011", 0, &platform.uart_base, &unused) < 0)
		platform.uart_base = PLATFORM_UART_EARLY;
	platform.uart_intid = platform_fdt_spi(dtb, "arm,pl011");
	if (platform_fdt_reg(dtb, "arm,gic-v3", 0, &platform.gicd_base, &platform.gicd_size) < 0 ||
	    platform_fdt_reg(dtb, "arm,gic-v3", 1, &platform.gicr_base, &platform.gicr_size) < 0)
		return -1;
	node = fdt_path_offset(dtb, "/memory");
	if (node < 0)
		node = fdt_path_offset(dtb, "/memory@40000000");
	if (node < 0 || read_reg(dtb, node, 0, &platform.mem_base, &platform.mem_size) < 0)
		return -1;
	if (read_cpus(dtb) < 0)
		return -1;
	node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci-0.2");
	s = node >= 0 ? fdt_getprop(dtb, node, "method", NULL) : NULL;
	platform.psci_hvc = s && strcmp(s, "hvc") == 0;
	node = fdt_path_offset(dtb, "/chosen");
	s = node >= 0 ? fdt_getprop(dtb, node, "bootargs", &len) : NULL;
	if (s && len > 0) {
		size_t n = (size_t)len < sizeof(platform.bootargs) ? (size_t)len : sizeof(platform.bootargs) - 1;

		memcpy(platform.bootargs, s, n);
		platform.bootargs[n] = 0;
		/* len counts the terminating NUL: a longer string has lost its end, options included. */
		if ((size_t)len > sizeof(platform.bootargs))
			hyp_printf("hyp: warning: -append is longer than %u bytes; the rest is ignored\n",
				   PLATFORM_BOOTARGS_MAX - 1U);
	}
	return 0;
}

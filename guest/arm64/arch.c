/* arch.c: the arm64 guest layer's machine side: boot, device tree, MMU, console, HVC, PSCI, timer.
 * The interrupt controller half of guest_arch.h is in gic.c. */
#include <libfdt.h>
#include "arm64.h"
#include "hv_abi.h"

#define MAP_GIB          4U
#define MAIR_DEVICE      0x00UL                     /* attribute index 0: Device-nGnRnE */
#define MAIR_NORMAL_WB   0xffUL                     /* attribute index 1: Normal write-back */
#define MAIR_VALUE       (MAIR_DEVICE | (MAIR_NORMAL_WB << 8))
#define TCR_T0SZ_39BIT   25UL                       /* start the walk at level 1: 1 GiB blocks */
#define TCR_IRGN0_WBWA   (1UL << 8)
#define TCR_ORGN0_WBWA   (1UL << 10)
#define TCR_SH0_INNER    (3UL << 12)
#define TCR_EPD1         (1UL << 23)                /* no TTBR1 walks: nothing is mapped high */
#define TCR_IPS_40BIT    (2UL << 32)
#define TCR_VALUE        (TCR_T0SZ_39BIT | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | \
			  TCR_EPD1 | TCR_IPS_40BIT)
#define SCTLR_EL1_RES1   0x30d00800UL
#define SCTLR_M          (1UL << 0)
#define SCTLR_C          (1UL << 2)
#define SCTLR_I          (1UL << 12)
#define SCTLR_VALUE      (SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I)

#define PL011_DR         0x000U
#define PL011_FR         0x018U
#define PL011_FR_TXFF    (1U << 5)
#define UART_DEFAULT     0x09000000UL

#define PSCI_CPU_ON_64   0xC4000003UL
#define FDT_CELL_BITS    32
#define PSCI_RET_SUCCESS 0

struct arm64_machine machine;
static uint64_t uart_base = UART_DEFAULT;
static uint64_t l1_table[PT_ENTRIES] __attribute__((aligned(4096)));
uint8_t guest_stacks[GUEST_MAX_CPUS][1U << GUEST_STACK_SHIFT] __attribute__((aligned(16)));
static void (*secondary_fn[GUEST_MAX_CPUS])(unsigned cpu);

void guest_arm64_boot(void *dtb);
void guest_arm64_secondary(uint64_t cpu);
void guest_secondary_entry(void);

static void mmu_on(void)
{
	write_sysreg(mair_el1, MAIR_VALUE);
	write_sysreg(tcr_el1, TCR_VALUE);
	write_sysreg(ttbr0_el1, (uint64_t)l1_table);
	isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	write_sysreg(sctlr_el1, SCTLR_VALUE);
	isb();
}

/* Break before make: a live entry that changes (a block that becomes a table, another output address)
 * is invalidated everywhere before the new one is written, or a TLB could hold both at once (a TLB
 * conflict abort on real hardware). */
void arm64_pte_replace(uint64_t *pte, uint64_t entry)
{
	if (*pte == entry)
		return;
	*pte = 0;
	dsb(ish);
	__asm__ volatile("tlbi vmalle1is\n\tdsb ish" ::: "memory");
	*pte = entry;
	dsb(ish);
	isb();
}

uint64_t arm64_map_gib(unsigned slot, uint64_t entry)
{
	uint64_t old = l1_table[slot];

	arm64_pte_replace(&l1_table[slot], entry);
	return old;
}

/* Identity map: the first GiB is devices (never executable), the next three normal memory. */
static void mmu_build(void)
{
	for (uint64_t i = 0; i < MAP_GIB; i++)
		l1_table[i] = (i * GIB) | PT_AF | PT_BLOCK_VALID |
			      (i == 0 ? (PT_ATTR_DEVICE | PT_XN) : (PT_ATTR_NORMAL | PT_SH_INNER));
	dsb(ish);
}

static int reg_of(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);

	if (!p || ac < 1 || ac > 2 || sc < 0 || sc > 2 || (idx + 1) * (ac + sc) * 4 > len)
		return -1;
	p += idx * (ac + sc);
	*addr = 0;
	for (int i = 0; i < ac; i++)
		*addr = *addr << FDT_CELL_BITS | fdt32_to_cpu(p[i]);
	*size = 0;
	for (int i = 0; i < sc; i++)
		*size = *size << FDT_CELL_BITS | fdt32_to_cpu(p[ac + i]);
	return 0;
}

/* The bridge's first ranges entry: 3 cells of PCI address, 2 of CPU address, 2 of size. */
#define PCI_RANGE_CELLS 7
static int pci_window(const void *fdt, int node)
{
	int len;
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);

	if (!r || len < PCI_RANGE_CELLS * 4)
		return -1;
	machine.pci_mmio = (uint64_t)fdt32_to_cpu(r[3]) << FDT_CELL_BITS | fdt32_to_cpu(r[4]);
	machine.pci_mmio_size = (uint64_t)fdt32_to_cpu(r[5]) << FDT_CELL_BITS | fdt32_to_cpu(r[6]);
	return 0;
}

static int parse_dtb(const void *fdt)
{
	int node, cpus;
	uint64_t size;

	if (fdt_check_header(fdt))
		return -1;
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	if (node >= 0)
		reg_of(fdt, node, 0, &uart_base, &size);
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	if (node < 0 || reg_of(fdt, node, 0, &machine.gicd, &size) ||
	    reg_of(fdt, node, 1, &machine.gicr, &machine.gicr_size))
		return -1;
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its");
	if (node < 0 || reg_of(fdt, node, 0, &machine.its, &size))
		machine.its = 0;
	node = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
	if (node < 0 || reg_of(fdt, node, 0, &machine.pci_ecam, &size) || pci_window(fdt, node) < 0)
		machine.pci_ecam = machine.pci_mmio = machine.pci_mmio_size = 0;
	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return -1;
	fdt_for_each_subnode(node, fdt, cpus) {
		uint64_t mpidr;

		if (machine.nr_cpus < GUEST_MAX_CPUS && reg_of(fdt, node, 0, &mpidr, &size) == 0)
			machine.mpidr[machine.nr_cpus++] = mpidr;
	}
	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
	if (node < 0 || reg_of(fdt, node, 0, &machine.ram_base, &machine.ram_size))
		machine.ram_size = 0;
	node = fdt_path_offset(fdt, "/chosen");
	machine.bootargs = node >= 0 ? fdt_getprop(fdt, node, "bootargs", NULL) : NULL;
	if (!machine.bootargs)
		machine.bootargs = "";
	machine.timer_hz = read_sysreg(cntfrq_el0);
	return machine.nr_cpus ? 0 : -1;
}

void guest_arm64_boot(void *dtb)
{
	mmu_build();
	mmu_on();
	if (guest_arch_init(dtb) < 0) {
		static const char msg[] = "guest: no usable device tree\n";

		guest_arch_hypercall(HV_CALL_CONSOLE_WRITE, (unsigned long)msg, sizeof(msg) - 1, 0);
		guest_arch_hypercall(HV_CALL_HALT, GUEST_STATUS_NO_DTB, 0, 0);
	}
	guest_main();
}

int guest_arch_init(void *boot_info)
{
	if (parse_dtb(boot_info) < 0)
		return -1;
	if (gic_dist_init() < 0 || gic_cpu_init() < 0)
		return -1;
	return 0;
}

void guest_arm64_secondary(uint64_t cpu)
{
	mmu_on();
	if (gic_cpu_init() < 0)
		guest_fatal("redistributor set-up failed", 0, 0, 0);
	secondary_fn[cpu]((unsigned)cpu);
	guest_fatal("secondary function returned", 0, 0, 0);
}

const char *guest_arch_bootargs(void)
{
	return machine.bootargs;
}

unsigned guest_arch_cpu_id(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;

	for (unsigned i = 0; i < machine.nr_cpus; i++)
		if (machine.mpidr[i] == mpidr)
			return i;
	return 0;
}

unsigned guest_arch_nr_cpus(void)
{
	return machine.nr_cpus;
}

long guest_arch_hypercall(unsigned call, unsigned long a0, unsigned long a1, unsigned long a2)
{
	return guest_arch_firmware_call(HV_ARM64_FID(call), a0, a1, a2);
}

long guest_arch_firmware_call(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	register unsigned long x0 __asm__("x0") = fid;
	register unsigned long x1 __asm__("x1") = a0;
	register unsigned long x2 __asm__("x2") = a1;
	register unsigned long x3 __asm__("x3") = a2;

	/* SMCCC: x4-x17 may be clobbered by the callee. */
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			   "x14", "x15", "x16", "x17", "memory");
	return (long)x0;
}

int guest_arch_cpu_start(unsigned cpu, void (*fn)(unsigned cpu))
{
	if (cpu >= machine.nr_cpus)
		return -1;
	secondary_fn[cpu] = fn;
	dsb(ish);
	return guest_arch_firmware_call(PSCI_CPU_ON_64, machine.mpidr[cpu],
					(unsigned long)guest_secondary_entry, cpu) == PSCI_RET_SUCCESS ? 0 : -1;
}

void guest_arch_console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			while (mmio_r32(uart_base + PL011_FR) & PL011_FR_TXFF)
				;
			mmio_w32(uart_base + PL011_DR, '\r');
		}
		while (mmio_r32(uart_base + PL011_FR) & PL011_FR_TXFF)
			;
		mmio_w32(uart_base + PL011_DR, (uint8_t)s[i]);
	}
}

void guest_arch_local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void guest_arch_local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

void guest_arch_wait_for_interrupt(void)
{
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
}

void guest_arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/* ---- time: the virtual counter and the EL1 virtual timer (PPI 27) ---- */
#define NS_PER_SEC 1000000000UL
#define VTIMER_INTID 27U
#define CNT_CTL_ENABLE 1UL

uint64_t guest_arch_now_ns(void)
{
	uint64_t t = read_sysreg(cntvct_el0), hz = machine.timer_hz;

	return t / hz * NS_PER_SEC + t % hz * NS_PER_SEC / hz;
}

uint64_t arm64_ns_to_ticks(uint64_t ns)
{
	uint64_t hz = machine.timer_hz;

	return ns / NS_PER_SEC * hz + ns % NS_PER_SEC * hz / NS_PER_SEC;
}

void guest_arch_timer_at_ns(uint64_t when)
{
	write_sysreg(cntv_cval_el0, arm64_ns_to_ticks(when));
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

void guest_arch_timer_oneshot_ns(uint64_t delta_ns)
{
	guest_arch_timer_at_ns(guest_arch_now_ns() + delta_ns);
}

void guest_arch_timer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

unsigned guest_arch_irq_of_timer(void)
{
	return VTIMER_INTID;
}

/* ---- fault mode ---- */
#define FAULT_DATA_IPA 0x30000000UL  /* device GiB, no RAM or device there: stage 2 leaves it unmapped */

bool guest_arch_fault(unsigned kind)
{
	if (kind == GUEST_FAULT_DATA) {
		(void)mmio_r32(FAULT_DATA_IPA);
	} else {
		void (*fn)(void) = (void (*)(void))FAULT_EXEC_IPA;

		if (kind == GUEST_FAULT_EXEC_NO_VECTOR) {
			/* Vectors where nothing is: the abort can only be reported by the hypervisor. */
			write_sysreg(vbar_el1, FAULT_EXEC_IPA);
			isb();
		}
		fn();
	}
	return false; /* reached only if nothing faulted */
}

/* ---- CPU power (PSCI) ---- */
#define PSCI_CPU_OFF          0x84000002UL
#define PSCI_AFFINITY_INFO_64 0xC4000004UL
#define PSCI_AFF_ON           0
#define PSCI_AFF_OFF          1
#define PSCI_AFF_ON_PENDING   2

int guest_arch_cpu_state(unsigned cpu)
{
	long r;

	if (cpu >= machine.nr_cpus)
		return -1;
	r = guest_arch_firmware_call(PSCI_AFFINITY_INFO_64, machine.mpidr[cpu], 0, 0);
	return r == PSCI_AFF_ON ? 1 : r == PSCI_AFF_OFF ? 0 : r == PSCI_AFF_ON_PENDING ? 2 : -1;
}

void guest_arch_cpu_stop(void)
{
	guest_arch_local_irq_disable();
	guest_arch_firmware_call(PSCI_CPU_OFF, 0, 0, 0);
}

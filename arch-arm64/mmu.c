/* mmu.c: EL2 identity map with 1 GiB blocks, and each VM's stage-2 tables (2 MiB RAM blocks, a 4 KiB UART page).
 * 4 KiB granule throughout; the IPA space is 4 GiB (VTCR_EL2.T0SZ = 32) starting at level 1. */
#include "mmu.h"
#include "hyp.h"
#include "vm.h"
#include "platform.h"
#include "sysreg.h"

#define PT_ENTRIES         512U
#define PT_VALID           BIT(0)
#define PT_TABLE           BIT(1)   /* at levels 0-2: next-level table; at level 3: page */
#define PT_BLOCK           0UL
#define PT_AF              BIT(10)
#define PT_SH_INNER        (3UL << 8)
#define PT_XN              BIT(54)
#define PT_ADDR_MASK       0x0000fffffffff000UL
#define L1_SHIFT           30
#define L2_SHIFT           21
#define L3_SHIFT           12
#define LEVEL_INDEX(a, s)  (((a) >> (s)) & (PT_ENTRIES - 1))
#define SZ_1G              (1UL << L1_SHIFT)
#define SZ_2M              (1UL << L2_SHIFT)

/* EL2 stage 1: MAIR index 0 = Device-nGnRnE, 1 = Normal write-back */
#define MAIR_DEVICE_NGNRNE 0x00UL
#define MAIR_NORMAL_WB     0xffUL
#define MAIR_EL2_VALUE     (MAIR_DEVICE_NGNRNE | (MAIR_NORMAL_WB << 8))
#define S1_ATTR_DEVICE     (0UL << 2)
#define S1_ATTR_NORMAL     (1UL << 2)
/* TCR_EL2: T0SZ = 25 (39-bit VA, start at level 1), WBWA inner/outer, inner shareable, 4K, 40-bit PA */
#define TCR_T0SZ_39BIT     25UL
#define TCR_IRGN0_WBWA     (1UL << 8)
#define TCR_ORGN0_WBWA     (1UL << 10)
#define TCR_SH0_INNER      (3UL << 12)
#define TCR_EL2_PS_40BIT   (2UL << 16)
#define TCR_EL2_RES1       (BIT(31) | BIT(23))
#define TCR_EL2_VALUE      (TCR_T0SZ_39BIT | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | \
			    TCR_EL2_PS_40BIT | TCR_EL2_RES1)

/* Stage 2: MemAttr[5:2] (0b1111 Normal WB, 0b0001 Device-nGnRE), S2AP[7:6] = read/write */
#define S2_MEMATTR_NORMAL  (0xfUL << 2)
#define S2_MEMATTR_DEVICE  (0x1UL << 2)
#define S2_AP_RW           (3UL << 6)
/* VTCR_EL2: T0SZ = 32 (4 GiB IPA), SL0 = 1 (start at level 1), WBWA, inner shareable, 4K, 40-bit PA */
#define VTCR_T0SZ_4G       32UL
#define VTCR_SL0_L1        (1UL << 6)
#define VTCR_PS_40BIT      (2UL << 16)
#define VTCR_RES1          BIT(31)
#define VTCR_VALUE         (VTCR_T0SZ_4G | VTCR_SL0_L1 | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | \
			    TCR_SH0_INNER | VTCR_PS_40BIT | VTCR_RES1)
#define VTTBR_VMID_SHIFT   48
#define IPA_SPACE          (1UL << 32)
#define S2_L1_ENTRIES      (IPA_SPACE >> L1_SHIFT)
#define CACHE_LINE         64U

#define HYP_MAP_SIZE       (4 * SZ_1G)    /* devices in the first GiB, RAM above */

static uint64_t el2_l1[PT_ENTRIES] __attribute__((aligned(4096)));
/* One stage-2 table set per VM. */
static uint64_t s2_l1[HYP_MAX_VMS][PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t s2_l2_ram[HYP_MAX_VMS][PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t s2_l2_dev[HYP_MAX_VMS][PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t s2_l3_uart[HYP_MAX_VMS][PT_ENTRIES] __attribute__((aligned(4096)));

static void build_el2(void)
{
	for (uint64_t a = 0; a < HYP_MAP_SIZE; a += SZ_1G) {
		/* The first GiB of QEMU virt is MMIO; everything above is RAM (or nothing). */
		uint64_t attr = a < SZ_1G ? (S1_ATTR_DEVICE | PT_XN) : (S1_ATTR_NORMAL | PT_SH_INNER);

		el2_l1[LEVEL_INDEX(a, L1_SHIFT)] = a | attr | PT_AF | PT_BLOCK | PT_VALID;
	}
}

static void build_stage2(struct vm *vm)
{
	uint64_t uart = platform.uart_base;
	uint64_t *l1 = s2_l1[vm->index], *l2_ram = s2_l2_ram[vm->index];
	uint64_t *l2_dev = s2_l2_dev[vm->index], *l3_uart = s2_l3_uart[vm->index];

	/* Guest RAM: 2 MiB blocks inside one 1 GiB slot (GUEST_RAM_IPA is 1 GiB aligned, and
	 * bootparams_check() held the size to at most GUEST_RAM_MAX = 1 GiB, a whole number of blocks). */
	l1[LEVEL_INDEX(GUEST_RAM_IPA, L1_SHIFT)] = (uint64_t)l2_ram | PT_TABLE | PT_VALID;
	for (uint64_t off = 0; off < vm->ram_size; off += SZ_2M)
		l2_ram[LEVEL_INDEX(GUEST_RAM_IPA + off, L2_SHIFT)] =
			(vm->ram_pa + off) | S2_MEMATTR_NORMAL | S2_AP_RW | PT_SH_INNER |
			PT_AF | PT_BLOCK | PT_VALID;
	vm->vttbr = (uint64_t)l1 | ((uint64_t)vm_vmid(vm) << VTTBR_VMID_SHIFT);
	/* The UART, passed through at its own address, unless it is emulated (two VMs share it).
	 * The GIC ranges stay unmapped: they trap. */
	if (vm->console_emulated)
		return;
	l1[LEVEL_INDEX(uart, L1_SHIFT)] = (uint64_t)l2_dev | PT_TABLE | PT_VALID;
	l2_dev[LEVEL_INDEX(uart, L2_SHIFT)] = (uint64_t)l3_uart | PT_TABLE | PT_VALID;
	l3_uart[LEVEL_INDEX(uart, L3_SHIFT)] = (uart & PT_ADDR_MASK) | S2_MEMATTR_DEVICE |
					       S2_AP_RW | PT_XN | PT_AF | PT_TABLE | PT_VALID;
}

void mmu_build_el2(void)
{
	build_el2();
	dsb(ish);
}

void mmu_build_stage2(struct vm *vm)
{
	if (vm->ram_size > GUEST_RAM_MAX)
		vm->ram_size = GUEST_RAM_MAX; /* one L2 table: cannot happen after bootparams_check() */
	build_stage2(vm);
	dsb(ish);
}

void mmu_enable_cpu(void)
{
	write_sysreg(mair_el2, MAIR_EL2_VALUE);
	write_sysreg(tcr_el2, TCR_EL2_VALUE);
	write_sysreg(ttbr0_el2, (uint64_t)el2_l1);
	write_sysreg(vtcr_el2, VTCR_VALUE);
		isb();
	__asm__ volatile("tlbi alle2\n\ttlbi alle1\n\tdsb nsh\n\tisb" ::: "memory");
	write_sysreg(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}

void mmu_clean_dcache(const void *p, uint64_t len)
{
	uint64_t a = (uint64_t)p & ~(uint64_t)(CACHE_LINE - 1);

	for (; a < (uint64_t)p + len; a += CACHE_LINE)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

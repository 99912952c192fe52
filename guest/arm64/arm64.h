/* arm64.h: the arm64 guest layer's private definitions: system registers, GIC offsets, shared state.
 * Only guest/arm64 includes it; the common suite sees guest_arch.h alone. */
#ifndef GUEST_ARM64_H
#define GUEST_ARM64_H

#include <stdbool.h>
#include <stdint.h>
#include "guest_arch.h"

#define read_sysreg(r) ({ uint64_t v__; __asm__ volatile("mrs %0, " #r : "=r"(v__)); v__; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(o) __asm__ volatile("dsb " #o ::: "memory")

#define GUEST_STACK_SHIFT 14U                 /* 16 KiB per CPU (start.S uses the same) */
#define GIC_PRIO_SHIFT    4U                  /* suite priority p -> GIC priority p << 4 */
#define GIC_SPURIOUS      1020U
#define GIC_SGI_MAX       16U
#define GIC_PRIVATE       32U
#define GIC_PRIO_EVERY_BYTE 0x01010101U       /* one priority into all four bytes of IPRIORITYR */
#define ICC_CTLR_EOIMODE  (1UL << 1)
#define GUEST_STATUS_NO_DTB 0xf2U

/* MPIDR_EL1 affinity fields, and the two packings the GIC uses for them */
#define MPIDR_AFF_MASK    0xff00ffffffUL
#define MPIDR_AFF_BITS    8U
#define MPIDR_AFF3_SHIFT  32U
static inline uint64_t mpidr_aff(uint64_t m, unsigned level)
{
	static const unsigned shift[4] = { 0, 8, 16, MPIDR_AFF3_SHIFT };

	return (m >> shift[level]) & ((1UL << MPIDR_AFF_BITS) - 1);
}
/* GICR_TYPER[63:32] and the IROUTER value naming this CPU */
static inline uint64_t mpidr_to_typer_aff(uint64_t m)
{
	return mpidr_aff(m, 3) << 24 | mpidr_aff(m, 2) << 16 | mpidr_aff(m, 1) << 8 | mpidr_aff(m, 0);
}
static inline uint64_t mpidr_to_irouter(uint64_t m)
{
	return mpidr_aff(m, 3) << 32 | mpidr_aff(m, 2) << 16 | mpidr_aff(m, 1) << 8 | mpidr_aff(m, 0);
}

/* MMIO accessors: one plain load/store each, so a trap always has a valid syndrome (no writeback). */
static inline uint8_t mmio_r8(uint64_t a) { uint32_t v; __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return (uint8_t)v; }
static inline uint16_t mmio_r16(uint64_t a) { uint32_t v; __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return (uint16_t)v; }
static inline uint32_t mmio_r32(uint64_t a) { uint32_t v; __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint64_t mmio_r64(uint64_t a) { uint64_t v; __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline void mmio_w8(uint64_t a, uint8_t v) { __asm__ volatile("strb %w0, [%1]" : : "r"((uint32_t)v), "r"(a) : "memory"); }
static inline void mmio_w16(uint64_t a, uint16_t v) { __asm__ volatile("strh %w0, [%1]" : : "r"((uint32_t)v), "r"(a) : "memory"); }
static inline void mmio_w32(uint64_t a, uint32_t v) { __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_w64(uint64_t a, uint64_t v) { __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory"); }

struct arm64_machine {
	uint64_t gicd, gicr, gicr_size;
	uint64_t its;                         /* the ITS (arm,gic-v3-its), 0 if the machine has none */
	unsigned nr_cpus;
	uint64_t mpidr[GUEST_MAX_CPUS];
	uint64_t timer_hz;
	const char *bootargs;
	uint64_t ram_base, ram_size;          /* the memory node (device_type "memory"); size 0: none */
	/* A PCIe host bridge (pci-host-ecam-generic): ECAM, and its first memory window; 0: none. */
	uint64_t pci_ecam, pci_mmio, pci_mmio_size;
};
extern struct arm64_machine machine;

/* Normal and executable at stage 1 (our identity map), beyond guest RAM at stage 2 whatever its size
 * (RAM is at most 1 GiB from 0x40000000): a fetch there is an instruction abort (the fault-exec mode,
 * and the suite's recovered one in exceptions.c). */
#define FAULT_EXEC_IPA 0xbf000000UL

/* Stage-1 descriptors of the identity map (arch.c) and of the suite's EL0 window (aa32_tests.c) */
#define PT_ENTRIES       512U
#define PT_BLOCK_VALID   0x1UL                      /* a block at level 1 or 2 */
#define PT_TABLE         0x3UL                      /* a table at level 1 */
#define PT_AF            (1UL << 10)
#define PT_SH_INNER      (3UL << 8)
#define PT_XN            ((1UL << 54) | (1UL << 53))
#define PT_ATTR_DEVICE   (0UL << 2)
#define PT_ATTR_NORMAL   (1UL << 2)
#define GIB              (1UL << 30)

/* ESR_EL1 and the vector frame (vectors.S: x0-x30, ELR_EL1, SPSR_EL1), for exceptions.c and aa32_tests.c */
#define ESR_EC_SHIFT     26
#define ESR_EC_MASK      0x3fUL
#define ESR_EC_OF(esr)   (((esr) >> ESR_EC_SHIFT) & ESR_EC_MASK)
#define ESR_EC_SVC32     0x11UL
#define ESR_EC_IABT_LOW  0x20UL
#define ESR_EC_IABT_CUR  0x21UL
#define ESR_EC_DABT_LOW  0x24UL
#define ESR_EC_DABT_CUR  0x25UL
#define ESR_FSC_MASK     0x3fUL
#define ESR_FSC_EXTABT   0x10UL  /* synchronous external abort, not on a table walk */
#define FRAME_X0         0
#define FRAME_LR         30      /* x30 */
#define FRAME_ELR        31
#define FRAME_SPSR       32
/* An ID register's 4-bit feature field */
#define ID_FIELD(reg, shift) (((reg) >> (shift)) & 0xfUL)

/* aa32_tests.c: the vector kind of an exception from AArch32 EL0 (vectors.S), and its handler while a
 * user sequence runs: true when it took the exception (frame: x0-x30, ELR_EL1, SPSR_EL1). */
#define VEC_KIND_LOWER_AA32 5U
bool arm64_el0_exception(uint64_t *frame, uint64_t esr);
/* arch.c: replace one 1 GiB slot of the identity map (a block or a table entry), TLBs invalidated;
 * returns the entry it replaced */
uint64_t arm64_map_gib(unsigned slot, uint64_t entry);
/* Write one page-table entry, break before make when it changes (TLBs invalidated). */
void arm64_pte_replace(uint64_t *pte, uint64_t entry);

/* arch.c: a time on the guest_arch_now_ns() scale in counter ticks */
uint64_t arm64_ns_to_ticks(uint64_t ns);

/* gic.c */
int gic_dist_init(void);
int gic_cpu_init(void);
/* RD_base of a CPU's redistributor (0 before that CPU ran gic_cpu_init). */
uint64_t gic_redist(unsigned cpu);
/* exceptions.c dispatches LPI INTID 8192 + n as guest irq GUEST_IRQ_MSI_BASE + n (its.c). */
#define GIC_LPI_BASE        8192U
#define GUEST_IRQ_MSI_BASE  1024U
/* exceptions.c: a synchronous exception the hostile mode expects (an injected external abort) */
extern volatile bool arm64_abort_expected;
extern volatile uint64_t arm64_aborts_taken;

#endif

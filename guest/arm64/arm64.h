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
	unsigned nr_cpus;
	uint64_t mpidr[GUEST_MAX_CPUS];
	uint64_t timer_hz;
	const char *bootargs;
};
extern struct arm64_machine machine;

/* gic.c */
int gic_dist_init(void);
int gic_cpu_init(void);
/* exceptions.c: a synchronous exception the hostile mode expects (an injected external abort) */
extern volatile bool arm64_abort_expected;
extern volatile uint64_t arm64_aborts_taken;

#endif

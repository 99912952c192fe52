/* x86.h: the thin x86 layer of the test guest: port/MMIO access, the ABI call, IDT, chips, console.
 * Freestanding; the same names are used by the suite whatever controller mode the VMM runs. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdbool.h>
#include <stdint.h>
#include "hv_abi.h"

#define G_MAX_CPUS 64U   /* the VMM's limit (the scale runs use 64); the common suite keeps to 8 */
#define G_STACK_SIZE 16384U
#define G_KERNEL_CS 0x08U

/* Boot flags in RDX (docs/x86.md). */
#define G_BOOT_NO_PIC  0x1U
#define G_BOOT_HOSTILE 0x2U
#define G_BOOT_KERNEL  0x4U
#define G_BOOT_ARGS    0x8U
#define G_BOOT_SPLIT   0x10U   /* KVM's LAPIC, the VMM's PIC and IOAPICs */

#define G_LAPIC_BASE  0xFEE00000UL
#define G_IOAPIC_BASE 0xFEC00000UL
#define G_IOAPIC_HI_BASE 0xFEC01000UL   /* second IOAPIC: lines 24..47 */
#define G_IOAPIC_STRIDE  0x1000UL       /* IOAPIC n at G_IOAPIC_BASE + n * stride, GSI base 24n */
#define G_IOAPIC_PINS 24U
#define G_BOOTARGS 0x9000UL             /* with G_BOOT_ARGS */
#define G_SCALE_PAGE 0xA000UL           /* the scale device's raise times, one u64 per vCPU (guest TSC) */

/* LAPIC registers used by the guest */
#define G_LAPIC_ID      0x020U
#define G_LAPIC_TPR     0x080U
#define G_LAPIC_PPR     0x0A0U
#define G_LAPIC_EOI     0x0B0U
#define G_LAPIC_LDR     0x0D0U
#define G_LAPIC_DFR     0x0E0U
#define G_LAPIC_SVR     0x0F0U
#define G_LAPIC_ISR     0x100U
#define G_LAPIC_IRR     0x200U
#define G_LAPIC_ESR     0x280U
#define G_LAPIC_ICR_LO  0x300U
#define G_LAPIC_ICR_HI  0x310U
#define G_LAPIC_LVT_TIMER 0x320U
#define G_LAPIC_LVT_LINT0 0x350U
#define G_LAPIC_LVT_LINT1 0x360U
#define G_LAPIC_LVT_ERROR 0x370U
#define G_LAPIC_TIMER_INIT 0x380U
#define G_LAPIC_TIMER_CUR  0x390U
#define G_LAPIC_TIMER_DCR  0x3E0U
#define G_SVR_ENABLE    0x100U
#define G_SPURIOUS_VEC  0xFFU
#define G_LVT_MASKED    0x10000U
#define G_LVT_PERIODIC  0x20000U
#define G_LVT_EXTINT    0x700U
#define G_ICR_LOGICAL   0x800U
#define G_ICR_SELF      (1U << 18)
#define G_ICR_ALL_INCL  (2U << 18)
#define G_ICR_ALL_EXCL  (3U << 18)
#define G_DCR_DIV1      0xBU

/* IOAPIC */
#define G_IOAPIC_REGSEL 0x00U
#define G_IOAPIC_WIN    0x10U
#define G_RTE_LEVEL     0x8000U
#define G_RTE_MASKED    0x10000U
#define G_RTE_REMOTE_IRR 0x4000U
#define G_RTE_LOGICAL   0x800U

/* MSI address/data a device is programmed with (SDM 11.11): physical destination, fixed, edge */
#define G_MSI_ADDR_BASE       0xFEE00000UL
#define G_MSI_ADDR_DEST_SHIFT 12U
#define G_MSI_DATA_FIXED      (0U << 8)
#define G_MSI_DATA_EDGE       (0U << 15)

/* PIC and ELCR ports */
#define G_PIC_M_CMD  0x20U
#define G_PIC_M_DATA 0x21U
#define G_PIC_S_CMD  0xA0U
#define G_PIC_S_DATA 0xA1U
#define G_ELCR_M     0x4D0U
#define G_ELCR_S     0x4D1U
#define G_PIC_EOI    0x20U
#define G_PIC_VEC_M  0x20U   /* the vector bases every x86 guest here programs */
#define G_PIC_VEC_S  0x28U
#define G_PIC_ICW4_8086 0x01U
#define G_PIC_ICW4_AEOI 0x03U
#define G_PIC_MASK_ALL 0xFFU
#define G_PIC_READ_ISR 0x0BU
#define G_PIC_READ_IRR 0x0AU

struct g_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};


/* ports, MMIO, CPU */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void mmio_w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void g_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void g_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void g_pause(void) { __asm__ volatile("pause" ::: "memory"); }
/* sti;hlt is atomic against interrupts: the shadow of sti covers hlt. */
static inline void g_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline uint64_t g_rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }

/* The ABI call. `out` with an immediate reaches ports 0..255 only, so the port goes in DX and
 * a2 travels in RCX (docs/x86.md, "ABI transport"): RAX = call, RDI = a0, RSI = a1, RCX = a2. */
static inline int64_t hv_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret = nr;

	__asm__ volatile("outl %%eax, %%dx" : "+a"(ret) : "d"((uint16_t)HV_X86_ABI_PORT), "D"(a0), "S"(a1), "c"(a2)
			 : "memory");
	return (int64_t)ret;
}

/* idt.c */
unsigned g_cpu(void);
void g_idt_init(void);
void g_idt_load(void);

/* garbage.c: the hostile phase's writes, and the reset that follows them */
void x86_garbage(bool pic);
void x86_restore(bool pic);

/* chips.c */
uint32_t lapic_r(uint32_t reg);
void lapic_w(uint32_t reg, uint32_t v);
void lapic_eoi(void);
void lapic_enable(void);
bool lapic_in_service(unsigned vector);
void lapic_self_ipi(unsigned vector);
void lapic_ipi(unsigned dest_apic, uint32_t flags_vector);
uint32_t ioapic_r(uint32_t reg);
void ioapic_w(uint32_t reg, uint32_t v);
/* By GSI: 0..23 first IOAPIC, 24..47 second. */
uint32_t ioapic_rte(unsigned gsi);
void ioapic_route(unsigned gsi, unsigned vector, uint32_t flags, unsigned dest);
void ioapic_mask(unsigned gsi);
void ioapic_set_mask(unsigned gsi, bool masked);
void pic_init(uint8_t base_m, uint8_t base_s, uint8_t icw4, uint8_t mask_m, uint8_t mask_s);
void pic_mask_all(void);
void pic_eoi(unsigned irq);

#endif

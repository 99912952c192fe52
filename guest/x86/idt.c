/* idt.c: the x86 guest's IDT (256 interrupt gates onto start.S's stubs) and the CPU index from the stack.
 * Shared by the native x86 checks and the common-suite layer; each supplies its own x86_isr(). */
#include "x86.h"

#define IDT_ENTRIES 256U
#define IDT_GATE_INTR 0x8E00U   /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t off_lo, sel, flags, off_mid;
	uint32_t off_hi, zero;
};

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t x86_isr_table[IDT_ENTRIES];
extern uint8_t x86_stacks[];

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));

/* Each CPU runs on its own slot of x86_stacks (start.S), so the stack pointer names the CPU. */
unsigned g_cpu(void)
{
	uint64_t sp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	return (unsigned)((sp - (uint64_t)(uintptr_t)x86_stacks) / G_STACK_SIZE);
}

void g_idt_init(void)
{
	for (unsigned v = 0; v < IDT_ENTRIES; v++) {
		uint64_t a = x86_isr_table[v];

		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a, .sel = G_KERNEL_CS, .flags = IDT_GATE_INTR,
			.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	}
}

void g_idt_load(void)
{
	struct idt_ptr p = { .limit = sizeof(idt) - 1, .base = (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}

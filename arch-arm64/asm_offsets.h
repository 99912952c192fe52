/* asm_offsets.h: structure offsets shared by the assembly files and C (checked by _Static_assert in vcpu.c).
 * Kept by hand because the structures are few and small; a mismatch fails the build, never the run. */
#ifndef HYP_ASM_OFFSETS_H
#define HYP_ASM_OFFSETS_H

#define PCPU_HOST_SP_OFF     8
#define PCPU_GUEST_REGS_OFF  16
#define VCPU_REGS_ELR_OFF    256

#define EXIT_SYNC   0
#define EXIT_IRQ    1
#define EXIT_FIQ    2
#define EXIT_SERROR 3

#define HYP_STACK_SHIFT 14   /* 16 KiB per CPU, as HYP_STACK_SIZE */

#endif

/* native.h: the native x86 checks' own helpers (printing, waits, vector handlers).
 * These checks exercise what only x86 has: the 8259A, ELCR, vector classes, TPR. */
#ifndef GUEST_X86_NATIVE_H
#define GUEST_X86_NATIVE_H

#include "x86.h"

typedef void (*g_handler)(unsigned vector, struct g_frame *f);

/* arch.c */
void g_set_handler(unsigned vector, g_handler h);
void g_print(const char *fmt, ...);
void g_halt(unsigned status);
/* Spin with interrupts enabled until *counter >= want or about `ms` milliseconds pass. */
bool g_wait(volatile unsigned *counter, unsigned want, unsigned ms);
void g_spin_ms(unsigned ms);
uint64_t g_ns_to_tsc(uint64_t ns);
void g_calibrate(void);
uint64_t g_tsc_to_ns(uint64_t tsc);
/* Is `word` one of the space-separated words of `args`? */
bool g_has_word(const char *args, const char *word);
extern volatile unsigned g_stray[256];
extern volatile unsigned g_stray_total;

#endif

/* guest.h: what the common test suite's files share: output, checks, waiting, hypercall wrappers, SMP.
 * Arch-neutral: everything architectural goes through guest_arch.h. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest_arch.h"
#include "hv_abi.h"
#include "minilib.h"

#define NS_PER_US ((uint64_t)1000)
#define NS_PER_MS ((uint64_t)1000000)
#define NS_PER_S  ((uint64_t)1000000000)

/* Exit statuses besides "number of failed checks" */
#define GUEST_STATUS_FAULT    0xf0U  /* an exception the guest could not handle */
#define GUEST_STATUS_NOMODE   0xf1U  /* bootargs asked for a mode this layer does not have */

/* lib.c */
int strncmp(const char *a, const char *b, size_t n);
/* Does the space-separated word list `args` contain `word`? */
bool guest_has_arg(const char *args, const char *word);
/* The decimal value of "key=N" in args; false if absent or malformed. */
bool guest_arg_u32(const char *args, const char *key, uint32_t *out);
/* Where the value of "key=..." starts in args; NULL if there is no such word. */
const char *guest_arg_value(const char *args, const char *key);
/* A decimal number at *p, at most max; advances *p past it. False (and *p unmoved) if none or too big. */
bool guest_parse_decimal(const char **p, uint64_t max, uint64_t *out);

/* print.c: serialised across CPUs */
__attribute__((format(printf, 1, 2))) void guest_printf(const char *fmt, ...);
void guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) void guest_snprintf(char *buf, size_t size, const char *fmt, ...);

/* lock.c */
struct guest_lock { volatile uint32_t word; };
void guest_lock(struct guest_lock *l);
void guest_unlock(struct guest_lock *l);

/* check.c: one PASS/FAIL/SKIP line per check */
__attribute__((format(printf, 3, 4))) bool check(const char *name, bool ok, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void skip(const char *name, const char *fmt, ...);
void check_summary(unsigned *passed, unsigned *failed, unsigned *skipped);

/* tests_timer.c: a timer's tick count against the count its rate gives, with the TCG tolerance */
bool rate_within(uint32_t got, uint64_t want);

/* time.c */
void delay_ns(uint64_t ns);
/* Spin (interrupts as they are) until *flag >= want or timeout; true if reached. */
bool wait_count(volatile uint32_t *flag, uint32_t want, uint64_t timeout_ns);

/* hypercall wrappers */
static inline long hv_call(unsigned call, unsigned long a0, unsigned long a1, unsigned long a2)
{
	return guest_arch_hypercall(call, a0, a1, a2);
}
static inline void hv_halt(unsigned status) { hv_call(HV_CALL_HALT, status, 0, 0); }
static inline long hv_line(unsigned line, unsigned op) { return hv_call(HV_CALL_LINE_SET, line, op, 0); }
static inline long hv_msi_send(uint64_t addr, uint32_t data) { return hv_call(HV_CALL_MSI_SEND, addr, data, 0); }

/* irq.c: handlers by arch irq number */
typedef void (*guest_irq_fn)(unsigned irq, void *arg);
#define GUEST_MAX_IRQ (1024U + GUEST_MAX_LAYER_MSIS)  /* arm64: INTIDs, then LPI 8192 + n as 1024 + n */
void guest_irq_register(unsigned irq, guest_irq_fn fn, void *arg);
uint64_t guest_irq_count(unsigned irq);
uint64_t guest_irq_unhandled(void);
/* Every interrupt taken so far, handled or not, on every CPU. */
uint64_t guest_irq_total(void);
/* Configure a line's source: priority, trigger, routed to cpu, handler; left disabled. */
unsigned line_setup(unsigned line, unsigned prio, bool level, unsigned cpu, guest_irq_fn fn, void *arg);

/* smp.c */
/* Bring up every secondary CPU; returns how many are online. */
unsigned smp_boot(void);
unsigned smp_online(void);
/* Power a secondary CPU off and start it again (CPU power control of the layer); 0 on success,
 * -1 not possible here, -2..-4 the stop, the off state or the restart did not happen in time. */
int smp_stop_start(unsigned cpu, uint64_t timeout_ns);
/* Run fn(arg) on cpu and wait for it to finish (timeout_ns); true if it finished. */
bool smp_call(unsigned cpu, void (*fn)(void *), void *arg, uint64_t timeout_ns);
/* The same in two halves, so several CPUs work at once: start (another CPU only), then wait. */
bool smp_start(unsigned cpu, void (*fn)(void *), void *arg);
bool smp_wait(unsigned cpu, uint64_t timeout_ns);
#define SMP_WORK_IPI (GUEST_NR_IPIS)  /* the layer's extra IPI: wakes a secondary for work */

/* test groups */
void tests_abi(void);
void tests_irq(void);
void tests_eoi(void);
void tests_smp(void);
void tests_timer(void);
void tests_timer2(void);
void tests_fault(void);
void tests_msi(void);
void tests_mem(void);
void mode_idle(void);
void mode_sgi_stress(const char *args);
void mode_fault(unsigned kind);

/* bench_marks.c: "@@mark" measurement points after every check (boot argument "bench") */
void bench_marks_enable(void);
void bench_mark(const char *name);

#endif

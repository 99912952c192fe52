/* suite.h: the x86 guest's test suite: named checks run in order, PASS/FAIL lines, a summary.
 * Checks that need the PIC or a second vCPU are skipped (and said so) where those are absent. */
#ifndef GUEST_X86_SUITE_H
#define GUEST_X86_SUITE_H

#include <stdbool.h>

#define NEED_PIC 0x1U
#define NEED_SMP 0x2U
#define NEED_HOSTILE 0x4U

struct g_env {
	unsigned nr_cpus;
	unsigned flags;        /* boot flags */
};

extern struct g_env g_env;
extern volatile unsigned g_ap_go;          /* BSP releases the APs */
extern volatile unsigned g_ap_ready;       /* APs report in */
extern volatile unsigned g_ap_count[];     /* per-AP IPI counter (G_MAX_CPUS) */
extern volatile unsigned g_hostile_done;   /* the garbage phase ran to its end */

extern volatile unsigned g_ap_started_as[]; /* per AP: the index its entry ran as (power.c) */

/* power.c: CPU_STATE / CPU_ON / CPU_OFF, refusals and an off/on cycle of the last AP */
bool t_cpu_power(void);

/* Returns the number of failed checks. */
unsigned suite_run(void);
void suite_ap_main(unsigned cpu);

/* scale.c: every vCPU takes the scale device's level interrupts (boot argument "scale") */
void scale_run(void);
void scale_ap_idle(void);   /* an AP's part: its own tick, HLT until the run ends */

/* bench.c: latency and exits per interrupt (boot argument "bench") */
void bench_run(void);

/* hostile.c: garbage to every register and port; then restore a sane state. */
void hostile_phase(void);

#endif

/* report.h: writing lr_bench's results and judging them against the acceptance targets.
 * Results arrive in blocks of B_NR_RUNS per configuration, in b_runs order: ours first, ours on the NV2
 * backend last. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>
#include "runner.h"

/* dir/name opened for writing; a failure ends the program (a benchmark without its output is no use). */
FILE *report_open(const char *dir, const char *name);
void write_main_csv(const char *dir, const struct b_result *res, unsigned n);
/* Priority comparisons and lock pairs per flush and per sync; ours' comparisons are not counted (-1). */
void write_flush_work_csv(const char *dir, const struct b_result *res, unsigned n);
void write_detail_csv(const char *dir, const struct b_result *res, unsigned n);
/* The options of the run (repetitions, batch length, rounds, clock) and the machine's load, for the document. */
void write_run_info(const char *dir, const struct b_options *o, double load_start, double load_end);
double host_loadavg(void);   /* 1-minute load average from /proc/loadavg, -1 if unknown */
void write_nested_csv(const char *dir, const struct b_options *o, const struct b_result *res, unsigned n);

/*
 * Print one PASS/FAIL line per acceptance check and write acceptance.csv.
 * Returns the number of failed deterministic checks (register accesses,
 * idle, maintenance); timing checks are reported but never counted there,
 * because a noisy machine must not fail a build.
 */
unsigned judge(const char *dir, const struct b_options *o, const struct b_result *res, unsigned n);

#endif

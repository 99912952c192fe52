/* stats.h: the exit accounting printed at the end of a run (exits by cause, LR accesses, maintenance).
 * stats_print runs with every other CPU parked, so its sums are stable; stats_mark's are running totals. */
#ifndef HYP_STATS_H
#define HYP_STATS_H

#include <stdint.h>

void stats_print(void);

/* Guest console text starting with MARK_PREFIX: print the running totals, labelled (bench/). */
#define MARK_PREFIX    "@@mark "
#define MARK_LABEL_MAX 48U
void stats_mark(const char *text, uint64_t len);

#endif

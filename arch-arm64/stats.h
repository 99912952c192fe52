/* stats.h: the exit accounting printed at the end of a run (exits by cause, LR accesses, maintenance).
 * Called with every other CPU parked, so the counters it sums are stable. */
#ifndef HYP_STATS_H
#define HYP_STATS_H

void stats_print(void);

#endif

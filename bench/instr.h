/* instr.h: the --instr mode of lr_bench (instr.c), run under callgrind by bench/instructions.sh.
 * It counts nothing itself: callgrind counts the instructions under bpol_*. */
#ifndef INSTR_H
#define INSTR_H

int instr_main(int argc, char **argv);

#endif

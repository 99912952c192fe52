/* bpol.h: every call the scenarios make into a policy's run-time paths goes through these wrappers.
 * They are never inlined, so callgrind can count exactly the instructions spent under them (bpol_*). */
#ifndef BPOL_H
#define BPOL_H

#include "bench.h"

void bpol_flush(struct bvm *vm, unsigned vcpu);
void bpol_sync(struct bvm *vm, unsigned vcpu);
void bpol_dir_trap(struct bvm *vm, unsigned vcpu, uint32_t intid);
void bpol_raise_edge(struct bvm *vm, unsigned vcpu, uint32_t intid);
void bpol_set_level(struct bvm *vm, unsigned vcpu, uint32_t intid, bool high);
void bpol_sgi(struct bvm *vm, unsigned src, unsigned dst, uint32_t sgi);

#endif

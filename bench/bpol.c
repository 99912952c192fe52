/* bpol.c: the policy-call wrappers of bpol.h, kept out of line for callgrind's --toggle-collect=bpol_*.
 * What they count: the policy's injection, entry, exit and DIR paths with the LR backend under them. */
#include <stdio.h>
#include <stdlib.h>
#include "bpol.h"

#define BPOL_OUT_OF_LINE __attribute__((noinline))

/*
 * A policy call that returned an error: the run is wrong from here, so stop. Every policy's result is
 * checked here alike (ours returns the core's code, the peers' models 0), so no policy's own wrapper
 * pays for a check the others skip.
 */
static __attribute__((noinline, cold, noreturn)) void bpol_failed(const struct bvm *vm, const char *what)
{
	fprintf(stderr, "lr_bench: %s: %s failed\n", vm->pol->name, what);
	abort();
}

BPOL_OUT_OF_LINE void bpol_flush(struct bvm *vm, unsigned vcpu)
{
	if (__builtin_expect(vm->pol->flush(vm, vcpu) != 0, 0))
		bpol_failed(vm, "flush");
}

BPOL_OUT_OF_LINE void bpol_sync(struct bvm *vm, unsigned vcpu)
{
	if (__builtin_expect(vm->pol->sync(vm, vcpu) != 0, 0))
		bpol_failed(vm, "sync");
}

BPOL_OUT_OF_LINE void bpol_dir_trap(struct bvm *vm, unsigned vcpu, uint32_t intid)
{
	if (vm->pol->dir_trap && __builtin_expect(vm->pol->dir_trap(vm, vcpu, intid) != 0, 0))
		bpol_failed(vm, "dir_trap");
}

BPOL_OUT_OF_LINE void bpol_raise_edge(struct bvm *vm, unsigned vcpu, uint32_t intid)
{
	if (__builtin_expect(vm->pol->raise_edge(vm, vcpu, intid) != 0, 0))
		bpol_failed(vm, "raise_edge");
}

BPOL_OUT_OF_LINE void bpol_set_level(struct bvm *vm, unsigned vcpu, uint32_t intid, bool high)
{
	if (__builtin_expect(vm->pol->set_level(vm, vcpu, intid, high) != 0, 0))
		bpol_failed(vm, "set_level");
}

BPOL_OUT_OF_LINE void bpol_sgi(struct bvm *vm, unsigned src, unsigned dst, uint32_t sgi)
{
	if (__builtin_expect(vm->pol->sgi(vm, src, dst, sgi) != 0, 0))
		bpol_failed(vm, "sgi");
}

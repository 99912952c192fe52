/* bpol.c: the policy-call wrappers of bpol.h, kept out of line for callgrind's --toggle-collect=bpol_*.
 * What they count: the policy's injection, entry, exit and DIR paths with the LR backend under them. */
#include "bpol.h"

#define BPOL_OUT_OF_LINE __attribute__((noinline))

BPOL_OUT_OF_LINE void bpol_flush(struct bvm *vm, unsigned vcpu)
{
	vm->pol->flush(vm, vcpu);
}

BPOL_OUT_OF_LINE void bpol_sync(struct bvm *vm, unsigned vcpu)
{
	vm->pol->sync(vm, vcpu);
}

BPOL_OUT_OF_LINE void bpol_dir_trap(struct bvm *vm, unsigned vcpu, uint32_t intid)
{
	if (vm->pol->dir_trap)
		vm->pol->dir_trap(vm, vcpu, intid);
}

BPOL_OUT_OF_LINE void bpol_raise_edge(struct bvm *vm, unsigned vcpu, uint32_t intid)
{
	vm->pol->raise_edge(vm, vcpu, intid);
}

BPOL_OUT_OF_LINE void bpol_set_level(struct bvm *vm, unsigned vcpu, uint32_t intid, bool high)
{
	vm->pol->set_level(vm, vcpu, intid, high);
}

BPOL_OUT_OF_LINE void bpol_sgi(struct bvm *vm, unsigned src, unsigned dst, uint32_t sgi)
{
	vm->pol->sgi(vm, src, dst, sgi);
}

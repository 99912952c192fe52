/* lib.c: what the hypervisor adds to the shared C library subset (lib/minilib): the stack-protector hooks.
 * libfdt is built with -fstack-protector; a smashed stack is a hypervisor bug, so it panics. */
#include "hyp.h"

uintptr_t __stack_chk_guard = 0x5eed5eedUL;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	hyp_panic("stack protector tripped");
}

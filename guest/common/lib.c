/* lib.c: what the guest adds to the shared C library subset (lib/minilib): boot-argument lookup and
 * the stack-protector hooks libfdt needs. */
#include "guest.h"

bool guest_has_arg(const char *args, const char *word)
{
	return minilib_has_word(args, word);
}

/* libfdt is built with -fstack-protector. */
uintptr_t __stack_chk_guard = 0x6e57a11UL;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	guest_fatal("stack protector tripped", 0, 0, 0);
}

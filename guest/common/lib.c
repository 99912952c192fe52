/* lib.c: what the guest adds to the shared C library subset (lib/minilib): boot-argument lookup and
 * the stack-protector hooks libfdt needs. */
#include "guest.h"

bool guest_has_arg(const char *args, const char *word)
{
	size_t n = strlen(word);

	while (*args) {
		while (*args == ' ')
			args++;
		if (strncmp(args, word, n) == 0 && (args[n] == ' ' || args[n] == 0))
			return true;
		while (*args && *args != ' ')
			args++;
	}
	return false;
}

/* libfdt is built with -fstack-protector. */
uintptr_t __stack_chk_guard = 0x6e57a11UL;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	guest_fatal("stack protector tripped", 0, 0, 0);
}

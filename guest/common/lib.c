/* lib.c: what the guest adds to the shared C library subset (lib/minilib): boot-argument lookup and
 * the stack-protector hooks libfdt needs. */
#include "guest.h"

bool guest_has_arg(const char *args, const char *word)
{
	return minilib_has_word(args, word);
}

bool guest_arg_u32(const char *args, const char *key, uint32_t *out)
{
	size_t klen = strlen(key);

	for (const char *w = args; *w; ) {
		while (*w == ' ')
			w++;
		if (strncmp(w, key, klen) == 0 && w[klen] == '=') {
			uint64_t v = 0;
			const char *p = w + klen + 1;

			if (*p < '0' || *p > '9')
				return false;
			for (; *p >= '0' && *p <= '9'; p++) {
				v = v * 10U + (uint64_t)(*p - '0');
				if (v > UINT32_MAX)
					return false;
			}
			if (*p && *p != ' ')
				return false;
			*out = (uint32_t)v;
			return true;
		}
		while (*w && *w != ' ')
			w++;
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

/* lib.c: what the guest adds to the shared C library subset (lib/minilib): boot-argument lookup and
 * the stack-protector hooks libfdt needs. */
#include "guest.h"

bool guest_has_arg(const char *args, const char *word)
{
	return minilib_has_word(args, word);
}

const char *guest_arg_value(const char *args, const char *key)
{
	size_t klen = strlen(key);

	for (const char *w = args; *w; ) {
		while (*w == ' ')
			w++;
		if (strncmp(w, key, klen) == 0 && w[klen] == '=')
			return w + klen + 1;
		while (*w && *w != ' ')
			w++;
	}
	return NULL;
}

bool guest_parse_decimal(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10U)
			return false;
		v = v * 10U + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

bool guest_arg_u32(const char *args, const char *key, uint32_t *out)
{
	const char *p = guest_arg_value(args, key);
	uint64_t v;

	if (!p || !guest_parse_decimal(&p, UINT32_MAX, &v) || (*p && *p != ' '))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* libfdt is built with -fstack-protector. */
uintptr_t __stack_chk_guard = 0x6e57a11UL;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	guest_fatal("stack protector tripped", 0, 0, 0);
}

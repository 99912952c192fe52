/* minilib_string.c: the memory and string functions of the freestanding C library subset, and word lookup.
 * Integer loops only (no FP/SIMD); memset and memcpy move whole words where the alignment allows. */
#include <stdint.h>
#include "minilib.h"

/* Whole aligned words where both ends allow it: the hypervisor clears and copies whole VGIC instances
 * (a checkpoint's teardown and its blob), and a byte loop there costs eight times the stores. The
 * loops must not turn back into calls of the functions they implement. */
typedef uint64_t __attribute__((may_alias)) minilib_word;
#define WORD_BYTES sizeof(minilib_word)
#define WORD_MASK  (WORD_BYTES - 1U)
#define BYTE_SPLAT 0x0101010101010101ULL

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	minilib_word w = (uint64_t)(unsigned char)c * BYTE_SPLAT;

	while (n && ((uintptr_t)p & WORD_MASK)) {
		*p++ = (unsigned char)c;
		n--;
	}
	for (; n >= WORD_BYTES; n -= WORD_BYTES, p += WORD_BYTES)
		*(minilib_word *)p = w;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if ((((uintptr_t)dp ^ (uintptr_t)sp) & WORD_MASK) == 0) {
		while (n && ((uintptr_t)dp & WORD_MASK)) {
			*dp++ = *sp++;
			n--;
		}
		for (; n >= WORD_BYTES; n -= WORD_BYTES, dp += WORD_BYTES, sp += WORD_BYTES)
			*(minilib_word *)dp = *(const minilib_word *)sp;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp < sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;

	for (; n; n--, pa++, pb++)
		if (*pa != *pb)
			return *pa - *pb;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

int minilib_has_word(const char *args, const char *word)
{
	size_t n = strlen(word);

	while (*args) {
		while (*args == ' ')
			args++;
		if (strncmp(args, word, n) == 0 && (args[n] == ' ' || args[n] == 0))
			return 1;
		while (*args && *args != ' ')
			args++;
	}
	return 0;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* minilib.h: the freestanding C library subset shared by the EL2 hypervisor and the test guests.
 * Byte loops and integer arithmetic only, so it never touches FP/SIMD; libfdt links against these names. */
#ifndef MINILIB_H
#define MINILIB_H

#include <stdarg.h>
#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/*
 * The printf subset the hypervisor and guests use: %s %c %d %u %x %p %%, the l and ll
 * length modifiers (both mean 64 bits), a field width, '0' padding for numbers and '-'
 * (left-justify) for strings. Any other conversion character is printed as it is.
 * Output is cut at size - 1 characters and always terminated when size > 0.
 * Returns the number of characters stored, not counting the terminator.
 */
size_t minilib_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Is `word` one of the space-separated words of `args` (a boot command line)? */
int minilib_has_word(const char *args, const char *word);

#endif

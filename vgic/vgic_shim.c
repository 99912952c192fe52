/* vgic_shim.c: the few libc-like helpers the freestanding core needs.
 * Written so that the compiler cannot turn them back into calls to memset. */
#include <stdint.h>
#include "vgic_internal.h"

/* Whole words where the alignment allows: an instance's interrupt arrays are cleared at every
 * vgic_init and vgic_lpi_init (a restore's fresh instance), and 8,192 LPIs are half a megabyte.
 * The volatile stores keep the compiler from turning the loops into a memset call. */
typedef uint64_t __attribute__((may_alias)) vgic_word;
#define WORD_BYTES sizeof(vgic_word)
#define WORD_MASK  (WORD_BYTES - 1U)

void vgic_zero(void *p, size_t n)
{
	volatile unsigned char *b = p;

	while (n && ((uintptr_t)b & WORD_MASK)) {
		*b++ = 0;
		n--;
	}
	for (; n >= WORD_BYTES; n -= WORD_BYTES, b += WORD_BYTES)
		*(volatile vgic_word *)b = 0;
	while (n--)
		*b++ = 0;
}

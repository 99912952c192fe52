/* vgic_shim.c: the few libc-like helpers the freestanding core needs.
 * Written so that the compiler cannot turn them back into calls to memset. */
#include "vgic_internal.h"

void vgic_zero(void *p, size_t n)
{
	volatile unsigned char *b = p;

	while (n--)
		*b++ = 0;
}

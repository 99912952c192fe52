/* tests_mem.c: the guest's RAM is what the run asked for: the size the machine description gives
 * against "guest.ram=SIZE" on the command line (scripts/run-guest.sh adds it), and backed to its end. */
#include "guest.h"

#define KIB_SHIFT 10U
#define MIB_SHIFT 20U
#define GIB_SHIFT 30U
#define PROBE_WORD 8U   /* guest_arch_mem_probe() reads and writes back 8 bytes */

/* "guest.ram=N[K|M|G]" in args: the size in bytes; false if absent or malformed. */
static bool ram_wanted(const char *args, uint64_t *out)
{
	const char *p = guest_arg_value(args, "guest.ram");
	unsigned shift = 0;
	uint64_t v;

	if (!p || !guest_parse_decimal(&p, UINT64_MAX >> GIB_SHIFT, &v))
		return false;
	if (*p == 'K')
		shift = KIB_SHIFT;
	else if (*p == 'M')
		shift = MIB_SHIFT;
	else if (*p == 'G')
		shift = GIB_SHIFT;
	if (shift)
		p++;
	if (*p && *p != ' ')
		return false;
	*out = v << shift;
	return true;
}

void tests_mem(void)
{
	uint64_t base, size, want;
	int last, past;

	if (!guest_arch_ram(&base, &size)) {
		skip("ram_size", "this layer cannot tell its RAM size");
		skip("ram_extent", "this layer cannot tell its RAM size");
		return;
	}
	if (ram_wanted(guest_arch_bootargs(), &want))
		check("ram_size", size == want, "%lu MiB at 0x%lx in the machine description, the run asked for %lu MiB",
		      size >> MIB_SHIFT, base, want >> MIB_SHIFT);
	else
		skip("ram_size", "%lu MiB at 0x%lx; no guest.ram= on the command line to compare with",
		     size >> MIB_SHIFT, base);

	/* The description must be true: its last word is memory, the word after it is not. */
	last = guest_arch_mem_probe(base + size - PROBE_WORD);
	past = guest_arch_mem_probe(base + size);
	if (last < 0 || past < 0)
		skip("ram_extent", "this layer cannot probe memory");
	else
		check("ram_extent", last == 1 && past == 0, "last word 0x%lx %s, first word past the end 0x%lx %s",
		      base + size - PROBE_WORD, last ? "is memory" : "FAULTED", base + size,
		      past ? "is MEMORY" : "faults");
}

/* bootparams.c: split QEMU's -append string into hyp.* options and the guest's boot arguments.
 * Options: hyp.entry=ADDR (where the image starts), hyp.initrd=ADDR,SIZE (an initramfs for Linux),
 * hyp.storm=US (checkpoint storm: save, destroy and restore the VGIC every 1..2*US microseconds). */
#include "bootparams.h"

#define HEX_BASE 16U
#define DEC_BASE 10U

static bool starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

/* A number in C notation (0x... or decimal) ending at a separator; advances *p past it. */
static int parse_num(const char **p, uint64_t *out)
{
	const char *s = *p;
	unsigned base = DEC_BASE;
	uint64_t v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEX_BASE;
		s += 2;
	}
	for (;; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == HEX_BASE && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a') + 10U;
		else if (base == HEX_BASE && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A') + 10U;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*p = s;
	*out = v;
	return digits ? 0 : -1;
}

static int parse_option(const char *w, size_t len, struct bootparams *bp)
{
	const char *p;

	if (starts_with(w, "hyp.entry=")) {
		p = w + strlen("hyp.entry=");
		if (parse_num(&p, &bp->entry) < 0)
			return -1;
	} else if (starts_with(w, "hyp.initrd=")) {
		p = w + strlen("hyp.initrd=");
		if (parse_num(&p, &bp->initrd_start) < 0 || *p++ != ',' ||
		    parse_num(&p, &bp->initrd_size) < 0)
			return -1;
	} else if (starts_with(w, "hyp.storm=")) {
		p = w + strlen("hyp.storm=");
		if (parse_num(&p, &bp->storm_us) < 0 || bp->storm_us == 0)
			return -1;
	} else {
		return -1;
	}
	return p == w + len ? 0 : -1;
}

int bootparams_parse(const char *args, struct bootparams *bp, const char **bad)
{
	size_t out = 0;

	bp->entry = GUEST_ENTRY_IPA;
	bp->initrd_start = bp->initrd_size = 0;
	bp->storm_us = 0;
	while (*args) {
		const char *w;
		size_t len = 0;

		while (*args == ' ')
			args++;
		w = args;
		while (w[len] && w[len] != ' ')
			len++;
		args += len;
		if (!len)
			break;
		if (starts_with(w, "hyp.")) {
			if (parse_option(w, len, bp) < 0) {
				*bad = w;
				return -1;
			}
			continue;
		}
		if (out + len + 2 > sizeof(bp->guest_args))
			break; /* platform.bootargs has the same bound: cannot happen */
		if (out)
			bp->guest_args[out++] = ' ';
		memcpy(bp->guest_args + out, w, len);
		out += len;
	}
	bp->guest_args[out] = 0;
	return 0;
}

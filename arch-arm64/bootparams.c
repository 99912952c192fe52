/* bootparams.c: split QEMU's -append string into hyp.* options and the guest's boot arguments.
 * Options: hyp.entry=ADDR (where the image starts), hyp.initrd=ADDR,SIZE (an initramfs for Linux),
 * hyp.mem=SIZE (guest RAM; K/M/G suffixes), hyp.dtb=ADDR (where the guest DTB goes), hyp.dtb-loaded
 * (the run loaded its own DTB there: use it instead of dts/guest.dts),
 * hyp.storm=US (checkpoint storm: save, destroy and restore the VGIC every 1..2*US microseconds),
 * hyp.vcpus=N (the guest's vCPUs, when more than the CPUs: scheduled, sched.c),
 * hyp.vm2.mem=SIZE, hyp.vm2.vcpus=N, hyp.vm2.args=W1,W2 (a second VM beside the first, vm.h),
 * hyp.disk=PA,SIZE (a disk image at host PA: the first VM's virtio-blk PCI device, pci.h). */
#include "bootparams.h"

#define HEX_BASE 16U
#define DEC_BASE 10U
#define KIB_SHIFT 10U
#define MIB_SHIFT 20U
#define GIB_SHIFT 30U
#define DISK_SECTOR 512U
#define DISK_MAX (256ULL << MIB_SHIFT)

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

/* A size: a number, optionally followed by K, M or G (binary units). */
static int parse_size(const char **p, uint64_t *out)
{
	unsigned shift = 0;

	if (parse_num(p, out) < 0)
		return -1;
	switch (**p) {
	case 'K': case 'k': shift = KIB_SHIFT; break;
	case 'M': case 'm': shift = MIB_SHIFT; break;
	case 'G': case 'g': shift = GIB_SHIFT; break;
	default: return 0;
	}
	(*p)++;
	if (*out > (UINT64_MAX >> shift))
		return -1;
	*out <<= shift;
	return 0;
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
	} else if (starts_with(w, "hyp.mem=")) {
		p = w + strlen("hyp.mem=");
		if (parse_size(&p, &bp->mem_size) < 0)
			return -1;
	} else if (starts_with(w, "hyp.dtb=")) {
		p = w + strlen("hyp.dtb=");
		if (parse_num(&p, &bp->dtb) < 0)
			return -1;
	} else if (len == strlen("hyp.dtb-loaded") && starts_with(w, "hyp.dtb-loaded")) {
		bp->dtb_loaded = true;
		p = w + len;
	} else if (starts_with(w, "hyp.vcpus=")) {
		p = w + strlen("hyp.vcpus=");
		if (parse_num(&p, &bp->vcpus) < 0 || bp->vcpus == 0)
			return -1;
	} else if (starts_with(w, "hyp.vm2.mem=")) {
		p = w + strlen("hyp.vm2.mem=");
		if (parse_size(&p, &bp->vm2_mem) < 0 || bp->vm2_mem == 0)
			return -1;
	} else if (starts_with(w, "hyp.vm2.vcpus=")) {
		p = w + strlen("hyp.vm2.vcpus=");
		if (parse_num(&p, &bp->vm2_vcpus) < 0 || bp->vm2_vcpus == 0)
			return -1;
	} else if (starts_with(w, "hyp.vm2.args=")) {
		size_t n = len - strlen("hyp.vm2.args=");

		p = w + strlen("hyp.vm2.args=");
		if (n >= sizeof(bp->vm2_args))
			return -1;
		for (size_t i = 0; i < n; i++)
			bp->vm2_args[i] = p[i] == ',' ? ' ' : p[i];
		bp->vm2_args[n] = 0;
		p += n;
	} else if (starts_with(w, "hyp.disk=")) {
		p = w + strlen("hyp.disk=");
		if (parse_num(&p, &bp->disk_pa) < 0 || *p++ != ',' || parse_num(&p, &bp->disk_size) < 0)
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
	bp->vcpus = 0;
	bp->mem_size = GUEST_RAM_DEFAULT;
	bp->dtb = GUEST_DTB_DEFAULT;
	bp->dtb_loaded = false;
	bp->ram_pa = GUEST_RAM_PA;
	bp->disk_pa = bp->disk_size = 0;
	bp->vm2_mem = 0;
	bp->vm2_vcpus = 1;
	bp->vm2_args[0] = 0;
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

/* Is [ipa, ipa + len) inside guest RAM of ram bytes? (Overflow-safe.) */
static bool in_ram(uint64_t ipa, uint64_t len, uint64_t ram)
{
	return ipa >= GUEST_RAM_IPA && len <= ram && ipa - GUEST_RAM_IPA <= ram - len;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

int bootparams_check(const struct bootparams *bp, uint64_t host_base, uint64_t host_size, const char **why)
{
	uint64_t ram = bp->mem_size;

	*why = NULL;
	if (ram < GUEST_RAM_MIN || ram > GUEST_RAM_MAX || ram % GUEST_RAM_ALIGN)
		*why = "hyp.mem must be 64 MiB to 1 GiB, a multiple of 2 MiB";
	else if (bp->ram_pa < host_base || host_size < ram || bp->ram_pa - host_base > host_size - ram)
		*why = "hyp.mem: QEMU's RAM (-m) does not cover guest RAM, from host PA 0x50000000 on "
		       "(need -m >= 256M + hyp.mem + hyp.vm2.mem)";
	else if (!in_ram(bp->entry, sizeof(uint32_t), ram))
		*why = "hyp.entry is not inside guest RAM";
	else if (!in_ram(bp->dtb, GUEST_DTB_MAX, ram))
		*why = "hyp.dtb: the device tree (64 KiB) does not fit in guest RAM there";
	else if (bp->dtb % GUEST_DTB_ALIGN)
		*why = "hyp.dtb is not 8-byte aligned";
	else if (bp->initrd_size && !in_ram(bp->initrd_start, bp->initrd_size, ram))
		*why = "hyp.initrd is not inside guest RAM";
	else if (overlaps(bp->dtb, GUEST_DTB_MAX, bp->initrd_start, bp->initrd_size))
		*why = "hyp.dtb: the device tree would overwrite the initrd";
	else if (overlaps(bp->dtb, GUEST_DTB_MAX, bp->entry, sizeof(uint32_t)))
		*why = "hyp.dtb: the device tree would overwrite the image at hyp.entry";
	else if (bp->disk_size && (bp->disk_size % DISK_SECTOR || bp->disk_size > DISK_MAX))
		*why = "hyp.disk: the image must be a non-zero multiple of 512 bytes, at most 256 MiB";
	else if (bp->disk_size && (bp->disk_pa < bp->ram_pa + bp->mem_size + bp->vm2_mem ||
				   bp->disk_pa - host_base > host_size - bp->disk_size))
		*why = "hyp.disk: the image must lie in QEMU's RAM above every VM's RAM";
	return *why ? -1 : 0;
}

void bootparams_vm2(const struct bootparams *bp, struct bootparams *vm2)
{
	memset(vm2, 0, sizeof(*vm2));
	vm2->entry = GUEST_ENTRY_IPA;
	vm2->mem_size = bp->vm2_mem;
	vm2->ram_pa = bp->ram_pa + bp->mem_size;
	vm2->dtb = GUEST_DTB_DEFAULT;
	vm2->vcpus = bp->vm2_vcpus;
	memcpy(vm2->guest_args, bp->vm2_args, sizeof(vm2->guest_args));
}

/* linux_image.c: the arm64 Linux boot protocol's image header (Documentation/arch/arm64/booting.rst).
 * The kernel runs where it is loaded, so the hypervisor only checks the placement the header demands. */
#include "linux_image.h"
#include "hyp.h"
#include "vm.h"

#define LINUX_IMAGE_MAGIC     0x644d5241U    /* "ARM\x64", little-endian, at offset 56 */
#define LINUX_IMAGE_ALIGN     0x200000UL     /* the image base (entry - text_offset) is 2 MiB aligned */
#define LINUX_FLAG_BE         (1UL << 0)
#define LINUX_FLAG_PAGE_SHIFT 1
#define LINUX_FLAG_PAGE_MASK  3UL
#define LINUX_FLAG_ANYWHERE   (1UL << 3)     /* the base may be anywhere in RAM, not near its start */
#define MIB_SHIFT             20

struct linux_image_header {
	uint32_t code0, code1;
	uint64_t text_offset;   /* where the image sits above its 2 MiB aligned base */
	uint64_t image_size;    /* bytes from the image start that the kernel uses, BSS included */
	uint64_t flags;
	uint64_t res2, res3, res4;
	uint32_t magic;
	uint32_t res5;
};

static const char *const page_sizes[] = { "page size unspecified", "4K pages", "16K pages", "64K pages" };

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

int linux_image_check(const struct vm *vm, uint64_t entry, uint64_t initrd_start, uint64_t initrd_size, uint64_t dtb,
		      const char **why)
{
	const struct linux_image_header *h = vm_ram_ptr(vm, entry, sizeof(*h));

	if (!h || h->magic != LINUX_IMAGE_MAGIC)
		return 0;
	hyp_printf("hyp: Linux Image: text_offset 0x%lx, image_size 0x%lx (%lu MiB), %s-endian, %s%s\n",
		   h->text_offset, h->image_size, h->image_size >> MIB_SHIFT,
		   (h->flags & LINUX_FLAG_BE) ? "big" : "little",
		   page_sizes[(h->flags >> LINUX_FLAG_PAGE_SHIFT) & LINUX_FLAG_PAGE_MASK],
		   (h->flags & LINUX_FLAG_ANYWHERE) ? ", placed anywhere" : "");
	*why = NULL;
	if (h->image_size == 0)
		*why = "image_size 0 (a kernel before 3.17): its footprint is unknown";
	else if (entry < h->text_offset || (entry - h->text_offset) % LINUX_IMAGE_ALIGN)
		*why = "hyp.entry minus text_offset is not 2 MiB aligned";
	else if (!vm_ram_ptr(vm, entry, h->image_size))
		*why = "image_size runs past the end of guest RAM";
	else if (overlaps(entry, h->image_size, dtb, GUEST_DTB_MAX))
		*why = "the image (with its BSS) overlaps the device tree (hyp.dtb)";
	else if (overlaps(entry, h->image_size, initrd_start, initrd_size))
		*why = "the image (with its BSS) overlaps the initrd";
	return *why ? -1 : 0;
}

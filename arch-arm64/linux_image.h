/* linux_image.h: recognise an arm64 Linux Image at the guest's entry point and check its boot protocol.
 * Any other image (the test guest) passes untouched: the checks apply only where the header says Linux. */
#ifndef HYP_LINUX_IMAGE_H
#define HYP_LINUX_IMAGE_H

#include <stdint.h>

/*
 * In vm's RAM, entry: the image's guest IPA (hyp.entry); the initrd's range (size 0: none); the DTB's IPA (hyp.dtb).
 * Returns 0 when the image is not Linux or satisfies the protocol (and prints its header), else -1
 * with *why set.
 */
struct vm;
int linux_image_check(const struct vm *vm, uint64_t entry, uint64_t initrd_start, uint64_t initrd_size, uint64_t dtb,
		      const char **why);

#endif

/* bootparams.h: the hypervisor's own options in QEMU's -append string ("hyp.*" words), and the rest,
 * which becomes the guest's /chosen/bootargs. Lets one hypervisor image boot the test guest or Linux. */
#ifndef HYP_BOOTPARAMS_H
#define HYP_BOOTPARAMS_H

#include <stdint.h>
#include "platform.h"

struct bootparams {
	uint64_t entry;                         /* guest IPA of the image (hyp.entry=), default GUEST_ENTRY_IPA */
	uint64_t initrd_start, initrd_size;     /* guest IPA and size (hyp.initrd=START,SIZE); size 0: none */
	uint64_t storm_us;                      /* hyp.storm=US: mean checkpoint interval; 0: no storm */
	char guest_args[PLATFORM_BOOTARGS_MAX]; /* everything that is not hyp.* */
};

/* Split args; 0 on success, -1 on a malformed hyp.* option (named in *bad). */
int bootparams_parse(const char *args, struct bootparams *bp, const char **bad);

#endif

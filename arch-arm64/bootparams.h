/* bootparams.h: the hypervisor's own options in QEMU's -append string ("hyp.*" words), and the rest,
 * which becomes the guest's /chosen/bootargs. Lets one hypervisor image boot any guest layout. */
#ifndef HYP_BOOTPARAMS_H
#define HYP_BOOTPARAMS_H

#include <stdint.h>
#include "platform.h"

struct bootparams {
	uint64_t entry;                         /* guest IPA of the image (hyp.entry=), default GUEST_ENTRY_IPA */
	uint64_t initrd_start, initrd_size;     /* guest IPA and size (hyp.initrd=START,SIZE); size 0: none */
	uint64_t mem_size;                      /* guest RAM bytes (hyp.mem=SIZE), default GUEST_RAM_DEFAULT */
	uint64_t ram_pa;                        /* host PA backing it: GUEST_RAM_PA (the second VM's follows) */
	uint64_t dtb;                           /* guest IPA of the guest DTB (hyp.dtb=), default GUEST_DTB_DEFAULT */
	bool dtb_loaded;                        /* hyp.dtb-loaded: the run put its own DTB at dtb */
	uint64_t vcpus;                         /* hyp.vcpus=N; 0: one per CPU */
	uint64_t storm_us;                      /* hyp.storm=US: mean checkpoint interval; 0: no storm */
	uint64_t disk_pa, disk_size;            /* hyp.disk=PA,SIZE: the PCI disk's image in host memory; 0: none */
	char guest_args[PLATFORM_BOOTARGS_MAX]; /* everything that is not hyp.* */
	/* A second VM (hyp.vm2.mem=SIZE turns it on): the test guest again, loaded by the run at its
	 * RAM's GUEST_IMAGE_OFFSET, with hyp.vm2.vcpus=N (default 1) and hyp.vm2.args=W1,W2,... as its
	 * bootargs (commas become spaces). */
	uint64_t vm2_mem, vm2_vcpus;
	char vm2_args[PLATFORM_BOOTARGS_MAX];
};

/* Split args; 0 on success, -1 on a malformed hyp.* option (named in *bad). */
int bootparams_parse(const char *args, struct bootparams *bp, const char **bad);

/* Check the layout against itself and the host RAM QEMU gave ([host_base, host_base + host_size)):
 * RAM size in range, RAM backed by host memory, entry, DTB and initrd inside guest RAM, the DTB aligned
 * and clear of the initrd and the entry point. 0 if usable, else -1 with *why set. */
int bootparams_check(const struct bootparams *bp, uint64_t host_base, uint64_t host_size, const char **why);
/* The second VM's layout, from bp's hyp.vm2.* (bp->vm2_mem != 0): its RAM after the first VM's, the
 * image at its default entry, the DTB at the start of its RAM. Check it with bootparams_check(). */
void bootparams_vm2(const struct bootparams *bp, struct bootparams *vm2);

#endif

/* pci.h: the guest's PCIe host bridge (pci-host-ecam-generic in dts/guest.dts): ECAM for bus 0 and one
 * 32-bit memory window, both trapped; the one device on it is the virtio-blk disk at 00:01.0. */
#ifndef HYP_PCI_H
#define HYP_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "virtio_blk.h"

/* Must agree with the pcie node of dts/guest.dts. */
#define PCI_ECAM_IPA        0x30000000UL
#define PCI_ECAM_SIZE       0x00100000UL   /* bus 0: 32 devices x 8 functions x 4 KiB */
#define PCI_MMIO_IPA        0x10000000UL
#define PCI_MMIO_SIZE       0x01000000UL
#define PCI_DISK_DEVFN      0x08U          /* device 1, function 0 */
#define PCI_DISK_RID        PCI_DISK_DEVFN /* bus 0: the requester ID, which msi-map gives the ITS as DeviceID */

struct pci_bus {
	struct vblk *disk;   /* at 00:01.0; NULL: an empty bus */
};

/* A guest access at ipa: true if it is the bridge's (ECAM or window), with *val read or written;
 * *ok false when nothing decodes it in the window (the caller aborts the access). */
bool pci_mmio_access(struct pci_bus *bus, uint64_t ipa, unsigned width, bool write, uint64_t *val, bool *ok);

#endif

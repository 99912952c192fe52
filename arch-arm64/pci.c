/* pci.c: the guest's PCIe host bridge: ECAM decoding for bus 0 (an absent function reads all ones, as a
 * real bus answers a configuration read nobody claims) and the memory window routed to assigned BARs. */
#include "pci.h"

#define ECAM_DEVFN_SHIFT 12U
#define ECAM_DEVFN_MASK  0xffU
#define ECAM_REG_MASK    0xfffU

bool pci_mmio_access(struct pci_bus *bus, uint64_t ipa, unsigned width, bool write, uint64_t *val, bool *ok)
{
	*ok = true;
	if (ipa - PCI_ECAM_IPA < PCI_ECAM_SIZE) {
		uint64_t off = ipa - PCI_ECAM_IPA;
		uint32_t devfn = (uint32_t)(off >> ECAM_DEVFN_SHIFT) & ECAM_DEVFN_MASK;

		if (bus->disk && devfn == PCI_DISK_DEVFN) {
			vblk_cfg_access(bus->disk, (uint32_t)(off & ECAM_REG_MASK), width, write, val);
		} else if (!write) {
			*val = width >= 8 ? UINT64_MAX : (1ULL << (8U * width)) - 1U;
		}
		return true;
	}
	if (ipa - PCI_MMIO_IPA < PCI_MMIO_SIZE) {
		uint64_t off;

		if (bus->disk && vblk_bar_hit(bus->disk, ipa, &off)) {
			vblk_bar_access(bus->disk, off, width, write, val);
		} else {
			*ok = false;   /* nothing decodes it: the bus errors */
		}
		return true;
	}
	return false;
}

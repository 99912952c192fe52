/* psci.h: PSCI function IDs and return codes, for the guest's calls and the hypervisor's own to firmware.
 * The hypervisor calls QEMU's PSCI through SMC to start physical CPUs and to power the machine off. */
#ifndef HYP_PSCI_H
#define HYP_PSCI_H

#include <stdint.h>

#define PSCI_VERSION            0x84000000U
#define PSCI_CPU_OFF            0x84000002U
#define PSCI_CPU_ON_32          0x84000003U
#define PSCI_CPU_ON_64          0xC4000003U
#define PSCI_AFFINITY_INFO_32   0x84000004U
#define PSCI_AFFINITY_INFO_64   0xC4000004U
#define PSCI_MIGRATE_INFO_TYPE  0x84000006U
#define PSCI_SYSTEM_OFF         0x84000008U
#define PSCI_SYSTEM_RESET       0x84000009U
#define PSCI_FEATURES           0x8400000AU

#define PSCI_SMC64              0x40000000U  /* function ID bit: SMC64 calling convention */
#define PSCI_VERSION_1_0        0x00010000
#define PSCI_RET_SUCCESS        0
#define PSCI_RET_NOT_SUPPORTED  (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED         (-3)
#define PSCI_RET_ALREADY_ON     (-4)
#define PSCI_RET_ON_PENDING     (-5)
#define PSCI_RET_INVALID_ADDRESS (-9)

#define PSCI_AFF_ON             0
#define PSCI_AFF_OFF            1
#define PSCI_AFF_ON_PENDING     2

#define PSCI_TOS_NOT_PRESENT_MP 2  /* MIGRATE_INFO_TYPE: no Trusted OS that would need migrating */

/* The hypervisor's call to firmware (QEMU's PSCI) through SMC #0. */
int64_t psci_fw_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

#endif

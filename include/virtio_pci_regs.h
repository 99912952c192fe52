/* virtio_pci_regs.h: the PCI and virtio 1.x register layout shared by the hypervisor's virtio-blk device
 * (arch-arm64/virtio_*.c) and the guests that drive it (guest/arm64/pci_tests.c): offsets, bits, codes. */
#ifndef VIRTIO_PCI_REGS_H
#define VIRTIO_PCI_REGS_H

/* PCI configuration header (type 0) */
#define PCI_VENDOR_ID        0x00U
#define PCI_DEVICE_ID        0x02U
#define PCI_COMMAND          0x04U
#define PCI_STATUS           0x06U
#define PCI_REVISION         0x08U
#define PCI_CLASS_PROG       0x09U
#define PCI_BAR0             0x10U
#define PCI_SUBSYS_VENDOR    0x2cU
#define PCI_SUBSYS_ID        0x2eU
#define PCI_CAP_PTR          0x34U
#define PCI_INT_LINE         0x3cU
#define PCI_COMMAND_MEMORY   0x0002U
#define PCI_COMMAND_MASTER   0x0004U
#define PCI_COMMAND_INTX_OFF 0x0400U
#define PCI_STATUS_CAP_LIST  0x0010U
#define PCI_BAR_ADDR_MASK    0xfffffff0U
#define PCI_CAP_ID_MSIX      0x11U
#define PCI_CAP_ID_VNDR      0x09U
#define PCI_MSIX_CTRL_ENABLE  0x8000U   /* message control, at capability + 2 */
#define PCI_MSIX_CTRL_MASKALL 0x4000U
#define PCI_MSIX_ENTRY_SIZE  16U        /* address low, address high, data, vector control */
#define PCI_MSIX_ENTRY_MASKED 1U

/* virtio PCI capabilities (cfg_type) */
#define VIRTIO_PCI_VENDOR    0x1af4U
#define VIRTIO_CAP_COMMON    1U
#define VIRTIO_CAP_NOTIFY    2U
#define VIRTIO_CAP_ISR       3U
#define VIRTIO_CAP_DEVICE    4U
#define VIRTIO_CAP_PCI_CFG   5U

/* virtio common configuration (struct virtio_pci_common_cfg) */
#define VIRTIO_CC_DFSELECT      0x00U
#define VIRTIO_CC_DF            0x04U
#define VIRTIO_CC_GFSELECT      0x08U
#define VIRTIO_CC_GF            0x0cU
#define VIRTIO_CC_MSIX_CONFIG   0x10U
#define VIRTIO_CC_NUM_QUEUES    0x12U
#define VIRTIO_CC_STATUS        0x14U
#define VIRTIO_CC_CONFIG_GEN    0x15U
#define VIRTIO_CC_Q_SELECT      0x16U
#define VIRTIO_CC_Q_SIZE        0x18U
#define VIRTIO_CC_Q_MSIX        0x1aU
#define VIRTIO_CC_Q_ENABLE      0x1cU
#define VIRTIO_CC_Q_NOTIFY_OFF  0x1eU
#define VIRTIO_CC_Q_DESC        0x20U
#define VIRTIO_CC_Q_DRIVER      0x28U
#define VIRTIO_CC_Q_DEVICE      0x30U
#define VIRTIO_CC_SIZE          0x38U
#define VIRTIO_ST_ACK           1U
#define VIRTIO_ST_DRIVER        2U
#define VIRTIO_ST_DRIVER_OK     4U
#define VIRTIO_ST_FEATURES_OK   8U
#define VIRTIO_NO_VECTOR        0xffffU

/* virtio-blk: configuration (struct virtio_blk_config) and requests */
#define VIRTIO_BLK_CFG_CAPACITY 0x00U
#define VIRTIO_BLK_T_IN         0U
#define VIRTIO_BLK_T_OUT        1U
#define VIRTIO_BLK_T_FLUSH      4U
#define VIRTIO_BLK_T_GET_ID     8U
#define VIRTIO_BLK_S_OK         0U
#define VIRTIO_BLK_S_IOERR      1U
#define VIRTIO_BLK_S_UNSUPP     2U
#define VIRTIO_BLK_ID_BYTES     20U
#define VIRTIO_BLK_SECTOR       512U

/* split virtqueue descriptors */
#define VRING_DESC_F_NEXT       1U
#define VRING_DESC_F_WRITE      2U

#endif

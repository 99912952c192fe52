/* x86_msi.h: the x86 MSI address/data format (Intel SDM vol. 3, 11.11) as an apic_msg, both ways.
 * Freestanding and pure: the VMM's test device decodes with it, its in-kernel mode encodes with it. */
#ifndef X86_MSI_H
#define X86_MSI_H

#include <stdint.h>
#include "apic_msg.h"
#include "hv_errno.h"

/* Address: 0xFEE in bits 31:20 (the local APICs' window), destination ID in 19:12,
 * redirection hint in bit 3, destination mode in bit 2 (1 logical). Bits 63:32 must be zero. */
#define X86_MSI_ADDR_BASE        0xFEE00000ULL
#define X86_MSI_ADDR_WINDOW_SIZE 0x00100000ULL
#define X86_MSI_ADDR_DEST_SHIFT  12U
#define X86_MSI_ADDR_DEST_MASK   0xFFU
#define X86_MSI_ADDR_RH          (1U << 3)
#define X86_MSI_ADDR_LOGICAL     (1U << 2)

/* Data: vector in bits 7:0, delivery mode in 10:8, level assert in 14, trigger mode in 15 (1 level). */
#define X86_MSI_DATA_VECTOR_MASK 0xFFU
#define X86_MSI_DATA_DM_SHIFT    8U
#define X86_MSI_DATA_DM_MASK     0x7U
#define X86_MSI_DATA_ASSERT      (1U << 14)
#define X86_MSI_DATA_LEVEL       (1U << 15)

/*
 * Decode one MSI write (address, 32-bit data) into the message the APIC bus carries.
 * HV_EINVAL (and *out untouched) when out is NULL or addr is outside 0xFEE00000..0xFEEFFFFF;
 * otherwise HV_OK with: dest = addr[19:12], logical = addr[2], vector = data[7:0],
 * delivery = data[10:8] (every mode is passed through; the receiver decides what it accepts),
 * level = data[15], shorthand none. Two choices follow KVM and QEMU, so every VMM mode agrees:
 * the redirection hint turns fixed delivery into lowest priority (KVM's msi_redir_hint), and the
 * level-assert bit is ignored (an MSI is one write: there is no de-assert to act on).
 * Reserved bits of either word are ignored.
 */
int x86_msi_decode(uint64_t addr, uint32_t data, struct apic_msg *out);

/* The inverse for a message with no shorthand: no redirection hint; level sets trigger and assert. */
void x86_msi_encode(const struct apic_msg *m, uint32_t *addr, uint32_t *data);

#endif

/* hv_abi.h: the one guest ABI, the same numbers on arm64 (HVC, SMCCC) and x86 (port I/O).
 * docs/guest-abi.md is the specification; this header is what guests and hosts compile against. */
#ifndef HV_ABI_H
#define HV_ABI_H

/* Call numbers: the low 16 bits of the SMCCC function ID on arm64, RAX on x86. */
#define HV_CALL_VERSION        0x0U  /* -> HV_ABI_VERSION_CURRENT */
#define HV_CALL_HALT           0x1U  /* a0 = status; does not return */
#define HV_CALL_TIMER_PERIOD   0x2U  /* a0 = period in microseconds, 0 stops; fires on HV_LINE_TIMER */
#define HV_CALL_CONSOLE_WRITE  0x3U  /* a0 = guest physical address, a1 = length; -> bytes written */
#define HV_CALL_LINE_SET       0x4U  /* a0 = line, a1 = HV_LINE_LOWER/RAISE/PULSE */
#define HV_CALL_INFO           0x5U  /* a0 = HV_INFO_*; -> value */
#define HV_CALL_MSI_SEND       0x6U  /* a0 = MSI address, a1 = MSI data: the test device sends that message */
/* CPU power (1.2), x86 only: arm64 guests use PSCI CPU_ON/CPU_OFF/AFFINITY_INFO, and the arm64
 * hypervisor answers these numbers HV_ABI_NOT_SUPPORTED. */
#define HV_CALL_CPU_ON         0x7U  /* a0 = vCPU index, a1 = entry address, a2 = context (RDI at entry) */
#define HV_CALL_CPU_OFF        0x8U  /* stop the calling vCPU; returns only when refused */
#define HV_CALL_CPU_STATE      0x9U  /* a0 = vCPU index -> HV_CPU_STATE_* */
#define HV_CALL_COUNT          0xAU

#define HV_ABI_VERSION_CURRENT 0x00010002U  /* major 1, minor 2: CPU_ON/CPU_OFF/CPU_STATE (1.1: MSI_SEND) */

/* CPU_STATE results (the order of guest_arch_cpu_state()'s answers). */
#define HV_CPU_STATE_OFF        0
#define HV_CPU_STATE_ON         1
#define HV_CPU_STATE_ON_PENDING 2

/*
 * The test device's message (HV_CALL_MSI_SEND): it writes a1 (32 bits) to guest physical address a0,
 * as a PCI device writes the MSI the guest programmed into it. arm64: a0 must be the GITS_TRANSLATER
 * of the ITS in the guest's device tree, and the device's DeviceID is HV_MSI_TEST_DEVID. x86: a0 is
 * in the local APICs' MSI window (0xFEEx_xxxx), decoded as the x86 MSI address/data format.
 * Anything else is HV_ABI_INVALID_PARAM; a message that translates to nothing is still HV_ABI_OK,
 * as a bus write that the interrupt controller drops would be.
 */
#define HV_MSI_TEST_DEVID      0x10U

#define HV_LINE_LOWER 0U
#define HV_LINE_RAISE 1U
#define HV_LINE_PULSE 2U

#define HV_INFO_NR_VCPUS  0U
#define HV_INFO_VCPU_ID   1U
#define HV_INFO_NR_LINES  2U
#define HV_INFO_TIMER_HZ  3U  /* granularity of HV_CALL_TIMER_PERIOD's clock */

/* Lines: line 0 is the paravirtual timer; the test device owns lines 1..HV_NR_LINES-1. */
#define HV_LINE_TIMER  0U
#define HV_NR_LINES    32U
#define HV_ARM64_SPI_OF_LINE(n) (32U + (n))  /* arm64: INTID of line n */

/* Return values (SMCCC's values where SMCCC defines one). */
#define HV_ABI_OK              0
#define HV_ABI_NOT_SUPPORTED  (-1)
#define HV_ABI_INVALID_PARAM  (-3)  /* also PSCI's DENIED: CPU_OFF of the last running vCPU */
#define HV_ABI_ALREADY_ON     (-4)  /* PSCI's value: CPU_ON of a running vCPU */
#define HV_ABI_ON_PENDING     (-5)  /* PSCI's value: CPU_ON of a vCPU already being started */

/* arm64 transport: HVC #0, SMCCC fast call, SMC64, owner "vendor-specific hypervisor service". */
#define HV_SMCCC_FAST_CALL     0x80000000U
#define HV_SMCCC_SMC64         0x40000000U
#define HV_SMCCC_OWNER_VENDOR_HYP (6U << 24)
#define HV_SMCCC_FUNC_MASK     0xffffU
#define HV_ARM64_FID(call) \
	(HV_SMCCC_FAST_CALL | HV_SMCCC_SMC64 | HV_SMCCC_OWNER_VENDOR_HYP | (call))

/*
 * x86 transport: RAX = call, RDI = a0, RSI = a1, RCX = a2, DX = HV_X86_ABI_PORT, `out %eax, %dx`;
 * result in RAX. (The port needs DX: an immediate port operand reaches only 0..255.)
 */
#define HV_X86_ABI_PORT        0x0510U

#endif

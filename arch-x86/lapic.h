/* lapic.h: an xAPIC local APIC (MMIO at 0xFEE00000): registers, IRR/ISR/TMR, ICR, LVTs and timer.
 * Freestanding: the caller owns the struct and serialises calls; time, IPIs and EOIs go through hooks. */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "apic_msg.h"
#include "hv_errno.h"

#define LAPIC_BASE        0xFEE00000ULL
#define LAPIC_MMIO_SIZE   0x1000U

/* Register offsets (each a 32-bit register on a 16-byte boundary) */
#define LAPIC_ID          0x020U
#define LAPIC_VER         0x030U
#define LAPIC_TPR         0x080U
#define LAPIC_APR         0x090U
#define LAPIC_PPR         0x0A0U
#define LAPIC_EOI         0x0B0U
#define LAPIC_RRD         0x0C0U
#define LAPIC_LDR         0x0D0U
#define LAPIC_DFR         0x0E0U
#define LAPIC_SVR         0x0F0U
#define LAPIC_ISR         0x100U   /* 8 registers: 0x100..0x170 */
#define LAPIC_TMR         0x180U
#define LAPIC_IRR         0x200U
#define LAPIC_ESR         0x280U
#define LAPIC_ICR_LO      0x300U
#define LAPIC_ICR_HI      0x310U
#define LAPIC_LVT_TIMER   0x320U
#define LAPIC_LVT_THERMAL 0x330U
#define LAPIC_LVT_PERF    0x340U
#define LAPIC_LVT_LINT0   0x350U
#define LAPIC_LVT_LINT1   0x360U
#define LAPIC_LVT_ERROR   0x370U
#define LAPIC_TIMER_INIT  0x380U
#define LAPIC_TIMER_CUR   0x390U
#define LAPIC_TIMER_DCR   0x3E0U

#define LAPIC_REG_STRIDE  0x10U
#define LAPIC_VEC_REGS    8U       /* 256 bits as eight 32-bit registers */
#define LAPIC_NR_LVT      6U

/* Version: 0x14 (integrated xAPIC), max LVT entry 5 (no CMCI), no EOI-broadcast suppression. */
#define LAPIC_VERSION     0x00050014U

#define LAPIC_ID_SHIFT    24U
#define LAPIC_LDR_SHIFT   24U
#define LAPIC_DFR_MODEL_SHIFT 28U
#define LAPIC_DFR_FLAT    0xFU
#define LAPIC_DFR_CLUSTER 0x0U
#define LAPIC_DFR_RESET   0xFFFFFFFFU
#define LAPIC_DFR_RO_ONES 0x0FFFFFFFU

#define LAPIC_SVR_VECTOR  0xFFU
#define LAPIC_SVR_ENABLE  (1U << 8)
#define LAPIC_SVR_FOCUS_OFF (1U << 9)
#define LAPIC_SVR_RESET   0xFFU

/* LVT and ICR fields */
#define LAPIC_VECTOR_MASK 0xFFU
#define LAPIC_DM_SHIFT    8U
#define LAPIC_DM_MASK     (7U << LAPIC_DM_SHIFT)
#define LAPIC_DEST_LOGICAL (1U << 11)
#define LAPIC_DELIVS      (1U << 12)
#define LAPIC_POLARITY    (1U << 13)
#define LAPIC_REMOTE_IRR  (1U << 14)
#define LAPIC_LEVEL       (1U << 15)   /* LVT: trigger mode; ICR: trigger mode */
#define LAPIC_ICR_ASSERT  (1U << 14)   /* ICR: level (assert / de-assert for INIT) */
#define LAPIC_MASKED      (1U << 16)
#define LAPIC_TIMER_PERIODIC (1U << 17)
#define LAPIC_SH_SHIFT    18U
#define LAPIC_SH_MASK     (3U << LAPIC_SH_SHIFT)
#define LAPIC_ICR_DEST_SHIFT 24U

/* ESR bits */
#define LAPIC_ESR_SEND_ILLEGAL_VEC 0x20U
#define LAPIC_ESR_RECV_ILLEGAL_VEC 0x40U
#define LAPIC_ESR_ILLEGAL_REG      0x80U

#define LAPIC_DCR_MASK    0xBU    /* bits 0, 1 and 3 */
#define LAPIC_BUS_NS      1U      /* timer input clock: 1 GHz before the divider, as KVM's */
#define LAPIC_MIN_PERIOD_NS 200000U /* periodic floor (KVM's min_timer_period_us): no host timer storm */

enum lapic_lvt { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

struct lapic_hooks {
	uint64_t (*now_ns)(void *ctx);                         /* monotonic host clock */
	void (*kick)(void *ctx, unsigned cpu);                  /* something became pending */
	void (*timer_arm)(void *ctx, unsigned cpu, uint64_t deadline_ns); /* 0: stop */
	unsigned (*send)(void *ctx, unsigned src_cpu, const struct apic_msg *m); /* ICR */
	void (*eoi_broadcast)(void *ctx, uint8_t vector);      /* EOI of a TMR-set vector */
};

struct lapic_stats {
	uint64_t timer_fires, ipis_sent, accepted, dropped_disabled, ignored_mode, bad_access, eois;
};

struct lapic {
	unsigned cpu;
	const struct lapic_hooks *hooks;
	void *ctx;
	uint32_t id, tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LAPIC_NR_LVT];
	uint32_t irr[LAPIC_VEC_REGS], isr[LAPIC_VEC_REGS], tmr[LAPIC_VEC_REGS];
	uint32_t timer_init, dcr;
	uint64_t timer_next;      /* absolute ns of the next expiry; 0 when stopped */
	uint64_t timer_period;    /* ns for the initial count at the current divider */
	bool nmi_pending;
	struct lapic_stats stats;
};

/* Power-on state. With virtual_wire (the BSP, as KVM does) LINT0 is ExtINT and unmasked so a
 * guest that never touches the LAPIC still receives the PIC's interrupts. */
int lapic_init(struct lapic *l, unsigned cpu, bool virtual_wire, const struct lapic_hooks *hooks, void *ctx);

/* MMIO at offset from LAPIC_BASE. Reads of 1..4 bytes within a register's first dword return
 * those bytes; only aligned 32-bit writes act. Unimplemented registers: RAZ/WI and ESR bit 7. */
int lapic_mmio_read(struct lapic *l, uint64_t offset, unsigned size, uint32_t *val);
int lapic_mmio_write(struct lapic *l, uint64_t offset, unsigned size, uint32_t val);

/* A message from the APIC bus addressed to this APIC; true if it was accepted. */
bool lapic_accept(struct lapic *l, const struct apic_msg *m);
bool lapic_matches(const struct lapic *l, const struct apic_msg *m);
bool lapic_sw_enabled(const struct lapic *l);

/* For the vCPU loop: the vector the CPU would take now (-1: none), its acknowledge, NMI, ExtINT. */
int lapic_pending_vector(const struct lapic *l);
void lapic_ack(struct lapic *l, uint8_t vector);
bool lapic_take_nmi(struct lapic *l);
bool lapic_accepts_extint(const struct lapic *l);
uint32_t lapic_ppr(const struct lapic *l);

/* Timer: fire expirations due by now (called when the host timer for this APIC runs out). */
void lapic_timer_poll(struct lapic *l);
uint32_t lapic_timer_current(const struct lapic *l);

/* Raise an error condition: latched for the next ESR write, and the error LVT fires. */
void lapic_error(struct lapic *l, uint32_t esr_bits);

#endif

/* ioapic.h: an 82093AA-style IOAPIC: IOREGSEL/IOWIN, 24 redirection entries, remote IRR, EOI broadcast.
 * Freestanding: the caller owns the struct and serialises calls; messages leave through a hook. */
#ifndef IOAPIC_H
#define IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "irq_line.h"
#include "apic_msg.h"

#define IOAPIC_BASE        0xFEC00000ULL
#define IOAPIC_MMIO_SIZE   0x1000U
#define IOAPIC_NR_PINS     24U

/* MMIO offsets (32-bit accesses only) */
#define IOAPIC_REGSEL      0x00U
#define IOAPIC_WINDOW      0x10U

/* Indirect registers */
#define IOAPIC_REG_ID      0x00U
#define IOAPIC_REG_VER     0x01U
#define IOAPIC_REG_ARB     0x02U
#define IOAPIC_REG_REDTBL  0x10U   /* entry n: low dword at 0x10 + 2n, high at 0x11 + 2n */

#define IOAPIC_ID_SHIFT    24U
#define IOAPIC_ID_MASK     (0xFU << IOAPIC_ID_SHIFT)
#define IOAPIC_VERSION     0x11U
#define IOAPIC_VER_MAXREDIR_SHIFT 16U

/* Redirection entry bits (64-bit entry) */
#define IOAPIC_RTE_VECTOR_MASK   0xFFULL
#define IOAPIC_RTE_DM_SHIFT      8U
#define IOAPIC_RTE_DM_MASK       (7ULL << IOAPIC_RTE_DM_SHIFT)
#define IOAPIC_RTE_DESTMODE      (1ULL << 11)   /* logical */
#define IOAPIC_RTE_DELIVS        (1ULL << 12)   /* read-only: delivery pending */
#define IOAPIC_RTE_POLARITY      (1ULL << 13)   /* active low */
#define IOAPIC_RTE_REMOTE_IRR    (1ULL << 14)   /* read-only */
#define IOAPIC_RTE_LEVEL         (1ULL << 15)
#define IOAPIC_RTE_MASKED        (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT    56U
#define IOAPIC_RTE_RO_BITS       (IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)
#define IOAPIC_RTE_RW_BITS       (IOAPIC_RTE_VECTOR_MASK | IOAPIC_RTE_DM_MASK | IOAPIC_RTE_DESTMODE | \
                                  IOAPIC_RTE_POLARITY | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | \
                                  (0xFFULL << IOAPIC_RTE_DEST_SHIFT))

/* Deliver a message on the APIC bus; returns how many local APICs accepted it. */
typedef unsigned (*ioapic_deliver_fn)(void *ctx, const struct apic_msg *msg);

struct ioapic_stats {
	uint64_t delivered, dropped_masked, bad_access, eoi_broadcasts;
};

struct ioapic {
	struct irq_chip chip;                  /* irq_line view: pins 0..23 */
	uint32_t id;                           /* ID register (bits 27:24) */
	uint32_t regsel;
	uint64_t rte[IOAPIC_NR_PINS];
	uint32_t line;                         /* asserted inputs, one bit per pin */
	irq_resample_fn resample[IOAPIC_NR_PINS];
	void *resample_owner[IOAPIC_NR_PINS];
	ioapic_deliver_fn deliver;
	void *ctx;
	struct ioapic_stats stats;
};

extern const struct irq_chip_ops ioapic_chip_ops;

/* Reset: every entry masked, edge, vector 0; ID 0. */
int ioapic_init(struct ioapic *io, ioapic_deliver_fn deliver, void *ctx);

/* MMIO at offset from IOAPIC_BASE; only aligned 32-bit accesses reach a register, the rest is RAZ/WI. */
int ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned size, uint32_t *val);
int ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned size, uint32_t val);

/* The local APIC's EOI of a level-triggered vector: clears remote IRR of the entries using it,
 * resamples their lines and re-delivers any still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

int ioapic_set_level(struct ioapic *io, uint32_t pin, bool high);
int ioapic_pulse(struct ioapic *io, uint32_t pin);

#endif

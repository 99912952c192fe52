/* pic.h: a dual 8259A PIC (master at 0x20, slave at 0xA0 cascaded on IRQ2) with the PIIX ELCR.
 * Freestanding: the caller owns the struct; the VMM serialises calls; output goes through hooks. */
#ifndef PIC_H
#define PIC_H

#include <stdbool.h>
#include <stdint.h>
#include "irq_line.h"

#define PIC_MASTER_CMD   0x20U
#define PIC_MASTER_DATA  0x21U
#define PIC_SLAVE_CMD    0xA0U
#define PIC_SLAVE_DATA   0xA1U
#define PIC_ELCR_MASTER  0x4D0U
#define PIC_ELCR_SLAVE   0x4D1U

#define PIC_NR_LINES     16U
#define PIC_CASCADE_IRQ  2U   /* the master input the slave's INT drives */
#define PIC_SPURIOUS_IRQ 7U   /* the level an INTA reports when the request vanished */

/* ICW1 (command port, bit 4 set) */
#define PIC_ICW1_IC4     0x01U  /* ICW4 follows */
#define PIC_ICW1_SNGL    0x02U  /* single PIC: no ICW3 */
#define PIC_ICW1_LTIM    0x08U  /* level-triggered mode for every input */
#define PIC_ICW1_INIT    0x10U
/* ICW4 */
#define PIC_ICW4_8086    0x01U
#define PIC_ICW4_AEOI    0x02U
#define PIC_ICW4_SFNM    0x10U  /* special fully nested mode */
/* OCW2 (command port, bits 4:3 = 00): R, SL, EOI in bits 7:5, level in 2:0 */
#define PIC_OCW2_LEVEL_MASK      0x07U
#define PIC_OCW2_CMD_SHIFT       5U
#define PIC_OCW2_ROT_AEOI_CLEAR  0x0U
#define PIC_OCW2_EOI             0x1U  /* non-specific */
#define PIC_OCW2_NOP             0x2U
#define PIC_OCW2_SEOI            0x3U  /* specific */
#define PIC_OCW2_ROT_AEOI_SET    0x4U
#define PIC_OCW2_ROT_EOI         0x5U  /* rotate on non-specific EOI */
#define PIC_OCW2_SET_PRIO        0x6U  /* level becomes the lowest priority */
#define PIC_OCW2_ROT_SEOI        0x7U  /* rotate on specific EOI */
/* OCW3 (command port, bits 4:3 = 01) */
#define PIC_OCW3_SEL      0x08U
#define PIC_OCW3_RIS      0x01U  /* with RR: read ISR instead of IRR */
#define PIC_OCW3_RR       0x02U
#define PIC_OCW3_POLL     0x04U
#define PIC_OCW3_SMM      0x20U  /* with ESMM: set (1) or reset (0) special mask mode */
#define PIC_OCW3_ESMM     0x40U
#define PIC_POLL_INT      0x80U  /* poll result: an interrupt was pending */

/* ELCR: IRQ 0, 1, 2, 8 and 13 are edge-only on the PIIX, their bits read as zero. */
#define PIC_ELCR_MASTER_MASK 0xF8U
#define PIC_ELCR_SLAVE_MASK  0xDEU

struct pic_unit {
	uint8_t irr, isr, imr;
	uint8_t line;          /* current input levels */
	uint8_t elcr, elcr_mask;
	uint8_t base;          /* ICW2 vector base (bits 7:3) */
	uint8_t icw3;
	uint8_t lowest;        /* the level with the lowest priority (rotation); reset 7 */
	uint8_t init_step;     /* 0 ready, else the ICW expected next (2, 3 or 4) */
	bool icw4_needed, single, ltim;
	bool auto_eoi, rotate_aeoi, sfnm;
	bool special_mask, poll, read_isr;
};

struct pic;
/* The INTR output changed level; the VMM kicks the vCPU that takes ExtINT. */
typedef void (*pic_intr_fn)(void *ctx, bool level);

struct pic_stats {
	uint64_t acks, spurious, bad_access;
};

struct pic {
	struct irq_chip chip;          /* irq_line view: lines 0..15 (line 2 is the cascade) */
	struct pic_unit u[2];          /* 0 master, 1 slave */
	irq_resample_fn resample[PIC_NR_LINES];
	void *resample_owner[PIC_NR_LINES];
	pic_intr_fn intr_fn;
	void *ctx;
	bool intr;                     /* INTR output as last signalled */
	struct pic_stats stats;
};

/* Reset both units to the power-on state: everything cleared, not initialised (ICW1 needed). */
int pic_init(struct pic *p, pic_intr_fn fn, void *ctx);

/* Port I/O: size 1 only (others are RAZ/WI and counted). Ports outside the PIC/ELCR set: HV_ERANGE. */
int pic_io_read(struct pic *p, uint16_t port, unsigned size, uint32_t *val);
int pic_io_write(struct pic *p, uint16_t port, unsigned size, uint32_t val);
bool pic_handles_port(uint16_t port);

/* INTR level now, and the CPU's INTA cycle: returns the vector and moves IRR to ISR. */
bool pic_intr_pending(const struct pic *p);
uint8_t pic_ack(struct pic *p);

extern const struct irq_chip_ops pic_chip_ops;

/* Direct line API (the irq_chip ops call these). */
int pic_set_level(struct pic *p, uint32_t line, bool high);
int pic_pulse(struct pic *p, uint32_t line);

#endif

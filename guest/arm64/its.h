/* its.h: the arm64 layer's ITS driver (its.c) as its own checks (its_tests.c) use it: raw commands,
 * the LPI configuration and pending tables, and restarting the ITS with another device table. */
#ifndef GUEST_ARM64_ITS_H
#define GUEST_ARM64_ITS_H
#include <stdbool.h>
#include <stdint.h>

#define GITS_TRANSLATER 0x10040U   /* in the ITS's second 64 KiB frame */

/* Commands (IHI 0069 chapter 5) */
#define CMD_MOVI     0x01UL
#define CMD_INT      0x03UL
#define CMD_CLEAR    0x04UL
#define CMD_SYNC     0x05UL
#define CMD_MAPD     0x08UL
#define CMD_MAPC     0x09UL
#define CMD_MAPTI    0x0AUL
#define CMD_INV      0x0CUL
#define CMD_INVALL   0x0DUL
#define CMD_MOVALL   0x0EUL
#define CMD_DISCARD  0x0FUL
#define CMD_EVENT_LPI_SHIFT 32   /* MAPTI: the pINTID in DW1[63:32] */
#define CMD_RD_SHIFT        16   /* MAPC/SYNC/MOVALL: RDbase in DW2 (and DW3) from bit 16 */
#define CMD_DEVICE_SHIFT    32   /* DW0: the DeviceID in bits [63:32] */

enum its_device_table { ITS_TABLE_FLAT, ITS_TABLE_TWO_LEVEL };

/* Event n of the test device is LPI 8192 + n, dispatched as guest irq GUEST_IRQ_MSI_BASE + n. */
bool its_ready(void);
/* Restart the ITS (disable, wait for quiescence, new tables, empty ITT, MAPD, one collection per CPU,
 * collection c on CPU c). Two-level: the device's level-1 entry is left invalid (so that MAPD fails)
 * until its_publish_l2() and its_map_device(). */
bool its_start(enum its_device_table kind);
/* Make the level-1 entry that covers the test device valid (two-level tables only). */
void its_publish_l2(void);
/* MAPD the test device again, then SYNC. */
bool its_map_device(void);
/* Queue one command and wait until the ITS has read it. */
bool its_cmd(uint64_t dw0, uint64_t dw1, uint64_t dw2, uint64_t dw3);
/* DW0 of a command for the test device. */
uint64_t its_dev_dw0(uint64_t cmd);
/* The redistributor's number as the ITS commands name it (GITS_TYPER.PTA = 0). */
uint64_t its_rdbase(unsigned cpu);
/* Event n's configuration byte: priority (suite scale) and enable. Takes effect after INV/INVALL. */
void its_lpi_config(unsigned event, unsigned prio, bool enable);
/* GICR_CTLR.EnableLPIs of cpu's redistributor; turning it off waits for RWP (the pending table is
 * written back then); turning it on lets the redistributor read the pending table. */
bool its_lpis_enable(unsigned cpu, bool on);
/* cpu's LPI pending table (bit INTID). */
uint8_t *its_pending_table(unsigned cpu);
#endif

/* vgic_its.h: public API of the emulated ITS: MSIs (DeviceID, EventID) translated to LPIs through tables
 * in guest memory, driven by the guest's command queue. Any number per VM; storage is the caller's. */
#ifndef VGIC_ITS_H
#define VGIC_ITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgic_export.h"
#include "vgic.h"
#include "irq_msg.h"

#define VGIC_ITS_SIZE        0x20000U  /* control frame (64 KiB) + translation frame (64 KiB) */
#define GITS_TRANSLATER_OFFSET 0x10040U  /* where a device writes its EventID */
#define VGIC_ITS_NR_BASER    8U
#define VGIC_ITS_DEVID_BITS  16U       /* GITS_TYPER.Devbits + 1 */
#define VGIC_ITS_EVENT_BITS  16U       /* GITS_TYPER.IDbits + 1 */

/* Why the last command or MSI was refused (the architecture lets an ITS ignore a bad command). */
enum vgic_its_error {
	VGIC_ITS_OK = 0,
	VGIC_ITS_ERR_UNKNOWN_CMD,     /* opcode we do not implement (GICv4 commands included) */
	VGIC_ITS_ERR_DEVICE,          /* DeviceID out of range, or no valid device table entry */
	VGIC_ITS_ERR_EVENT,           /* EventID beyond the device's ITT, or no valid ITT entry */
	VGIC_ITS_ERR_COLLECTION,      /* ICID out of range, or the collection is not mapped */
	VGIC_ITS_ERR_TARGET,          /* RDbase names no redistributor */
	VGIC_ITS_ERR_LPI,             /* pINTID is not an LPI this VM has */
	VGIC_ITS_ERR_MEMORY,          /* a table or the queue lies outside guest RAM */
	VGIC_ITS_ERR_DISABLED,        /* an MSI while GITS_CTLR.Enabled is clear */
	VGIC_ITS_ERR_SIZE,            /* MAPD with more EventID bits than GITS_TYPER.IDbits allows */
	VGIC_ITS_ERR_LPIS_OFF,        /* the target redistributor has EnableLPIs clear: the LPI is lost */
};

struct vgic_its_stats {
	uint64_t commands;            /* commands executed */
	uint64_t cmd_errors;          /* commands ignored as erroneous */
	uint64_t msis;                /* MSIs that made an LPI pending */
	uint64_t msis_dropped;        /* MSIs that translated to nothing */
};

struct vgic_its {
	struct vgic *vm;
	vgic_lock_t lock;             /* registers, command processing and translation */
	bool enabled;                 /* GITS_CTLR.Enabled */
	uint64_t cbaser, cwriter, creadr;
	uint64_t baser[VGIC_ITS_NR_BASER];
	enum vgic_its_error last_error;
	struct vgic_its_stats stats;
	struct irq_msi_target msi;    /* what devices send to (vgic_its_msi_target) */
	uint64_t doorbell;            /* GITS_TRANSLATER's guest address, 0 until given */
};

/* Reset an ITS of vm (which should have LPIs: vgic_lpi_init). HV_EINVAL on NULL arguments. */
VGIC_API int vgic_its_init(struct vgic_its *its, struct vgic *vm);
/*
 * A guest access to the ITS's 128 KiB frame by vcpu: as vgic_mmio_dist_access. A CPU's write to
 * GITS_TRANSLATER carries no DeviceID and is ignored; devices use vgic_its_send_msi.
 */
VGIC_API int vgic_its_mmio_access(struct vgic_its *its, uint32_t vcpu, uint64_t offset, unsigned width,
				  bool write, uint64_t *val);
/*
 * A device's write of eventid to GITS_TRANSLATER, with its DeviceID from the bus. HV_OK when an LPI
 * became pending; otherwise nothing changed and its->last_error says why (HV_ENODEV when the ITS is
 * disabled or the mapping is missing, HV_ERANGE for IDs out of range).
 */
VGIC_API int vgic_its_send_msi(struct vgic_its *its, uint32_t devid, uint32_t eventid);
/*
 * This ITS as the architecture-neutral message target of include/irq_msg.h, its 128 KiB frame at guest
 * physical frame_gpa: a device's irq_msi_send(t, frame_gpa + GITS_TRANSLATER_OFFSET, eventid, devid)
 * is vgic_its_send_msi(its, devid, eventid); any other address is HV_EINVAL. NULL if its is NULL.
 */
VGIC_API struct irq_msi_target *vgic_its_msi_target(struct vgic_its *its, uint64_t frame_gpa);

/*
 * Save and restore one ITS's registers (its tables are in guest memory and travel with it): a
 * little-endian blob of VGIC_ITS_SAVE_BYTES, "GITS", version 1, CTLR.Enabled, CBASER, CWRITER, CREADR
 * and the eight BASERs. Restore checks everything (magic, version, RES0 bits, the queue offsets
 * inside the queue) before changing anything: HV_EINVAL for a bad blob, HV_ENOSPC for a short buffer.
 */
#define VGIC_ITS_SAVE_BYTES (4U + 2U + 2U + 8U * 3U + 8U * VGIC_ITS_NR_BASER)
VGIC_API int vgic_its_save(struct vgic_its *its, void *buf, size_t size);
VGIC_API int vgic_its_restore(struct vgic_its *its, const void *blob, size_t len);

#endif

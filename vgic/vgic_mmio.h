/* vgic_mmio.h: the table-driven register maps shared by the GICD and GICR emulation.
 * One table per frame lists offset, length, access widths and handlers; vgic_mmio.c dispatches. */
#ifndef VGIC_MMIO_H
#define VGIC_MMIO_H

#include "vgic_internal.h"
#include "gic_regs.h"

/* Length of a single 32-bit or 64-bit register in a table entry. */
#define VGIC_REG32     ((uint32_t)sizeof(uint32_t))
#define VGIC_REG64     ((uint32_t)sizeof(uint64_t))

/* Access widths a register allows, as a mask. */
#define VGIC_MMIO_W8   (1U << 0)
#define VGIC_MMIO_W16  (1U << 1)
#define VGIC_MMIO_W32  (1U << 2)
#define VGIC_MMIO_W64  (1U << 3)
/* The width sets the register tables use, one name each so every frame spells them alike. */
#define VGIC_MMIO_W8_32  (VGIC_MMIO_W8 | VGIC_MMIO_W32)
#define VGIC_MMIO_W16_32 (VGIC_MMIO_W16 | VGIC_MMIO_W32)
#define VGIC_MMIO_W32_64 (VGIC_MMIO_W32 | VGIC_MMIO_W64)

struct vgic_its;

/* Who is accessing what. */
struct vgic_mmio_ctx {
	struct vgic *vm;
	struct vgic_vcpu *rd;   /* GICR frames: the redistributor's vCPU. NULL for the GICD. */
	struct vgic_its *its;   /* the ITS frame: which ITS. NULL elsewhere. */
};

/*
 * off is the byte offset of the access from the start of the table entry, width its size in
 * bytes. A read returns the accessed bytes right-aligned; a write gets them the same way.
 */
typedef uint64_t (*vgic_mmio_read_fn)(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
typedef void (*vgic_mmio_write_fn)(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width,
				   uint64_t val);

struct vgic_mmio_reg {
	const char *name;
	uint32_t offset;
	uint32_t len;              /* bytes: one register, or an array of them */
	uint8_t widths;            /* VGIC_MMIO_W* allowed; any other is an abort */
	vgic_mmio_read_fn read;    /* NULL: reads as zero */
	vgic_mmio_write_fn write;  /* NULL: writes ignored (read-only or RAZ/WI) */
};

struct vgic_mmio_frame {
	const char *name;
	const struct vgic_mmio_reg *regs;
	unsigned nr_regs;
	uint32_t size;
};

extern const struct vgic_mmio_frame vgic_dist_frame;
extern const struct vgic_mmio_frame vgic_redist_rd_frame;
extern const struct vgic_mmio_frame vgic_redist_rd_lpi_frame;  /* the same with the direct LPI registers */
extern const struct vgic_mmio_frame vgic_redist_sgi_frame;
extern const struct vgic_mmio_frame vgic_its_frame;

enum vgic_mmio_outcome {
	VGIC_MMIO_HIT,        /* a register handled it */
	VGIC_MMIO_RESERVED,   /* reserved space: RAZ/WI */
	VGIC_MMIO_REFUSED,    /* width or alignment not allowed */
};

/* The entry overlapping [offset, offset + width), or NULL. */
const struct vgic_mmio_reg *vgic_mmio_find(const struct vgic_mmio_frame *f, uint32_t offset,
					   unsigned width);
/* Host-argument checks shared by the entry points: HV_OK, HV_EINVAL or HV_ERANGE. */
int vgic_mmio_check_args(struct vgic *vm, uint32_t vcpu, unsigned width, const uint64_t *val);
/* Count the access on the accessing vCPU and turn the outcome into a VGIC_MMIO_* result. */
int vgic_mmio_account(struct vgic *vm, uint32_t vcpu, enum vgic_mmio_outcome o);
/* width is 1, 2, 4 or 8 and offset + width lies inside the frame: the callers check. */
enum vgic_mmio_outcome vgic_mmio_dispatch(const struct vgic_mmio_frame *f,
					  const struct vgic_mmio_ctx *c, uint32_t offset,
					  unsigned width, bool write, uint64_t *val);

/*
 * The interrupt a per-INTID register field names, or NULL when the field is RAZ/WI: in the GICD,
 * INTIDs below 32 (their registers live in the redistributors, affinity routing being always on)
 * and SPIs beyond the configured count; in a GICR SGI frame, anything but the frame's 32.
 */
struct vgic_irq *vgic_mmio_irq(const struct vgic_mmio_ctx *c, uint32_t intid);
/* The vCPU argument the core setters want for this frame's interrupts. */
uint32_t vgic_mmio_setter_vcpu(const struct vgic_mmio_ctx *c);

/* ---- per-INTID registers, the same code for the GICD and the GICR SGI frame (vgic_mmio.c) ---- */
uint64_t vgic_mmio_read_group(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
void vgic_mmio_write_group(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
uint64_t vgic_mmio_read_enable(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
void vgic_mmio_write_senable(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
void vgic_mmio_write_cenable(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
uint64_t vgic_mmio_read_pending(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
void vgic_mmio_write_spending(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
void vgic_mmio_write_cpending(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
uint64_t vgic_mmio_read_active(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
void vgic_mmio_write_sactive(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
void vgic_mmio_write_cactive(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
uint64_t vgic_mmio_read_priority(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
void vgic_mmio_write_priority(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
uint64_t vgic_mmio_read_config(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
void vgic_mmio_write_config(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width, uint64_t val);
/* PIDR4..7, PIDR0..3, CIDR0..3: the same identification in every frame that has them. */
uint64_t vgic_mmio_read_idreg(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);
/* GICD_IIDR and GICR_IIDR. */
uint64_t vgic_mmio_read_iidr(const struct vgic_mmio_ctx *c, uint32_t off, unsigned width);

/* 64-bit registers taken whole or as two 32-bit halves (off: offset within the register array). */
uint64_t vgic_mmio_extract64(uint64_t reg, uint32_t off, unsigned width);
uint64_t vgic_mmio_merge64(uint64_t reg, uint32_t off, unsigned width, uint64_t val);

/* ---- routing (vgic_dist.c) ---- */
/* The vCPU an IROUTER value selects, or VGIC_TARGET_NONE. dist_lock held. */
uint32_t vgic_dist_route(struct vgic *vm, uint64_t irouter);
/* Re-choose the target of every IRM=1 SPI after the set of awake redistributors changed.
 * No lock held: targets change through the core, which may kick. */
void vgic_dist_reroute_irm(struct vgic *vm);

/* ---- values the dump prints (vgic_dist.c, vgic_redist.c) ---- */
uint32_t vgic_dist_ctlr(struct vgic *vm);
uint32_t vgic_dist_typer(const struct vgic *vm);
uint64_t vgic_redist_typer(const struct vgic *vm, const struct vgic_vcpu *v);
uint32_t vgic_redist_waker(const struct vgic_vcpu *v);

#endif

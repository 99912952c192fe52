/* fuzz_check.c: invariants for the register fuzzer: core structure, routing, readback, lock discipline.
 * Written against the architecture, not against vgic_dist.c, so a wrong table or handler shows up here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"
#include "vgic_internal.h"
#include "gic_regs.h"

#define PRIV VGIC_NR_PRIVATE
#define MAX_IRQS (VGIC_MAX_SPIS + FZ_MAX_VCPUS * PRIV + FZ_MAX_LPIS)
#define LOW32 0xffffffffULL

void fz_fail(const char *what, unsigned long long a, unsigned long long b)
{
	fprintf(stderr, "fuzz invariant broken: %s (0x%llx, 0x%llx)\n", what, a, b);
	abort();
}

/* ---- fingerprint ---- */

static uint64_t mix(uint64_t d, uint64_t v)
{
	return (d ^ v) * 0x100000001b3ULL;
}

static uint64_t irq_fp(uint64_t d, const struct vgic_irq *irq)
{
	d = mix(d, irq->group | irq->enabled << 1 | irq->trigger << 2 | irq->pending_latch << 3 |
		   irq->line_level << 4 | irq->active << 5 | irq->in_lr << 6 | irq->pend_clear_req << 7 |
		   (uint64_t)irq->act_req << 8);
	d = mix(d, irq->priority | (uint64_t)(irq->target ? irq->target->id + 1 : 0) << 8 |
		   (uint64_t)(irq->vcpu ? irq->vcpu->id + 1 : 0) << 16);
	return mix(d, irq->irouter);
}

static uint64_t digest_from(struct vgic *vm, uint32_t first_private)
{
	uint64_t d = 0xcbf29ce484222325ULL;

	d = mix(d, vm->grp0_enabled | vm->grp1_enabled << 1);
	for (uint32_t c = 0; c < vm->nr_vcpus; c++) {
		struct vgic_vcpu *v = &vm->vcpus[c];

		for (uint32_t i = first_private; i < PRIV; i++)
			d = irq_fp(d, &v->priv[i]);
		d = mix(d, v->rd_awake);
		d = mix(d, v->rd_propbaser);
		d = mix(d, v->rd_pendbaser);
	}
	for (uint32_t i = 0; i < vm->nr_spis; i++)
		d = irq_fp(d, &vm->spis[i]);
	return d;
}

uint64_t fz_digest(struct vgic *vm)
{
	return digest_from(vm, 0);
}

uint64_t fz_digest_non_sgi(struct vgic *vm)
{
	return digest_from(vm, VGIC_NR_SGIS);
}

/* ---- structure ---- */

static unsigned seen[MAX_IRQS];

static unsigned irq_index(struct vgic *vm, const struct vgic_irq *irq)
{
	if (irq->lpi)
		return vm->nr_spis + vm->nr_vcpus * PRIV + (irq->intid - VGIC_LPI_BASE);
	if (irq->intid >= VGIC_SPI_BASE)
		return irq->intid - VGIC_SPI_BASE;
	return vm->nr_spis + irq->target->id * PRIV + irq->intid;
}

static void check_lists(struct vgic *vm)
{
	for (unsigned i = 0; i < vm->nr_spis + vm->nr_vcpus * PRIV + vm->nr_lpis; i++)
		seen[i] = 0;
	for (uint32_t c = 0; c < vm->nr_vcpus; c++) {
		struct vgic_vcpu *v = &vm->vcpus[c];

		for (unsigned cls = 0; cls < VGIC_AP_CLASSES; cls++) {
			uint32_t n = 0;

			unsigned last = 0;

			/* The short list is walked as one more "bucket" after the 256 (vgic.h: the two forms). */
			if (v->aplist.spread[cls] ? !vgic_node_empty(&v->aplist.sorted[cls]) || !v->aplist.count[cls]
						  : v->aplist.count[cls] > VGIC_APLIST_SHORT_MAX)
				fz_fail("ap_list form out of step", c, cls);
			for (unsigned p = 0; p <= VGIC_NR_PRIORITIES; p++) {
				bool on_short = p == VGIC_NR_PRIORITIES;
				struct vgic_node *head = on_short ? &v->aplist.sorted[cls] : &v->aplist.bucket[cls][p];
				bool bit = !on_short && ((v->aplist.nonempty[cls][p / 64] >> (p % 64)) & 1);

				if (!on_short && bit != !vgic_node_empty(head))
					fz_fail("bucket bitmap out of step", c, p);
				if (!on_short && !v->aplist.spread[cls] && !vgic_node_empty(head))
					fz_fail("short class with entries in a bucket", c, p);
				for (struct vgic_node *nd = head->next; nd != head; nd = nd->next) {
					struct vgic_irq *irq = vgic_container_of(nd, struct vgic_irq, ap_node);

					if (on_short ? irq->bucket / VGIC_NR_PRIORITIES != cls || irq->bucket < last
						     : irq->bucket != cls * VGIC_NR_PRIORITIES + p)
						fz_fail("irq->bucket wrong", irq->intid, irq->bucket);
					last = irq->bucket;
					if (irq->vcpu != v)
						fz_fail("listed on a vCPU irq->vcpu does not name", irq->intid, c);
					if (seen[irq_index(vm, irq)]++)
						fz_fail("interrupt listed twice", irq->intid, c);
					n++;
				}
			}
			if (n != v->aplist.count[cls])
				fz_fail("ap_list count wrong", c, cls);
		}
	}
}

static void check_irq(struct vgic *vm, struct vgic_irq *irq)
{
	unsigned idx = irq_index(vm, irq);

	if (irq->vcpu && !seen[idx])
		fz_fail("irq->vcpu set but on no ap_list", irq->intid, irq->vcpu->id);
	if (!irq->in_lr && vgic_oracle(vm, irq) != irq->vcpu)
		fz_fail("interrupt not where the oracle says", irq->intid,
			irq->vcpu ? irq->vcpu->id : 0xff);
	/* In the guest's LR, or kept in it across an exit (docs/design.md 7.2b): the shadow names it. */
	if (irq->in_lr) {
		struct vgic_vcpu *v = irq->vcpu;

		if (!v || irq->lr >= LR_BACKEND_MAX_LRS ||
		    !(v->used_mask & (1U << irq->lr)) || v->lr_irq[irq->lr] != irq)
			fz_fail("in_lr without a matching LR", irq->intid, irq->lr);
	}
}

/* The vCPU a GICD_IROUTER value must select: IHI 0069 plus our documented IRM=1 choice. */
static struct vgic_vcpu *expected_route(struct vgic *vm, uint64_t r)
{
	if (r & GICD_IROUTER_IRM) {
		for (uint32_t c = 0; c < vm->nr_vcpus; c++)
			if (vm->vcpus[c].rd_awake)
				return &vm->vcpus[c];
		return NULL;
	}
	for (uint32_t c = 0; c < vm->nr_vcpus; c++) {
		uint64_t m = vm->vcpus[c].mpidr;

		if ((m & 0xffffff) == (r & 0xffffff) && ((m >> 32) & 0xff) == ((r >> 32) & 0xff))
			return &vm->vcpus[c];
	}
	return NULL;
}

static uint64_t read_reg(struct vgic *vm, enum fz_frame f, uint32_t rd, uint32_t off, unsigned w)
{
	uint64_t v = 0;
	int rc = f == FZ_GICD ? vgic_mmio_dist_access(vm, 0, off, w, false, &v)
			      : vgic_mmio_redist_access(vm, 0, rd, off, w, false, &v);

	if (rc != VGIC_MMIO_OK)
		fz_fail("checker read refused", off, (unsigned long long)rc);
	return v;
}

static void check_id_registers(struct vgic *vm)
{
	uint64_t t = read_reg(vm, FZ_GICD, 0, GICD_TYPER, 4);

	if ((t & GICD_TYPER_ITLinesNumber_MASK) != (vm->nr_spis + 31) / 32 || !(t & GICD_TYPER_LPIS) != !vm->nr_lpis)
		fz_fail("GICD_TYPER changed", t, vm->nr_spis);
	if (((read_reg(vm, FZ_GICD, 0, GICD_PIDR2, 4) >> 4) & 0xf) != 3)
		fz_fail("GICD_PIDR2 not GICv3", 0, 0);
	if ((read_reg(vm, FZ_GICD, 0, GICD_CTLR, 4) & (GICD_CTLR_ARE_NS | GICD_CTLR_DS | GICD_CTLR_RWP)) !=
	    (GICD_CTLR_ARE_NS | GICD_CTLR_DS))
		fz_fail("GICD_CTLR ARE/DS/RWP", 0, 0);
	for (uint32_t c = 0; c < vm->nr_vcpus; c++) {
		uint64_t m = vm->vcpus[c].mpidr;
		uint64_t want = ((m & 0xffffff) | ((m >> 32) & 0xff) << 24) << 32 | (uint64_t)c << 8 |
				(c + 1 == vm->nr_vcpus ? GICR_TYPER_Last : 0) |
				(vm->nr_lpis ? GICR_TYPER_PLPIS | GICR_TYPER_DirectLPI : 0);
		uint64_t got = read_reg(vm, FZ_GICR, c, GICR_TYPER, 8);

		if (got != want)
			fz_fail("GICR_TYPER", got, want);
		if (((read_reg(vm, FZ_GICR, c, GICR_PIDR2, 4) >> 4) & 0xf) != 3)
			fz_fail("GICR_PIDR2 not GICv3", c, 0);
	}
}

void fz_check_invariants(struct vgic *vm, bool id_regs)
{
	check_lists(vm);
	for (uint32_t i = 0; i < vm->nr_lpis; i++) {
		struct vgic_irq *irq = &vm->lpis[i];

		check_irq(vm, irq);
		if (irq->active)
			fz_fail("an LPI holds an active state", irq->intid, 0);
		if (!irq->group || irq->trigger != VGIC_EDGE)
			fz_fail("an LPI is not Group 1 edge", irq->intid, irq->group);
	}
	for (uint32_t i = 0; i < vm->nr_spis; i++) {
		struct vgic_irq *irq = &vm->spis[i];

		check_irq(vm, irq);
		if (irq->irouter & ~GICD_IROUTER_WRITABLE)
			fz_fail("IROUTER holds RES0 bits", irq->intid, irq->irouter);
		if (irq->target != expected_route(vm, irq->irouter))
			fz_fail("SPI target does not follow IROUTER", irq->intid, irq->irouter);
	}
	for (uint32_t c = 0; c < vm->nr_vcpus; c++) {
		struct vgic_vcpu *v = &vm->vcpus[c];

		for (uint32_t i = 0; i < PRIV; i++) {
			check_irq(vm, &v->priv[i]);
			if (v->priv[i].target != v)
				fz_fail("private interrupt targets another vCPU", i, c);
			if (i < VGIC_NR_SGIS && v->priv[i].trigger != VGIC_EDGE)
				fz_fail("SGI not edge", i, c);
		}
		for (uint32_t n = 0; n < LR_BACKEND_MAX_LRS; n++) {
			struct vgic_irq *irq = v->lr_irq[n];

			if (!(v->used_mask & (1U << n)))
				continue;

			if (!irq || !irq->in_lr || irq->lr != n || irq->vcpu != v)
				fz_fail("LR shadow out of step", c, n);
		}
		if (v->rd_propbaser & ~GICR_PROPBASER_WRITABLE)
			fz_fail("PROPBASER holds RES0 bits", c, v->rd_propbaser);
		if (v->rd_pendbaser & ~GICR_PENDBASER_WRITABLE)
			fz_fail("PENDBASER holds RES0 bits", c, v->rd_pendbaser);
	}
	if (id_regs)
		check_id_registers(vm);
}

/* ---- lock discipline ---- */

static struct {
	const struct vgic_hooks *inner;
	struct vgic *vm;
	int held;
	unsigned bad_kick, relock, nested;
} lk;

static void fz_lock(void *ctx, vgic_lock_t *l)
{
	struct vgic *vm = ctx;

	if (l->word)
		lk.relock++;
	if (vm->dist_lock.word && l != &vm->dist_lock)
		lk.nested++;
	l->word = 1;
	lk.held++;
}

static void fz_unlock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	if (!l->word)
		fz_fail("unlock of a lock not held", 0, 0);
	l->word = 0;
	lk.held--;
}

static void fz_kick(void *ctx, struct vgic_vcpu *v)
{
	(void)ctx;
	(void)v;
	if (lk.held)
		lk.bad_kick++;
}

static void fz_print(void *ctx, const char *s)
{
	unsigned n = 0;

	(void)ctx;
	if (lk.held)
		fz_fail("print with a vgic lock held", 0, 0);
	while (s[n])
		n++;
	if (n == 0 || n > 300 || s[n - 1] != '\n')
		fz_fail("dump line malformed", n, 0);
}

uint8_t fz_ram[FZ_RAM_SIZE];

static int fz_guest_read(void *ctx, uint64_t gpa, void *buf, uint32_t len)
{
	(void)ctx;
	if (gpa < FZ_RAM_BASE || len > FZ_RAM_SIZE || gpa - FZ_RAM_BASE > FZ_RAM_SIZE - len)
		return HV_ERANGE;
	memcpy(buf, &fz_ram[gpa - FZ_RAM_BASE], len);
	return HV_OK;
}

static int fz_guest_write(void *ctx, uint64_t gpa, const void *buf, uint32_t len)
{
	(void)ctx;
	if (gpa < FZ_RAM_BASE || len > FZ_RAM_SIZE || gpa - FZ_RAM_BASE > FZ_RAM_SIZE - len)
		return HV_ERANGE;
	memcpy(&fz_ram[gpa - FZ_RAM_BASE], buf, len);
	return HV_OK;
}

void fz_hooks_install(struct vgic_hooks *h)
{
	h->guest_read = fz_guest_read;
	h->guest_write = fz_guest_write;
	h->lock = fz_lock;
	h->unlock = fz_unlock;
	h->kick = fz_kick;
	h->print = fz_print;
	h->phys_deactivate = NULL;
	lk.held = 0;
	lk.bad_kick = lk.relock = lk.nested = 0;
}

void fz_check_locks(void)
{
	if (lk.held)
		fz_fail("a vgic lock is still held", (unsigned long long)lk.held, 0);
	if (lk.bad_kick)
		fz_fail("kick with a vgic lock held", lk.bad_kick, 0);
	if (lk.relock)
		fz_fail("a held lock taken again", lk.relock, 0);
	if (lk.nested)
		fz_fail("a lock taken under dist_lock", lk.nested, 0);
}

/* ---- readback after a write ---- */

/* Which INTIDs a frame's per-INTID registers name (affinity routing on: GICD has SPIs only). */
static bool implemented(struct vgic *vm, enum fz_frame f, uint32_t intid)
{
	if (f == FZ_GICR)
		return intid < PRIV;
	return intid >= VGIC_SPI_BASE && intid < VGIC_SPI_BASE + vm->nr_spis;
}

static bool in(uint32_t off, uint32_t base, uint32_t len)
{
	return off >= base && off < base + len;
}

static void check_bits(struct vgic *vm, enum fz_frame f, uint32_t rd, uint32_t off, uint32_t base,
		       uint64_t val, const char *what, int mode)
{
	uint32_t first = (off - base) * 8U;
	uint64_t got = read_reg(vm, f, rd, off, 4);

	for (uint32_t i = 0; i < 32; i++) {
		bool imp = implemented(vm, f, first + i);
		bool w = (val >> i) & 1, g = (got >> i) & 1;

		if (!imp && g)
			fz_fail(what, first + i, got);
		if (!imp)
			continue;
		if ((mode == 0 && g != w) || (mode == 1 && w && !g) || (mode == 2 && w && g))
			fz_fail(what, first + i, got);
	}
}

void fz_check_write(struct vgic *vm, enum fz_frame f, uint32_t rd, uint32_t off, unsigned width,
		    uint64_t val, uint64_t before64)
{
	uint32_t sgi = f == FZ_GICR ? GICR_SGI_BASE : 0;

	if (f == FZ_GICD && off == GICD_CTLR) {
		uint64_t got = read_reg(vm, f, rd, off, 4);

		if (got != (GICD_CTLR_ARE_NS | GICD_CTLR_DS | (val & 3)))
			fz_fail("GICD_CTLR readback", got, val);
		return;
	}
	if (f == FZ_GICR && off == GICR_WAKER) {
		uint64_t got = read_reg(vm, f, rd, off, 4);
		uint64_t want = (val & GICR_WAKER_ProcessorSleep) ? 6 : 0;

		if (got != want || vm->vcpus[rd].rd_awake != !want)
			fz_fail("GICR_WAKER readback", got, val);
		return;
	}
	if (in(off, sgi + GICD_IPRIORITYR, f == FZ_GICD ? 1020 : 32)) {
		uint64_t got = read_reg(vm, f, rd, off, width);

		for (unsigned b = 0; b < width; b++) {
			uint32_t intid = off - sgi - GICD_IPRIORITYR + b;
			uint8_t want = implemented(vm, f, intid) ? (uint8_t)(val >> (8 * b)) & vm->prio_mask : 0;

			if ((uint8_t)(got >> (8 * b)) != want)
				fz_fail("IPRIORITYR readback", intid, got);
		}
		return;
	}
	if (width == 4 && in(off, sgi + GICD_IGROUPR, f == FZ_GICD ? 0x80 : 4)) {
		check_bits(vm, f, rd, off, sgi + GICD_IGROUPR, val, "IGROUPR readback", 0);
		return;
	}
	if (width == 4 && in(off, sgi + GICD_ISENABLER, f == FZ_GICD ? 0x80 : 4)) {
		check_bits(vm, f, rd, off, sgi + GICD_ISENABLER, val, "ISENABLER readback", 1);
		return;
	}
	if (width == 4 && in(off, sgi + GICD_ICENABLER, f == FZ_GICD ? 0x80 : 4)) {
		check_bits(vm, f, rd, off, sgi + GICD_ICENABLER, val, "ICENABLER readback", 2);
		return;
	}
	if (width == 4 && in(off, sgi + GICD_ISPENDR, f == FZ_GICD ? 0x80 : 4)) {
		check_bits(vm, f, rd, off, sgi + GICD_ISPENDR, val, "ISPENDR readback", 1);
		return;
	}
	if (width == 4 && in(off, sgi + GICD_ISACTIVER, f == FZ_GICD ? 0x80 : 4)) {
		check_bits(vm, f, rd, off, sgi + GICD_ISACTIVER, val, "ISACTIVER readback", 1);
		return;
	}
	if (width == 4 && in(off, sgi + GICD_ICACTIVER, f == FZ_GICD ? 0x80 : 4)) {
		check_bits(vm, f, rd, off, sgi + GICD_ICACTIVER, val, "ICACTIVER readback", 2);
		return;
	}
	if (width == 4 && in(off, sgi + GICD_ICFGR, f == FZ_GICD ? 0x100 : 8)) {
		uint64_t got = read_reg(vm, f, rd, off, 4);

		for (uint32_t i = 0; i < 16; i++) {
			uint32_t intid = (off - sgi - GICD_ICFGR) * 4U + i;
			uint32_t field = (uint32_t)(got >> (2 * i)) & 3U, want;

			if (!implemented(vm, f, intid))
				want = 0;
			else if (intid < VGIC_NR_SGIS)
				want = GIC_ICFGR_EDGE;
			else
				want = (uint32_t)(val >> (2 * i)) & GIC_ICFGR_EDGE;
			if (field != want)
				fz_fail("ICFGR readback", intid, got);
		}
		return;
	}
	if (f == FZ_GICD && in(off, GICD_IROUTER, GICD_IROUTER_BYTES)) {
		uint32_t intid = (off - GICD_IROUTER) / 8U;
		uint32_t reg = GICD_IROUTER + intid * 8U;
		uint64_t want = before64, got = read_reg(vm, f, rd, reg, 8);

		if (width == 8)
			want = val;
		else if (off != reg)
			want = (want & LOW32) | (val << 32);
		else
			want = (want & ~LOW32) | (val & LOW32);
		want = implemented(vm, f, intid) ? want & GICD_IROUTER_WRITABLE : 0;
		if (got != want)
			fz_fail("IROUTER readback", got, want);
	}
}

/* vgic_dump.c: vgic_dump(), a readable snapshot of the distributor, redistributors, ap_lists and LR shadows.
 * Freestanding: it formats its own lines and prints them through hooks->print, never under a vgic lock. */
#include "vgic_mmio.h"

#define LINE_MAX_CHARS   256U     /* the longest line (stats with 20-digit counters) fits */
#define AP_SHOW_MAX      32U      /* ap_list entries listed per class; the rest are counted */
#define AP_PER_LINE      8U
#define HEX_DIGIT_BITS   4U
#define HEX_DIGIT_MASK   0xfU
#define DEC_BASE         10U
#define DEC_MAX_DIGITS   20U
#define HEX_U8           2U
#define HEX_U32          8U
#define HEX_U64          16U

struct line {
	struct vgic *vm;
	char buf[LINE_MAX_CHARS + 2U];
	unsigned len;
};

/* Field by field: an initialiser could become a memset call the freestanding core cannot link. */
static void line_init(struct line *l, struct vgic *vm)
{
	l->vm = vm;
	l->len = 0;
}

static void put_c(struct line *l, char ch)
{
	if (l->len < LINE_MAX_CHARS)
		l->buf[l->len++] = ch;
}

static void put_s(struct line *l, const char *s)
{
	while (*s)
		put_c(l, *s++);
}

static void put_hex(struct line *l, uint64_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";

	put_s(l, "0x");
	while (digits--)
		put_c(l, hex[(v >> (digits * HEX_DIGIT_BITS)) & HEX_DIGIT_MASK]);
}

static void put_dec(struct line *l, uint64_t v)
{
	char tmp[DEC_MAX_DIGITS];
	unsigned n = 0;

	do {
		tmp[n++] = (char)('0' + v % DEC_BASE);
		v /= DEC_BASE;
	} while (v && n < DEC_MAX_DIGITS);
	while (n)
		put_c(l, tmp[--n]);
}

static void emit(struct line *l)
{
	l->buf[l->len++] = '\n';
	l->buf[l->len] = '\0';
	l->vm->hooks->print(l->vm->hooks_ctx, l->buf);
	l->len = 0;
}

/* ---- one interrupt ---- */

struct irq_snap {
	uint32_t intid;
	bool enabled, pending, active, edge, hw, in_lr;
	uint8_t group, priority, lr;
	int32_t target, queued_on, active_on;
	uint32_t hw_intid;
	uint64_t irouter;
};

static int32_t vcpu_id(const struct vgic_vcpu *v)
{
	return v ? (int32_t)v->id : -1;
}

static void snap_irq(struct vgic *vm, struct vgic_irq *irq, struct irq_snap *s)
{
	struct vgic_vcpu *v = vgic_irq_lock_listed(vm, irq);

	s->intid = irq->intid;
	s->enabled = irq->enabled;
	s->pending = vgic_irq_is_pending(irq);
	s->active = irq->active;
	s->edge = irq->trigger == VGIC_EDGE;
	s->hw = irq->hw;
	s->in_lr = irq->in_lr;
	s->group = irq->group;
	s->priority = irq->priority;
	s->lr = irq->lr;
	s->target = vcpu_id(irq->target);
	s->queued_on = vcpu_id(v);
	s->active_on = vcpu_id(irq->active_on);
	s->hw_intid = irq->hw_intid;
	vgic_unlock(vm, &irq->lock);
	if (v)
		vgic_unlock(vm, &v->ap_lock);
}

static void put_vcpu_ref(struct line *l, const char *what, int32_t id)
{
	put_s(l, what);
	if (id < 0)
		put_s(l, "-");
	else
		put_dec(l, (uint64_t)id);
}

static void dump_irq(struct vgic *vm, struct vgic_irq *irq, const char *kind, bool spi)
{
	struct line l;
	struct irq_snap s;

	line_init(&l, vm);
	snap_irq(vm, irq, &s);
	/* dist_lock is a leaf: irouter is read on its own, not under the interrupt's locks. */
	vgic_lock(vm, &vm->dist_lock);
	s.irouter = irq->irouter;
	vgic_unlock(vm, &vm->dist_lock);
	/* Only what can explain a missing or stuck interrupt: the idle ones are left out. */
	if (!s.enabled && !s.pending && !s.active && s.queued_on < 0)
		return;
	put_s(&l, "  ");
	put_s(&l, kind);
	put_s(&l, " ");
	put_dec(&l, s.intid);
	put_s(&l, s.enabled ? " en" : " --");
	put_s(&l, s.pending ? " pend" : " ----");
	put_s(&l, s.active ? " act" : " ---");
	put_s(&l, s.edge ? " edge" : " level");
	put_s(&l, s.group ? " grp1" : " grp0");
	put_s(&l, " prio ");
	put_hex(&l, s.priority, HEX_U8);
	if (spi) {
		put_s(&l, " irouter ");
		put_hex(&l, s.irouter, HEX_U64);
	}
	put_vcpu_ref(&l, " target ", s.target);
	put_vcpu_ref(&l, " queued ", s.queued_on);
	if (s.active)
		put_vcpu_ref(&l, " active-on ", s.active_on);
	if (s.in_lr) {
		put_s(&l, " in LR");
		put_dec(&l, s.lr);
	}
	if (s.hw) {
		put_s(&l, " hw pINTID ");
		put_dec(&l, s.hw_intid);
	}
	emit(&l);
}

/* ---- frames ---- */

static void dump_dist(struct vgic *vm)
{
	struct line l;
	uint64_t iidr = vgic_mmio_read_iidr(NULL, 0, sizeof(uint32_t));

	line_init(&l, vm);
	put_s(&l, "vgic: ");
	put_dec(&l, vm->nr_vcpus);
	put_s(&l, " vCPUs, ");
	put_dec(&l, vm->nr_spis);
	put_s(&l, " SPIs, priority mask ");
	put_hex(&l, vm->prio_mask, HEX_U8);
	emit(&l);
	put_s(&l, "GICD: CTLR ");
	put_hex(&l, vgic_dist_ctlr(vm), HEX_U32);
	put_s(&l, " TYPER ");
	put_hex(&l, vgic_dist_typer(vm), HEX_U32);
	put_s(&l, " IIDR ");
	put_hex(&l, iidr, HEX_U32);
	emit(&l);
	for (uint32_t i = 0; i < vm->nr_spis; i++)
		dump_irq(vm, &vm->spis[i], "SPI", true);
}

static void dump_redist(struct vgic *vm, struct vgic_vcpu *v)
{
	struct line l;
	uint64_t prop, pend;
	uint32_t waker;

	line_init(&l, vm);
	vgic_lock(vm, &vm->dist_lock);
	waker = vgic_redist_waker(v);
	prop = v->rd_propbaser;
	pend = v->rd_pendbaser;
	vgic_unlock(vm, &vm->dist_lock);
	put_s(&l, "GICR");
	put_dec(&l, v->id);
	put_s(&l, ": TYPER ");
	put_hex(&l, vgic_redist_typer(vm, v), HEX_U64);
	put_s(&l, " WAKER ");
	put_hex(&l, waker, HEX_U32);
	put_s(&l, waker ? " (asleep)" : " (awake)");
	put_s(&l, " PROPBASER ");
	put_hex(&l, prop, HEX_U64);
	put_s(&l, " PENDBASER ");
	put_hex(&l, pend, HEX_U64);
	emit(&l);
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++)
		dump_irq(vm, &v->priv[i], i < VGIC_NR_SGIS ? "SGI" : "PPI", false);
}

/* ---- ap_list and LR shadow ---- */

struct cpu_snap {
	uint32_t total[VGIC_AP_CLASSES];
	uint32_t shown[VGIC_AP_CLASSES];
	uint32_t intid[VGIC_AP_CLASSES][AP_SHOW_MAX];
	uint16_t bucket[VGIC_AP_CLASSES][AP_SHOW_MAX];
	uint32_t used_lrs, used_mask, hw_dirty;
	uint32_t lr_intid[LR_BACKEND_MAX_LRS];
	uint64_t lr_val[LR_BACKEND_MAX_LRS];
	uint64_t hcr;
	bool loaded;
};

static void snap_cpu(struct vgic *vm, struct vgic_vcpu *v, struct cpu_snap *s)
{
	vgic_lock(vm, &v->ap_lock);
	for (unsigned cls = 0; cls < VGIC_AP_CLASSES; cls++) {
		struct vgic_irq *irq = NULL;

		s->total[cls] = v->aplist.count[cls];
		s->shown[cls] = 0;
		while (s->shown[cls] < AP_SHOW_MAX && (irq = vgic_aplist_next(&v->aplist, cls, irq))) {
			s->intid[cls][s->shown[cls]] = irq->intid;
			s->bucket[cls][s->shown[cls]] = irq->bucket;
			s->shown[cls]++;
		}
	}
	/* Counted by hand: __builtin_popcount is a libgcc call for the freestanding aarch64 build. */
	s->used_lrs = 0;
	for (uint32_t m = v->used_mask; m; m &= m - 1U)
		s->used_lrs++;
	s->used_mask = v->used_mask;
	s->hw_dirty = v->hw_dirty;
	s->hcr = v->hcr;
	s->loaded = vgic_vcpu_loaded(v);
	for (unsigned i = 0; i < LR_BACKEND_MAX_LRS; i++) {
		if (!(s->used_mask & (1U << i)))
			continue;
		s->lr_val[i] = v->lr_val[i];
		s->lr_intid[i] = v->lr_irq[i] ? v->lr_irq[i]->intid : GIC_INTID_SPURIOUS;
	}
	vgic_unlock(vm, &v->ap_lock);
}

static void put_lr_state(struct line *l, uint64_t lr)
{
	switch (lr & ICH_LR_STATE_MASK) {
	case ICH_LR_STATE_PENDING: put_s(l, " pending"); break;
	case ICH_LR_STATE_ACTIVE: put_s(l, " active"); break;
	case ICH_LR_STATE_MASK: put_s(l, " pending+active"); break;
	default: put_s(l, " invalid"); break;
	}
}

static void dump_cpu(struct vgic *vm, struct vgic_vcpu *v)
{
	static const char *const cls_name[VGIC_AP_CLASSES] = { "pending", "active" };
	struct line l;
	struct cpu_snap s;

	line_init(&l, vm);
	snap_cpu(vm, v, &s);
	put_s(&l, "vCPU");
	put_dec(&l, v->id);
	put_s(&l, ": mpidr ");
	put_hex(&l, v->mpidr, HEX_U64);
	put_s(&l, s.loaded ? " loaded" : " not-loaded");
	put_s(&l, " used_lrs ");
	put_dec(&l, s.used_lrs);
	put_s(&l, " hw_dirty ");
	put_hex(&l, s.hw_dirty, HEX_U32);
	put_s(&l, " hcr ");
	if (s.hcr == VGIC_HCR_UNKNOWN)
		put_s(&l, "unknown");
	else
		put_hex(&l, s.hcr, HEX_U32);
	emit(&l);
	for (unsigned cls = 0; cls < VGIC_AP_CLASSES; cls++) {
		put_s(&l, "  ap_list ");
		put_s(&l, cls_name[cls]);
		put_s(&l, " (");
		put_dec(&l, s.total[cls]);
		put_s(&l, "):");
		for (unsigned i = 0; i < s.shown[cls]; i++) {
			if (i && i % AP_PER_LINE == 0) {
				emit(&l);
				put_s(&l, "   ");
			}
			put_s(&l, " ");
			put_dec(&l, s.intid[cls][i]);
			put_s(&l, "@");
			put_hex(&l, s.bucket[cls][i] % VGIC_NR_PRIORITIES, HEX_U8);
		}
		if (s.total[cls] > s.shown[cls])
			put_s(&l, " ...");
		emit(&l);
	}
	for (unsigned i = 0; i < LR_BACKEND_MAX_LRS; i++) {
		uint64_t lr = s.lr_val[i];

		if (!(s.used_mask & (1U << i)))
			continue;
		put_s(&l, "  LR");
		put_dec(&l, i);
		put_s(&l, " ");
		put_hex(&l, lr, HEX_U64);
		put_s(&l, " vINTID ");
		put_dec(&l, ich_lr_vintid(lr));
		put_lr_state(&l, lr);
		put_s(&l, " prio ");
		put_hex(&l, ich_lr_priority(lr), HEX_U8);
		put_s(&l, (lr & ICH_LR_GROUP) ? " grp1" : " grp0");
		if (lr & ICH_LR_HW) {
			put_s(&l, " hw pINTID ");
			put_dec(&l, ich_lr_pintid(lr));
		} else if (lr & ICH_LR_EOI) {
			put_s(&l, " eoi");
		}
		put_s(&l, " (irq ");
		put_dec(&l, s.lr_intid[i]);
		put_s(&l, ")");
		emit(&l);
	}
	put_s(&l, "  stats: flushes ");
	put_dec(&l, v->stats.flushes);
	put_s(&l, " syncs ");
	put_dec(&l, v->stats.syncs);
	put_s(&l, " overflows ");
	put_dec(&l, v->stats.overflows);
	put_s(&l, " kicks ");
	put_dec(&l, v->stats.kicks);
	put_s(&l, " mmio ");
	put_dec(&l, v->stats.mmio_accesses);
	put_s(&l, " reserved ");
	put_dec(&l, v->stats.mmio_reserved);
	put_s(&l, " aborts ");
	put_dec(&l, v->stats.mmio_aborts);
	put_s(&l, " sgi-writes ");
	put_dec(&l, v->stats.sgi_writes);
	emit(&l);
}

int vgic_dump(struct vgic *vm)
{
	if (!vm)
		return HV_EINVAL;
	if (!vm->hooks->print)
		return HV_ENODEV;
	dump_dist(vm);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		dump_redist(vm, &vm->vcpus[i]);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		dump_cpu(vm, &vm->vcpus[i]);
	return HV_OK;
}

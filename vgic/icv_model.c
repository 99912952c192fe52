/* icv_model.c: software model of the GICv3 virtual CPU interface, after the IHI 0069 pseudocode.
 * Implements the ICH_* register view as an LR backend for the core, and the ICV_* view the guest uses. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "icv_model.h"
#include "hv_errno.h"

/* Group numbers as the ICV_*0 / ICV_*1 register pairs use them. */
#define ICV_GRP0                0U
#define ICV_GRP1                1U
#define ICV_NR_GRPS             2U

#define ICV_PRIO_WIDTH          8U     /* an architectural priority is one byte */
#define ICV_PRIO_IDLE           0xffU  /* running priority with nothing active */
#define ICV_BYTE_MASK           0xffU
#define ICV_PRI_BITS_MIN        5U     /* GICv3 requires at least 32 virtual priority levels */
#define ICV_PRI_BITS_MAX        8U
/* BPR0's minimum of 0 keeps bits [7:1], and ICH_AP*R3 is the last APR: 7 preemption bits at most. */
#define ICV_PRE_BITS_MAX        7U
#define ICV_NR_LRS_MIN          1U
#define ICV_BPR_FIELD_MASK      7U     /* VBPR0/VBPR1 and ICV_BPRn are 3 bits wide */
#define ICV_BPR_MAX             7U
#define ICV_APR_BITS_PER_REG    32U
#define ICV_EOICOUNT_FIELD_MASK 0x1fU
#define ICV_VTR_FIELD3_MASK     7U     /* PREbits, PRIbits and IDbits are 3 bits wide */
#define ICV_VTR_IDBITS_16       0U     /* 16-bit virtual INTIDs */
/* With fewer than this many valid LRs the hypervisor may want to refill (U). */
#define ICV_UNDERFLOW_VALID_LRS 2U
#define ICV_NO_LR               (-1)

/* The core only ever holds &m->be, so the model is recovered from it. */
_Static_assert(offsetof(struct icv_model, be) == 0, "be must be the first member of icv_model");

static struct icv_model *model_of(struct lr_backend *be)
{
	return (struct icv_model *)(void *)be;
}

static bool lr_is_pending_only(uint64_t lr)
{
	return (lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING;
}

static unsigned lr_group(uint64_t lr)
{
	return (lr & ICH_LR_GROUP) ? ICV_GRP1 : ICV_GRP0;
}

/* A plain loop keeps the model free of compiler builtins and libgcc helpers. */
static unsigned lowest_set_bit(uint32_t v)
{
	unsigned n = 0;

	while (n < ICV_APR_BITS_PER_REG && !(v & (1U << n)))
		n++;
	return n; /* ICV_APR_BITS_PER_REG when v == 0 */
}

static bool intid_is_special(uint32_t intid)
{
	return intid >= GIC_INTID_SPECIAL_FIRST && intid < GIC_INTID_LPI_FIRST;
}

static bool intid_is_lpi(uint32_t intid)
{
	return intid >= GIC_INTID_LPI_FIRST;
}

/* Unimplemented low-order priority bits are RAZ/WI, in LRs and in VPMR alike. */
static uint8_t prio_impl_mask(const struct icv_model *m)
{
	return (uint8_t)((ICV_BYTE_MASK << (ICV_PRIO_WIDTH - m->pri_bits)) & ICV_BYTE_MASK);
}

/* Each APR bit stands for one preemption level: the priority's top pre_bits bits. */
static unsigned apr_shift(const struct icv_model *m)
{
	return ICV_PRIO_WIDTH - m->pre_bits;
}

static unsigned nr_aprs(const struct icv_model *m)
{
	return 1U << (m->pre_bits - ICV_PRI_BITS_MIN);
}

/* VBPR1's minimum is one above VBPR0's because its group priority starts one bit lower. */
static unsigned min_bpr(const struct icv_model *m, unsigned grp)
{
	return (ICV_BPR_MAX - m->pre_bits) + (grp == ICV_GRP1 ? 1U : 0U);
}

static unsigned vmcr_bpr(uint64_t vmcr, unsigned grp)
{
	if (grp == ICV_GRP0)
		return (unsigned)((vmcr & ICH_VMCR_VBPR0_MASK) >> ICH_VMCR_VBPR0_SHIFT);
	return (unsigned)((vmcr & ICH_VMCR_VBPR1_MASK) >> ICH_VMCR_VBPR1_SHIFT);
}

static uint64_t vmcr_with_bpr(uint64_t vmcr, unsigned grp, unsigned bpr)
{
	if (grp == ICV_GRP0)
		return (vmcr & ~ICH_VMCR_VBPR0_MASK) |
		       (((uint64_t)bpr << ICH_VMCR_VBPR0_SHIFT) & ICH_VMCR_VBPR0_MASK);
	return (vmcr & ~ICH_VMCR_VBPR1_MASK) |
	       (((uint64_t)bpr << ICH_VMCR_VBPR1_SHIFT) & ICH_VMCR_VBPR1_MASK);
}

static uint8_t vmcr_pmr(uint64_t vmcr)
{
	return (uint8_t)((vmcr & ICH_VMCR_VPMR_MASK) >> ICH_VMCR_VPMR_SHIFT);
}

/* Writes below the minimum BPR read back as the minimum; PMR keeps only implemented bits. */
static uint64_t vmcr_apply(const struct icv_model *m, uint64_t vmcr)
{
	uint8_t pmr = (uint8_t)(vmcr_pmr(vmcr) & prio_impl_mask(m));

	for (unsigned grp = ICV_GRP0; grp < ICV_NR_GRPS; grp++) {
		unsigned min = min_bpr(m, grp);

		if (vmcr_bpr(vmcr, grp) < min)
			vmcr = vmcr_with_bpr(vmcr, grp, min);
	}
	return (vmcr & ~ICH_VMCR_VPMR_MASK) | ((uint64_t)pmr << ICH_VMCR_VPMR_SHIFT);
}

/*
 * The spec's VPriorityGroup/GroupBits: BPR0 = b keeps bits [7:b+1]; BPR1 = b
 * keeps bits [7:b]. With VCBPR, group 1 is governed by VBPR0 exactly as group
 * 0 is.
 */
static uint8_t gprio_mask(const struct icv_model *m, unsigned grp)
{
	unsigned shift;

	if (grp == ICV_GRP1 && (m->vmcr & ICH_VMCR_VCBPR))
		grp = ICV_GRP0;
	shift = vmcr_bpr(m->vmcr, grp);
	if (grp == ICV_GRP0)
		shift++;
	return (uint8_t)((ICV_BYTE_MASK << shift) & ICV_BYTE_MASK);
}

static uint8_t running_prio(const struct icv_model *m)
{
	for (unsigned i = 0; i < nr_aprs(m); i++) {
		uint32_t active = m->apr[ICV_GRP0][i] | m->apr[ICV_GRP1][i];

		if (active != 0) {
			unsigned bit = i * ICV_APR_BITS_PER_REG + lowest_set_bit(active);

			return (uint8_t)(bit << apr_shift(m));
		}
	}
	return ICV_PRIO_IDLE;
}

static bool group_enabled(const struct icv_model *m, unsigned grp)
{
	return (m->vmcr & (grp == ICV_GRP0 ? ICH_VMCR_VENG0 : ICH_VMCR_VENG1)) != 0;
}

/* Only Pending (not Pending+Active) LRs compete; priority 0xff can never beat the idle priority. */
static int hppvi_index(const struct icv_model *m)
{
	int best = ICV_NO_LR;
	unsigned best_prio = ICV_PRIO_IDLE;

	for (unsigned i = 0; i < m->be.nr_lrs; i++) {
		uint64_t lr = m->lr[i];

		if (!lr_is_pending_only(lr) || !group_enabled(m, lr_group(lr)))
			continue;
		if (ich_lr_priority(lr) < best_prio) {
			best_prio = ich_lr_priority(lr);
			best = (int)i;
		}
	}
	return best;
}

/* CanSignalVirtualInterrupt: only a strictly higher group priority preempts. */
static bool can_signal(const struct icv_model *m, uint64_t lr)
{
	uint8_t prio = ich_lr_priority(lr);
	uint8_t rpr, mask;

	if (!(m->hcr & ICH_HCR_EN))
		return false;
	if (prio >= vmcr_pmr(m->vmcr))
		return false;
	rpr = running_prio(m);
	if (rpr == ICV_PRIO_IDLE)
		return true;
	mask = gprio_mask(m, lr_group(lr));
	return (prio & mask) < (rpr & mask);
}

static int find_active(const struct icv_model *m, uint32_t intid)
{
	for (unsigned i = 0; i < m->be.nr_lrs; i++) {
		if ((m->lr[i] & ICH_LR_STATE_ACTIVE) && ich_lr_vintid(m->lr[i]) == intid)
			return (int)i;
	}
	return ICV_NO_LR;
}

/* EOIcount tells the hypervisor about deactivations it must do itself, for interrupts not in LRs. */
static void eoicount_inc(struct icv_model *m)
{
	unsigned n = (ich_hcr_eoicount(m->hcr) + 1U) & ICV_EOICOUNT_FIELD_MASK;

	m->hcr = (m->hcr & ~ICH_HCR_EOICOUNT_MASK) | ((uint64_t)n << ICH_HCR_EOICOUNT_SHIFT);
}

static void deactivate(struct icv_model *m, unsigned idx)
{
	uint64_t lr = m->lr[idx];

	/* pINTIDs 1020..1023 mean "no physical interrupt to deactivate". */
	if ((lr & ICH_LR_HW) && ich_lr_pintid(lr) <= ICH_LR_PINTID_MAX && m->phys_deactivate)
		m->phys_deactivate(m->phys_ctx, ich_lr_pintid(lr));
	m->lr[idx] = lr & ~ICH_LR_STATE_ACTIVE;
}

/* Priority drop: the highest active priority goes, group 0 first on a tie. */
static uint8_t drop_prio(struct icv_model *m)
{
	for (unsigned i = 0; i < nr_aprs(m); i++) {
		uint32_t *a0 = &m->apr[ICV_GRP0][i];
		uint32_t *a1 = &m->apr[ICV_GRP1][i];
		unsigned c0, c1, bit;

		if (*a0 == 0 && *a1 == 0)
			continue;
		c0 = lowest_set_bit(*a0);
		c1 = lowest_set_bit(*a1);
		if (c0 <= c1) {
			*a0 &= *a0 - 1U;
			bit = c0;
		} else {
			*a1 &= *a1 - 1U;
			bit = c1;
		}
		return (uint8_t)((i * ICV_APR_BITS_PER_REG + bit) << apr_shift(m));
	}
	return ICV_PRIO_IDLE;
}

static bool eoi_split(const struct icv_model *m)
{
	return (m->vmcr & ICH_VMCR_VEOIM) != 0;
}

/* ---- ICH_* view: the LR backend ---- */

static uint64_t op_read_lr(struct lr_backend *be, unsigned n)
{
	struct icv_model *m = model_of(be);

	return n < be->nr_lrs ? m->lr[n] : 0;
}

static void op_write_lr(struct lr_backend *be, unsigned n, uint64_t val)
{
	struct icv_model *m = model_of(be);
	uint64_t prio_keep = (uint64_t)prio_impl_mask(m) << ICH_LR_PRIORITY_SHIFT;

	if (n >= be->nr_lrs)
		return;
	m->lr[n] = (val & ~ICH_LR_PRIORITY_MASK) | (val & prio_keep);
}

static uint32_t op_read_elrsr(struct lr_backend *be)
{
	return icv_elrsr(model_of(be));
}

static uint32_t op_read_eisr(struct lr_backend *be)
{
	return icv_eisr(model_of(be));
}

static uint32_t op_read_misr(struct lr_backend *be)
{
	return icv_misr(model_of(be));
}

static uint64_t op_read_hcr(struct lr_backend *be)
{
	return model_of(be)->hcr;
}

static void op_write_hcr(struct lr_backend *be, uint64_t val)
{
	model_of(be)->hcr = val;
}

static uint64_t op_read_vmcr(struct lr_backend *be)
{
	return model_of(be)->vmcr;
}

static void op_write_vmcr(struct lr_backend *be, uint64_t val)
{
	struct icv_model *m = model_of(be);

	m->vmcr = vmcr_apply(m, val);
}

/* APRs beyond the implemented count are UNDEFINED on hardware; here RAZ/WI. */
static uint32_t op_read_apr(struct lr_backend *be, unsigned grp, unsigned n)
{
	struct icv_model *m = model_of(be);

	if (grp >= ICV_NR_GRPS || n >= nr_aprs(m))
		return 0;
	return m->apr[grp][n];
}

static void op_write_apr(struct lr_backend *be, unsigned grp, unsigned n, uint32_t val)
{
	struct icv_model *m = model_of(be);

	if (grp >= ICV_NR_GRPS || n >= nr_aprs(m))
		return;
	m->apr[grp][n] = val;
}

static uint64_t op_read_vtr(struct lr_backend *be)
{
	struct icv_model *m = model_of(be);

	return ((uint64_t)(be->nr_lrs - 1U) & ICH_VTR_LISTREGS_MASK) |
	       ICH_VTR_TDS |
	       ((uint64_t)ICV_VTR_IDBITS_16 << ICH_VTR_IDBITS_SHIFT) |
	       ((uint64_t)((m->pre_bits - 1U) & ICV_VTR_FIELD3_MASK) << ICH_VTR_PREBITS_SHIFT) |
	       ((uint64_t)((m->pri_bits - 1U) & ICV_VTR_FIELD3_MASK) << ICH_VTR_PRIBITS_SHIFT);
}

static const struct lr_backend_ops icv_model_ops = {
	.read_lr = op_read_lr,
	.write_lr = op_write_lr,
	.read_elrsr = op_read_elrsr,
	.read_eisr = op_read_eisr,
	.read_misr = op_read_misr,
	.read_hcr = op_read_hcr,
	.write_hcr = op_write_hcr,
	.read_vmcr = op_read_vmcr,
	.write_vmcr = op_write_vmcr,
	.read_apr = op_read_apr,
	.write_apr = op_write_apr,
	.read_vtr = op_read_vtr,
};

/*
 * Everything is reset, including phys_deactivate, phys_ctx and the quirk
 * flag, so an uninitialised struct is safe to pass: set those after init.
 * pre_bits follows pri_bits up to the architectural cap of 7.
 */
int icv_model_init(struct icv_model *m, unsigned nr_lrs, unsigned pri_bits)
{
	if (!m || nr_lrs < ICV_NR_LRS_MIN || nr_lrs > LR_BACKEND_MAX_LRS ||
	    pri_bits < ICV_PRI_BITS_MIN || pri_bits > ICV_PRI_BITS_MAX)
		return HV_EINVAL;

	/* Field by field rather than a struct assignment, which would need memset. */
	for (unsigned i = 0; i < LR_ACC_NR; i++)
		m->be.count[i] = 0;
	for (unsigned i = 0; i < LR_BACKEND_MAX_LRS; i++)
		m->lr[i] = 0;
	for (unsigned g = ICV_GRP0; g < ICV_NR_GRPS; g++)
		for (unsigned i = 0; i < LR_BACKEND_MAX_APRS; i++)
			m->apr[g][i] = 0;
	m->hcr = 0;
	m->quirk_eoicount_on_split_eoir = false;
	m->phys_deactivate = NULL;
	m->phys_ctx = NULL;
	m->be.ops = &icv_model_ops;
	m->be.nr_lrs = nr_lrs;
	m->be.lrs_in_memory = false;
	m->pri_bits = pri_bits;
	m->pre_bits = pri_bits < ICV_PRE_BITS_MAX ? pri_bits : ICV_PRE_BITS_MAX;
	m->vmcr = vmcr_apply(m, 0);
	return HV_OK;
}

/* ---- ICV_* view: the guest ---- */

uint32_t icv_iar(struct icv_model *m, unsigned grp)
{
	int idx = hppvi_index(m);
	uint64_t lr;
	uint32_t intid;
	unsigned bit;

	if (grp >= ICV_NR_GRPS || idx == ICV_NO_LR)
		return GIC_INTID_SPURIOUS;
	lr = m->lr[idx];
	if (lr_group(lr) != grp || !can_signal(m, lr))
		return GIC_INTID_SPURIOUS;

	intid = ich_lr_vintid(lr);
	if (intid_is_special(intid)) {
		/* The pseudocode hands back the bogus ID and just consumes the LR. */
		m->lr[idx] = lr & ~ICH_LR_STATE_PENDING;
		return intid;
	}
	bit = (unsigned)(ich_lr_priority(lr) & gprio_mask(m, grp)) >> apr_shift(m);
	m->apr[grp][bit / ICV_APR_BITS_PER_REG] |= 1U << (bit % ICV_APR_BITS_PER_REG);
	m->lr[idx] = (lr & ~ICH_LR_STATE_PENDING) | ICH_LR_STATE_ACTIVE;
	return intid;
}

void icv_eoir(struct icv_model *m, unsigned grp, uint32_t intid)
{
	uint8_t dropped;
	int idx;
	uint64_t lr;

	if (grp >= ICV_NR_GRPS || intid_is_special(intid))
		return;
	/* Drop before any checks (an IMPDEF choice the spec allows), so the APRs are scanned once. */
	dropped = drop_prio(m);
	if (dropped == ICV_PRIO_IDLE)
		return; /* CONSTRAINED UNPREDICTABLE whether LRs are checked; they are not */

	idx = find_active(m, intid);
	if (idx == ICV_NO_LR) {
		/* An LPI in no LR only drops the priority: it has no active state to count. */
		if (!intid_is_lpi(intid) && (!eoi_split(m) || m->quirk_eoicount_on_split_eoir))
			eoicount_inc(m);
		return;
	}
	lr = m->lr[idx];
	/* An LPI is deactivated by its EOI in either EOImode: no DIR ever follows one. */
	if (lr_group(lr) == grp && (ich_lr_priority(lr) & gprio_mask(m, grp)) == dropped &&
	    (!eoi_split(m) || intid_is_lpi(intid)))
		deactivate(m, (unsigned)idx);
}

enum icv_dir_result icv_dir(struct icv_model *m, uint32_t intid)
{
	int idx;

	if (m->hcr & ICH_HCR_TDIR)
		return ICV_DIR_TRAPPED;
	/* With EOImode 0 the EOIR already deactivated, so DIR is UNPREDICTABLE; ignore it. LPIs have no
	 * active state to deactivate: a DIR of one is ignored too. */
	if (!eoi_split(m) || intid_is_special(intid) || intid_is_lpi(intid))
		return ICV_DIR_DONE;
	idx = find_active(m, intid);
	if (idx == ICV_NO_LR)
		eoicount_inc(m);
	else
		deactivate(m, (unsigned)idx);
	return ICV_DIR_DONE;
}

uint32_t icv_hppir(struct icv_model *m, unsigned grp)
{
	int idx = hppvi_index(m);

	if (idx == ICV_NO_LR || lr_group(m->lr[idx]) != grp)
		return GIC_INTID_SPURIOUS;
	return ich_lr_vintid(m->lr[idx]);
}

uint8_t icv_rpr(struct icv_model *m)
{
	return running_prio(m);
}

void icv_set_pmr(struct icv_model *m, uint8_t pmr)
{
	pmr &= prio_impl_mask(m);
	m->vmcr = (m->vmcr & ~ICH_VMCR_VPMR_MASK) | ((uint64_t)pmr << ICH_VMCR_VPMR_SHIFT);
}

uint8_t icv_get_pmr(struct icv_model *m)
{
	return vmcr_pmr(m->vmcr);
}

/* With VCBPR, ICV_BPR1 is an alias view of VBPR0: writes are ignored. */
void icv_set_bpr(struct icv_model *m, unsigned grp, unsigned bpr)
{
	unsigned min;

	if (grp >= ICV_NR_GRPS || (grp == ICV_GRP1 && (m->vmcr & ICH_VMCR_VCBPR)))
		return;
	bpr &= ICV_BPR_FIELD_MASK;
	min = min_bpr(m, grp);
	m->vmcr = vmcr_with_bpr(m->vmcr, grp, bpr < min ? min : bpr);
}

/* With VCBPR, ICV_BPR1 reads as VBPR0 + 1, saturated: the same preemption grouping. */
unsigned icv_get_bpr(struct icv_model *m, unsigned grp)
{
	unsigned bpr;

	if (grp == ICV_GRP1 && (m->vmcr & ICH_VMCR_VCBPR)) {
		bpr = vmcr_bpr(m->vmcr, ICV_GRP0) + 1U;
		return bpr > ICV_BPR_MAX ? ICV_BPR_MAX : bpr;
	}
	return vmcr_bpr(m->vmcr, grp == ICV_GRP0 ? ICV_GRP0 : ICV_GRP1);
}

void icv_set_eoimode(struct icv_model *m, bool split)
{
	if (split)
		m->vmcr |= ICH_VMCR_VEOIM;
	else
		m->vmcr &= ~ICH_VMCR_VEOIM;
}

void icv_set_group_enable(struct icv_model *m, unsigned grp, bool on)
{
	uint64_t bit;

	if (grp >= ICV_NR_GRPS)
		return;
	bit = grp == ICV_GRP0 ? ICH_VMCR_VENG0 : ICH_VMCR_VENG1;
	if (on)
		m->vmcr |= bit;
	else
		m->vmcr &= ~bit;
}

bool icv_irq_signalled(struct icv_model *m, unsigned grp)
{
	int idx = hppvi_index(m);

	return idx != ICV_NO_LR && lr_group(m->lr[idx]) == grp && can_signal(m, m->lr[idx]);
}

uint32_t icv_misr(const struct icv_model *m)
{
	uint32_t misr = 0;
	unsigned valid = 0;
	unsigned pending = 0;

	for (unsigned i = 0; i < m->be.nr_lrs; i++) {
		if (m->lr[i] & ICH_LR_STATE_MASK)
			valid++;
		if (lr_is_pending_only(m->lr[i]))
			pending++;
	}
	if (icv_eisr(m))
		misr |= ICH_MISR_EOI;
	if ((m->hcr & ICH_HCR_UIE) && valid < ICV_UNDERFLOW_VALID_LRS)
		misr |= ICH_MISR_U;
	if ((m->hcr & ICH_HCR_NPIE) && pending == 0)
		misr |= ICH_MISR_NP;
	if ((m->hcr & ICH_HCR_LRENPIE) && ich_hcr_eoicount(m->hcr) != 0)
		misr |= ICH_MISR_LRENP;
	if ((m->hcr & ICH_HCR_VGRP0EIE) && (m->vmcr & ICH_VMCR_VENG0))
		misr |= ICH_MISR_VGRP0E;
	if ((m->hcr & ICH_HCR_VGRP0DIE) && !(m->vmcr & ICH_VMCR_VENG0))
		misr |= ICH_MISR_VGRP0D;
	if ((m->hcr & ICH_HCR_VGRP1EIE) && (m->vmcr & ICH_VMCR_VENG1))
		misr |= ICH_MISR_VGRP1E;
	if ((m->hcr & ICH_HCR_VGRP1DIE) && !(m->vmcr & ICH_VMCR_VENG1))
		misr |= ICH_MISR_VGRP1D;
	return misr;
}

/* A HW=0 LR with EOI set that has become Invalid awaits the hypervisor's maintenance. */
uint32_t icv_eisr(const struct icv_model *m)
{
	uint32_t eisr = 0;

	for (unsigned i = 0; i < m->be.nr_lrs; i++) {
		if ((m->lr[i] & (ICH_LR_STATE_MASK | ICH_LR_HW | ICH_LR_EOI)) == ICH_LR_EOI)
			eisr |= 1U << i;
	}
	return eisr;
}

/* Such an LR is not free until the hypervisor has seen its EOI maintenance. */
uint32_t icv_elrsr(const struct icv_model *m)
{
	uint32_t elrsr = 0;

	for (unsigned i = 0; i < m->be.nr_lrs; i++) {
		uint64_t lr = m->lr[i];

		if (!(lr & ICH_LR_STATE_MASK) && ((lr & ICH_LR_HW) || !(lr & ICH_LR_EOI)))
			elrsr |= 1U << i;
	}
	return elrsr;
}

bool icv_maint_asserted(const struct icv_model *m)
{
	return (m->hcr & ICH_HCR_EN) && icv_misr(m) != 0;
}

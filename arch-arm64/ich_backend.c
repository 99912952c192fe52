/* ich_backend.c: lr_backend_ops on ICH_LR<n>_EL2, ELRSR, EISR, MISR, HCR, VMCR, AP0R/AP1R and VTR.
 * System-register names are fixed in the instruction, so LR n and APR n are reached through a switch. */
#include "ich_backend.h"
#include "ich_regs.h"
#include "sysreg.h"

#define ICH_MAX_LRS  16U
#define ICH_MAX_APRS 4U

#define LR_CASE_READ(n)  case n: return read_sysreg(ich_lr##n##_el2)
#define LR_CASE_WRITE(n) case n: write_sysreg(ich_lr##n##_el2, val); break

static uint64_t ich_read_lr(struct lr_backend *be, unsigned n)
{
	(void)be;
	switch (n) {
	LR_CASE_READ(0); LR_CASE_READ(1); LR_CASE_READ(2); LR_CASE_READ(3);
	LR_CASE_READ(4); LR_CASE_READ(5); LR_CASE_READ(6); LR_CASE_READ(7);
	LR_CASE_READ(8); LR_CASE_READ(9); LR_CASE_READ(10); LR_CASE_READ(11);
	LR_CASE_READ(12); LR_CASE_READ(13); LR_CASE_READ(14); LR_CASE_READ(15);
	default: return 0;
	}
}

static void ich_write_lr(struct lr_backend *be, unsigned n, uint64_t val)
{
	(void)be;
	switch (n) {
	LR_CASE_WRITE(0); LR_CASE_WRITE(1); LR_CASE_WRITE(2); LR_CASE_WRITE(3);
	LR_CASE_WRITE(4); LR_CASE_WRITE(5); LR_CASE_WRITE(6); LR_CASE_WRITE(7);
	LR_CASE_WRITE(8); LR_CASE_WRITE(9); LR_CASE_WRITE(10); LR_CASE_WRITE(11);
	LR_CASE_WRITE(12); LR_CASE_WRITE(13); LR_CASE_WRITE(14); LR_CASE_WRITE(15);
	default: break;
	}
}

static uint32_t ich_read_elrsr(struct lr_backend *be)
{
	(void)be;
	return (uint32_t)read_sysreg(ich_elrsr_el2);
}

static uint32_t ich_read_eisr(struct lr_backend *be)
{
	(void)be;
	return (uint32_t)read_sysreg(ich_eisr_el2);
}

static uint32_t ich_read_misr(struct lr_backend *be)
{
	(void)be;
	return (uint32_t)read_sysreg(ich_misr_el2);
}

static uint64_t ich_read_hcr(struct lr_backend *be)
{
	(void)be;
	return read_sysreg(ich_hcr_el2);
}

static void ich_write_hcr(struct lr_backend *be, uint64_t val)
{
	(void)be;
	write_sysreg(ich_hcr_el2, val);
}

static uint64_t ich_read_vmcr(struct lr_backend *be)
{
	(void)be;
	return read_sysreg(ich_vmcr_el2);
}

static void ich_write_vmcr(struct lr_backend *be, uint64_t val)
{
	(void)be;
	write_sysreg(ich_vmcr_el2, val);
}

static uint32_t ich_read_apr(struct lr_backend *be, unsigned grp, unsigned n)
{
	(void)be;
	switch (grp * ICH_MAX_APRS + n) {
	case 0: return (uint32_t)read_sysreg(ich_ap0r0_el2);
	case 1: return (uint32_t)read_sysreg(ich_ap0r1_el2);
	case 2: return (uint32_t)read_sysreg(ich_ap0r2_el2);
	case 3: return (uint32_t)read_sysreg(ich_ap0r3_el2);
	case 4: return (uint32_t)read_sysreg(ich_ap1r0_el2);
	case 5: return (uint32_t)read_sysreg(ich_ap1r1_el2);
	case 6: return (uint32_t)read_sysreg(ich_ap1r2_el2);
	case 7: return (uint32_t)read_sysreg(ich_ap1r3_el2);
	default: return 0;
	}
}

static void ich_write_apr(struct lr_backend *be, unsigned grp, unsigned n, uint32_t val)
{
	(void)be;
	switch (grp * ICH_MAX_APRS + n) {
	case 0: write_sysreg(ich_ap0r0_el2, val); break;
	case 1: write_sysreg(ich_ap0r1_el2, val); break;
	case 2: write_sysreg(ich_ap0r2_el2, val); break;
	case 3: write_sysreg(ich_ap0r3_el2, val); break;
	case 4: write_sysreg(ich_ap1r0_el2, val); break;
	case 5: write_sysreg(ich_ap1r1_el2, val); break;
	case 6: write_sysreg(ich_ap1r2_el2, val); break;
	case 7: write_sysreg(ich_ap1r3_el2, val); break;
	default: break;
	}
}

static uint64_t ich_read_vtr(struct lr_backend *be)
{
	(void)be;
	return read_sysreg(ich_vtr_el2);
}

static const struct lr_backend_ops ich_ops = {
	.read_lr = ich_read_lr,
	.write_lr = ich_write_lr,
	.read_elrsr = ich_read_elrsr,
	.read_eisr = ich_read_eisr,
	.read_misr = ich_read_misr,
	.read_hcr = ich_read_hcr,
	.write_hcr = ich_write_hcr,
	.read_vmcr = ich_read_vmcr,
	.write_vmcr = ich_write_vmcr,
	.read_apr = ich_read_apr,
	.write_apr = ich_write_apr,
	.read_vtr = ich_read_vtr,
};

/* Read once, at the first CPU's set-up: every CPU of a machine has the same preemption bits, and a
 * vCPU switch that read ICH_VTR_EL2 twice would pay 2 of its 8 register accesses for a constant. */
static unsigned nr_aprs_cached;

unsigned ich_backend_nr_aprs(struct lr_backend *be)
{
	unsigned n = __atomic_load_n(&nr_aprs_cached, __ATOMIC_RELAXED);
	uint64_t vtr;

	if (n)
		return n;
	vtr = lr_read_vtr(be);
	/* 5 preemption bits need one APR per group, 6 two, 7 four. */
	n = 1U << ((((vtr >> ICH_VTR_PREBITS_SHIFT) & 7U) + 1) - 5);
	n = n < ICH_MAX_APRS ? n : ICH_MAX_APRS;
	__atomic_store_n(&nr_aprs_cached, n, __ATOMIC_RELAXED);
	return n;
}

void ich_backend_clear(struct lr_backend *be)
{
	unsigned nr_apr = ich_backend_nr_aprs(be);

	for (unsigned i = 0; i < be->nr_lrs; i++)
		lr_write(be, i, 0);
	for (unsigned i = 0; i < nr_apr; i++) {
		lr_write_apr(be, 0, i, 0);
		lr_write_apr(be, 1, i, 0);
	}
	lr_write_hcr(be, 0);
	lr_write_vmcr(be, 0);
}

void ich_backend_init(struct lr_backend *be)
{
	uint64_t vtr;

	be->ops = &ich_ops;
	vtr = lr_read_vtr(be);
	be->nr_lrs = (unsigned)(vtr & ICH_VTR_LISTREGS_MASK) + 1;
	be->lrs_in_memory = false; /* real ICH_* registers; an NV2 build would say true */
	if (be->nr_lrs > ICH_MAX_LRS)
		be->nr_lrs = ICH_MAX_LRS;
	ich_backend_clear(be);
	/* Set-up accesses are not world-switch costs: count from zero. */
	lr_backend_reset_counts(be);
}

/* vgic_fuzz.c: libFuzzer target for the GICD/GICR MMIO decoders and the trapped ICC registers.
 * Each input is a VM shape plus a sequence of guest accesses, device lines and vCPU entries/exits. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "fuzz_check.h"
#include "icv_model.h"
#include "vgic_its.h"
#include "gic_regs.h"

/*
 * Input: byte 0 picks the VM (vCPUs, SPIs, MPIDR layout), byte 1 the LR count and (bit 4) whether the VM has
 * LPIs and an ITS, their tables in a small guest RAM the input also writes; then records of one opcode byte and
 * up to 14 argument bytes each, read little-endian (fuzz/gen_seeds.py writes the same format). A short record is padded with zeros, so every
 * byte string is a valid program. The vCPU life cycle follows the arch rules: a vCPU is synced
 * before its own traps are emulated, guest actions happen only between entry and exit.
 */

enum op {
	OP_GICD,          /* raw offset */
	OP_GICR,
	OP_GICD_REG,      /* offset near a known register */
	OP_GICR_REG,
	OP_SGI,
	OP_DIR,
	OP_LINE,
	OP_ENTER,
	OP_EXIT,
	OP_ACK,
	OP_EOI,
	OP_GUEST_CFG,
	OP_DUMP,
	OP_ITS,           /* an ITS register, near a known one (only with LPIs) */
	OP_MSI,           /* a device's MSI */
	OP_RAM,           /* the guest writes its RAM: tables and command queue */
	OP_RESTORE,       /* save, corrupt a few bytes, restore into a second instance */
	OP_NR
};

static const uint32_t gicd_regs[] = {
	GICD_CTLR, GICD_TYPER, GICD_IIDR, GICD_STATUSR, GICD_SETSPI_NSR, GICD_CLRSPI_NSR,
	GICD_SETSPI_SR, GICD_IGROUPR + 4, GICD_ISENABLER + 4, GICD_ICENABLER + 4, GICD_ISPENDR + 4,
	GICD_ICPENDR + 4, GICD_ISACTIVER + 4, GICD_ICACTIVER + 4, GICD_IPRIORITYR + 32,
	GICD_ITARGETSR + 32, GICD_ICFGR + 8, GICD_IGRPMODR + 4, GICD_NSACR + 8, GICD_SGIR,
	GICD_CPENDSGIR, GICD_IROUTER + 32 * 8, GICD_IROUTER, GICD_IDREGS, GICD_IGROUPR, GICD_ISENABLER,
};

static const uint32_t gicr_regs[] = {
	GICR_CTLR, GICR_IIDR, GICR_TYPER, GICR_WAKER, GICR_PROPBASER, GICR_PENDBASER, GICR_IDREGS,
	GICR_SGI_BASE + GICR_IGROUPR0, GICR_SGI_BASE + GICR_ISENABLER0, GICR_SGI_BASE + GICR_ICENABLER0,
	GICR_SGI_BASE + GICR_ISPENDR0, GICR_SGI_BASE + GICR_ICPENDR0, GICR_SGI_BASE + GICR_ISACTIVER0,
	GICR_SGI_BASE + GICR_ICACTIVER0, GICR_SGI_BASE + GICR_IPRIORITYR0, GICR_SGI_BASE + GICR_ICFGR0,
	GICR_SGI_BASE + GICR_ICFGR1, GICR_SGI_BASE + GICR_IGRPMODR0, GICR_SGI_BASE + GICR_NSACR,
	GICR_SETLPIR, GICR_CLRLPIR, GICR_INVLPIR, GICR_INVALLR, GICR_SYNCR,
};

static const uint32_t gits_regs[] = {
	GITS_CTLR, GITS_IIDR, GITS_TYPER, GITS_CBASER, GITS_CWRITER, GITS_CREADR, GITS_BASER,
	GITS_BASER + 8, GITS_IDREGS, GITS_TRANSLATER,
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))
#define ARGS 14U
#define MAX_ACKED 16U
/* Identification registers can only change by corrupting state the other checks already see. */
#define ID_CHECK_EVERY 16U

static struct vgic vm;
static struct vgic_vcpu vcpus[FZ_MAX_VCPUS];
static struct vgic_irq spis[VGIC_MAX_SPIS];
static struct icv_model cpu[FZ_MAX_VCPUS];
static struct vgic_hooks hooks;
static struct vgic_irq lpis[FZ_MAX_LPIS];
/* The second instance a saved blob is restored into, and the blob. */
static struct vgic vm2;
static struct vgic_vcpu vcpus2[FZ_MAX_VCPUS];
static struct vgic_irq spis2[VGIC_MAX_SPIS];
static struct vgic_irq lpis2[FZ_MAX_LPIS];
static uint8_t blob[64 * 1024];
static struct vgic_its its;
static bool have_its;
static uint32_t acked[FZ_MAX_VCPUS][MAX_ACKED];
static unsigned nr_acked[FZ_MAX_VCPUS];

struct cursor {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct cursor *c)
{
	if (!c->n)
		return 0;
	c->n--;
	return *c->p++;
}

static uint64_t le(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)byte(c) << (8 * i);
	return v;
}

static void must(int rc, int want, const char *what)
{
	if (rc != want)
		fz_fail(what, (unsigned long long)(long long)rc, (unsigned long long)(long long)want);
}

/* ---- VM set-up ---- */

static const uint32_t spi_counts[] = { 0, 32, 64, 96, VGIC_MAX_SPIS };

static void set_mpidrs(unsigned layout)
{
	for (uint32_t c = 0; c < vm.nr_vcpus; c++) {
		uint64_t m;

		/* vCPU 0 keeps affinity 0.0.0.0, which IROUTER's reset value names. */
		switch (layout) {
		case 0: m = c; break;                                        /* flat */
		case 1: m = ((uint64_t)(c / 2) << 8) | (c % 2); break;       /* two per cluster */
		case 2: m = c ? 17ULL * c : 0; break;                        /* Aff0 beyond 15: RS */
		default: m = c ? ((uint64_t)c << 32) | ((uint64_t)c << 16) : 0; break; /* Aff3, Aff2 */
		}
		must(vgic_vcpu_set_mpidr(&vm, c, m | (1ULL << 31)), HV_OK, "set_mpidr");
	}
}

static void setup(uint8_t shape, uint8_t lrs)
{
	struct vgic_config cfg;

	cfg.nr_vcpus = 1U + (shape & 7U) % FZ_MAX_VCPUS;
	cfg.nr_spis = spi_counts[(shape >> 3) % NR(spi_counts)];
	cfg.prio_bits = 5;
	memset(&hooks, 0, sizeof(hooks));
	fz_hooks_install(&hooks);
	must(vgic_init(&vm, &cfg, &hooks, &vm, vcpus, spis), HV_OK, "vgic_init");
	set_mpidrs(shape >> 6);
	for (uint32_t c = 0; c < cfg.nr_vcpus; c++) {
		must(icv_model_init(&cpu[c], 1U + (lrs & 15U), 5), HV_OK, "icv_model_init");
		icv_set_group_enable(&cpu[c], 0, true);
		icv_set_group_enable(&cpu[c], 1, true);
		icv_set_pmr(&cpu[c], 0xff);
		must(vgic_vcpu_set_backend(&vm, c, &cpu[c].be), HV_OK, "set_backend");
		nr_acked[c] = 0;
	}
	have_its = (lrs & 0x10) != 0;
	if (have_its) {
		memset(fz_ram, 0, sizeof(fz_ram));
		must(vgic_lpi_init(&vm, lpis, FZ_MAX_LPIS), HV_OK, "lpi_init");
		must(vgic_its_init(&its, &vm), HV_OK, "its_init");
	}
}

/* ---- vCPU life cycle ---- */

static void enter(uint32_t c)
{
	if (!vm.vcpus[c].loaded)
		must(vgic_flush_lrs(&vm, c), HV_OK, "flush");
}

static void leave(uint32_t c)
{
	if (vm.vcpus[c].loaded)
		must(vgic_sync_lrs(&vm, c), HV_OK, "sync");
}

/* The arch emulates a vCPU's trap after folding its LRs back. */
static uint32_t trapping_vcpu(uint8_t b, bool *valid)
{
	uint32_t c = b % (vm.nr_vcpus + 1U);

	*valid = c < vm.nr_vcpus;
	if (*valid)
		leave(c);
	return c;
}

static unsigned width_of(uint8_t b)
{
	/* Mostly legal widths; 3 and 16 are host errors the API must refuse. */
	static const unsigned w[] = { 1, 2, 4, 8, 4, 8, 3, 16 };

	return w[b & 7U];
}

/* ---- one register access, with the checks around it ---- */

static void mmio(enum fz_frame f, uint32_t vc, bool vc_ok, uint32_t rd, uint64_t off, unsigned width,
		 bool write, uint64_t val)
{
	uint32_t limit = f == FZ_GICD ? VGIC_GICD_SIZE : VGIC_GICR_SIZE;
	bool args_ok = vc_ok && off < limit && (width == 1 || width == 2 || width == 4 || width == 8) &&
		       (f == FZ_GICD || rd < vm.nr_vcpus);
	struct vgic_vcpu_stats before_stats;
	uint64_t before = fz_digest(&vm), before64 = 0, v = val;
	uint32_t reg64 = 0;
	int rc;

	if (vc_ok)
		before_stats = vm.vcpus[vc].stats;
	if (args_ok && write && f == FZ_GICD && off >= GICD_IROUTER && off < GICD_IROUTER + GICD_IROUTER_BYTES) {
		reg64 = GICD_IROUTER + (uint32_t)((off - GICD_IROUTER) & ~7ULL);
		must(vgic_mmio_dist_access(&vm, 0, reg64, 8, false, &before64), VGIC_MMIO_OK, "IROUTER pre-read");
		before = fz_digest(&vm);
		if (vc_ok)
			before_stats = vm.vcpus[vc].stats;
	}
	if (f == FZ_GICD)
		rc = vgic_mmio_dist_access(&vm, vc, off, width, write, &v);
	else
		rc = vgic_mmio_redist_access(&vm, vc, rd, off, width, write, &v);
	if (!args_ok) {
		if (rc >= 0)
			fz_fail("bad host arguments accepted", off, width);
		if (fz_digest(&vm) != before)
			fz_fail("rejected host call changed state", off, width);
		return;
	}
	if (rc != VGIC_MMIO_OK && rc != VGIC_MMIO_ABORT)
		fz_fail("guest access got a host error", off, (unsigned long long)(long long)rc);
	if (rc == VGIC_MMIO_ABORT) {
		/* An abort is a refusal: nothing read, nothing changed, and it was counted. */
		if (!write && v)
			fz_fail("aborted read returned data", off, v);
		if (fz_digest(&vm) != before)
			fz_fail("aborted access changed state", off, width);
		if (vm.vcpus[vc].stats.mmio_aborts != before_stats.mmio_aborts + 1)
			fz_fail("abort not counted", off, width);
		if (off % width == 0 && (f == FZ_GICD ? vgic_mmio_reg_name(VGIC_FRAME_GICD, off)
						       : vgic_mmio_reg_name(VGIC_FRAME_GICR, off)) == NULL &&
		    (f == FZ_GICD ? vgic_mmio_reg_name(VGIC_FRAME_GICD, off + width - 1)
				  : vgic_mmio_reg_name(VGIC_FRAME_GICR, off + width - 1)) == NULL)
			fz_fail("aligned access to reserved space aborted", off, width);
		return;
	}
	if (off % width)
		fz_fail("misaligned access accepted", off, width);
	if (!write && width < 8 && (v >> (8 * width)))
		fz_fail("read wider than the access", off, v);
	if (vm.vcpus[vc].stats.mmio_reserved != before_stats.mmio_reserved) {
		/* Reserved: RAZ/WI. */
		if (!write && v)
			fz_fail("reserved space read non-zero", off, v);
		if (fz_digest(&vm) != before)
			fz_fail("write to reserved space changed state", off, width);
		return;
	}
	if (write)
		fz_check_write(&vm, f, rd, (uint32_t)off, width, val & (width == 8 ? ~0ULL : (1ULL << (8 * width)) - 1),
			       before64);
}

static uint64_t pick_offset(struct cursor *c, const uint32_t *regs, unsigned nr)
{
	uint32_t base = regs[byte(c) % nr];
	int32_t delta = (int8_t)byte(c);

	return (uint64_t)(int64_t)((int64_t)base + delta * 4);
}

/* ---- operations ---- */

static void op_mmio(struct cursor *c, enum fz_frame f, bool directed)
{
	bool vc_ok;
	uint32_t vc = trapping_vcpu(byte(c), &vc_ok);
	uint32_t rd = f == FZ_GICR ? byte(c) % (vm.nr_vcpus + 1U) : 0;
	uint8_t mode = byte(c);
	unsigned width = width_of(mode);
	bool write = mode & 0x80;
	uint64_t off;

	if (directed)
		off = pick_offset(c, f == FZ_GICD ? gicd_regs : gicr_regs, f == FZ_GICD ? NR(gicd_regs) : NR(gicr_regs));
	else
		off = f == FZ_GICD ? le(c, 2) : le(c, 3) % (VGIC_GICR_SIZE + 0x100);
	/* Most raw offsets are aligned, so accesses get past the alignment check. */
	if (!directed && (mode & 0x40) && width <= 8)
		off &= ~(uint64_t)(width - 1U);
	mmio(f, vc, vc_ok, rd, off, width, write, le(c, 8));
}

static void op_sgi(struct cursor *c)
{
	bool vc_ok;
	uint32_t vc = trapping_vcpu(byte(c), &vc_ok);
	uint8_t which = byte(c);
	uint64_t val = le(c, 8);
	uint64_t before = fz_digest(&vm), others = fz_digest_non_sgi(&vm);
	int rc = vgic_sysreg_sgi(&vm, vc, (enum vgic_sgi_reg)(which % 4U), val);

	if (!vc_ok || which % 4U == 3) {
		if (rc >= 0 || fz_digest(&vm) != before)
			fz_fail("bad SGI call accepted", vc, which);
		return;
	}
	must(rc, HV_OK, "ICC_SGI*R");
	/* An SGI register changes SGI state only. */
	if (fz_digest_non_sgi(&vm) != others)
		fz_fail("SGI write changed a PPI, an SPI or a register", vc, val);
}

static void op_dir(struct cursor *c)
{
	bool vc_ok;
	uint32_t vc = trapping_vcpu(byte(c), &vc_ok);
	uint64_t val = le(c, 4);
	int rc;

	if (byte(c) & 1)
		val = (val % (VGIC_SPI_BASE + vm.nr_spis + 8U)) | (le(c, 1) << 24);
	rc = vgic_sysreg_dir(&vm, vc, val);
	must(rc, vc_ok ? HV_OK : HV_ERANGE, "ICC_DIR");
}

static void op_line(struct cursor *c)
{
	uint8_t sel = byte(c);
	uint32_t line = byte(c);
	struct irq_line l;
	bool ppi = sel & 1;

	if (ppi) {
		uint32_t vc = (sel >> 1) % vm.nr_vcpus;

		l.chip = vgic_ppi_chip(&vm, vc);
		l.line = line % (VGIC_NR_PPIS + 1U);
	} else {
		if (!vm.nr_spis)
			return;
		l.chip = vgic_spi_chip(&vm);
		l.line = line % (vm.nr_spis + 1U);
	}
	switch ((sel >> 4) % 3U) {
	case 0: (void)irq_line_raise(&l); break;
	case 1: (void)irq_line_lower(&l); break;
	default: (void)irq_line_pulse(&l); break;
	}
}

static void op_ack(struct cursor *c)
{
	uint32_t vc = byte(c) % vm.nr_vcpus;
	uint32_t intid;

	enter(vc);
	intid = icv_iar(&cpu[vc], byte(c) & 1);
	if (intid < GIC_INTID_SPECIAL_FIRST && nr_acked[vc] < MAX_ACKED)
		acked[vc][nr_acked[vc]++] = intid;
}

static void op_eoi(struct cursor *c)
{
	uint32_t vc = byte(c) % vm.nr_vcpus;
	uint8_t how = byte(c);
	uint32_t intid;

	enter(vc);
	if ((how & 3) && nr_acked[vc])
		intid = acked[vc][--nr_acked[vc]];
	else
		intid = (uint32_t)le(c, 2);
	icv_eoir(&cpu[vc], (how >> 2) & 1, intid);
	if ((how & 8) && icv_dir(&cpu[vc], intid) == ICV_DIR_TRAPPED) {
		/* The TDIR trap: exit, emulate, re-enter. */
		leave(vc);
		must(vgic_sysreg_dir(&vm, vc, intid), HV_OK, "trapped DIR");
		enter(vc);
	}
	/* A maintenance interrupt makes the vCPU exit and come back. */
	if (icv_maint_asserted(&cpu[vc])) {
		leave(vc);
		enter(vc);
	}
}

static void op_guest_cfg(struct cursor *c)
{
	uint32_t vc = byte(c) % vm.nr_vcpus;
	uint8_t what = byte(c);

	switch (what % 4U) {
	case 0: icv_set_eoimode(&cpu[vc], what & 0x10); break;
	case 1: icv_set_pmr(&cpu[vc], byte(c)); break;
	case 2: icv_set_group_enable(&cpu[vc], (what >> 4) & 1, what & 0x20); break;
	default: icv_set_bpr(&cpu[vc], (what >> 4) & 1, byte(c) % 8U); break;
	}
}

/* ---- LPIs and the ITS ---- */

static void op_its(struct cursor *c)
{
	bool vc_ok;
	uint32_t vc = trapping_vcpu(byte(c), &vc_ok);
	uint64_t off = pick_offset(c, gits_regs, NR(gits_regs));
	unsigned width = width_of(byte(c));
	bool write = byte(c) & 1;
	/* Addresses are mostly steered into the small RAM, so tables and queue can be real. */
	uint64_t val = le(c, 8);
	uint64_t v = (val & 0x80) ? (val & ~0xffffffffff000ULL) | FZ_RAM_BASE | (val & 0x7000) : val;
	bool ok = vc_ok && off < VGIC_ITS_SIZE && off + width <= VGIC_ITS_SIZE &&
		  (width == 1 || width == 2 || width == 4 || width == 8);
	int rc;

	if (!have_its)
		return;
	rc = vgic_its_mmio_access(&its, vc, off, width, write, &v);
	if (!ok && rc >= 0)
		fz_fail("bad ITS host arguments accepted", off, width);
	if (ok && rc != VGIC_MMIO_OK && rc != VGIC_MMIO_ABORT)
		fz_fail("ITS guest access got a host error", off, (unsigned long long)(long long)rc);
	if (ok && rc == VGIC_MMIO_OK && !write && width < 8 && (v >> (8 * width)))
		fz_fail("ITS read wider than the access", off, v);
}

static void op_msi(struct cursor *c)
{
	uint32_t dev = (uint32_t)le(c, 2) % 64U, event = byte(c) % 64U;

	if (!have_its)
		return;
	(void)vgic_its_send_msi(&its, (byte(c) & 0x80) ? (uint32_t)le(c, 4) : dev, event);
}

/* Save (all vCPUs synced), flip up to four bytes the input names, restore into a fresh instance of
 * the same shape: a refusal must leave it untouched; an acceptance must leave it consistent. */
static void op_restore(struct cursor *c)
{
	struct vgic_config cfg = { .nr_vcpus = vm.nr_vcpus, .nr_spis = vm.nr_spis, .prio_bits = 5 };
	size_t len = 0;
	uint64_t before;

	for (uint32_t i = 0; i < vm.nr_vcpus; i++)
		leave(i);
	must(vgic_save(&vm, NULL, blob, sizeof(blob), &len), HV_OK, "save");
	for (unsigned k = 0; k < 4; k++) {
		uint32_t at = (uint32_t)le(c, 2) % (uint32_t)len;
		uint8_t x = byte(c);

		blob[at] ^= x;
	}
	must(vgic_init(&vm2, &cfg, &hooks, &vm2, vcpus2, spis2), HV_OK, "init vm2");
	if (vm.nr_lpis)
		must(vgic_lpi_init(&vm2, lpis2, vm.nr_lpis), HV_OK, "lpi_init vm2");
	for (uint32_t i = 0; i < vm.nr_vcpus; i++)
		must(vgic_vcpu_set_backend(&vm2, i, &cpu[i].be), HV_OK, "set_backend vm2");
	before = fz_digest(&vm2);
	if (vgic_restore(&vm2, blob, len, NULL) != HV_OK && fz_digest(&vm2) != before)
		fz_fail("refused restore changed state", len, 0);
	fz_check_invariants(&vm2, false);
}

static void op_ram(struct cursor *c)
{
	uint32_t off = (uint32_t)le(c, 2) % (FZ_RAM_SIZE - 8U);
	uint64_t v = le(c, 8);

	for (unsigned i = 0; i < 8; i++)
		fz_ram[off + i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	uint8_t shape, lrs;
	unsigned ops = 0;

	if (size < 2)
		return 0;
	shape = byte(&c);
	lrs = byte(&c);
	setup(shape, lrs);
	while (c.n) {
		uint8_t opb = byte(&c);
		struct cursor args = { c.p, c.n < ARGS ? c.n : ARGS };

		c.p += args.n;
		c.n -= args.n;
		switch (opb % OP_NR) {
		case OP_GICD: op_mmio(&args, FZ_GICD, false); break;
		case OP_GICR: op_mmio(&args, FZ_GICR, false); break;
		case OP_GICD_REG: op_mmio(&args, FZ_GICD, true); break;
		case OP_GICR_REG: op_mmio(&args, FZ_GICR, true); break;
		case OP_SGI: op_sgi(&args); break;
		case OP_DIR: op_dir(&args); break;
		case OP_LINE: op_line(&args); break;
		case OP_ENTER: enter(byte(&args) % vm.nr_vcpus); break;
		case OP_EXIT: leave(byte(&args) % vm.nr_vcpus); break;
		case OP_ACK: op_ack(&args); break;
		case OP_EOI: op_eoi(&args); break;
		case OP_GUEST_CFG: op_guest_cfg(&args); break;
		case OP_ITS: op_its(&args); break;
		case OP_MSI: op_msi(&args); break;
		case OP_RAM: op_ram(&args); break;
		case OP_RESTORE: op_restore(&args); break;
		default:
			if (opb & 0x80)
				must(vgic_dump(&vm), HV_OK, "dump");
			break;
		}
		fz_check_locks();
		fz_check_invariants(&vm, ++ops % ID_CHECK_EVERY == 0);
	}
	for (uint32_t i = 0; i < vm.nr_vcpus; i++)
		leave(i);
	fz_check_invariants(&vm, true);
	fz_check_locks();
	return 0;
}

/* storm.c: the checkpoint storm, of the first VM (main.c refuses hyp.storm beside a second). One CPU leads
 * each checkpoint: it kicks the others to a safe point, saves the VGIC (with each vCPU's VMCR and APRs) and
 * the ITS, poisons the instance, builds a fresh one and restores it from the blobs. Each CPU clears its own
 * ICH_* registers on the way in and loads what the restore gave it on the way out, so nothing survives a
 * checkpoint outside the blob. With scheduling (sched.c) the vCPUs that are on no CPU take part through the
 * state they were switched out with. */
#include "storm.h"
#include "gic.h"
#include "hyp.h"
#include "ich_backend.h"
#include "pvtimer.h"
#include "cntp.h"
#include "sysreg.h"
#include "vm.h"
#include "sched.h"

#define STORM_BLOB_BYTES (512U * 1024U)
#define US_PER_S         1000000U
#define SPIN_TIMEOUT_MS  2000U

enum storm_phase { STORM_IDLE, STORM_STOPPING, STORM_RESUMING };
enum storm_step { STEP_SAVE, STEP_DESTROY, STEP_CREATE, STEP_RESTORE, STEP_COUNT };

static uint64_t mean_ticks;        /* 0: no storm */
static volatile uint64_t next_at;  /* CNTPCT of the next checkpoint */
static volatile uint32_t phase = STORM_IDLE;
static volatile uint32_t stopped;  /* followers at the rendezvous */
static volatile uint64_t pause_ticks;   /* this checkpoint's stop, which the guest's clocks skip */
static uint64_t rng_state;
static struct vgic_cpu_state cpu_out[HYP_MAX_CPUS], cpu_in[HYP_MAX_CPUS];
static uint8_t blob[STORM_BLOB_BYTES] __attribute__((aligned(16)));
static uint8_t its_blob[VGIC_ITS_SAVE_BYTES];
static struct vgic_vcpu_stats keep_stats[HYP_MAX_CPUS];
static struct vgic_its_stats keep_its_stats;
static struct {
	uint64_t cycles, failures, blob_bytes, max_stop_ticks, total_stop_ticks;
	uint64_t step_ticks[STEP_COUNT];   /* where a checkpoint's time goes */
	int last_error;
	const char *failed_step;
} st;

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

/* xorshift64: uniform enough for choosing moments; seeded from the counter. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Uniformly in [mean/2, 3*mean/2). */
static void schedule_next(void)
{
	next_at = now() + mean_ticks / 2U + rng_next() % mean_ticks;
}

void storm_init(uint64_t mean_us)
{
	if (!mean_us)
		return;
	mean_ticks = read_sysreg(cntfrq_el0) * mean_us / US_PER_S;
	if (!mean_ticks)
		mean_ticks = 1;
	rng_state = read_sysreg(cntpct_el0) | 1U;
	schedule_next();
}

/* This CPU's half of the teardown: its vCPU's VMCR and APRs go to the blob, then the registers go.
 * A scheduling CPU may have no vCPU (idle): it only clears. */
static void cpu_out_state(struct pcpu *p)
{
	struct vgic_cpu_state *c;
	unsigned nr_apr = ich_backend_nr_aprs(&p->be);

	if (!p->vcpu) {
		ich_backend_clear(&p->be);
		return;
	}
	c = &cpu_out[p->vcpu->id];
	c->vmcr = lr_read_vmcr(&p->be);
	for (unsigned n = 0; n < VGIC_SAVE_APRS; n++) {
		c->apr[0][n] = n < nr_apr ? lr_read_apr(&p->be, 0, n) : 0;
		c->apr[1][n] = n < nr_apr ? lr_read_apr(&p->be, 1, n) : 0;
	}
	ich_backend_clear(&p->be);
}

/* And its half of the rebuild: the restored CPU interface registers, and the fresh instance told that
 * this CPU's LRs hold nothing it wrote (the next flush writes every LR it needs). */
static int cpu_in_state(struct pcpu *p)
{
	unsigned nr_apr = ich_backend_nr_aprs(&p->be);
	int rc;

	if (p->vcpu) {
		const struct vgic_cpu_state *c = &cpu_in[p->vcpu->id];

		lr_write_vmcr(&p->be, c->vmcr);
		for (unsigned n = 0; n < nr_apr && n < VGIC_SAVE_APRS; n++) {
			lr_write_apr(&p->be, 0, n, c->apr[0][n]);
			lr_write_apr(&p->be, 1, n, c->apr[1][n]);
		}
	}
	/* The guest's clocks skip the stop: its virtual counter, and the paravirtual timer's schedule. */
	write_sysreg(cntvoff_el2, hyp_cntvoff);
	isb();
	pvtimer_shift(p, pause_ticks);
	cntp_resume(pause_ticks);
	if (sched_enabled()) {
		/* The LRs were cleared: this CPU's knowledge starts again, and its vCPU (if any) is loaded
		 * on it in the fresh instance. */
		rc = vgic_cpu_if_init(&p->cpu_if, &p->be);
		if (rc == HV_OK && p->vcpu)
			rc = vgic_vcpu_load_on(&vms[0].vgic, p->vcpu->id, &p->cpu_if);
		return rc;
	}
	rc = vgic_vcpu_set_backend(&vms[0].vgic, p->index, &p->be);
	if (rc == HV_OK)
		rc = vgic_vcpu_load(&vms[0].vgic, p->index);
	return rc;
}

/* The vCPUs on no CPU (scheduling): their CPU interface is what they were switched out with. Every CPU
 * is at the rendezvous, so none is switching one in or out. */
static void off_cpu_out(void)
{
	for (uint32_t i = 0; i < hyp_nr_vcpus; i++) {
		const struct vcpu *v = &vcpus[i];

		if (!sched_enabled() || v->on_pcpu >= 0)
			continue;
		cpu_out[i].vmcr = v->vmcr;
		for (unsigned n = 0; n < VGIC_SAVE_APRS; n++) {
			cpu_out[i].apr[0][n] = n < 4U ? (uint32_t)v->apr[0][n] : 0;
			cpu_out[i].apr[1][n] = n < 4U ? (uint32_t)v->apr[1][n] : 0;
		}
	}
}

/* And back, with their clocks moved past the stop like the running ones' (CNTVOFF; CNTP_CVAL holds
 * the guest's CVAL plus the offset, cntp.c). */
static void off_cpu_in(void)
{
	for (uint32_t i = 0; i < hyp_nr_vcpus; i++) {
		struct vcpu *v = &vcpus[i];

		if (!sched_enabled() || v->on_pcpu >= 0)
			continue;
		v->vmcr = cpu_in[i].vmcr;
		for (unsigned n = 0; n < 4U && n < VGIC_SAVE_APRS; n++) {
			v->apr[0][n] = cpu_in[i].apr[0][n];
			v->apr[1][n] = cpu_in[i].apr[1][n];
		}
		v->el1.cntvoff = hyp_cntvoff;
		v->el1.cntp_cval += pause_ticks;
	}
}

static uint64_t lap(enum storm_step step, uint64_t since)
{
	uint64_t t = now();

	st.step_ticks[step] += t - since;
	return t;
}

static bool fail(const char *step, int rc)
{
	st.failed_step = step;
	st.last_error = rc;
	return false;
}

/* Save, destroy, rebuild, restore. The run cannot go on from a failure: the caller ends it. */
static bool checkpoint(void)
{
	size_t used = 0;
	uint64_t t = now();
	int rc;

	for (uint32_t i = 0; i < hyp_nr_vcpus; i++)
		keep_stats[i] = vgic_get_vcpu(&vms[0].vgic, i)->stats;
	keep_its_stats = vms[0].its.stats;
	rc = vgic_save(&vms[0].vgic, cpu_out, blob, sizeof(blob), &used);
	if (rc != HV_OK)
		return fail("vgic_save", rc);
	if (vms[0].its_base && (rc = vgic_its_save(&vms[0].its, its_blob, sizeof(its_blob))) != HV_OK)
		return fail("vgic_its_save", rc);
	st.blob_bytes = used + (vms[0].its_base ? sizeof(its_blob) : 0);
	t = lap(STEP_SAVE, t);
	vm_vgic_destroy(&vms[0]);
	t = lap(STEP_DESTROY, t);
	if ((rc = vm_vgic_create(&vms[0])) != HV_OK)
		return fail("vm_vgic_create", rc);
	t = lap(STEP_CREATE, t);
	if ((rc = vgic_restore(&vms[0].vgic, blob, used, cpu_in)) != HV_OK)
		return fail("vgic_restore", rc);
	if (vms[0].its_base && (rc = vgic_its_restore(&vms[0].its, its_blob, sizeof(its_blob))) != HV_OK)
		return fail("vgic_its_restore", rc);
	lap(STEP_RESTORE, t);
	/* Accounting is the hypervisor's, not the guest's state: it carries over. */
	for (uint32_t i = 0; i < hyp_nr_vcpus; i++)
		vgic_get_vcpu(&vms[0].vgic, i)->stats = keep_stats[i];
	vms[0].its.stats = keep_its_stats;
	return true;
}

/* Spin until *word == want, or the run stops, or a bug leaves us waiting (then end the run loudly). */
static bool wait_for(volatile uint32_t *word, uint32_t want)
{
	uint64_t deadline = now() + read_sysreg(cntfrq_el0) * SPIN_TIMEOUT_MS / 1000U;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != want) {
		if (hyp_stopping)
			return false;
		if (now() > deadline)
			hyp_end_run(HYP_STATUS_HYP_PANIC, "checkpoint storm: a CPU did not reach the rendezvous");
		cpu_relax();
	}
	return true;
}

static void lead(struct pcpu *p)
{
	uint64_t t0 = now(), took, all_stopped;

	for (uint32_t i = 0; i < hyp_nr_cpus; i++)
		if (i != p->index)
			gic_send_sgi(pcpus[i].mpidr, HYP_SGI_KICK);
	if (!wait_for(&stopped, hyp_nr_cpus - 1U))
		return;
	all_stopped = now();
	cpu_out_state(p);
	off_cpu_out();
	if (!checkpoint()) {
		st.failures++;
		hyp_printf("hyp: checkpoint storm: cycle %lu failed in %s: %d\n", st.cycles, st.failed_step,
			   st.last_error);
		hyp_end_run(HYP_STATUS_HYP_PANIC, "checkpoint restore failed");
	}
	pause_ticks = now() - all_stopped;
	hyp_cntvoff += pause_ticks;
	off_cpu_in();
	__atomic_store_n(&phase, STORM_RESUMING, __ATOMIC_RELEASE);
	if (cpu_in_state(p) != HV_OK)
		hyp_end_run(HYP_STATUS_HYP_PANIC, "checkpoint: vCPU reload failed");
	if (!wait_for(&stopped, 0))
		return;
	took = now() - t0;
	st.cycles++;
	st.total_stop_ticks += took;
	if (took > st.max_stop_ticks)
		st.max_stop_ticks = took;
	schedule_next();
	__atomic_store_n(&phase, STORM_IDLE, __ATOMIC_RELEASE);
}

static void follow(struct pcpu *p)
{
	cpu_out_state(p);
	__atomic_add_fetch(&stopped, 1U, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == STORM_STOPPING) {
		if (hyp_stopping)
			return;
		cpu_relax();
	}
	if (cpu_in_state(p) != HV_OK)
		hyp_end_run(HYP_STATUS_HYP_PANIC, "checkpoint: vCPU reload failed");
	__atomic_sub_fetch(&stopped, 1U, __ATOMIC_ACQ_REL);
	/* Wait for the end of this cycle, so that one CPU cannot start the next while another still
	 * loads its state from this one. */
	while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == STORM_RESUMING && !hyp_stopping)
		cpu_relax();
}

void storm_point(struct pcpu *p)
{
	uint32_t expect = STORM_IDLE;

	if (!mean_ticks || hyp_stopping)
		return;
	if (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == STORM_IDLE) {
		if (now() < next_at)
			return;
		if (__atomic_compare_exchange_n(&phase, &expect, STORM_STOPPING, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			lead(p);
			return;
		}
	}
	if (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == STORM_STOPPING)
		follow(p);
}

void storm_report(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	if (!mean_ticks)
		return;
	hyp_printf("hyp: storm cycles %lu failures %lu blob_bytes %lu stop_us_mean %lu stop_us_max %lu\n",
		   st.cycles, st.failures, st.blob_bytes,
		   st.cycles ? st.total_stop_ticks * US_PER_S / freq / st.cycles : 0,
		   st.max_stop_ticks * US_PER_S / freq);
	if (st.cycles)
		hyp_printf("hyp: storm us per cycle: save %lu destroy %lu create %lu restore %lu\n",
			   st.step_ticks[STEP_SAVE] * US_PER_S / freq / st.cycles,
			   st.step_ticks[STEP_DESTROY] * US_PER_S / freq / st.cycles,
			   st.step_ticks[STEP_CREATE] * US_PER_S / freq / st.cycles,
			   st.step_ticks[STEP_RESTORE] * US_PER_S / freq / st.cycles);
}

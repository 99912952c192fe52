/* vcpu.h: the physical CPU record, the vCPU context the world switch saves, and the exit counters.
 * As many vCPUs as CPUs: pcpu[i] always runs vcpu[i]. More vCPUs (hyp.vcpus=N) or two VMs: sched.c moves them. */
#ifndef HYP_VCPU_H
#define HYP_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "asm_offsets.h"  /* EXIT_* (why guest_enter() returned) and the offsets below */
#include "hyp.h"
#include "lr_backend.h"
#include "vgic.h"


/* General registers and the exception return state; the layout is shared with world_switch.S. */
struct vcpu_regs {
	uint64_t x[31];
	uint64_t pad;
	uint64_t elr;   /* guest PC */
	uint64_t spsr;  /* guest PSTATE */
};

/* EL1 state that belongs to the guest. It stays live in the registers while the vCPU owns its
 * physical CPU (nothing else runs at EL1 there); vcpu_put() saves it, vcpu_load() restores it. */
struct vcpu_el1 {
	uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
	uint64_t sp_el0, sp_el1, elr, spsr, esr, far, afsr0, afsr1, tpidr_el0, tpidrro_el0, tpidr_el1;
	uint64_t cpacr, cntkctl, par, csselr;
	uint64_t cntv_ctl, cntv_cval, cntvoff;
	uint64_t cntp_ctl, cntp_cval;
	uint64_t mdscr;
};

/* FP/SIMD state (fpsimd.S): live in the registers while the vCPU runs; saved when it leaves a CPU. */
struct vcpu_fpsimd {
	uint64_t v[32][2];
	uint64_t fpsr, fpcr;
} __attribute__((aligned(16)));
_Static_assert(sizeof(struct vcpu_fpsimd) == 528, "fpsimd.S stores 32 x 16 bytes, FPSR, FPCR");

/* Pointer-authentication keys (FEAT_PAuth): EL1 state the guest's kernel signs return addresses with. */
struct vcpu_pauth {
	uint64_t apia[2], apib[2], apda[2], apdb[2], apga[2];
};

/*
 * Where a vCPU's CPU is, for its kicks (hook_kick, one vCPU per CPU): at EL2 (an exit being handled, or
 * off: nothing to do, its next entry flushes), about to enter or in the guest (an SGI makes it exit), or
 * asleep in a WFI wait at EL2 (an SGI wakes it). KVM's IN_GUEST_MODE, for the same reason: a kick to a
 * vCPU that will flush before it runs again is an exit for nothing.
 */
enum vcpu_mode { VCPU_MODE_EL2 = 0, VCPU_MODE_GUEST = 1, VCPU_MODE_SLEEPING = 2 };

/* CLAIMED: a CPU_ON is writing the entry point; ON_PENDING: ready for the owning CPU to start it. */
enum vcpu_power { VCPU_OFF = 0, VCPU_ON_PENDING = 1, VCPU_ON = 2, VCPU_CLAIMED = 3 };

/* Exit accounting, per physical CPU (docs/arm64.md, "Exit accounting"). */
enum exit_cause {
	EXC_HVC_ABI, EXC_HVC_PSCI, EXC_MMIO_GICD, EXC_MMIO_GICR, EXC_MMIO_GITS, EXC_MMIO_PCI, EXC_MMIO_OTHER,
	EXC_SGI1R, EXC_DIR, EXC_SYSREG_OTHER, EXC_WFI, EXC_WFE, EXC_IRQ, EXC_FIQ_SERROR,
	EXC_IABT, EXC_OTHER_SYNC, EXC_NR
};
enum irq_cause {
	IRQC_VTIMER, IRQC_PTIMER, IRQC_PVTIMER, IRQC_MAINT, IRQC_KICK, IRQC_UART, IRQC_SPURIOUS, IRQC_OTHER, IRQC_NR
};

struct exit_stats {
	uint64_t exits[EXC_NR];
	uint64_t irqs[IRQC_NR];     /* physical interrupts taken, guest running or waiting */
	uint64_t wfi_sleeps;        /* WFI exits that waited at EL2 */
	uint64_t injected_aborts;
	uint64_t quiet_exits;       /* nothing in an LR at exit and nothing queued at entry */
	uint64_t quiet_lr_accesses; /* LR-backend accesses made on those exits (should be 0) */
};

struct vm;

struct vcpu {
	struct vcpu_regs regs;
	struct vcpu_el1 el1;
	uint32_t id;                    /* within its VM: the vgic's vCPU id, the guest's CPU number */
	uint32_t index;                 /* in vcpus[] */
	struct vm *vm;
	volatile uint32_t power;        /* enum vcpu_power; written by other CPUs (PSCI CPU_ON) */
	volatile uint32_t mode;         /* enum vcpu_mode; read by other CPUs' kicks */
	uint64_t on_entry, on_context;  /* CPU_ON arguments, valid while ON_PENDING */
	uint64_t mpidr;
	uint64_t wfi_taken_mark;        /* the core's taken count when a WFI last returned at once */
	/* Scheduling (sched.c), with more vCPUs than CPUs. */
	volatile int32_t on_pcpu;       /* the CPU running it, or -1 */
	volatile uint32_t blocked;      /* in WFI with nothing it would take: gave its CPU away */
	uint64_t vmcr;                  /* ICH_VMCR_EL2 and the APRs while it is off every CPU */
	uint64_t apr[2][4];
	bool timer_phys_active[2];      /* its forwarded timer PPI was active on the CPU it left */
	struct vcpu_fpsimd fp;
	struct vcpu_pauth pauth;
};

/* Per physical CPU; TPIDR_EL2 points here. The first fields are read from assembly. */
struct pcpu {
	uint32_t index;
	uint32_t pad;
	uint64_t host_sp;               /* stack pointer of guest_enter()'s caller */
	struct vcpu_regs *guest_regs;   /* where the exit vector saves the guest's registers */
	uint64_t mpidr;
	struct vcpu *vcpu;
	struct lr_backend be;
	struct exit_stats stats;
	volatile uint32_t parked;       /* stopped for the end of the run */
	uint64_t pvtimer_deadline[HYP_MAX_VMS]; /* CNTHP compare value while this CPU owns a VM's paravirtual timer */
	uint64_t slice_deadline;        /* CNTHP compare value that ends the running vCPU's slice; 0: none */
	volatile uint32_t resched;      /* the slice ended: switch at the next exit if anyone waits */
	volatile uint32_t idle;         /* no vCPU here: a kick for a waiting vCPU should wake this CPU */
	struct vgic_cpu_if cpu_if;      /* what this CPU's LRs hold, across vCPUs (vgic_vcpu_load_on) */
	uint64_t vttbr;                 /* the stage 2 (VM) loaded in VTTBR_EL2 */
};

extern struct pcpu pcpus[HYP_MAX_CPUS];
extern struct vcpu vcpus[HYP_MAX_CPUS];
extern uint32_t hyp_nr_cpus;    /* physical CPUs */
extern uint32_t hyp_nr_vcpus;   /* every VM's vCPUs: hyp_nr_cpus, or more with hyp.vcpus=N or two VMs */
extern volatile uint32_t hyp_stopping;
/* The VM's CNTVOFF_EL2, the same on every vCPU: it grows by the time the VM spends stopped (a
 * checkpoint), so the guest's virtual counter does not see the stop, as after a VMM's pause. */
extern volatile uint64_t hyp_cntvoff;

static inline struct pcpu *this_pcpu(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(v));
	return (struct pcpu *)v;
}

/* world_switch.S: run the guest until it exits; returns EXIT_*. */
uint64_t guest_enter(struct vcpu_regs *regs);

/* vcpu.c */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t x0);
void vcpu_load(struct vcpu *v);
void vcpu_put(struct vcpu *v);
/* What only a vCPU that changes CPUs needs moved: FP/SIMD registers and the PAuth keys. */
void vcpu_load_extra(struct vcpu *v);
void vcpu_put_extra(struct vcpu *v);
void fpsimd_save(struct vcpu_fpsimd *f);
void fpsimd_restore(const struct vcpu_fpsimd *f);
__attribute__((noreturn)) void vcpu_run_loop(struct pcpu *p);
/* Stop this CPU for the end of the run. */
__attribute__((noreturn)) void vcpu_park(struct pcpu *p);
void vcpu_run_slice(struct pcpu *p, struct vcpu *v);
/* Publish v's mode before it looks at its interrupts (the full barrier pairs with the one in the kick:
 * either the kicker sees the new mode, or v sees the kicker's interrupt). */
static inline void vcpu_set_mode(struct vcpu *v, enum vcpu_mode m)
{
	__atomic_store_n(&v->mode, (uint32_t)m, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif

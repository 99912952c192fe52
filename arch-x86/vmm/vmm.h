/* vmm.h: the x86 KVM VMM's shared types: the VM, its vCPUs, modes and exit counters.
 * One VM per process; every chip call happens under vm->lock (see docs/x86.md, "Locking"). */
#ifndef VMM_H
#define VMM_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "pic.h"
#include "ioapic.h"
#include "lapic.h"
#include "apic_bus.h"
#include "irq_msg.h"
#include "x86_gsi.h"

#define VMM_MAX_VCPUS     64U              /* KVM takes more vCPUs than CPUs; the scale runs use 64 */
#define VMM_DEFAULT_MEM   (64ULL << 20)
#define VMM_MAX_MEM       (2048ULL << 20)   /* below the 4 GiB hole and its MMIO */
#define VMM_NR_LINES      32U               /* ABI lines: GSI 0..23 on IOAPIC 0, 24..31 on IOAPIC 1 */
#define VMM_IOAPIC_HI_BASE (IOAPIC_BASE + IOAPIC_MMIO_SIZE)  /* the second IOAPIC, GSI base 24 */
/* IOAPIC n (GSI base 24n) sits at IOAPIC_BASE + n * 4 KiB. The third serves only the scale device
 * (vmm_scale.c), whose source i is GSI 1 + i: 64 vCPUs need GSIs up to 64. */
#define VMM_NR_IOAPICS    3U
#define VMM_NR_GSIS       (VMM_NR_IOAPICS * IOAPIC_NR_PINS)
#define VMM_BOOTARGS_MAX  256U
#define VMM_MIN_PERIOD_US 100U
#define VMM_TIMER_HZ      1000000U          /* TIMER_PERIOD is in microseconds */
#define VMM_KICK_SIGNAL   SIGUSR1           /* its handler sets kvm_run.immediate_exit */

/* Exit status of the VMM process beyond the guest's own HALT status. */
#define VMM_EXIT_SETUP    1
#define VMM_EXIT_TIMEOUT  124
#define VMM_EXIT_FAULT    125
#define VMM_EXIT_SKIP     77    /* no usable KVM: automake's "skipped" */
#define VMM_KVM_UNUSABLE  (-2)  /* vmm_kvm_create: KVM absent or unusable, not a VMM error */

/* Boot flags in RDX at entry (x86-only, documented in docs/x86.md). */
#define VMM_BOOT_NO_PIC   0x1U   /* XapicOnly: no 8259A behind ports 0x20/0xA0 */
#define VMM_BOOT_HOSTILE  0x2U   /* run the garbage phase before the suite */
#define VMM_BOOT_KERNEL   0x4U   /* in-kernel irqchip (information only) */
#define VMM_BOOT_ARGS     0x8U   /* a NUL-terminated argument string sits at LAYOUT_BOOTARGS */
#define VMM_BOOT_SPLIT    0x10U  /* split irqchip: KVM's LAPIC, our PIC and IOAPICs (information only) */

/* user: our PIC, IOAPICs and LAPICs; xapic: the same without a PIC; kernel: KVM's whole irqchip;
 * split: KVM's LAPIC (KVM_CAP_SPLIT_IRQCHIP) with our PIC and IOAPICs, as shipping VMMs run x86. */
enum vmm_mode { VMM_MODE_USER, VMM_MODE_XAPIC, VMM_MODE_KERNEL, VMM_MODE_SPLIT };

/* Is the local APIC KVM's (no LAPIC MMIO, HLT or injection of APIC vectors in userspace)? */
#define VMM_LAPIC_IN_KERNEL(vm) ((vm)->mode == VMM_MODE_KERNEL || (vm)->mode == VMM_MODE_SPLIT)
/* Is our 8259A pair behind ports 0x20/0xA0 (its INTR reaching the BSP's LINT0 as ExtINT)? */
#define VMM_USER_PIC(vm) ((vm)->mode == VMM_MODE_USER || (vm)->mode == VMM_MODE_SPLIT)
/* Split mode: the IOAPIC pins KVM reserves for our MSI routes (every IOAPIC: GSI 0..71). Their
 * level-triggered routes are what KVM reads to decide which vectors' EOIs exit to us. */
#define VMM_SPLIT_PINS    VMM_NR_GSIS

enum vmm_exit_kind {
	EX_IO_ABI, EX_IO_PIC, EX_IO_ELCR, EX_IO_OTHER,
	EX_MMIO_LAPIC, EX_MMIO_IOAPIC, EX_MMIO_OTHER,
	EX_HLT, EX_IRQ_WINDOW, EX_KICK, EX_SHUTDOWN, EX_INTERNAL, EX_FAIL_ENTRY, EX_OTHER,
	EX_IOAPIC_EOI,   /* split mode: KVM's LAPIC reports the EOI of a vector our IOAPIC routes level */
	EX_COUNT
};

/* KVM's own counters (vmm_kstats.c): they include exits the kernel handles itself. */
enum vmm_kstat { KSTAT_EXITS, KSTAT_IO, KSTAT_MMIO, KSTAT_HLT, KSTAT_IRQ_WINDOW, KSTAT_EXT_IRQ, VMM_KSTAT_COUNT };

/* The scale device (vmm_scale.c): source i is GSI 1 + i, routed by the guest to vCPU i. */
#define VMM_SCALE_GSI(i)  (1U + (i))

struct vmm_scale_src {
	struct vm *vm;
	unsigned idx;
};

struct vmm_scale {
	unsigned hz;                 /* raises per second per source; 0: no scale device */
	pthread_t thread;
	int epfd, timerfd, stop_fd;
	int64_t tsc_offset;          /* guest TSC - host TSC */
	atomic_bool started, stopped;   /* the guest said "@@scale start" / "@@scale stop" */
	atomic_bool busy[VMM_MAX_VCPUS];   /* raised and not yet EOI'd */
	int irqfd[VMM_MAX_VCPUS], resamplefd[VMM_MAX_VCPUS];   /* kernel mode */
	struct vmm_scale_src src[VMM_MAX_VCPUS];
	atomic_ullong raised[VMM_MAX_VCPUS], completed[VMM_MAX_VCPUS], overruns[VMM_MAX_VCPUS];
	atomic_ullong lock_acq, lock_wait_ns, lock_hold_ns;
	uint64_t raised_at_ns[VMM_MAX_VCPUS];   /* host clock of each source's last raise */
	atomic_ullong done_ns_sum, done_ns_max; /* raise -> the device sees the EOI (resample), host clock */
};

/* Power state of a vCPU (ABI CPU_ON/CPU_OFF/CPU_STATE; the values are HV_CPU_STATE_*). */
enum vcpu_power { VCPU_OFF = 0, VCPU_ON = 1, VCPU_ON_PENDING = 2 };

struct vcpu {
	struct vm *vm;
	unsigned idx;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int timerfd;                 /* this vCPU's LAPIC timer */
	pthread_cond_t wake;         /* HLT sleeps here, under vm->lock */
	atomic_bool in_run;          /* set under vm->lock before KVM_RUN: kicks must signal */
	int stats_fd;                /* KVM binary stats, or -1 */
	long kstat_off[VMM_KSTAT_COUNT];
	/* CPU_ON/CPU_OFF, under vm->lock: an ON_PENDING vCPU's own thread loads the entry state. */
	enum vcpu_power power;
	uint64_t on_entry, on_context;
};

struct vmm_stats {
	atomic_ullong exits[EX_COUNT];
	atomic_ullong injected, nmis, kicks_sent, resamples, abi_errors, pv_ticks, pv_reinjected;
	atomic_ullong msis, msis_unclaimed;   /* MSI_SEND messages, and those no LAPIC accepted */
	atomic_ullong split_msis;             /* split mode: IOAPIC messages sent with KVM_SIGNAL_MSI */
	atomic_ullong split_routes;           /* split mode: KVM_SET_GSI_ROUTING calls */
	atomic_ullong pv_irqfd_ticks;         /* split mode: PV ticks raised through the irqfd */
	atomic_ullong cold_start_exits;   /* exits from reset to the first timer tick */
	atomic_ullong cold_start_kvm_exits; /* the same span in KVM's count (BSP), in-kernel exits included */
	atomic_bool cold_start_done;
	atomic_bool first_tick;
	atomic_ullong pv_raise_tsc;       /* host TSC at the latest PV timer raise (vmm_tsc.c) */
	atomic_ullong line_raise_tsc;     /* host TSC at the latest LINE_SET call's raise (vmm_tsc.c) */
};

struct vm {
	enum vmm_mode mode;
	int kvm_fd, vm_fd;
	size_t run_size;
	uint8_t *mem;
	uint64_t mem_size;
	uint64_t entry;
	unsigned nr_vcpus;
	unsigned boot_flags;
	const char *bootargs;
	unsigned timeout_s;
	bool verbose;
	struct kvm_cpuid2 *cpuid;
	struct vcpu vcpu[VMM_MAX_VCPUS];

	pthread_mutex_t lock;        /* the chips below and vcpu wake conditions */
	pthread_mutex_t console_lock;
	struct pic pic;
	struct ioapic ioapic;
	struct ioapic ioapic_hi;     /* GSI 24..47; userspace in every mode */
	struct ioapic ioapic_3;      /* GSI 48..71; userspace in every mode (the scale device's) */
	struct lapic lapic[VMM_MAX_VCPUS];
	struct apic_bus bus;
	struct irq_msi_target msi;          /* the local APICs' MSI window, as irq_msg.h's target */
	struct x86_gsi gsi;
	/* Split mode: the MSI route each IOAPIC pin has in KVM (0 address: none), so an RTE write
	 * that changes nothing KVM sees costs no KVM_SET_GSI_ROUTING. */
	struct { uint32_t addr, data; } split_route[VMM_SPLIT_PINS];
	unsigned vcpus_on;           /* vCPUs not OFF (CPU_OFF of the last one is refused) */
	/* Split mode: the PV timer's irqfd on GSI 0 (-1: none), and whether a tick may take it now
	 * (the PIC cannot take IRQ 0 and pin 0 is an unmasked edge with its MSI route in KVM). */
	int pv_irqfd;
	atomic_bool pv_irqfd_on;
	struct vmm_scale scale;

	int epfd, pv_timerfd, watchdog_fd, stop_fd;
	/* PV timer ticks not yet taken by the guest (userspace irqchip): re-sent one by one as each
	 * tick is injected, like KVM's PIT "reinject" policy, so a late vCPU loses no tick. */
	bool pv_outstanding;
	uint64_t pv_backlog;
	pthread_t event_thread;

	atomic_bool done;
	atomic_int exit_status;
	struct vmm_stats stats;
};

/* vmm_kvm.c: VM, memory, long-mode vCPU state, CPUID */
int vmm_kvm_create(struct vm *vm);
int vmm_vcpu_create(struct vm *vm, unsigned idx);
/* The reset state of docs/x86.md (long mode, IF=0, boot stack), entering at rip with RDI = rdi. */
int vmm_vcpu_boot_state(struct vcpu *v, uint64_t rip, uint64_t rdi);
void vmm_dump_vcpu(struct vcpu *v, const char *why);

/* vmm_load.c: load a static ELF64 image into guest memory */
int vmm_load_elf(struct vm *vm, const char *path);
void *vmm_gpa(struct vm *vm, uint64_t gpa, uint64_t len);
int vmm_put_bootargs(struct vm *vm);

/* vmm_irq.c: the interrupt path (userspace chips or KVM's) */
int vmm_irq_init(struct vm *vm);
/* IOAPIC n (0 .. VMM_NR_IOAPICS-1) if it is ours; NULL for KVM's (kernel mode, n = 0) or n too big. */
struct ioapic *vmm_ioapic(struct vm *vm, unsigned n);
int vmm_line_set(struct vm *vm, unsigned line, unsigned op);
/* A valid MSI write reaching no APIC is still HV_OK; HV_EINVAL outside the 0xFEEx_xxxx window. */
int vmm_msi_send(struct vm *vm, uint64_t addr, uint32_t data);
void vmm_pv_tick(struct vm *vm, uint64_t expirations);
void vmm_pv_timer_reset(struct vm *vm);
void vmm_lapic_timer_fired(struct vm *vm, unsigned idx);
void vmm_kick(struct vcpu *v);
void vmm_inject(struct vcpu *v);
void vmm_halt_wait(struct vcpu *v);

/* vmm_split.c: split irqchip (KVM_CAP_SPLIT_IRQCHIP): our IOAPICs to KVM's LAPIC as MSIs */
int vmm_split_enable(struct vm *vm);
unsigned vmm_split_deliver(void *ctx, const struct apic_msg *m);
void vmm_split_routes_update(struct vm *vm);
void vmm_split_eoi(struct vcpu *v);
void vmm_split_inject(struct vcpu *v);
void vmm_split_irqfd_init(struct vm *vm);
/* vm->lock held: recompute pv_irqfd_on after a PIC or IOAPIC register write. */
void vmm_split_irqfd_update(struct vm *vm);
/* The event thread's PV tick in split mode: true if it went through the irqfd (no lock taken). */
bool vmm_split_irqfd_tick(struct vm *vm);

/* vmm_scale.c: the scale device */
int vmm_scale_init(struct vm *vm);
void vmm_scale_console(struct vm *vm, const char *p, uint64_t len);
void vmm_scale_finish(struct vm *vm);
/* vm->lock with wait and hold time counted (while the scale device runs); returns the acquire time. */
uint64_t vmm_scale_lock(struct vm *vm);
void vmm_scale_unlock(struct vm *vm, uint64_t acquired);

/* vmm_power.c: CPU_ON / CPU_OFF / CPU_STATE */
int64_t vmm_cpu_on(struct vcpu *caller, uint64_t idx, uint64_t entry, uint64_t context);
int64_t vmm_cpu_off(struct vcpu *v);
int64_t vmm_cpu_state(struct vm *vm, uint64_t idx);
/* The vCPU thread before each entry, vm->lock held: false while it is OFF (wait, then ask again). */
bool vmm_power_ready(struct vcpu *v);

/* vmm_io.c: port and MMIO exits */
void vmm_handle_io(struct vcpu *v);
void vmm_handle_mmio(struct vcpu *v);

/* vmm_abi.c: the guest ABI on port 0x510 */
void vmm_abi_call(struct vcpu *v);

/* vmm_event.c: timerfds, watchdog, the event thread */
int vmm_event_init(struct vm *vm);
int vmm_event_start(struct vm *vm);
void vmm_event_stop(struct vm *vm);
int vmm_pv_timer_set(struct vm *vm, uint64_t period_us);
void vmm_lapic_timer_arm(struct vm *vm, unsigned idx, uint64_t deadline_ns);
uint64_t vmm_now_ns(void);

/* vmm_vcpu.c: the vCPU threads */
int vmm_vcpus_start(struct vm *vm);
void vmm_vcpus_join(struct vm *vm);
void vmm_stop(struct vm *vm, int status);

/* vmm_kstats.c */
int vmm_kstats_open(struct vcpu *v);
uint64_t vmm_kstat(struct vcpu *v, enum vmm_kstat k);
void vmm_kstats_print(struct vm *vm);

/* vmm_tsc.c: host-raised latency on the TSC */
uint64_t vmm_rdtsc(void);
void vmm_tsc_note_raise(atomic_ullong *where);
void vmm_tsc_line(struct vcpu *v, const char *p, uint64_t len);
int64_t vmm_tsc_offset(struct vcpu *v);   /* guest TSC - host TSC (0 if KVM cannot tell) */

/* vmm_stats.c */
void vmm_count_exit(struct vm *vm, enum vmm_exit_kind k);
void vmm_print_stats(struct vm *vm);
const char *vmm_mode_name(enum vmm_mode m);
const char *vmm_exit_name(enum vmm_exit_kind k);

#endif

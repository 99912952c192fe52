/* guest_arch.h: everything the arch-neutral test suite (guest/common) needs from an architecture layer.
 * guest/arm64 implements it with GICv3 + HVC; an x86 layer implements the same calls with the LAPIC/IOAPIC. */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Interrupt sources are named by an arch "irq" number (on arm64: the INTID; on x86: the vector or
 * pin the layer chooses). The suite never computes one: it asks for the irq of an ABI line, of an
 * IPI or of the timer, and passes the number back.
 *
 * Priorities are 0 (highest) .. GUEST_PRIO_LEVELS-1 (lowest). arm64 maps p to GIC priority p << 4;
 * x86 maps it to a vector class. A higher-priority interrupt may preempt a running handler that
 * re-enabled interrupts; an equal or lower one waits for the handler's end of interrupt.
 */
#define GUEST_PRIO_LEVELS 16U
#define GUEST_NR_IPIS     15U   /* IPI numbers 0..14 for tests; the layer keeps one more for itself */
#define GUEST_MAX_CPUS    8U

/* ---- boot, identity, SMP ---- */
/* Boot CPU, once, before anything else: machine description, MMU, interrupt controller. 0 on success. */
int guest_arch_init(void *boot_info);
/* The boot arguments (device tree /chosen/bootargs on arm64); "" when there are none. */
const char *guest_arch_bootargs(void);
unsigned guest_arch_cpu_id(void);       /* 0 .. guest_arch_nr_cpus()-1 */
unsigned guest_arch_nr_cpus(void);      /* as the machine description says */
/* Start CPU `cpu`, which sets up its interrupt controller and then runs fn(cpu) with interrupts
 * masked; fn must not return. 0 on success, negative if the CPU could not be started. */
int guest_arch_cpu_start(unsigned cpu, void (*fn)(unsigned cpu));

/* Optional: guest/common/arch_defaults.c has weak versions that report "not supported", so a
 * layer without CPU power control needs neither.
 * Power state of a CPU as the firmware sees it: 1 on, 0 off, 2 on pending, -1 cannot tell. */
int guest_arch_cpu_state(unsigned cpu);
/* Power the calling CPU off (arm64: PSCI CPU_OFF); returns only when the layer cannot. A stopped
 * CPU is started again with guest_arch_cpu_start(). */
void guest_arch_cpu_stop(void);
/* Does a level interrupt stop being pending when its line drops before it is taken? (GICv3: yes.
 * x86: no, the IOAPIC has already sent it and the LAPIC IRR keeps it.) Default: false. */
bool guest_arch_level_retracts(void);

/* ---- hypervisor calls (include/hv_abi.h numbers) ---- */
long guest_arch_hypercall(unsigned call, unsigned long a0, unsigned long a1, unsigned long a2);
/* Firmware power calls: arm64 PSCI through HVC; returns the PSCI result, or -1 where there is none. */
long guest_arch_firmware_call(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2);

/* ---- console ---- */
/* Write directly to the console device (PL011 on arm64); the suite's normal output path. */
void guest_arch_console_write(const char *s, size_t len);

/* ---- interrupt sources ---- */
unsigned guest_arch_irq_of_line(unsigned line);   /* ABI line 0..31 */
unsigned guest_arch_irq_of_ipi(unsigned n);       /* n < GUEST_NR_IPIS */
unsigned guest_arch_irq_of_timer(void);           /* the per-CPU architected timer */
/* Trigger and priority; the source stays disabled until guest_arch_irq_enable(). */
void guest_arch_irq_configure(unsigned irq, unsigned prio, bool level);
void guest_arch_irq_enable(unsigned irq, bool on);
/* Deliver a line's interrupts to one CPU. */
void guest_arch_irq_route(unsigned irq, unsigned cpu);
/* Controller state of the source as seen by this CPU: 1 yes, 0 no, -1 the controller cannot tell. */
int guest_arch_irq_pending(unsigned irq);
int guest_arch_irq_active(unsigned irq);
void guest_arch_irq_clear_pending(unsigned irq);

/* ---- message-signalled interrupts from the test device (optional: the weak defaults in
 * guest/common/arch_defaults.c say "not supported", and the suite's MSI checks then SKIP) ---- */
#define GUEST_NR_MSIS 64U
/* Messages a layer may use in all, its own checks' included (the handler table's size). */
#define GUEST_MAX_LAYER_MSIS 2176U
/* Make message n (< GUEST_NR_MSIS) arrive on cpu at prio (0 highest), enabled; give the address and
 * data the device must write for it. Called again for the same n: move it to cpu (arm64: ITS MOVI).
 * false if the layer has no MSIs. */
bool guest_arch_msi_setup(unsigned n, unsigned cpu, unsigned prio, uint64_t *addr, uint32_t *data);
/* The irq number message n arrives as (what guest_irq_dispatch() is given). */
unsigned guest_arch_irq_of_msi(unsigned n);
/* Unmap message n (arm64: ITS DISCARD): the device's later writes of it deliver nothing. */
void guest_arch_msi_teardown(unsigned n);
/* The layer's own checks of its message controller, run after the common MSI checks (arm64: the ITS
 * commands the common calls do not use, two-level tables, LPI pending tables, 2,000 LPIs at once). */
void guest_arch_msi_tests(void);

/* ---- this CPU ---- */
void guest_arch_local_irq_enable(void);
void guest_arch_local_irq_disable(void);
/* Block interrupts of priority >= mask (mask == GUEST_PRIO_LEVELS blocks none). */
void guest_arch_set_priority_mask(unsigned mask);
/* Sleep until an interrupt is pending (taken or not: with interrupts masked it only wakes). */
void guest_arch_wait_for_interrupt(void);
void guest_arch_cpu_relax(void);

/* ---- IPIs ---- */
void guest_arch_send_ipi(unsigned cpu, unsigned n);
void guest_arch_send_ipi_others(unsigned n);      /* all CPUs but this one */

/* ---- end of interrupt ----
 * The layer acknowledges, calls guest_irq_dispatch() (guest/common/irq.c) and ends the interrupt.
 * With split EOI on, ending only drops the running priority when the handler called
 * guest_irq_defer_deactivate(); the suite deactivates later with guest_arch_deactivate(). */
bool guest_arch_has_split_eoi(void);
void guest_arch_set_split_eoi(bool on);
void guest_arch_deactivate(unsigned irq);

/* ---- time ---- */
uint64_t guest_arch_now_ns(void);
/* Per-CPU timer: fire once, delta_ns from now (re-arming replaces the previous deadline). */
void guest_arch_timer_oneshot_ns(uint64_t delta_ns);
/* Fire at an absolute time on the guest_arch_now_ns() scale (drift-free periodic re-arming). */
void guest_arch_timer_at_ns(uint64_t when_ns);
void guest_arch_timer_stop(void);

/* ---- a second per-CPU timer (optional: the weak defaults say there is none, and its checks SKIP).
 * arm64: the EL1 physical timer (PPI 30) beside the virtual one. Deadlines are on the
 * guest_arch_now_ns() scale; its interrupt is a level, like the first timer's. ---- */
/* The second timer's irq in *irq; false when the layer has no second timer. */
bool guest_arch_timer2_irq(unsigned *irq);
void guest_arch_timer2_at_ns(uint64_t when_ns);
void guest_arch_timer2_stop(void);

/* ---- guest RAM (optional: the weak defaults say the layer cannot tell, and the RAM checks SKIP) ---- */
/* Guest RAM as the machine description gives it (arm64: the device tree's memory node); false if the
 * layer cannot tell. */
bool guest_arch_ram(uint64_t *base, uint64_t *size);
/* Read the 64-bit word at guest physical address addr and write it back: 1 memory answered, 0 the
 * access faulted (nothing there; the layer survives it), -1 the layer cannot probe. */
int guest_arch_mem_probe(uint64_t addr);

/* ---- special modes (bootargs), each optional: return false when the layer has none ---- */
/* Write garbage to every interrupt-controller register at every width, then reset the controller. */
bool guest_arch_hostile(void);
/* Drive the machine's PCI disk by hand, well and badly ("pci" mode): false when there is none. */
bool guest_arch_pci_tests(void);
/* Touch memory that does not exist, without expecting the fault: kind GUEST_FAULT_DATA a data
 * access, GUEST_FAULT_EXEC an instruction fetch, GUEST_FAULT_EXEC_NO_VECTOR an instruction fetch with
 * the exception vectors moved outside memory first, so that the fault cannot be delivered at all
 * (a layer without movable vectors may treat it as GUEST_FAULT_EXEC). */
enum guest_fault_kind { GUEST_FAULT_DATA = 0, GUEST_FAULT_EXEC = 1, GUEST_FAULT_EXEC_NO_VECTOR = 2 };
bool guest_arch_fault(unsigned kind);

/* ---- a fault the guest survives (optional: the weak default says the layer cannot, and the
 * check SKIPs) ---- */
/* What the layer's own exception vector was given for a fault the suite provoked on purpose. */
struct guest_fault_seen {
	bool taken;         /* the vector took it and execution resumed after the faulting call */
	bool expected;      /* the syndrome and addresses are those the architecture prescribes */
	uint64_t syndrome;  /* arm64: ESR_EL1 */
	uint64_t addr;      /* arm64: FAR_EL1 */
	uint64_t pc;        /* arm64: ELR_EL1 */
};
/* Call an address with no memory behind it (the one guest_arch_fault(1) jumps to) with the layer's
 * vector expecting the fault; fills *seen. false when the layer cannot recover from it. */
bool guest_arch_exec_fault_recover(struct guest_fault_seen *seen);
/* Checks of a 32-bit user mode's traps (arm64: AArch32 EL0, as a 32-bit Linux task): the layer runs them
 * itself, with check(); the weak default SKIPs one line. */
void guest_arch_compat_tests(void);

/* ---- provided by guest/common for the layer ---- */
/* Entry of the suite on the boot CPU, after guest_arch_init(). Does not return. */
void guest_main(void);
/* Called by the layer's interrupt entry for each acknowledged interrupt. */
void guest_irq_dispatch(unsigned irq);
/* Inside a handler with split EOI on: leave the interrupt active after the priority drop. */
void guest_irq_defer_deactivate(void);
bool guest_irq_take_deferred(void);  /* layer: read and clear the request of this CPU */
/* Console output with the suite's formatting, for the layer's own messages. */
__attribute__((format(printf, 1, 2))) void guest_printf(const char *fmt, ...);
/* Called by the layer on an exception it cannot handle: prints it and halts with a failure. */
void guest_fatal(const char *what, uint64_t syndrome, uint64_t addr, uint64_t pc);

#endif

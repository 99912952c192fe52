/* vmm_irq.c: the interrupt path: userspace PIC/IOAPIC/LAPIC wired to KVM_INTERRUPT, or KVM's irqchip.
 * Chip hooks run under vm->lock; kicks wake a halted vCPU or force a running one out of KVM_RUN. */
#include <stddef.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "vmm.h"
#include "hv_abi.h"
#include "x86_msi.h"
#include "ioapic_msi.h"

#define EXTINT_PENDING  256     /* not a vector: "ask the PIC at INTA time" */
#define NO_IRQ          (-1)

/* ---- chip hooks (vm->lock held) ---- */

static uint64_t h_now(void *ctx)
{
	(void)ctx;
	return vmm_now_ns();
}

static void h_kick(void *ctx, unsigned cpu)
{
	struct vm *vm = ctx;

	if (cpu < vm->nr_vcpus)
		vmm_kick(&vm->vcpu[cpu]);
}

static void h_timer_arm(void *ctx, unsigned cpu, uint64_t deadline)
{
	vmm_lapic_timer_arm(ctx, cpu, deadline);
}

static unsigned h_send(void *ctx, unsigned src, const struct apic_msg *m)
{
	struct vm *vm = ctx;

	return apic_bus_send(&vm->bus, (int)src, m);
}

static void h_eoi_broadcast(void *ctx, uint8_t vector)
{
	struct vm *vm = ctx;

	for (unsigned n = 0; n < VMM_NR_IOAPICS; n++)
		ioapic_eoi(vmm_ioapic(vm, n), vector);   /* NULL-safe */
}

struct ioapic *vmm_ioapic(struct vm *vm, unsigned n)
{
	switch (n) {
	case 0:  return vm->mode == VMM_MODE_KERNEL ? NULL : &vm->ioapic;
	case 1:  return &vm->ioapic_hi;
	case 2:  return &vm->ioapic_3;
	default: return NULL;
	}
}

/* In-kernel mode the second IOAPIC is still ours; its messages reach KVM's LAPICs as MSIs. */
static unsigned h_msi_deliver(void *ctx, const struct apic_msg *m)
{
	struct vm *vm = ctx;
	struct kvm_msi msi = { 0 };
	int rc;

	x86_msi_encode(m, &msi.address_lo, &msi.data);
	rc = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);
	/* No EOI comes back to userspace from KVM's LAPIC, so claim no taker: a level pin then
	 * sets no remote IRR it could never clear (edge is what lines 24..31 are for here). */
	(void)rc;
	return 0;
}

static unsigned h_ioapic_deliver(void *ctx, const struct apic_msg *m)
{
	struct vm *vm = ctx;

	return apic_bus_send(&vm->bus, APIC_BUS_NO_SRC, m);
}

static void h_pic_intr(void *ctx, bool level)
{
	struct vm *vm = ctx;

	/* Split mode: KVM's LAPIC decides whether the BSP's LINT0 takes ExtINT (vmm_split_inject);
	 * the BSP's thread must only come out of KVM_RUN to ask. */
	if (level && vm->mode == VMM_MODE_SPLIT) {
		vmm_kick(&vm->vcpu[0]);
		return;
	}
	/* INTR reaches the CPU whose LINT0 is in ExtINT mode: the BSP in virtual-wire mode. */
	if (level)
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			if (lapic_accepts_extint(&vm->lapic[i]))
				vmm_kick(&vm->vcpu[i]);
}

/* The test device has no state beyond the wire the chip already holds, so a line still high
 * simply pends again; the callback only counts resamples for the statistics. */
static void h_resample(void *owner, uint32_t line)
{
	struct vm *vm = owner;

	(void)line;
	vm->stats.resamples++;
}

static const struct lapic_hooks lapic_hooks = {
	.now_ns = h_now,
	.kick = h_kick,
	.timer_arm = h_timer_arm,
	.send = h_send,
	.eoi_broadcast = h_eoi_broadcast,
};

/* irq_msg.h: a device's MSI reaches the local APICs whatever the mode; x86 has no device ID. */
static int msi_target_send(struct irq_msi_target *t, uint64_t addr, uint32_t data, uint32_t devid)
{
	struct vm *vm = (struct vm *)(void *)((char *)t - offsetof(struct vm, msi));

	(void)devid;
	return vmm_msi_send(vm, addr, data);
}

static const struct irq_msi_ops msi_target_ops = { .send = msi_target_send };

int vmm_irq_init(struct vm *vm)
{
	vm->msi.ops = &msi_target_ops;
	vm->msi.name = "x86-lapic";
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutex_init(&vm->lock, &a);
	pthread_mutex_init(&vm->console_lock, NULL);
	if (vm->mode == VMM_MODE_KERNEL) {
		ioapic_init(&vm->ioapic_hi, h_msi_deliver, vm);
		ioapic_init(&vm->ioapic_3, h_msi_deliver, vm);
		x86_gsi_init(&vm->gsi, NULL, NULL, &vm->ioapic_hi);
		return 0;
	}
	vm->pv_irqfd = -1;
	if (vm->mode == VMM_MODE_SPLIT) {
		/* KVM's LAPICs: both IOAPICs send MSIs to them (vmm_split.c). */
		ioapic_init(&vm->ioapic, vmm_split_deliver, vm);
		ioapic_init(&vm->ioapic_hi, vmm_split_deliver, vm);
		ioapic_init(&vm->ioapic_3, vmm_split_deliver, vm);
		vmm_split_irqfd_init(vm);
	} else {
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			lapic_init(&vm->lapic[i], i, i == 0, &lapic_hooks, vm);
		apic_bus_init(&vm->bus, vm->lapic, vm->nr_vcpus);
		ioapic_init(&vm->ioapic, h_ioapic_deliver, vm);
		ioapic_init(&vm->ioapic_hi, h_ioapic_deliver, vm);
		ioapic_init(&vm->ioapic_3, h_ioapic_deliver, vm);
	}
	if (VMM_USER_PIC(vm))
		pic_init(&vm->pic, h_pic_intr, vm);
	x86_gsi_init(&vm->gsi, VMM_USER_PIC(vm) ? &vm->pic : NULL, &vm->ioapic, &vm->ioapic_hi);
	for (unsigned l = 0; l < VMM_NR_LINES; l++)
		vm->gsi.chip.ops->set_resample(&vm->gsi.chip, l, h_resample, vm);
	return 0;
}

static int kernel_line(struct vm *vm, unsigned line, unsigned level)
{
	struct kvm_irq_level irq = { .irq = line, .level = level };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
}

int vmm_line_set(struct vm *vm, unsigned line, unsigned op)
{
	struct irq_line l;
	int rc;

	if (line >= VMM_NR_LINES)
		return HV_ERANGE;
	if (vm->mode == VMM_MODE_KERNEL && line < IOAPIC_NR_PINS) {
		if (op == HV_LINE_PULSE)
			rc = kernel_line(vm, line, 1) | kernel_line(vm, line, 0);
		else
			rc = kernel_line(vm, line, op == HV_LINE_RAISE);
		return rc < 0 ? HV_EINVAL : HV_OK;
	}
	pthread_mutex_lock(&vm->lock);
	rc = irq_line_bind(&l, &vm->gsi.chip, line);
	if (!rc)
		rc = op == HV_LINE_PULSE ? irq_line_pulse(&l) : irq_line_set(&l, op == HV_LINE_RAISE);
	pthread_mutex_unlock(&vm->lock);
	return rc;
}


/* The test device's MSI write (ABI MSI_SEND). The userspace modes put the decoded message on the
 * APIC bus as the IOAPIC does: the accepting LAPIC's kick hook wakes or exits its vCPU. */
int vmm_msi_send(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct apic_msg m;
	unsigned taken = 0;

	if (x86_msi_decode(addr, data, &m) != HV_OK)
		return HV_EINVAL;
	vm->stats.msis++;
	if (VMM_LAPIC_IN_KERNEL(vm)) {
		struct kvm_msi msi = { .address_lo = (uint32_t)addr, .data = data };

		/* KVM_SIGNAL_MSI: > 0 delivered, 0 blocked or nobody addressed, < 0 an error. */
		if (ioapic_msi_mode_ok(m.delivery) && ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) > 0)
			taken = 1;
	} else {
		pthread_mutex_lock(&vm->lock);
		taken = apic_bus_send(&vm->bus, APIC_BUS_NO_SRC, &m);
		pthread_mutex_unlock(&vm->lock);
	}
	if (!taken)
		vm->stats.msis_unclaimed++;
	return HV_OK;
}

#define PV_BACKLOG_MAX 1000U   /* a guest that never takes its ticks must not grow this forever */

void vmm_pv_tick(struct vm *vm, uint64_t n)
{
	vm->stats.first_tick = true;
	vm->stats.pv_ticks += n;
	if (VMM_LAPIC_IN_KERNEL(vm)) {
		/* KVM's chips never say when a tick is taken (KVM_IRQ_LINE_STATUS reports delivery to
		 * the LAPIC, even into an IRR bit already set, and an edge vector's EOI does not exit
		 * in split mode either), so ticks merge while a vCPU is not running: both modes with
		 * KVM's LAPIC behave as KVM does. Split mode takes the irqfd when it can (vmm_split.c). */
		if (vm->mode == VMM_MODE_SPLIT && vmm_split_irqfd_tick(vm))
			return;
		vmm_tsc_note_raise(&vm->stats.pv_raise_tsc);
		vmm_line_set(vm, HV_LINE_TIMER, HV_LINE_PULSE);
		return;
	}
	pthread_mutex_lock(&vm->lock);
	if (vm->pv_outstanding) {
		vm->pv_backlog += n;
	} else {
		vm->pv_backlog += n - 1;
		vm->pv_outstanding = true;
		vmm_tsc_note_raise(&vm->stats.pv_raise_tsc);
		vm->gsi.chip.ops->pulse(&vm->gsi.chip, HV_LINE_TIMER);   /* vm->lock is held: the chip op */
	}
	if (vm->pv_backlog > PV_BACKLOG_MAX)
		vm->pv_backlog = PV_BACKLOG_MAX;
	pthread_mutex_unlock(&vm->lock);
}

void vmm_pv_timer_reset(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->pv_backlog = 0;
	vm->pv_outstanding = false;
	pthread_mutex_unlock(&vm->lock);
}

/* Is this vector (just injected) the PV timer's? Through the IOAPIC pin 0 or PIC IRQ 0. */
static bool is_pv_timer_vector(struct vm *vm, int vec, bool from_pic)
{
	uint64_t rte = vm->ioapic.rte[HV_LINE_TIMER];

	if (from_pic)
		return (unsigned)vec == vm->pic.u[0].base;
	return !(rte & IOAPIC_RTE_MASKED) && (unsigned)vec == (rte & IOAPIC_RTE_VECTOR_MASK);
}

/* The tick in flight was taken: send the next one owed, if any. vm->lock held. */
static void pv_tick_taken(struct vm *vm)
{
	vm->pv_outstanding = false;
	if (vm->pv_backlog) {
		vm->pv_backlog--;
		vm->pv_outstanding = true;
		vm->stats.pv_reinjected++;
		vmm_tsc_note_raise(&vm->stats.pv_raise_tsc);
		vm->gsi.chip.ops->pulse(&vm->gsi.chip, HV_LINE_TIMER);
	}
}

void vmm_lapic_timer_fired(struct vm *vm, unsigned idx)
{
	pthread_mutex_lock(&vm->lock);
	lapic_timer_poll(&vm->lapic[idx]);
	pthread_mutex_unlock(&vm->lock);
}

void vmm_kick(struct vcpu *v)
{
	v->vm->stats.kicks_sent++;
	pthread_cond_signal(&v->wake);
	if (atomic_load(&v->in_run))
		pthread_kill(v->thread, VMM_KICK_SIGNAL);   /* see vmm_vcpu.c */
}

/* What the CPU would take now: a LAPIC vector, or the PIC through LINT0 ExtINT. vm->lock held. */
static int pending(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct lapic *l = &vm->lapic[v->idx];
	int vec = lapic_pending_vector(l);

	if (vec != NO_IRQ)
		return vec;
	if (vm->mode == VMM_MODE_USER && lapic_accepts_extint(l) && pic_intr_pending(&vm->pic))
		return EXTINT_PENDING;
	return NO_IRQ;
}

/* Before each KVM_RUN (userspace irqchip): inject one interrupt if the guest can take it now,
 * else ask KVM to exit as soon as it can. vm->lock held by the caller. */
void vmm_inject(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	int vec;

	if (lapic_take_nmi(&vm->lapic[v->idx])) {
		if (ioctl(v->fd, KVM_NMI) == 0)
			vm->stats.nmis++;
	}
	vec = pending(v);
	if (vec == NO_IRQ) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	bool from_pic = vec == EXTINT_PENDING;

	if (from_pic)
		vec = pic_ack(&vm->pic);
	else
		lapic_ack(&vm->lapic[v->idx], (uint8_t)vec);
	if (vm->pv_outstanding && is_pv_timer_vector(vm, vec, from_pic))
		pv_tick_taken(vm);
	struct kvm_interrupt irq = { .irq = (uint32_t)vec };

	if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0) {
		perror("x86-vmm: KVM_INTERRUPT");
		return;
	}
	vm->stats.injected++;
	/* Another one waiting: exit again as soon as the guest can take it. */
	run->request_interrupt_window = pending(v) != NO_IRQ;
}

/* HLT with the userspace irqchip: sleep until something is pending for this vCPU. */
void vmm_halt_wait(struct vcpu *v)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->lock);
	while (!atomic_load(&vm->done) && pending(v) == NO_IRQ && !vm->lapic[v->idx].nmi_pending)
		pthread_cond_wait(&v->wake, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

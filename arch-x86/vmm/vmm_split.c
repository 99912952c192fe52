/* vmm_split.c: the split irqchip (KVM_CAP_SPLIT_IRQCHIP): KVM keeps each vCPU's local APIC, our PIC and
 * IOAPICs stay here; IOAPIC messages reach KVM's LAPICs as MSIs and level EOIs come back as exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"
#include "hv_abi.h"
#include "x86_msi.h"
#include "ioapic_msi.h"

int vmm_split_enable(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP };

	/* args[0]: GSIs 0..N-1 are the userspace IOAPIC's pins; KVM scans only their MSI routes
	 * when it computes each vCPU's EOI-exit bitmap. */
	cap.args[0] = VMM_SPLIT_PINS;
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0) {
		printf("SKIP: split mode: this KVM lacks KVM_CAP_SPLIT_IRQCHIP\n");
		return VMM_KVM_UNUSABLE;
	}
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		printf("SKIP: split mode: KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP, %u) failed (%s)\n", VMM_SPLIT_PINS,
		       strerror(errno));
		return VMM_KVM_UNUSABLE;
	}
	return 0;
}

/* Keep KVM's MSI routes for GSI 0..VMM_SPLIT_PINS-1 equal to the IOAPICs' redirection entries: KVM
 * sets a vector's bit in a vCPU's EOI-exit bitmap when a level route targets that vCPU, so exactly
 * the vectors of level pins come back as KVM_EXIT_IOAPIC_EOI. vm->lock held. Called after every
 * IOAPIC register write and before every delivery (so a route exists before its first message). */
void vmm_split_routes_update(struct vm *vm)
{
	uint32_t addr[VMM_SPLIT_PINS], data[VMM_SPLIT_PINS];
	bool changed = false;
	struct kvm_irq_routing *r;
	unsigned n = 0;

	for (unsigned p = 0; p < VMM_SPLIT_PINS; p++) {
		const struct ioapic *io = vmm_ioapic(vm, p / IOAPIC_NR_PINS);

		/* ioapic_msi.h: masked edge pins, refused modes and illegal vectors get no route. */
		if (!ioapic_rte_route(io->rte[p % IOAPIC_NR_PINS], &addr[p], &data[p]))
			addr[p] = data[p] = 0;
		changed |= addr[p] != vm->split_route[p].addr || data[p] != vm->split_route[p].data;
	}
	if (!changed)
		return;
	r = calloc(1, sizeof(*r) + VMM_SPLIT_PINS * sizeof(r->entries[0]));
	if (!r) {
		perror("x86-vmm: split routes");
		return;
	}
	for (unsigned p = 0; p < VMM_SPLIT_PINS; p++) {
		if (!addr[p])
			continue;
		r->entries[n].gsi = p;
		r->entries[n].type = KVM_IRQ_ROUTING_MSI;
		r->entries[n].u.msi.address_lo = addr[p];
		r->entries[n].u.msi.data = data[p];
		n++;
	}
	r->nr = n;
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0) {
		perror("x86-vmm: KVM_SET_GSI_ROUTING");
	} else {
		for (unsigned p = 0; p < VMM_SPLIT_PINS; p++) {
			vm->split_route[p].addr = addr[p];
			vm->split_route[p].data = data[p];
		}
		vm->stats.split_routes++;
	}
	free(r);
	vmm_split_irqfd_update(vm);
}

/*
 * The PV timer is the one device raised from another thread (the event thread). Through an irqfd on
 * GSI 0 its tick is an eventfd write that KVM turns into the MSI of GSI 0's route: no VMM lock, no
 * ioctl, and no userspace exit of the target vCPU. It bypasses our chips, so it is used only while
 * that is exactly what they would do: the PIC cannot take IRQ 0 (masked in IMR) and IOAPIC pin 0 is
 * an unmasked edge (a masked edge pin has no route: KVM would drop the tick, as the 82093AA does).
 * Level lines would need a resamplefd, which KVM refuses with a split irqchip (kvm_arch_irqfd_allowed:
 * resample only with the whole irqchip in the kernel); their EOIs come as KVM_EXIT_IOAPIC_EOI instead.
 */
void vmm_split_irqfd_init(struct vm *vm)
{
	struct kvm_irqfd irqfd = { .gsi = HV_LINE_TIMER };

	vm->pv_irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->pv_irqfd < 0) {
		perror("x86-vmm: PV timer eventfd (ticks take the KVM_SIGNAL_MSI path)");
		return;
	}
	irqfd.fd = (uint32_t)vm->pv_irqfd;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
		perror("x86-vmm: KVM_IRQFD (ticks take the KVM_SIGNAL_MSI path)");
		close(vm->pv_irqfd);
		vm->pv_irqfd = -1;
	}
}

void vmm_split_irqfd_update(struct vm *vm)
{
	uint64_t rte = vm->ioapic.rte[HV_LINE_TIMER];
	bool pic_blocks = (vm->pic.u[0].imr & (1U << HV_LINE_TIMER)) != 0;
	bool edge_on = !(rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL));

	atomic_store(&vm->pv_irqfd_on, vm->mode == VMM_MODE_SPLIT && vm->pv_irqfd >= 0 && pic_blocks && edge_on &&
		     vm->split_route[HV_LINE_TIMER].addr != 0);
}

bool vmm_split_irqfd_tick(struct vm *vm)
{
	uint64_t one = 1;

	if (!atomic_load(&vm->pv_irqfd_on))
		return false;
	vmm_tsc_note_raise(&vm->stats.pv_raise_tsc);
	if (write(vm->pv_irqfd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return false;
	vm->stats.pv_irqfd_ticks++;
	return true;
}

/* The IOAPICs' deliver hook in split mode (vm->lock held): the message goes to KVM's LAPICs as the
 * MSI it encodes. Returns how many took it, so a level pin sets remote IRR only when one did. */
unsigned vmm_split_deliver(void *ctx, const struct apic_msg *m)
{
	struct vm *vm = ctx;
	struct kvm_msi msi = { 0 };
	int rc;

	if (!ioapic_msi_mode_ok(m->delivery))
		return 0;
	vmm_split_routes_update(vm);
	x86_msi_encode(m, &msi.address_lo, &msi.data);
	vm->stats.split_msis++;
	rc = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);
	return rc > 0 ? (unsigned)rc : 0;
}

/* KVM_EXIT_IOAPIC_EOI: KVM's LAPIC ended a vector a level route names. Broadcast it to every IOAPIC
 * as the userspace LAPIC does: remote IRR clears, the line is resampled and re-sent if still high. */
void vmm_split_eoi(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint8_t vector = v->run->eoi.vector;

	uint64_t t;

	vmm_count_exit(vm, EX_IOAPIC_EOI);
	t = vmm_scale_lock(vm);
	for (unsigned n = 0; n < VMM_NR_IOAPICS; n++)
		ioapic_eoi(vmm_ioapic(vm, n), vector);
	vmm_scale_unlock(vm, t);
}

/* Before each KVM_RUN in split mode, vm->lock held: the PIC's INTR reaches the BSP's LINT0 (virtual
 * wire). KVM's LAPIC takes an ExtINT vector through KVM_INTERRUPT, and sets
 * ready_for_interrupt_injection only when LINT0 accepts ExtINT, IF=1 and no ExtINT is still queued;
 * otherwise we ask for the interrupt window and KVM exits when it opens. The INTA is ours. */
void vmm_split_inject(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	struct kvm_interrupt irq;

	if (v->idx != 0 || !pic_intr_pending(&vm->pic)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	irq.irq = (uint32_t)pic_ack(&vm->pic);
	if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0) {
		perror("x86-vmm: KVM_INTERRUPT (ExtINT)");
		return;
	}
	vm->stats.injected++;
	run->request_interrupt_window = pic_intr_pending(&vm->pic);
}

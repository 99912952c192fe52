/* vmm_io.c: port I/O and MMIO exits: the ABI port, the PIC and ELCR, the LAPIC and IOAPIC pages.
 * Anything else is an open bus: reads return all ones, writes are dropped, both are counted. */
#include <string.h>

#include "vmm.h"
#include "hv_abi.h"

#define OPEN_BUS 0xFFFFFFFFU
#define OPEN_BUS_BYTE 0xFF

static bool is_elcr(uint16_t port)
{
	return port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE;
}

void vmm_handle_io(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	uint16_t port = run->io.port;
	unsigned size = run->io.size;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool chip = VMM_USER_PIC(vm) && pic_handles_port(port);

	if (port == HV_X86_ABI_PORT && out) {
		vmm_count_exit(vm, EX_IO_ABI);
		vmm_abi_call(v);
		return;
	}
	vmm_count_exit(vm, chip ? (is_elcr(port) ? EX_IO_ELCR : EX_IO_PIC) : EX_IO_OTHER);
	/* KVM hands string I/O (rep ins/outs) over as `count` elements in one buffer. */
	for (unsigned i = 0; i < run->io.count; i++, data += size) {
		uint32_t val = OPEN_BUS;

		if (!chip) {
			if (!out)
				memcpy(data, &val, size);
			continue;
		}
		pthread_mutex_lock(&vm->lock);
		if (out) {
			memcpy(&val, data, size);
			pic_io_write(&vm->pic, port, size, val);
			if (vm->mode == VMM_MODE_SPLIT)
				vmm_split_irqfd_update(vm);   /* IMR decides whether the PIC needs IRQ 0 */
		} else {
			pic_io_read(&vm->pic, port, size, &val);
			memcpy(data, &val, size);
		}
		pthread_mutex_unlock(&vm->lock);
	}
}

void vmm_handle_mmio(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	uint64_t addr = run->mmio.phys_addr;
	unsigned len = run->mmio.len;
	bool wr = run->mmio.is_write;
	uint32_t val = 0;
	bool user_lapic = !VMM_LAPIC_IN_KERNEL(vm);

	if (user_lapic && addr >= LAPIC_BASE && addr - LAPIC_BASE < LAPIC_MMIO_SIZE) {
		struct lapic *l = &vm->lapic[v->idx];   /* each CPU sees its own LAPIC at the same address */
		uint64_t t;

		vmm_count_exit(vm, EX_MMIO_LAPIC);
		t = vmm_scale_lock(vm);   /* an EOI write runs the IOAPIC's EOI and the devices' resample */
		if (wr) {
			memcpy(&val, run->mmio.data, len < sizeof(val) ? len : sizeof(val));
			lapic_mmio_write(l, addr - LAPIC_BASE, len, val);
			/* A deadline already due (a guest catching up arms "now + 1 ns") fires here, on
			 * this vCPU, instead of waiting for the event thread to be scheduled. */
			lapic_timer_poll(l);
		} else {
			lapic_mmio_read(l, addr - LAPIC_BASE, len, &val);
		}
		vmm_scale_unlock(vm, t);
	} else if (addr >= IOAPIC_BASE && addr - IOAPIC_BASE < VMM_NR_IOAPICS * IOAPIC_MMIO_SIZE &&
		   vmm_ioapic(vm, (unsigned)((addr - IOAPIC_BASE) / IOAPIC_MMIO_SIZE))) {
		/* IOAPIC n at IOAPIC_BASE + n * 4 KiB; KVM's own (kernel mode, n = 0) never exits here. */
		struct ioapic *io = vmm_ioapic(vm, (unsigned)((addr - IOAPIC_BASE) / IOAPIC_MMIO_SIZE));
		uint64_t off = (addr - IOAPIC_BASE) % IOAPIC_MMIO_SIZE;

		vmm_count_exit(vm, EX_MMIO_IOAPIC);
		pthread_mutex_lock(&vm->lock);
		if (wr) {
			memcpy(&val, run->mmio.data, len < sizeof(val) ? len : sizeof(val));
			ioapic_mmio_write(io, off, len, val);
			if (vm->mode == VMM_MODE_SPLIT)
				vmm_split_routes_update(vm);   /* KVM's EOI-exit bitmap follows the RTEs */
		} else {
			ioapic_mmio_read(io, off, len, &val);
		}
		pthread_mutex_unlock(&vm->lock);
	} else {
		vmm_count_exit(vm, EX_MMIO_OTHER);
		if (!wr)
			memset(run->mmio.data, OPEN_BUS_BYTE, sizeof(run->mmio.data));
		return;
	}
	if (!wr) {
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &val, len < sizeof(val) ? len : sizeof(val));
	}
}

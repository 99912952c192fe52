/* vm.h: the guest VMs (one, or two sharing the CPUs): each has its vgic instance, ITS, stage 2 and VMID,
 * its vCPUs (a slice of vcpus[]), its test-device lines and console. vm_init() runs on the boot CPU. */
#ifndef HYP_VM_H
#define HYP_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "hyp.h"
#include "spinlock.h"
#include "vgic.h"
#include "vgic_its.h"
#include "pci.h"

struct vcpu;

#define VM_CONSOLE_LINE 240U   /* an emulated console's line buffer: a longer line goes out in pieces */

struct vm {
	uint32_t index;                 /* 0 or 1; the VMID is index + 1 */
	struct vgic vgic;
	struct vgic_its its;
	uint64_t its_base;              /* the ITS's IPA; 0: the guest's device tree has none */
	struct vcpu *vcpu;              /* its vCPUs: vcpu[0..nr_vcpus) inside vcpus[] */
	uint32_t nr_vcpus;
	/* Memory: guest RAM at GUEST_RAM_IPA, backed by host RAM at ram_pa; stage 2 and its VTTBR. */
	uint64_t ram_pa, ram_size;
	uint64_t vttbr;
	/* The UART: passed through (one VM) or emulated line by line with a "[vmN] " prefix (two). */
	bool console_emulated;
	struct spinlock console_lock;
	uint32_t console_len;
	char console_line[VM_CONSOLE_LINE];
	uint32_t uart_vintid, uart_pintid; /* the forwarded UART interrupt; 0 while not forwarded */
	/* Its PCIe bus (the first VM, with hyp.disk): the virtio-blk disk, pci.h. */
	struct pci_bus pci;
	/* The end of this VM's run (HALT, SYSTEM_OFF, a fatal fault): the run ends when every VM has. */
	volatile uint32_t ended;
	uint32_t status;
};

extern struct vm vms[HYP_MAX_VMS];
extern uint32_t hyp_nr_vms;

static inline uint32_t vm_vmid(const struct vm *vm)
{
	return vm->index + 1U;
}

/* The vgic instance with its HW-mapped timers, the LPIs and ITS if the device tree has one. */
int vm_init(struct vm *vm);
/* vm_init without the HW mappings (a restore brings them back); and the instance poisoned. */
int vm_vgic_create(struct vm *vm);
void vm_vgic_destroy(struct vm *vm);
int vm_cpu_init(uint32_t cpu);
/* Guest physical (IPA) range inside vm's RAM -> hypervisor pointer; NULL if any byte is outside. */
void *vm_ram_ptr(const struct vm *vm, uint64_t ipa, uint64_t len);
/* HW-map the guest's UART SPI vintid to the physical pintid and route that to CPU 0; a 0 skips it. */
int vm_forward_uart(struct vm *vm, uint32_t vintid, uint32_t pintid);
/* irq_poll(): if pintid is a VM's forwarded UART, inject it (left active) and return true. */
bool vm_forward_spi(uint32_t pintid);
/* ABI LINE_SET: drive test-device line 1..31 (HV_LINE_LOWER/RAISE/PULSE). */
int vm_line_set(struct vm *vm, uint32_t line, uint32_t op);
/* ABI MSI_SEND: the test device's message to the ITS. */
int vm_msi_send(struct vm *vm, uint64_t addr, uint64_t data);
/* The paravirtual timer's line 0 fired. */
void vm_timer_line_pulse(struct vm *vm);
/* Text the guest wrote (UART or CONSOLE_WRITE): straight out, or line-buffered under its prefix. */
void vm_console_write(struct vm *vm, const char *s, uint64_t len);
/* The emulated UART (two VMs): a PL011 with an always-ready transmitter; false if off not in it. */
bool vm_uart_access(struct vm *vm, uint64_t ipa, bool write, uint64_t *val);
/* Give vm the PCI disk: a virtio-blk device over the image at host PA [pa, pa + size), one queue per
 * vCPU, its MSIs to the VM's ITS. */
int vm_disk_init(struct vm *vm, uint64_t pa, uint64_t size);
/* End vm's part of the run with status; with one VM that ends the run. Returns (the caller's vCPU
 * is off now) unless it was the last VM. */
void vm_end(struct vm *vm, unsigned status, const char *why);

#endif

/* vm.c: the guest VMs: each one's vgic and the hooks the core calls (the spin-wait relax, kicks, DIR, print,
 * guest memory), its RAM, test-device lines and console, and the end of its part of the run.
 * The EL1 timers and the UART are HW-mapped, so the guest's deactivation reaches the physical GIC. */
#include <string.h>
#include "vm.h"
#include "gic.h"
#include "hv_abi.h"
#include "hyp.h"
#include "ich_backend.h"
#include "platform.h"
#include "pl011.h"
#include "spinlock.h"
#include "vcpu.h"
#include "fdt_guest.h"
#include "sched.h"

#define GIC_NR_PRIVATE_INTIDS 32U   /* SGIs and PPIs: banked per CPU */

struct vm vms[HYP_MAX_VMS];
uint32_t hyp_nr_vms = 1;
static struct vgic_vcpu vgic_vcpus[HYP_MAX_VMS][HYP_MAX_CPUS];
static struct vgic_irq vgic_spis[HYP_MAX_VMS][GUEST_NR_SPIS];
static struct vgic_irq vgic_lpis[HYP_MAX_VMS][GUEST_NR_LPIS];
static struct spinlock end_lock;
static struct vblk vm_disk;
#define VM_POISON 0xa5

/* The core spins inline on its own locks (the same test-and-set as spinlock.h); this runs only while another CPU holds one. */
static void hook_relax(void *ctx)
{
	(void)ctx;
	__asm__ volatile("yield" ::: "memory");
}

/* The target vCPU runs (or waits) on physical CPU id: an SGI makes it exit or wakes its WFI. */
static void hook_kick(void *ctx, struct vgic_vcpu *v)
{
	struct vm *vm = ctx;

	if (sched_enabled()) {
		sched_kick(&vm->vcpu[v->id]);
		return;
	}
	if (v->id == hyp_cpu_index())
		return; /* we are that vCPU, at EL2: the next entry flushes anyway */
	/* Its CPU at EL2 (an exit, or off) flushes before it enters again: no SGI, no exit for nothing.
	 * The barrier pairs with vcpu_set_mode(): the interrupt is queued before the mode is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm->vcpu[v->id].mode, __ATOMIC_RELAXED) == VCPU_MODE_EL2)
		return;
	gic_send_sgi(pcpus[v->id].mpidr, HYP_SGI_KICK);
}

/*
 * One vCPU per physical CPU, so the owner's id is the CPU that acknowledged the
 * physical interrupt. Usually that is us (a sync or trapped DIR on the owner);
 * a GICR_ICACTIVER0 write into another vCPU's frame is not.
 */
static void hook_phys_deactivate(void *ctx, struct vgic_vcpu *owner, uint32_t pintid)
{
	struct vm *vm = ctx;

	if (sched_enabled() && owner && pintid < GIC_NR_PRIVATE_INTIDS) {
		sched_phys_deactivate(&vm->vcpu[owner->id], pintid);
		return;
	}
	gic_deactivate_on(owner ? owner->id : hyp_cpu_index(), pintid);
}

static void hook_print(void *ctx, const char *s)
{
	(void)ctx;
	hyp_puts(s);
}

/* The LPI tables and the ITS's live in guest RAM, which the hypervisor maps cacheable like the guest. */
static int hook_guest_read(void *ctx, uint64_t gpa, void *buf, uint32_t len)
{
	const void *p = vm_ram_ptr(ctx, gpa, len);

	if (!p)
		return HV_ERANGE;
	memcpy(buf, p, len);
	return HV_OK;
}

static int hook_guest_write(void *ctx, uint64_t gpa, const void *buf, uint32_t len)
{
	void *p = vm_ram_ptr(ctx, gpa, len);

	if (!p)
		return HV_ERANGE;
	memcpy(p, buf, len);
	return HV_OK;
}

static const struct vgic_hooks hyp_hooks = {
	.spin_locks = true,
	.relax = hook_relax,
	.kick = hook_kick,
	.phys_deactivate = hook_phys_deactivate,
	.print = hook_print,
	.guest_read = hook_guest_read,
	.guest_write = hook_guest_write,
};

void *vm_ram_ptr(const struct vm *vm, uint64_t ipa, uint64_t len)
{
	if (ipa < GUEST_RAM_IPA || len > vm->ram_size || ipa - GUEST_RAM_IPA > vm->ram_size - len)
		return NULL;
	return (void *)(uintptr_t)(vm->ram_pa + (ipa - GUEST_RAM_IPA));
}

/* The vgic instance, its LPIs and its ITS, with no interrupt state yet (boot, and a checkpoint's
 * fresh instance). */
int vm_vgic_create(struct vm *vm)
{
	struct vgic_config cfg = { .nr_vcpus = vm->nr_vcpus, .nr_spis = GUEST_NR_SPIS, .prio_bits = 0 };
	int rc = vgic_init(&vm->vgic, &cfg, &hyp_hooks, vm, vgic_vcpus[vm->index], vgic_spis[vm->index]);

	for (uint32_t i = 0; rc == HV_OK && i < vm->nr_vcpus; i++)
		rc = vgic_vcpu_set_mpidr(&vm->vgic, i, vm->vcpu[i].mpidr);
	/* LPIs and one ITS, where the guest's device tree puts it (none: no LPIs either). */
	vm->its_base = fdt_guest_its_base();
	if (rc == HV_OK && vm->its_base) {
		rc = vgic_lpi_init(&vm->vgic, vgic_lpis[vm->index], GUEST_NR_LPIS);
		if (rc == HV_OK)
			rc = vgic_its_init(&vm->its, &vm->vgic);
	}
	return rc;
}

/* Tear the instance down for good: poison everything, so a restore that leaned on old state fails. */
void vm_vgic_destroy(struct vm *vm)
{
	memset(&vm->vgic, VM_POISON, sizeof(vm->vgic));
	memset(&vm->its, VM_POISON, sizeof(vm->its));
	memset(vgic_vcpus[vm->index], VM_POISON, sizeof(vgic_vcpus[vm->index]));
	memset(vgic_spis[vm->index], VM_POISON, sizeof(vgic_spis[vm->index]));
	memset(vgic_lpis[vm->index], VM_POISON, sizeof(vgic_lpis[vm->index]));
}

int vm_init(struct vm *vm)
{
	int rc = vm_vgic_create(vm);

	for (uint32_t i = 0; rc == HV_OK && i < vm->nr_vcpus; i++) {
		rc = vgic_irq_map_hw(&vm->vgic, i, PPI_VTIMER, PPI_VTIMER);
		if (rc == HV_OK)
			rc = vgic_irq_map_hw(&vm->vgic, i, PPI_PTIMER, PPI_PTIMER);
	}
	return rc;
}

int vm_cpu_init(uint32_t cpu)
{
	struct pcpu *p = &pcpus[cpu];
	int rc;

	ich_backend_init(&p->be);
	/* Scheduling: vCPUs come and go (vgic_vcpu_load_on); this CPU's LR knowledge lives in cpu_if. */
	if (sched_enabled())
		return vgic_cpu_if_init(&p->cpu_if, &p->be);
	/* One VM, one vCPU per CPU, for good. */
	rc = vgic_vcpu_set_backend(&vms[0].vgic, cpu, &p->be);
	if (rc == HV_OK)
		rc = vgic_vcpu_load(&vms[0].vgic, cpu);
	return rc;
}

/*
 * The PL011 is passed through, so its interrupt must be too: a guest tty (Linux's shell) waits for
 * RX and TX interrupts. Physically the SPI goes to CPU 0 whatever the guest routes: the core sends
 * the virtual one to the vCPU the guest chose and kicks it, and the HW LR's deactivation reaches an
 * SPI in the distributor from any CPU.
 */
int vm_forward_uart(struct vm *vm, uint32_t vintid, uint32_t pintid)
{
	int rc;

	if (!vintid || !pintid)
		return HV_OK;
	rc = vgic_irq_map_hw(&vm->vgic, 0, vintid, pintid);
	if (rc != HV_OK)
		return rc;
	vm->uart_vintid = vintid;
	vm->uart_pintid = pintid;
	gic_spi_route(pintid, pcpus[0].mpidr);
	return HV_OK;
}

bool vm_forward_spi(uint32_t pintid)
{
	for (uint32_t i = 0; i < hyp_nr_vms; i++) {
		struct vm *vm = &vms[i];

		if (!vm->uart_pintid || pintid != vm->uart_pintid)
			continue;
		/* A level: the core moves it into a HW LR and lowers it there; the next assertion after
		 * the guest's deactivation is a new physical interrupt. */
		vgic_inject(&vm->vgic, 0, vm->uart_vintid, true);
		return true;
	}
	return false;
}

int vm_line_set(struct vm *vm, uint32_t line, uint32_t op)
{
	struct irq_line l;

	if (line == HV_LINE_TIMER || line >= HV_NR_LINES)
		return HV_ABI_INVALID_PARAM;
	if (irq_line_bind(&l, vgic_spi_chip(&vm->vgic), line) != HV_OK)
		return HV_ABI_INVALID_PARAM;
	switch (op) {
	case HV_LINE_LOWER:
		return irq_line_lower(&l) == HV_OK ? HV_ABI_OK : HV_ABI_INVALID_PARAM;
	case HV_LINE_RAISE:
		return irq_line_raise(&l) == HV_OK ? HV_ABI_OK : HV_ABI_INVALID_PARAM;
	case HV_LINE_PULSE:
		return irq_line_pulse(&l) == HV_OK ? HV_ABI_OK : HV_ABI_INVALID_PARAM;
	default:
		return HV_ABI_INVALID_PARAM;
	}
}

void vm_timer_line_pulse(struct vm *vm)
{
	struct irq_line l;

	if (vm->ended)
		return;
	if (irq_line_bind(&l, vgic_spi_chip(&vm->vgic), HV_LINE_TIMER) == HV_OK)
		irq_line_pulse(&l);
}

/*
 * ABI MSI_SEND: the test device (DeviceID HV_MSI_TEST_DEVID) writes data to address. The only
 * address an arm64 guest can program into it is its ITS's GITS_TRANSLATER; a message the ITS drops
 * (unmapped, disabled) is still a completed bus write.
 */
int vm_msi_send(struct vm *vm, uint64_t addr, uint64_t data)
{
	if (!vm->its_base || addr != vm->its_base + GITS_TRANSLATER_OFFSET || data > UINT32_MAX)
		return HV_ABI_INVALID_PARAM;
	(void)vgic_its_send_msi(&vm->its, HV_MSI_TEST_DEVID, (uint32_t)data);
	return HV_ABI_OK;
}

/* Out under the VM's prefix, whole lines only, so that two VMs' output never mixes within a line. */
static void console_flush_locked(struct vm *vm)
{
	vm->console_line[vm->console_len] = 0;
	hyp_printf("[vm%u] %s\n", vm->index, vm->console_line);
	vm->console_len = 0;
}

void vm_console_write(struct vm *vm, const char *s, uint64_t len)
{
	char chunk[VM_CONSOLE_LINE];

	if (!vm->console_emulated) {
		while (len) {
			uint32_t n = len < sizeof(chunk) - 1 ? (uint32_t)len : (uint32_t)sizeof(chunk) - 1;

			for (uint32_t i = 0; i < n; i++)
				chunk[i] = s[i] ? s[i] : ' '; /* a NUL would end the string early */
			chunk[n] = 0;
			hyp_puts(chunk);
			s += n;
			len -= n;
		}
		return;
	}
	spin_lock(&vm->console_lock);
	for (uint64_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			console_flush_locked(vm);
			continue;
		}
		/* Printable ASCII only: the guest is not trusted with the terminal. */
		vm->console_line[vm->console_len++] = c >= ' ' && c < 0x7f ? c : '.';
		if (vm->console_len == VM_CONSOLE_LINE - 1U)
			console_flush_locked(vm);
	}
	spin_unlock(&vm->console_lock);
}

bool vm_uart_access(struct vm *vm, uint64_t ipa, bool write, uint64_t *val)
{
	uint64_t off = ipa - platform.uart_base;
	char c;

	if (!vm->console_emulated || off >= PL011_SIZE)
		return false;
	if (write) {
		if (off == PL011_DR) {
			c = (char)(*val & 0xffU);
			vm_console_write(vm, &c, 1);
		}
		return true;   /* every other register: writes ignored */
	}
	/* Always ready to send, never anything received. */
	*val = off == PL011_FR ? PL011_FR_TXFE | PL011_FR_RXFE : 0;
	return true;
}

void vm_end(struct vm *vm, unsigned status, const char *why)
{
	uint32_t all = 1, first_bad = 0;

	if (hyp_nr_vms == 1)
		hyp_end_run(status, why);
	spin_lock(&end_lock);
	if (vm->ended) {
		spin_unlock(&end_lock);
		return;
	}
	vm->status = status;
	__atomic_store_n(&vm->ended, 1U, __ATOMIC_RELEASE);
	for (uint32_t i = 0; i < hyp_nr_vms; i++) {
		all &= vms[i].ended;
		if (vms[i].ended && vms[i].status && !first_bad)
			first_bad = vms[i].status;
	}
	spin_unlock(&end_lock);
	spin_lock(&vm->console_lock);
	if (vm->console_len)
		console_flush_locked(vm);
	spin_unlock(&vm->console_lock);
	hyp_printf("hyp: vm%u ended: status %u (%s)\n", vm->index, status, why);
	/* Its vCPUs stop where they are: each sees the state at its next exit, which the kick forces. */
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		__atomic_store_n(&vm->vcpu[i].power, VCPU_OFF, __ATOMIC_RELEASE);
		sched_kick(&vm->vcpu[i]);
	}
	if (all)
		hyp_end_run(first_bad, first_bad ? "every VM ended; the status is the first VM's that failed"
						 : "every VM ended with status 0");
}

static void *disk_ram_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	return vm_ram_ptr(ctx, gpa, len);
}

int vm_disk_init(struct vm *vm, uint64_t pa, uint64_t size)
{
	if (!size)
		return HV_OK;
	if (!vm->its_base)
		return HV_ENODEV;   /* its MSIs need the ITS: the device tree's msi-map names it */
	vm_disk.disk = (const uint8_t *)(uintptr_t)pa;
	vm_disk.disk_bytes = size;
	vm_disk.ram_ptr = disk_ram_ptr;
	vm_disk.ram_ctx = vm;
	vm_disk.msi = vgic_its_msi_target(&vm->its, vm->its_base);
	vm_disk.devid = PCI_DISK_RID;
	vm_disk.nr_queues = (uint16_t)(vm->nr_vcpus < VBLK_MAX_QUEUES ? vm->nr_vcpus : VBLK_MAX_QUEUES);
	vblk_init(&vm_disk);
	vm->pci.disk = &vm_disk;
	return HV_OK;
}

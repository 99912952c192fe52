/* vm.c: the guest VM's vgic and the hooks the core calls: spinlocks, kicks by physical SGI, DIR, print.
 * The EL1 timers and the UART are HW-mapped, so the guest's deactivation reaches the physical GIC. */
#include <string.h>
#include "vm.h"
#include "gic.h"
#include "mmu.h"
#include "hv_abi.h"
#include "hyp.h"
#include "ich_backend.h"
#include "spinlock.h"
#include "vcpu.h"
#include "fdt_guest.h"
#include "sched.h"

#define GIC_NR_PRIVATE_INTIDS 32U   /* SGIs and PPIs: banked per CPU */

struct vgic hyp_vgic;
struct vgic_its hyp_its;
uint64_t hyp_its_base;
static struct vgic_vcpu vgic_vcpus[HYP_MAX_CPUS];
static struct vgic_irq vgic_spis[GUEST_NR_SPIS];
static struct vgic_irq vgic_lpis[GUEST_NR_LPIS];
#define VM_POISON 0xa5
/* The UART's SPI as the guest sees it and as the GIC raises it; 0 while not forwarded. */
static uint32_t uart_vintid, uart_pintid;

static void hook_lock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	spin_lock_word(&l->word);
}

static void hook_unlock(void *ctx, vgic_lock_t *l)
{
	(void)ctx;
	spin_unlock_word(&l->word);
}

/* The target vCPU runs (or waits) on physical CPU id: an SGI makes it exit or wakes its WFI. */
static void hook_kick(void *ctx, struct vgic_vcpu *v)
{
	(void)ctx;
	if (sched_enabled()) {
		sched_kick(&vcpus[v->id]);
		return;
	}
	if (v->id == hyp_cpu_index())
		return; /* we are that vCPU, at EL2: the next entry flushes anyway */
	gic_send_sgi(pcpus[v->id].mpidr, HYP_SGI_KICK);
}

/*
 * One vCPU per physical CPU, so the owner's id is the CPU that acknowledged the
 * physical interrupt. Usually that is us (a sync or trapped DIR on the owner);
 * a GICR_ICACTIVER0 write into another vCPU's frame is not.
 */
static void hook_phys_deactivate(void *ctx, struct vgic_vcpu *owner, uint32_t pintid)
{
	(void)ctx;
	if (sched_enabled() && owner && pintid < GIC_NR_PRIVATE_INTIDS) {
		sched_phys_deactivate(&vcpus[owner->id], pintid);
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
	const void *p = mmu_guest_ram_ptr(gpa, len);

	(void)ctx;
	if (!p)
		return HV_ERANGE;
	memcpy(buf, p, len);
	return HV_OK;
}

static int hook_guest_write(void *ctx, uint64_t gpa, const void *buf, uint32_t len)
{
	void *p = mmu_guest_ram_ptr(gpa, len);

	(void)ctx;
	if (!p)
		return HV_ERANGE;
	memcpy(p, buf, len);
	return HV_OK;
}

static const struct vgic_hooks hyp_hooks = {
	.lock = hook_lock,
	.unlock = hook_unlock,
	.kick = hook_kick,
	.phys_deactivate = hook_phys_deactivate,
	.print = hook_print,
	.guest_read = hook_guest_read,
	.guest_write = hook_guest_write,
};

/* The vgic instance, its LPIs and its ITS, with no interrupt state yet (boot, and a checkpoint's
 * fresh instance). */
int vm_vgic_create(uint32_t nr_vcpus)
{
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus, .nr_spis = GUEST_NR_SPIS, .prio_bits = 0 };
	int rc = vgic_init(&hyp_vgic, &cfg, &hyp_hooks, NULL, vgic_vcpus, vgic_spis);

	for (uint32_t i = 0; rc == HV_OK && i < nr_vcpus; i++)
		rc = vgic_vcpu_set_mpidr(&hyp_vgic, i, vcpus[i].mpidr);
	/* LPIs and one ITS, where the guest's device tree puts it (none: no LPIs either). */
	hyp_its_base = fdt_guest_its_base();
	if (rc == HV_OK && hyp_its_base) {
		rc = vgic_lpi_init(&hyp_vgic, vgic_lpis, GUEST_NR_LPIS);
		if (rc == HV_OK)
			rc = vgic_its_init(&hyp_its, &hyp_vgic);
	}
	return rc;
}

/* Tear the instance down for good: poison everything, so a restore that leaned on old state fails. */
void vm_vgic_destroy(void)
{
	memset(&hyp_vgic, VM_POISON, sizeof(hyp_vgic));
	memset(&hyp_its, VM_POISON, sizeof(hyp_its));
	memset(vgic_vcpus, VM_POISON, sizeof(vgic_vcpus));
	memset(vgic_spis, VM_POISON, sizeof(vgic_spis));
	memset(vgic_lpis, VM_POISON, sizeof(vgic_lpis));
}

int vm_init(uint32_t nr_vcpus)
{
	int rc = vm_vgic_create(nr_vcpus);

	for (uint32_t i = 0; rc == HV_OK && i < nr_vcpus; i++) {
		rc = vgic_irq_map_hw(&hyp_vgic, i, PPI_VTIMER, PPI_VTIMER);
		if (rc == HV_OK)
			rc = vgic_irq_map_hw(&hyp_vgic, i, PPI_PTIMER, PPI_PTIMER);
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
	rc = vgic_vcpu_set_backend(&hyp_vgic, cpu, &p->be);
	if (rc == HV_OK)
		rc = vgic_vcpu_load(&hyp_vgic, cpu);
	return rc;
}

/*
 * The PL011 is passed through, so its interrupt must be too: a guest tty (Linux's shell) waits for
 * RX and TX interrupts. Physically the SPI goes to CPU 0 whatever the guest routes: the core sends
 * the virtual one to the vCPU the guest chose and kicks it, and the HW LR's deactivation reaches an
 * SPI in the distributor from any CPU.
 */
int vm_forward_uart(uint32_t vintid, uint32_t pintid)
{
	int rc;

	if (!vintid || !pintid)
		return HV_OK;
	rc = vgic_irq_map_hw(&hyp_vgic, 0, vintid, pintid);
	if (rc != HV_OK)
		return rc;
	uart_vintid = vintid;
	uart_pintid = pintid;
	gic_spi_route(pintid, pcpus[0].mpidr);
	return HV_OK;
}

bool vm_forward_spi(uint32_t pintid)
{
	if (!uart_pintid || pintid != uart_pintid)
		return false;
	/* A level: the core moves it into a HW LR and lowers it there; the next assertion after the
	 * guest's deactivation is a new physical interrupt. */
	vgic_inject(&hyp_vgic, 0, uart_vintid, true);
	return true;
}

int vm_line_set(uint32_t line, uint32_t op)
{
	struct irq_line l;

	if (line == HV_LINE_TIMER || line >= HV_NR_LINES)
		return HV_ABI_INVALID_PARAM;
	if (irq_line_bind(&l, vgic_spi_chip(&hyp_vgic), line) != HV_OK)
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

void vm_timer_line_pulse(void)
{
	struct irq_line l;

	if (irq_line_bind(&l, vgic_spi_chip(&hyp_vgic), HV_LINE_TIMER) == HV_OK)
		irq_line_pulse(&l);
}

/*
 * ABI MSI_SEND: the test device (DeviceID HV_MSI_TEST_DEVID) writes data to address. The only
 * address an arm64 guest can program into it is its ITS's GITS_TRANSLATER; a message the ITS drops
 * (unmapped, disabled) is still a completed bus write.
 */
int vm_msi_send(uint64_t addr, uint64_t data)
{
	if (!hyp_its_base || addr != hyp_its_base + GITS_TRANSLATER_OFFSET || data > UINT32_MAX)
		return HV_ABI_INVALID_PARAM;
	(void)vgic_its_send_msi(&hyp_its, HV_MSI_TEST_DEVID, (uint32_t)data);
	return HV_ABI_OK;
}

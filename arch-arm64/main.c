/* main.c: bring-up: the boot CPU reads the DTB, sets up the GIC, each VM's stage 2, vgic and DTB,
 * starts the other CPUs through PSCI, then every CPU enters the run loop (its own vCPU, or the scheduler). */
#include "bootparams.h"
#include "storm.h"
#include "sched.h"
#include "fdt_guest.h"
#include "gic.h"
#include "linux_image.h"
#include "mmu.h"
#include "platform.h"
#include "psci.h"
#include "sysreg.h"
#include "vcpu.h"
#include "vm.h"

#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | \
		   HCR_TWI | HCR_TWE | HCR_TSC | HCR_RW | HCR_APK | HCR_API)
#define PMCR_N_SHIFT    11
#define PMCR_N_MASK     0x1fUL
#define CPU_ON_WAIT_MS  1000U
#define MS_PER_S        1000U
#define MIB_SHIFT       20

uint8_t hyp_stacks[HYP_MAX_CPUS][HYP_STACK_SIZE] __attribute__((aligned(16)));
static volatile uint32_t cpu_online[HYP_MAX_CPUS];

void secondary_entry(void);
void hyp_cpu_main(uint64_t idx, uint64_t dtb);

/* EL2 control registers: what traps, what the guest may touch directly. */
static void cpu_el2_init(void)
{
	write_sysreg(hcr_el2, HCR_GUEST);
	/* FP/SIMD untrapped (libfdt and the guest use it); SVE and SME trapped. */
	write_sysreg(cptr_el2, CPTR_EL2_RES1 | CPTR_EL2_TZ | CPTR_EL2_TSM);
	write_sysreg(mdcr_el2, (read_sysreg(pmcr_el0) >> PMCR_N_SHIFT) & PMCR_N_MASK);
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cnthp_ctl_el2, 0);
	/* The guest's EL1 timers reset to an UNKNOWN enable: one left firing before its vCPU is loaded
	 * would be taken and deactivated over and over while the CPU waits for CPU_ON. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	isb();
}

static int cpu_init(struct pcpu *p)
{
	cpu_el2_init();
	/* The first VM's stage 2 (built after the boot CPU turned its MMU on); the scheduler switches. */
	p->vttbr = vms[0].vttbr;
	write_sysreg(vttbr_el2, p->vttbr);
	isb();
	if ((read_sysreg(mpidr_el1) & MPIDR_AFF_MASK) != p->mpidr)
		hyp_printf("hyp: warning: CPU %u has MPIDR 0x%lx, the DTB says 0x%lx\n", p->index,
			   read_sysreg(mpidr_el1) & MPIDR_AFF_MASK, p->mpidr);
	if (gic_cpu_init(p->mpidr) < 0) {
		hyp_printf("hyp: CPU %u: no redistributor for MPIDR 0x%lx\n", p->index, p->mpidr);
		return -1;
	}
	return vm_cpu_init(p->index);
}

static void start_secondaries(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	for (uint32_t i = 1; i < hyp_nr_cpus; i++) {
		uint64_t deadline = read_sysreg(cntpct_el0) + freq * CPU_ON_WAIT_MS / MS_PER_S;
		int64_t rc = psci_fw_call(PSCI_CPU_ON_64, pcpus[i].mpidr, (uint64_t)secondary_entry, i);

		if (rc != PSCI_RET_SUCCESS) {
			hyp_printf("hyp: PSCI CPU_ON of CPU %u failed: %ld\n", i, rc);
			hyp_end_run(HYP_STATUS_BOOT_FAILED, "could not start a CPU");
		}
		while (!cpu_online[i] && read_sysreg(cntpct_el0) < deadline)
			cpu_relax();
		if (!cpu_online[i])
			hyp_end_run(HYP_STATUS_BOOT_FAILED, "a CPU did not come up");
	}
}

static struct bootparams bootparams, vm2_params;

/* Layout and options, checked before anything is mapped or written: the layout decides stage 2. */
static void read_options(void)
{
	const char *bad = NULL;

	if (bootparams_parse(platform.bootargs, &bootparams, &bad) < 0) {
		hyp_printf("hyp: bad option in -append: %s\n", bad);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "bad hyp.* option");
	}
	if (bootparams_check(&bootparams, platform.mem_base, platform.mem_size, &bad) < 0) {
		hyp_printf("hyp: guest layout: %s\n", bad);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "guest layout refused");
	}
	hyp_nr_cpus = platform.nr_cpus;
	hyp_nr_vms = bootparams.vm2_mem ? 2U : 1U;
	hyp_nr_vcpus = bootparams.vcpus ? (uint32_t)bootparams.vcpus : hyp_nr_cpus;
	if (hyp_nr_vms == 1U && bootparams.vcpus &&
	    (bootparams.vcpus < hyp_nr_cpus || bootparams.vcpus > HYP_MAX_CPUS)) {
		hyp_printf("hyp: hyp.vcpus=%lu: from the CPU count (%u) to %u\n", bootparams.vcpus, hyp_nr_cpus,
			   HYP_MAX_CPUS);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "bad hyp.vcpus");
	}
	if (hyp_nr_vms == 1U)
		return;
	bootparams_vm2(&bootparams, &vm2_params);
	if (bootparams_check(&vm2_params, platform.mem_base, platform.mem_size, &bad) < 0) {
		hyp_printf("hyp: second VM's layout: %s\n", bad);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "guest layout refused");
	}
	if (hyp_nr_vcpus + vm2_params.vcpus > HYP_MAX_CPUS) {
		hyp_printf("hyp: two VMs: %u + %lu vCPUs, at most %u together\n", hyp_nr_vcpus, vm2_params.vcpus,
			   HYP_MAX_CPUS);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "bad hyp.vcpus or hyp.vm2.vcpus");
	}
	if (bootparams.storm_us)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "hyp.storm checkpoints one VM: not with hyp.vm2.*");
	hyp_nr_vcpus += (uint32_t)vm2_params.vcpus;
}

/* vm's share of vcpus[] from first on, its RAM and stage 2. Scheduled vCPUs get affinities of their
 * own (Aff0 = the vCPU's number in its VM), as QEMU numbers its CPUs. */
static void vm_layout(struct vm *vm, uint32_t index, const struct bootparams *bp, uint32_t first, uint32_t n)
{
	vm->index = index;
	vm->vcpu = &vcpus[first];
	vm->nr_vcpus = n;
	vm->ram_pa = bp->ram_pa;
	vm->ram_size = bp->mem_size;
	vm->console_emulated = hyp_nr_vms > 1U;
	for (uint32_t i = 0; i < n; i++) {
		struct vcpu *v = &vcpus[first + i];

		v->id = i;
		v->index = first + i;
		v->vm = vm;
		v->mpidr = sched_enabled() ? i : platform.cpu_mpidr[i];
	}
	mmu_build_stage2(vm);
	hyp_printf("hyp: %sguest RAM IPA 0x%lx-0x%lx (%lu MiB) at PA 0x%lx, %u vCPU(s), entry 0x%lx, DTB 0x%lx, "
		   "bootargs \"%s\"\n", index ? "vm1: " : "", GUEST_RAM_IPA, GUEST_RAM_IPA + bp->mem_size - 1,
		   bp->mem_size >> MIB_SHIFT, bp->ram_pa, n, bp->entry, bp->dtb, bp->guest_args);
	if (bp->initrd_size)
		hyp_printf("hyp: initrd IPA 0x%lx-0x%lx\n", bp->initrd_start, bp->initrd_start + bp->initrd_size - 1);
}

/* vm's vgic and ITS, its UART (passed through with one VM), the image check and its device tree. */
static void vm_boot(struct vm *vm, const struct bootparams *bp)
{
	const char *bad = NULL;
	const volatile uint32_t *image;

	if (vm_init(vm) != HV_OK)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "vgic_init failed");
	if (!vm->console_emulated && vm_forward_uart(vm, fdt_guest_uart_intid(), platform.uart_intid) != HV_OK)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "cannot forward the UART interrupt");
	/* The image is looked at before the DTB is written, which must not land on it. */
	image = vm_ram_ptr(vm, bp->entry, sizeof(uint32_t));
	if (!image || !*image)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "no guest image at the entry point (see scripts/run-guest.sh)");
	if (linux_image_check(vm, bp->entry, bp->initrd_start, bp->initrd_size, bp->dtb, &bad) < 0) {
		hyp_printf("hyp: Linux boot protocol: %s\n", bad);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "Linux Image placed against its header");
	}
	if (fdt_guest_build(vm, bp, &bad) < 0) {
		hyp_printf("hyp: guest layout: %s\n", bad);
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "could not build the guest device tree");
	}
	if (bp->dtb_loaded)
		hyp_printf("hyp: guest device tree: the run's own (model \"%s\"), edited: cpus, memory, GICR, /chosen\n",
			   fdt_guest_model(vm, bp));
	vm->vcpu[0].on_entry = bp->entry;
	vm->vcpu[0].on_context = bp->dtb;
}

static __attribute__((noreturn)) void boot_primary(struct pcpu *p, uint64_t dtb)
{
	uint32_t nr_vm0;

	mmu_build_el2();
	mmu_enable_cpu();
	if (platform_init((const void *)(dtb ? dtb : HOST_DTB_DEFAULT)) < 0)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "no usable device tree from QEMU");
	read_options();
	sched_init();
	hyp_printf("hyp: EL2 hypervisor up: %u CPU(s), GICD 0x%lx, GICR 0x%lx, UART 0x%lx\n", hyp_nr_cpus,
		   platform.gicd_base, platform.gicr_base, platform.uart_base);
	nr_vm0 = hyp_nr_vcpus - (hyp_nr_vms > 1U ? (uint32_t)vm2_params.vcpus : 0U);
	vm_layout(&vms[0], 0, &bootparams, 0, nr_vm0);
	if (hyp_nr_vms > 1U)
		vm_layout(&vms[1], 1, &vm2_params, nr_vm0, (uint32_t)vm2_params.vcpus);
	for (uint32_t i = 0; i < hyp_nr_cpus; i++) {
		pcpus[i].index = i;
		pcpus[i].mpidr = platform.cpu_mpidr[i];
		pcpus[i].vcpu = sched_enabled() ? NULL : &vcpus[i];
	}
	if (sched_enabled())
		hyp_printf("hyp: %u vCPUs of %u VM(s) scheduled on %u CPUs\n", hyp_nr_vcpus, hyp_nr_vms, hyp_nr_cpus);
	if (hyp_nr_vms > 1U)
		hyp_printf("hyp: two VMs: VMIDs 1 and 2, the UART emulated for both (lines prefixed [vm0], [vm1])\n");
	if (gic_dist_init() < 0)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "GIC distributor did not respond");
	vm_boot(&vms[0], &bootparams);
	if (vm_disk_init(&vms[0], bootparams.disk_pa, bootparams.disk_size) != HV_OK)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "hyp.disk: the PCI disk needs the ITS of the guest's device tree");
	if (bootparams.disk_size)
		hyp_printf("hyp: PCI disk: virtio-blk at 00:01.0, %lu MiB image at PA 0x%lx, %u queue(s), MSI-X through the ITS\n",
			   bootparams.disk_size >> MIB_SHIFT, bootparams.disk_pa, vms[0].pci.disk->nr_queues);
	if (hyp_nr_vms > 1U)
		vm_boot(&vms[1], &vm2_params);
	if (cpu_init(p) < 0)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "CPU 0 set-up failed");
	storm_init(bootparams.storm_us);
	start_secondaries();
	for (uint32_t i = 0; i < hyp_nr_vms; i++)
		__atomic_store_n(&vms[i].vcpu[0].power, VCPU_ON_PENDING, __ATOMIC_RELEASE);
	vcpu_run_loop(p);
}

static __attribute__((noreturn)) void boot_secondary(struct pcpu *p)
{
	mmu_enable_cpu();
	if (cpu_init(p) < 0)
		hyp_end_run(HYP_STATUS_BOOT_FAILED, "secondary CPU set-up failed");
	__atomic_store_n(&cpu_online[p->index], 1U, __ATOMIC_RELEASE);
	vcpu_run_loop(p);
}

void hyp_cpu_main(uint64_t idx, uint64_t dtb)
{
	struct pcpu *p = &pcpus[idx < HYP_MAX_CPUS ? idx : 0];

	p->index = (uint32_t)idx;
	write_sysreg(tpidr_el2, (uint64_t)p);
	if (idx == 0)
		boot_primary(p, dtb);
	boot_secondary(p);
}

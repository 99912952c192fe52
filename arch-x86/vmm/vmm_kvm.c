/* vmm_kvm.c: create the KVM VM and its vCPUs, and put each vCPU straight into 64-bit long mode.
 * Our own identity-mapped page tables (2 MiB pages, 4 GiB), a flat GDT with a TSS, CPUID filtered. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <asm/kvm_para.h>

#include "vmm.h"
#include "vmm_layout.h"

#define CR0_PE  (1ULL << 0)
#define CR0_MP  (1ULL << 1)
#define CR0_ET  (1ULL << 4)
#define CR0_NE  (1ULL << 5)
#define CR0_WP  (1ULL << 16)
#define CR0_PG  (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define RFLAGS_RESERVED1 0x2ULL

#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS  (1ULL << 7)
#define PAGE_2M (2ULL << 20)
#define PAGE_1G (1ULL << 30)
#define ENTRIES_PER_TABLE 512U
#define MAPPED_GIB 4U
#define MMIO_GIB   3U    /* the 4th GiB holds the IOAPIC and LAPIC: map it uncached */

/* GDT descriptors: flat 64-bit code, flat data, then a 16-byte TSS descriptor. */
#define GDT_CODE64 0x00AF9B000000FFFFULL   /* P, DPL0, S, exec/read accessed, L, G */
#define GDT_DATA   0x00CF93000000FFFFULL   /* P, DPL0, S, read/write accessed, D/B, G */
#define SEG_TYPE_CODE 0xB
#define SEG_TYPE_DATA 0x3
#define SEG_TYPE_TSS_BUSY 0xB
#define SEG_TYPE_LDT 0x2
#define TSS_LIMIT 0x67U
#define TSS_DESC_TYPE 0x89ULL   /* P, 64-bit available TSS */
/* A system-segment descriptor scatters the base: bits 23:0 at 16, 31:24 at 56, 63:32 in the next qword. */
#define DESC_BASE_LO_MASK  0xFFFFFFULL
#define DESC_BASE_LO_SHIFT 16U
#define DESC_TYPE_SHIFT    40U
#define DESC_BASE_MID_SHIFT 24U
#define DESC_BASE_MID_MASK 0xFFULL
#define DESC_BASE_MID_POS  56U
#define DESC_BASE_HI_SHIFT 32U
#define DESC_SIZE          8U
#define FLAT_LIMIT         0xFFFFFFFFU

#define CPUID_LEAF_FEATURES 1U
#define CPUID_1_ECX_X2APIC  (1U << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID_1_EBX_APIC_ID_SHIFT 24U
#define CPUID_1_EBX_APIC_ID_MASK  0x00FFFFFFU
#define CPUID_LEAF_TOPOLOGY 0xBU
#define CPUID_MAX_ENTRIES 256U
#define KVM_TSS_ADDR 0xFFFBD000UL   /* three pages below the BIOS area; needed by VMX */

static void put64(struct vm *vm, uint64_t gpa, uint64_t v)
{
	memcpy(vm->mem + gpa, &v, sizeof(v));
}

static void build_page_tables(struct vm *vm)
{
	put64(vm, LAYOUT_PML4, LAYOUT_PDPT | PTE_P | PTE_RW);
	for (unsigned g = 0; g < MAPPED_GIB; g++) {
		uint64_t pd = LAYOUT_PD + g * LAYOUT_PAGE;
		uint64_t cache = g == MMIO_GIB ? (PTE_PCD | PTE_PWT) : 0;

		put64(vm, LAYOUT_PDPT + g * sizeof(uint64_t), pd | PTE_P | PTE_RW);
		for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
			put64(vm, pd + i * sizeof(uint64_t),
			      (g * PAGE_1G + i * PAGE_2M) | PTE_P | PTE_RW | PTE_PS | cache);
	}
}

static void build_gdt(struct vm *vm)
{
	uint64_t tss = LAYOUT_TSS;
	uint64_t lo = TSS_LIMIT | ((tss & DESC_BASE_LO_MASK) << DESC_BASE_LO_SHIFT) |
		      (TSS_DESC_TYPE << DESC_TYPE_SHIFT) |
		      (((tss >> DESC_BASE_MID_SHIFT) & DESC_BASE_MID_MASK) << DESC_BASE_MID_POS);

	put64(vm, LAYOUT_GDT, 0);   /* the null descriptor */
	put64(vm, LAYOUT_GDT + LAYOUT_SEL_CODE, GDT_CODE64);
	put64(vm, LAYOUT_GDT + LAYOUT_SEL_DATA, GDT_DATA);
	put64(vm, LAYOUT_GDT + LAYOUT_SEL_TSS, lo);
	put64(vm, LAYOUT_GDT + LAYOUT_SEL_TSS + DESC_SIZE, tss >> DESC_BASE_HI_SHIFT);
}

static int filter_cpuid(struct vm *vm)
{
	size_t sz = sizeof(struct kvm_cpuid2) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);

	vm->cpuid = calloc(1, sz);
	if (!vm->cpuid)
		return -1;
	vm->cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) < 0) {
		perror("x86-vmm: KVM_GET_SUPPORTED_CPUID");
		return -1;
	}
	for (unsigned i = 0; i < vm->cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &vm->cpuid->entries[i];

		/* A userspace xAPIC cannot serve x2APIC MSRs or the TSC-deadline MSR; and PV-EOI
		 * would have the guest skip the EOI write our LAPIC (and the IOAPIC) depend on. */
		if (e->function == CPUID_LEAF_FEATURES)
			e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
		if (e->function == KVM_CPUID_FEATURES)
			e->eax &= ~(1U << KVM_FEATURE_PV_EOI);
	}
	return 0;
}

int vmm_kvm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	int api;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		printf("SKIP: cannot open /dev/kvm (%s)\n", strerror(errno));
		return VMM_KVM_UNUSABLE;
	}
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		printf("SKIP: KVM API version %d, need %d\n", api, KVM_API_VERSION);
		return VMM_KVM_UNUSABLE;
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		printf("SKIP: this KVM lacks KVM_CAP_IMMEDIATE_EXIT\n");
		return VMM_KVM_UNUSABLE;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		printf("SKIP: KVM_CREATE_VM failed (%s)\n", strerror(errno));
		return VMM_KVM_UNUSABLE;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
		perror("x86-vmm: KVM_SET_TSS_ADDR");
		return -1;
	}
	if (vm->mode == VMM_MODE_KERNEL && ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		perror("x86-vmm: KVM_CREATE_IRQCHIP");
		return -1;
	}
	/* Before any vCPU exists: KVM creates each vCPU's LAPIC in the kernel from then on. */
	if (vm->mode == VMM_MODE_SPLIT) {
		int rc = vmm_split_enable(vm);

		if (rc)
			return rc;
	}
	vm->run_size = (size_t)ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (vm->mem == MAP_FAILED) {
		perror("x86-vmm: mmap guest memory");
		return -1;
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = vm->mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		perror("x86-vmm: KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	build_page_tables(vm);
	build_gdt(vm);
	return filter_cpuid(vm);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = FLAT_LIMIT, .selector = sel, .type = type, .present = 1,
		.dpl = 0, .db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1,
	};
}

static int set_cpuid(struct vm *vm, struct vcpu *v)
{
	size_t sz = sizeof(struct kvm_cpuid2) + vm->cpuid->nent * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = malloc(sz);
	int rc;

	if (!c)
		return -1;
	memcpy(c, vm->cpuid, sz);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		/* Each vCPU reports its own initial APIC ID. */
		if (e->function == CPUID_LEAF_FEATURES)
			e->ebx = (e->ebx & CPUID_1_EBX_APIC_ID_MASK) | (v->idx << CPUID_1_EBX_APIC_ID_SHIFT);
		if (e->function == CPUID_LEAF_TOPOLOGY)
			e->edx = v->idx;
	}
	rc = ioctl(v->fd, KVM_SET_CPUID2, c);
	free(c);
	if (rc < 0)
		perror("x86-vmm: KVM_SET_CPUID2");
	return rc;
}

int vmm_vcpu_boot_state(struct vcpu *v, uint64_t rip, uint64_t rdi)
{
	struct vm *vm = v->vm;
	struct kvm_sregs sr;
	struct kvm_regs r = { 0 };

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	seg(&sr.cs, LAYOUT_SEL_CODE, SEG_TYPE_CODE, true);
	seg(&sr.ds, LAYOUT_SEL_DATA, SEG_TYPE_DATA, false);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.tr = (struct kvm_segment){ .base = LAYOUT_TSS, .limit = TSS_LIMIT, .selector = LAYOUT_SEL_TSS,
				      .type = SEG_TYPE_TSS_BUSY, .present = 1 };
	sr.ldt = (struct kvm_segment){ .type = SEG_TYPE_LDT, .unusable = 1 };
	sr.gdt.base = LAYOUT_GDT;
	sr.gdt.limit = LAYOUT_GDT_LIMIT;
	sr.idt.base = LAYOUT_IDT;
	sr.idt.limit = 0;    /* the guest installs its own IDT; anything before that is a fault */
	sr.cr3 = LAYOUT_PML4;
	sr.cr4 = CR4_PAE;
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.efer = EFER_LME | EFER_LMA;
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		return -1;
	r.rip = rip;
	r.rflags = RFLAGS_RESERVED1;        /* IF = 0 */
	r.rdi = rdi;
	r.rsi = vm->nr_vcpus;
	r.rdx = vm->boot_flags;
	r.rsp = vm->mem_size - (uint64_t)v->idx * LAYOUT_BOOT_STACK;
	return ioctl(v->fd, KVM_SET_REGS, &r);
}

int vmm_vcpu_create(struct vm *vm, unsigned idx)
{
	struct vcpu *v = &vm->vcpu[idx];

	v->vm = vm;
	v->idx = idx;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)idx);
	if (v->fd < 0) {
		perror("x86-vmm: KVM_CREATE_VCPU");
		return -1;
	}
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		perror("x86-vmm: mmap kvm_run");
		return -1;
	}
	if (set_cpuid(vm, v) < 0)
		return -1;
	if (vmm_vcpu_boot_state(v, vm->entry, idx) < 0) {
		perror("x86-vmm: long-mode register setup");
		return -1;
	}
	/* The in-kernel LAPIC parks APs until INIT/SIPI; our APs start in long mode like the BSP. */
	if (VMM_LAPIC_IN_KERNEL(vm)) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
			perror("x86-vmm: KVM_SET_MP_STATE");
			return -1;
		}
	}
	pthread_cond_init(&v->wake, NULL);
	v->power = VCPU_ON;   /* every vCPU starts at reset (docs/guest-abi.md, "Boot state") */
	vm->vcpus_on++;
	vmm_kstats_open(v);   /* optional: older KVMs have no binary stats */
	return 0;
}

void vmm_dump_vcpu(struct vcpu *v, const char *why)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	fprintf(stderr, "x86-vmm: vCPU %u: %s\n", v->idx, why);
	if (ioctl(v->fd, KVM_GET_REGS, &r) == 0) {
		fprintf(stderr, "  rip=%016llx rsp=%016llx rflags=%016llx\n", r.rip, r.rsp, r.rflags);
		fprintf(stderr, "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n", r.rax, r.rbx, r.rcx, r.rdx);
		fprintf(stderr, "  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n", r.rsi, r.rdi, r.rbp, r.r8);
		fprintf(stderr, "  r9 =%016llx r10=%016llx r11=%016llx r12=%016llx\n", r.r9, r.r10, r.r11, r.r12);
		fprintf(stderr, "  r13=%016llx r14=%016llx r15=%016llx\n", r.r13, r.r14, r.r15);
	}
	if (ioctl(v->fd, KVM_GET_SREGS, &s) == 0) {
		fprintf(stderr, "  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%016llx\n", s.cr0, s.cr2,
			s.cr3, s.cr4, s.efer);
		fprintf(stderr, "  cs=%04x ss=%04x idt=%016llx/%04x gdt=%016llx/%04x\n", s.cs.selector,
			s.ss.selector, s.idt.base, s.idt.limit, s.gdt.base, s.gdt.limit);
	}
}

/* vmm_load.c: load a static x86-64 ELF executable's PT_LOAD segments into guest RAM.
 * Every offset and address is bounds-checked: the image is input, not trusted. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"
#include "vmm_layout.h"

#define VMM_MAX_IMAGE (64ULL << 20)

void *vmm_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return vm->mem + gpa;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || (uint64_t)n > VMM_MAX_IMAGE ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "x86-vmm: %s: unreadable or larger than %llu bytes\n", path, VMM_MAX_IMAGE);
		fclose(f);
		return -1;
	}
	*buf = malloc((size_t)n + 1);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "x86-vmm: %s: read failed\n", path);
		fclose(f);
		free(*buf);
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

int vmm_load_elf(struct vm *vm, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	Elf64_Ehdr eh;
	int rc = -1;

	if (read_file(path, &buf, &len) < 0)
		return -1;
	if (len < sizeof(eh))
		goto bad;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		goto bad;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len || ph.p_filesz > len - ph.p_offset ||
		    ph.p_paddr < LAYOUT_IMAGE)
			goto bad;
		dst = vmm_gpa(vm, ph.p_paddr, ph.p_memsz);
		if (!dst)
			goto bad;
		memcpy(dst, buf + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	if (!vmm_gpa(vm, eh.e_entry, 1) || eh.e_entry < LAYOUT_IMAGE)
		goto bad;
	vm->entry = eh.e_entry;
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "x86-vmm: %s: not a static x86-64 ELF that fits guest RAM above 1 MiB\n", path);
out:
	free(buf);
	return rc;
}

/* The argument string lives below the image, where the boot tables are; the guest reads it there. */
int vmm_put_bootargs(struct vm *vm)
{
	char *dst;

	if (!vm->bootargs)
		return 0;
	dst = vmm_gpa(vm, LAYOUT_BOOTARGS, VMM_BOOTARGS_MAX);
	if (!dst)
		return -1;
	memset(dst, 0, VMM_BOOTARGS_MAX);
	memcpy(dst, vm->bootargs, strlen(vm->bootargs));
	return 0;
}

/* fuzz_check.h: the invariant checker the register fuzzer runs after every operation.
 * Independent of the emulation's own tables: it recomputes routing and readback values from the spec. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "vgic.h"

#define FZ_MAX_VCPUS 8U

/* Stop the run with a message: libFuzzer records the input as a crash. */
void fz_fail(const char *what, unsigned long long a, unsigned long long b);

/* A fingerprint of everything a guest register write could change. */
uint64_t fz_digest(struct vgic *vm);
/* The same without the SGIs: what an ICC_SGI*R write must leave alone. */
uint64_t fz_digest_non_sgi(struct vgic *vm);

/* ap_list structure, list membership, the oracle, LR bookkeeping, SPI routing; with id_regs also
 * the identification registers read back through the MMIO path. */
void fz_check_invariants(struct vgic *vm, bool id_regs);

/* Lock discipline observed by the hooks: nothing held now, no kick under a lock, no re-lock,
 * nothing taken under dist_lock. */
void fz_check_locks(void);
void fz_hooks_install(struct vgic_hooks *h);
/* LPIs in the fuzzed VM: at most this many, and a small guest RAM their tables and the ITS live in. */
#define FZ_MAX_LPIS   64U
#define FZ_RAM_BASE   0x10000ULL
#define FZ_RAM_SIZE   0x8000ULL
extern uint8_t fz_ram[FZ_RAM_SIZE];

enum fz_frame { FZ_GICD, FZ_GICR };

/*
 * After a register write that returned VGIC_MMIO_OK: read the register back and compare with what
 * IHI 0069 says it must now hold. before64 is the 64-bit register read just before (IROUTER).
 */
void fz_check_write(struct vgic *vm, enum fz_frame f, uint32_t rd, uint32_t off, unsigned width,
		    uint64_t val, uint64_t before64);

#endif

/* harness.h: a small VM for unit tests: the vgic core, one software ICV model per vCPU, and a guest loop.
 * Tests drive entry/exit and play the guest (ack, EOI, DIR) exactly as a real vCPU would. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include "vgic.h"
#include "icv_model.h"

#define H_MAX_VCPUS 8U
#define H_MAX_LOG   8192U

struct harness {
	struct vgic vm;
	struct vgic_vcpu vcpus[H_MAX_VCPUS];
	struct vgic_irq spis[VGIC_MAX_SPIS];
	struct icv_model cpu[H_MAX_VCPUS];
	unsigned nr_vcpus;
	/* what the guest saw, per vCPU */
	uint32_t acked[H_MAX_VCPUS][H_MAX_LOG];
	unsigned nr_acked[H_MAX_VCPUS];
	unsigned maint_exits[H_MAX_VCPUS];
	unsigned dir_traps[H_MAX_VCPUS];
	unsigned kicks[H_MAX_VCPUS];
	unsigned phys_deactivated[H_MAX_LOG];
	int phys_deactivated_on[H_MAX_LOG];  /* owner vCPU id the core named; -2: done by an HW LR */
	unsigned nr_phys_deactivated;
	unsigned resampled[VGIC_MAX_SPIS];
	/* LPIs (h_lpis) and a guest RAM for their tables (h_ram); both absent by default */
	struct vgic_irq *lpis;
	unsigned nr_lpis;
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	unsigned guest_reads, guest_writes;
	unsigned switches;   /* h_enter/h_exit calls: odd ones use the vCPU-handle entry points */
};

/* Calloc'd VM with nr_vcpus, nr_spis SPIs, nr_lrs LRs per vCPU, 5 priority bits, both groups
 * enabled in the distributor and group 1 enabled at each CPU interface, PMR 0xff. */
struct harness *h_new(unsigned nr_vcpus, unsigned nr_spis, unsigned nr_lrs);
void h_free(struct harness *h);

/*
 * Test life cycle: h_mk is h_new that also remembers the harness, h_finish
 * checks the invariants and frees it, and h_teardown (a cmocka teardown)
 * frees one a failed assertion left behind, so a failure leaks nothing.
 */
struct harness *h_mk(unsigned nr_vcpus, unsigned nr_spis, unsigned nr_lrs);
void h_finish(struct harness *h);
int h_teardown(void **state);
/* Give the VM nr LPIs (calloc'd pool, vgic_lpi_init) and, if size, a zeroed guest RAM at base for
 * the LPI tables, reached through the guest_read/guest_write hooks. Freed by h_free. */
void h_lpis(struct harness *h, unsigned nr, uint64_t ram_base, uint64_t ram_size);
/* vgic_irq_get_state, asserting success. */
struct vgic_irq_state h_state(struct harness *h, uint32_t vcpu, uint32_t intid);

/* Configure an interrupt in one call: group 1, enabled. */
void h_cfg(struct harness *h, unsigned vcpu, uint32_t intid, uint8_t prio, enum vgic_trigger t);

void h_enter(struct harness *h, unsigned vcpu);   /* vgic_flush_lrs, asserting success */
void h_exit(struct harness *h, unsigned vcpu);    /* vgic_sync_lrs, asserting success */

/* Guest actions on the model (group 1). h_dir handles a TDIR trap like the arch would:
 * exit, vgic_handle_dir, re-enter. */
uint32_t h_ack(struct harness *h, unsigned vcpu);
void h_eoi(struct harness *h, unsigned vcpu, uint32_t intid);
void h_dir(struct harness *h, unsigned vcpu, uint32_t intid);

/*
 * Run the guest until it is idle: it takes every interrupt it is signalled
 * and ends it at once (EOImode from the model's VMCR: split mode issues
 * EOIR then DIR). Maintenance interrupts cause exit+entry. Returns the
 * number of interrupts acknowledged. Starts with an entry, ends with an exit.
 * max_steps bounds the loop so a live-lock fails instead of hanging.
 */
unsigned h_run(struct harness *h, unsigned vcpu, unsigned max_steps);

/* How many of vCPU vcpu's list registers hold intid with some state (pending, active or both). */
unsigned h_lrs_holding(struct harness *h, unsigned vcpu, uint32_t intid);

/* Count of LR accesses of each kind since reset; total too. */
uint64_t h_acc(struct harness *h, unsigned vcpu, enum lr_access kind);
uint64_t h_acc_total(struct harness *h, unsigned vcpu);
void h_acc_reset(struct harness *h, unsigned vcpu);

/* Structural invariants: each interrupt on at most one ap_list, irq->vcpu consistent with
 * membership, bucket bitmaps and counts consistent. Returns NULL or a description. */
const char *h_check_invariants(struct harness *h);

#endif

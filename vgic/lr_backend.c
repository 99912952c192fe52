/* lr_backend.c: access-counter helpers shared by every LR backend.
 * The counting itself is inline in lr_backend.h so that no access can bypass it. */
#include "lr_backend.h"

static const char *const lr_access_names[LR_ACC_NR] = {
	[LR_ACC_LR_READ] = "lr_read",       [LR_ACC_LR_WRITE] = "lr_write",
	[LR_ACC_ELRSR_READ] = "elrsr_read", [LR_ACC_EISR_READ] = "eisr_read",
	[LR_ACC_MISR_READ] = "misr_read",   [LR_ACC_HCR_READ] = "hcr_read",
	[LR_ACC_HCR_WRITE] = "hcr_write",   [LR_ACC_VMCR_READ] = "vmcr_read",
	[LR_ACC_VMCR_WRITE] = "vmcr_write", [LR_ACC_APR_READ] = "apr_read",
	[LR_ACC_APR_WRITE] = "apr_write",   [LR_ACC_VTR_READ] = "vtr_read",
};

const char *lr_access_name(enum lr_access kind)
{
	return (unsigned)kind < LR_ACC_NR ? lr_access_names[kind] : "?";
}

void lr_backend_reset_counts(struct lr_backend *be)
{
	for (unsigned i = 0; i < LR_ACC_NR; i++)
		be->count[i] = 0;
}

uint64_t lr_backend_total(const struct lr_backend *be)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < LR_ACC_NR; i++)
		t += be->count[i];
	return t;
}

/* cntp.c: the guest's physical counter and EL1 physical timer with the VM's pause offset, as the
 * virtual ones have it through CNTVOFF_EL2. Without FEAT_ECV (no CNTPOFF_EL2) that means trapping:
 * CNTPCT reads give the physical count minus the offset, and CNTP_CVAL_EL0 holds guest CVAL + offset. */
#include "cntp.h"
#include "sysreg.h"
#include "trap.h"

#define SYSREG_CNTPCT      ESR_SYS_REG(3, 3, 14, 0, 1)
#define SYSREG_CNTP_TVAL   ESR_SYS_REG(3, 3, 14, 2, 0)
#define SYSREG_CNTP_CTL    ESR_SYS_REG(3, 3, 14, 2, 1)
#define SYSREG_CNTP_CVAL   ESR_SYS_REG(3, 3, 14, 2, 2)

static uint64_t guest_count(void)
{
	isb();
	return read_sysreg(cntpct_el0) - hyp_cntvoff;
}

bool cntp_sysreg(struct vcpu *v, uint64_t reg, bool read, unsigned rt)
{
	uint64_t val = trap_get_reg(v, rt);

	switch (reg) {
	case SYSREG_CNTPCT:
		if (!read)
			return false;   /* read-only: the caller makes it UNDEFINED */
		trap_set_reg(v, rt, guest_count());
		return true;
	case SYSREG_CNTP_CTL:
		if (read)
			trap_set_reg(v, rt, read_sysreg(cntp_ctl_el0));
		else
			write_sysreg(cntp_ctl_el0, val);
		break;
	case SYSREG_CNTP_CVAL:
		if (read)
			trap_set_reg(v, rt, read_sysreg(cntp_cval_el0) - hyp_cntvoff);
		else
			write_sysreg(cntp_cval_el0, val + hyp_cntvoff);
		break;
	case SYSREG_CNTP_TVAL:
		/* TimerValue: the signed 32-bit distance from the count to CVAL, both in the guest's terms. */
		if (read)
			trap_set_reg(v, rt, (uint32_t)(read_sysreg(cntp_cval_el0) - hyp_cntvoff - guest_count()));
		else
			write_sysreg(cntp_cval_el0, guest_count() + (uint64_t)(int64_t)(int32_t)val + hyp_cntvoff);
		break;
	default:
		return false;
	}
	isb();
	return true;
}

void cntp_resume(uint64_t pause)
{
	write_sysreg(cntp_cval_el0, read_sysreg(cntp_cval_el0) + pause);
	write_sysreg(cnthctl_el2, read_sysreg(cnthctl_el2) & ~(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN));
	isb();
}

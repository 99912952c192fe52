/* aarch32.c: traps from an AArch32 EL0 (a 32-bit Linux task): the IT-state advance after a skipped Thumb
 * instruction and the condition check of a conditional trap, from the Arm ARM's ITAdvance/ConditionHolds. */
#include "aarch32.h"
#include "sysreg.h"

#define IT_BITS_COND_SHIFT 4      /* IT[7:4]: the condition of the next instruction in the block */
#define IT_BITS_MASK_LOW   0x7UL  /* IT[2:0]: zero on the block's last instruction */
#define IT_BITS_ADVANCE    0x1fUL /* IT[4:0]: shifted left by one per instruction */
#define COND_ALWAYS        0xeUL

static uint64_t it_bits(uint64_t spsr)
{
	return ((spsr >> PSR_AA32_IT_HI_SHIFT) & PSR_AA32_IT_HI_MASK) << 2 |
	       ((spsr >> PSR_AA32_IT_LO_SHIFT) & PSR_AA32_IT_LO_MASK);
}

uint64_t aa32_it_advance_thumb(uint64_t spsr)
{
	uint64_t it = it_bits(spsr);

	if (it == 0)
		return spsr;
	if ((it & IT_BITS_MASK_LOW) == 0)
		it = 0;   /* that was the block's last instruction */
	else
		it = (it & ~IT_BITS_ADVANCE) | ((it << 1) & IT_BITS_ADVANCE);
	spsr &= ~((PSR_AA32_IT_HI_MASK << PSR_AA32_IT_HI_SHIFT) | (PSR_AA32_IT_LO_MASK << PSR_AA32_IT_LO_SHIFT));
	return spsr | (it >> 2) << PSR_AA32_IT_HI_SHIFT | (it & PSR_AA32_IT_LO_MASK) << PSR_AA32_IT_LO_SHIFT;
}

/* The Arm ARM's ConditionHolds() on the NZCV flags of spsr. */
static bool cond_holds(uint64_t cond, uint64_t spsr)
{
	bool n = spsr & PSR_N, z = spsr & PSR_Z, c = spsr & PSR_C, v = spsr & PSR_V, r;

	switch (cond >> 1) {
	case 0: r = z; break;                 /* EQ / NE */
	case 1: r = c; break;                 /* CS / CC */
	case 2: r = n; break;                 /* MI / PL */
	case 3: r = v; break;                 /* VS / VC */
	case 4: r = c && !z; break;           /* HI / LS */
	case 5: r = n == v; break;            /* GE / LT */
	case 6: r = n == v && !z; break;      /* GT / LE */
	default: return true;                 /* AL, and 0b1111 (unconditional) */
	}
	return (cond & 1) ? !r : r;
}

bool aa32_trap_cond_passed(uint64_t spsr, uint64_t esr)
{
	uint64_t cond;

	if (esr & ESR_AA32_CV) {
		cond = (esr >> ESR_AA32_COND_SHIFT) & ESR_AA32_COND_MASK;
	} else {
		/* No condition in the syndrome: a Thumb instruction takes its own from the IT state. */
		uint64_t it = it_bits(spsr);

		if (!(spsr & PSR_AA32_T) || it == 0)
			return true;
		cond = it >> IT_BITS_COND_SHIFT;
	}
	return cond == COND_ALWAYS || cond_holds(cond, spsr);
}

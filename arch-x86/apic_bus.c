/* apic_bus.c: delivery of interrupt messages to local APICs.
 * Lowest priority picks the addressed, enabled APIC with the lowest PPR, ties in rotation. */
#include <stddef.h>
#include "apic_bus.h"

int apic_bus_init(struct apic_bus *b, struct lapic *cpus, unsigned nr)
{
	if (!b || (!cpus && nr) || nr > APIC_BUS_MAX_CPUS)
		return HV_EINVAL;
	*b = (struct apic_bus){ .nr = nr };
	for (unsigned i = 0; i < nr; i++)
		b->cpu[i] = &cpus[i];
	return HV_OK;
}

static bool addressed(const struct apic_bus *b, int src, unsigned i, const struct apic_msg *m)
{
	switch (m->shorthand) {
	case APIC_SH_SELF:
		return (int)i == src;
	case APIC_SH_ALL_INCL_SELF:
		return true;
	case APIC_SH_ALL_EXCL_SELF:
		return (int)i != src;
	default:
		return lapic_matches(b->cpu[i], m);
	}
}

unsigned apic_bus_send(struct apic_bus *b, int src, const struct apic_msg *m)
{
	unsigned n = 0;

	if (!b || !m)
		return 0;
	if (m->delivery == APIC_DM_LOWEST && m->shorthand == APIC_SH_NONE) {
		int best = -1;
		uint32_t best_ppr = 0;

		for (unsigned k = 0; k < b->nr; k++) {
			unsigned i = (b->rr + k) % b->nr;
			uint32_t ppr;

			if (!addressed(b, src, i, m) || !lapic_sw_enabled(b->cpu[i]))
				continue;
			ppr = lapic_ppr(b->cpu[i]);
			if (best < 0 || ppr < best_ppr) {
				best = (int)i;
				best_ppr = ppr;
			}
		}
		if (best < 0)
			return 0;
		b->rr = ((unsigned)best + 1U) % b->nr;
		return lapic_accept(b->cpu[best], m) ? 1U : 0U;
	}
	for (unsigned i = 0; i < b->nr; i++)
		if (addressed(b, src, i, m) && lapic_accept(b->cpu[i], m))
			n++;
	return n;
}

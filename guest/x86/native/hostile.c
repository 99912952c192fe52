/* hostile.c: the native checks' hostile phase: garbage everywhere (garbage.c), reset, then drain
 * whatever the garbage left pending through the vector handlers. */
#include "native.h"
#include "suite.h"

#define DRAIN_MS 20U
#define DRAIN_ROUNDS 5U
#define PIC_RANGE_END 0x30U

static void pic_stray(unsigned v, struct g_frame *f)
{
	(void)f;
	g_stray[v]++;
	g_stray_total++;
	if (lapic_in_service(v))
		lapic_eoi();
	else
		pic_eoi(v >= 0x28 ? 8 : 0);
}

void hostile_phase(void)
{
	bool pic = !(g_env.flags & G_BOOT_NO_PIC);
	unsigned before;

	g_print("x86 guest: hostile phase: garbage to LAPIC, IOAPIC%s and ABI ports\n", pic ? ", PIC, ELCR" : "");
	for (unsigned v = 0x20; v < PIC_RANGE_END; v++)
		g_set_handler(v, pic ? pic_stray : 0);
	x86_garbage(pic);
	x86_restore(pic);
	/* Whatever the garbage left pending (self-IPIs, latched PIC edges) is taken and ended now. */
	for (unsigned r = 0; r < DRAIN_ROUNDS; r++) {
		before = g_stray_total;
		g_sti();
		g_spin_ms(DRAIN_MS);
		g_cli();
		if (pic)
			pic_init(G_PIC_VEC_M, G_PIC_VEC_S, G_PIC_ICW4_8086, G_PIC_MASK_ALL, G_PIC_MASK_ALL);
		if (g_stray_total == before)
			break;
	}
	for (unsigned v = 0x20; v < PIC_RANGE_END; v++)
		g_set_handler(v, 0);
	g_print("x86 guest: hostile phase done, %u stray interrupts drained\n", g_stray_total);
	g_hostile_done = 1;
}

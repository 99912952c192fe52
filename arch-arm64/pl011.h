/* pl011.h: the PL011 UART registers the hypervisor uses: its own console (print.c) and the transmitter
 * it emulates for each VM when two share the machine (vm.c). */
#ifndef HYP_PL011_H
#define HYP_PL011_H

#define PL011_DR         0x000U
#define PL011_FR         0x018U
#define PL011_FR_RXFE    (1U << 4)   /* receive FIFO empty */
#define PL011_FR_TXFF    (1U << 5)   /* transmit FIFO full */
#define PL011_FR_TXFE    (1U << 7)   /* transmit FIFO empty */
#define PL011_SIZE       0x1000U     /* the register frame */

#endif

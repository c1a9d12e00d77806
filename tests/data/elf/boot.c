/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stand-in "bootloader": a few instructions linked at a boot section start
 * (make.sh gives the address), no C runtime. */
#include <avr/io.h>

__attribute__((naked, section(".text.boot"))) void boot(void)
{
    DDRC = 0x80;
    for (;;)
        PORTC ^= 0x80;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A flash-only application (no .eeprom, .fuse or .lock): code and .data. */
#include <avr/io.h>

volatile uint16_t ticks = 1000;

int main(void)
{
    DDRD = 0x20;
    for (;;) {
        if (--ticks == 0) {
            PORTD ^= 0x20;
            ticks = 1000;
        }
    }
}

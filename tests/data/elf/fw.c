/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny ATmega32U4 application with everything avr-libc can put in an ELF:
 * code (.text), initialised data (.data, whose load image follows .text in flash),
 * EEPROM (.eeprom), fuses (.fuse), lock bits (.lock) and the signature (.signature). */
#include <avr/eeprom.h>
#include <avr/fuse.h>
#include <avr/io.h>
#include <avr/lock.h>
#include <avr/signature.h>

#ifndef FUSE_HIGH
#define FUSE_HIGH 0xD8 /* Caterina's: SPIEN programmed, 2 KiB words boot, BOOTRST */
#endif

FUSES = {
    .low = 0xFF,
    .high = FUSE_HIGH,
    .extended = 0xCB,
};
LOCKBITS = 0xFC;

uint8_t EEMEM ee_table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
volatile uint8_t counter = 0x42;
volatile uint8_t table[5] = {9, 8, 7, 6, 5};

int main(void)
{
    DDRB = 0xFF;
    for (;;) {
        PORTB = counter++ ^ table[counter & 3];
        eeprom_write_byte(&ee_table[0], counter);
    }
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The registry of programmer ids (-c). One greppable table; ids that share a
 * protocol are rows that reuse the same ops with other defaults.
 * Each backend adds its rows here and its `extern const struct programmer_ops`
 * declaration in programmer.h.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"
#include "programmers/backend.h"

static const struct pgm_entry registry_table[] = {
    /* id, description, ops, transport, default baud, variant */
    {"dryrun", "built-in simulated chip, no hardware (-x state=FILE keeps it between runs)",
     &pgm_dryrun_ops, PGM_TRANSPORT_NONE, 0, 0},
    /* BACKEND ROWS BELOW (keep alphabetical within a protocol family) */
    /* USBasp protocol (usbasp.c); variant: 0 fischl.de ids, 1 any 16C0:05DC, 2 NIBObee */
    {"nibobee", "NIBObee (USBasp protocol, 16C0:092F)", &pgm_usbasp_ops, PGM_TRANSPORT_USB, 0, 2},
    {"usbasp",
     "USBasp, fischl.de firmware and compatibles (16C0:05DC \"www.fischl.de\" \"USBasp\", or "
     "03EB:C7B4)",
     &pgm_usbasp_ops, PGM_TRANSPORT_USB, 0, 0},
    {"usbasp-clone", "USBasp clone: any 16C0:05DC device, vendor/product strings not checked",
     &pgm_usbasp_ops, PGM_TRANSPORT_USB, 0, 1},
    /* USBtiny protocol (usbtiny.c); variant: index of the preferred USB id */
    {"arduinoisp", "Arduino ISP (USBtiny protocol, 2341:0049)", &pgm_usbtiny_ops, PGM_TRANSPORT_USB,
     0, 1},
    {"arduinoisporg", "Arduino.org ISP (USBtiny protocol, 2A03:0049)", &pgm_usbtiny_ops,
     PGM_TRANSPORT_USB, 0, 2},
    {"ehajo-isp", "eHaJo ISP (USBtiny protocol, 16D0:0BA5)", &pgm_usbtiny_ops, PGM_TRANSPORT_USB, 0,
     3},
    {"iseavrprog", "iSeeU AVR programmer (USBtiny protocol, 1209:6570)", &pgm_usbtiny_ops,
     PGM_TRANSPORT_USB, 0, 4},
    {"usbtiny",
     "USBtinyISP, SparkFun Pocket AVR (1781:0C9F; also finds the other USBtiny-protocol ids)",
     &pgm_usbtiny_ops, PGM_TRANSPORT_USB, 0, 0},
    /* STK500v1 family (stk500v1.c); variant: 0 ArduinoISP, 1 STK500, 2 bootloader */
    {"arduino", "Arduino bootloader (Optiboot-class, STK500v1 subset, DTR/RTS reset)",
     &pgm_stk500v1_ops, PGM_TRANSPORT_SERIAL, 115200, 2},
    {"arduino_as_isp", "Arduino running the ArduinoISP sketch (STK500v1, 19200 baud)",
     &pgm_stk500v1_ops, PGM_TRANSPORT_SERIAL, 19200, 0},
    {"avrisp",
     "ArduinoISP firmware: Pro Micro / Teensy 2.0 with QMK's ISP hex, ArduinoISP "
     "sketch (STK500v1, 19200 baud)",
     &pgm_stk500v1_ops, PGM_TRANSPORT_SERIAL, 19200, 0},
    {"stk500v1", "STK500 version 1 protocol (115200 baud; ArduinoISP is detected)",
     &pgm_stk500v1_ops, PGM_TRANSPORT_SERIAL, 115200, 1},
    /* STK500v2 family (stk500v2.c): the programmer type comes from SIGN_ON */
    /* avrisp2/avrispmkII: the AVRISP mkII over USB (-P usb, usb:SERIAL, usb:03EB:2104;
     * the default), or an STK500v2 programmer on a serial -P, as avrdude does */
    {"avrisp2",
     "Atmel AVRISP mkII or LUFA clone over USB (03EB:2104, -P usb[:SERIAL]); with a serial "
     "-P an STK500v2 programmer (115200 baud)",
     &pgm_stk500v2_ops, PGM_TRANSPORT_USB, 115200, 0},
    {"avrispmkII", "Atmel AVRISP mkII over USB, as -c avrisp2", &pgm_stk500v2_ops,
     PGM_TRANSPORT_USB, 115200, 0},
    {"avrispv2", "Atmel AVRISP with v2 firmware, STK500v2 clones (115200 baud)", &pgm_stk500v2_ops,
     PGM_TRANSPORT_SERIAL, 115200, 0},
    {"stk500v2",
     "STK500 version 2 protocol: STK500, Arduino-based STK500v2 ISPs, ScratchMonkey "
     "(115200 baud)",
     &pgm_stk500v2_ops, PGM_TRANSPORT_SERIAL, 115200, 0},
    /* AVR109 self-programming bootloaders (avr109.c): Caterina and other butterfly loaders */
    {"avr109", "AVR109 bootloader: Caterina (Leonardo, Micro, Pro Micro), butterfly (57600 baud)",
     &pgm_avr109_ops, PGM_TRANSPORT_SERIAL, 57600, 0},
    {"avr911", "AVR911 (AVROSP): the AVR109 protocol, as -c avr109", &pgm_avr109_ops,
     PGM_TRANSPORT_SERIAL, 57600, 0},
    {"butterfly", "Atmel Butterfly / AVR109 bootloaders, as -c avr109", &pgm_avr109_ops,
     PGM_TRANSPORT_SERIAL, 57600, 0},
    /* STK500v1 or STK500v2, whichever answers (stk500generic.c); variant 1: STK500v1
     * as -c stk500v1 */
    {"stk500", "Atmel STK500 or clone: finds whether it speaks STK500v2 or STK500v1 (115200 baud)",
     &pgm_stk500generic_ops, PGM_TRANSPORT_SERIAL, 115200, 1},
    /* Bus Pirate binary SPI mode (buspirate.c) */
    {"buspirate", "Bus Pirate v3/v4 in binary SPI mode, 10-pin header: CS -> RESET (115200 baud)",
     &pgm_buspirate_ops, PGM_TRANSPORT_SERIAL, 115200, 0},
};

size_t pgm_registry_count(void)
{
    return sizeof registry_table / sizeof registry_table[0];
}

const struct pgm_entry *pgm_registry_at(size_t i)
{
    return i < pgm_registry_count() ? &registry_table[i] : NULL;
}

const struct pgm_entry *pgm_registry_find(const char *id)
{
    for (size_t i = 0; i < pgm_registry_count(); i++)
        if (strcasecmp(registry_table[i].id, id) == 0)
            return &registry_table[i];
    return NULL;
}

size_t pgm_registry_suggest(const char *id, const struct pgm_entry **out, size_t max)
{
    enum { N = sizeof registry_table / sizeof registry_table[0] };
    int dist[N];
    size_t idx[N];
    if (!id || !out)
        return 0;
    for (size_t i = 0; i < N; i++)
        dist[i] =
            suggest_distance(id, strlen(id), registry_table[i].id, strlen(registry_table[i].id));
    /* up to three edits (suggest_distance counts half-steps) */
    size_t n = suggest_pick(dist, N, 6, idx, max < N ? max : N);
    for (size_t k = 0; k < n; k++)
        out[k] = &registry_table[idx[k]];
    return n;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A programmer's reply parsing (FUZZ_PGM names the -c id: arduino, avrisp, stk500v2,
 * stk500, buspirate, avr109; usbtiny, usbasp with FUZZ_PGM_USB), through the scripted
 * stream of memstream.c (USB: the scripted device of memusb.c). The first
 * input byte picks options (bit 0: a serial port rather than net:, bits 1-2: the part),
 * the rest is the reply script. The harness runs a whole session: open, enable,
 * signature, a paged read and a paged write of a small part of flash, the fuses, disable,
 * close. Asserts: no crash, leak or undefined behaviour whatever the replies are; each
 * failure has a status and a message; a read that succeeds fills what was asked.
 */
#include "fuzz.h"
#include "ispflash/image.h"
#include "ispflash/programmer.h"
#include "ispflash/session.h"
#include "memstream.h"

#ifndef FUZZ_PGM
#define FUZZ_PGM "arduino"
#endif

static void session_work(struct session *s, const struct part *p)
{
    struct ispf_error err;
    ispf_error_clear(&err);
    uint8_t buf[300];
    memset(buf, 0xA5, sizeof buf);
    int rc = session_read_range(s, MEM_FLASH, 0, buf, 256, &err);
    fuzz_check_error(rc, &err);
    if (rc == ISPF_E_DISCONNECTED || rc == ISPF_E_INTERRUPTED)
        return;
    struct image img;
    image_init(&img);
    uint8_t page[128];
    for (size_t i = 0; i < sizeof page; i++)
        page[i] = (uint8_t)(i * 7 + 1);
    uint32_t len = p->flash_page && p->flash_page < sizeof page ? p->flash_page : sizeof page;
    FUZZ_CHECK(image_set_range(&img, 0, page, len, &err) == ISPF_OK);
    ispf_error_clear(&err);
    rc = session_write(s, MEM_FLASH, &img, &err);
    fuzz_check_error(rc, &err);
    image_free(&img);
    static const enum mem_id fuses[] = {MEM_LFUSE, MEM_HFUSE, MEM_EFUSE, MEM_LOCK};
    for (size_t i = 0; i < 4; i++) {
        uint8_t v;
        ispf_error_clear(&err);
        fuzz_check_error(session_read_fuse(s, fuses[i], &v, &err), &err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < 1 || size > 16384)
        return 0;
    static const char *const parts[] = {"atmega328p", "atmega32u4", "attiny85", "atmega2560"};
    const struct pgm_entry *pe = pgm_registry_find(FUZZ_PGM);
    const struct part *p = part_find(parts[(data[0] >> 1) & 3]);
    FUZZ_CHECK(pe != NULL && p != NULL);
    memstream_script(data + 1, size - 1);
    struct session_config cfg = {
        .programmer = pe,
#ifdef FUZZ_PGM_USB
        .port = "usb",
#else
        .port = (data[0] & 1) ? "/dev/ispf-fuzz-no-such-port" : "net:fuzz:1",
#endif
        .part = p,
        .force = (data[0] & 8) != 0,
    };
    struct session *s = NULL;
    struct ispf_error err;
    ispf_error_clear(&err);
    int rc = session_open(&s, &cfg, &err);
    fuzz_check_error(rc, &err);
    if (getenv("FUZZ_VERBOSE")) /* what a seed reaches: FUZZ_VERBOSE=1 fuzzrun_pgm_... */
        fprintf(stderr, "session_open: %d %s\n", rc, rc ? err.msg : "");
    if (rc == ISPF_OK) {
        FUZZ_CHECK(session_signature(s) != NULL);
        session_work(s, p);
        session_detach(s);
        session_close(s);
    }
    return 0;
}

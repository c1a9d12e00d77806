// SPDX-License-Identifier: GPL-2.0-or-later
/* See help.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "help.h"
#include "opts.h"
#include "ispflash/bootloaders.h"
#include "ispflash/error.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"

const char cli_help[] =
    "Usage: ispflash -c PROGRAMMER [-P PORT] -p PART [options] [-U mem:op:file[:fmt]]...\n"
    "Program AVR microcontrollers over ISP (avrdude-compatible options).\n"
    "\n"
    "Examples (QMK ISP flashing):\n"
    "  ispflash -c avrisp -P /dev/ttyACM0 -p atmega32u4 -U Caterina.hex\n"
    "  ispflash -c usbtiny -p atmega32u4 -U bootloader_atmega32u4_1_0_0.hex\n"
    "  ispflash -c avrisp -P /dev/ttyACM0 -p m32u4 -U lfuse:w:0x5E:m -U hfuse:w:0xD9:m "
    "-U efuse:w:0xF3:m\n"
    "  ispflash -c dryrun -p m32u4 -x state=chip.bin -U firmware.hex   (no hardware)\n"
    "  ispflash -c usbasp -p m32u4 -U flash:r:backup.hex:i\n"
    "\n"
    "Options:\n"
    "  -c ID        programmer (-c ? lists them)\n"
    "  -p PART      target part, e.g. m32u4 or atmega32u4 (-p ? lists them)\n"
    "  -P PORT      port: /dev/ttyACM0, COM5, net:HOST:PORT, usb, usb:SERIAL\n"
    "               serial programmers: usb:VID:PID[:SERIAL] picks the port by USB id;\n"
    "               without -P the one port that fits is used\n"
    "  -P ?, --list-ports  list serial ports and USB programmers, what each probably\n"
    "               is and the -c to use (docs/ports.md)\n"
    "  -b BAUD      serial speed (default: the programmer's)\n"
    "  -B PERIOD    ISP clock period in microseconds, or a frequency (125kHz)\n"
    "  -U mem:op:file[:fmt]\n"
    "               mem: flash eeprom lfuse hfuse efuse lock signature calibration\n"
    "               op: w write (then verify), r read, v verify\n"
    "               fmt: a auto (default), i Intel HEX, r raw binary, m immediate\n"
    "                    (-U lfuse:w:0x5E:m), s S-record, e ELF; reading also h d o b\n"
    "               -U FILE alone means -U flash:w:FILE:a; mem may be a list\n"
    "               (flash,eeprom) or ALL: one file, avr-gcc's section addresses\n"
    "  -e           erase the chip\n"
    "  -D           do not erase before writing flash\n"
    "  -V           do not verify after writing\n"
    "  -n           write nothing to the chip (reads still happen)\n"
    "  -r           reset the board at -P into its bootloader first (1200-baud touch, for\n"
    "               -c avr109 / Caterina), then use the bootloader's port\n"
    "  -F           go on even if the signature names another part\n"
    "  -x OPT       programmer-specific option (e.g. -x state=FILE for dryrun)\n"
    "  -v / -q      more / less output (repeatable; -vvv shows the bytes on the wire)\n"
    "  -l FILE      append everything ispflash writes to standard error to FILE\n"
    "  -C FILE, -s, -u  accepted for avrdude command lines and ignored (-v says why)\n"
    "  -N           do not read the configuration file ($XDG_CONFIG_HOME/ispflash/config,\n"
    "               default ~/.config/ispflash/config: programmer, port, baud, bitclock,\n"
    "               part; the command line overrides it)\n"
    "  --backup FILE  save the whole chip first (default: the boot section and fuses to\n"
    "               ~/.local/state/ispflash/backups when a run would lose them)\n"
    "  --no-backup  take no backup before overwriting\n"
    "\n"
    "Fuses (docs/fuses.md):\n"
    "  --fuses      read and print every fuse and lock byte, decoded field by field\n"
    "  --identify   say what is on the chip (bootloader by fingerprint, empty, unknown code,\n"
    "               application), check the fuses against its preset; writes nothing\n"
    "  --bootloader NAME\n"
    "               set the fuses a bootloader needs (with -U FILE: erase, write, verify,\n"
    "               fuses, verify fuses); --bootloader ? lists the presets per MCU\n"
    "  --jtag on|off  JTAG enabled/disabled in the high fuse (with or without a preset)\n"
    "  --fuse FIELD=VALUE  change one fuse field by name, e.g. --fuse JTAGEN=off,\n"
    "               --fuse BOOTSZ=2048 (words; 4096B = bytes), --fuse CKDIV8=off; the chip's\n"
    "               value is read and only that field changes (repeatable); --fuse ? -p PART\n"
    "               lists the fields and values (with -c also the chip's)\n"
    "  --qmk PATH   take -p and --bootloader from a QMK keyboard folder (MCU and\n"
    "               BOOTLOADER of its rules.mk / info.json / keyboard.json; docs/qmk.md)\n"
    "  --unsafe-fuses  write fuses even when they would lock ISP out (SPIEN off, RSTDISBL,\n"
    "               DWEN, internal -> external clock, reserved clock, locking flash that is\n"
    "               written in the same run); without it such writes are refused (exit 7)\n"
    "\n"
    "Production (docs/production.md):\n"
    "  --batch [N]  board after board: program, verify, print PASS/FAIL, wait for the\n"
    "               next target; N boards, or until Ctrl-C (the board under way finishes)\n"
    "  --batch-wait enter|target  wait for Enter instead of watching for the target\n"
    "  --serial MEM:ADDR:LEN[:FORMAT]  a serial number per board (FORMAT le, be, dec or\n"
    "               a template like KB-%06u), from --serial-file FILE [--serial-start N]\n"
    "  --log FILE   append one record per board (CSV, or JSON Lines for *.jsonl)\n"
    "  -P PORT -P PORT ..., --ports FILE  several programmers at once, one thread each\n"
    "  --json       results as JSON lines on standard output (docs/json.md)\n"
    "\n"
    "  --help, --version  (ispflash merge --help: join images into one HEX file;\n"
    "               ispflash info --help: what image files hold, without a programmer)\n"
    "\n"
    "Exit codes:\n"
    "  0 success\n"
    "  1 other failure\n"
    "  2 usage error (options, unknown part/programmer/memory)\n"
    "  3 bad input file or value (nothing was written)\n"
    "  4 programmer problem (cannot open or sync, timeout, disconnected)\n"
    "  5 target problem (no target answers, wrong signature, write failure)\n"
    "  6 verification failed\n"
    "  7 refused by a safety check\n"
    "  8 interrupted (Ctrl-C, SIGTERM, SIGHUP): stopped at a page boundary, programming\n"
    "    mode left; the message says what was written (a second Ctrl-C exits at once, 130)\n";

int cli_exit_code(int code)
{
    return ispf_exit_class(code);
}

void cli_list_programmers(void)
{
    printf("Programmers (-c):\n");
    for (size_t i = 0; i < pgm_registry_count(); i++) {
        const struct pgm_entry *e = pgm_registry_at(i);
        printf("  %-16s %s\n", e->id, e->desc);
    }
}

void cli_list_parts(void)
{
    printf("Parts (-p), avrdude id and name:\n");
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        printf("  %-10s %-14s signature %02x %02x %02x, flash %u bytes, EEPROM %u bytes\n", p->id,
               p->name, p->signature[0], p->signature[1], p->signature[2], (unsigned)p->flash_size,
               (unsigned)p->eeprom_size);
    }
}

/* Print each space-separated word of list as "kind word". */
static void cli_complete_words(const char *kind, const char *list)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ");
        if (len)
            printf("%s %.*s\n", kind, (int)len, p);
        p += len;
        p += strspn(p, " ");
    }
}

/* The options: every -X and --word that --help names (so the two never disagree). */
static void cli_complete_options(void)
{
    static char seen[4096];
    seen[0] = ' ';
    seen[1] = '\0';
    for (const char *p = cli_help; *p; p++) {
        if (*p != '-' || (p > cli_help && !strchr(" ,(\n", p[-1])))
            continue;
        size_t len = 1 + strspn(p + 1, "-");
        len += strspn(p + len, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-?");
        while (len > 1 && p[len - 1] == '-')
            len--;
        bool shortopt = len == 2 && p[1] != '-';
        bool longopt = len > 3 && p[1] == '-' && p[2] != '-';
        char word[64];
        if ((!shortopt && !longopt) || len >= sizeof word - 2 || p[1] == '?')
            continue;
        snprintf(word, sizeof word, " %.*s ", (int)len, p);
        if (strstr(seen, word) || strlen(seen) + len + 2 >= sizeof seen)
            continue;
        strcat(seen, word + 1);
        printf("option %.*s\n", (int)len, p);
        p += len - 1;
    }
}

void cli_complete_data(void)
{
    cli_complete_options();
    for (size_t i = 0; i < pgm_registry_count(); i++)
        printf("programmer %s\n", pgm_registry_at(i)->id);
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        char name[64];
        size_t n = 0;
        for (; p->name[n] && n < sizeof name - 1; n++)
            name[n] = (char)tolower((unsigned char)p->name[n]);
        name[n] = '\0';
        printf("part %s\npart %s\n", p->id, name);
        cli_complete_words("part", p->aliases);
    }
    for (size_t i = 0; cli_mem_name_at(i); i++)
        printf("mem %s\n", cli_mem_name_at(i));
    for (size_t i = 0; i < bootloader_count(); i++) {
        const struct bootloader_preset *b = bootloader_at(i);
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcmp(bootloader_at(k)->name, b->name) == 0;
        if (!dup)
            printf("bootloader %s\n", b->name);
        cli_complete_words("bootloader", b->aliases);
    }
}

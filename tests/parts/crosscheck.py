#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Cross-check the compiled-in part database against avrdude's avrdude.conf.

usage: crosscheck.py DUMP_PARTS_BINARY [AVRDUDE]

Runs the dump program (tests/parts/dump_parts.c, linked with ispflash_core), then
for every part `avrdude -p ID/S` (avrdude >= 7.1 prints the part's avrdude.conf
entry with inheritance resolved, no programmer needed) and compares signature,
flash/EEPROM sizes and page sizes, which fuse bytes exist, the bits of each fuse
that avrdude writes, boot section sizes, calibration bytes, write delays, STK500
device code and STK500v2 parameters. Every mismatch is printed; any mismatch
fails (exit 1). Exit 1 as well if avrdude is missing: this test must not skip.
"""

import subprocess
import sys

# Where ATDF (the datasheet's device file) and avrdude.conf disagree on which bits
# exist, the database follows ATDF: avrdude writes these bits although they do not
# exist (see tools/data/avr-fuses.md). (part id, memory): bits avrdude writes.
AVRDUDE_WRITES_MORE = {}
# ATmega8U2/16U2/32U2, AT90USB82/162: efuse bits 7:4 do not exist.
for _pid in ("m8u2", "m16u2", "m32u2", "usb82", "usb162"):
    AVRDUDE_WRITES_MORE[(_pid, "efuse")] = 0xFF
# Lock byte with LB1:0 only (no boot loader lock bits on these parts).
for _pid in ("t25", "t45", "t85", "t2313", "t2313a", "t4313", "t13", "t13a",
             "m48", "m48a", "m48p", "m48pa"):
    AVRDUDE_WRITES_MORE[(_pid, "lock")] = 0x3F
# ATtiny13/13A: hfuse bits 7:5 do not exist.
for _pid in ("t13", "t13a"):
    AVRDUDE_WRITES_MORE[(_pid, "hfuse")] = 0xFF

FUSES = ("lfuse", "hfuse", "efuse", "lock")


def parse_avrdude(text):
    part = {"memories": {}}
    mem = None
    pending = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if pending is not None:
            if line.endswith(";"):
                pending = None
            continue
        if line.startswith("memory "):
            mem = {}
            part["memories"][line.split('"')[1]] = mem
            continue
        if line == ";":
            mem = None
            continue
        if "=" not in line:
            continue
        key, _, val = line.partition("=")
        val = val.strip()
        if '"' not in val:
            val = val.split("#")[0].strip()
        target = mem if mem is not None else part
        if val.endswith(";"):
            target[key.strip()] = val[:-1].strip()
        else:
            pending = key
    return part


def num(s, default=0):
    return default if s is None else int(s.split()[0], 0)


def write_bits(pattern):
    """Bits of the data byte marked 'i' in an avrdude write pattern."""
    data = pattern.strip('"').split("--")[3].replace(".", "")
    return sum(1 << (7 - i) for i, c in enumerate(data) if c == "i")


def read_bits(pattern):
    """Bits of the last byte marked 'o' in an avrdude read pattern."""
    data = pattern.strip('"').split("--")[3].replace(".", "")
    return sum(1 << (7 - i) for i, c in enumerate(data) if c == "o")


def expected(pid, ad):
    """What the database should say about part pid according to avrdude."""
    mems = ad["memories"]
    flash, eeprom = mems["flash"], mems.get("eeprom", {})
    e = {
        "name": ad["desc"].strip('"'),
        "signature": "".join("%02x" % int(x, 0) for x in ad["signature"].split()),
        "flash_size": num(flash["size"]),
        "flash_page": num(flash.get("page_size")),
        "eeprom_size": num(eeprom.get("size")),
        "eeprom_page": num(eeprom.get("page_size")),
        "calibration": num(mems.get("calibration", {}).get("size")),
        "flash_delay": num(flash.get("max_write_delay")),
        "eeprom_delay": num(eeprom.get("max_write_delay")),
        "fuse_delay": num(mems.get("lfuse", {}).get("max_write_delay")),
        "erase_delay": num(ad.get("chip_erase_delay")),
        "stk500_devcode": num(ad.get("stk500_devcode")),
    }
    for k in ("timeout", "stabdelay", "cmdexedelay", "synchloops", "bytedelay", "pollvalue",
              "pollindex", "predelay", "postdelay", "pollmethod"):
        e[k] = num(ad.get(k))
    for m, mm in (("flash", flash), ("eeprom", eeprom)):
        e[m + "_mode"] = num(mm.get("mode"))
        e[m + "_v2delay"] = num(mm.get("delay"))
        rb = mm.get("readback")
        e[m + "_readback"] = ",".join(str(int(x, 0)) for x in rb.split()) if rb else "0,0"
    for f in FUSES:
        if f in mems:
            e[f] = write_bits(mems[f]["write"])
            if e[f] == 0:
                # Some entries (t261/t461/t861 lock) put the data bits of the write
                # pattern in the second byte; their read pattern still says which exist.
                e[f] = read_bits(mems[f]["read"])
    n = num(ad.get("n_boot_sections"))
    if n:
        smallest = num(ad["boot_section_size"])
        e["boot"] = ",".join(str(smallest << i) for i in range(n))
    else:
        e["boot"] = ""
    return e


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    dump = sys.argv[1]
    avrdude = sys.argv[2] if len(sys.argv) > 2 else "avrdude"
    rows = []
    for line in subprocess.run([dump], capture_output=True, text=True, check=True).stdout.splitlines():
        rows.append(dict(f.split("=", 1) for f in line.split("\t")))
    if len(rows) < 30:
        sys.exit("crosscheck: only %d parts in the database" % len(rows))
    errors = []
    for row in rows:
        pid = row["id"]
        try:
            out = subprocess.run([avrdude, "-p", pid + "/S"], capture_output=True, text=True)
        except FileNotFoundError:
            sys.exit("crosscheck: %s not found; install avrdude (this test must not skip)" % avrdude)
        text = out.stdout + out.stderr
        if "memory \"flash\"" not in text:
            errors.append("%s: avrdude does not know this part: %s" % (pid, text.strip()[:200]))
            continue
        exp = expected(pid, parse_avrdude(text))
        for key, want in exp.items():
            if key in FUSES:
                continue
            got = row.get(key)
            if isinstance(want, int):
                got = int(got) if got is not None else None
            if got != want:
                errors.append("%s: %s is %r in ispflash, %r in avrdude.conf" % (pid, key, got, want))
        for f in FUSES:
            have = f in row
            if have != (f in exp):
                errors.append("%s: %s %s in ispflash but %s in avrdude.conf" % (
                    pid, f, "present" if have else "absent", "present" if f in exp else "absent"))
                continue
            if not have:
                continue
            fields = dict(kv.split(":") for kv in row[f].split(","))
            used, initval = int(fields["used"]), int(fields["initval"])
            if initval | used != 0xFF:
                errors.append("%s: %s default 0x%02X does not have the non-existent bits set"
                              % (pid, f, initval))
            avr = exp[f]
            if (pid, f) in AVRDUDE_WRITES_MORE:
                if avr != AVRDUDE_WRITES_MORE[(pid, f)] or used & ~avr:
                    errors.append("%s: %s known difference changed: ispflash bits 0x%02X, "
                                  "avrdude writes 0x%02X" % (pid, f, used, avr))
            elif used != avr:
                errors.append("%s: %s bits 0x%02X in ispflash, avrdude writes 0x%02X"
                              % (pid, f, used, avr))
    for e in errors:
        print("MISMATCH " + e)
    print("crosscheck: %d parts compared with %s, %d mismatches" % (len(rows), avrdude, len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

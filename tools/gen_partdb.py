#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the compiled-in part database (src/core/partdb.c) and docs/parts.md.

Inputs:
  * tools/data/avr-fuses.json: fuse and lock byte layouts, factory defaults, boot
    sections of 30 parts, extracted from Microchip ATDF files (see avr-fuses.md), and
    tools/data/avr-fuses-extra.json, the same for more parts (avr-fuses-extra.md).
  * avrdude 7.1 (`avrdude -p <id>/S`, which prints a part of /etc/avrdude.conf with
    inheritance resolved): signature, sizes, write delays, STK500 device code and
    STK500v2 parameters, calibration byte count.

Run from the repository root (needs avrdude installed; Python 3 stdlib only):
    python3 tools/gen_partdb.py            # rewrite src/core/partdb.c and docs/parts.md
    python3 tools/gen_partdb.py --check    # exit 1 if the committed files are stale

For the JSON parts the signature and sizes of the JSON and of avrdude must agree, or
generation stops. Parts that are not in the JSON take their fuse layout from a sibling
whose datasheet has identical fuse tables (see DERIVED below, one reason per part);
everything else about them comes from avrdude.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genfiles  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUSES_JSON = os.path.join(ROOT, "tools", "data", "avr-fuses.json")
# More parts in the same layout, extracted from their ATDF files by tools/atdf_fuses.py
# (see tools/data/avr-fuses-extra.md): parts without a same-datasheet sibling above.
FUSES_EXTRA_JSON = os.path.join(ROOT, "tools", "data", "avr-fuses-extra.json")
OUT_C = os.path.join(ROOT, "src", "core", "partdb.c")
OUT_MD = os.path.join(ROOT, "docs", "parts.md")

# Parts not in avr-fuses.json: id -> (sibling in the JSON, why its fuse layout applies).
# Signature, sizes, boot section sizes, delays and codes come from avrdude for these;
# where the boot sections differ from the sibling's, the BOOTSZ value captions are
# recomputed from the part's own sections. Each derivation was checked against the
# part's own ATDF file (avr-rust/avr-mcu commit 40d15c1, packs/*/<Device>.atdf): same
# fields, masks, value encodings, defaults and unused bits; only caption wording differs.
# Factory fuses that differ from the ATDF initval. The ATmega16U4/32U4 ATDF files give
# the values of the internal-RC ("RC") variants (lfuse 0x52, efuse 0xFB); the plain
# parts ship with the Atmel DFU bootloader and a crystal clock: lfuse 0x5E (CKSEL 1110),
# hfuse 0x99, efuse 0xF3 (HWBE programmed) -- datasheet fuse tables and QMK's ISP guide
# (protocols.md section 8, qmk-isp.md). The other USB AVRs' ATDF values already are these.
SHIPPED_FUSES = {
    "m16u4": {"lfuse": 0x5E, "efuse": 0xF3},
    "m32u4": {"lfuse": 0x5E, "efuse": 0xF3},
}

DERIVED = {
    "m168": ("m168a", "ATmega168: same fuse tables as ATmega168A (BOOTSZ/BOOTRST in efuse, "
             "BODLEVEL in hfuse)"),
    "m168pa": ("m168p", "ATmega168PA: same datasheet and fuse tables as ATmega168P"),
    "m88": ("m88p", "ATmega88: same fuse tables as ATmega88P (BOOTSZ/BOOTRST in efuse)"),
    "m88a": ("m88p", "ATmega88A: same datasheet and fuse tables as ATmega88P"),
    "m88pa": ("m88p", "ATmega88PA: same datasheet and fuse tables as ATmega88P"),
    "m16": ("m16a", "ATmega16: same fuse tables as ATmega16A (no efuse, 4 calibration bytes)"),
    "m32": ("m32a", "ATmega32: same fuse tables as ATmega32A (no efuse, 4 calibration bytes)"),
    "m644": ("m644p", "ATmega644: same fuse tables as ATmega644P (efuse BODLEVEL 2:0)"),
    "m644a": ("m644p", "ATmega644A: ATmega164A/PA/324A/PA/644A/PA/1284/P datasheet, same "
              "fuse tables as ATmega644P"),
    "m644pa": ("m644p", "ATmega644PA: same fuse tables as ATmega644P"),
    "m324p": ("m644p", "ATmega324P: ATmega164P/324P/644P datasheet, same fuse tables as "
              "ATmega644P; boot sections 256..2048 words"),
    "m324a": ("m644p", "ATmega324A: same fuse tables as ATmega644P; boot sections 256..2048 words"),
    "m324pa": ("m644p", "ATmega324PA: same fuse tables as ATmega644P; boot sections 256..2048 words"),
    "m164p": ("m644p", "ATmega164P: ATmega164P/324P/644P datasheet, same fuse tables as "
              "ATmega644P; boot sections 128..1024 words"),
    "m164a": ("m644p", "ATmega164A: same fuse tables as ATmega644P; boot sections 128..1024 words"),
    "m164pa": ("m644p", "ATmega164PA: same fuse tables as ATmega644P; boot sections 128..1024 words"),
    "m1284": ("m1284p", "ATmega1284: same fuse tables as ATmega1284P"),
    "m640": ("m2560", "ATmega640: ATmega640/1280/1281/2560/2561 datasheet, one fuse table"),
    "m1280": ("m2560", "ATmega1280: ATmega640/1280/1281/2560/2561 datasheet, one fuse table"),
    "m1281": ("m2560", "ATmega1281: ATmega640/1280/1281/2560/2561 datasheet, one fuse table"),
    "m2561": ("m2560", "ATmega2561: ATmega640/1280/1281/2560/2561 datasheet, one fuse table"),
    "t2313": ("t2313a", "ATtiny2313: same fuse tables as ATtiny2313A (SELFPRGEN in efuse)"),
    "t24a": ("t24", "ATtiny24A: same fuse tables as ATtiny24"),
    "t44a": ("t44", "ATtiny44A: same fuse tables as ATtiny44"),
    "t84a": ("t84", "ATtiny84A: same fuse tables as ATtiny84"),
}

# Extra names accepted besides the avrdude id and the datasheet name: the datasheet
# names of the low-voltage/speed-grade ("V", "L") and factory-RC ("RC") variants, which
# are the same die with the same signature and programming interface.
ALIASES = {
    "m8": "atmega8l", "m16": "atmega16l", "m32": "atmega32l",
    "m48": "atmega48v", "m88": "atmega88v", "m168": "atmega168v",
    "m48p": "atmega48pv", "m88p": "atmega88pv", "m168p": "atmega168pv",
    "m164p": "atmega164pv", "m324p": "atmega324pv", "m644": "atmega644v", "m644p": "atmega644pv",
    "m640": "atmega640v", "m1280": "atmega1280v", "m1281": "atmega1281v",
    "m2560": "atmega2560v", "m2561": "atmega2561v",
    "m16u4": "atmega16u4rc", "m32u4": "atmega32u4rc",
    "t13": "attiny13v", "t2313": "attiny2313v",
    "t24": "attiny24v", "t44": "attiny44v", "t84": "attiny84v",
    "t25": "attiny25v", "t45": "attiny45v", "t85": "attiny85v",
    "t261": "attiny261v", "t461": "attiny461v", "t861": "attiny861v",
}

# Parts with a corrected BOOTSZ caption: the ATDF captions pair the sizes with start
# addresses that do not fit (and say 2408 words for 2048); see avr-fuses.md.
FIX_BOOTSZ_CAPTIONS = {"usb646", "usb647"}


def die(msg):
    sys.stderr.write("gen_partdb: %s\n" % msg)
    sys.exit(1)


# ---------------------------------------------------------------- avrdude ----

def parse_avrdude_part(text):
    """Parse the output of `avrdude -p ID/S` into {key: value, 'memories': {...}}."""
    part = {"memories": {}}
    mem = None
    pending = None  # (dict, key) of a value continued on following lines
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if pending is not None:
            d, k = pending
            d[k] += " " + line
            if line.endswith(";"):
                d[k] = d[k].rstrip(";").strip()
                pending = None
            continue
        if line.startswith("memory "):
            name = line.split('"')[1]
            mem = {}
            part["memories"][name] = mem
            continue
        if line == ";":
            mem = None
            continue
        if line.startswith("part"):
            continue
        if "=" not in line:
            continue
        key, _, val = line.partition("=")
        key = key.strip()
        val = val.split("#")[0].strip() if "\"" not in val else val.strip()
        target = mem if mem is not None else part
        if val.endswith(";"):
            target[key] = val[:-1].strip()
        else:
            target[key] = val
            pending = (target, key)
    return part


def avrdude_part(pid):
    try:
        out = subprocess.run(["avrdude", "-p", pid + "/S"], capture_output=True,
                             text=True, check=False)
    except FileNotFoundError:
        die("avrdude not found (apt-get install avrdude)")
    text = out.stdout + out.stderr
    if "part" not in text or "memory" not in text:
        die("avrdude does not know part %s:\n%s" % (pid, text))
    return parse_avrdude_part(text)


def num(s, default=None):
    if s is None:
        return default
    return int(s.split()[0], 0)


# ----------------------------------------------------------------- model -----

def bootsz_caption(size_bytes, start_bytes):
    return "Boot Flash size=%d words start address=$%X" % (size_bytes // 2, start_bytes // 2)


def boot_sections_from_avrdude(ad, flash_size):
    n = num(ad.get("n_boot_sections"), 0)
    if n == 0:
        return []
    smallest = num(ad["boot_section_size"])
    return [{"start": flash_size - (smallest << i), "size": smallest << i} for i in range(n)]


def lowest_bit(mask):
    return (mask & -mask).bit_length() - 1


def fix_bootsz(fuse_bytes, boot):
    """Replace BOOTSZ value captions by ones computed from the boot sections."""
    for b in fuse_bytes.values():
        for f in b["fields"]:
            if f["name"] != "BOOTSZ":
                continue
            top = f["mask"] >> lowest_bit(f["mask"])
            vals = []
            for v, _ in f["values"]:
                sec = boot[top - v]  # value 'top' = smallest section
                vals.append([v, bootsz_caption(sec["size"], sec["start"])])
            f["values"] = vals


def build_part(pid, js, ad):
    """Merge the JSON entry (fuses) and the avrdude entry (everything else) of a part."""
    mems = ad["memories"]
    sig = [int(x, 0) for x in ad["signature"].split()]
    flash = mems["flash"]
    eeprom = mems.get("eeprom", {})
    p = {
        "id": pid,
        "name": ad["desc"].strip('"'),
        "aliases": ALIASES.get(pid, ""),
        "signature": sig,
        "flash_size": num(flash["size"]),
        "flash_page": num(flash.get("page_size"), 0),
        "eeprom_size": num(eeprom.get("size"), 0),
        "eeprom_page": num(eeprom.get("page_size"), 0),
        "n_calibration": num(mems.get("calibration", {}).get("size"), 0),
        "flash_delay": num(flash.get("max_write_delay"), 0),
        "eeprom_delay": num(eeprom.get("max_write_delay"), 0),
        "fuse_delay": num(mems.get("lfuse", {}).get("max_write_delay"), 0),
        "erase_delay": num(ad.get("chip_erase_delay"), 0),
        "devcode": num(ad.get("stk500_devcode"), 0),
    }
    v2 = {}
    for k in ("timeout", "stabdelay", "cmdexedelay", "synchloops", "bytedelay",
              "pollvalue", "pollindex", "predelay", "postdelay", "pollmethod"):
        v2[k] = num(ad.get(k), 0)
    for m, mm in (("flash", flash), ("eeprom", eeprom)):
        v2[m + "_mode"] = num(mm.get("mode"), 0)
        v2[m + "_delay"] = num(mm.get("delay"), 0)
        rb = mm.get("readback")
        v2[m + "_readback"] = [int(x, 0) for x in rb.split()] if rb else [0, 0]
    p["v2"] = v2

    fuses = {k: json.loads(json.dumps(v)) for k, v in js["fuses"].items()}
    fuses["lock"] = json.loads(json.dumps(js["lock"]["lock"]))
    if fuses["lock"]["initval"] is None:
        # ATDF gives no lock default for the ATtiny parts: a new chip is unlocked.
        fuses["lock"]["initval"] = 0xFF
    for name, val in SHIPPED_FUSES.get(pid, {}).items():
        fuses[name]["initval"] = val
    p["fuses"] = fuses
    return p


def natural_key(pid):
    """Sort key putting m8 before m16 and t25 before t261: family, then number, then suffix."""
    head = pid.rstrip("abcdefghijklmnopqrstuvwxyz0123456789")
    rest = pid[len(head):]
    fam = ""
    while rest and not rest[0].isdigit():
        fam, rest = fam + rest[0], rest[1:]
    digits = ""
    while rest and rest[0].isdigit():
        digits, rest = digits + rest[0], rest[1:]
    return (head, fam, int(digits) if digits else -1, rest)


def load_parts():
    data = {}
    for path in (FUSES_JSON, FUSES_EXTRA_JSON):
        with open(path) as f:
            for pid, entry in json.load(f).items():
                if pid in data:
                    die("%s is in more than one fuse file" % pid)
                data[pid] = entry
    parts = []
    for idx, (pid, js) in enumerate(data.items()):
        ad = avrdude_part(pid)
        p = build_part(pid, js, ad)
        # The JSON and avrdude must agree on what both describe.
        want = {
            "signature": [int(js["signature"][i:i + 2], 16) for i in (0, 2, 4)],
            "flash_size": js["flash_size"], "flash_page": js["flash_page"],
            "eeprom_size": js["eeprom_size"], "eeprom_page": js["eeprom_page"],
        }
        for k, v in want.items():
            if p[k] != v:
                die("%s: %s is %r in avr-fuses.json but %r in avrdude.conf" % (pid, k, v, p[k]))
        p["boot"] = [{"start": b["start"], "size": b["size"]} for b in js["boot_sections"]]
        if p["boot"] != boot_sections_from_avrdude(ad, p["flash_size"]):
            die("%s: boot sections differ between avr-fuses.json and avrdude.conf" % pid)
        if pid in FIX_BOOTSZ_CAPTIONS:
            fix_bootsz(p["fuses"], p["boot"])
        p["derived"] = None
        p["json_index"] = idx
        parts.append(p)
    for pid, (sib, why) in DERIVED.items():
        if pid in data:
            die("%s is in the JSON, drop it from DERIVED" % pid)
        ad = avrdude_part(pid)
        p = build_part(pid, data[sib], ad)
        p["boot"] = boot_sections_from_avrdude(ad, p["flash_size"])
        if len(p["boot"]) != len(data[sib]["boot_sections"]):
            die("%s: boot section count differs from its sibling %s" % (pid, sib))
        sib_boot = [{"start": b["start"], "size": b["size"]} for b in data[sib]["boot_sections"]]
        if p["boot"] != sib_boot:
            fix_bootsz(p["fuses"], p["boot"])
        has_efuse = "efuse" in ad["memories"]
        if has_efuse != ("efuse" in p["fuses"]):
            die("%s: efuse presence differs from its sibling %s" % (pid, sib))
        p["derived"] = (sib, why)
        p["json_index"] = len(data)
        parts.append(p)
    parts.sort(key=lambda p: natural_key(p["id"]))
    validate(parts)
    return parts


def validate(parts):
    ids = set()
    for p in parts:
        for n in [p["id"], p["name"].lower()] + p["aliases"].split():
            if n.lower() in ids:
                die("duplicate part name %s" % n)
            ids.add(n.lower())
        for bname, b in p["fuses"].items():
            used = 0xFF & ~b["unused_mask"]
            seen = 0
            for f in b["fields"]:
                if f["mask"] & ~used or f["mask"] & seen:
                    die("%s %s: field %s overlaps or is outside used bits" % (p["id"], bname, f["name"]))
                seen |= f["mask"]
                width = f["mask"] >> lowest_bit(f["mask"])
                for v, _ in f["values"]:
                    if v & ~width:
                        die("%s %s %s: value %d wider than field" % (p["id"], bname, f["name"], v))


# ------------------------------------------------------------------ C out ----

def c_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= o < 127:
            out.append(ch)
        else:
            for byte in ch.encode("utf-8"):
                out.append("\\%03o" % byte)
    out.append('"')
    return "".join(out)


FUSE_KEYS = ("lfuse", "hfuse", "efuse", "lock")


class Emitter:
    """Emits value and field tables once each (many parts share them)."""

    def __init__(self):
        self.lines = []
        self.values = {}
        self.fields = {}
        self.boots = {}

    def value_table(self, owner, field):
        if not field["values"]:
            return "NULL"
        key = tuple((v, c) for v, c in field["values"])
        if key not in self.values:
            name = "vals_%s_%s" % (owner, field["name"].lower())
            self.values[key] = name
            self.lines.append("static const struct fuse_value %s[] = {" % name)
            for v, c in key:
                self.lines.append("    {0x%02X, %s}," % (v, c_str(c)))
            self.lines.append("};")
        return self.values[key]

    def field_table(self, owner, bname, byte):
        if not byte["fields"]:
            return "NULL"
        fields = sorted(byte["fields"], key=lambda f: -f["mask"])
        key = json.dumps(fields, sort_keys=True)
        if key not in self.fields:
            refs = [self.value_table(owner, f) for f in fields]
            name = "fields_%s_%s" % (owner, bname)
            self.fields[key] = name
            self.lines.append("static const struct fuse_field %s[] = {" % name)
            for f, r in zip(fields, refs):
                self.lines.append("    {%s, 0x%02X, %s, %s, %d}," % (
                    c_str(f["name"]), f["mask"], c_str(f["caption"]), r,
                    len(f["values"])))
            self.lines.append("};")
        return self.fields[key]

    def boot_table(self, owner, boot):
        if not boot:
            return "NULL"
        key = tuple((b["start"], b["size"]) for b in boot)
        if key not in self.boots:
            name = "boot_%s" % owner
            self.boots[key] = name
            self.lines.append("static const struct boot_section %s[] = {%s};" % (
                name, ", ".join("{0x%05X, %d}" % k for k in key)))
        return self.boots[key]


def ident(pid):
    return pid.replace("-", "_")


def gen_c(parts):
    em = Emitter()
    # Create the shared tables in avr-fuses.json order first, so each is named after
    # the first JSON part that has it.
    for p in sorted(parts, key=lambda p: (p["derived"] is not None, p["json_index"])):
        for k in FUSE_KEYS:
            if k in p["fuses"]:
                em.field_table(ident(p["id"]), k, p["fuses"][k])
    entries = []
    for p in parts:
        owner = ident(p["id"])
        fuse_inits = []
        for k in FUSE_KEYS:
            b = p["fuses"].get(k)
            if b is None:
                fuse_inits.append("{false, 0xFF, 0x00, NULL, 0}")
                continue
            used = 0xFF & ~b["unused_mask"]
            initval = b["initval"] | (0xFF & ~used)
            ft = em.field_table(owner, k, b)
            fuse_inits.append("{true, 0x%02X, 0x%02X, %s, %d}" % (initval, used, ft, len(b["fields"])))
        bt = em.boot_table(ident(p["id"]), p["boot"])
        v2 = p["v2"]
        e = []
        if p["derived"]:
            e.append("    /* %s: fuse layout of %s. %s */" % (p["id"], p["derived"][0], p["derived"][1]))
        e.append("    {")
        e.append("        .id = %s," % c_str(p["id"]))
        e.append("        .name = %s," % c_str(p["name"]))
        e.append("        .aliases = %s," % c_str(p["aliases"]))
        e.append("        .signature = {0x%02X, 0x%02X, 0x%02X}," % tuple(p["signature"]))
        e.append("        .flash_size = %d," % p["flash_size"])
        e.append("        .flash_page = %d," % p["flash_page"])
        e.append("        .eeprom_size = %d," % p["eeprom_size"])
        e.append("        .eeprom_page = %d," % p["eeprom_page"])
        e.append("        .n_calibration = %d," % p["n_calibration"])
        e.append("        .flash_delay_us = %d," % p["flash_delay"])
        e.append("        .eeprom_delay_us = %d," % p["eeprom_delay"])
        e.append("        .fuse_delay_us = %d," % p["fuse_delay"])
        e.append("        .erase_delay_us = %d," % p["erase_delay"])
        e.append("        .stk500_devcode = 0x%02X," % p["devcode"])
        e.append("        .v2 = {.timeout = %d, .stabdelay = %d, .cmdexedelay = %d, "
                 ".synchloops = %d, .bytedelay = %d," % (
                     v2["timeout"], v2["stabdelay"], v2["cmdexedelay"], v2["synchloops"],
                     v2["bytedelay"]))
        e.append("               .pollvalue = 0x%02X, .pollindex = %d, .predelay = %d, "
                 ".postdelay = %d, .pollmethod = %d," % (
                     v2["pollvalue"], v2["pollindex"], v2["predelay"], v2["postdelay"],
                     v2["pollmethod"]))
        e.append("               .flash_mode = 0x%02X, .flash_delay = %d, .eeprom_mode = 0x%02X, "
                 ".eeprom_delay = %d," % (
                     v2["flash_mode"], v2["flash_delay"], v2["eeprom_mode"], v2["eeprom_delay"]))
        e.append("               .flash_readback = {0x%02X, 0x%02X}, "
                 ".eeprom_readback = {0x%02X, 0x%02X}}," % (
                     tuple(v2["flash_readback"]) + tuple(v2["eeprom_readback"])))
        e.append("        .fuse = {%s," % fuse_inits[0])
        for fi in fuse_inits[1:3]:
            e.append("                 %s," % fi)
        e.append("                 %s}," % fuse_inits[3])
        e.append("        .boot_sections = %s," % bt)
        e.append("        .n_boot_sections = %d," % len(p["boot"]))
        e.append("    },")
        entries.append("\n".join(e))

    head = [
        "/* SPDX-License-Identifier: GPL-2.0-or-later */",
        "/*",
        " * GENERATED FILE - do not edit by hand.",
        " * Generated by tools/gen_partdb.py from tools/data/avr-fuses*.json (Microchip ATDF",
        " * fuse layouts) and avrdude 7.1's /etc/avrdude.conf (sizes, delays, codes).",
        " * Regenerate from the repository root with:  python3 tools/gen_partdb.py",
        " */",
        "#include \"partdb.h\"",
        "",
        "#include <stddef.h>",
        "",
    ]
    body = em.lines + ["", "const struct part partdb_parts[] = {"] + entries + [
        "};", "",
        "const size_t partdb_count = sizeof partdb_parts / sizeof partdb_parts[0];", ""]
    return "\n".join(head + body)


# ----------------------------------------------------------------- docs -----

def gen_md(parts):
    out = [
        "# Supported parts",
        "",
        "<!-- GENERATED by tools/gen_partdb.py; do not edit by hand. -->",
        "",
        "ispflash has a compiled-in part database (src/core/partdb.c, generated by "
        "`python3 tools/gen_partdb.py`). Fuse and lock layouts come from Microchip ATDF "
        "files (tools/data/avr-fuses*.json); signatures, sizes, write delays and programmer "
        "codes from avrdude 7.1's avrdude.conf. `-p` accepts the id or the datasheet name, "
        "in any case (`m32u4`, `atmega32u4`, `ATmega32U4`).",
        "",
        "Sizes are in bytes. Fuses: the bits that exist in each byte (L/H/E/lock) and the "
        "factory default; `-` = the part has no such byte.",
        "",
        "| id | name | signature | flash / page | EEPROM / page | lfuse | hfuse | efuse | lock | boot sections | cal. bytes | other names |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in parts:
        cells = []
        for k in FUSE_KEYS:
            b = p["fuses"].get(k)
            if b is None:
                cells.append("-")
            else:
                used = 0xFF & ~b["unused_mask"]
                cells.append("0x%02X (bits 0x%02X)" % (b["initval"] | (0xFF & ~used), used))
        boot = ", ".join(str(b["size"] // 2) for b in p["boot"])
        boot = (boot + " words") if boot else "-"
        out.append("| %s | %s | %s | %d / %d | %d / %d | %s | %s | %s | %s | %s | %d | %s |" % (
            p["id"], p["name"], " ".join("%02X" % x for x in p["signature"]),
            p["flash_size"], p["flash_page"], p["eeprom_size"], p["eeprom_page"],
            cells[0], cells[1], cells[2], cells[3], boot, p["n_calibration"],
            ", ".join(p["aliases"].split()) or "-"))
    out += [
        "",
        "Several parts share a signature (e.g. usb646/usb647, usb1286/usb1287, m8/m8a, "
        "m168/m168a): a chip's signature cannot tell them apart, and the database gives "
        "them the same sizes and fuse layout.",
        "",
        "## Where the data comes from",
        "",
        "- tools/data/avr-fuses.json (30 parts) and tools/data/avr-fuses-extra.json: fuse and "
        "lock fields, masks, captions, value encodings, factory defaults, bits that exist, boot "
        "sections, from Microchip ATDF device files (see the .md files beside them).",
        "- avrdude 7.1 (`avrdude -p ID/S`): signature, sizes, page sizes, write delays, chip "
        "erase delay, STK500 device code, STK500v2 ISP parameters, number of calibration "
        "bytes. The generator stops if the JSON and avrdude disagree on a signature or size; "
        "`tests/parts/crosscheck.py` (ctest `parts_crosscheck_avrdude`) compares the compiled "
        "table with avrdude again, including the fuse bits avrdude writes.",
        "- Where avrdude writes fuse bits the ATDF says do not exist (U2 efuse bits 7:4, "
        "ATtiny lock bits 5:2, ...), the database follows the ATDF; the cross-check lists each case.",
        "",
        "Parts whose fuse layout is taken from a sibling with the same datasheet fuse tables "
        "(each checked against the part's own ATDF file: same fields, masks, encodings, "
        "defaults and unused bits):",
        "",
    ]
    for p in parts:
        if p["derived"]:
            out.append("- %s: as %s. %s." % (p["id"], p["derived"][0], p["derived"][1]))
    out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the generated files differ from the committed ones")
    ap.add_argument("--out-c", default=OUT_C)
    ap.add_argument("--out-md", default=OUT_MD)
    args = ap.parse_args()
    parts = load_parts()
    outputs = ((args.out_c, gen_c(parts)), (args.out_md, gen_md(parts)))
    genfiles.write_or_check("gen_partdb", outputs, args.check)
    if not args.check:
        print("gen_partdb: %d parts -> %s, %s" % (len(parts), args.out_c, args.out_md))


if __name__ == "__main__":
    main()

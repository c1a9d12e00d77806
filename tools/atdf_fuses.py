#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Extract fuse/lock layouts from Microchip ATDF device files into the JSON layout
of tools/data/avr-fuses.json (described in tools/data/avr-fuses.md).

usage: atdf_fuses.py OUT.json ID=FILE.atdf [ID=FILE.atdf ...]

ID is the avrdude part id. Used to make tools/data/avr-fuses-extra.json (parts that
have no sibling with the same fuse tables in avr-fuses.json); the ATDF files came
from GitHub avr-rust/avr-mcu, commit 40d15c1c56c34926f0ee3a00cff2ceda491d8389,
packs/atmega/ and packs/tiny/. Run on the 30 parts of avr-fuses.json, it reproduces
that file's fuse, lock, size and boot section data exactly (checked when it was
written). Python 3 stdlib only.
"""

import json
import sys
import xml.etree.ElementTree as ET

BYTE_KEYS = {"LOW": "lfuse", "HIGH": "hfuse", "EXTENDED": "efuse"}


def num(s):
    return int(s, 0)


def registers(root, module_name):
    """{register name: {offset, initval, unused_mask, fields}} of a FUSE/LOCKBIT module."""
    out = {}
    for mod in root.iter("module"):
        if mod.get("name") != module_name or mod.find("register-group") is None:
            continue
        groups = {vg.get("name"): vg for vg in mod.iter("value-group")}
        for reg in mod.iter("register"):
            fields, covered = [], 0
            for bf in reg.iter("bitfield"):
                mask = num(bf.get("mask"))
                covered |= mask
                values = []
                if bf.get("values"):
                    values = [[num(v.get("value")), v.get("caption")]
                              for v in groups[bf.get("values")].iter("value")]
                fields.append({"name": bf.get("name"), "mask": mask,
                               "caption": bf.get("caption"), "values": values})
            init = reg.get("initval")
            out[reg.get("name")] = {
                "offset": num(reg.get("offset")),
                "initval": num(init) if init else None,
                "unused_mask": 0xFF & ~covered,
                "fields": fields,
            }
    return out


def segment(root, space, name):
    for sp in root.iter("address-space"):
        if sp.get("name") != space:
            continue
        for seg in sp.iter("memory-segment"):
            if seg.get("name") == name:
                return seg
    return None


def extract(path):
    root = ET.parse(path).getroot()
    dev = root.find("devices/device")
    sig = {p.get("name"): num(p.get("value"))
           for pg in dev.iter("property-group") if pg.get("name") == "SIGNATURES"
           for p in pg.iter("property")}
    flash = segment(root, "prog", "FLASH")
    eeprom = segment(root, "eeprom", "EEPROM")
    boot = []
    for sp in root.iter("address-space"):
        if sp.get("name") == "prog":
            for seg in sp.iter("memory-segment"):
                if seg.get("name", "").startswith("BOOT_SECTION"):
                    boot.append({"name": seg.get("name"), "start": num(seg.get("start")),
                                 "size": num(seg.get("size"))})
    boot.sort(key=lambda b: b["size"])
    fuse_regs = registers(root, "FUSE")
    lock_regs = registers(root, "LOCKBIT")
    return {
        "name": dev.get("name"),
        "atdf": path,
        "signature": "%02x%02x%02x" % (sig["SIGNATURE0"], sig["SIGNATURE1"], sig["SIGNATURE2"]),
        "flash_size": num(flash.get("size")),
        "flash_page": num(flash.get("pagesize")),
        "eeprom_size": num(eeprom.get("size")),
        "eeprom_page": num(eeprom.get("pagesize")),
        "boot_sections": boot,
        "fuses": {BYTE_KEYS[k]: v for k, v in sorted(fuse_regs.items(),
                                                     key=lambda kv: kv[1]["offset"])},
        "lock": {"lock": lock_regs["LOCKBIT"]},
        "notes": [],
    }


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = {}
    for arg in sys.argv[2:]:
        pid, _, path = arg.partition("=")
        out[pid] = extract(path)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

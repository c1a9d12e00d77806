#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate src/core/fingerprint_db.c: the bootloader fingerprints --identify and
`ispflash info` recognise, made from the real images in tests/data/real/.

    python3 tools/gen_fingerprints.py           # rewrite src/core/fingerprint_db.c
    python3 tools/gen_fingerprints.py --check   # exit 1 if the committed file is stale

A fingerprint is the SHA-256 of the bootloader's bytes from its start address (a boot
section start: the top of flash minus one of the part's boot-section sizes) up to the
last byte that is not 0xFF below the end of flash; holes in the HEX file count as 0xFF
(what an erased chip holds there). A "combined" file (bootloader + sketch, such as
Arduino's Caterina-Leonardo.hex) is fingerprinted on its bootloader region only.
The table below names each file's bootloader, version, parts and the --bootloader
preset whose fuses it needs (include/ispflash/bootloaders.h); start is checked to lie
in the file's data and at a boot-section start of a flash of flash_size bytes.
"""
import argparse
import hashlib
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "tests", "data", "real")
OUT_C = os.path.join(ROOT, "src", "core", "fingerprint_db.c")

# file, name, version, MCU (as the bootloader's makers name it), part ids, preset,
# flash size, start, note
FILES = [
    ("qmk_bootloader_atmega16u4_1_0_1.hex", "Atmel/QMK DFU", "1.0.1", "ATmega16U4", "m16u4",
     "atmel-dfu", 16384, 0x3000, "QMK's file name says 1.0.1; its USB string says V1.0.2"),
    ("qmk_bootloader_atmega32u4_1_0_0.hex", "Atmel/QMK DFU", "1.0.0", "ATmega32U4", "m32u4",
     "atmel-dfu", 32768, 0x7000, ""),
    ("qmk_bootloader_at90usb64_1.0.0_2680132.hex", "Atmel/QMK DFU", "1.0.0", "AT90USB64x",
     "usb646 usb647", "atmel-dfu", 65536, 0xF000, "QMK build 2680132"),
    ("qmk_bootloader_at90usb64_1.0.0_db98381.hex", "Atmel/QMK DFU", "1.0.0", "AT90USB64x",
     "usb646 usb647", "atmel-dfu", 65536, 0xF000, "QMK build db98381"),
    ("qmk_bootloader_at90usb128_1.0.1.hex", "Atmel/QMK DFU", "1.0.1", "AT90USB128x",
     "usb1286 usb1287", "atmel-dfu", 131072, 0x1E000, "QMK file bootloader_at90usb128_1.0.1"),
    ("qmk_bootloader_at90usb128x_1_0_1.hex", "Atmel/QMK DFU", "1.0.1", "AT90USB128x",
     "usb1286 usb1287", "atmel-dfu", 131072, 0x1E000, "QMK file bootloader_at90usb128x_1_0_1"),
    ("arduino_Caterina-Leonardo.hex", "Caterina (Arduino Leonardo)", "", "ATmega32U4", "m32u4",
     "caterina-leonardo", 32768, 0x7000, "the file also holds a Blink sketch"),
    ("arduino_Caterina-Micro.hex", "Caterina (Arduino Micro)", "", "ATmega32U4", "m32u4",
     "caterina-micro", 32768, 0x7000, "the file also holds a Blink sketch"),
    ("sparkfun_Caterina-promicro16.hex", "Caterina (SparkFun Pro Micro 5V/16 MHz)", "",
     "ATmega32U4", "m32u4", "caterina-promicro16", 32768, 0x7000, ""),
    ("sparkfun_Caterina-promicro8.hex", "Caterina (SparkFun Pro Micro 3V3/8 MHz)", "",
     "ATmega32U4", "m32u4", "caterina-promicro8", 32768, 0x7000, ""),
    ("sparkfun_Caterina-lilypadusb.hex", "Caterina (SparkFun LilyPadUSB)", "", "ATmega32U4",
     "m32u4", "caterina-lilypadusb", 32768, 0x7000, ""),
    ("qmk_bootloader_atmega32a_1_0_0.hex", "BootloadHID", "1.0.0", "ATmega32A", "m32a m32",
     "bootloadhid", 32768, 0x7000, "QMK file bootloader_atmega32a_1_0_0"),
    ("qmk_bootloader_ps2avrgb_bootloadhid_1.0.1.hex", "BootloadHID (ps2avrGB)", "1.0.1",
     "ATmega32A", "m32a m32", "bootloadhid", 32768, 0x7000, ""),
    ("0xcb_usbasploader_atmega328p_main.hex", "USBaspLoader (0xCB build)", "", "ATmega328P",
     "m328p", "usbasploader", 32768, 0x7000, ""),
    ("nullbits_usbasploader_atmega328p_main.hex", "USBaspLoader (nullbits build)", "",
     "ATmega328P", "m328p", "usbasploader", 32768, 0x7000, ""),
    ("arduino_optiboot_atmega328.hex", "Optiboot", "4.4", "ATmega328P", "m328p", "", 32768,
     0x7E00, "Arduino's optiboot_atmega328.hex; version from its bytes at 0x7FFE"),
    ("arduino_Arduino-COMBINED-dfu-usbserial-atmega16u2-Uno-Rev3.hex",
     "Arduino DFU (Uno Rev3 USB chip)", "", "ATmega16U2", "m16u2", "", 16384, 0x3000,
     "the file also holds the usbserial firmware"),
]


def read_ihex(path):
    """address -> byte of an Intel HEX file (types 00-05), checksums checked."""
    mem = {}
    base = 0
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            if line[:1] != b":":
                raise ValueError("%s:%d: not a record" % (path, n))
            rec = bytes.fromhex(line[1:].decode())
            if sum(rec) & 0xFF:
                raise ValueError("%s:%d: bad checksum" % (path, n))
            length, addr, kind = rec[0], (rec[1] << 8) | rec[2], rec[3]
            data = rec[4:4 + length]
            if kind == 0:
                for i, b in enumerate(data):
                    mem[base + addr + i] = b
            elif kind == 1:
                break
            elif kind == 2:
                base = ((data[0] << 8) | data[1]) << 4
            elif kind == 4:
                base = ((data[0] << 8) | data[1]) << 16
    return mem


def fingerprint(mem, start, flash_size):
    last = max((a for a, b in mem.items() if start <= a < flash_size and b != 0xFF), default=None)
    if last is None:
        raise ValueError("no bootloader bytes at 0x%x" % start)
    body = bytes(mem.get(a, 0xFF) for a in range(start, last + 1))
    return len(body), hashlib.sha256(body).hexdigest()


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gen_c():
    rows = []
    for (fname, name, version, mcu, parts, preset, fsize, start, note) in FILES:
        mem = read_ihex(os.path.join(REAL, fname))
        if max(mem) >= fsize:
            raise ValueError("%s: data above flash end 0x%x" % (fname, fsize))
        size = fsize - start
        if size & (size - 1) or not 512 <= size <= 8192:
            raise ValueError("%s: 0x%x is not a boot-section start" % (fname, start))
        if start not in mem:
            raise ValueError("%s: no data at 0x%x" % (fname, start))
        length, digest = fingerprint(mem, start, fsize)
        hexbytes = ", ".join("0x" + digest[i:i + 2] for i in range(0, 64, 2))
        rows.append("    {%s, %s, %s, %s, %s, %s, %s,\n     0x%05X, %u, %u,\n     {%s}},"
                    % (c_str(fname), c_str(name), c_str(version), c_str(mcu), c_str(parts),
                       c_str(preset), c_str(note), start, length, fsize, hexbytes))
    return ("// SPDX-License-Identifier: GPL-2.0-or-later\n"
            "/* Generated by tools/gen_fingerprints.py from tests/data/real/: do not edit. */\n"
            "#include \"core/fingerprint_db.h\"\n\n"
            "const struct fp_entry fp_db[] = {\n"
            + "\n".join(rows) + "\n};\n\n"
            "const size_t fp_db_count = sizeof fp_db / sizeof fp_db[0];\n")


def formatted(text):
    """The text as clang-format (.clang-format of the repository) writes it."""
    try:
        res = subprocess.run(["clang-format", "--assume-filename=" + OUT_C], input=text,
                             capture_output=True, text=True, cwd=ROOT, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit("gen_fingerprints: clang-format is needed: %s" % e)
    return res.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the generated file differs from the committed one")
    ap.add_argument("--out-c", default=OUT_C)
    args = ap.parse_args()
    text = formatted(gen_c())
    if args.check:
        try:
            with open(args.out_c) as f:
                old = f.read()
        except OSError:
            old = None
        if old != text:
            sys.stderr.write("gen_fingerprints: %s is stale; run python3 tools/gen_fingerprints.py\n"
                             % args.out_c)
            sys.exit(1)
        return
    with open(args.out_c, "w") as f:
        f.write(text)
    print("gen_fingerprints: %d fingerprints -> %s" % (len(FILES), args.out_c))


if __name__ == "__main__":
    main()

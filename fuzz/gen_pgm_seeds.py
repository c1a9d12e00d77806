#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed reply scripts for the programmer fuzz targets (fuzz/fuzz_pgm.c, memstream.c).

Writes fuzz/corpus/pgm_<id>/ : plausible replies of each protocol for a whole session
(sync, sign-on, signature 1E 95 0F, page reads of 0xFF, OK statuses), in memstream's
chunk format: a length byte L then (L & 0x3F) + 1 bytes returned by one read.
Usage: fuzz/gen_pgm_seeds.py [OUTDIR]   (default: fuzz/corpus next to this script)
"""
import os
import sys

SIG = [0x1E, 0x95, 0x0F]


def chunks(data, size=16):
    out = bytearray()
    for i in range(0, len(data), size):
        c = data[i:i + size]
        out.append(len(c) - 1)
        out += c
    return bytes(out)


def stk500v1(n=400):
    # Each command is answered by INSYNC [data] OK; the harness's session needs sync,
    # parameters, signature bytes through UNIVERSAL, page reads and writes.
    s = bytearray()
    for _ in range(4):
        s += bytes([0x14, 0x10])                       # GET_SYNC
    s += bytes([0x14]) + b"AVR ISP" + bytes([0x10])    # sign-on
    for v in (0x02, 0x01, 0x10):                       # parameters
        s += bytes([0x14, v, 0x10])
    for _ in range(3):
        s += bytes([0x14, 0x10])                       # set device, enter progmode
    for b in SIG:
        s += bytes([0x14, b, 0x10])                    # UNIVERSAL: signature bytes
    for _ in range(n // 10):
        s += bytes([0x14]) + bytes([0xFF]) * 128 + bytes([0x10])
        s += bytes([0x14, 0x10])
        s += bytes([0x14, 0xFF, 0x10])
    return s


def v2_frame(seq, body):
    f = bytearray([0x1B, seq & 0xFF, len(body) >> 8, len(body) & 0xFF, 0x0E]) + bytes(body)
    ck = 0
    for b in f:
        ck ^= b
    return bytes(f + bytes([ck]))


def stk500v2():
    s = bytearray()
    seq = 0
    s += v2_frame(seq, [0x01, 0x00, 8] + list(b"STK500_2"))
    seq += 1
    for cmd in [0x03] * 6 + [0x02] * 4:                 # get/set parameters
        s += v2_frame(seq, [cmd, 0x00, 0x02])
        seq += 1
    s += v2_frame(seq, [0x10, 0x00])                   # ENTER_PROGMODE_ISP
    seq += 1
    for b in SIG:                                      # READ_SIGNATURE_ISP
        s += v2_frame(seq, [0x1B, 0x00, b, 0x00])
        seq += 1
    for _ in range(12):
        s += v2_frame(seq, [0x14, 0x00] + [0xFF] * 128 + [0x00])  # READ_FLASH_ISP
        seq += 1
        s += v2_frame(seq, [0x13, 0x00])               # PROGRAM_FLASH_ISP
        seq += 1
        s += v2_frame(seq, [0x06, 0x00])               # LOAD_ADDRESS
        seq += 1
    for cmd in (0x18, 0x1A, 0x11):                     # fuse/lock reads, leave progmode
        s += v2_frame(seq, [cmd, 0x00, 0xFF, 0x00])
        seq += 1
    return s


def buspirate():
    s = bytearray(b"BBIO1" * 2) + b"SPI1"
    s += bytes([0x01]) * 6                             # config replies
    for b in [0xFF, 0x53, 0x00, 0x00] + [0x00, 0x00, 0x00] + SIG:
        s += bytes([0x01, b])
    s += bytes([0x01]) * 40 + bytes([0xFF]) * 512
    return s


def avr109():
    s = bytearray(b"CATERIN")                          # program id
    s += b"10"                                         # software version
    s += b"Y" + bytes([0x00, 0x80])                    # block support, 128 bytes
    s += b"\r" * 4 + bytes([0x44])                     # device code list, 0
    s += bytes(reversed(SIG))
    s += b"\r" * 8 + bytes([0xFF]) * 512 + b"\r" * 16
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    v1 = stk500v1()
    v2 = stk500v2()
    seeds = {
        "arduino": [v1, v1[:40]],
        "avrisp": [v1, v1[:60]],
        "stk500v2": [v2, v2[:80]],
        "stk500": [v2, v1],
        "buspirate": [buspirate()],
        "avr109": [avr109()],
    }
    for pgm, scripts in seeds.items():
        d = os.path.join(outdir, "pgm_" + pgm)
        os.makedirs(d, exist_ok=True)
        for i, script in enumerate(scripts):
            for opt, size in ((0x00, 16), (0x02, 64), (0x01, 1)):
                name = os.path.join(d, "seed%d_%02x_%d" % (i, opt, size))
                with open(name, "wb") as f:
                    f.write(bytes([opt]) + chunks(script, size))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Regenerates tests/data/malformed/: one damaged Intel HEX file per error class.
The expected errors live in tests/unit/test_ihex.c (malformed_cases[]).
Run from the repository root: python3 tests/hex/make_malformed.py"""
import os

OUT = os.path.join("tests", "data", "malformed")


def rec(n_type, addr, data, length=None, cks=None):
    length = len(data) if length is None else length
    body = bytes([length, addr >> 8, addr & 0xFF, n_type]) + bytes(data)
    c = (-sum(body)) & 0xFF if cks is None else cks
    return ":" + (body + bytes([c])).hex().upper()


D16 = list(range(0x10, 0x20))
GOOD = [rec(0, 0x0000, D16), rec(0, 0x0010, D16)]
EOF = ":00000001FF"

cases = {
    # line 2: checksum 0x00 instead of the right one
    "bad_checksum.hex": [GOOD[0], rec(0, 0x0010, D16, cks=0x00), EOF],
    # line 2: length field 0x10, 15 data bytes
    "length_mismatch.hex": [GOOD[0], rec(0, 0x0010, D16[:15], length=16), EOF],
    # line 3: a 'G' at column 20
    "nonhex_char.hex": GOOD + [rec(0, 0x0020, D16)[:19] + "G" + rec(0, 0x0020, D16)[20:], EOF],
    # line 2: one digit dropped
    "odd_digits.hex": [GOOD[0], GOOD[1][:-1], EOF],
    # line 2: no ':'
    "missing_colon.hex": [GOOD[0], GOOD[1][1:], EOF],
    # line 1: no ':' on the very first line (must still be reported as HEX by auto-detect)
    "missing_colon_first_line.hex": [GOOD[0][1:], GOOD[1], EOF],
    # line 2: leading blank before ':'
    "leading_space.hex": [GOOD[0], "  " + GOOD[1], EOF],
    # line 2: record type 06
    "unknown_type.hex": [GOOD[0], rec(6, 0x0010, D16), EOF],
    # no EOF record: last line is 2
    "missing_eof.hex": GOOD,
    # line 4: a record after the EOF record on line 3
    "data_after_eof.hex": GOOD + [EOF, rec(0, 0x0020, D16)],
    # line 3 gives 0x0015 a different byte than line 2 did
    "conflict.hex": [GOOD[0], GOOD[1], rec(0, 0x0015, [0xAA]), EOF],
    # conflict across an 04 record: line 4 rewrites 0x10002 first set on line 2
    "conflict_ela.hex": [rec(4, 0, [0, 1]), rec(0, 0x0000, D16), rec(4, 0, [0, 0]),
                         rec(2, 0, [0x10, 0x00]), rec(0, 0x0002, [0x55]), EOF],
    # line 2: data at 0x1000000 (04 record 0x0100)
    "beyond_max.hex": [rec(4, 0, [0x01, 0x00]), rec(0, 0x0000, D16), EOF],
    # line 2: last bytes of the record run past 16 MiB
    "beyond_max_partial.hex": [rec(4, 0, [0x00, 0xFF]), rec(0, 0xFFF8, D16), EOF],
    # line 1: 04 record with 4 data bytes
    "bad_ela_length.hex": [rec(4, 0, [0, 1, 0, 0]), GOOD[0], EOF],
    # line 1: 02 record with 1 data byte
    "bad_esa_length.hex": [rec(2, 0, [0x10]), GOOD[0], EOF],
    # line 2: 05 record with 2 data bytes
    "bad_sla_length.hex": [GOOD[0], rec(5, 0, [0, 0]), EOF],
    # line 2: 03 record with 3 data bytes
    "bad_ssa_length.hex": [GOOD[0], rec(3, 0, [0, 0, 0]), EOF],
    # line 2: EOF record carrying a byte
    "eof_with_data.hex": [GOOD[0], rec(1, 0, [0x00])],
    # line 2: only 4 bytes
    "short_record.hex": [GOOD[0], ":000000", EOF],
    # line 3: a ':' alone
    "colon_only.hex": GOOD + [":", EOF],
    # 02 addressing, line 2 runs past offset 0xFFFF of its segment
    "segment_wrap.hex": [rec(2, 0, [0x10, 0x00]), rec(0, 0xFFF8, D16), EOF],
    # line 2: a NUL byte in the data
    "nul_byte.hex": [GOOD[0], GOOD[1][:15] + "\0" + GOOD[1][16:], EOF],
    # line 2: a space between the fields
    "space_inside.hex": [GOOD[0], GOOD[1][:9] + " " + GOOD[1][9:], EOF],
    # CRLF file, bad checksum on line 3 (CR must not confuse the line count or columns)
    "crlf_bad_checksum.hex": [GOOD[0], GOOD[1], rec(0, 0x0020, D16, cks=0x12), EOF],
    # truncated in the middle of line 3 (a download that stopped)
    "truncated.hex": GOOD + [rec(0, 0x0020, D16)[:25]],
    # lower-case file with a bad checksum on line 2
    "lowercase_bad_checksum.hex": [GOOD[0].lower(), rec(0, 0x0010, D16, cks=0xAB).lower(), EOF.lower()],
    # two EOF records (second one is data after EOF)
    "double_eof.hex": GOOD + [EOF, EOF],
}

os.makedirs(OUT, exist_ok=True)
for name, lines in cases.items():
    nl = "\r\n" if name.startswith("crlf") else "\n"
    text = nl.join(lines) + (nl if name != "truncated.hex" else "")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(text.encode("latin-1"))
# an empty file
open(os.path.join(OUT, "empty.hex"), "wb").close()
# blank lines only
with open(os.path.join(OUT, "blank_only.hex"), "wb") as f:
    f.write(b"\n\r\n  \n")

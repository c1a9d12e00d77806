#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks that a file is clean Intel HEX: every line one well-formed record
# (':', hex digits, length byte and checksum right), only data (00),
# extended segment/linear address (02/04) and EOF (01) records, data records of
# at most MAXLEN bytes, exactly one EOF record and it is the last line.
# usage: hexcheck.py FILE [MAXLEN]   (exit 0 = clean; the problem on stderr)
import sys


def main():
    path = sys.argv[1]
    maxlen = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    lines = open(path, "rb").read().decode("ascii").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    n_eof = 0
    for i, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.startswith(":") or len(line) < 11 or (len(line) - 1) % 2:
            return f"{path}:{i}: not a record: {line!r}"
        try:
            b = bytes.fromhex(line[1:])
        except ValueError:
            return f"{path}:{i}: not hex: {line!r}"
        if b[0] + 5 != len(b):
            return f"{path}:{i}: length byte {b[0]} but {len(b) - 5} data bytes"
        if sum(b) & 0xFF:
            return f"{path}:{i}: bad checksum"
        t = b[3]
        if t not in (0, 1, 2, 4):
            return f"{path}:{i}: record type {t:02X}"
        if t == 0 and b[0] > maxlen:
            return f"{path}:{i}: data record of {b[0]} bytes (> {maxlen})"
        if t == 1:
            n_eof += 1
            if i != len(lines):
                return f"{path}:{i}: EOF record before the last line ({len(lines)})"
    if n_eof != 1:
        return f"{path}: {n_eof} EOF records"
    return None


if __name__ == "__main__":
    msg = main()
    if msg:
        print(msg, file=sys.stderr)
        sys.exit(1)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""boardlog_check.py LOG K VICTIM_DONE_FILE ID...: check a board log written by several
boardlog_hammer processes at once, one of them (id "victim") killed with -9.

CSV (read with Python's csv module) or JSON Lines (json module): the header once, at the
top; every record complete (all fields, the expected long message); each survivor's
boards 1..K in order; the victim's boards 1..M in order with M >= the last board it
reported done (an appended record is never lost). At most one record may be cut short:
the one the victim was writing when killed (SIGKILL may stop a write between pages); it
is a line of its own that does not parse, and the records after it are whole."""
import csv
import json
import sys

FIELDS = ["time", "board", "programmer", "port", "part", "signature", "images",
          "image_bytes", "serial", "serial_text", "fuses_written", "fuses_read", "result",
          "exit_code", "message", "seconds"]
JSON_FIELDS = [f for f in FIELDS if f != "image_bytes"]  # bytes are in "images"


def expected_message(board, programmer):
    if programmer == "hammer-victim":
        return "board %d of %s " % (board, programmer) + "x" * (4200 + board % 7)
    return ('board %d of %s: "quoted", comma,\nsecond line ' % (board, programmer)
            + "x" * (4200 + board % 7))


def records(path):
    if path.endswith(".jsonl"):
        with open(path, "rb") as f:
            data = f.read()
        assert data.endswith(b"\n"), "the last record is cut short"
        out, cut = [], 0
        for n, line in enumerate(data.split(b"\n")[:-1], 1):
            try:
                r = json.loads(line.decode("utf-8"))
            except ValueError:
                cut += 1
                assert cut == 1, "line %d: a second record cut short: %r" % (n, line[:80])
                continue
            assert list(r) == JSON_FIELDS, "line %d: fields %s" % (n, list(r))
            out.append((str(r["board"]), r["programmer"], r["message"], r["serial"],
                        r["images"][0]["sha256"]))
        return out
    with open(path, newline="") as f:
        rows = list(csv.reader(f, strict=True))
    assert rows[0] == FIELDS, "header %s" % rows[0]
    out, cut = [], 0
    for n, row in enumerate(rows[1:], 2):
        if len(row) < len(FIELDS) and "\"" not in ",".join(row):
            cut += 1
            assert cut == 1, "record %d: a second record cut short: %r" % (n, row[:3])
            continue
        assert len(row) == len(FIELDS), "record %d has %d fields" % (n, len(row))
        assert row[0] != "time", "a second header at record %d" % n
        r = dict(zip(FIELDS, row))
        out.append((r["board"], r["programmer"], r["message"], int(r["serial"]),
                    r["images"].split("@")[1]))
    return out


def main():
    path, k, victim_done_file, ids = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    by_prog = {}
    for board, prog, msg, serial, sha in records(path):
        b = int(board)
        assert msg == expected_message(b, prog), "board %d of %s: message garbled" % (b, prog)
        assert serial == b and sha == ("%02x" % (b & 0xFF)) * 32, "board %d of %s" % (b, prog)
        by_prog.setdefault(prog, []).append(b)
    for i in ids:
        got = by_prog.get("hammer-" + i, [])
        assert got == list(range(1, k + 1)), "hammer-%s: boards %s..." % (i, got[:5])
    with open(victim_done_file) as f:
        done = [int(line.split()[1]) for line in f if line.strip()]
    got = by_prog.get("hammer-victim", [])
    assert got == list(range(1, len(got) + 1)), "victim boards not 1..M"
    assert done and len(got) >= done[-1], "victim reported board %d done, log has %d" % (
        done[-1], len(got))
    print("%s: %d records from %d processes, all complete; the killed one reported %d done, "
          "%d in the log" % (path, sum(len(v) for v in by_prog.values()), len(by_prog),
                             done[-1], len(got)))


main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A port that is not a programmer: a TCP peer for -P net:127.0.0.1:PORT that
sends bytes which are no programmer protocol, as the wrong -P does (a sketch
printing, a device at another speed, a modem).

  chatter.py --port-file F MODE [--seconds S]

MODE:
  flood       0x55 as fast as the socket takes it
  dribble     10 bytes ('hello, hi\\n') every 10 ms
  trickle     one byte (0x55) every 10 ms
  silent      accept and never send anything
It reads and discards what the client sends, prints the bound port into F
(written atomically), serves one client after another, and exits by itself
after --seconds (default 60), so a test can never leave it running.
"""
import argparse
import os
import select
import socket
import time


def serve(conn, mode, end):
    conn.setblocking(False)
    chunk = {"flood": b"\x55" * 4096, "dribble": b"hello, hi\n", "trickle": b"\x55"}.get(mode, b"")
    period = {"flood": 0.0, "dribble": 0.010, "trickle": 0.010}.get(mode, 1.0)
    nxt = time.monotonic()
    while time.monotonic() < end:
        wait = max(0.0, min(nxt - time.monotonic(), end - time.monotonic()))
        want_w = [conn] if chunk and time.monotonic() >= nxt else []
        r, w, _ = select.select([conn], want_w, [], wait if not want_w else 0.05)
        if r:
            try:
                if not conn.recv(65536):
                    return
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                return
        if w:
            try:
                conn.send(chunk)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                return
            nxt = time.monotonic() + period


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["flood", "dribble", "trickle", "silent"])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--seconds", type=float, default=60.0)
    a = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.replace(tmp, a.port_file)
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        r, _, _ = select.select([srv], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        conn, _ = srv.accept()
        try:
            serve(conn, a.mode, end)
        finally:
            conn.close()


if __name__ == "__main__":
    main()

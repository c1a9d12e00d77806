#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A ser2net-like TCP bridge for tests: listens for one client at a time and
connects it to an upstream TCP port (an ispf-emu emulator playing the serial
programmer). Written independently of ispflash, to reproduce what real bridges do:

  --pieces N    forward each reply chunk from upstream in N writes (ser2net hands
                over bytes as they come off the serial line)
  --bytewise    forward byte by byte
  --nodelay     set TCP_NODELAY on the client socket (default: Nagle left ON, as
                on a bridge that never sets it)
  --baud B      pace the replies as a serial line at B baud (10 bits a byte)
  --gap MS      hand a reply over only once upstream has been quiet for MS
                (a bridge that forwards complete replies)

  bridge.py --port-file F --upstream 127.0.0.1:PORT [options] [--seconds S]

The chosen port is written to F (atomically). It exits by itself after --seconds.
"""
import argparse
import os
import select
import socket
import sys
import time


def send_reply(cli, data, a):
    """Forward data to the client the way the options say."""
    if a.bytewise:
        parts = [data[i:i + 1] for i in range(len(data))]
    elif a.pieces > 1 and len(data) > 1:
        size = -(-len(data) // a.pieces)
        parts = [data[i:i + size] for i in range(0, len(data), size)]
    else:
        parts = [data]
    for p in parts:
        if a.baud:
            time.sleep(len(p) * 10.0 / a.baud)
        cli.sendall(p)


def serve(cli, a):
    host, port = a.upstream.rsplit(":", 1)
    up = socket.create_connection((host, int(port)), timeout=5)
    up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # the "serial line" leg
    if a.nodelay:
        cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = b""
    last = time.monotonic()
    try:
        while True:
            if time.monotonic() > a.end:
                return
            wait = 0.2
            if pending:
                wait = min(wait, max(0.0, last + a.gap / 1000.0 - time.monotonic()))
            r, _, _ = select.select([cli, up], [], [], wait)
            if cli in r:
                d = cli.recv(65536)
                if not d:
                    return
                up.sendall(d)
            if up in r:
                d = up.recv(65536)
                if not d:
                    if pending:
                        send_reply(cli, pending, a)
                    return
                if a.gap:
                    pending += d
                    last = time.monotonic()
                else:
                    send_reply(cli, d, a)
            if pending and time.monotonic() >= last + a.gap / 1000.0:
                send_reply(cli, pending, a)
                pending = b""
    except OSError:
        return
    finally:
        up.close()


def main():
    ap = argparse.ArgumentParser(description="ser2net-like bridge for tests")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--upstream", required=True, help="HOST:PORT of the emulator")
    ap.add_argument("--pieces", type=int, default=1)
    ap.add_argument("--bytewise", action="store_true")
    ap.add_argument("--nodelay", action="store_true")
    ap.add_argument("--baud", type=int, default=0)
    ap.add_argument("--gap", type=int, default=0, help="ms of quiet that ends a reply")
    ap.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    a.end = end = time.monotonic() + a.seconds
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.replace(tmp, a.port_file)
    while time.monotonic() < end:
        r, _, _ = select.select([ls], [], [], 0.2)
        if ls in r:
            cli, _ = ls.accept()
            try:
                serve(cli, a)
            finally:
                cli.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

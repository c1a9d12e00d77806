#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One client connection to ispf-emu --target-file FILE (arduinoisp or stk500v2)
that takes the board out of the socket and puts others in while it stays
connected, as a batch loop would: the programmer's firmware must notice each
board without being restarted.

usage: swap_client.py PROTO PORT FILE   (FILE must hold a fresh board at start)
Prints one line per step; exits 0 when every step answered as the firmware does.
"""
import os
import socket
import sys

SIG = [0x1E, 0x95, 0x0F]  # ATmega328P


class AispLink:
    """ArduinoISP (STK500v1): ENTER_PROGMODE is always OK, even with no target."""

    def __init__(self, sock):
        self.s = sock
        self.cmd(b"0 ", 0)  # GET_SYNC

    def read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.s.recv(n - len(data))
            if not chunk:
                raise EOFError("emulator closed the connection")
            data += chunk
        return data

    def cmd(self, body, nret):
        self.s.sendall(body)
        r = self.read(nret + 2)
        if r[0] != 0x14 or r[-1] != 0x10:
            raise RuntimeError("ArduinoISP answered %s to %s" % (r.hex(), body.hex()))
        return r[1:-1]

    def enter(self):
        self.cmd(b"P ", 0)
        return True  # the sketch does not check Programming Enable

    def leave(self):
        self.cmd(b"Q ", 0)

    def spi(self, b0, b1, b2, b3):
        return self.cmd(bytes([0x56, b0, b1, b2, b3, 0x20]), 1)[0]


class V2Link:
    """STK500v2: ENTER_PROGMODE_ISP fails (STATUS_CMD_FAILED) when 0x53 is not echoed."""

    def __init__(self, sock):
        self.s = sock
        self.seq = 0
        if self.msg([0x01])[1] != 0x00:  # SIGN_ON
            raise RuntimeError("SIGN_ON failed")

    def read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.s.recv(n - len(data))
            if not chunk:
                raise EOFError("emulator closed the connection")
            data += chunk
        return data

    def msg(self, body):
        frame = bytes([0x1B, self.seq, len(body) >> 8, len(body) & 0xFF, 0x0E]) + bytes(body)
        x = 0
        for b in frame:
            x ^= b
        self.s.sendall(frame + bytes([x]))
        hdr = self.read(5)
        if hdr[0] != 0x1B or hdr[1] != self.seq or hdr[4] != 0x0E:
            raise RuntimeError("bad STK500v2 frame header %s" % hdr.hex())
        n = hdr[2] << 8 | hdr[3]
        ans = self.read(n + 1)
        self.seq = (self.seq + 1) & 0xFF
        return ans[:-1]

    def enter(self):
        ans = self.msg([0x10, 200, 100, 25, 32, 0, 0x53, 3, 0xAC, 0x53, 0x00, 0x00])
        if ans[1] not in (0x00, 0xC0):
            raise RuntimeError("ENTER_PROGMODE_ISP answered status %02x" % ans[1])
        return ans[1] == 0x00

    def leave(self):
        self.msg([0x11, 1, 1])

    def spi(self, b0, b1, b2, b3):
        ans = self.msg([0x1D, 4, 4, 0, b0, b1, b2, b3])
        if ans[1] != 0x00:
            raise RuntimeError("SPI_MULTI failed")
        return ans[5]


FAILS = []


def step(what, got, want):
    ok = got == want
    print("%s: %s (want %s) %s" % (what, got, want, "ok" if ok else "FAIL"))
    if not ok:
        FAILS.append(what)


def signature(link):
    return [link.spi(0x30, 0x00, i, 0x00) for i in range(3)]


def board(link, what, enters, sig):
    step(what + ": Programming Enable", link.enter(), enters)
    step(what + ": signature", signature(link), sig)


def main():
    proto, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    link = AispLink(sock) if proto == "arduinoisp" else V2Link(sock)
    empty_enters = proto == "arduinoisp"

    board(link, "fresh board", True, SIG)
    link.spi(0xC0, 0x00, 0x10, 0x5A)  # EEPROM 0x10 = 0x5A
    step("fresh board: EEPROM written", link.spi(0xA0, 0x00, 0x10, 0x00), 0x5A)
    link.leave()
    step("fresh board: saved when programming mode is left", os.path.getsize(path) > 0, True)

    os.remove(path)
    board(link, "empty socket", empty_enters, [0, 0, 0])
    link.leave()
    step("empty socket: no file made", os.path.exists(path), False)

    open(path, "w").close()
    board(link, "second board", True, SIG)
    step("second board: fresh EEPROM", link.spi(0xA0, 0x00, 0x10, 0x00), 0xFF)
    link.spi(0xC0, 0x00, 0x10, 0x33)
    os.remove(path)  # pulled in the middle of the writes
    link.spi(0xC0, 0x00, 0x11, 0x44)  # the next write instruction finds the socket empty
    step("second board pulled: reads 00", link.spi(0xA0, 0x00, 0x10, 0x00), 0x00)
    link.leave()
    step("second board pulled: not written back", os.path.exists(path), False)

    open(path, "w").close()
    board(link, "third board", True, SIG)
    step("third board: fresh EEPROM", link.spi(0xA0, 0x00, 0x10, 0x00), 0xFF)
    link.leave()
    step("third board: unchanged, file stays empty", os.path.getsize(path), 0)
    sock.close()
    if FAILS:
        print("%d step(s) failed" % len(FAILS))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

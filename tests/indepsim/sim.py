#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An independent fault-injecting AVR ISP programmer simulator (Python stdlib only).

Written from the protocol documents (AVR061 STK500v1 as ArduinoISP speaks it, AVR068
STK500v2, the AVR serial-programming instruction set), not from tests/emu.  One TCP
connection is served; when it ends a JSON state file is written.

  sim.py --proto {stk500v1,stk500v2} --part {m32u4,m328p} --port-file F --state S.json
         [--fault KIND --at N] [--stuck ADDR:MASK] [--miso 0x00|0xff] [--preload FILE]

Faults (one per run): drop, garble, truncate, extra (at reply N, 1-based), close (after
N bytes from the host, or --close-at-reply N), silent, chatty, unwired, noerase,
fusestuck, stuck (needs --stuck).  A wrong part is --part of another chip.
"""
import argparse
import json
import os
import socket
import sys
import time

PARTS = {
    # sig, flash, page, eeprom, fuses (l, h, e, lock), existing bits (l, h, e, lock)
    "m32u4": dict(sig=(0x1E, 0x95, 0x87), flash=32768, page=128, eeprom=1024,
                  fuses=[0x5E, 0x99, 0xF3, 0xFF], bits=[0xFF, 0xFF, 0x0F, 0x3F]),
    "m328p": dict(sig=(0x1E, 0x95, 0x0F), flash=32768, page=128, eeprom=1024,
                  fuses=[0x62, 0xD9, 0xFF, 0xFF], bits=[0xFF, 0xFF, 0x07, 0x3F]),
}


class Chip:
    """The target at the SPI level: 4-byte serial-programming instructions."""

    def __init__(self, part, a):
        p = PARTS[part]
        self.p = p
        self.flash = bytearray(b"\xff" * p["flash"])
        self.eeprom = bytearray(b"\xff" * p["eeprom"])
        self.fuses = list(p["fuses"])
        self.buf = bytearray(b"\xff" * p["page"])
        self.ext = 0
        self.reset_held = False
        self.enabled = False
        self.a = a
        self.stuck = {}
        if a.stuck:
            addr, mask = a.stuck.split(":")
            self.stuck[int(addr, 0)] = int(mask, 0)
        self.writes = []  # (event number, what, address)
        self.event = 0  # set by the protocol: the reply number being produced

    def rd_flash(self, addr):
        return self.flash[addr] | self.stuck.get(addr, 0)

    def spi(self, tx):
        """One 4-byte instruction -> the 4 bytes MISO returns."""
        if self.a.fault == "unwired" or not self.reset_held:
            return [self.a.miso] * 4
        b1, b2, b3, b4 = tx
        out = [0x00, b1, b2, b3]  # in sync the chip echoes the previous byte
        if (b1, b2) == (0xAC, 0x53):
            self.enabled = True
            return out
        if not self.enabled:
            return [0x00, 0x00, 0x00, 0x00]
        word = (b2 << 8) | b3
        pw = self.p["page"] // 2
        if (b1, b2) == (0xAC, 0x80):
            self.writes.append((self.event, "erase", 0))
            if self.a.fault != "noerase":
                self.flash[:] = b"\xff" * len(self.flash)
                self.eeprom[:] = b"\xff" * len(self.eeprom)
            self.fuses[3] = 0xFF
        elif b1 == 0xF0:
            out[3] = 0x00  # ready
        elif b1 == 0x4D:
            self.ext = b3
        elif b1 in (0x40, 0x48):
            off = (b3 % pw) * 2 + (1 if b1 == 0x48 else 0)
            self.buf[off] &= b4  # the page buffer too only clears bits until written
        elif b1 == 0x4C:
            base = ((self.ext << 16) | word) // pw * pw * 2
            self.writes.append((self.event, "flash", base))
            for i in range(self.p["page"]):
                if base + i < len(self.flash):
                    self.flash[base + i] &= self.buf[i]  # programming only clears bits
            self.buf[:] = b"\xff" * len(self.buf)
        elif b1 in (0x20, 0x28):
            addr = ((self.ext << 16) | word) * 2 + (1 if b1 == 0x28 else 0)
            out[3] = self.rd_flash(addr) if addr < len(self.flash) else 0xFF
        elif b1 == 0xA0:
            out[3] = self.eeprom[word % len(self.eeprom)]
        elif b1 == 0xC0:
            self.writes.append((self.event, "eeprom", word))
            self.eeprom[word % len(self.eeprom)] = b4
        elif b1 == 0x30:
            out[3] = self.p["sig"][b3 % 3]
        elif b1 == 0x38:
            out[3] = 0xA5  # calibration byte
        elif (b1, b2) in ((0x50, 0x00), (0x58, 0x08), (0x50, 0x08), (0x58, 0x00)):
            i = {(0x50, 0x00): 0, (0x58, 0x08): 1, (0x50, 0x08): 2, (0x58, 0x00): 3}[(b1, b2)]
            out[3] = self.fuses[i] | (~self.p["bits"][i] & 0xFF)  # missing bits read 1
        elif b1 == 0xAC and b2 in (0xA0, 0xA8, 0xA4, 0xE0):
            i = {0xA0: 0, 0xA8: 1, 0xA4: 2, 0xE0: 3}[b2]
            self.writes.append((self.event, "fuse%d" % i, b4))
            if self.a.fault != "fusestuck":
                self.fuses[i] = b4 | (~self.p["bits"][i] & 0xFF)
        return out

    def hold_reset(self):
        self.reset_held = True
        self.enabled = False

    def release_reset(self):
        self.reset_held = False
        self.enabled = False


class Link:
    """The socket with the reply faults applied (replies are counted from 1)."""

    def __init__(self, conn, a, st):
        self.c = conn
        self.a = a
        self.st = st
        self.replies = 0
        self.rx = 0
        self.pending = b""
        self.closed = False

    def getch(self):
        while not self.pending:
            if self.closed:
                raise EOFError
            try:
                d = self.c.recv(4096)
            except OSError:
                d = b""
            if not d:
                raise EOFError
            if self.a.fault == "close" and self.rx + len(d) >= self.a.at:
                d = d[:self.a.at - self.rx]
                self.rx += len(d)
                self.pending += d
                self.st["fault_time"] = time.time()
                self.st["fault_reply"] = self.replies + 1
                self.closed = True
                break
            self.rx += len(d)
            self.pending += d
        if not self.pending:
            raise EOFError
        b = self.pending[0]
        self.pending = self.pending[1:]
        return b

    def reply(self, data):
        if self.closed:
            raise EOFError  # nothing goes out after the connection is closed
        self.replies += 1
        n, f = self.replies, self.a.fault
        data = bytes(data)
        if n == self.a.at and f in ("drop", "garble", "truncate", "extra"):
            self.st["fault_time"] = time.time()
            self.st["fault_reply"] = n
            if f == "drop":
                return
            if f == "garble":
                i = min(self.a.garble_pos, len(data) - 1)
                data = data[:i] + bytes([data[i] ^ self.a.garble_xor]) + data[i + 1:]
            elif f == "truncate":
                data = data[:max(1, len(data) // 2)] if len(data) > 1 else b""
            else:
                data = data + bytes([self.a.extra_byte] * self.a.extra_count)
        self.c.sendall(data)


# --- STK500v1 as the ArduinoISP sketch speaks it ----------------------------------
INSYNC, OK, FAILED, UNKNOWN, NOSYNC, EOP = 0x14, 0x10, 0x11, 0x12, 0x15, 0x20


def stk500v1(link, chip, st):
    here = 0
    pagesize = 128
    eesize = 1024
    pmode = False
    g = link.getch

    def fill(n):
        return bytes(g() for _ in range(n))

    def empty_reply(payload=b""):
        if g() == EOP:
            link.reply(bytes([INSYNC]) + payload + bytes([OK]))
        else:
            link.reply(bytes([NOSYNC]))

    def page_of(w):
        words = pagesize // 2
        return w & ~(words - 1) if pagesize in (32, 64, 128, 256) else w

    while True:
        chip.event = link.replies + 1
        cmd = g()
        if cmd == 0x30:
            empty_reply()
        elif cmd == 0x31:
            empty_reply(b"AVR ISP")
        elif cmd == 0x41:
            p = g()
            v = {0x80: 2, 0x81: 1, 0x82: 18, 0x93: ord("S")}.get(p, 0)
            empty_reply(bytes([v]))
        elif cmd == 0x42:
            b = fill(20)
            pagesize = (b[12] << 8) | b[13]
            eesize = (b[14] << 8) | b[15]
            empty_reply()
        elif cmd == 0x45:
            fill(5)
            empty_reply()
        elif cmd == 0x50:
            if not pmode:
                chip.hold_reset()
                chip.spi([0xAC, 0x53, 0x00, 0x00])  # no echo check, as in the sketch
                pmode = True
            empty_reply()
        elif cmd == 0x51:
            chip.release_reset()
            pmode = False
            empty_reply()
        elif cmd == 0x55:
            lo, hi = g(), g()
            here = lo | (hi << 8)
            empty_reply()
        elif cmd == 0x56:
            r = chip.spi(list(fill(4)))
            empty_reply(bytes([r[3]]))
        elif cmd == 0x60:
            fill(2)
            empty_reply()
        elif cmd == 0x61:
            fill(1)
            empty_reply()
        elif cmd == 0x64:
            n = (g() << 8) | g()
            mem = g()
            if mem == ord("F"):
                data = fill(n)
                if g() != EOP:
                    link.reply(bytes([NOSYNC]))
                    continue
                x = 0
                page = page_of(here)
                while x < n:
                    if page != page_of(here):
                        chip.spi([0x4C, (page >> 8) & 0xFF, page & 0xFF, 0])
                        page = page_of(here)
                    chip.spi([0x40, 0, here & 0xFF, data[x]])
                    chip.spi([0x48, 0, here & 0xFF, data[x + 1] if x + 1 < n else 0xFF])
                    x += 2
                    here = (here + 1) & 0xFFFF
                chip.spi([0x4C, (page >> 8) & 0xFF, page & 0xFF, 0])
                link.reply(bytes([INSYNC, OK]))
            elif mem == ord("E"):
                if n > eesize:
                    link.reply(bytes([INSYNC, FAILED]))
                    continue
                data = fill(n)
                if g() != EOP:
                    link.reply(bytes([NOSYNC]))
                    continue
                start = here * 2
                for i, v in enumerate(data):
                    a = start + i
                    chip.spi([0xC0, (a >> 8) & 0xFF, a & 0xFF, v])
                link.reply(bytes([INSYNC, OK]))
            else:
                link.reply(bytes([FAILED]))
        elif cmd == 0x74:
            n = (g() << 8) | g()
            mem = g()
            if n >= 0x8000:
                n = 0
            if g() != EOP:
                link.reply(bytes([NOSYNC]))
                continue
            out = bytearray()
            if mem == ord("F"):
                for _ in range(0, n, 2):
                    out.append(chip.spi([0x20, (here >> 8) & 0xFF, here & 0xFF, 0])[3])
                    out.append(chip.spi([0x28, (here >> 8) & 0xFF, here & 0xFF, 0])[3])
                    here = (here + 1) & 0xFFFF
            elif mem == ord("E"):
                for i in range(n):
                    a = here * 2 + i
                    out.append(chip.spi([0xA0, (a >> 8) & 0xFF, a & 0xFF, 0])[3])
            else:
                link.reply(bytes([INSYNC, FAILED]))
                continue
            link.reply(bytes([INSYNC]) + bytes(out) + bytes([OK]))
        elif cmd == 0x75:
            sig = bytes(chip.spi([0x30, 0, i, 0])[3] for i in range(3))
            empty_reply(sig)
        elif cmd == EOP:
            link.reply(bytes([NOSYNC]))
        else:
            link.reply(bytes([UNKNOWN if g() == EOP else NOSYNC]))
        st["progmode"] = pmode


# --- STK500v2 (AVR068) --------------------------------------------------------------
S_OK, S_TOUT, S_FAILED, S_CKSUM, S_UNKNOWN = 0x00, 0x80, 0xC0, 0xC1, 0xC9


def v2_frame(seq, body):
    m = bytes([0x1B, seq, len(body) >> 8, len(body) & 0xFF, 0x0E]) + bytes(body)
    x = 0
    for b in m:
        x ^= b
    return m + bytes([x])


def v2_read(link):
    """One host frame -> (seq, body) or (seq, None) on a bad checksum."""
    while True:
        if link.getch() != 0x1B:
            continue
        seq = link.getch()
        size = (link.getch() << 8) | link.getch()
        if link.getch() != 0x0E or size > 275:
            continue
        body = bytes(link.getch() for _ in range(size))
        ck = link.getch()
        x = 0
        for b in bytes([0x1B, seq, size >> 8, size & 0xFF, 0x0E]) + body + bytes([ck]):
            x ^= b
        return seq, (body if x == 0 else None)


def stk500v2(link, chip, st):
    addr = 0
    ext_pending = False
    params = {0x90: 2, 0x91: 2, 0x92: 10, 0x94: 50, 0x95: 50, 0x98: 2, 0x9E: 1}
    pmode = False
    while True:
        seq, body = v2_read(link)
        chip.event = link.replies + 1
        if body is None:
            link.reply(v2_frame(seq, [0xB0, S_CKSUM]))
            continue
        cmd = body[0]
        ans = [cmd, S_OK]

        def ext():
            nonlocal ext_pending
            if ext_pending:
                chip.spi([0x4D, 0x00, (addr >> 16) & 0xFF, 0x00])
                ext_pending = False

        if cmd == 0x01:
            ans += [8] + list(b"STK500_2")
        elif cmd == 0x02:
            params[body[1]] = body[2]
        elif cmd == 0x03:
            if body[1] in params:
                ans.append(params[body[1]])
            else:
                ans = [cmd, S_FAILED]
        elif cmd == 0x06:
            a = int.from_bytes(body[1:5], "big")
            ext_pending = bool(a & 0x80000000)
            addr = a & 0x7FFFFFFF
        elif cmd == 0x10:
            synch, pval, pidx = body[4], body[6], body[7]
            chip.hold_reset()
            pmode = True
            ok = False
            for _ in range(max(1, synch)):
                r = chip.spi(list(body[8:12]))
                if pidx == 0 or r[pidx - 1] == pval:
                    ok = True
                    break
            if not ok:
                ans = [cmd, S_FAILED]
        elif cmd == 0x11:
            chip.release_reset()
            pmode = False
        elif cmd == 0x12:
            chip.spi(list(body[3:7]))
        elif cmd in (0x13, 0x15):
            n = (body[1] << 8) | body[2]
            mode, cmd1, cmd2 = body[3], body[5], body[6]
            data = body[10:10 + n]
            ext()
            if cmd == 0x13 and mode & 1:
                start = addr
                for i in range(0, n, 2):
                    w = addr + i // 2
                    chip.spi([cmd1, (w >> 8) & 0xFF, w & 0xFF, data[i]])
                    if i + 1 < n:
                        chip.spi([cmd1 | 0x08, (w >> 8) & 0xFF, w & 0xFF, data[i + 1]])
                if mode & 0x80:
                    chip.spi([cmd2, (start >> 8) & 0xFF, start & 0xFF, 0])
                addr += n // 2
            elif cmd == 0x13:  # word mode: cmd1 writes one byte at the word address
                for i in range(n):
                    w = addr + i // 2
                    chip.spi([cmd1 | (0x08 if i & 1 else 0), (w >> 8) & 0xFF, w & 0xFF, data[i]])
                addr += n // 2
            else:  # EEPROM: byte address
                for i in range(n):
                    a = addr + i
                    if mode & 1:
                        chip.spi([cmd1, 0, a & 0xFF, data[i]])
                    else:
                        chip.spi([0xC0, (a >> 8) & 0xFF, a & 0xFF, data[i]])
                addr += n
        elif cmd in (0x14, 0x16):
            n = (body[1] << 8) | body[2]
            out = []
            ext()
            for i in range(n):
                if cmd == 0x14:
                    w = addr + i // 2
                    c = body[3] | (0x08 if i & 1 else 0)
                    out.append(chip.spi([c, (w >> 8) & 0xFF, w & 0xFF, 0])[3])
                else:
                    a = addr + i
                    out.append(chip.spi([body[3], (a >> 8) & 0xFF, a & 0xFF, 0])[3])
            addr += n // 2 if cmd == 0x14 else n
            ans += out + [S_OK]
        elif cmd in (0x17, 0x19):
            chip.spi(list(body[1:5]))
            ans.append(S_OK)
        elif cmd in (0x18, 0x1A, 0x1B, 0x1C):
            r = chip.spi(list(body[2:6]))
            ans += [r[max(1, body[1]) - 1], S_OK]
        elif cmd == 0x1D:
            ntx, nrx, start = body[1], body[2], body[3]
            tx = list(body[4:4 + ntx]) + [0] * max(0, nrx - ntx)
            rx = []
            for i in range(0, len(tx), 4):
                rx += chip.spi((tx[i:i + 4] + [0, 0, 0, 0])[:4])
            ans += rx[start:start + nrx] + [0] * max(0, nrx - len(rx[start:])) + [S_OK]
        else:
            ans = [cmd, S_UNKNOWN]
        st["progmode"] = pmode
        link.reply(v2_frame(seq, ans))


def save(path, chip, st):
    st.update(flash=chip.flash.hex(), eeprom=chip.eeprom.hex(),
              fuses=["0x%02x" % f for f in chip.fuses], reset_held=chip.reset_held,
              writes=chip.writes, end_time=time.time())
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f)
    os.replace(tmp, path)


def serve(conn, a, chip, st):
    if a.fault == "chatty":
        st["fault_time"] = time.time()
        st["fault_reply"] = 0
        conn.setblocking(False)
        t0 = time.time()
        while time.time() - t0 < a.lifetime:
            try:
                conn.send(bytes([a.flood_byte]) * 64)
                conn.recv(4096)
            except BlockingIOError:
                pass
            except OSError:
                return
            time.sleep(0.001)
        return
    if a.fault == "silent":
        st["fault_time"] = time.time()
        st["fault_reply"] = 1
        while conn.recv(4096):
            pass
        return
    link = Link(conn, a, st)
    try:
        (stk500v1 if a.proto == "stk500v1" else stk500v2)(link, chip, st)
    except EOFError:
        pass
    st["replies"] = link.replies


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--proto", choices=("stk500v1", "stk500v2"), required=True)
    ap.add_argument("--part", choices=sorted(PARTS), default="m32u4")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--fault", default="none",
                    choices=("none", "drop", "garble", "truncate", "extra", "close", "silent",
                             "chatty", "unwired", "noerase", "fusestuck", "stuck"))
    ap.add_argument("--at", type=int, default=0, help="reply number (close: host bytes)")
    ap.add_argument("--garble-pos", type=int, default=0, help="byte of the reply garbled")
    ap.add_argument("--garble-xor", type=lambda s: int(s, 0), default=0xFF)
    ap.add_argument("--extra-byte", type=lambda s: int(s, 0), default=0x5A)
    ap.add_argument("--extra-count", type=int, default=3)
    ap.add_argument("--flood-byte", type=lambda s: int(s, 0), default=0x55)
    ap.add_argument("--miso", type=lambda s: int(s, 0), default=0x00,
                    help="what an unwired MISO reads (0x00 pulled down, 0xff pulled up)")
    ap.add_argument("--stuck", default="", help="ADDR:MASK flash bits stuck at 1")
    ap.add_argument("--preload", default="", help="JSON state file whose flash is loaded")
    ap.add_argument("--lifetime", type=float, default=60.0)
    a = ap.parse_args()
    chip = Chip(a.part, a)
    if a.preload:
        with open(a.preload) as f:
            chip.flash[:] = bytes.fromhex(json.load(f)["flash"])
    st = {"proto": a.proto, "part": a.part, "fault": a.fault, "at": a.at, "progmode": False}
    if a.fault in ("unwired", "noerase", "fusestuck", "stuck"):
        st["fault_time"] = time.time()
        st["fault_reply"] = 0
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(a.lifetime)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.replace(tmp, a.port_file)
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        return 1
    conn.settimeout(a.lifetime)
    try:
        serve(conn, a, chip, st)
    except (socket.timeout, OSError):
        pass
    finally:
        st["closed_by_sim"] = a.fault == "close"
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()
        save(a.state, chip, st)
    return 0


if __name__ == "__main__":
    sys.exit(main())

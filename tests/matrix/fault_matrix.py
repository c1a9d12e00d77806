#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The fault matrix: the real ispflash against every emulator with every fault it
can inject (docs/fault-matrix.md is this script's output).

  fault_matrix.py --bin ISPFLASH --emu ISPF-EMU --usb-emu USB_EMU --wrap UMOCKDEV-WRAPPER
                  --chatter tests/tools/chatter.py --out FILE [--only REGEX] [--list]

Each cell (fault x programmer) of TABLE below states the documented exit code and a
regex for the message; the run asserts, per cell:
  - the exit code (exactly; a guard of 60 s catches hangs);
  - the message (regex over stderr);
  - the time to exit: within 5 s of the fault plus the normal run time;
  - no "verified" line and no success line after a fault;
  - programming mode left / RESET released where the link still works (the
    emulator's --stats: proto.ended_in_progmode for arduinoisp, stk500v2 and
    optiboot, proto.ended_reset_held for buspirate, ended_reset_held for usbtiny,
    usbasp and avrisp2);
  - the chip: flash holds a prefix of the image's pages (written in order) and is
    erased after it: nothing is written after the fault, and a fault before the first
    page leaves the flash erased.
It writes the matrix (without timings, so the file is the same on every run) to
--out; the ctest fault_matrix_published compares it with docs/fault-matrix.md.
Exit status: 0 when every cell holds, 1 otherwise (each failure is printed).
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

PAGE = 128
IMAGE_SIZE = 2048  # 16 pages of 128 bytes at address 0 (an application, not a bootloader)
FUSE_ARGS = ["-U", "lfuse:w:0xde:m"]  # m32u4: 0x5e -> 0xde (CKDIV8 unprogrammed)

# Programmers: (column, -c, emulator kind, part, fault-point N).
# N is the reply (serial), vendor request (usbtiny/usbasp) or command (avrisp2)
# at which a link fault hits: about 40 % into a normal write+verify of the image,
# inside the flash write.  CLOSE is the number of host bytes after which the
# emulator closes the connection.
PROGRAMMERS = [
    ("arduinoisp", "avrisp", "serial", "m32u4", 16, 900),
    ("stk500v2", "stk500v2", "serial", "m32u4", 18, 1000),
    ("buspirate", "buspirate", "serial", "m32u4", 200, 7000),
    ("caterina", "avr109", "serial", "m32u4", 20, 900),
    ("optiboot", "arduino", "serial", "m328p", 25, 900),
    ("usbtiny", "usbtiny", "usb", "m32u4", 25, 0),
    ("usbasp", "usbasp", "usb", "m32u4", 18, 0),
    ("avrisp2", "avrisp2", "usb", "m32u4", 18, 0),
    ("dryrun", "dryrun", "dryrun", "m32u4", 0, 0),
]
BOOTLOADERS = ("caterina", "optiboot")
PROGMODE_STAT = {
    "arduinoisp": "proto.ended_in_progmode",
    "stk500v2": "proto.ended_in_progmode",
    "optiboot": "proto.ended_in_progmode",
    "buspirate": "proto.ended_reset_held",
    "usbtiny": "ended_reset_held",
    "usbasp": "ended_reset_held",
    "avrisp2": "ended_reset_held",
}

NA_SERIAL_USB = "n/a: a USB transfer has a CRC and packet boundaries; see 'CRC error'"
NA_NO_LINK = "n/a: dryrun has no link"
NA_BOOT_TARGET = "n/a: a bootloader runs on the target itself"

# Faults (rows): (id, title).  The cells are in cell() below.
FAULTS = [
    ("none", "no fault (reference)"),
    ("drop", "dropped reply"),
    ("garble", "garbled byte"),
    ("garble_erase", "garbled byte in the reply to LEAVE_PROGMODE after chip erase"),
    ("crc", "CRC error (USB transfer fails, EPROTO)"),
    ("truncate", "truncated reply"),
    ("extra", "extra bytes after a reply"),
    ("close", "connection closed mid-write"),
    ("unplug", "device unplugged mid-write"),
    ("stall", "stalled transfer"),
    ("silent", "programmer never answers"),
    ("chatty", "chatty port (not a programmer)"),
    ("unwired", "target not powered / not wired"),
    ("wrongpart", "wrong part (-p another part)"),
    ("stuck", "stuck flash bit"),
    ("noerase", "flash does not erase"),
    ("fuse", "fuse does not take"),
    ("sigint", "Ctrl-C mid-write"),
]


NO_TARGET = r"no target answers.*Check the wiring.*powered"
WRONG_PART = r"device signature 1e 95 .. belongs to .*not to the .* selected with -p"
SILENT_MSG = {
    "arduinoisp": r"no answer from the programmer on .*\(GET_SYNC\)\. Check: -P",
    "stk500v2": r"no valid answer to SIGN_ON",
    "buspirate": r"no Bus Pirate answers on .*Check -P and -b",
    "caterina": r"no answer from the programmer on .*no AVR109 bootloader answers",
    "optiboot": r"no answer from the programmer on .*\(GET_SYNC\)\. Check: -P",
}
_TIMEOUT = r"(no complete reply from the programmer|timed out after \d+ ms)"
_UNEXPECTED = r"(unexpected byte 0x[0-9a-f]+|answered 0x[0-9A-F]+|not in sync|unexpected)"
LINK_MSG = {}
for _p in ("arduinoisp", "buspirate", "caterina", "optiboot"):
    LINK_MSG[("drop", _p)] = _TIMEOUT
    LINK_MSG[("truncate", _p)] = _TIMEOUT
    LINK_MSG[("garble", _p)] = "(%s|%s)" % (_UNEXPECTED, _TIMEOUT)
    LINK_MSG[("extra", _p)] = "(%s|%s)" % (_UNEXPECTED, _TIMEOUT)


def na(why):
    return {"na": why}


def want(code, msg, **kw):
    d = {"code": code, "msg": msg}
    d.update(kw)
    return d


def cell(fault, prog, kind, n, close):
    """The table: what one fault on one programmer must do."""
    serial, usb, dry = kind == "serial", kind == "usb", kind == "dryrun"
    boot = prog in BOOTLOADERS
    if fault == "none":
        return want(0, r"flash verified", ok=True)
    if fault in ("drop", "garble", "truncate", "extra"):
        if dry:
            return na(NA_NO_LINK)
        if usb:
            if fault == "drop":  # the firmware locks up: it answers nothing after it
                return want(4, r"(did not answer \w+ within|no valid answer within)",
                            emu=["hang_at=%d" % n], link_lost=True)
            return na(NA_SERIAL_USB)
        opt = {"drop": "--drop-reply", "garble": "--garble-reply",
               "truncate": "--truncate-reply", "extra": "--extra-reply"}[fault]
        if prog == "stk500v2" and fault != "extra":
            # a frame with a bad checksum or none at all is sent again: recovered
            return want(0, r"warning: no valid answer to \w+ .*attempt 1 of 3.*flash verified",
                        emu=[opt, str(n)], recovers=True)
        if prog == "stk500v2":  # bytes before the next frame's start are skipped
            return want(0, r"flash verified", emu=[opt, str(n)], recovers=True)
        return want(4, LINK_MSG[(fault, prog)], emu=[opt, str(n)])
    if fault == "garble_erase":  # the desynchronised re-entry that once left RESET held
        if prog != "arduinoisp":
            return na("n/a: ArduinoISP's case; the others: 'garbled byte'")
        return want(4, r"re-entering programming mode after chip erase: (\d+ )?unexpected byte",
                    emu=["--garble-reply", "12"])
    if fault == "crc":
        if not usb:
            return na("n/a: USB only (a serial line's garbled byte is the row above)")
        if prog == "usbtiny":  # USBtiny requests are idempotent and retried
            return want(0, r"USB error during \w+: Input/Output Error; retrying.*flash verified",
                        emu=["ioerr_at=%d" % n], recovers=True)
        return want(4, r"USB error during \w+: Input/Output Error", emu=["ioerr_at=%d" % n])
    if fault == "close":
        if not serial:
            return na("n/a: USB: the device unplugged" if usb else NA_NO_LINK)
        return want(4, r"(closed the connection|connection to the programmer was lost)",
                    emu=["--close-after-rx", str(close)], link_lost=True)
    if fault == "unplug":
        if not usb:
            return na("n/a: over TCP an unplug is the closed connection" if serial else NA_NO_LINK)
        return want(4, r"(unplugged|disconnected|no longer)", emu=["unplug_after=%d" % n],
                    link_lost=True)
    if fault == "stall":
        if not usb:
            return na("n/a: no transfers on a serial line" if serial else NA_NO_LINK)
        return want(4, r"stall", emu=["stall_at=%d" % n])
    if fault == "silent":
        if dry:
            return na(NA_NO_LINK)
        if usb:
            return want(4, r"(did not answer \w+ within|does not answer \w+ \(within)",
                        emu=["hang_at=1"], link_lost=True)
        return want(4, SILENT_MSG[prog], emu=["--silent"], link_lost=True)
    if fault == "chatty":
        if not serial:
            return na("n/a: USB: a device is found by its ids" if usb else NA_NO_LINK)
        if prog == "stk500v2":
            return want(4, r"no valid answer to SIGN_ON", chatty=True, link_lost=True)
        return want(4, r"sends data that is not the .* protocol.*Is this the programmer's port",
                    chatty=True, link_lost=True)
    if fault == "unwired":
        if boot:
            return na(NA_BOOT_TARGET)
        if dry:
            return want(5, NO_TARGET, x=["unwired"])
        if usb:
            return want(5, NO_TARGET, emu=["unwired=1"])
        return want(5, NO_TARGET, emu=["--unwired"])
    if fault == "wrongpart":
        if dry:  # dryrun's chip is the -p part: give it another signature
            return want(5, WRONG_PART, x=["signature=1e950f"])
        return want(5, WRONG_PART, wrong_part=True)
    if fault == "stuck":
        return want(6, r"flash verification failed: first mismatch at 0x00100", stuck=True)
    if fault == "noerase":
        if boot:
            return na("n/a: a bootloader erases each page itself; no Chip Erase")
        if dry:
            return want(6, r"flash verification failed: first mismatch", x=["noerase"],
                        preload=True)
        return want(6, r"flash verification failed: first mismatch", emu=["no_erase=1"] if usb else ["--no-erase"], preload=True)
    if fault == "fuse":
        if boot:
            return na("n/a: a bootloader cannot write fuses")
        if dry:
            return want(6, r"lfuse: wrote 0xde but the chip reads back 0x5e", x=["fusestuck"],
                        args=FUSE_ARGS, fuses=True)
        return want(6, r"lfuse: wrote 0xde but the chip reads back 0x5e", emu=["fuse_stuck=1"] if usb else ["--fuse-stuck"],
                    args=FUSE_ARGS, fuses=True)
    if fault == "sigint":
        if dry:
            return want(8, r"error: .*interrupted", x=["delay_us=3000"], sigint=True)
        if boot:
            return na("n/a: no ISP clock to slow down in a bootloader emulator")
        return want(8, r"error: .*interrupted", emu=["spi_delay_us=1500"] if usb else
                    ["--spi-delay-us", "1500"], sigint=True)
    raise ValueError(fault)


def make_image(path):
    r = random.Random(15)
    data = bytes(r.randrange(256) for _ in range(IMAGE_SIZE))
    lines = []
    for a in range(0, len(data), 16):
        rec = [16, a >> 8, a & 0xFF, 0] + list(data[a:a + 16])
        lines.append(":" + "".join("%02X" % b for b in rec) + "%02X" % (-sum(rec) & 0xFF))
    lines.append(":00000001FF")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return data


def read_chip(path):
    """(fuses, flash) of a chip state file (avrchip_save's format)."""
    with open(path, "rb") as f:
        raw = f.read()
    hdr = {}
    pos = 0
    for _ in range(5):
        end = raw.index(b"\n", pos)
        words = raw[pos:end].decode().split()
        hdr[words[0]] = words[1:]
        pos = end + 1
    size = int(hdr["flash"][0])
    return [int(x, 16) for x in hdr["fuses"]], raw[pos:pos + size]


def read_stats(path):
    st = {}
    try:
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) == 2:
                    st[w[0]] = int(w[1]) if w[1].isdigit() else w[1]
    except FileNotFoundError:
        pass
    return st


def prefix_pages(flash, image):
    """Number of leading pages equal to the image, or None if anything after them is
    not erased (something was written out of order or after the fault)."""
    k = 0
    while k * PAGE < len(image) and flash[k * PAGE:(k + 1) * PAGE] == image[k * PAGE:(k + 1) * PAGE]:
        k += 1
    rest = flash[k * PAGE:]
    # one page may be partly programmed when the fault hit inside it
    if rest[:PAGE] != b"\xff" * len(rest[:PAGE]):
        part = rest[:PAGE]
        img = image[k * PAGE:(k + 1) * PAGE]
        if any((b & ~i & 0xFF) for b, i in zip(part, img + b"\xff" * PAGE)):
            return None
        rest = rest[PAGE:]
    return k if rest == b"\xff" * len(rest) else None


class Runner:
    def __init__(self, a, work):
        self.a = a
        self.w = work
        self.image = make_image(os.path.join(work, "img.hex"))
        self.failures = []
        self.rows = {}

    def fail(self, name, why, err=""):
        self.failures.append(name)
        print("FAIL [%s]: %s" % (name, why))
        for line in err.splitlines()[:12]:
            print("  | " + line)

    def start_emu(self, prog, part, state, stats, extra, pfile):
        if os.path.exists(pfile):
            os.unlink(pfile)
        cmd = [self.a.emu, "--proto", prog, "--part", part, "--listen", "127.0.0.1:0",
               "--port-file", pfile, "--state", state, "--stats", stats, "--once",
               "--lifetime", "90"] + extra
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.monotonic()
        while not (os.path.exists(pfile) and os.path.getsize(pfile)):
            if p.poll() is not None or time.monotonic() - t0 > 20:
                raise RuntimeError("ispf-emu did not start: %s" % p.stderr.read().decode())
            time.sleep(0.02)
        with open(pfile) as f:
            return p, f.read().strip()

    def command(self, prog, cflag, kind, part, c, state, stats, d):
        """The argv that runs ispflash for this cell (and the emulator process if any)."""
        ppart = part
        if c.get("wrong_part"):
            ppart = "m328p" if part == "m32u4" else "m32u4"
        args = c.get("args") or ["-U", os.path.join(self.w, "img.hex")]
        args = ["--no-backup"] + args
        base = [self.a.bin, "-c", cflag, "-p", ppart]
        emu_extra = list(c.get("emu", []))
        if kind == "dryrun":
            xs = ["state=" + state] + c.get("x", [])
            if c.get("stuck"):
                xs.append("stuck=0x%x:0x%02x" % self.stuck)
            return None, base + sum((["-x", x] for x in xs), []) + args
        if kind == "usb":
            opts = sum((["--opt", o] for o in emu_extra), [])
            if c.get("stuck"):
                opts += ["--opt", "stuck=0x%x:0x%02x" % self.stuck]
            return None, [self.a.wrap, self.a.usb_emu, "--proto", prog, "--part", part,
                          "--state", state, "--stats", stats] + opts + ["--"] + base + \
                ["-P", "usb"] + args
        if c.get("chatty"):
            pfile = os.path.join(d, "port")
            p = subprocess.Popen([sys.executable, self.a.chatter, "--port-file", pfile,
                                  "flood", "--seconds", "30"], stdout=subprocess.DEVNULL)
            t0 = time.monotonic()
            while not (os.path.exists(pfile) and os.path.getsize(pfile)):
                if time.monotonic() - t0 > 20:
                    raise RuntimeError("chatter.py did not start")
                time.sleep(0.02)
            with open(pfile) as f:
                port = f.read().strip()
            return p, base + ["-P", "net:127.0.0.1:" + port] + args
        if c.get("stuck"):
            emu_extra += ["--stuck", "0x%x:0x%02x" % self.stuck]
        p, port = self.start_emu(prog, part, state, stats, emu_extra, os.path.join(d, "port"))
        return p, base + ["-P", "net:127.0.0.1:" + port] + args

    def preload(self, prog, cflag, kind, part, state, stats, d):
        """Put the image's complement in flash first (for 'flash does not erase')."""
        inv = bytes(b ^ 0xFF for b in self.image)
        path = os.path.join(d, "inv.bin")
        with open(path, "wb") as f:
            f.write(inv)
        c = {"args": ["-U", "flash:w:%s:r" % path]}
        emu, argv = self.command(prog, cflag, kind, part, c, state, stats, d)
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        if emu:
            emu.wait(timeout=30)
        if r.returncode != 0:
            raise RuntimeError("preload failed: " + r.stdout.decode())

    def run_cell(self, fault, prog, cflag, kind, part, c):
        name = "%s/%s" % (fault, prog)
        d = tempfile.mkdtemp(prefix=fault + "-" + prog + "-", dir=self.w)
        state, stats = os.path.join(d, "chip"), os.path.join(d, "stats")
        if c.get("preload"):
            self.preload(prog, cflag, kind, part, state, stats, d)
        emu, argv = self.command(prog, cflag, kind, part, c, state, stats, d)
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        fault_t = t0
        if c.get("sigint"):
            fault_t = self.interrupt_when_writing(p, kind)
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail(name, "hung (60 s guard)")
        end = time.monotonic()
        if emu:
            try:
                emu.wait(timeout=30)
            except subprocess.TimeoutExpired:
                emu.kill()
                emu.wait()
        err = (getattr(self, "_early", b"") + err).decode(errors="replace")
        self._early = b""
        text = out.decode(errors="replace") + err
        rc = p.returncode
        first = first_error_line(err, rc)
        self.rows[(fault, prog)] = (rc, first)
        if rc != c["code"]:
            self.fail(name, "exit code %s, the table says %s" % (rc, c["code"]), text)
        if not re.search(c["msg"], text, re.I | re.S):
            self.fail(name, "the message does not match /%s/" % c["msg"], text)
        bound = 5.0 + 3 * self.ref_time.get(prog, 2.0) + 1.0
        if end - fault_t > bound:
            self.fail(name, "took %.1f s after the fault (bound %.1f s)" % (end - fault_t, bound))
        if c.get("ok"):
            self.ref_time[prog] = end - t0
            return
        if c.get("recovers"):  # the fault was retried away: the chip must be right
            _, flash = read_chip(state)
            if flash[:len(self.image)] != self.image:
                self.fail(name, "recovered, but the flash is not the image")
            return
        if re.search(r"verified|done\.|success", text, re.I):
            self.fail(name, "a success line after a fault", text)
        st = read_stats(stats)
        key = PROGMODE_STAT.get(prog)
        if key and not c.get("link_lost") and st.get(key, 0):
            self.fail(name, "the session ended with the target in programming mode (%s %s)" %
                      (key, st.get(key)))
        self.check_chip(name, c, state, text)

    def check_chip(self, name, c, state, text):
        if not os.path.exists(state):
            return  # nothing was saved: nothing was written
        fuses, flash = read_chip(state)
        if c.get("stuck") or c.get("preload") or c.get("fuses"):
            return  # the chip holds what the fault made of it; verify is what matters
        k = prefix_pages(flash, self.image)
        if k is None:
            self.fail(name, "flash is not a prefix of the image followed by erased pages: "
                      "something was written after the fault")
            return
        m = re.search(r"flash 0x([0-9a-f]+)-0x([0-9a-f]+) written, the rest not", text)
        if m and not (k * PAGE <= int(m.group(2), 16) + 1 <= (k + 1) * PAGE):
            self.fail(name, "reported flash up to 0x%s written, the chip holds %d pages" %
                      (m.group(2), k))

    def interrupt_when_writing(self, p, kind):
        """SIGINT to ispflash once it writes flash; returns the time of the signal."""
        buf = b""
        t0 = time.monotonic()
        os.set_blocking(p.stderr.fileno(), False)
        while b"writing flash" not in buf and time.monotonic() - t0 < 30 and p.poll() is None:
            try:
                chunk = p.stderr.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                buf += chunk
            time.sleep(0.02)
        time.sleep(0.3)
        target = p.pid
        if kind == "usb":  # ispflash runs as the child of usb_emu (under umockdev-wrapper)
            target = find_ispflash(p.pid) or p.pid
        os.kill(target, signal.SIGINT)
        os.set_blocking(p.stderr.fileno(), True)
        self._early = buf
        return time.monotonic()


def find_ispflash(root):
    """The ispflash process below root (usb_emu runs it as a child)."""
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            continue
        for k in kids:
            try:
                with open("/proc/%d/comm" % k) as f:
                    if f.read().strip() == "ispflash":
                        return k
            except OSError:
                pass
            todo.append(k)
    return None


def first_error_line(err, rc):
    lines = [l for l in err.splitlines() if l.strip()]
    if rc == 0:
        pick = [l for l in lines if "verified" in l] or lines[-1:]
    else:
        pick = [l for l in lines if "error:" in l] or [l for l in lines if "warning:" in l] \
            or lines[-1:]
    line = pick[0] if pick else ""
    line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)
    line = re.sub(r"/tmp/\S*", "FILE", line)
    line = re.sub(r"\b\d+ ms\b", "N ms", line)  # measured waits vary from run to run
    line = re.sub(r"\(\d+ bytes, first", "(N bytes, first", line)  # a flood's count varies
    return line.replace("|", "\\|").strip()


def how_to_run():
    """The setup of every cell, for anyone repeating it against another simulator."""
    out = ["## How each cell is run", "",
           "The image: %d bytes from Python's `random.Random(15)` (`randrange(256)` each)," % IMAGE_SIZE,
           "as Intel HEX with 16-byte records at address 0 (%d pages of %d bytes)." % (
               IMAGE_SIZE // PAGE, PAGE),
           "The command: `ispflash --no-backup -c C -p PART -P net:127.0.0.1:PORT -U img.hex`",
           "(USB: `-P usb`); the fuse row writes `%s` instead, the no-erase row" % " ".join(FUSE_ARGS),
           "first writes the image's complement. Wrong part: `-p` names m328p for an",
           "m32u4 chip and m32u4 for an m328p. The stuck bit is in the first byte at or",
           "after 0x100 where the image has a 0 bit. A link fault hits at reply (serial),",
           "vendor request (USBtiny, USBasp) or command (AVRISP mkII) number N, counted",
           "from 1; a closed connection comes after the host has sent CLOSE bytes.", "",
           "| programmer | -c | part | N | CLOSE |", "|---|---|---|---|---|"]
    for prog, cflag, kind, part, n, close in PROGRAMMERS:
        if kind == "dryrun":
            out.append("| %s | %s | %s | — | — |" % (prog, cflag, part))
        else:
            out.append("| %s | %s | %s | %d | %s |" % (prog, cflag, part, n,
                                                      close if close else "—"))
    return out + [""]


def render(rows, cells):
    out = ["# Fault matrix", "",
           "Generated by `tests/matrix/fault_matrix.py` (ctest `fault_matrix`); the ctest",
           "`fault_matrix_published` fails when this file differs from what the test",
           "produced. Regenerate with `tools/fault-matrix.sh`.", "",
           "Each cell: the exit code ispflash ends with (0 ok, 1 other, 2 usage, 3 input,",
           "4 programmer/port, 5 target, 6 verify, 7 refused, 8 interrupted) and the first",
           "line of its message. For every cell the test also asserts: the exit within 5 s",
           "of the fault plus the normal run time, no \"verified\" or success line after a",
           "fault, programming mode left and RESET released where the link still works",
           "(every emulator but the bootloaders' reports it), and flash holding only a",
           "prefix of the image's",
           "pages, erased after it (nothing written after the fault). Exit 0 after a",
           "fault means ispflash retried it away (STK500v2 frames, USBtiny requests):",
           "there the test asserts the retry's warning, the verify, and the whole image",
           "in flash. \"n/a\" cells say why the fault cannot happen on that transport.", "",
           "Programmers: arduinoisp = `-c avrisp`, caterina = `-c avr109`, optiboot =",
           "`-c arduino` (serial ones over TCP against `ispf-emu`); usbtiny, usbasp,",
           "avrisp2 under umockdev against `usb_emu`; dryrun = `-c dryrun`.", ""]
    out += how_to_run()
    for fault, title in FAULTS:
        out.append("## %s" % title)
        out.append("")
        out.append("| programmer | exit | message |")
        out.append("|---|---|---|")
        for prog, *_ in PROGRAMMERS:
            c = cells[(fault, prog)]
            if "na" in c:
                out.append("| %s | — | %s |" % (prog, c["na"]))
            elif (fault, prog) in rows:
                rc, first = rows[(fault, prog)]
                out.append("| %s | %s | %s |" % (prog, rc, first))
            else:
                out.append("| %s | ? | not run |" % prog)
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    for k in ("bin", "emu", "usb-emu", "wrap", "chatter", "out"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    cells = {}
    for fault, _ in FAULTS:
        for prog, cflag, kind, part, n, close in PROGRAMMERS:
            cells[(fault, prog)] = cell(fault, prog, kind, n, close)
    with tempfile.TemporaryDirectory(prefix="ispf-matrix.") as w:
        r = Runner(a, w)
        r.ref_time = {}
        img = r.image
        addr = 0x100
        while not (~img[addr] & 0xFF):
            addr += 1
        r.stuck = (addr, ~img[addr] & 0xFF)
        for fault, _ in FAULTS:
            for prog, cflag, kind, part, n, close in PROGRAMMERS:
                c = cells[(fault, prog)]
                name = "%s/%s" % (fault, prog)
                if "na" in c or (a.only and not re.search(a.only, name)):
                    continue
                try:
                    r.run_cell(fault, prog, cflag, kind, part, c)
                except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                    r.fail(name, "could not run: %s" % e)
        text = render(r.rows, cells) + "\n"
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, a.out)
    n = sum(1 for c in cells.values() if "na" not in c)
    print("%d cells, %d n/a, %d failed" % (n, len(cells) - n, len(r.failures)))
    return 1 if r.failures else 0


if __name__ == "__main__":
    sys.exit(main())

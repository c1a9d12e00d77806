#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real ispflash against the independent simulator (sim.py) for every fault the
simulator shares with the published fault matrix (docs/fault-matrix.md) and compare.

  compare.py --bin ISPFLASH [--src REPO] [--only REGEX] [--avrdude AVRDUDE]

Per cell it asserts: the exit code equals the published one; the message matches the
published cell's pattern (tests/matrix/fault_matrix.py's regex); the run ends within 5 s
of the fault; no success line after a fault; programming mode left and RESET released
where the link still works; nothing written after the fault (the simulator logs every
page write with the number of the command it belongs to).  It also reports whether the
normalised first message line is the very line published ("same" / "differs"); a
differing line is printed but is not a failure when the pattern holds (the line names
injection details such as the garbage byte).  With --avrdude it first shows that
avrdude 7.1 writes and verifies an image on both simulated programmers.
Exit status 0 when every assertion holds.
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "sim.py")
# matrix column -> (sim protocol, ispflash -c)
PROGS = {"arduinoisp": ("stk500v1", "avrisp"), "stk500v2": ("stk500v2", "stk500v2")}
SHARED = ["none", "drop", "garble", "garble_erase", "truncate", "extra", "close", "silent",
          "chatty", "unwired", "wrongpart", "stuck", "noerase", "fuse"]


def load_matrix(src):
    spec = importlib.util.spec_from_file_location(
        "fault_matrix", os.path.join(src, "tests", "matrix", "fault_matrix.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def published(src, fm):
    """{(fault id, programmer): (exit code or None, first line)} from docs/fault-matrix.md."""
    title_to_id = {t: i for i, t in fm.FAULTS}
    rows, cur = {}, None
    with open(os.path.join(src, "docs", "fault-matrix.md")) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("## "):
                cur = title_to_id.get(line[3:])
            elif cur and line.startswith("| ") and not line.startswith("| programmer"):
                parts = re.split(r"(?<!\\) \| ", line[2:-2])
                if len(parts) == 3:
                    code = int(parts[1]) if parts[1].isdigit() else None
                    rows[(cur, parts[0])] = (code, parts[2])
    return rows


class Sim:
    def __init__(self, proto, d, args):
        self.state = os.path.join(d, "state.json")
        pfile = os.path.join(d, "port")
        self.p = subprocess.Popen([sys.executable, SIM, "--proto", proto, "--port-file", pfile,
                                   "--state", self.state, "--lifetime", "40"] + args,
                                  stderr=subprocess.PIPE)
        t0 = time.monotonic()
        while not (os.path.exists(pfile) and os.path.getsize(pfile)):
            if self.p.poll() is not None or time.monotonic() - t0 > 20:
                raise RuntimeError("sim.py did not start: " + self.p.stderr.read().decode())
            time.sleep(0.02)
        with open(pfile) as f:
            self.port = f.read().strip()

    def finish(self):
        try:
            self.p.wait(timeout=45)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        with open(self.state) as f:
            return json.load(f)


def sim_args(fault, prog, n, close, stuck):
    return {
        "none": [], "drop": ["--fault", "drop", "--at", str(n)],
        "garble": ["--fault", "garble", "--at", str(n)],
        "garble_erase": ["--fault", "garble", "--at", "12"],
        "truncate": ["--fault", "truncate", "--at", str(n)],
        "extra": ["--fault", "extra", "--at", str(n)],
        "close": ["--fault", "close", "--at", str(close)],
        "silent": ["--fault", "silent"], "chatty": ["--fault", "chatty"],
        "unwired": ["--fault", "unwired"], "wrongpart": [],
        "stuck": ["--fault", "stuck", "--stuck", "0x%x:0x%02x" % stuck],
        "noerase": ["--fault", "noerase"], "fuse": ["--fault", "fusestuck"],
    }[fault]


def prefix_ok(flash, image, page=128):
    """Flash holds whole pages of the image from 0, at most one partly programmed page,
    then erased flash."""
    k = 0
    while k * page < len(image) and flash[k * page:(k + 1) * page] == image[k * page:(k + 1) * page]:
        k += 1
    rest = flash[k * page:]
    part, img = rest[:page], image[k * page:(k + 1) * page] + b"\xff" * page
    if part != b"\xff" * len(part):
        if any(b & ~i & 0xFF for b, i in zip(part, img)):
            return False
        rest = rest[page:]
    return rest == b"\xff" * len(rest)


def run_cell(a, fm, w, fault, prog, pub):
    proto, cflag = PROGS[prog]
    col = [p for p in fm.PROGRAMMERS if p[0] == prog][0]
    _, _, kind, part, n, close = col
    c = fm.cell(fault, prog, kind, n, close)
    d = tempfile.mkdtemp(prefix="%s-%s-" % (fault, prog), dir=w)
    extra = sim_args(fault, prog, n, close, a.stuck)
    ppart = part
    if fault == "wrongpart":
        ppart = "m328p" if part == "m32u4" else "m32u4"
    if fault == "noerase":  # the image's complement in flash before the run
        pre = os.path.join(d, "pre.json")
        fl = bytearray(b"\xff" * 32768)
        fl[:len(a.image)] = bytes(b ^ 0xFF for b in a.image)
        with open(pre, "w") as f:
            json.dump({"flash": fl.hex()}, f)
        extra += ["--preload", pre]
    sim = Sim(proto, d, ["--part", part] + extra)
    args = c.get("args") or ["-U", a.hex]
    argv = [a.bin, "-c", cflag, "-p", ppart, "-P", "net:127.0.0.1:" + sim.port,
            "--no-backup"] + args
    t0 = time.time()
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        rc, out, err = r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out, err = "hang", (e.stdout or b"").decode(), (e.stderr or b"").decode()
    t_end = time.time()
    st = sim.finish()
    text = out + err
    first = fm.first_error_line(err, rc if isinstance(rc, int) else 1)
    probs = []
    pcode, pline = pub
    if rc != pcode:
        probs.append("exit %s, published %s" % (rc, pcode))
    if not re.search(c["msg"], text, re.I | re.S):
        probs.append("message does not match the published pattern /%s/" % c["msg"])
    ft = max(st.get("fault_time", t0), t0)
    if t_end - ft > 5.0:
        probs.append("ended %.1f s after the fault (bound 5 s)" % (t_end - ft))
    faulty = fault != "none"
    recovered = pcode == 0 and faulty
    if faulty and not recovered and re.search(r"verified|done\.|success", text, re.I):
        probs.append("a success line after a fault")
    link_ok = fault not in ("close", "silent", "chatty")
    if link_ok and (st.get("reset_held") or st.get("progmode")):
        probs.append("ended in programming mode (RESET held %s, progmode %s)" %
                     (st.get("reset_held"), st.get("progmode")))
    flash = bytes.fromhex(st["flash"])
    if recovered or fault == "none":
        if flash[:len(a.image)] != a.image:
            probs.append("exit 0 but the flash is not the image")
    elif fault in ("drop", "garble", "garble_erase", "truncate", "extra", "close"):
        fr = st.get("fault_reply", 10 ** 9)
        late = [wr for wr in st["writes"] if wr[0] > fr]
        if late:
            probs.append("written after the fault (reply %d): %s" % (fr, late[:4]))
        if not prefix_ok(flash, a.image):
            probs.append("flash is not a prefix of the image followed by erased flash")
    same = first == pline
    return {"rc": rc, "first": first, "probs": probs, "same": same, "pub": pline,
            "secs": t_end - t0, "text": text}


def avrdude_check(a, w):
    ok = True
    for proto, cflag in (("stk500v1", "avrisp"), ("stk500v2", "stk500v2")):
        d = tempfile.mkdtemp(prefix="avrdude-" + proto, dir=w)
        sim = Sim(proto, d, ["--part", "m32u4"])
        argv = [a.avrdude, "-c", cflag, "-P", "net:127.0.0.1:" + sim.port, "-p", "m32u4",
                "-U", "flash:w:%s:i" % a.hex, "-U", "lfuse:w:0xde:m"]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        st = sim.finish()
        good = (r.returncode == 0 and b"2048 bytes of flash verified" in r.stdout and
                bytes.fromhex(st["flash"])[:2048] == a.image and st["fuses"][0] == "0xde" and
                not st["reset_held"])
        print("avrdude -c %-8s write+verify+fuse on sim.py: %s" % (cflag, "ok" if good else "FAILED"))
        if not good:
            print(r.stdout.decode(errors="replace")[-1500:])
            ok = False
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(HERE)))
    ap.add_argument("--only", default="")
    ap.add_argument("--avrdude", default="")
    ap.add_argument("--avrdude-only", action="store_true")
    a = ap.parse_args()
    fm = load_matrix(a.src)
    pub = published(a.src, fm)
    fails = 0
    with tempfile.TemporaryDirectory(prefix="ispf-indepsim.") as w:
        a.hex = os.path.join(w, "img.hex")
        a.image = fm.make_image(a.hex)
        addr = 0x100
        while not (~a.image[addr] & 0xFF):
            addr += 1
        a.stuck = (addr, ~a.image[addr] & 0xFF)
        if a.avrdude and not avrdude_check(a, w):
            fails += 1
        if a.avrdude_only:
            return 1 if fails else 0
        print("%-13s %-10s %-5s %-5s %-7s %s" % ("fault", "prog", "pub", "got", "line", "result"))
        for fault in SHARED:
            for prog in PROGS:
                name = "%s/%s" % (fault, prog)
                if (fault, prog) not in pub or pub[(fault, prog)][0] is None:
                    continue
                if a.only and not re.search(a.only, name):
                    continue
                try:
                    res = run_cell(a, fm, w, fault, prog, pub[(fault, prog)])
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    res = {"rc": "?", "probs": ["could not run: %s" % e], "same": False,
                           "first": "", "pub": "", "secs": 0, "text": ""}
                verdict = "agree" if not res["probs"] else "DIFFER"
                print("%-13s %-10s %-5s %-5s %-7s %s (%.1f s)" % (
                    fault, prog, pub[(fault, prog)][0], res["rc"],
                    "same" if res["same"] else "differs", verdict, res["secs"]))
                for p in res["probs"]:
                    print("    ! " + p)
                if not res["same"]:
                    print("    published: " + res["pub"])
                    print("    got:       " + res["first"])
                if res["probs"]:
                    fails += 1
                    for line in res["text"].splitlines()[-8:]:
                        print("    | " + line)
    print("%d cell(s) differ" % fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

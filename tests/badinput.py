#!/usr/bin/env python3
"""Bad-input tests of the `retain` CLI, on a real heap dump.

    python3 tests/badinput.py --retain build/retain --go 1.22 --work /tmp/w

Builds fuzz/seedgen (a tiny Go program that writes a heap dump and prints the
addresses it holds) and a second, unrelated Go program with the given
toolchain (/usr/lib/go-VERSION/bin/go), writes one real dump, then runs
`retain` on inputs a user could plausibly hand it by mistake:

- the dump truncated at 10%, 50%, 90% and one byte short: `overview` exits 0
  and says the result is partial (JSON `partial` holds an offset no later
  than the cut; the text says PARTIAL), and `why --json` of an object whose
  record lies before the cut still answers, with `partial` set;
- a garbage file, an empty file, a directory, a missing file: exit 1;
- a non-Go ELF executable (/bin/ls), or the executable of another Go
  program, given with the dump: exit 1, "does not belong";
- an address outside the heap: exit 1;
- no inputs, an unknown option, a bad address, two dumps: exit 2.

Every error must be exactly one line on stderr starting with "retain " (or
"retain: " when no command applies), no
run may take more than 10 s (a hang fails), and no input file may change
(sha256 before and after).

Output: one line per failed check, then "N passed, M failed"; exit 1 if
anything failed, 77 if the Go toolchain is not installed (ctest: skipped).
Python 3 standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEEDGEN = os.path.join(ROOT, "fuzz", "seedgen")
MAGIC = b"go1.7 heap dump\n"
TIMEOUT = 10
SKIP = 77

OTHER_PROGRAM = """package main

import (
\t"fmt"
\t"os"
\t"strings"
)

var table = map[string]int{"a": 1, "b": 2}

func main() {
\tfmt.Println(strings.Repeat("other ", len(table)), len(os.Args))
}
"""


class Results:
    def __init__(self, verbose):
        self.passed = self.failed = 0
        self.verbose = verbose

    def check(self, ok, where, what, detail=""):
        if ok:
            self.passed += 1
            if self.verbose:
                print("ok   %s: %s" % (where, what))
        else:
            self.failed += 1
            print("FAIL %s: %s%s" % (where, what, (" — " + detail) if detail else ""), flush=True)
        return ok


# ---------------------------------------------------------------- helpers

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def go_env(work):
    env = dict(os.environ)
    env.update({
        "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOPROXY": "off",
        "GOCACHE": os.path.join(work, "gocache"), "GOPATH": os.path.join(work, "gopath"),
        "GOTELEMETRY": "off", "CGO_ENABLED": "0",
    })
    env.pop("GOROOT", None)
    env.pop("GOEXPERIMENT", None)
    return env


def uvarint(d, pos):
    v = shift = 0
    while True:
        if pos >= len(d):
            raise IndexError("cut")
        b = d[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, pos


def object_records(data):
    """[(addr, size, record_start, record_end)] of the object records, in
    dump order, up to the first record the data does not hold entirely.
    Uses fuzz/seedtool.py's reader for the other record kinds."""
    sys.path.insert(0, os.path.join(ROOT, "fuzz"))
    import seedtool  # noqa: E402  (fuzz/seedtool.py)
    r = seedtool.Reader(data)
    out = []
    while True:
        try:
            tag, start, parsed = r.record()
        except (IndexError, ValueError):
            return out
        if tag == seedtool.OBJECT:
            out.append((parsed[0], len(parsed[1]), start, r.pos))
        if tag == seedtool.EOF:
            return out


class Retain:
    def __init__(self, exe, res):
        self.exe = exe
        self.res = res

    def run(self, where, args):
        """(exit code, stdout, stderr); None if it hung (a failed check)."""
        try:
            p = subprocess.run([self.exe] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.res.check(False, where, "finishes within %d s" % TIMEOUT, "retain " + " ".join(args))
            return None
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def expect_error(self, where, args, code, needles=()):
        """retain must exit with code and print exactly one line on stderr,
        starting with "retain " and containing every needle."""
        r = self.run(where, args)
        if r is None:
            return
        rc, out, err = r
        self.res.check(rc == code, where, "exit status %d" % code,
                       "got %d; stderr: %s" % (rc, err.strip()[:300]))
        lines = err.splitlines()
        self.res.check(len(lines) == 1 and err.endswith("\n"), where, "error is one line",
                       "%d lines: %r" % (len(lines), err[:400]))
        # "retain CMD: ..." or, before a command is known, "retain: ..."
        self.res.check(err.startswith(("retain ", "retain: ")), where, "error starts with 'retain '",
                       repr(err[:200]))
        for n in needles:
            self.res.check(n in err, where, "error mentions %r" % n, repr(err[:300]))
        self.res.check(out == "", where, "nothing on stdout", repr(out[:200]))


# ---------------------------------------------------------------- setup

def build(res, go, work):
    """Build seedgen and the other program, write the dump.  Returns
    (dump, seedgen exe, other exe, truth dict) or None."""
    env = go_env(work)
    seedgen = os.path.join(work, "seedgen")
    p = subprocess.run([go, "build", "-o", seedgen, "."], cwd=SEEDGEN, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if not res.check(p.returncode == 0, "setup", "go build fuzz/seedgen", p.stdout.decode()[-500:]):
        return None
    other_dir = os.path.join(work, "other-src")
    os.makedirs(other_dir, exist_ok=True)
    with open(os.path.join(other_dir, "go.mod"), "w") as f:
        f.write("module other\n\ngo 1.19\n")
    with open(os.path.join(other_dir, "main.go"), "w") as f:
        f.write(OTHER_PROGRAM)
    other = os.path.join(work, "other")
    p = subprocess.run([go, "build", "-o", other, "."], cwd=other_dir, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if not res.check(p.returncode == 0, "setup", "go build the other program", p.stdout.decode()[-500:]):
        return None
    dump = os.path.join(work, "seed.dump")
    p = subprocess.run([seedgen, dump], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if not res.check(p.returncode == 0, "setup", "seedgen writes a dump", p.stderr.decode()[-500:]):
        return None
    truth = json.loads(p.stdout.decode().strip().splitlines()[-1])
    return dump, seedgen, other, truth


# ---------------------------------------------------------------- checks

def pick_survivor(objs, cut, truth):
    """An object whose record lies wholly before cut: one the program holds
    if possible, else one too large to be a phantom slot (Go 1.22+ dumps
    list slots past a span's end, which the loader drops), else any."""
    done = [o for o in objs if o[3] <= cut]
    if not done:
        return None
    for name in ("head", "table", "stack", "huge"):
        a = int(truth.get(name, "0x0"), 16)
        for o in done:
            if o[0] <= a < o[0] + o[1]:
                return o
    big = [o for o in done if o[1] > 512]
    return (big or done)[-1]


def check_truncated(res, retain, work, dump, exe, truth):
    with open(dump, "rb") as f:
        data = f.read()
    objs = object_records(data)
    res.check(len(objs) > 10, "setup", "the dump holds objects", "%d" % len(objs))
    n = len(data)
    for label, cut in (("10%", n // 10), ("50%", n // 2), ("90%", n * 9 // 10), ("n-1", n - 1)):
        where = "truncated %s (%d of %d bytes)" % (label, cut, n)
        path = os.path.join(work, "trunc-%s.dump" % label.replace("%", "pc"))
        with open(path, "wb") as f:
            f.write(data[:cut])
        before = sha256(path)

        r = retain.run(where, ["overview", "--json", path])
        if r is not None:
            rc, out, err = r
            if res.check(rc == 0, where, "overview --json exits 0", "rc %d: %s" % (rc, err.strip()[:300])):
                try:
                    j = json.loads(out)
                except ValueError as e:
                    res.check(False, where, "overview --json prints JSON", str(e))
                    j = {}
                part = j.get("partial")
                res.check(isinstance(part, dict) and isinstance(part.get("offset"), int),
                          where, "JSON partial has an offset", repr(part))
                if isinstance(part, dict) and isinstance(part.get("offset"), int):
                    res.check(part["offset"] <= cut, where, "partial offset <= cut",
                              "%d > %d" % (part["offset"], cut))
        r = retain.run(where, ["overview", path])
        if r is not None:
            rc, out, err = r
            res.check(rc == 0 and "PARTIAL" in out, where, "overview text says PARTIAL",
                      "rc %d: %s" % (rc, out[:200]))
            res.check(all(l.startswith(("retain ", "retain: ")) for l in err.splitlines()), where,
                      "stderr lines start with 'retain '", repr(err[:300]))
        if label in ("90%", "n-1"):
            r = retain.run(where, ["overview", "--json", path, exe])
            if r is not None:
                rc, out, err = r
                ok = rc == 0
                if ok:
                    try:
                        ok = isinstance(json.loads(out).get("partial"), dict)
                    except ValueError:
                        ok = False
                res.check(ok, where, "overview --json with the executable: partial",
                          "rc %d: %s" % (rc, err.strip()[:300]))

        o = pick_survivor(objs, cut, truth)
        if res.check(o is not None, where, "an object record before the cut"):
            addr = o[0] + (8 if o[1] > 8 else 0)  # interior address
            r = retain.run(where, ["why", "--json", "0x%x" % addr, path])
            if r is not None:
                rc, out, err = r
                if res.check(rc == 0, where, "why --json 0x%x exits 0" % addr,
                             "rc %d: %s" % (rc, err.strip()[:300])):
                    try:
                        j = json.loads(out)
                    except ValueError as e:
                        res.check(False, where, "why --json prints JSON", str(e))
                        j = {}
                    res.check(isinstance(j.get("partial"), dict), where, "why: partial is set",
                              repr(j.get("partial")))
                    base = (j.get("object") or {}).get("base")
                    res.check(base in ("0x%x" % o[0], o[0]), where, "why: object base 0x%x" % o[0],
                              repr(base))
        res.check(sha256(path) == before, where, "input unchanged")


def check_bad_files(res, retain, work, dump, exe, other, hashes):
    """hashes: path -> sha256 of every input, filled before retain runs."""
    rnd = random.Random(1234)
    garbage = os.path.join(work, "garbage.bin")
    with open(garbage, "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(4096)))
    hashes[garbage] = sha256(garbage)
    retain.expect_error("garbage file", ["overview", garbage], 1, [garbage])
    retain.expect_error("garbage file with --json", ["overview", "--json", garbage], 1, [garbage])

    # the magic, then garbage: corrupt (exit 1) or, if it happens to parse
    # until the end, partial (exit 0) — never a crash, a hang or two lines
    for i in range(4):
        path = os.path.join(work, "magic-garbage-%d.dump" % i)
        with open(path, "wb") as f:
            f.write(MAGIC + bytes(rnd.getrandbits(8) for _ in range(64 << i)))
        hashes[path] = sha256(path)
        where = "magic + garbage %d" % i
        r = retain.run(where, ["overview", path])
        if r is not None:
            rc, out, err = r
            res.check(rc in (0, 1), where, "exit 0 or 1", "rc %d: %s" % (rc, err[:300]))
            if rc == 1:
                res.check(len(err.splitlines()) == 1 and err.startswith(("retain ", "retain: ")), where,
                          "one-line error", repr(err[:300]))

    empty = os.path.join(work, "empty.dump")
    open(empty, "wb").close()
    hashes[empty] = sha256(empty)
    retain.expect_error("empty file", ["overview", empty], 1, [empty])
    retain.expect_error("directory", ["overview", work], 1, [work])
    missing = os.path.join(work, "no-such-file.dump")
    retain.expect_error("missing file", ["overview", missing], 1, [missing])
    retain.expect_error("missing executable", ["overview", dump, missing], 1, [missing])

    ls = shutil.which("ls") or "/bin/ls"
    ls = os.path.realpath(ls)
    hashes[ls] = sha256(ls)
    retain.expect_error("non-Go executable", ["overview", dump, ls], 1, ["does not belong"])
    retain.expect_error("non-Go executable, why", ["why", "--json", "0xc000000000", dump, ls], 1,
                        ["does not belong"])
    retain.expect_error("another Go program's executable", ["overview", dump, other], 1,
                        ["does not belong"])
    retain.expect_error("another Go program's executable, --json", ["overview", "--json", other, dump],
                        1, ["does not belong"])


def check_addresses_and_usage(res, retain, dump, exe):
    retain.expect_error("address outside the heap", ["why", "0x10", dump], 1, ["0x10"])
    retain.expect_error("address outside the heap, --json", ["why", "--json", "0xffffffffffffffff", dump],
                        1)
    retain.expect_error("bad address", ["why", "0xnothex", dump], 2)
    retain.expect_error("no inputs", ["overview"], 2)
    retain.expect_error("no inputs, json", ["overview", "--json"], 2)
    retain.expect_error("why: no inputs", ["why", "0xc000000000"], 2)
    retain.expect_error("why: nothing at all", ["why"], 2)
    retain.expect_error("only an executable", ["overview", exe], 2)
    retain.expect_error("two dumps", ["overview", dump, dump], 2)
    retain.expect_error("unknown option", ["overview", "--bogus", dump], 2, ["--bogus"])
    retain.expect_error("unknown short option", ["top", "-Z", dump], 2)
    retain.expect_error("bad option value", ["why", "--all", "many", "0xc000000000", dump], 2)
    retain.expect_error("unknown command", ["frobnicate", dump], 2, ["frobnicate"])
    # and the good input still works
    r = retain.run("good input", ["overview", "--json", dump, exe])
    if r is not None:
        rc, out, err = r
        ok = rc == 0
        if ok:
            try:
                ok = json.loads(out).get("partial") is None
            except ValueError:
                ok = False
        res.check(ok, "good input", "overview --json of the whole dump: not partial",
                  "rc %d: %s" % (rc, err.strip()[:300]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", required=True, help="the retain executable")
    ap.add_argument("--go", default="1.22", help="Go toolchain version (/usr/lib/go-VERSION)")
    ap.add_argument("--work", required=True, help="scratch directory (created)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passed checks too")
    a = ap.parse_args()

    go = a.go if os.path.sep in a.go else "/usr/lib/go-%s/bin/go" % a.go
    if not os.access(go, os.X_OK):
        print("SKIP: no Go toolchain at %s" % go)
        return SKIP
    retain_exe = os.path.abspath(a.retain)
    if not os.access(retain_exe, os.X_OK):
        print("FAIL setup: %s is not executable" % retain_exe)
        print("0 passed, 1 failed")
        return 1
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)

    res = Results(a.verbose)
    built = build(res, go, work)
    if built is None:
        print("%d passed, %d failed" % (res.passed, res.failed))
        return 1
    dump, exe, other, truth = built
    retain = Retain(retain_exe, res)
    inputs = [dump, exe, other]
    hashes = {p: sha256(p) for p in inputs}

    check_truncated(res, retain, work, dump, exe, truth)
    check_bad_files(res, retain, work, dump, exe, other, hashes)
    check_addresses_and_usage(res, retain, dump, exe)

    for p, h in sorted(hashes.items()):
        res.check(sha256(p) == h, "inputs", "%s unchanged" % os.path.basename(p))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())

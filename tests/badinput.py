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
  program, given with the dump: exit 1, "does not belong"; a Go executable
  built for arm64: exit 1, naming the machine;
- an address outside the heap: exit 1;
- no inputs, an unknown option, a bad address, two dumps: exit 2, and
  option errors in one wording ("option X: unknown" / "missing its value");
- what the reports say: unknown figures left out (null in JSON), one label
  for objects with no type and no site, `top`'s variants with the same
  footers, `export --format dot` saying what it cut;
- inputs are never written: `export -o` naming the dump or the executable
  as "./x", "/proc/self/cwd/x", a symbolic or a hard link is refused (exit
  2), in both formats; `-o` a full device fails with one line (exit 1) and
  the device is still there; every command whose standard output is a full
  device fails (exit 1, "error writing standard output"); a replaced `-o`
  file keeps its mode and nothing is left beside it; a FIFO as the input
  or the executable is refused at once (a blocking open would hang);
- with examples/leaky's ELF core (when the kernel writes ./core): no
  memstats means null, a wrong executable "does not belong", `read` names
  the global an address lies in; `-o` naming the executable the core
  found through its NT_FILE note (only the core given) is refused.

Every error must be exactly one line on stderr starting with "retain " (or
"retain: " when no command applies), no
run may take more than 10 s (a hang fails), and no input file may change
(sha256 before and after).

Output: one line per failed check, then "N passed, M failed"; exit 1 if
anything failed, 77 if the Go toolchain is not installed (ctest: skipped).
Python 3 standard library only.
"""

import argparse
import errno
import gzip
import hashlib
import json
import os
import random
import re
import resource
import shutil
import stat
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

    def run(self, where, args, cwd=None, stdout=subprocess.PIPE):
        """(exit code, stdout, stderr); None if it hung (a failed check).
        stdout: where the output goes (a file object: then "" is returned)."""
        try:
            p = subprocess.run([self.exe] + args, stdout=stdout, stderr=subprocess.PIPE,
                               timeout=TIMEOUT, cwd=cwd)
        except subprocess.TimeoutExpired:
            self.res.check(False, where, "finishes within %d s" % TIMEOUT, "retain " + " ".join(args))
            return None
        out = p.stdout.decode(errors="replace") if p.stdout is not None else ""
        return p.returncode, out, p.stderr.decode(errors="replace")

    def expect_error(self, where, args, code, needles=(), cwd=None, stdout=subprocess.PIPE):
        """retain must exit with code and print exactly one line on stderr,
        starting with "retain " and containing every needle."""
        r = self.run(where, args, cwd=cwd, stdout=stdout)
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
    # the same program for another machine: a real Go executable for arm64
    arm_env = dict(env, GOARCH="arm64", CGO_ENABLED="0")
    p = subprocess.run([go, "build", "-o", other + "-arm64", "."], cwd=other_dir, env=arm_env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if not res.check(p.returncode == 0, "setup", "go build the other program for arm64",
                     p.stdout.decode()[-500:]):
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
                # the memstats come near the end: before them the runtime's
                # counts are unknown, which is null, never 0
                for k in ("runtime_heap_objects", "runtime_heap_alloc"):
                    v = j.get(k, 0)
                    res.check(v is None or (isinstance(v, int) and v > 0), where,
                              "overview --json %s: null or > 0" % k, repr(v))
                if label == "10%":
                    res.check(j.get("runtime_heap_objects", 0) is None, where,
                              "overview --json: runtime_heap_objects null before the memstats",
                              repr(j.get("runtime_heap_objects", 0)))
                    # the roots come after the objects: cut in the objects,
                    # every root is lost, and reachability is unknown (null),
                    # never "0 B reachable"
                    res.check(isinstance(part, dict) and isinstance(part.get("roots_lost"), str)
                              and "globals" in part["roots_lost"], where,
                              "overview --json: partial.roots_lost names the globals",
                              repr(part))
                    res.check(j.get("reachable_bytes", 0) is None and
                              j.get("reachable_objects", 0) is None, where,
                              "overview --json: reachable_bytes/objects null with roots lost",
                              "%r %r" % (j.get("reachable_bytes", 0), j.get("reachable_objects", 0)))
        r = retain.run(where, ["overview", path])
        if r is not None:
            rc, out, err = r
            res.check(rc == 0 and "PARTIAL" in out, where, "overview text says PARTIAL",
                      "rc %d: %s" % (rc, out[:200]))
            res.check("counted 0 objects" not in out, where, "overview text: no runtime count of 0",
                      out[:600])
            if label == "10%":
                res.check(re.search(r"^reachable\s+unknown", out, re.M) is not None and
                          "REACHABILITY UNKNOWN" in out, where,
                          "overview text: reachable unknown, roots lost", out[:600])
            res.check(not re.search(r"^roots\s+\d+:\s*$", out, re.M), where,
                      "overview text: nothing after 'roots N:' never", out[:600])
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
                    if label == "10%":
                        res.check(j.get("reachable", False) is None, where,
                                  "why: reachable null when the roots were lost",
                                  repr(j.get("reachable", False)))
                    base = (j.get("object") or {}).get("base")
                    res.check(base in ("0x%x" % o[0], o[0]), where, "why: object base 0x%x" % o[0],
                              repr(base))
        res.check(sha256(path) == before, where, "input unchanged")


def check_big_object(res, retain, work, dump):
    """Go's heap dump writer passes a write's length as an int32: an object
    of 2 GiB or more gets its record header (with the true length) but not
    its bytes. Mimicked on the real dump: the first object over 512 B
    claims 2 GiB more than it has, and its bytes are gone. The result is
    partial and says the likely cause."""
    where = "object of 2 GiB written short"
    with open(dump, "rb") as f:
        data = f.read()
    big = [o for o in object_records(data) if o[1] > 512]
    if not res.check(bool(big), where, "the dump has an object over 512 B"):
        return
    _addr, size, start, _end = big[0]
    tag, pos = uvarint(data, start)
    addr, pos = uvarint(data, pos)
    n, pos = uvarint(data, pos)

    def enc(v):
        out = bytearray()
        while True:
            b, v = v & 0x7F, v >> 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)
    path = os.path.join(work, "big-object.dump")
    with open(path, "wb") as f:
        f.write(data[:start] + enc(tag) + enc(addr) + enc((1 << 31) + n) + data[pos + n:])
    r = retain.run(where, ["overview", "--json", path])
    if r is None:
        return
    rc, out, err = r
    try:
        part = json.loads(out).get("partial") if rc == 0 else None
    except ValueError:
        part = None
    reason = part.get("reason", "") if isinstance(part, dict) else ""
    res.check(rc == 0 and "2 GiB" in reason and "int32" in reason, where,
              "a partial result naming the 2 GiB object as the likely cause",
              "rc %d, partial %r, %s" % (rc, part, err.strip()[:200]))


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
    arm = other + "-arm64"
    hashes[arm] = sha256(arm)
    retain.expect_error("an arm64 executable", ["overview", dump, arm], 1, [arm, "AArch64/arm64", "x86-64"])
    retain.expect_error("an arm64 executable alone", ["why", "--json", "0xc000000000", arm, dump], 1,
                        ["AArch64/arm64"])


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
    retain.expect_error("-j 0", ["overview", "-j", "0", dump], 2, ["-j"])
    retain.expect_error("-j many", ["overview", "--threads", "many", dump], 2, ["many"])
    retain.expect_error("index without -o", ["index", dump, exe], 2, ["-o"])
    retain.expect_error("index -o -", ["index", dump, exe, "-o", "-"], 2)
    retain.expect_error("index over its input", ["index", dump, exe, "-o", dump], 2, [dump])
    rtx = os.path.join(os.path.dirname(os.path.abspath(dump)), "usage.rtx")
    r = retain.run("index for usage", ["index", dump, exe, "-o", rtx])
    if res.check(r is not None and r[0] == 0, "index", "an index of the dump", r[2][-300:] if r else ""):
        retain.expect_error("read of an index", ["read", "0xc000000000", rtx], 2, ["index"])
        retain.expect_error("index with its inputs", ["overview", rtx, exe], 2, ["alone"])
    retain.expect_error("two addresses", ["why", "0xc000000000", "0xc000000010", dump], 2)
    retain.expect_error("nothing after --", ["overview", "--"], 2)
    # "--" ends the options: what follows is taken as operands, even when
    # it looks like an option
    for cmd in ("overview", "top", "roots", "objects"):
        r = retain.run("-- " + cmd, [cmd, "--json", "--", dump, exe])
        if r is not None:
            rc, out, err = r
            try:
                ok = rc == 0 and isinstance(json.loads(out), dict)
            except ValueError:
                ok = rc == 0 and cmd == "objects"  # one object per line
            res.check(ok, "-- " + cmd, "%s --json -- DUMP EXE works" % cmd,
                      "rc %d: %s" % (rc, err.strip()[:300]))
    retain.expect_error("option after --", ["overview", "--", "--json", dump], 1, ["--json"])
    check_usage_wording(res, retain, dump, exe)
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


def check_usage_wording(res, retain, dump, exe):
    """One wording for option errors, the --help hint on every usage error,
    `retain help CMD`."""
    hint = "(see 'retain %s --help')"
    retain.expect_error("unknown long option wording", ["overview", "--bogus", dump], 2,
                        ["option --bogus: unknown", hint % "overview"])
    retain.expect_error("unknown short option wording", ["top", "-Z", dump], 2, ["option -Z: unknown"])
    retain.expect_error("long option without its value", ["top", dump, "--by"], 2,
                        ["option --by: missing its value"])
    retain.expect_error("short option without its value", ["top", dump, "-n"], 2,
                        ["option -n: missing its value"])
    retain.expect_error("value for a flag", ["overview", "--json=1", dump], 2,
                        ["option --json: takes no value"])
    retain.expect_error("ambiguous abbreviation", ["export", "--m", "5", dump], 2,
                        ["option --m: ambiguous", "--min-bytes", "--max-nodes"])
    where = "negative number"
    retain.expect_error(where, ["read", "0x10", "-5", dump], 2, ["'-5'", "negative"])
    r = retain.run(where, ["read", "0x10", "-5", dump])
    if r is not None:
        res.check("option -5" not in r[2], where, "-5 is not called an option", r[2].strip())
    retain.expect_error("only an executable, hint", ["overview", exe], 2,
                        [exe, "heap dump or core", hint % "overview"])
    retain.expect_error("no inputs names cores", ["overview"], 2, ["core", hint % "overview"])
    retain.expect_error("two dumps, hint", ["overview", dump, dump], 2, [hint % "overview"])
    # a hex length is a length: the complaint is the missing core
    retain.expect_error("read: hex length", ["read", "0x10", "0x10", dump], 2, ["core"])
    retain.expect_error("read: bad length", ["read", "0x10", "0x0", dump], 2, ["N must be"])
    r = retain.run("help why", ["help", "why"])
    if r is not None:
        rc, out, err = r
        res.check(rc == 0 and out.startswith("usage: retain why") and err == "", "help why",
                  "retain help why prints why's help", "rc %d: %r" % (rc, out[:100]))
    retain.expect_error("help of no command", ["help", "frobnicate"], 2, ["frobnicate"])
    # export --format dot: --json needs -o (stdout carries the graph)
    retain.expect_error("export dot --json without -o", ["export", "--format", "dot", "--json", dump], 2,
                        ["-o"])


def check_reports(res, retain, work, dump, exe):
    """The same words for the same things across commands."""
    where = "labels"
    objs = None
    r = retain.run(where, ["objects", "--json", dump, exe])
    if r is not None and r[0] == 0:
        try:
            objs = json.loads(r[1])["objects"]
        except (ValueError, KeyError) as e:
            res.check(False, where, "objects --json parses", str(e))
    unknown = {o["base"] for o in objs or [] if o.get("type") is None and o.get("site") is None}
    label = "(unknown type, not sampled)"
    r = retain.run(where, ["objects", dump, exe])
    if r is not None and unknown:
        lines = [l for l in r[1].splitlines() if l.split(" ", 1)[0] in unknown]
        res.check(lines and all(l.endswith(" " + label) for l in lines), where,
                  "objects: an object with no type and no site is %r" % label,
                  repr(lines[:3]))
    for args in (["dominators", "--depth", "40", "--min-bytes", "0"], ["top", "--retained", "-n", "0"],
                 ["roots", "-n", "0"]):
        r = retain.run(where, args + [dump, exe])
        if r is None:
            continue
        rc, out, err = r
        bad = [l for l in out.splitlines() if l.endswith((" -", " object"))]
        res.check(rc == 0 and not bad, where, "%s: no '-' or 'object' labels" % args[0],
                  "rc %d: %r" % (rc, bad[:3]))
        if unknown and args[0] != "roots":
            res.check(label in out, where, "%s: says %r" % (args[0], label), out[:300])

    # top, top --retained, top --retained --by: the same footers
    for args, more in ((["top", "-n", "1"], "more groups"), (["top", "--retained", "-n", "1"], "more objects"),
                       (["top", "--retained", "--by", "site", "-n", "1"], "more groups"),
                       (["top", "--retained", "--by", "type", "-n", "1"], None)):
        w = " ".join(args)
        r = retain.run(w, args + [dump, exe])
        if r is None:
            continue
        rc, out, err = r
        lines = out.splitlines()
        res.check(rc == 0 and any(l.rstrip().endswith("  total") for l in lines) and "heap total" not in out,
                  w, "footer line ends in 'total'", out[-400:])
        if more:
            res.check(any(more + " (use -n 0 for all)" in l for l in lines), w,
                      "says how many rows -n cut", out[-400:])
        if "--retained" in args:
            res.check("more than 100%" in out, w, "says retained shares overlap", out[-400:])

    # export --format dot: the graph says what it cut; --json on stdout
    where = "export dot"
    r = retain.run(where, ["export", "--format", "dot", "--min-bytes", "1000000000000", dump, exe])
    if r is not None:
        rc, out, err = r
        res.check(rc == 0 and re.search(r"\(\d+ more child(ren)? not shown\)", out) is not None
                  and "label=\"object" not in out, where,
                  "a cut graph says how many children it left out", out[:400])
    dot = os.path.join(work, "tree.dot")
    r = retain.run(where, ["export", "--format", "dot", "--json", "-o", dot, dump, exe])
    if r is not None:
        rc, out, err = r
        try:
            j = json.loads(out)
        except ValueError:
            j = None
        res.check(rc == 0 and isinstance(j, dict) and j.get("output") == dot
                  and isinstance(j.get("hidden_children"), int) and err == "", where,
                  "--json -o: the summary on stdout", "rc %d: out %r err %r" % (rc, out[:200], err[:200]))
    # -o -: standard output, for dot, the pprof export and the report alike
    for args, starts in ((["export", "--format", "dot"], "digraph"),
                         (["export", "--format", "pprof"], "\x1f\x8b"),
                         (["report"], "<!DOCTYPE html>")):
        w = " ".join(args) + " -o -"
        p = subprocess.run([retain.exe] + args + ["-o", "-", dump, exe], capture_output=True, cwd=work,
                           timeout=300)
        res.check(p.returncode == 0 and p.stdout.decode("latin-1").startswith(starts)
                  and not os.path.exists(os.path.join(work, "-")), w,
                  "-o - writes to standard output, not to a file named '-'",
                  "rc %d: out %r err %r" % (p.returncode, p.stdout[:40], p.stderr[-200:]))


def full_device(work):
    """A path that fails every write with ENOSPC: as root, a node of our
    own with /dev/full's numbers (so a retain that removed its -o on error
    removes our node, not the machine's /dev/full), else /dev/full."""
    if os.geteuid() == 0:
        node = os.path.join(work, "full")
        try:
            if os.path.lexists(node):
                os.remove(node)
            os.mknod(node, 0o666 | stat.S_IFCHR, os.stat("/dev/full").st_rdev)
            with open(node, "wb", buffering=0) as f:
                f.write(b"x")
        except OSError as e:
            if e.errno == errno.ENOSPC:
                return node
    return "/dev/full"


def check_unchanged(res, where, hashes):
    for p, h in sorted(hashes.items()):
        res.check(sha256(p) == h, where, "%s unchanged" % os.path.basename(p))


def refuse_output(res, retain, where, args, out, hashes, cwd=None):
    """export -o OUT must be refused (exit 2, one line), in both formats,
    with every input unchanged."""
    for fmt in ("pprof", "dot"):
        w = "%s (%s)" % (where, fmt)
        retain.expect_error(w, ["export", "--format", fmt, "-o", out] + args, 2,
                            ["inputs are never written"], cwd=cwd)
        check_unchanged(res, w, hashes)


def check_outputs(res, retain, work, dump, exe, hashes):
    """Inputs are never written: -o naming an input however it is spelt is
    refused; a full device fails with one line; standard output's errors
    are errors; a FIFO as input is refused at once."""
    d = os.path.dirname(dump)
    name = os.path.basename(dump)
    sym = os.path.join(work, "dump-symlink")
    hard = os.path.join(work, "dump-hardlink")
    for p in (sym, hard):
        if os.path.lexists(p):
            os.remove(p)
    os.symlink(dump, sym)
    os.link(dump, hard)
    refuse_output(res, retain, "-o ./DUMP", [name, exe], "./" + name, hashes, cwd=d)
    refuse_output(res, retain, "-o /proc/self/cwd/DUMP", [name, exe], "/proc/self/cwd/" + name, hashes, cwd=d)
    refuse_output(res, retain, "-o a symlink to the dump", [dump, exe], sym, hashes)
    refuse_output(res, retain, "-o a hard link of the dump", [dump, exe], hard, hashes)
    refuse_output(res, retain, "-o the executable given", [dump, exe], "./" + os.path.basename(exe), hashes,
                  cwd=os.path.dirname(exe))
    os.remove(hard)

    # a full device: exit 1 and one line, and the device is still there
    full = full_device(work)
    for fmt in ("pprof", "dot"):
        w = "-o %s (%s)" % (full, fmt)
        retain.expect_error(w, ["export", "--format", fmt, "-o", full, dump, exe], 1,
                            [full, "No space left on device"])
        st = os.lstat(full) if os.path.lexists(full) else None
        res.check(st is not None and stat.S_ISCHR(st.st_mode), w, "%s is still a character device" % full)
    # standard output on a full device: every command says so
    with open(full, "wb") as f:
        for args in (["overview"], ["overview", "--json"], ["objects"], ["roots", "--json"], ["top"],
                     ["dominators"], ["export", "--format", "dot"]):
            retain.expect_error("%s > %s" % (" ".join(args), full), args + [dump, exe], 1,
                                ["error writing standard output", "No space left on device"], stdout=f)

    # an export that works: a new file, then the same file replaced whole,
    # with no temporary file left beside it
    outdir = os.path.join(work, "out")
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    prof = os.path.join(outdir, "tree.pb.gz")
    with open(prof, "wb") as f:
        f.write(b"old contents")
    os.chmod(prof, 0o600)
    for n in (1, 2):
        r = retain.run("export -o", ["export", "--format", "pprof", "-o", prof, dump, exe])
        if r is not None:
            with open(prof, "rb") as f:
                head = f.read(2)
            res.check(r[0] == 0 and head == b"\x1f\x8b", "export -o", "run %d writes the profile" % n,
                      "rc %d: %s" % (r[0], r[2].strip()[:300]))
    res.check(stat.S_IMODE(os.stat(prof).st_mode) == 0o600, "export -o", "the replaced file keeps its mode",
              oct(os.stat(prof).st_mode))
    res.check(os.listdir(outdir) == ["tree.pb.gz"], "export -o", "nothing else left in the directory",
              repr(os.listdir(outdir)))

    # a FIFO nobody writes to, as the input or as the executable: refused at
    # once (a blocking open would hang until run() times out)
    fifo = os.path.join(work, "input.fifo")
    if os.path.lexists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    retain.expect_error("a FIFO as input", ["overview", fifo], 1, [fifo, "FIFO"])
    retain.expect_error("a FIFO as the executable", ["overview", dump, fifo], 1, [fifo, "FIFO"])
    os.remove(fifo)


def check_core_outputs(res, retain, work, core, exe, leaked, hashes):
    """The executable a core names in its NT_FILE note is an input too,
    though only the core was given."""
    hashes = dict(hashes, **{exe: sha256(exe)})
    refuse_output(res, retain, "-o the core's executable (NT_FILE)", [core], "./" + os.path.basename(exe),
                  hashes, cwd=os.path.dirname(exe))
    sym = os.path.join(work, "exe-symlink")
    if os.path.lexists(sym):
        os.remove(sym)
    os.symlink(exe, sym)
    refuse_output(res, retain, "-o a symlink to the core's executable", [core], sym, hashes)
    refuse_output(res, retain, "-o the core", [core], "/proc/self/cwd/" + os.path.basename(core), hashes,
                  cwd=os.path.dirname(core))
    full = full_device(work)
    with open(full, "wb") as f:
        retain.expect_error("read > %s" % full, ["read", leaked, "16", core], 1,
                            ["error writing standard output"], stdout=f)


def make_core(res, go, work):
    """examples/leaky aborted into ./core in work; (core, exe, leaked
    address) or None when the kernel does not write ./core here."""
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            pattern = f.read().strip()
    except OSError:
        pattern = ""
    if pattern != "core":
        print("note: core checks skipped (core_pattern is %r, not 'core')" % pattern)
        return None
    exe = os.path.join(work, "leaky")
    p = subprocess.run([go, "build", "-o", exe, "."], cwd=os.path.join(ROOT, "examples", "leaky"),
                       env=go_env(work), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if not res.check(p.returncode == 0, "core setup", "go build examples/leaky", p.stdout.decode()[-500:]):
        return None
    core = os.path.join(work, "core")
    if os.path.exists(core):
        os.remove(core)

    def unlimited():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    env = dict(os.environ, LEAKY_CORE="1", GOTRACEBACK="crash")
    try:
        p = subprocess.run([exe, os.path.join(work, "core.dump")], cwd=work, env=env, preexec_fn=unlimited,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
    except subprocess.TimeoutExpired:
        res.check(False, "core setup", "leaky aborts within 120 s")
        return None
    m = re.search(rb"^leaked: (0x[0-9a-f]+)", p.stdout, re.M)
    if not os.path.exists(core) or not m:
        print("note: core checks skipped (no core was written)")
        return None
    return core, exe, m.group(1).decode()


def check_packed_inputs(res, retain, work, dump, exe, core=None):
    """A gzip'd dump, a zstd-compressed core (as systemd-coredump keeps
    them), and a dump on standard input read like the plain files; a
    gzip stream cut short: one line."""
    def overview(args, stdin=None):
        p = subprocess.run([retain.exe, "overview", "--json"] + args, capture_output=True, text=True, stdin=stdin)
        try:
            return p.returncode, json.loads(p.stdout), p.stderr
        except ValueError:
            return p.returncode, None, p.stderr
    _, plain, _ = overview([dump, exe])
    gz = os.path.join(work, "packed.dump.gz")
    with open(dump, "rb") as f, gzip.open(gz, "wb") as g:
        shutil.copyfileobj(f, g)
    rc, got, err = overview([gz, exe])
    res.check(rc == 0 and got and plain and got.get("objects") == plain.get("objects"), "gzip'd dump",
              "read as the dump", err[-300:])
    with open(dump, "rb") as f:
        rc, got, err = overview(["-", exe], stdin=f)
    res.check(rc == 0 and got and plain and got.get("edges") == plain.get("edges"), "dump on standard input",
              "read as the dump", err[-300:])
    with open(gz, "rb") as f:
        data = f.read()
    cut = os.path.join(work, "cut.dump.gz")
    with open(cut, "wb") as f:
        f.write(data[: len(data) // 2])
    retain.expect_error("gzip'd dump cut short", ["overview", cut, exe], 1, [cut, "gzip"])
    if core and shutil.which("zstd"):
        _, cplain, _ = overview([core])
        zst = os.path.join(work, "packed.core.zst")
        subprocess.run(["zstd", "-q", "-f", "-o", zst, core], check=False)
        rc, got, err = overview([zst])
        res.check(rc == 0 and got and cplain and got.get("objects") == cplain.get("objects"), "zstd'd core",
                  "read as the core", err[-300:])


def check_profiles(res, retain, work, dump, exe):
    """Damaged heap profiles, made from a real one (fuzz/corpus-pprof, written
    by a Go program): one line naming the file, exit 1, alone or with a
    dump; a profile that is not a heap profile is refused, not ignored."""
    real = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus-pprof",
                        "sites-1.22.pb.gz")
    with open(real, "rb") as f:
        gz = f.read()
    plain = gzip.decompress(gz)
    cases = {
        "truncated gzip": gz[: len(gz) // 2],
        "truncated protobuf": plain[: len(plain) // 3],
        # field 1 (sample_type), wire type 2, a length of 1 GiB, then 3 bytes
        "a 1 GiB length": bytes([0x0a]) + bytes([0x80, 0x80, 0x80, 0x80, 0x04]) + b"abc",
        # field 1 with wire type 7, which does not exist
        "wrong wire type": bytes([0x0f, 0x01, 0x02, 0x03]) + plain[:64],
    }
    for what, data in cases.items():
        path = os.path.join(work, "bad-%s.pb" % what.replace(" ", "-"))
        with open(path, "wb") as f:
            f.write(data)
        # recognised as a profile, or not at all: either way one line, exit 1
        retain.expect_error("profile: " + what, ["overview", path], 1, [path])
        retain.expect_error("profile with a dump: " + what, ["sites", "--profile", path, dump, exe], 1, [path])
    retain.expect_error("a heap profile alone: roots", ["roots", real], 2, ["heap profile alone", "core or heap dump"])
    retain.expect_error("objects --min-size without a number", ["objects", "--min-size", "lots", dump, exe], 2,
                        ["--min-size", "'lots'"])
    r = retain.run("objects --min-size 1KiB --reachable", ["objects", "--json", "--min-size", "1KiB", "--reachable",
                                                          dump, exe])
    if r is not None:
        rows = json.loads(r[1]).get("objects") if r[0] == 0 else None
        res.check(isinstance(rows, list) and rows and all(x["size"] >= 1024 and x["reachable"] for x in rows),
                  "objects filters", "--min-size 1KiB --reachable keeps only those", repr(rows)[:200])
    r = retain.run("--version", ["--version"])
    if r is not None:
        res.check(r[0] == 0 and re.search(r"^Go 1\.\d+-1\.\d+ \(tested: ", r[1], re.M) is not None, "--version",
                  "names the Go versions read", repr(r[1]))


def check_core(res, retain, core, exe, leaked, other):
    where = "core overview"
    r = retain.run(where, ["overview", "--json", core])
    if r is not None:
        rc, out, err = r
        try:
            j = json.loads(out)
        except ValueError:
            j = {}
        res.check(rc == 0 and "runtime_heap_objects" in j and j["runtime_heap_objects"] is None
                  and j.get("runtime_heap_alloc", 0) is None, where,
                  "a core has no memstats: null in JSON", "rc %d: %s" % (rc, out[:300]))
    r = retain.run(where, ["overview", core])
    if r is not None:
        rc, out, err = r
        res.check(rc == 0 and "counted 0" not in out and not re.search(r"\b1 (arenas|heap spans)\b", out),
                  where, "text: no count of 0, no '1 arenas'", out[:600])
    ls = os.path.realpath(shutil.which("ls") or "/bin/ls")
    retain.expect_error("core with a non-Go executable", ["overview", core, ls], 1,
                        ["does not belong", "not a Go program", core, ls])
    retain.expect_error("core with another Go program", ["overview", core, other], 1,
                        ["does not belong", core, other])
    # a core whose executable is gone (its NT_FILE path patched, same length)
    moved = os.path.join(os.path.dirname(core), "moved.core")
    with open(core, "rb") as f:
        data = f.read()
    real = os.path.realpath(exe).encode()
    if real in data:
        with open(moved, "wb") as f:
            f.write(data.replace(real, real[:-1] + (b"X" if real[-1:] != b"X" else b"Y")))
        retain.expect_error("core whose executable is gone", ["overview", moved], 1,
                            [moved, "cannot be used", "name the executable after the core"])
        os.remove(moved)
    # a stripped executable (no DWARF, no debug file) whose .go.buildinfo names
    # a Go version with no built-in layout: one line naming it, no guess
    bare = os.path.join(os.path.dirname(core), "bare")
    if subprocess.run(["objcopy", "--strip-all", exe, bare]).returncode == 0:
        with open(bare, "rb") as f:
            data = f.read()
        m = re.search(rb"go1\.(\d\d)\.(\d+)", data)
        if res.check(m is not None, "core, stripped", "the stripped build names its Go version"):
            fake = b"go1.20." + b"9" * len(m.group(2))
            with open(bare, "wb") as f:
                f.write(data.replace(m.group(0), fake))
            env_gone = dict(os.environ)
            env_gone.pop("RETAIN_DEBUG_PATH", None)
            retain.expect_error("core, stripped executable of an untested Go version", ["overview", core, bare],
                                1, [bare, "go1.20.", "no built-in layout", "debug file"])
        os.remove(bare)
    retain.expect_error("why: an operand that is no file and no address", ["why", "zz", core], 2,
                        ["'zz' is neither a hex address nor a file"])
    r = retain.run("core roots", ["roots", "--json", "-n", "0", core])
    if r is not None and r[0] == 0:
        rows = json.loads(r[1]).get("roots") or []
        regs = [x for x in rows if (x.get("name") or "").endswith(" registers")]
        res.check(bool(regs) and all(x.get("conservative") is True for x in regs), "core roots",
                  "thread register roots say conservative", json.dumps(regs[:2]))
    # read: an address in a global names it; a hex length works
    where = "core read"
    r = retain.run(where, ["roots", "--json", "-n", "0", core])
    addr = None
    if r is not None and r[0] == 0:
        try:
            for x in json.loads(r[1])["roots"]:
                if x.get("kind") == "global" and x.get("name") == "main.sessionCache":
                    addr = x.get("address")
        except (ValueError, KeyError):
            pass
    if res.check(addr is not None, where, "roots --json lists main.sessionCache"):
        r = retain.run(where, ["read", addr, "0x20", core])
        if r is not None:
            rc, out, err = r
            lines = out.splitlines()
            hexl = [l for l in lines if l.startswith("0x") and "|" in l]
            words = [l for l in lines if l.startswith("0x") and "|" not in l]
            res.check(rc == 0 and lines and "main.sessionCache" in lines[0] and len(hexl) == 2 and
                      len(words) == 4 and "[main.sessionCache]" in words[0],
                      where, "read of a global names it, 0x20 bytes in two lines, four words described",
                      "rc %d: %s %s" %
                      (rc, out[:300], err[:200]))
    r = retain.run(where, ["read", "--json", leaked, "16", core])
    if r is not None:
        rc, out, err = r
        try:
            j = json.loads(out)
        except ValueError:
            j = {}
        res.check(rc == 0 and isinstance(j.get("object"), dict) and j.get("root") is None, where,
                  "read --json of a heap object: object set, root null", out[:300])


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
    check_big_object(res, retain, work, dump)
    check_bad_files(res, retain, work, dump, exe, other, hashes)
    check_addresses_and_usage(res, retain, dump, exe)
    check_reports(res, retain, work, dump, exe)
    check_outputs(res, retain, work, dump, exe, hashes)
    check_profiles(res, retain, work, dump, exe)
    made = make_core(res, go, work)
    if made is not None:
        core, leaky, leaked = made
        hashes[core] = sha256(core)
        check_core(res, retain, core, leaky, leaked, other)
        check_packed_inputs(res, retain, work, dump, exe, core)
        check_core_outputs(res, retain, work, core, leaky, leaked, hashes)

    for p, h in sorted(hashes.items()):
        res.check(sha256(p) == h, "inputs", "%s unchanged" % os.path.basename(p))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())

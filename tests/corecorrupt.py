#!/usr/bin/env python3
"""Corrupted real cores: `retain` must answer or refuse, never crash or hang.

    python3 tests/corecorrupt.py --retain build/retain --go 1.22 --work /tmp/w [--runs 30]

Takes the core and executable of tests/go/crosscheck (built and cored as
tests/crosscheck.py does) and, for each run (seeded, so a failure can be
replayed with --seed), writes a copy with random words overwritten:
  - in the core: a few words in each of a few PT_LOAD segments, chosen per
    segment rather than per byte, so the runtime's own small segments (data
    and bss with mheap_, allgs, moduledata; span and special records; the
    profile buckets; goroutine stacks) are hit as often as the heap;
  - every fourth run, also in a copy of the executable's .gopclntab (a
    core's read-only segments come from the executable), which the stack
    walker and the allocation sites read.
Then `retain roots --json -n 5` and `retain top --by site -n 5` run on it.
Each must exit 0 (an answer, perhaps partial or with warnings) or 1 (one
line on stderr, starting "retain "), print no sanitizer report, finish in
TIMEOUT seconds, and leave its inputs unchanged. The clean core must load.

Before the random runs, named damage to fields (check_goroutine_damage,
check_span_damage), and a core cut while retain reads it
(check_shrinks_while_read): the answer, its warning or its one-line error,
and for the spans the time and memory it costs beside the clean core's.

Output: one line per failed check, then "N passed, M failed"; exit 1 if
anything failed, 77 if the toolchain is missing (ctest: skipped).
Python 3 standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import crosscheck as cc  # noqa: E402  (builds and cores tests/go/crosscheck)
import scenarios as sc  # noqa: E402

TIMEOUT = 60
SANITIZER_MARKS = ("Sanitizer", "runtime error:", "LeakSanitizer")


def load_segments(path):
    """[(file offset, size)] of the core's PT_LOAD segments with file data."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        segs = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ph = f.read(56)
            p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", ph)
            if p_type == 1 and p_filesz >= 8:
                segs.append((p_offset, p_filesz))
        return segs


def section(path, name):
    """(file offset, size) of the named ELF section, or None."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 40)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 58)
    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        s = sh(i)
        end = data.index(b"\0", stroff + s[0])
        if data[stroff + s[0]:end].decode() == name:
            return s[4], s[5]
    return None


def scribble(path, ranges, nwords, rnd):
    with open(path, "r+b") as f:
        for off, size in ranges:
            for _ in range(nwords):
                at = off + rnd.randrange(0, max(1, size - 8)) // 8 * 8
                f.seek(at)
                f.write(rnd.choice([rnd.randbytes(8), b"\0" * 8, b"\xff" * 8,
                                    struct.pack("<Q", rnd.randrange(1 << 48))]))


def vaddr_map(path):
    """[(vaddr, file offset, filesz)] of the core's PT_LOAD segments."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        out = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _fl, p_offset, p_vaddr, _pa, p_filesz = struct.unpack_from("<IIQQQQ", f.read(56))
            if p_type == 1 and p_filesz:
                out.append((p_vaddr, p_offset, p_filesz))
        return out


def file_offset(segs, addr):
    for va, off, sz in segs:
        if va <= addr and addr + 8 <= va + sz:
            return off + addr - va
    return None


def symbol(exe, name):
    out = subprocess.run(["readelf", "-sW", exe], capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] == name:
            return int(f[1], 16)
    return None


def check_goroutine_damage(retain, v, scratch, where, res):
    """Named damage to the goroutine list, each with its warning: allgs
    whose entries all point at the first g (repeats skipped), and a g
    whose stack.hi lies below stack.lo (its stack not read); each still
    answers, exit 0."""
    allgs = symbol(v.exe, "runtime.allgs")
    segs = vaddr_map(v.core)
    with open(v.core, "rb") as f:
        data = f.read()
    at = file_offset(segs, allgs) if allgs else None
    if not res.check(at is not None, where, "runtime.allgs is in the core"):
        return
    arr, n = struct.unpack_from("<QQ", data, at)
    arr_at = file_offset(segs, arr)
    if not res.check(arr_at is not None and n >= 3, where, "allgs' array is in the core", repr((arr, n))):
        return
    gs = [struct.unpack_from("<Q", data, arr_at + 8 * i)[0] for i in range(n)]
    core = os.path.join(scratch, "core")
    for what, patch, needle in (
            ("allgs all the first g", [(arr_at + 8 * i, gs[0]) for i in range(1, n)], "lists the same goroutine"),
            ("a g's stack inverted", [(file_offset(segs, gs[1]) + 8, 0)], "inverted stack")):
        shutil.copyfile(v.core, core)
        with open(core, "r+b") as f:
            for off, val in patch:
                f.seek(off)
                f.write(struct.pack("<Q", val))
        p = subprocess.run([retain, "overview", "--json", core, v.exe], capture_output=True, text=True,
                           timeout=TIMEOUT)
        try:
            warns = " ".join(json.loads(p.stdout).get("warnings") or [])
        except ValueError:
            warns = ""
        res.check(p.returncode == 0 and needle in warns, where, "%s: answered with a warning" % what,
                  "exit %d, warnings %r %s" % (p.returncode, warns[:300], p.stderr[-300:]))


LAYOUT_TABLE = os.path.join(HERE, "..", "src", "loaders", "gocore", "gocore_layout_table.c")


def layout(ver):
    """{field: value} of the built-in runtime layout for Go ver ("1.22"),
    read from the generated table (the same numbers the loader uses)."""
    minor = int(ver.split(".")[1])
    out, cur = {}, None
    with open(LAYOUT_TABLE) as f:
        for line in f:
            m = re.match(r"\s*\{ (\d+), \"go", line)
            if m:
                cur = int(m.group(1))
                continue
            m = re.match(r"\s*(0x[0-9a-f]+), /\* (\w+) \*/", line)
            if m and cur == minor:
                out[m.group(2)] = int(m.group(1), 16)
    return out


def measured_run(args):
    """(exit code, stderr, wall seconds, peak RSS in KiB) of one run; the RSS
    is the child's own (RUSAGE_CHILDREN's high-water mark rises only when a
    child tops every earlier one, so each run is made in a fresh process)."""
    probe = ("import resource, subprocess, sys, time, json\n"
             "t = time.time()\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, timeout=%d)\n"
             "print(json.dumps([p.returncode, p.stderr.decode(errors='replace'), time.time() - t,\n"
             "                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n" % TIMEOUT)
    p = subprocess.run([sys.executable, "-c", probe] + args, capture_output=True, text=True,
                       timeout=TIMEOUT + 30)
    return tuple(json.loads(p.stdout)) if p.returncode == 0 else (-1, p.stderr, TIMEOUT, 0)


def check_span_damage(retain, v, scratch, where, res):
    """Named damage to the span list (issue 13's reproducers), each on the
    real core: an in-use small span claiming 2^36-1 pages and the largest
    nelems its field holds; a large span with 2^30 pages and elemsize 2^43
    (1.22+, where large spans carry their type); mheap_.allspans.len 2^32.
    Each must end as an answer with a warning or a one-line error, within
    2 s and 200 MB of what the clean core costs (sanitizer builds are
    slower and bigger across the board, hence relative bounds)."""
    y = layout(v.ver)
    mheap = symbol(v.exe, "runtime.mheap_")
    segs = vaddr_map(v.core)
    need = ("mheap_allspans", "sp_state", "sp_npages", "sp_nelems", "sp_elemsize", "sp_spanclass",
            "sp_nelems_size", "span_in_use")
    if not res.check(all(k in y for k in need) and mheap, where, "layout and runtime.mheap_ known",
                     "layout of %s: %d fields" % (v.ver, len(y))):
        return
    with open(v.core, "rb") as f:
        data = f.read()
    at = file_offset(segs, mheap + y["mheap_allspans"])
    arr, n = struct.unpack_from("<QQ", data, at) if at is not None else (0, 0)
    arr_at = file_offset(segs, arr) if arr else None
    if not res.check(arr_at is not None and n > 0, where, "mheap_.allspans is in the core"):
        return
    small = large = None
    for i in range(n):
        sp = struct.unpack_from("<Q", data, arr_at + 8 * i)[0]
        o = file_offset(segs, sp) if sp else None
        if o is None or data[o + y["sp_state"]] != y["span_in_use"]:
            continue
        sizeclass = data[o + y["sp_spanclass"]] >> 1
        if sizeclass and small is None:
            small = o
        elif not sizeclass and large is None:
            large = o
    nel_max = (1 << (8 * y["sp_nelems_size"])) - 1
    cases = [("allspans.len 2^32", [(at + 8, 8, 1 << 32)])]
    if small is not None:
        cases.append(("a small span with 2^36-1 pages and nelems %d" % nel_max,
                      [(small + y["sp_npages"], 8, (1 << 36) - 1),
                       (small + y["sp_nelems"], y["sp_nelems_size"], nel_max)]))
    if large is not None and int(v.ver.split(".")[1]) >= 22:
        cases.append(("a large span with 2^30 pages and elemsize 2^43",
                      [(large + y["sp_npages"], 8, 1 << 30), (large + y["sp_elemsize"], 8, 1 << 43)]))
    res.check(len(cases) >= 2, where, "the core has an in-use small span to damage")
    core = os.path.join(scratch, "core")
    base = measured_run([retain, "overview", "--json", v.core, v.exe])
    if not res.check(base[0] == 0, where, "the clean core loads", base[1][-300:]):
        return
    for what, patch in cases:
        shutil.copyfile(v.core, core)
        with open(core, "r+b") as f:
            for off, size, val in patch:
                f.seek(off)
                f.write(val.to_bytes(size, "little"))
        rc, err, secs, rss = measured_run([retain, "overview", "--json", core, v.exe])
        lines = err.strip().splitlines()
        res.check(rc == 0 or (rc == 1 and len(lines) == 1 and lines[0].startswith("retain ")), where,
                  "%s: an answer or a one-line error" % what, "exit %d: %s" % (rc, err[-400:]))
        res.check(not any(m in err for m in SANITIZER_MARKS), where, "%s: no sanitizer report" % what,
                  err[:1500])
        res.check(secs <= base[2] + 2.0, where, "%s: within 2 s of the clean core" % what,
                  "%.2f s, clean %.2f s" % (secs, base[2]))
        res.check(rss <= base[3] + 200 * 1024, where, "%s: within 200 MB of the clean core" % what,
                  "%d KiB, clean %d KiB" % (rss, base[3]))


def check_shrinks_while_read(retain, v, scratch, where, res):
    """A core truncated while retain reads it (issue 13: it once died of
    SIGBUS): retain is stopped as soon as the core shows in its mappings,
    the file is cut to its first 64 KiB, and retain resumes. It must end
    with the one-line error naming the change, or, if it had read all it
    needed before the cut, with its answer; never by a signal."""
    import signal
    import time
    core = os.path.join(scratch, "core")
    shutil.copyfile(v.core, core)
    p = subprocess.Popen([retain, "roots", "--json", "-n", "3", core, v.exe], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    caught = False
    deadline = time.time() + 30
    while p.poll() is None and time.time() < deadline:
        try:
            with open("/proc/%d/maps" % p.pid) as f:
                mapped = core in f.read()
        except OSError:
            break
        if mapped:
            os.kill(p.pid, signal.SIGSTOP)
            caught = True
            break
        time.sleep(0.0005)
    if caught:
        with open(core, "r+b") as f:
            f.truncate(64 << 10)
        os.kill(p.pid, signal.SIGCONT)
    try:
        out, err = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        res.fail(where, "a core cut while read: finishes within %d s" % TIMEOUT)
        return
    err = err.decode(errors="replace").strip()
    res.check(caught, where, "a core cut while read: retain was caught with the core mapped")
    res.check(p.returncode in (0, 1), where, "a core cut while read: exit 0 or 1, not a signal",
              "exit %d: %s" % (p.returncode, err[-300:]))
    if p.returncode == 1:
        res.check(len(err.splitlines()) == 1 and "changed while it was read" in err, where,
                  "a core cut while read: the one-line error says so", repr(err[:300]))


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def run_one(retain, args, where, res):
    try:
        p = subprocess.run([retain] + args, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        res.fail(where, "finishes within %d s" % TIMEOUT, " ".join(args))
        return
    err = p.stderr.decode(errors="replace")
    res.check(not any(m in err for m in SANITIZER_MARKS), where, "no sanitizer report",
              err[:1500])
    res.check(p.returncode in (0, 1), where, "exit 0 or 1",
              "exit %d: %s" % (p.returncode, err.strip()[:400]))
    if p.returncode == 1:
        lines = err.splitlines()
        res.check(len(lines) == 1 and err.startswith("retain "), where,
                  "the error is one line starting 'retain '", repr(err[:400]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", required=True)
    ap.add_argument("--go", required=True, help="one toolchain version, e.g. 1.22")
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=None, help="replay one run")
    a = ap.parse_args()
    retain = os.path.abspath(a.retain)
    if not os.path.exists("/usr/lib/go-%s/bin/go" % a.go):
        print("go %s not installed: skipped" % a.go)
        return 77
    res = sc.Results()
    work = os.path.abspath(a.work)
    v = cc.Variant(work, a.go, False, False)
    method = sc.core_method()
    if not cc.build_and_run(v, work, res, False, False, method):
        print("%d passed, %d failed" % (res.passed, res.failed))
        return 1
    where = "go%s/corecorrupt" % a.go
    run_one(retain, ["roots", "--json", "-n", "5", v.core, v.exe], where + "/clean", res)
    segs = load_segments(v.core)
    pcln = section(v.exe, ".gopclntab") or section(v.exe, ".data.rel.ro.gopclntab")
    res.check(bool(segs), where, "core has PT_LOAD segments")
    scratch = os.path.join(work, a.go, "corecorrupt")
    os.makedirs(scratch, exist_ok=True)
    if a.seed is None:
        check_goroutine_damage(retain, v, scratch, where + "/goroutines", res)
        check_span_damage(retain, v, scratch, where + "/spans", res)
        check_shrinks_while_read(retain, v, scratch, where + "/shrinks", res)
    seeds = [a.seed] if a.seed is not None else range(a.runs)
    for seed in seeds:
        rnd = random.Random(seed)
        core = os.path.join(scratch, "core")
        exe = os.path.join(scratch, "prog")
        shutil.copyfile(v.core, core)
        shutil.copyfile(v.exe, exe)
        os.chmod(exe, 0o755)
        picks = [rnd.choice(segs) for _ in range(6)]
        scribble(core, picks, 8, rnd)
        if seed % 4 == 3 and pcln:
            scribble(exe, [pcln], 16, rnd)
        before = (sha(core), sha(exe))
        w = "%s/seed %d" % (where, seed)
        run_one(retain, ["roots", "--json", "-n", "5", core, exe], w + " roots", res)
        run_one(retain, ["top", "--by", "site", "-n", "5", core, exe], w + " top", res)
        res.check((sha(core), sha(exe)) == before, w, "inputs unchanged")
    shutil.rmtree(scratch, ignore_errors=True)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())

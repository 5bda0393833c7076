#!/usr/bin/env python3
"""Cross-check: the same moment of one Go process seen twice, as a heap dump
and as an ELF core, must give the same heap.

tests/go/crosscheck builds a varied heap (pointerful and noscan objects of
every size class, malloc-header objects of 513 B .. 32 KiB on Go 1.22+, large
objects with and without pointers, arrays of pointers, maps, interfaces,
closures, a channel, a linked list, and some garbage), writes a heap dump with
the GC stopped, and kills itself with SIGABRT without allocating in between
(tests/go/internal/truth: DumpThenCore), so the kernel's core shows the heap
of the dump. Where /proc/sys/kernel/core_pattern does not write cores into
the working directory, the program waits and gdb's gcore takes the core.

Checks, per Go version (and build variant: --pie builds -buildmode=pie,
--cgo builds with CGO_ENABLED=1, which compiles the program's C function):
  - `retain objects --json DUMP EXE` and `retain objects --json CORE EXE`
    list the same objects: at least 99.9 % of the (base, size) pairs of
    each side are on the other (the rest is printed, at most 20 lines);
  - the objects on both sides have the same allocating function (every
    allocation is sampled) for at least 99.9 % of them;
  - for the objects on both sides the reachable flags agree for at least
    99 % of them, and every disagreement is the core reaching an object
    through a conservative root (the frame the signal stopped, registers):
    goroutine stacks are otherwise unwound and scanned with stack maps;
  - edges, through `retain why --json`: for 20 objects (random, seeded)
    reachable on both sides, the core finds the same slot; when the dump's
    shortest path starts at a global, the core's has the same length, or
    is shorter and starts at a conservative stack root that a dead frame
    slot in the dump explains; when it starts at a stack, the core's is
    not longer;
  - stripped: the core read with `objcopy --strip-all` of the executable
    and no debug file gives the same objects (size, reachable, allocating
    function) and finds the runtime's globals where .symtab says;
  - stacks, through `retain roots --json -n 0 CORE EXE`: the core has
    stack roots only of goroutines the dump shows (and overview counts as
    many goroutines on both sides), and each scan
    starts (the root's address) at or above the lowest frame sp the dump
    shows for that goroutine: memory below a goroutine's stack pointer is
    dead, not a root.

    python3 tests/crosscheck.py --retain build/retain --go 1.22 --work /tmp/x
    python3 tests/crosscheck.py --retain build/retain --go 1.26 --work /tmp/x --pie
    python3 tests/crosscheck.py --retain build/retain --go all --work /tmp/x --cgo

Outputs are reused while newer than the sources and the executable (--force
reruns; --clean deletes the dump and core once checked). Output: one line per failed check, informational lines starting
with "  ", then exactly one line "N passed, M failed"; exit status 1 if
anything failed. Python 3 standard library only.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scenarios as sc  # noqa: E402  (shares build, core capture and checks)

PROGRAM = "crosscheck"
SET_AGREEMENT = 0.999
REACHABLE_AGREEMENT = 0.99
WHY_SAMPLES = 20
SITE_AGREEMENT = 0.999
MAX_LINES = 20


class Variant:
    """Paths and build settings of one (toolchain, build variant)."""

    def __init__(self, work, ver, pie, cgo):
        self.ver, self.pie, self.cgo = ver, pie, cgo
        name = "-".join([x for x, on in (("pie", pie), ("cgo", cgo)) if on]) or "default"
        self.dir = os.path.join(work, ver, "crosscheck-" + name)
        self.exe = os.path.join(self.dir, "prog")
        self.dump = os.path.join(self.dir, "heap.dump")
        self.core = os.path.join(self.dir, "heap.core")
        self.where = "go%s/crosscheck/%s" % (ver, name)


def build_and_run(v, work, res, dry, force, method):
    """Builds v.exe and runs it for v.dump and v.core unless they are up to
    date. Returns True when both exist."""
    env = sc.go_env(work)
    env["CGO_ENABLED"] = "1" if v.cgo else "0"
    go = "/usr/lib/go-%s/bin/go" % v.ver
    build = [go, "build"] + (["-buildmode=pie"] if v.pie else []) + ["-o", v.exe, "./" + PROGRAM]
    run = [v.exe, v.dump]
    if dry:
        sc.show(build, sc.GO_SRC, env)
        sc.show(sc.core_run_command(run, v.core, method), v.dir)
        return True
    if not os.path.exists(go):
        res.fail(v.where, "toolchain", go + " not found")
        return False
    os.makedirs(v.dir, exist_ok=True)
    if force or sc.mtime(v.exe) < sc.newest_source_mtime(PROGRAM):
        p = subprocess.run(build, cwd=sc.GO_SRC, env=env, capture_output=True, text=True)
        if not res.check(p.returncode == 0, v.where, "go build",
                         (p.stderr or p.stdout).strip()[-2000:]):
            return False
    else:
        res.check(True, v.where, "go build (up to date)")
    if force or min(sc.mtime(v.dump), sc.mtime(v.core)) < sc.mtime(v.exe):
        for p in (v.dump, v.core):
            if os.path.exists(p):
                os.remove(p)
        ok, detail = sc.run_with_core(run, v.dir, v.core, method)
        if not res.check(ok, v.where, "run program (dump, then core via %s)" % method, detail):
            return False
    else:
        res.check(True, v.where, "run program (up to date)")
    with open(v.dump, "rb") as f:
        magic = f.read(len(sc.DUMP_MAGIC))
    ok = res.check(magic == sc.DUMP_MAGIC, v.where, "dump header", repr(magic))
    return res.check(sc.is_core(v.core), v.where, "core is an ELF core") and ok


def objects(retain, path, exe, where, res, dry):
    """{base: row} from `retain objects --json`, or None."""
    out = sc.run_retain(retain, ["objects", "--json", path, exe], where, "objects", res, dry)
    if out is None:
        return None
    rows = out.get("objects") if isinstance(out, dict) else None
    if not res.check(isinstance(rows, list) and all(isinstance(r, dict) for r in rows),
                     where, "objects output shape", json.dumps(out)[:300]):
        return None
    by = {}
    for r in rows:
        b = sc.parse_addr(r.get("base"))
        if b is None or not isinstance(r.get("size"), int):
            res.fail(where, "objects row has base and size", json.dumps(r)[:200])
            return None
        by[b] = r
    res.check(len(by) == len(rows), where, "objects: bases distinct",
              "%d rows, %d distinct bases" % (len(rows), len(by)))
    return by


def describe(r):
    extra = ", ".join("%s %s" % (k, r[k]) for k in ("type", "site") if r.get(k))
    return "%s size %d%s" % (r.get("base"), r.get("size"), (" (" + extra + ")") if extra else "")


def print_limited(lines, total=None):
    for ln in lines[:MAX_LINES]:
        print("  " + ln)
    n = len(lines) if total is None else total
    if n > MAX_LINES:
        print("  ... and %d more" % (n - MAX_LINES))


def compare_sets(v, dump, core, res):
    """The (base, size) sets; returns the bases on both sides."""
    dset = {(b, r["size"]) for b, r in dump.items()}
    cset = {(b, r["size"]) for b, r in core.items()}
    both = dset & cset
    only_d = sorted(dset - cset)
    only_c = sorted(cset - dset)
    dbytes = sum(s for _, s in dset)
    cbytes = sum(s for _, s in cset)
    print("  %s: dump %d objects (%d bytes), core %d objects (%d bytes), %d on both; "
          "only in dump %d, only in core %d" % (v.where, len(dset), dbytes, len(cset), cbytes,
                                                len(both), len(only_d), len(only_c)))
    lines = []
    for b, s in sorted(only_d + only_c):
        side, other = ("dump", core) if (b, s) in dset else ("core", dump)
        r = (dump if side == "dump" else core)[b]
        o = other.get(b)
        lines.append("only in %s: %s%s" % (side, describe(r),
                                            "; other side has size %d" % o["size"] if o else ""))
    print_limited(lines)
    for side, n, tot in (("dump", len(both), len(dset)), ("core", len(both), len(cset))):
        share = n / tot if tot else 0.0
        res.check(tot > 0 and share >= SET_AGREEMENT, v.where,
                  "objects of the %s also in the other (>= %.1f %%)" % (side, 100 * SET_AGREEMENT),
                  "%d of %d = %.3f %%" % (n, tot, 100 * share))
    return sorted(b for b, _ in both)


def compare_sites(v, dump, core, both, res):
    """Allocating functions: the program samples every allocation, so the
    dump's alloc samples and the core's profile specials must name the same
    site for (nearly) every common object.  (The dump names physical
    functions, the core logical ones: they differ only where the allocating
    function was inlined, which the test program avoids.)"""
    sampled = [b for b in both if dump[b].get("site")]
    same = [b for b in sampled if core[b].get("site") == dump[b].get("site")]
    print("  %s: sites: %d common objects, %d with a site in the dump, %d the same in the core" % (
        v.where, len(both), len(sampled), len(same)))
    diff = sorted(set(sampled) - set(same))
    print_limited(["site differs: dump %s, core %s" % (describe(dump[b]), describe(core[b]))
                   for b in diff], len(diff))
    share = len(same) / len(sampled) if sampled else 0.0
    res.check(len(sampled) >= 0.9 * len(both), v.where, "dump: most objects have a site",
              "%d of %d" % (len(sampled), len(both)))
    res.check(share >= SITE_AGREEMENT, v.where,
              "core: same allocating function as the dump (>= %.1f %%)" % (100 * SITE_AGREEMENT),
              "%d of %d = %.3f %%" % (len(same), len(sampled), 100 * share))


def compare_reachable(retain, v, dump, core, both, res, dead):
    """Reachable flags of the objects on both sides."""
    diff = [b for b in both if dump[b].get("reachable") is not core[b].get("reachable")]
    bad = [b for b in both if not isinstance(dump[b].get("reachable"), bool)
           or not isinstance(core[b].get("reachable"), bool)]
    res.check(not bad, v.where, "objects: reachable is a boolean on both sides",
              "%d rows, first %s" % (len(bad), bad and hex(bad[0])))
    agree = len(both) - len(diff)
    share = agree / len(both) if both else 0.0
    nd = sum(1 for b in both if dump[b].get("reachable") is True)
    nc = sum(1 for b in both if core[b].get("reachable") is True)
    print("  %s: reachable on both sides' common objects: dump %d, core %d; %d disagree" % (
        v.where, nd, nc, len(diff)))
    # Stacks of a core are scanned precisely except the frame the signal
    # stopped and the registers: only a root marked conservative may reach
    # an object the dump does not; the core missing one the dump reaches is
    # always wrong.
    lines, unexplained = [], []
    for b in diff[:MAX_LINES]:
        why = ""
        if core[b].get("reachable") is True:
            path = core_first_path(retain, v, b)
            root = (path or {}).get("root") or {}
            if root.get("conservative") is True:
                why = "; the core's first root is conservative (%s)" % json.dumps(root)
            else:
                slot = dead.leads_to(None, b, None) if dead else None
                why = "; UNEXPLAINED: %s%s" % (describe_core_path(path, dead),
                                               "; the dump's dead frame slot %s reaches it" % slot
                                               if slot else "")
                unexplained.append(hex(b))
        else:
            unexplained.append(hex(b))
        lines.append("reachable %s in dump, %s in core: %s%s" % (
            dump[b].get("reachable"), core[b].get("reachable"), describe(dump[b]), why))
    print_limited(lines, len(diff))
    res.check(both and share >= REACHABLE_AGREEMENT, v.where,
              "reachable flags agree (>= %.0f %%)" % (100 * REACHABLE_AGREEMENT),
              "%d of %d = %.3f %%" % (agree, len(both), 100 * share))
    res.check(not unexplained, v.where,
              "every disagreement is the core reaching more through a conservative root",
              "%d unexplained (of the first %d): %s" % (len(unexplained), MAX_LINES,
                                                        ", ".join(unexplained[:5])))


def core_first_path(retain, v, b):
    """The core's first path to b ({"root": ..., "hops": [...]}), or None."""
    out = sc.run_retain(retain, ["why", "--json", hex(b), v.core, v.exe], v.where,
                        "why core %s" % hex(b), sc.Results(), False)
    paths = out.get("paths") if isinstance(out, dict) else None
    if not paths or not isinstance(paths[0], dict):
        return None
    return paths[0]


def core_scan_note(dead, root):
    """Where a conservative stack root's scan starts, when that is below the
    lowest frame the dump shows for its goroutine (dead stack memory)."""
    low = dead.lowest_sp(root.get("goroutine")) if dead else None
    scan = sc.parse_addr(root.get("address"))
    if low is None or scan is None or scan >= low:
        return ""
    return "; the core's scan of goroutine %s starts at %s, %d bytes below the lowest " \
        "frame the dump shows (sp %s)" % (root.get("goroutine"), hex(scan), low - scan, hex(low))


def describe_core_path(path, dead):
    """The core's first path (core_first_path) in words, for a reach the
    dump's frames do not explain."""
    if path is None:
        return "no path in the core"
    root = path.get("root") or {}
    return "the core's path: %s root %s, %d hops%s" % (
        root.get("kind"), root.get("name") or "goroutine %s" % root.get("goroutine"),
        len(path.get("hops") or []), core_scan_note(dead, root))


def compare_paths(retain, v, dump, core, both, res, dry, dead):
    """`why --json` on WHY_SAMPLES objects reachable on both sides."""
    cands = [b for b in both if dump[b].get("reachable") is True and
             core[b].get("reachable") is True]
    rnd = random.Random(1)
    sample = sorted(rnd.sample(cands, min(WHY_SAMPLES, len(cands)))) if cands else []
    lines, fails = [], 0
    for b in sample:
        where = "%s/why %s" % (v.where, hex(b))
        outs = []
        for path in (v.dump, v.core):
            out = sc.run_retain(retain, ["why", "--json", hex(b), path, v.exe], where,
                                "why " + ("dump" if path == v.dump else "core"), res, dry)
            outs.append(out if isinstance(out, dict) else None)
        if None in outs:
            continue
        (od, oc), info = outs, []
        for k in ("base", "size"):
            res.check((od.get("object") or {}).get(k) == (oc.get("object") or {}).get(k),
                      where, "why: same object.%s" % k, "dump %r, core %r" % (
                          (od.get("object") or {}).get(k), (oc.get("object") or {}).get(k)))
        pd, pc = (od.get("paths") or [None])[0], (oc.get("paths") or [None])[0]
        if not res.check(isinstance(pd, dict) and isinstance(pc, dict), where,
                         "why: a path on both sides"):
            continue
        rd, rc = pd.get("root") or {}, pc.get("root") or {}
        hd, hc = len(pd.get("hops") or []), len(pc.get("hops") or [])
        desc = "dump %s %s %d hops, core %s %s %d hops" % (
            rd.get("kind"), rd.get("name") or "goroutine %s" % rd.get("goroutine"), hd,
            rc.get("kind"), rc.get("name") or "goroutine %s" % rc.get("goroutine"), hc)
        if rd.get("kind") == "global":
            if hc < hd and rc.get("kind") == "stack" and rc.get("conservative") is True:
                slot = dead.leads_to(rc.get("goroutine"), b, hc - 1) if dead else None
                if slot:
                    info.append("shorter via a conservative stack root: %s; the dump's dead "
                                "frame slot %s leads there" % (desc, slot))
                    res.check(True, where, "why: path length from globals")
                else:
                    ok = res.check(False, where, "why: path length from globals equal",
                                   "%s; no frame slot in the dump leads there%s" % (
                                       desc, core_scan_note(dead, rc)))
                    fails += not ok
            else:
                ok = res.check(hc == hd and rc.get("kind") == "global", where,
                               "why: path length from globals equal", desc)
                fails += not ok
        elif rd.get("kind") == "stack":
            ok = res.check(hc <= hd, where, "why: core path from a stack not longer", desc)
            fails += not ok
        else:
            info.append("dump root %s: " % rd.get("kind") + desc)
        lines += ["%s: %s" % (hex(b), x) for x in info]
    print("  %s: why on %d objects reachable on both sides, %d path mismatches" % (
        v.where, len(sample), fails))
    print_limited(lines)


def overview(retain, v, res, dry):
    """Prints what overview says of both inputs (informational, but both
    must load)."""
    got = {}
    for path, side in ((v.dump, "dump"), (v.core, "core")):
        out = sc.run_retain(retain, ["overview", "--json", path, v.exe], v.where,
                            "overview " + side, res, dry)
        if isinstance(out, dict):
            got[side] = out
            print("  %s: %s overview: %s objects, %s bytes, %s edges, %s reachable objects, "
                  "roots %s, %s goroutines, %s threads%s" % (
                      v.where, side, out.get("objects"), out.get("bytes"), out.get("edges"),
                      out.get("reachable_objects"), json.dumps(out.get("roots")),
                      out.get("goroutines"), out.get("threads"),
                      "; warnings %s" % out["warnings"] if out.get("warnings") else ""))
    if len(got) == 2:
        res.check(got["dump"].get("go_version") == got["core"].get("go_version"), v.where,
                  "overview: same go_version", "dump %r, core %r" % (
                      got["dump"].get("go_version"), got["core"].get("go_version")))
        res.check(got["dump"].get("goroutines") == got["core"].get("goroutines"), v.where,
                  "overview: same number of goroutines", "dump %r, core %r" % (
                      got["dump"].get("goroutines"), got["core"].get("goroutines")))


# A goroutine in a system call is scanned from g.syscallsp, which
# entersyscall saves a few words below the lowest frame a heap dump lists;
# scanning from stack.lo instead (the bug this guards against) would start
# kilobytes lower.
SYSCALL_SP_SLACK = 256


def compare_stacks(retain, v, res, dry, dead):
    """The goroutines whose stacks the core scans are those the dump shows,
    and each scan starts within the goroutine's frames: at or above the
    lowest frame sp the dump shows (the crashing goroutine's frames at the
    core are shallower than the heap dump writer's were)."""
    out = sc.run_retain(retain, ["roots", "--json", "-n", "0", v.core, v.exe], v.where + "/core",
                        "roots", res, dry)
    rows = out.get("roots") if isinstance(out, dict) else None
    if dry or not isinstance(rows, list) or dead is None:
        return
    scans = {}
    for r in rows:
        # (registers a signal saved, and a parked closure context, are
        # goroutine roots that do not live in the stack)
        if isinstance(r, dict) and r.get("kind") == "stack" and r.get("variable") not in (
                "(registers at the signal)", "(closure context)"):
            scans.setdefault(r.get("goroutine"), []).append(sc.parse_addr(r.get("address")))
    low = {}
    for fr in dead.d.frames:
        low[fr["goid"]] = min(low.get(fr["goid"], fr["sp"]), fr["sp"])
    # (A stack without a word that points into the heap is no root, so the
    # core may list fewer goroutines; overview compares the counts.)
    res.check(set(scans) <= set(low), v.where, "core: stack roots only of the dump's goroutines",
              "goroutines %s are not in the dump" % sorted(set(scans) - set(low)))
    bad = ["goroutine %s: scan starts at %s, %d bytes below the lowest frame the dump shows "
           "(sp %s)" % (g, hex(a), low[g] - a, hex(low[g]))
           for g in sorted(set(scans) & set(low)) for a in scans[g]
           if a is None or a < low[g] - SYSCALL_SP_SLACK]
    res.check(not bad, v.where, "core: stack scans start within the goroutines' frames",
              "; ".join(bad))


def compare_stripped(retain, v, core, res):
    """The core read with the executable stripped of DWARF and symbols
    (objcopy --strip-all) and no debug file: every object with the same
    size, reachability and allocating function, and the runtime's globals
    found from the code where the symbol table puts them."""
    where = v.where + "/stripped"
    bare = v.exe + ".bare"
    p = subprocess.run(["objcopy", "--strip-all", v.exe, bare], capture_output=True, text=True)
    if not res.check(p.returncode == 0, where, "objcopy --strip-all", p.stderr[-300:]):
        return
    env = dict(os.environ)
    env.pop("RETAIN_DEBUG_PATH", None)
    q = subprocess.run([retain, "objects", "--json", v.core, bare], capture_output=True, text=True, env=env)
    try:
        rows = json.loads(q.stdout).get("objects")
    except (ValueError, AttributeError):
        rows = None
    if not res.check(q.returncode == 0 and isinstance(rows, list), where, "objects without DWARF",
                     "exit %d: %s" % (q.returncode, q.stderr[-300:])):
        return
    key = lambda r: (r.get("size"), r.get("reachable"), json.dumps(r.get("site")))
    got = {sc.parse_addr(r.get("base")): key(r) for r in rows}
    want = {b: key(r) for b, r in core.items()}
    bad = [hex(b) for b in want if got.get(b) != want[b]][:5]
    res.check(len(got) == len(want) and not bad, where,
              "without DWARF: the same objects, sizes, reachability and allocating functions",
              "%d vs %d objects; differ at %s" % (len(got), len(want), bad))
    # types from the runtime's descriptors (malloc headers, interface
    # values) agree with DWARF's where both have one; descriptors name a
    # type's package by its name, DWARF by its path ("token.Position",
    # "go/token.Position"), and a map bucket differently
    norm = lambda t: re.sub(r"[\w./-]*/(\w+\.)", r"\1", t).replace("noalg.", "")
    # (16-byte blocks are left out: the tiny allocator packs small values
    # of several types into one, and which of them names the block depends
    # on which pointers were typed first, not on what is right)
    full_t = {b: r.get("type") for b, r in core.items()}
    bare_t = {sc.parse_addr(r.get("base")): r.get("type") for r in rows if (r.get("size") or 0) > 16}
    both = [b for b, t in bare_t.items() if t and full_t.get(b)]
    agree = [b for b in both if norm(bare_t[b]) == norm(full_t[b]) or "bucket" in full_t[b]]
    res.check(not both or len(agree) >= 0.97 * len(both), where,
              "without DWARF: types agree with DWARF's where both have one (>= 97 %)",
              "%d of %d; e.g. %s" % (len(agree), len(both),
                                     [(full_t[b], bare_t[b]) for b in both if b not in set(agree)][:4]))
    q = subprocess.run([retain, "overview", "--json", v.core, bare], capture_output=True, text=True, env=env)
    try:
        g = json.loads(q.stdout).get("runtime_globals") or {}
    except (ValueError, AttributeError):
        g = {}
    wrong = sc.globals_wrong(g, v.exe)
    res.check(g.get("found_by") == "code" and g.get("runtime.mheap_") and not wrong, where,
              "without symbols: the runtime's globals at the symbol table's addresses",
              "found by %r; wrong %r" % (g.get("found_by"), wrong))
    os.remove(bare)


def crosscheck(retain, v, res, dry):
    overview(retain, v, res, dry)
    dump = objects(retain, v.dump, v.exe, v.where + "/dump", res, dry)
    core = objects(retain, v.core, v.exe, v.where + "/core", res, dry)
    if dry:
        for path in (v.dump, v.core):
            sc.show([retain, "why", "--json", "<base of a sampled object>", path, v.exe])
        compare_stacks(retain, v, res, dry, None)
        return
    if dump is None or core is None:
        return
    both = compare_sets(v, dump, core, res)
    compare_sites(v, dump, core, both, res)
    dead = sc.dead_stack_view(v)
    if dead is None:
        print("  %s: cannot read the dump independently (scenarios.Dump)" % v.where)
    compare_reachable(retain, v, dump, core, both, res, dead)
    compare_paths(retain, v, dump, core, both, res, dry, dead)
    compare_stacks(retain, v, res, dry, dead)
    compare_stripped(retain, v, core, res)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", required=True, help="path to the retain executable")
    ap.add_argument("--go", default="all",
                    help="toolchain version(s): 1.22, 1.19,1.24 or all (default)")
    ap.add_argument("--work", required=True, help="directory for builds, dumps, cores")
    ap.add_argument("--pie", action="store_true", help="build with -buildmode=pie")
    ap.add_argument("--cgo", action="store_true",
                    help="build with CGO_ENABLED=1 (the program's C function is compiled in)")
    ap.add_argument("--core-method", choices=("auto", "kernel", "gcore"), default="auto",
                    help="how to take the core (default: kernel unless core_pattern sends "
                         "cores elsewhere)")
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    ap.add_argument("--force", action="store_true", help="rebuild and rerun even if up to date")
    ap.add_argument("--clean", action="store_true",
                    help="delete the dump and the core once checked (saves ~70 MB of disk "
                         "per build; the next run then reruns the program)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print passing checks too")
    a = ap.parse_args()

    versions = sc.installed_versions() if a.go == "all" else a.go.split(",")
    work = os.path.abspath(a.work)
    retain = os.path.abspath(a.retain)
    method = sc.core_method() if a.core_method == "auto" else a.core_method
    res = sc.Results(a.verbose)
    for ver in versions:
        t0 = time.time()
        v = Variant(work, ver, a.pie, a.cgo)
        if build_and_run(v, work, res, a.dry_run, a.force, method):
            crosscheck(retain, v, res, a.dry_run)
        if a.clean and not a.dry_run:
            for p in (v.dump, v.core):
                if os.path.exists(p):
                    os.remove(p)
        if not a.dry_run:
            print("  %s: %.1fs" % (v.where, time.time() - t0), flush=True)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())

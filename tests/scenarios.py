#!/usr/bin/env python3
"""End-to-end scenario tests: real Go programs, real heap dumps, `retain why`.

Each directory tests/go/<scenario>/ holds a Go program that builds one
retention situation, records its own truth (tests/go/internal/truth) and
writes a heap dump. For every Go toolchain asked for, this script builds and
runs each program, then asks `retain why --json ADDRESS DUMP EXE` about every
truth item and compares the answer with the truth. `retain overview`, `top`
and `objects` run once per dump.

Roots of kind finalizer or cleanup (tests/go/finalizer) are checked by kind
and name ("finalizer", "queued finalizer", "cleanup", "queued cleanup"), and
on cores also by the function of the closure (a dump does not name it). An
item with "reachable": false must be unreachable (`why` says reachable false
and shows no path, `objects` lists it unreachable) on the dump and the core;
one with "dump_unreachable": true (kept by a cleanup, which heap dumps do not
record) must be unreachable on the dump and reachable as the truth says on
the core.

Retention (the dominator tree) is checked the same way, from optional truth
fields: an item's retained_bytes / retained_objects / dominators /
nearest_dominator / top_dominator / dominated_by against `why --json`, its
all_roots against `why --all N`; the file's "retention" facts against `roots
--json -n 0` (globals, groups), `roots --by goroutine` and `top --retained
--by site`; its "chains" (linked lists) against `dominators --json --depth 3
--min-bytes 0`. For the scenarios in EXPORT_CHECKS the dominator tree is
exported (`export --format pprof`) and read back with that Go version's
`go tool pprof -top -cum -unit=B`: the cumulative bytes of "global NAME" and
"globals" must equal what `roots` says; `export --format dot` must be a graph.

    python3 tests/scenarios.py --retain build/retain --go 1.22 --work /tmp/w
    python3 tests/scenarios.py --retain build/retain --go all --work /tmp/w -s list
    python3 tests/scenarios.py --go all --work /tmp/w --self-check   # no retain
    python3 tests/scenarios.py --retain R --go all --work /tmp/w --dry-run

Cores: each program also leaves an ELF core of the same moment (the truth
helper SIGABRTs the program right after the heap dump, GC off, nothing
allocated in between; GOTRACEBACK=crash and an unlimited core size limit; where
/proc/sys/kernel/core_pattern does not write into the working directory the
program waits instead and gdb's gcore takes the core). On the core, `retain
why --json ADDRESS CORE EXE` must find every truth item at its slot (base,
size), reachable, with the truth's allocating function (from the core's
memory-profile records); items held by a global must come with the same root
(kind global, name) and path length as on the dump; items held by a stack
with a precise (not conservative) root of the same goroutine, function and,
where the truth names it, DWARF variable, and the truth's path length.
`objects --json CORE` must list every item as reachable, `overview` must show
the program's MemProfileRate, and the truth's retention facts on single
globals (by "variable") must hold on `roots --json -n 0 CORE EXE`. A path or
retention that only a dead stack slot explains (a conservative scan where
there should be none) fails, naming the slot the heap dump shows.
--no-core skips all of this.

--self-check verifies the truth files themselves with a small independent
heap-dump reader (below): slot base and size, allocation site, shortest path
length and first root(s), and retention by its definition (what becomes
unreachable when an object or root is taken away) — useful to tell a wrong
truth from a wrong `retain`.

Output: one line per failed check, then exactly one line "N passed, M failed".
Exit status 1 if anything failed. Python 3 standard library only.
"""

import argparse
import bisect
import glob
import hashlib
import json
import os
import re
import resource
import select
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections import deque

import same_answers

HERE = os.path.dirname(os.path.abspath(__file__))
GO_SRC = os.path.join(HERE, "go")
SHARED_SRC = [os.path.join(GO_SRC, "go.mod"), os.path.join(GO_SRC, "internal")]
DUMP_MAGIC = b"go1.7 heap dump\n"
ROOT_KIND_ORDER = ["global", "stack", "finalizer", "cleanup", "other", "runtime"]
RETAIN_TIMEOUT = 600
RUN_TIMEOUT = 120
CORE_ENV = "RETAIN_TEST_CORE"   # see tests/go/internal/truth: FinishFacts
SNAPSHOT_ENV = "RETAIN_TEST_SNAPSHOTS"  # truth.Snapshot


# ---------------------------------------------------------------- results

class Results:
    """Counts checks; prints one line per failure as it happens."""

    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def check(self, ok, where, what, detail=""):
        if ok:
            self.passed += 1
            if self.verbose:
                print("ok   %s: %s" % (where, what))
        else:
            self.failed += 1
            print("FAIL %s: %s%s" % (where, what, (" — " + detail) if detail else ""),
                  flush=True)
        return ok

    def fail(self, where, what, detail=""):
        return self.check(False, where, what, detail)


# ---------------------------------------------------------------- toolchains, scenarios

def version_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def installed_versions():
    vs = []
    for go in glob.glob("/usr/lib/go-*/bin/go"):
        vs.append(go.split("/usr/lib/go-")[1].split("/")[0])
    return sorted(vs, key=version_key)


def all_scenarios():
    """Directories of tests/go whose main.go records a truth. (Other Go
    programs there, e.g. profile generators with their own go.mod, or the
    crosscheck* programs of tests/crosscheck.py, are not scenarios.)"""
    out = []
    for d in sorted(os.listdir(GO_SRC)):
        if d.startswith("crosscheck"):
            continue
        main_go = os.path.join(GO_SRC, d, "main.go")
        if os.path.isfile(main_go) and not os.path.exists(os.path.join(GO_SRC, d, "go.mod")):
            with open(main_go, encoding="utf-8") as f:
                if '"retaintest/internal/truth"' in f.read():
                    out.append(d)
    return out


def newest_source_mtime(scn):
    newest = 0.0
    for top in [os.path.join(GO_SRC, scn)] + SHARED_SRC:
        paths = [top] if os.path.isfile(top) else [
            os.path.join(dp, f) for dp, _, fs in os.walk(top) for f in fs]
        for p in paths:
            if p.endswith((".go", ".mod")):
                newest = max(newest, os.path.getmtime(p))
    return newest


def mtime(p):
    try:
        return os.path.getmtime(p)
    except OSError:
        return -1.0


def go_env(work):
    env = dict(os.environ)
    env.update({
        "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOPROXY": "off",
        "GOCACHE": os.path.join(work, "gocache"), "GOPATH": os.path.join(work, "gopath"),
        "CGO_ENABLED": "0",
    })
    env.pop("GOROOT", None)
    env.pop("GOEXPERIMENT", None)
    return env


ENV_SHOWN = ("GOFLAGS", "GOTOOLCHAIN", "GOPROXY", "GOCACHE", "GOPATH", "CGO_ENABLED")


def show(cmd, cwd=None, env=None):
    parts = []
    if cwd:
        parts.append("cd %s &&" % shlex.quote(cwd))
    if env:
        parts += ["%s=%s" % (k, shlex.quote(env[k])) for k in ENV_SHOWN]
    parts += [shlex.quote(c) for c in cmd]
    print("+ " + " ".join(parts), flush=True)


class Run:
    """Paths of one (toolchain, scenario) pair."""

    def __init__(self, work, ver, scn):
        self.ver, self.scn = ver, scn
        self.dir = os.path.join(work, ver, scn)
        self.exe = os.path.join(self.dir, "prog")
        self.dump = os.path.join(self.dir, "heap.dump")
        self.truth = os.path.join(self.dir, "truth.json")
        self.core = os.path.join(self.dir, "heap.core")
        self.where = "go%s/%s" % (ver, scn)


# ---------------------------------------------------------------- core capture

def core_method():
    """How to get a core of a test program: "kernel" when the kernel writes
    it into the working directory (core_pattern a plain file name), else
    "gcore" (gdb takes the core of the live, paused process)."""
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            pat = f.read().strip()
    except OSError:
        return "gcore"
    if not pat or pat.startswith("|") or "/" in pat or re.search(r"%[^p]", pat):
        return "gcore"
    return "kernel"


def kernel_core_name(pid):
    """The file name the kernel gives the core of process pid (core_pattern
    is a plain name, see core_method)."""
    with open("/proc/sys/kernel/core_pattern") as f:
        pat = f.read().strip()
    name = pat.replace("%p", str(pid))
    try:
        with open("/proc/sys/kernel/core_uses_pid") as f:
            uses_pid = f.read().strip() == "1"
    except OSError:
        uses_pid = False
    if uses_pid and "%p" not in pat:
        name += ".%d" % pid
    return name


def unlimited_core():
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def is_core(path):
    """True if path is an ELF core file (ET_CORE)."""
    try:
        with open(path, "rb") as f:
            h = f.read(18)
    except OSError:
        return False
    return len(h) == 18 and h[:4] == b"\x7fELF" and struct.unpack_from("<H", h, 16)[0] == 4


def core_run_command(cmd, core, method):
    """The shell commands that run_with_core performs, for --dry-run."""
    if method == "kernel":
        return ["sh", "-c", "ulimit -c unlimited; %s=1 GOTRACEBACK=crash %s; mv core %s" % (
            CORE_ENV, " ".join(shlex.quote(c) for c in cmd), shlex.quote(core))]
    return ["sh", "-c", "%s=pause %s & (wait for 'dumped' on its stdout); "
            "gdb -batch -ex 'gcore %s' -p $!; (close its stdin)" % (
                CORE_ENV, " ".join(shlex.quote(c) for c in cmd), core)]


def gcore(pid, path, timeout):
    """gdb's core of the live process pid at path: None, or what failed."""
    g = subprocess.run(["gdb", "-batch", "-nx", "-ex", "gcore " + path, "-p", str(pid)],
                       capture_output=True, text=True, timeout=timeout)
    if g.returncode != 0 or not is_core(path):
        return "gdb gcore: exit %d: %s" % (g.returncode, (g.stderr or g.stdout)[-2000:])
    sparsify(path)
    return None


def sparsify(path):
    """Turns the zero pages of a core into holes. gdb (and, on some hosts,
    the kernel) writes the Go runtime's never-touched PROT_NONE reservations
    as zeros: 1.2 GB on disk for a 3 MB heap, which filled a CI machine's
    disk. The bytes read back are the same."""
    if shutil.which("fallocate"):
        subprocess.run(["fallocate", "--dig-holes", path], capture_output=True)


def run_with_core(cmd, cwd, core, method, env=None, timeout=RUN_TIMEOUT):
    """Runs a test program (tests/go/internal/truth) so that it writes its
    heap dump and then leaves an ELF core of the same moment at path core.
    A program may also ask for cores in the middle of its run (truth.Snapshot
    prints "snapshot PATH" and waits): gdb's gcore takes them whatever the
    method. Returns (ok, detail)."""
    env = dict(os.environ if env is None else env)
    env["GOTRACEBACK"] = "crash"
    env[SNAPSHOT_ENV] = "pause"
    if os.path.exists(core):
        os.remove(core)
    if method == "kernel":
        env[CORE_ENV] = "1"
        if kernel_core_name(1) == kernel_core_name(2):
            # A fixed name ("core"): a stale one must not pass for ours.
            stale = os.path.join(cwd, kernel_core_name(1))
            if os.path.exists(stale):
                os.remove(stale)
    else:
        env[CORE_ENV] = "pause"
    try:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=unlimited_core if method == "kernel" else None)
    except OSError as e:
        return False, str(e)
    try:
        deadline = time.time() + timeout
        errbuf = b""  # stderr, drained as it comes: a crash's traceback of
        # thousands of goroutines would fill the pipe and block the program
        watch = [p.stdout, p.stderr]
        while True:
            line = b""
            while not line.endswith(b"\n"):
                left = deadline - time.time()
                ready = select.select(watch, [], [], left)[0] if left > 0 else []
                if not ready:
                    return False, "timed out after %ds (stdout so far %r)" % (timeout, line)
                if p.stderr in ready:
                    chunk = os.read(p.stderr.fileno(), 65536)
                    if not chunk:
                        watch = [p.stdout]
                    errbuf = (errbuf + chunk)[-65536:]
                    if p.stdout not in ready:
                        continue
                c = os.read(p.stdout.fileno(), 1)
                if not c:
                    break
                line += c
            if line.startswith(b"snapshot "):
                err = gcore(p.pid, os.path.join(cwd, line[9:].decode().strip()), timeout)
                if err:
                    return False, "a core in the middle of the run: " + err
                p.stdin.write(b"\n")
                p.stdin.flush()
                continue
            break
        if method == "kernel":
            err = (errbuf + p.communicate(timeout=max(1, deadline - time.time()))[1]).decode("utf-8", "replace")
            if p.returncode != -signal.SIGABRT:
                return False, "exit %d, want death by SIGABRT: %s" % (p.returncode, err.strip()[-2000:])
            written = os.path.join(cwd, kernel_core_name(p.pid))
            if not is_core(written):
                return False, "no core %s after SIGABRT (core size limit %s, core_pattern %r)" % (
                    written, resource.getrlimit(resource.RLIMIT_CORE),
                    open("/proc/sys/kernel/core_pattern").read().strip())
            os.replace(written, core)
            sparsify(core)
            return True, ""
        if line != b"dumped\n":
            p.wait(timeout=timeout)
            return False, "exit %s before the core, stdout %r: %s" % (
                p.returncode, line, (errbuf + p.stderr.read()).decode("utf-8", "replace")[-2000:])
        err = gcore(p.pid, core, timeout)
        return (False, err) if err else (True, "")
    except (OSError, subprocess.SubprocessError) as e:
        return False, str(e)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()


def build_and_run(r, work, res, dry, force, core=None):
    """Builds r.exe and runs it to get r.dump and r.truth (and r.core, when
    core names a capture method) unless they are newer than the sources.
    Returns the parsed truth, or None."""
    env = go_env(work)
    go = "/usr/lib/go-%s/bin/go" % r.ver
    # a GNU build id, as distributions give their binaries (what a separate
    # debug file is found and checked by)
    build_id = hashlib.sha1(("%s/%s" % (r.ver, r.scn)).encode()).hexdigest()
    build = [go, "build", "-ldflags=-B 0x" + build_id, "-o", r.exe, "./" + r.scn]
    run = [r.exe, r.dump, r.truth]
    if dry:
        show(build, GO_SRC, env)
        show(core_run_command(run, r.core, core) if core else run, r.dir if core else None)
        return load_truth(r.truth, r, None)
    if not os.path.exists(go):
        res.fail(r.where, "toolchain", go + " not found")
        return None
    os.makedirs(r.dir, exist_ok=True)
    src = newest_source_mtime(r.scn)
    if force or mtime(r.exe) < src:
        p = subprocess.run(build, cwd=GO_SRC, env=env, capture_output=True, text=True)
        if not res.check(p.returncode == 0, r.where, "go build",
                         (p.stderr or p.stdout).strip()[-2000:]):
            return None
    else:
        res.check(True, r.where, "go build (up to date)")
    outputs = [r.dump, r.truth] + ([r.core] if core else [])
    if force or min(mtime(p) for p in outputs) < mtime(r.exe):
        for p in outputs:
            if os.path.exists(p):
                os.remove(p)
        if core:
            ok, detail = run_with_core(run, r.dir, r.core, core)
        else:
            try:
                p = subprocess.run(run, cwd=r.dir, capture_output=True, text=True,
                                   timeout=RUN_TIMEOUT)
                ok, detail = p.returncode == 0, "exit %d: %s" % (
                    p.returncode, p.stderr.strip()[-2000:])
            except subprocess.TimeoutExpired:
                ok, detail = False, "timed out after %ds" % RUN_TIMEOUT
        if not res.check(ok, r.where, "run program" + (" (dump, then core via %s)" % core
                                                       if core else ""), detail):
            return None
    else:
        res.check(True, r.where, "run program (up to date)")
    with open(r.dump, "rb") as f:
        magic = f.read(len(DUMP_MAGIC))
    if not res.check(magic == DUMP_MAGIC, r.where, "dump header", repr(magic)):
        return None
    return load_truth(r.truth, r, res)


def parse_addr(s):
    if isinstance(s, int):
        return s
    if isinstance(s, str):
        try:
            return int(s, 16) if s.lower().startswith("0x") else int(s)
        except ValueError:
            return None
    return None


def truth_problems(t):
    """Returns a list of ways the truth file t is malformed."""
    bad = []
    if not isinstance(t, dict) or not isinstance(t.get("items"), list) or not t["items"]:
        return ["no items"]
    names = set()
    for it in t["items"]:
        n = it.get("name")
        if not isinstance(n, str) or n in names:
            bad.append("missing or duplicate name %r" % n)
        names.add(n)
        a, b, sz = parse_addr(it.get("address")), parse_addr(it.get("base")), it.get("size")
        if a is None or b is None or not isinstance(sz, int) or sz <= 0:
            bad.append("%s: bad address/base/size" % n)
        elif not b <= a < b + sz:
            bad.append("%s: address outside [base, base+size)" % n)
        kind = it.get("root_kind")
        if it.get("reachable", True) is not True:
            if it["reachable"] is not False or kind is not None or \
                    it.get("path_length") is not None:
                bad.append("%s: reachable must be false, with no root_kind/path_length" % n)
        elif kind == "global":
            if not isinstance(it.get("root_name"), str):
                bad.append("%s: global root without root_name" % n)
        elif kind == "stack":
            if not isinstance(it.get("root_function"), str) or not isinstance(it.get("goroutine"), int):
                bad.append("%s: stack root without root_function/goroutine" % n)
        elif kind in ("finalizer", "cleanup"):
            if not isinstance(it.get("root_name"), str):
                bad.append("%s: %s root without root_name" % (n, kind))
        else:
            bad.append("%s: root_kind %r" % (n, kind))
        if not isinstance(it.get("dump_unreachable", False), bool):
            bad.append("%s: bad dump_unreachable" % n)
        if not isinstance(it.get("alloc_function"), str):
            bad.append("%s: no alloc_function" % n)
        if is_reachable(it) and path_range(it.get("path_length")) is None:
            bad.append("%s: bad path_length" % n)
        for k in ("retained_bytes", "retained_objects", "dominators"):
            if k in it and not is_count(it[k]):
                bad.append("%s: bad %s" % (n, k))
        if is_count(it.get("dominators")) and it["dominators"] > 0:
            if parse_addr(it.get("nearest_dominator")) is None or \
                    parse_addr(it.get("top_dominator")) is None:
                bad.append("%s: dominators without nearest_dominator/top_dominator" % n)
        if "dominated_by" in it and not isinstance(it["dominated_by"], str):
            bad.append("%s: bad dominated_by" % n)
        ar = it.get("all_roots")
        if ar is not None and (not isinstance(ar, list) or not ar
                               or not all(isinstance(x, str) for x in ar)):
            bad.append("%s: bad all_roots" % n)
    for i, rt in enumerate(t.get("retention") or []):
        by = rt.get("by") if isinstance(rt, dict) else None
        if by not in ("variable", "goroutine", "group", "site"):
            bad.append("retention[%d]: by %r" % (i, by))
            continue
        if by == "goroutine":
            if not isinstance(rt.get("goroutine"), int):
                bad.append("retention[%d]: goroutine without id" % i)
        elif not isinstance(rt.get("name"), str):
            bad.append("retention[%d]: no name" % i)
        bounds = [rt.get(k) for k in ("min_bytes", "below_bytes", "min_objects")]
        if all(b is None for b in bounds) or not all(b is None or is_count(b) for b in bounds):
            bad.append("retention[%d]: bad or missing bounds" % i)
    for i, ch in enumerate(t.get("chains") or []):
        if not isinstance(ch, dict) or not isinstance(ch.get("under"), str) \
                or parse_addr(ch.get("start")) is None or parse_addr(ch.get("end")) is None \
                or not is_count(ch.get("min_hops")):
            bad.append("chains[%d]: malformed" % i)
    return bad


def is_count(x):
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def is_reachable(item, dump=False):
    """Whether a root reaches the truth item: in the process (and its
    core), or with dump=True in a heap dump, which records no cleanups."""
    if item.get("reachable", True) is False:
        return False
    return not (dump and item.get("dump_unreachable"))


def load_truth(path, r, res):
    try:
        with open(path) as f:
            t = json.load(f)
    except (OSError, ValueError) as e:
        if res:
            res.fail(r.where, "truth file", str(e))
        return None
    bad = truth_problems(t)
    if res and not res.check(not bad, r.where, "truth well-formed", "; ".join(bad)):
        return None
    return t


def path_range(pl):
    if isinstance(pl, int) and not isinstance(pl, bool):
        return (pl, pl)
    if isinstance(pl, dict) and isinstance(pl.get("min"), int) and isinstance(pl.get("max"), int):
        return (pl["min"], pl["max"])
    return None


# ---------------------------------------------------------------- retain

def run_retain(retain, args, where, what, res, dry):
    """Runs retain with args; returns parsed JSON or None (failure counted)."""
    cmd = [retain] + args
    if dry:
        show(cmd)
        return None
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=RETAIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        res.fail(where, what, "timed out after %ds: %s" % (RETAIN_TIMEOUT, " ".join(cmd)))
        return None
    except OSError as e:
        res.fail(where, what, "%s: %s" % (retain, e))
        return None
    err = p.stderr.decode("utf-8", "replace").strip()[-1000:]
    if not res.check(p.returncode == 0, where, what + " exit status",
                     "exit %d: %s" % (p.returncode, err)):
        return None
    try:
        out = json.loads(p.stdout)
    except ValueError as e:
        res.fail(where, what + " JSON", "%s; stdout starts %r" % (e, p.stdout[:200]))
        return None
    res.check(True, where, what + " JSON")
    return out


def same_addr(a, b):
    pa, pb = parse_addr(a), parse_addr(b)
    return pa is not None and pa == pb


def why_object(retain, r, path, item, where, res, dry):
    """`why --json ADDRESS INPUT EXE` for a truth item, with the checks of
    the object every input must pass: its slot (base, size) and its
    allocating function.  Returns (out, object), or None."""
    out = run_retain(retain, ["why", "--json", hex(parse_addr(item["address"])), path, r.exe],
                     where, "why", res, dry)
    if out is None:
        return None
    if not isinstance(out, dict) or not isinstance(out.get("object"), dict):
        res.fail(where, "why output shape", "no object: %s" % json.dumps(out)[:300])
        return None
    obj = out["object"]
    res.check(same_addr(obj.get("base"), item["base"]), where, "object.base",
              "got %s, want %s" % (obj.get("base"), item["base"]))
    res.check(obj.get("size") == item["size"], where, "object.size",
              "got %s, want %s" % (obj.get("size"), item["size"]))
    alloc = obj.get("alloc")
    got_fn = alloc.get("function") if isinstance(alloc, dict) else None
    if item["alloc_function"]:  # "": sampled at a rate, maybe not this one
        res.check(got_fn == item["alloc_function"], where, "object.alloc.function",
                  "got %r, want %r" % (got_fn, item["alloc_function"]))
    if item.get("type"):
        res.check(obj.get("type") == item["type"], where, "object.type",
                  "got %r, want %r" % (obj.get("type"), item["type"]))
    return out, obj


def check_why(retain, r, item, res, dry):
    where = "%s/%s" % (r.where, item["name"])
    got = why_object(retain, r, r.dump, item, where, res, dry)
    if got is None:
        return
    out, obj = got
    if not is_reachable(item, dump=True):
        check_unreachable(out, where, res, "" if is_reachable(item) else
                          " (heap dumps record no cleanups)")
        return
    if not res.check(out.get("reachable") is True, where, "reachable",
                     "got %r" % out.get("reachable")):
        return
    paths = out.get("paths")
    if not res.check(isinstance(paths, list) and paths and isinstance(paths[0], dict),
                     where, "paths[0] present", "paths = %s" % json.dumps(paths)[:200]):
        return
    root = paths[0].get("root") or {}
    hops = paths[0].get("hops") or []
    res.check(root.get("kind") == item["root_kind"], where, "root.kind",
              "got %r, want %r (root %s)" % (root.get("kind"), item["root_kind"], json.dumps(root)))
    if item["root_kind"] in ("global", "finalizer", "cleanup"):
        res.check(root.get("name") == item["root_name"], where, "root.name",
                  "got %r, want %r" % (root.get("name"), item["root_name"]))
        if item["root_kind"] == "finalizer" and item.get("root_function") is not None:
            # the dump's finalizer record has the closure's code pointer,
            # named by the executable's DWARF
            res.check(root.get("function") == item["root_function"], where, "root.function",
                      "got %r, want %r" % (root.get("function"), item["root_function"]))
    else:
        res.check(root.get("function") == item["root_function"], where, "root.function",
                  "got %r, want %r" % (root.get("function"), item["root_function"]))
        res.check(root.get("goroutine") == item["goroutine"], where, "root.goroutine",
                  "got %r, want %r" % (root.get("goroutine"), item["goroutine"]))
        check_root_variable(root, item, where, res)
    lo, hi = path_range(item["path_length"])
    res.check(lo <= len(hops) <= hi, where, "path length",
              "got %d, want %s" % (len(hops), lo if lo == hi else "%d..%d" % (lo, hi)))
    last = hops[-1].get("address") if hops and isinstance(hops[-1], dict) else None
    res.check(same_addr(last, obj.get("base")), where, "last hop is object.base",
              "last hop %r, object.base %r" % (last, obj.get("base")))
    check_hop_field(hops, item, where, res)


def check_root_variable(root, item, where, res):
    """The stack root's variable: the DWARF local of the frame's slot
    (root_variable), or a pattern (root_variable_re: a frame word no
    local covers is named by its place, frame+0x..)."""
    if item.get("root_variable"):
        res.check(root.get("variable") == item["root_variable"], where, "root.variable",
                  "got %r, want %r" % (root.get("variable"), item["root_variable"]))
    if item.get("root_variable_re"):
        res.check(re.fullmatch(item["root_variable_re"], str(root.get("variable"))) is not None,
                  where, "root.variable ~ %s" % item["root_variable_re"],
                  "got %r" % root.get("variable"))


def check_unreachable(out, where, res, why=""):
    """`why --json` says no root reaches the object: reachable false, no
    path."""
    res.check(out.get("reachable") is False, where, "reachable is false" + why,
              "got %r, first path %s" % (out.get("reachable"),
                                         json.dumps((out.get("paths") or [None])[0])[:300]))
    res.check(not out.get("paths"), where, "no path to an unreachable object",
              json.dumps(out.get("paths"))[:300])


def check_why_dominators(out, item, where, res):
    """Checks the dominator facts of `why --json` (object.retained_*,
    dominators, dominated_by) against the truth item, and the invariants
    every answer has: each dominator retains at least what the one below
    it (or the object) retains."""
    obj = out["object"]
    for k in ("retained_bytes", "retained_objects"):
        if k in item:
            res.check(obj.get(k) == item[k], where, "object." + k,
                      "got %r, want %r" % (obj.get(k), item[k]))
    doms = out.get("dominators")
    if not res.check(isinstance(doms, list) and all(isinstance(d, dict) for d in doms),
                     where, "dominators is a list of objects", json.dumps(doms)[:200]):
        return
    below = obj.get("retained_bytes")
    for i, d in enumerate(doms):
        rb = d.get("retained_bytes")
        if not isinstance(rb, int) or not isinstance(below, int) or rb < below:
            res.fail(where, "dominators nearest first, retained_bytes non-decreasing",
                     "dominators[%d] = %s retains %r, below it %r" % (
                         i, d.get("address"), rb, below))
            break
        below = rb
    else:
        res.check(True, where, "dominators nearest first, retained_bytes non-decreasing")
    if "dominators" not in item:
        return
    n = item["dominators"]
    if not res.check(len(doms) == n, where, "dominators count",
                     "got %d, want %d%s" % (len(doms), n, (
                         " (first %s)" % json.dumps(doms[:2])[:300]) if doms else "")):
        return
    if n:
        res.check(same_addr(doms[0].get("address"), item["nearest_dominator"]), where,
                  "nearest dominator", "got %s, want %s" % (doms[0].get("address"),
                                                           item["nearest_dominator"]))
        res.check(same_addr(doms[-1].get("address"), item["top_dominator"]), where,
                  "top dominator", "got %s, want %s" % (doms[-1].get("address"),
                                                       item["top_dominator"]))
        addrs = [parse_addr(d.get("address")) for d in doms]
        res.check(len(set(addrs)) == n and parse_addr(obj.get("base")) not in addrs, where,
                  "dominators distinct, object not among them")
    got = out.get("dominated_by")
    if item.get("dominated_by"):
        res.check(got == item["dominated_by"], where, "dominated_by",
                  "got %r, want %r" % (got, item["dominated_by"]))
    elif item["root_kind"] == "stack" and n == 0:
        # Held by one frame variable: the node above names the goroutine
        # (how the label spells the rest is retain's choice).
        res.check(isinstance(got, str) and
                  re.search(r"\bgoroutine %d\b" % item["goroutine"], got) is not None,
                  where, "dominated_by names goroutine %d" % item["goroutine"],
                  "got %r" % (got,))


def check_why_all(retain, r, item, where, res, dry):
    """`why --all N`: one shortest path from each of N roots, in tie-break
    order (kind, then name)."""
    want = item["all_roots"]
    out = run_retain(retain, ["why", "--all", str(len(want)), "--json",
                              hex(parse_addr(item["address"])), r.dump, r.exe],
                     where, "why --all %d" % len(want), res, dry)
    if out is None:
        return
    paths = out.get("paths") if isinstance(out, dict) else None
    if not res.check(isinstance(paths, list) and all(isinstance(p, dict) for p in paths),
                     where, "why --all paths", json.dumps(out)[:300]):
        return
    got = [(p.get("root") or {}).get("name") for p in paths]
    res.check(got == want, where, "why --all %d roots" % len(want),
              "got %r, want %r" % (got, want))
    for p in paths:
        hops = p.get("hops") or []
        last = hops[-1].get("address") if hops and isinstance(hops[-1], dict) else None
        if not same_addr(last, item["base"]):
            res.fail(where, "why --all: every path ends at the object",
                     "path from %r ends at %r" % ((p.get("root") or {}).get("name"), last))
            break
    else:
        res.check(True, where, "why --all: every path ends at the object")


def find_object_rows(out, base):
    """Yields every dict in out (any nesting) whose base/address is base."""
    stack = [out]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            for k in ("base", "address"):
                if k in x and same_addr(x[k], base):
                    yield x
                    break
            stack.extend(v for v in x.values() if isinstance(v, (dict, list)))
        elif isinstance(x, list):
            stack.extend(v for v in x if isinstance(v, (dict, list)))


def check_reports(retain, r, truth, res, dry):
    run_retain(retain, ["overview", "--json", r.dump], r.where, "overview", res, dry)
    check_types(retain, r, truth, r.dump, r.where, res, dry)
    run_retain(retain, ["top", "--json", r.dump], r.where, "top", res, dry)
    out = run_retain(retain, ["objects", "--json", r.dump], r.where, "objects", res, dry)
    if out is None:
        return
    check_objects_reachable(out, truth, r.where, res, dump=True)
    # JSON Lines: the same objects, each alone on its line
    p = subprocess.run([retain, "objects", "--jsonl", r.dump], capture_output=True, timeout=RETAIN_TIMEOUT)
    try:
        lines = [json.loads(l) for l in p.stdout.decode().splitlines()]
    except ValueError as e:
        lines = "not JSON Lines: %s" % e
    res.check(p.returncode == 0 and lines == out.get("objects"), r.where,
              "objects --jsonl: one object per line, as objects --json lists them", str(lines)[:300])


def check_objects_reachable(out, truth, where, res, dump):
    """`objects --json` lists every truth item, reachable as the truth says."""
    for item in truth["items"]:
        rows = list(find_object_rows(out, item["base"]))
        want = is_reachable(item, dump)
        if res.check(bool(rows), where, "objects lists %s" % item["name"],
                     "no row with base %s" % item["base"]):
            res.check(any(row.get("reachable") is want for row in rows), where,
                      "objects: %s %s" % (item["name"], "reachable" if want else "unreachable"),
                      json.dumps(rows[0])[:300])


# ---------------------------------------------------------------- cores

def check_why_core(retain, r, item, res, dry):
    """`why --json ADDRESS CORE EXE` against the truth: the slot, the
    allocating function, reachable, and the first root. Globals: same root
    name and path length as the truth. Stacks: a precise root of the same
    goroutine, function (and variable), the truth's path length."""
    where = "%s/core/%s" % (r.where, item["name"])
    # (the allocating function comes from the core's memory profile:
    # profile specials + buckets, symbolized by the pc-value table)
    got = why_object(retain, r, r.core, item, where, res, dry)
    if got is None:
        return
    out, obj = got
    alloc = obj.get("alloc")
    if isinstance(alloc, dict) and isinstance(alloc.get("stack"), list) and alloc["stack"]:
        # "": sampled at a rate; when this object was sampled after all,
        # the frame to check is the one retain names as allocating
        want = item["alloc_function"] or alloc.get("function")
        top = [f for f in alloc["stack"] if isinstance(f, dict)
               and f.get("function") == want]
        res.check(bool(top) and all(isinstance(f.get("line"), int) and f["line"] > 0
                                    and str(f.get("file", "")).endswith(".go") for f in top),
                  where, "object.alloc.stack: the allocating frame has a .go file and a line",
                  json.dumps(alloc["stack"])[:300])
    if not is_reachable(item):
        check_unreachable(out, where, res)
        return
    if not res.check(out.get("reachable") is True, where, "reachable",
                     "got %r" % out.get("reachable")):
        return
    paths = out.get("paths")
    if not res.check(isinstance(paths, list) and paths and isinstance(paths[0], dict),
                     where, "paths[0] present", "paths = %s" % json.dumps(paths)[:200]):
        return
    root = paths[0].get("root") or {}
    hops = paths[0].get("hops") or []
    lo, hi = path_range(item["path_length"])
    if item["root_kind"] == "global" and root.get("kind") == "stack" and \
            root.get("conservative") is True and len(hops) < lo:
        # A word in a goroutine's stack that a precise scan skips (a dead
        # slot, like the list scenario's stale_stack_function) gave a
        # shorter path than the global's: the stack was scanned
        # conservatively where it should not have been.  Say which slot.
        dead = dead_stack_view(r)
        slot = dead.leads_to(root.get("goroutine"), parse_addr(item["base"]), len(hops) - 1) \
            if dead else None
        if slot:
            res.fail(where, "first root global %s, %d hops" % (item["root_name"], lo),
                      "conservative stack scan found a shorter path: %d hops from goroutine %s; "
                      "the dump shows the dead slot: %s" % (len(hops), root.get("goroutine"), slot))
            return
        low = dead.lowest_sp(root.get("goroutine")) if dead else None
        scan = parse_addr(root.get("address"))
        res.fail(where, "root.kind", "got a conservative stack root of goroutine %s, %d hops, "
                 "want global %s, %d hops; no frame slot in the dump leads there%s (root %s)" % (
                     root.get("goroutine"), len(hops), item["root_name"], lo,
                     "; the scan starts at %s, %d bytes below the lowest frame the dump "
                     "shows (sp %s): dead stack memory" % (hex(scan), low - scan, hex(low))
                     if low is not None and scan is not None and scan < low else "",
                     json.dumps(root)))
        return
    res.check(root.get("kind") == item["root_kind"], where, "root.kind",
              "got %r, want %r (root %s, %d hops)" % (root.get("kind"), item["root_kind"],
                                                      json.dumps(root), len(hops)))
    if item["root_kind"] in ("global", "finalizer", "cleanup"):
        res.check(root.get("name") == item["root_name"], where, "root.name",
                  "got %r, want %r (root %s)" % (root.get("name"), item["root_name"],
                                                 json.dumps(root)))
        if item["root_kind"] != "global" and item.get("root_function") is not None:
            # a core names the finalizer's or cleanup's function (the
            # closure's code pointer, through the pc-value table)
            res.check(root.get("function") == item["root_function"], where, "root.function",
                      "got %r, want %r" % (root.get("function"), item["root_function"]))
        res.check(lo <= len(hops) <= hi, where, "path length",
                  "got %d, want %s" % (len(hops), lo if lo == hi else "%d..%d" % (lo, hi)))
    else:
        # Stacks of a core are unwound and scanned with the stack maps: the
        # root is the truth's frame variable, exactly as short as the truth.
        other = root.get("goroutine") != item["goroutine"]
        dead = dead_stack_view(r) if other and root.get("conservative") is True else None
        slot = dead.leads_to(root.get("goroutine"), parse_addr(item["base"]), len(hops) - 1) \
            if dead else None
        res.check(root.get("conservative") is not True, where, "root.conservative is not true",
                  "root %s%s" % (json.dumps(root), "; a dead frame slot the dump shows leads "
                                 "there: %s" % slot if slot else ""))
        res.check(not other, where, "root.goroutine",
                  "got %r, want %r" % (root.get("goroutine"), item["goroutine"]))
        res.check(root.get("function") == item["root_function"], where, "root.function",
                  "got %r, want %r" % (root.get("function"), item["root_function"]))
        check_root_variable(root, item, where, res)
        res.check(lo <= len(hops) <= hi, where, "path length",
                  "got %d, want %s" % (len(hops), lo if lo == hi else "%d..%d" % (lo, hi)))
    last = hops[-1].get("address") if hops and isinstance(hops[-1], dict) else None
    res.check(same_addr(last, obj.get("base")), where, "last hop is object.base",
              "last hop %r, object.base %r" % (last, obj.get("base")))
    check_hop_field(hops, item, where, res)


def check_hop_field(hops, item, where, res):
    """The last hop names the field its pointer sits in: exactly (field) or
    by a pattern (field_re: map internals differ between Go versions)."""
    if not hops or not isinstance(hops[-1], dict) or not (item.get("field") or item.get("field_re")):
        return
    got = hops[-1].get("field")
    if item.get("field"):
        res.check(got == item["field"], where, "last hop's field",
                  "got %r, want %r (hops %s)" % (got, item["field"], json.dumps(hops)[:400]))
    else:
        res.check(isinstance(got, str) and re.fullmatch(item["field_re"], got) is not None, where,
                  "last hop's field matches %s" % item["field_re"],
                  "got %r (hops %s)" % (got, json.dumps(hops)[:400]))


# Share of the reachable bytes that must have a type, on a core or on a
# heap dump given its executable (issue 7).
TYPED_SHARE_MIN = 0.95


def check_types(retain, r, truth, path, where, res, dry, ov=None):
    """Typed share of the reachable bytes of a core or a dump given its
    executable, and exact counts per type."""
    if ov is None:
        ov = run_retain(retain, ["overview", "--json", path, r.exe], where, "overview", res, dry)
    if isinstance(ov, dict) and isinstance(ov.get("reachable_bytes"), int) and ov["reachable_bytes"]:
        share = ov.get("typed_reachable_bytes", 0) / ov["reachable_bytes"]
        print("typed share %s: %.1f%% of %d reachable bytes" % (where, 100 * share, ov["reachable_bytes"]))
        res.check(share >= TYPED_SHARE_MIN, where, "overview: >= %d%% of reachable bytes typed"
                  % (100 * TYPED_SHARE_MIN), "got %.1f%%" % (100 * share))
    counts = (truth or {}).get("type_counts") or {}
    if not counts and not dry:
        return
    top = run_retain(retain, ["top", "--by", "type", "--json", "-n", "0", path, r.exe],
                     where, "top --by type", res, dry)
    if not isinstance(top, dict):
        return
    rows = {row.get("name"): row for row in top.get("rows") or []
            if isinstance(row, dict)}
    for name, want in sorted(counts.items()):
        got = rows.get(name, {}).get("count")
        res.check(got == want, where, "top --by type: %s count" % name,
                  "got %r, want %d" % (got, want))


def core_file_offset(data, vaddr):
    """File offset of virtual address vaddr in an ELF64 core (its PT_LOAD
    segments), or None."""
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_vaddr <= vaddr and vaddr + 8 <= p_vaddr + p_filesz:
            return p_offset + vaddr - p_vaddr
    return None


def check_core_patches(retain, r, truth, res, dry):
    """Bad input: the truth's patches (absurd counts where types are read)
    written into a copy of the core; it must still load within seconds,
    and overview must count the refused type proposals in one warning."""
    patches = (truth or {}).get("patches") or []
    if not patches or dry:
        return
    where = r.where + "/core-patched"
    with open(r.core, "rb") as f:
        data = bytearray(f.read())
    for p in patches:
        off = core_file_offset(data, parse_addr(p["address"]))
        if not res.check(off is not None, where, "patch %s: address in the core" % p["what"], p["address"]):
            return
        struct.pack_into("<Q", data, off, p["value"])
    bad = r.core + ".patched"
    with open(bad, "wb") as f:
        f.write(data)
    t0 = time.time()
    ov = run_retain(retain, ["overview", "--json", bad, r.exe], where, "overview", res, dry)
    took = time.time() - t0
    os.unlink(bad)
    res.check(took < 20, where, "overview of the patched core within 20 s", "took %.1f s" % took)
    if isinstance(ov, dict):
        warn = [w for w in ov.get("warnings") or [] if "type proposals were refused" in w]
        res.check(len(warn) == 1, where, "one warning counts the refused type proposals",
                  json.dumps(ov.get("warnings"))[:400])


def check_core(retain, r, truth, res, dry):
    """The core of the dump's moment: why per item, objects, and the
    retention facts on single globals."""
    where = r.where + "/core"
    check_core_patches(retain, r, truth, res, dry)
    ov = run_retain(retain, ["overview", "--json", r.core, r.exe], where, "overview", res, dry)
    if isinstance(ov, dict) and truth:
        res.check(ov.get("mem_profile_rate") == truth["memprofile_rate"], where,
                  "overview: mem_profile_rate from the core",
                  "got %r, want %r" % (ov.get("mem_profile_rate"), truth["memprofile_rate"]))
    check_types(retain, r, truth, r.core, where, res, dry, ov)
    for item in truth["items"] if truth else []:
        check_why_core(retain, r, item, res, dry)
    out = run_retain(retain, ["objects", "--json", r.core, r.exe], where, "objects", res, dry)
    if out is not None:
        check_objects_reachable(out, truth, where, res, dump=False)
    if (truth or {}).get("shared"):
        check_shared(retain, where, [r.core, r.exe], truth, res, dry)
    check_hidden(retain, where, [r.core, r.exe], truth, res, dry)
    check_reads(retain, where, r, truth, res, dry)
    facts = [rt for rt in (truth or {}).get("retention") or [] if rt["by"] == "variable"]
    if not facts and not dry:
        return
    roots = run_retain(retain, ["roots", "--json", "-n", "0", r.core, r.exe],
                       where, "roots", res, dry)
    if not isinstance(roots, dict):
        return
    rows = roots.get("roots")
    if not res.check(isinstance(rows, list), where, "roots output shape",
                     json.dumps(roots)[:300]):
        return
    check_sorted(res, where, "roots", rows)
    check_stack_roots_named(res, where, "roots", rows)
    for rt in facts:
        what = "roots: global %s" % rt["name"]
        got = [x for x in rows if isinstance(x, dict)
               and x.get("kind") == "global" and x.get("name") == rt["name"]]
        if not res.check(len(got) == 1, where, what + ": exactly one entry",
                         "found %d" % len(got)):
            continue
        row = got[0]
        if not bounds_ok(row, rt):
            # Objects of the global's that a dead stack slot also reaches
            # would be retained by neither alone under a conservative scan:
            # say so when that is what happened (the numbers equal the
            # dump's with every dead slot of every frame counted as a root).
            dead = dead_stack_view(r)
            want = dead.retained_by_global(rt["name"]) if dead else None
            got_pair = (row.get("retained_bytes"), row.get("retained_objects"))
            if want is not None and got_pair == want and want != dead.retained_by_global(
                    rt["name"], precise=True):
                res.fail(where, what + " retained within the bounds",
                          "got %s bytes, %s objects for %s: exactly what the global retains "
                          "when the dump's dead stack slots count as roots (%s)" % (
                              got_pair[0], got_pair[1], bounds_text(rt),
                              dead.slots_into(rt["name"])))
                continue
            if want is not None:
                res.fail(where, what + " retained within the bounds",
                         "got %s bytes, %s objects for %s; with the dump's dead stack slots "
                         "as roots it would be %s bytes, %s objects%s" % (
                             got_pair[0], got_pair[1], bounds_text(rt), want[0], want[1],
                             dead.scans_below_frames(rows)))
                continue
        check_bounds(res, where, what, row, rt)


def bounds_text(rt):
    return ", ".join("%s %d" % (k, rt[k]) for k in ("min_bytes", "below_bytes", "min_objects")
                     if rt.get(k) is not None)


def bounds_ok(row, rt):
    """True if row meets every bound of retention fact rt."""
    rb, ro = row.get("retained_bytes"), row.get("retained_objects")
    for v, k in ((rb, "min_bytes"), (ro, "min_objects")):
        if rt.get(k) is not None and not (isinstance(v, int) and v >= rt[k]):
            return False
    b = rt.get("below_bytes")
    return b is None or (isinstance(rb, int) and rb < b)


class DeadStackView:
    """What a conservative scan of the stacks sees beyond the precise roots,
    from the heap dump of the same moment: every word of every dumped frame
    that is not a live pointer slot and points into an object."""

    def __init__(self, r):
        self.r = r
        self.d = Dump(r.dump)
        self.dead = []  # (goid, function, slot address, target base)
        for fr in self.d.frames:
            live, c = set(fr["fields"]), fr["contents"]
            for off in range(0, len(c) - 7, 8):
                if off in live:
                    continue
                t = self.d.find(struct.unpack_from("<Q", c, off)[0])
                if t is not None:
                    self.dead.append((fr["goid"], fr["name"], fr["sp"] + off, t))
        self._reach = {}

    def lowest_sp(self, goid):
        """The lowest frame sp the dump shows for goroutine goid, or None."""
        sps = [fr["sp"] for fr in self.d.frames if fr["goid"] == goid]
        return min(sps) if sps else None

    def scans_below_frames(self, rows):
        """For failure messages: the stack roots among `roots --json` rows
        whose scan starts below the lowest frame the dump shows for their
        goroutine (dead stack memory)."""
        bad = []
        for x in rows:
            if isinstance(x, dict) and x.get("kind") == "stack":
                low, a = self.lowest_sp(x.get("goroutine")), parse_addr(x.get("address"))
                if low is not None and a is not None and a < low:
                    bad.append("goroutine %s's from %s, %d bytes below its lowest frame in the "
                               "dump (sp %s)" % (x.get("goroutine"), hex(a), low - a, hex(low)))
        return "; the core's stack scans start in dead stack memory: " + ", ".join(bad) \
            if bad else ""

    def leads_to(self, goid, base, max_hops):
        """A description of a dead slot of goroutine goid (any goroutine if
        goid is None) from which base is at most max_hops pointers away, or
        None."""
        starts, goid_of = {}, {}
        for g, fn, addr, t in self.dead:
            if (goid is None or g == goid) and t not in starts:
                starts[t] = "%s word at %s -> %s" % (fn, hex(addr), hex(t))
                goid_of[t] = g
        dist = {t: 0 for t in starts}
        q = deque(dist)
        first = {t: t for t in starts}
        while q:
            o = q.popleft()
            if o == base:
                return "goroutine %d %s" % (goid_of[first[o]], starts[first[o]]) + (
                " (+%d hops)" % dist[o] if dist[o] else "")
            if max_hops is not None and dist[o] >= max_hops:
                continue
            contents, offs = self.d.objects[o]
            for _, v in self.d.pointers(contents, offs):
                t = self.d.find(v)
                if t is not None and t not in dist:
                    dist[t], first[t] = dist[o] + 1, first[o]
                    q.append(t)
        return None

    def retained_by_global(self, name, precise=False):
        """(bytes, objects) freed without global name, the dead slots counted
        as roots (or not, precise=True)."""
        if precise not in self._reach:
            syms = Symbols("/usr/lib/go-%s/bin/go" % self.r.ver, self.r.exe)
            roots = list(self.d.roots(syms))
            if not precise:
                roots += [("stack", None, fn, g, addr, t) for g, fn, addr, t in self.dead]
            self._reach[precise] = Reach(self.d, roots)
        return self._reach[precise].freed(drop_root=lambda x: x[0] == ("global", name))

    def slots_into(self, name):
        """The dead slots that point at objects reachable from global name."""
        rc = self._reach[False]
        mine = rc.reach(drop_root=lambda x: x[0] != ("global", name))
        hits = ["goroutine %d %s word at %s -> %s" % (g, fn, hex(a), hex(t))
                for g, fn, a, t in self.dead if t in mine]
        return "; ".join(hits[:5]) + (" ..." if len(hits) > 5 else "") if hits else "none"


def dead_stack_view(r):
    """The DeadStackView of r's dump, built once; None if unreadable."""
    if not hasattr(r, "_dead_view"):
        try:
            r._dead_view = DeadStackView(r)
        except (OSError, ValueError, IndexError, subprocess.CalledProcessError):
            r._dead_view = None
    return r._dead_view


# ---------------------------------------------------------------- retention (dominator tree)

# One scenario per Go version whose dominator tree is exported and read back
# with that version's `go tool pprof`: scenario -> global whose frame is checked.
EXPORT_CHECKS = {"growslice": "main.blocks"}

# Scenarios whose core and dump are also read through a saved index, and
# whose core with -j 1 and -j 4 (tests/same_answers.py): roots and
# goroutines of every kind, shared memory, sampled sites.
SAME_ANSWER_SCENARIOS = ("shared", "sites", "goroutines")


def check_bounds(res, where, what, row, rt):
    """Checks row's retained_bytes/retained_objects against the bounds of
    retention fact rt."""
    rb, ro = row.get("retained_bytes"), row.get("retained_objects")
    if rt.get("min_bytes") is not None:
        res.check(isinstance(rb, int) and rb >= rt["min_bytes"], where,
                  what + " retained_bytes >= %d" % rt["min_bytes"], "got %r" % (rb,))
    if rt.get("below_bytes") is not None:
        res.check(isinstance(rb, int) and rb < rt["below_bytes"], where,
                  what + " retained_bytes < %d" % rt["below_bytes"], "got %r" % (rb,))
    if rt.get("min_objects") is not None:
        res.check(isinstance(ro, int) and ro >= rt["min_objects"], where,
                  what + " retained_objects >= %d" % rt["min_objects"], "got %r" % (ro,))
    if rt.get("min_reachable_bytes") is not None:
        reach = row.get("reachable_bytes")
        res.check(isinstance(reach, int) and reach >= rt["min_reachable_bytes"], where,
                  what + " reachable_bytes >= %d" % rt["min_reachable_bytes"], "got %r" % (reach,))


def check_stack_roots_named(res, where, what, rows):
    """Every stack root is one variable: a local's name, a frame word's
    place (frame+0x..) or a goroutine's record ((deferred call), ...)."""
    bad = [row for row in rows if isinstance(row, dict) and row.get("kind") == "stack"
           and not row.get("variable")]
    res.check(not bad, where, what + ": every stack root names its variable", json.dumps(bad[:3]))


def check_reachable_columns(res, where, what, rows):
    """Every root reaches at least what it retains."""
    bad = [row for row in rows if not (isinstance(row, dict)
           and isinstance(row.get("reachable_bytes"), int)
           and isinstance(row.get("retained_bytes"), int)
           and row["reachable_bytes"] >= row["retained_bytes"])]
    res.check(not bad, where, what + ": reachable_bytes >= retained_bytes on every row",
              json.dumps(bad[:3]))


def root_id(root):
    """A root of `shared --json` as the truth names it."""
    if not isinstance(root, dict):
        return None
    if root.get("kind") == "global":
        return ("global", root.get("name"))
    return (root.get("kind"), root.get("goroutine"), root.get("function"), root.get("variable"))


def truth_root_id(t):
    if t["kind"] == "global":
        return ("global", t["name"])
    return (t["kind"], t["goroutine"], t["function"], t["variable"])


def check_hidden(retain, where, args, truth, res, dry):
    """`dominators --json --depth 8 --min-bytes B`: each truth group of
    children hidden by the cut is listed under some node's hidden_groups,
    and no node's groups claim more than its hidden children."""
    for want in (truth or {}).get("hidden") or []:
        out = run_retain(retain, ["dominators", "--json", "--depth", "8", "--min-bytes",
                                  str(want["min_bytes"])] + args, where, "dominators", res, dry)
        if not isinstance(out, dict) or not isinstance(out.get("tree"), dict):
            continue
        found, bad = False, []
        for n in tree_nodes(out["tree"]):
            groups = n.get("hidden_groups")
            if not isinstance(groups, list):
                bad.append(n.get("label"))
                continue
            if sum(g.get("count", 0) for g in groups) > n.get("hidden_children", 0) or \
                    sum(g.get("retained_bytes", 0) for g in groups) > n.get("hidden_bytes", 0):
                bad.append(n.get("label"))
            found = found or any(g.get("label") == want["label"] and g.get("count") == want["count"]
                                 and g.get("size_each") == want["size_each"] for g in groups)
        res.check(not bad, where, "dominators: hidden_groups within hidden_children/bytes",
                  "nodes %s" % bad[:5])
        res.check(found, where, "dominators --min-bytes %d: hidden group %d × %s" % (
            want["min_bytes"], want["count"], want["label"]), "not found")


def check_reads(retain, where, r, truth, res, dry):
    """`read --json ADDRESS N CORE EXE`: each truth word's pointer flag,
    variable, function and object."""
    items = {it["name"]: it for it in (truth or {}).get("items") or []}
    for rd in (truth or {}).get("reads") or []:
        out = run_retain(retain, ["read", "--json", rd["address"], str(rd["length"]), r.core, r.exe],
                         where, "read", res, dry)
        if not isinstance(out, dict) or not res.check(isinstance(out.get("words"), list), where,
                                                      "read: words", json.dumps(out)[:300]):
            continue
        words = out["words"]
        for w in rd["words"]:
            what = "read %s word %d" % (rd["address"], w["index"])
            if not res.check(w["index"] < len(words), where, what + ": present", "%d words" % len(words)):
                continue
            got = words[w["index"]]
            if "pointer" in w:
                res.check(got.get("pointer") == w["pointer"], where, what + ": pointer %r" % w["pointer"],
                          json.dumps(got))
            for k in ("variable", "function"):
                if w.get(k):
                    res.check(got.get(k) == w[k], where, what + ": %s %s" % (k, w[k]), json.dumps(got))
            if w.get("object"):
                res.check(same_addr(got.get("object"), items[w["object"]]["base"]), where,
                          what + ": object %s" % w["object"], json.dumps(got))


def check_shared(retain, where, args, truth, res, dry):
    """`shared --json -n 0 --roots 0`: the groups add up to shared_bytes,
    come largest first, and each truth group is there with exactly its
    roots and at least its bytes."""
    want = (truth or {}).get("shared") or []
    out = run_retain(retain, ["shared", "--json", "-n", "0", "--roots", "0"] + args,
                     where, "shared", res, dry)
    if not isinstance(out, dict) or not res.check(isinstance(out.get("groups"), list), where,
                                                  "shared output shape", json.dumps(out)[:300]):
        return
    groups = out["groups"]
    sizes = [g.get("bytes") for g in groups if isinstance(g, dict)]
    res.check(all(isinstance(b, int) for b in sizes) and all(a >= b for a, b in zip(sizes, sizes[1:])),
              where, "shared: groups sorted by bytes descending", "%s" % sizes[:20])
    if out.get("capped") is False:
        res.check(sum(sizes) == out.get("shared_bytes"), where,
                  "shared: groups add up to shared_bytes",
                  "sum %d, shared_bytes %r" % (sum(sizes), out.get("shared_bytes")))
    for w in want:
        ids = sorted(truth_root_id(t) for t in w["roots"])
        found = [g for g in groups if isinstance(g, dict) and isinstance(g.get("roots"), list)
                 and sorted((root_id(x) for x in g["roots"]), key=repr) == sorted(ids, key=repr)]
        what = "shared: group of %s" % ids
        if res.check(len(found) == 1, where, what + ": exactly one",
                     "found %d; groups with any of these roots: %s" % (len(found), json.dumps(
                         [g for g in groups if any(root_id(x) in ids for x in g.get("roots", []))])[:600])):
            res.check(found[0].get("bytes", 0) >= w["min_bytes"], where, what + ": bytes >= %d" %
                      w["min_bytes"], "got %r" % found[0].get("bytes"))


def check_sorted(res, where, what, rows):
    vals = [row.get("retained_bytes") for row in rows]
    ok = all(isinstance(v, int) for v in vals) and all(
        a >= b for a, b in zip(vals, vals[1:]))
    res.check(ok, where, what + " sorted by retained_bytes descending",
              "retained_bytes %s" % vals[:20])


def check_retention(retain, r, truth, res, dry):
    """`roots`, `roots --by goroutine` and `top --retained --by site` against
    the truth's retention facts. Returns the `roots --json -n 0` output (or
    None)."""
    facts = (truth or {}).get("retention") or []
    roots = run_retain(retain, ["roots", "--json", "-n", "0", r.dump, r.exe],
                       r.where, "roots", res, dry)
    if isinstance(roots, dict):
        rows = roots.get("roots")
        if res.check(isinstance(rows, list) and isinstance(roots.get("groups"), list),
                     r.where, "roots output shape", json.dumps(roots)[:300]):
            check_sorted(res, r.where, "roots", rows)
            check_reachable_columns(res, r.where, "roots", rows)
            check_stack_roots_named(res, r.where, "roots", rows)
        else:
            roots = None
    by_gor = None
    if any(rt["by"] == "goroutine" for rt in facts):
        by_gor = run_retain(retain, ["roots", "--by", "goroutine", "--json", "-n", "0",
                                     r.dump, r.exe], r.where, "roots --by goroutine", res, dry)
        if isinstance(by_gor, dict) and res.check(
                isinstance(by_gor.get("roots"), list), r.where,
                "roots --by goroutine output shape", json.dumps(by_gor)[:300]):
            check_sorted(res, r.where, "roots --by goroutine", by_gor["roots"])
            check_reachable_columns(res, r.where, "roots --by goroutine", by_gor["roots"])
        else:
            by_gor = None
    sites = None
    if any(rt["by"] == "site" for rt in facts):
        sites = run_retain(retain, ["top", "--retained", "--by", "site", "--json", "-n", "0",
                                    r.dump, r.exe], r.where, "top --retained --by site",
                           res, dry)
        if not (isinstance(sites, dict) and res.check(
                isinstance(sites.get("rows"), list), r.where,
                "top --retained --by site output shape", json.dumps(sites)[:300])):
            sites = None
    for rt in facts:
        if rt["by"] == "variable" and roots is not None:
            what = "roots: global %s" % rt["name"]
            rows = [x for x in roots["roots"] if isinstance(x, dict)
                    and x.get("kind") == "global" and x.get("name") == rt["name"]]
        elif rt["by"] == "group" and roots is not None:
            what = "roots: group %s" % rt["name"]
            rows = [x for x in roots["groups"] if isinstance(x, dict)
                    and x.get("group") == rt["name"]]
        elif rt["by"] == "goroutine" and by_gor is not None:
            what = "roots --by goroutine: goroutine %d" % rt["goroutine"]
            rows = [x for x in by_gor["roots"] if isinstance(x, dict)
                    and x.get("goroutine") == rt["goroutine"]]
        elif rt["by"] == "site" and sites is not None:
            what = "top --retained --by site: %s" % rt["name"]
            rows = [x for x in sites["rows"] if isinstance(x, dict)
                    and x.get("name") == rt["name"]]
        else:
            continue
        if not res.check(len(rows) == 1, r.where, what + ": exactly one entry",
                         "found %d" % len(rows)):
            continue
        row = rows[0]
        if rt["by"] == "goroutine":
            res.check(row.get("kind") == "stack" and row.get("variable") is None,
                      r.where, what + ": kind stack, variable null", json.dumps(row))
            if rt.get("function") is not None:
                res.check(row.get("function") == rt["function"], r.where,
                          what + ": function", "got %r, want %r" % (
                              row.get("function"), rt["function"]))
        check_bounds(res, r.where, what, row, rt)
    return roots


def tree_nodes(node):
    """Yields node and every node below it (the "children" lists)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            yield n
            kids = n.get("children")
            if isinstance(kids, list):
                stack.extend(reversed(kids))


def check_chains(retain, r, truth, res, dry):
    """`dominators --json --depth 3 --min-bytes 0`: each truth chain (a linked
    list) shows as one collapsed node below its root's node."""
    chains = (truth or {}).get("chains") or []
    if not chains:
        return
    out = run_retain(retain, ["dominators", "--json", "--depth", "3", "--min-bytes", "0",
                              r.dump, r.exe], r.where, "dominators", res, dry)
    if out is None:
        return
    tree = out.get("tree") if isinstance(out, dict) else None
    if not res.check(isinstance(tree, dict), r.where, "dominators output shape",
                     json.dumps(out)[:300]):
        return
    for ch in chains:
        what = "dominators: chain under %s" % ch["under"]
        unders = [n for n in tree_nodes(tree) if n.get("label") == ch["under"]]
        if not res.check(len(unders) == 1, r.where, what + ": one node labelled %r" % ch["under"],
                         "found %d" % len(unders)):
            continue
        found = [n for n in tree_nodes(unders[0])
                 if isinstance(n.get("chain"), dict) and same_addr(n.get("address"), ch["start"])]
        if not res.check(len(found) == 1, r.where, what + ": a chain starting at %s" % ch["start"],
                         "chains below: %s" % json.dumps(
                             [{"address": n.get("address"), "chain": n.get("chain")}
                              for n in tree_nodes(unders[0]) if "chain" in n])[:400]):
            continue
        chain = found[0]["chain"]
        end = chain.get("end") if isinstance(chain.get("end"), dict) else {}
        res.check(same_addr(end.get("address"), ch["end"]), r.where, what + ": ends at %s" % ch["end"],
                  "got %r" % end.get("address"))
        hops = chain.get("hops")
        res.check(isinstance(hops, int) and hops >= ch["min_hops"], r.where,
                  what + ": hops >= %d" % ch["min_hops"], "got %r" % (hops,))


def run_plain(cmd, where, what, res, dry, env=None, cwd=None):
    """Runs cmd; returns its stdout (bytes) or None (failure counted)."""
    if dry:
        show(cmd, cwd, env)
        return None
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=RETAIN_TIMEOUT, env=env, cwd=cwd)
    except (subprocess.TimeoutExpired, OSError) as e:
        res.fail(where, what, "%s: %s" % (" ".join(cmd), e))
        return None
    if not res.check(p.returncode == 0, where, what + " exit status", "exit %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[-1000:])):
        return None
    return p.stdout


def pprof_cum(text, frame):
    """Cumulative value of frame in `go tool pprof -top -cum -unit=B` output,
    as an int number of bytes, or None."""
    for line in text.splitlines():
        f = line.split(None, 5)
        if len(f) == 6 and f[5].strip() == frame:
            m = re.fullmatch(r"(\d+)B?", f[3])
            return int(m.group(1)) if m else None
    return None


def check_export(retain, r, work, roots, res, dry):
    """export --format pprof, read back by this version's go tool pprof: the
    cumulative bytes of the frame "global NAME" are NAME's retained bytes
    (and those of "globals" the group's); export --format dot is a graph."""
    name = EXPORT_CHECKS.get(r.scn)
    if name is None:
        return
    prof = os.path.join(r.dir, "dominators.pb.gz")
    if not dry and os.path.exists(prof):
        os.remove(prof)
    summary = run_retain(retain, ["export", "--format", "pprof", "--tree", "dominators", "-o", prof, "--json",
                                  r.dump, r.exe], r.where, "export pprof", res, dry)
    env = go_env(work)
    env["HOME"] = os.path.join(work, "pprof-home")
    env["PPROF_TMPDIR"] = os.path.join(work, "pprof-home")
    go = "/usr/lib/go-%s/bin/go" % r.ver
    cmd = [go, "tool", "pprof", "-top", "-cum", "-unit=B", prof]
    if dry:
        show(["env", "HOME=" + env["HOME"], "PPROF_TMPDIR=" + env["PPROF_TMPDIR"]] + cmd,
             None, env)
    elif summary is not None:
        res.check(isinstance(summary, dict) and summary.get("output") == prof, r.where,
                  "export pprof --json names the output", json.dumps(summary)[:300])
        try:
            with open(prof, "rb") as f:
                magic = f.read(2)
        except OSError as e:
            magic = repr(e)
        if res.check(magic == b"\x1f\x8b", r.where, "export pprof writes a gzip file",
                     "starts %r" % (magic,)):
            os.makedirs(env["HOME"], exist_ok=True)
            out = run_plain(cmd, r.where, "go tool pprof -top -cum", res, dry, env=env)
            if out is not None:
                text = out.decode("utf-8", "replace")
                want = None
                if roots is not None:
                    rows = [x for x in roots["roots"] if isinstance(x, dict)
                            and x.get("kind") == "global" and x.get("name") == name]
                    want = rows[0].get("retained_bytes") if len(rows) == 1 else None
                    groups = [g for g in roots["groups"] if isinstance(g, dict)
                              and g.get("group") == "globals"]
                    gwant = groups[0].get("retained_bytes") if len(groups) == 1 else None
                else:
                    gwant = None
                for frame, w in (("global " + name, want), ("globals", gwant)):
                    got = pprof_cum(text, frame)
                    res.check(w is not None and got == w, r.where,
                              "pprof cum of frame %r = roots retained_bytes" % frame,
                              "pprof %r, roots %r; pprof output:\n%s" % (
                                  got, w, text[:1500]))
    dot = run_plain([retain, "export", "--format", "dot", r.dump, r.exe], r.where,
                    "export dot", res, dry)
    if dot is not None:
        text = dot.decode("utf-8", "replace")
        nodes = re.findall(r"^\s*(?!node\b|edge\b|graph\b)(\"[^\"]*\"|\w+)\s*\[",
                           text, re.M)
        edges = re.findall(r"->", text)
        res.check(text.lstrip().startswith("digraph") and text.rstrip().endswith("}")
                  and len(set(nodes)) >= 2 and edges, r.where,
                  "export dot: a digraph with >= 2 nodes and an edge",
                  "%d nodes, %d edges; starts %r" % (len(set(nodes)), len(edges), text[:200]))


# ---------------------------------------------------------------- independent dump reader

class Dump:
    """A minimal reader of runtime/debug.WriteHeapDump output (GO-RUNTIME.md
    §9), independent of retain, for checking truth files."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        if not self.buf.startswith(DUMP_MAGIC):
            raise ValueError("not a heap dump")
        self.pos = len(DUMP_MAGIC)
        self.objects = {}          # base -> (contents, [ptr offsets])
        self.frames = []           # dicts: goid, name, sp, contents, fields
        self.segments = []         # (addr, contents, fields) for data and bss
        self.finalizers = []       # (queued, object, closure)
        self.buckets = {}          # id -> [(func, file, line)]
        self.samples = []          # (addr, bucket)
        self.version = None
        self._parse()
        self.bases = sorted(self.objects)
        self.sizes = [len(self.objects[b][0]) for b in self.bases]

    def uv(self):
        b, pos = self.buf, self.pos
        x = shift = 0
        while True:
            c = b[pos]
            pos += 1
            x |= (c & 0x7F) << shift
            if c < 0x80:
                self.pos = pos
                return x
            shift += 7

    def bytes_(self):
        n = self.uv()
        s = self.buf[self.pos:self.pos + n]
        self.pos += n
        return s

    def fields(self):
        out = []
        while True:
            kind = self.uv()
            if kind == 0:
                return out
            out.append(self.uv())

    def _parse(self):
        uv, by = self.uv, self.bytes_
        goid = None
        while True:
            tag = uv()
            if tag == 0:
                return
            if tag == 1:
                addr = uv()
                contents = by()
                self.objects[addr] = (contents, self.fields())
            elif tag == 3:
                uv(), uv(), by(), uv()
            elif tag == 4:
                vals = [uv() for _ in range(8)]
                goid = vals[2]
                by()
                [uv() for _ in range(4)]
            elif tag == 5:
                sp, _, _ = uv(), uv(), uv()
                contents = by()
                uv(), uv(), uv()
                name = by().decode("utf-8", "replace")
                self.frames.append({"goid": goid, "name": name, "sp": sp,
                                    "contents": contents, "fields": self.fields()})
            elif tag == 6:
                uv(), uv(), uv(), uv(), by()
                self.version = by().decode("utf-8", "replace")
                uv()
            elif tag in (7, 11):
                obj, fn, _, fint, _ = [uv() for _ in range(5)]
                self.finalizers.append((tag == 11, obj, fn, fint))
            elif tag == 8:
                uv(), uv()
            elif tag == 9:
                uv(), uv(), uv()
            elif tag == 10:
                [uv() for _ in range(24 + 256 + 1)]
            elif tag in (12, 13):
                addr = uv()
                contents = by()
                self.segments.append((addr, contents, self.fields()))
            elif tag == 14:
                [uv() for _ in range(7)]
            elif tag == 15:
                [uv() for _ in range(6)]
            elif tag == 16:
                b, _, n = uv(), uv(), uv()
                frames = []
                for _ in range(n):
                    fn = by().decode("utf-8", "replace")
                    file = by().decode("utf-8", "replace")
                    frames.append((fn, file, uv()))
                uv(), uv()
                self.buckets[b] = frames
            elif tag == 17:
                self.samples.append((uv(), uv()))
            else:
                raise ValueError("unknown tag %d at offset %d" % (tag, self.pos))

    def find(self, addr):
        """Base of the object containing addr, or None."""
        i = bisect.bisect_right(self.bases, addr) - 1
        if i >= 0 and addr < self.bases[i] + self.sizes[i]:
            return self.bases[i]
        return None

    def pointers(self, contents, offsets):
        for off in offsets:
            if off + 8 <= len(contents):
                yield off, struct.unpack_from("<Q", contents, off)[0]

    def alloc_function(self, base):
        for addr, b in self.samples:
            if self.find(addr) == base:
                frames = self.buckets.get(b, [])
                for fn, _, _ in frames:
                    if not fn.startswith(("runtime.", "internal/runtime/")):
                        return fn
                return frames[0][0] if frames else None
        return None

    def predecessors(self):
        rev = {}
        for base, (contents, offs) in self.objects.items():
            for _, v in self.pointers(contents, offs):
                t = self.find(v)
                if t is not None and t != base:
                    rev.setdefault(t, []).append(base)
        return rev

    def roots(self, symbols):
        """Yields (kind, name, function, goid, slot address, pointer value)."""
        for addr, contents, offs in self.segments:
            for off, v in self.pointers(contents, offs):
                yield ("global", symbols.name_at(addr + off), None, None, addr + off, v)
        for fr in self.frames:
            for off, v in self.pointers(fr["contents"], fr["fields"]):
                yield ("stack", None, fr["name"], fr["goid"], fr["sp"] + off, v)
        # A finalizer keeps its closure and what its object points to, not
        # the object; a queued one keeps the object too (DESIGN.md). Go 1.24
        # queues cleanups with the finalizers: no object, no type.
        for queued, obj, fn, fint in self.finalizers:
            if queued and obj == 0 and fint == 0:
                yield ("cleanup", "queued cleanup", None, None, obj, fn)
                continue
            name = "queued finalizer" if queued else "finalizer"
            yield ("finalizer", name, None, None, obj, fn)
            if queued:
                yield ("finalizer", name, None, None, obj, obj)
            elif obj in self.objects:
                for _, v in self.pointers(*self.objects[obj]):
                    yield ("finalizer", name, None, None, obj, v)


class Symbols:
    """Data and bss symbols of an executable, from `go tool nm`."""

    def __init__(self, go, exe):
        out = subprocess.run([go, "tool", "nm", "-size", "-sort", "address", exe],
                             capture_output=True, text=True, check=True).stdout
        self.addrs, self.rows = [], []
        for line in out.splitlines():
            f = line.split(None, 3)
            # Zero-size markers (runtime.bss, runtime.edata…) share addresses
            # with real variables: skip them.
            if len(f) == 4 and f[2] in "DdBb" and int(f[1]) > 0:
                self.addrs.append(int(f[0], 16))
                self.rows.append((int(f[0], 16), int(f[1]), f[3]))

    def name_at(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i >= 0:
            a, size, name = self.rows[i]
            if a <= addr < a + size:
                return name
        return None


def root_sort_key(root, length):
    kind, name, fn, goid, addr, _ = root
    k = ROOT_KIND_ORDER.index(kind) if kind in ROOT_KIND_ORDER else len(ROOT_KIND_ORDER)
    return (length, k, name or fn or "", addr)


def self_check(r, truth, res):
    """Checks the truth file against the dump with the reader above."""
    try:
        d = Dump(r.dump)
        syms = Symbols("/usr/lib/go-%s/bin/go" % r.ver, r.exe)
    except (OSError, ValueError, IndexError, subprocess.CalledProcessError) as e:
        res.fail(r.where, "self-check: read dump", str(e))
        return
    rev = d.predecessors()
    roots = list(d.roots(syms))
    for item in truth["items"]:
        where = "%s/%s" % (r.where, item["name"])
        base, addr = parse_addr(item["base"]), parse_addr(item["address"])
        found = d.find(addr)
        if not res.check(found == base, where, "self-check: dump object containing address",
                         "got %s, want %s" % (found and hex(found), item["base"])):
            continue
        size = len(d.objects[base][0])
        res.check(size == item["size"], where, "self-check: dump slot size",
                  "got %d, want %d" % (size, item["size"]))
        fn = d.alloc_function(base)
        if item["alloc_function"]:  # "": sampled at a rate, maybe not this one
            res.check(fn == item["alloc_function"], where, "self-check: alloc sample",
                      "got %r, want %r" % (fn, item["alloc_function"]))
        # Distance from every object to the target, walking pointers backwards.
        dist = {base: 0}
        q = deque([base])
        while q:
            o = q.popleft()
            for p in rev.get(o, ()):
                if p not in dist:
                    dist[p] = dist[o] + 1
                    q.append(p)
        best = None
        for root in roots:
            o = d.find(root[5])
            if o in dist:
                cand = (root_sort_key(root, dist[o] + 1), root)
                if best is None or cand[0] < best[0]:
                    best = cand
        if not is_reachable(item, dump=True):
            res.check(best is None, where, "self-check: unreachable in the dump",
                      "reached from %s" % (best and (best[1][:4],)))
            continue
        if not res.check(best is not None, where, "self-check: reachable from a root"):
            continue
        length, root = best[0][0], best[1]
        lo, hi = path_range(item["path_length"])
        res.check(lo <= length <= hi, where, "self-check: shortest path length",
                  "got %d, want %s" % (length, item["path_length"]))
        got = {"kind": root[0], "name": root[1], "function": root[2], "goroutine": root[3]}
        want = {"kind": item["root_kind"], "name": item.get("root_name"),
                "function": item.get("root_function"), "goroutine": item.get("goroutine")}
        if root[0] in ("finalizer", "cleanup"):
            # a dump does not name a finalizer's function
            want["function"] = None
        res.check(got == want, where, "self-check: first root", "got %s, want %s" % (got, want))
        if res.verbose:
            print("     %s: path %d from %s" % (where, length, got))
        stale = item.get("stale_stack_function")
        if stale:
            res.check(stale_copy(d, stale, addr), where,
                      "self-check: dead slot of %s still holds the address" % stale)
        if item.get("all_roots"):
            n = len(item["all_roots"])
            firsts = {}
            for root in roots:
                o = d.find(root[5])
                if o in dist:
                    k = root_identity(root)
                    key = root_sort_key(root, dist[o] + 1)
                    if k not in firsts or key < firsts[k][0]:
                        firsts[k] = (key, root)
            order = [rt for _, rt in sorted(firsts.values(), key=lambda x: x[0])][:n]
            got = [rt[1] if rt[0] == "global" else rt[2] for rt in order]
            res.check(got == item["all_roots"], where, "self-check: first %d roots" % n,
                      "got %r, want %r" % (got, item["all_roots"]))
    self_check_retention(r, truth, d, roots, res)


def root_identity(root):
    """One root = one variable: a global's name, a frame's (function,
    goroutine); other roots count one per pointer."""
    kind, name, fn, goid, addr, _ = root
    if kind == "global":
        return (kind, name)
    if kind == "stack":
        return (kind, fn, goid)
    return (kind, addr)


class Reach:
    """Reachability over the dump's objects from a subset of its roots:
    retained size by definition (what becomes unreachable when an object or
    root goes away), independent of any dominator algorithm."""

    def __init__(self, d, roots):
        self.d = d
        self.fwd = {}
        for base, (contents, offs) in d.objects.items():
            ts = set()
            for _, v in d.pointers(contents, offs):
                t = d.find(v)
                if t is not None and t != base:
                    ts.add(t)
            self.fwd[base] = list(ts)
        self.roots = []  # (identity, kind, goid, target base)
        for root in roots:
            t = d.find(root[5])
            if t is not None:
                self.roots.append((root_identity(root), root[0], root[3], t))
        self.all = self.reach()

    def reach(self, drop_root=lambda rt: False, drop_object=None):
        seen = set()
        q = [t for rt in self.roots if not drop_root(rt) for t in (rt[3],)
             if t != drop_object]
        seen.update(q)
        while q:
            o = q.pop()
            for t in self.fwd[o]:
                if t not in seen and t != drop_object:
                    seen.add(t)
                    q.append(t)
        return seen

    def freed(self, **kw):
        """(bytes, objects) unreachable once the given roots/object are gone."""
        gone = self.all - self.reach(**kw)
        return sum(len(self.d.objects[b][0]) for b in gone), len(gone)


def self_check_retention(r, truth, d, roots, res):
    """Checks the truth's retained sizes, dominators and retention facts by
    removing objects and roots and seeing what becomes unreachable."""
    items = [it for it in truth["items"] if any(
        k in it for k in ("retained_bytes", "dominators", "dominated_by"))]
    facts = [rt for rt in truth.get("retention") or [] if rt["by"] != "site"]
    if not items and not facts:
        return
    rc = Reach(d, roots)
    for item in items:
        where = "%s/%s" % (r.where, item["name"])
        base = parse_addr(item["base"])
        if base not in rc.all:
            res.fail(where, "self-check: reachable for retention")
            continue
        if "retained_bytes" in item:
            got = rc.freed(drop_object=base)
            want = (item["retained_bytes"], item.get("retained_objects", got[1]))
            res.check(got == want, where, "self-check: retained (bytes, objects)",
                      "got %s, want %s" % (got, want))
        n = item.get("dominators")
        for k in ("nearest_dominator", "top_dominator"):
            if n and item.get(k):
                dom = parse_addr(item[k])
                res.check(dom in rc.all and dom != base and
                          base not in rc.reach(drop_object=dom), where,
                          "self-check: %s %s dominates" % (k, item[k]))
        label = item.get("dominated_by")
        if not label:
            continue
        top = parse_addr(item["top_dominator"]) if n else base
        if label == "globals":
            globs = {rt[0] for rt in rc.roots if rt[1] == "global"}
            res.check(top not in rc.reach(drop_root=lambda rt: rt[1] == "global"), where,
                      "self-check: the globals together keep it")
            single = [g for g in sorted(globs, key=str)
                      if top not in rc.reach(drop_root=lambda rt, g=g: rt[0] == g)]
            res.check(not single, where, "self-check: no single global keeps it",
                      "kept by %s alone" % single)
        elif label.startswith("global "):
            g = ("global", label[len("global "):])
            res.check(top not in rc.reach(drop_root=lambda rt: rt[0] == g), where,
                      "self-check: %s alone keeps it" % label)
    for rt in facts:
        if rt["by"] == "variable":
            what, drop = "global %s" % rt["name"], (lambda x, g=("global", rt["name"]): x[0] == g)
        elif rt["by"] == "group":
            if rt["name"] != "globals":
                continue
            what, drop = "group globals", (lambda x: x[1] == "global")
        else:
            what, drop = "goroutine %d" % rt["goroutine"], (
                lambda x, g=rt["goroutine"]: x[1] == "stack" and x[2] == g)
        got_b, got_o = rc.freed(drop_root=drop)
        row = {"retained_bytes": got_b, "retained_objects": got_o}
        check_bounds(res, r.where, "self-check: " + what, row, rt)


def stale_copy(d, function, addr):
    """True if a frame of function holds addr in a word that is not a live
    pointer slot (what only a conservative stack scan would follow)."""
    for fr in d.frames:
        if fr["name"] != function:
            continue
        live = set(fr["fields"])
        c = fr["contents"]
        for off in range(0, len(c) - 7, 8):
            if off not in live and struct.unpack_from("<Q", c, off)[0] == addr:
                return True
    return False


# ---------------------------------------------------------------- main

def check_reference(test_bin, r, core, res, what):
    """A unit program with a slow reference (tests/unit/test_typing.c for
    the type propagation, test_shared.c for shared retention) must agree
    with retain's algorithm on the dump and on the core."""
    args = [r.dump, r.exe] + ([r.core, r.exe] if core and os.path.exists(r.core) else [])
    p = subprocess.run([test_bin] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace", timeout=600)
    res.check(p.returncode == 0, r.where, what + " agrees with the reference", p.stdout[-1500:])


def pprof_raw_totals(text):
    """Sum of each sample type over the samples of `go tool pprof -raw`."""
    tot, in_samples = None, False
    for line in text.splitlines():
        if line.startswith("Samples:"):
            in_samples = True
            continue
        if in_samples and re.match(r"^[A-Z][a-z]+:?$", line.strip() or "X"):
            break
        m = re.match(r"^\s+(\d+(?:\s+\d+)*):", line)
        if in_samples and m:
            vals = [int(x) for x in m.group(1).split()]
            tot = vals if tot is None else [a + b for a, b in zip(tot, vals)]
    return tot


def check_name_queries(retain, r, core, res):
    """Names as queries on the sites program: `why main.cache` starts at
    the global; `dominators main.cache` is its subtree; `why --type
    main.entry` merges the 300 entries' paths into one from main.cache."""
    where = r.where + "/names"
    for kind, path in [("dump", r.dump)] + ([("core", r.core)] if core else []):
        why = run_retain(retain, ["why", "--json", "main.cache", path, r.exe], where, "why main.cache", res, False)
        root = ((why or {}).get("paths") or [{}])[0].get("root") or {} if isinstance(why, dict) else {}
        res.check(root.get("name") == "main.cache", where, "%s: why main.cache starts at the global" % kind,
                  json.dumps(root))
        dom = run_retain(retain, ["dominators", "--json", "--depth", "1", "main.cache", path, r.exe], where,
                         "dominators main.cache", res, False)
        tree = (dom or {}).get("tree") or {} if isinstance(dom, dict) else {}
        res.check(tree.get("label") == "global main.cache" and tree.get("retained_objects", 0) >= 300, where,
                  "%s: dominators main.cache is the global's subtree" % kind, json.dumps(tree)[:300])
        wt = run_retain(retain, ["why", "--json", "--type", "main.entry", path, r.exe], where, "why --type", res,
                        False)
        chains = (wt or {}).get("chains") or [] if isinstance(wt, dict) else []
        # (a dump may leave an entry untyped; entries in a map's overflow
        # buckets pass one hop more: a second, small chain)
        n = (wt or {}).get("count", 0) if isinstance(wt, dict) else 0
        ok = n >= 299 and chains and sum(c.get("count", 0) for c in chains) == n and \
            chains[0].get("count", 0) >= 250 and all((c.get("hops") or [""])[0] == "global main.cache" for c in chains)
        res.check(ok, where, "%s: why --type main.entry: the entries' paths merged, all from global main.cache" %
                  kind, json.dumps(wt)[:400])
    res.check(subprocess.run([retain, "why", "main.nosuch", r.dump, r.exe], capture_output=True).returncode == 1,
              where, "why of an unknown name: exit 1")


def check_export_paths(retain, r, core, res):
    """export --format pprof (--tree paths, the default) read by real go
    tool pprof: its totals are the reachable objects and bytes; -traces
    shows the chain of the frame-held buffers (goroutine → frame → var →
    [4096]uint8); with --by alloc, -list shows main.newEntry's source; our
    reader reads it back; dump and core exports diff with -diff_base."""
    where = r.where + "/export-paths"
    go = "/usr/lib/go-%s/bin/go" % r.ver
    env = dict(os.environ, HOME=os.path.join(r.dir, "pprof-home"), PPROF_TMPDIR=os.path.join(r.dir, "pprof-home"))
    os.makedirs(env["HOME"], exist_ok=True)
    outs = {}
    for kind, path in [("dump", r.dump)] + ([("core", r.core)] if core else []):
        prof = os.path.join(r.dir, "paths-%s.pb.gz" % kind)
        summary = run_retain(retain, ["export", "--format", "pprof", "-o", prof, "--json", path, r.exe], where,
                             "export pprof (%s)" % kind, res, False)
        ov = run_retain(retain, ["overview", "--json", path, r.exe], where, "overview (%s)" % kind, res, False)
        if not isinstance(summary, dict) or not isinstance(ov, dict):
            continue
        res.check(summary.get("tree") == "paths", where, "%s: the default tree is paths" % kind, repr(summary))
        outs[kind] = prof
        raw = run_plain([go, "tool", "pprof", "-raw", prof], where, "go tool pprof -raw (%s)" % kind, res, False,
                        env=env)
        tot = pprof_raw_totals(raw.decode("utf-8", "replace")) if raw is not None else None
        res.check(tot == [ov.get("reachable_objects"), ov.get("reachable_bytes")], where,
                  "%s: pprof's totals are the reachable objects and bytes" % kind,
                  "pprof %r, overview %r" % (tot, [ov.get("reachable_objects"), ov.get("reachable_bytes")]))
        tr = run_plain([go, "tool", "pprof", "-traces", prof], where, "go tool pprof -traces", res, False, env=env)
        text = tr.decode("utf-8", "replace") if tr is not None else ""
        res.check(re.search(r"160kB\s+\[4096\]uint8\s+var bufs\s+frame main.holder\s+goroutine main.holder", text)
                  is not None, where, "%s: -traces shows goroutine -> frame -> var -> [4096]uint8, 160kB" % kind,
                  text[:800])
        back = run_retain(retain, ["overview", "--json", prof], where, "our reader on the export", res, False)
        bp = (back or {}).get("profile") or {} if isinstance(back, dict) else {}
        res.check([bp.get("inuse_objects"), bp.get("inuse_bytes")] == [ov.get("reachable_objects"),
                                                                       ov.get("reachable_bytes")],
                  where, "%s: retain reads its own export back" % kind, json.dumps(bp))
    alloc = os.path.join(r.dir, "paths-alloc.pb.gz")
    if run_retain(retain, ["export", "--format", "pprof", "--by", "alloc", "-o", alloc, "--json", r.dump, r.exe],
                  where, "export pprof --by alloc", res, False) is not None:
        lst = subprocess.run([go, "tool", "pprof", "-list", "main.newEntry", alloc], capture_output=True, text=True,
                             env=env, cwd="/")
        res.check(lst.returncode == 0 and "ROUTINE" in lst.stdout and "func newEntry" in lst.stdout, where,
                  "--by alloc: pprof -list shows main.newEntry's source", (lst.stdout + lst.stderr)[:600])
    if len(outs) == 2:
        d = subprocess.run([go, "tool", "pprof", "-top", "-diff_base", outs["dump"], outs["core"]],
                           capture_output=True, text=True, env=env)
        res.check(d.returncode == 0 and "Type: inuse_space" in d.stdout, where,
                  "-diff_base of the dump's and the core's exports works", (d.stdout + d.stderr)[:400])


def check_growth(retain, r, truth, core, res):
    """`retain diff OLD -- NEW` between the program's two snapshots: dump
    and dump, dump and core (mixed), profile and profile (sites): each
    group of the truth has its deltas and status."""
    where = r.where + "/diff"
    old, old_prof = r.dump + ".old", r.dump + ".old.pb.gz"
    new_prof = os.path.join(os.path.dirname(r.dump), truth.get("profile") or "")
    pairs = [("dump+dump", [old, r.exe], [r.dump, r.exe])]
    if core:
        pairs.append(("dump+core", [old, r.exe], [r.core, r.exe]))
        # two cores of one process, the first of the live process (gcore)
        if res.check(is_core(old + ".core"), where, "the first snapshot's core (truth.Snapshot, gdb's gcore)",
                     old + ".core"):
            pairs.append(("core+core", [old + ".core", r.exe], [r.core, r.exe]))
    pairs.append(("profile+profile", [old_prof], [new_prof]))
    # (pprof's writer drops runtime.goexit from stacks, the runtime's
    # records keep it: a site must join across the two all the same)
    pairs.append(("profile+dump", [old_prof], [r.dump, r.exe]))
    full = {}  # by: the dump+dump diff, every group
    for label, a, b in pairs:
        for by in ("type", "site", "root"):
            wants = [g for g in truth["growth"] if g["by"] == by]
            if not wants or (label.startswith("profile") and by != "site"):
                continue
            out = run_retain(retain, ["diff", "--json", "--by", by, "-n", "0"] + a + ["--"] + b, where,
                             "diff --by %s (%s)" % (by, label), res, False)
            if not isinstance(out, dict):
                continue
            if label == "dump+dump":
                full[by] = out
            groups = out.get("groups") or []
            for want in wants:
                key = "label" if by == "site" else "name"
                got = [g for g in groups if g.get(key) == want["name"]]
                row = got[0] if len(got) == 1 else {}
                d = row.get("delta") or {}
                if want.get("at_least"):
                    ok = row.get("status") == want["status"] and isinstance(d.get("bytes"), int) and \
                        d["bytes"] >= want["bytes"]
                else:
                    ok = (row.get("status"), d.get("count"), d.get("bytes")) == \
                        (want["status"], want["count"], want["bytes"])
                res.check(ok, where, "%s --by %s: %s %s by %d objects, %d bytes" %
                          (label, by, want["name"], want["status"], want["count"], want["bytes"]),
                          json.dumps(got)[:500])
            deltas = [g.get("delta", {}).get("bytes") for g in groups]
            res.check(deltas == sorted(deltas, reverse=True), where, "%s --by %s: largest growth first" %
                      (label, by))
    # by type without a dominator tree (the default) and with one
    # (--retained): the same groups and reachable bytes; retained bytes
    # null, then numbers
    runs = [run_retain(retain, ["diff", "--json", "--by", "type", "-n", "0"] + extra +
                       [old, r.exe, "--", r.dump, r.exe], where, "diff --by type %s" % " ".join(extra), res, False)
            for extra in ([], ["--retained"])]
    if all(isinstance(x, dict) for x in runs):
        def sides(out, key):
            return [(g.get("name"), (g.get("old") or {}).get(key), (g.get("new") or {}).get(key))
                    for g in out.get("groups") or []]
        res.check(sides(runs[0], "reachable_bytes") == sides(runs[1], "reachable_bytes"), where,
                  "diff --by type: reachable bytes the same with and without --retained")
        nulls = {v for _, a, b in sides(runs[0], "retained_bytes") for v in (a, b)}
        nums = all(isinstance(v, int) for _, a, b in sides(runs[1], "retained_bytes") for v in (a, b)
                   if v is not None)
        res.check(nulls <= {None} and nums, where, "diff --by type: retained bytes null, numbers with --retained")
    # the report of the two snapshots: its growth tables say the same
    out = run_retain(retain, ["report", "--json", "--diff", old, r.exe, "--", r.dump, r.exe], where,
                     "report --diff", res, False)
    growth = out.get("growth") if isinstance(out, dict) else None
    if not res.check(isinstance(growth, dict), where, "report --diff: a growth section", json.dumps(out)[:300]):
        return
    # each table: the 30 groups of the diff that grew most, then the 10
    # that shrank most, as `diff` of the same two dumps lists them
    shown = {}
    for by, out in full.items():
        groups = out.get("groups") or []
        grew = [g for g in groups if (g.get("delta") or {}).get("bytes", 0) > 0][:30]
        shrank = [g for g in groups if (g.get("delta") or {}).get("bytes", 0) < 0][-10:]
        want = [(g.get("name"), g.get("delta")) for g in grew + shrank]
        got = [(g.get("name"), g.get("delta")) for g in growth.get(by + "s") or []]
        res.check(got == want, where, "report --diff: growth by %s lists what diff lists (30 grown, 10 shrunk)" % by,
                  "got %s, want %s" % (json.dumps(got)[:300], json.dumps(want)[:300]))
        shown[by] = {g.get("label" if by == "site" else "name") for g in grew + shrank}
    for want in truth["growth"]:
        if want["by"] in shown and want["name"] not in shown[want["by"]]:
            continue  # outside the report's cut (other groups grew more): checked by diff above
        key = "label" if want["by"] == "site" else "name"
        rows = [g for g in growth.get(want["by"] + "s") or [] if g.get(key) == want["name"]]
        d = rows[0].get("delta") or {} if len(rows) == 1 else {}
        ok = rows and rows[0].get("status") == want["status"] and isinstance(d.get("bytes"), int) and \
            (d["bytes"] >= want["bytes"] if want.get("at_least") else
             (d.get("count"), d["bytes"]) == (want["count"], want["bytes"]))
        res.check(bool(ok), where, "report --diff: %s %s %s" % (want["by"], want["name"], want["status"]),
                  json.dumps(rows)[:300])


def check_goroutines(retain, r, truth, core, res):
    """`retain goroutines --group --json` on the dump and the core: each
    group of the truth is one row with its count, status, wait reason,
    creator and at least the bytes it retains; ungrouped, as many rows."""
    where = r.where + "/goroutines"
    for kind, path in [("dump", r.dump)] + ([("core", r.core)] if core else []):
        out = run_retain(retain, ["goroutines", "--group", "--json", "-n", "0", path, r.exe], where,
                         "goroutines --group (%s)" % kind, res, False)
        if not isinstance(out, dict):
            continue
        rows = out.get("goroutines") or []
        for want in truth["goroutines"]:
            got = [x for x in rows if (x.get("user_frame") or {}).get("function") == want["function"]]
            row = got[0] if len(got) == 1 else {}
            ok = (row.get("count"), row.get("status"), row.get("wait_reason"),
                  (row.get("created_by") or {}).get("function")) == \
                (want["count"], want["status"], want["wait_reason"], want["created_by"])
            ok = ok and row.get("retained_bytes", 0) >= want["min_retained"] * want["count"]
            if kind == "core":  # cores give every frame's file and line
                uf = row.get("user_frame") or {}
                ok = ok and str(uf.get("file", "")).endswith(".go") and isinstance(uf.get("line"), int)
            res.check(ok, where, "%s: one row of %d x %s, %s (%s), created by %s" %
                      (kind, want["count"], want["function"], want["status"], want["wait_reason"],
                       want["created_by"]), json.dumps(got)[:600])
        flat = run_retain(retain, ["goroutines", "--json", "-n", "0", path, r.exe], where,
                          "goroutines (%s)" % kind, res, False)
        if isinstance(flat, dict):
            n = sum(w["count"] for w in truth["goroutines"])
            mine = [x for x in flat.get("goroutines") or []
                    if (x.get("user_frame") or {}).get("function") in {w["function"] for w in truth["goroutines"]}]
            res.check(len(mine) == n and all(x.get("count") == 1 for x in mine), where,
                      "%s: ungrouped, one row per goroutine (%d)" % (kind, n), "got %d" % len(mine))


def check_site_estimate(row, want, kind, where, res):
    """A site sampled at the default rate: the estimate of the population
    lies within 50 % of the truth (about four standard deviations), the
    profile's estimate from the same samples equals it within 2 %, and the
    keeper is the truth's."""
    est = row.get("estimated_objects")
    prof = (row.get("profile") or {}).get("inuse_objects")
    n = want["objects"]
    if kind == "profile":  # no heap: the profile's own estimate only
        ok = isinstance(prof, int) and abs(prof - n) <= 0.5 * n and row.get("objects") == 0
    else:
        ok = isinstance(est, int) and abs(est - n) <= 0.5 * n and isinstance(prof, int) and \
            abs(prof - est) <= 0.02 * est + 1 and 0 < row.get("objects", 0) < n and \
            site_root_matches(row, want["root"])
    res.check(ok, where, "%s: %s estimated as %d objects within 50%%, as the profile does" %
              (kind, want["function"], n), json.dumps({k: row.get(k) for k in
                                                        ("objects", "estimated_objects", "profile", "roots")})[:500])


def site_root_matches(row, want):
    """Does the largest keeper of a `sites --json` row match the truth's
    root: a global's name, "goroutine FUNC", or "shared"?"""
    roots = row.get("roots") or []
    if not roots:
        return False
    top = roots[0]
    if want == "shared":
        return top.get("kind") == "shared"
    if want.startswith("goroutine "):
        return top.get("kind") == "stack" and top.get("function") == want.split(" ", 1)[1]
    return top.get("kind") == "global" and top.get("name") == want


def check_sites(retain, r, truth, core, res):
    """`retain sites --by function --profile P` on the dump and the core
    (and on the profile alone): each site of the truth has its live objects
    and bytes, the profile's in-use figures equal them (every allocation is
    sampled), the root keeping most of them is the truth's; a profile of
    another build is said to be one."""
    profile = os.path.join(os.path.dirname(r.dump), truth.get("profile") or "")
    where = r.where + "/sites"
    if not res.check(os.path.isfile(profile), where, "the program wrote its heap profile", profile):
        return
    runs = [("dump", [r.dump, r.exe])] + ([("core", [r.core, r.exe])] if core else []) + [("profile", [r.exe])]
    for kind, inputs in runs:
        out = run_retain(retain, ["sites", "--json", "--by", "function", "-n", "0", "--profile", profile] + inputs,
                         where, "sites (%s)" % kind, res, False)
        if not isinstance(out, dict):
            continue
        rows = {x.get("function"): x for x in out.get("sites") or []}
        rate = truth.get("memprofile_rate")
        res.check(out.get("rate") == rate and (out.get("profile") or {}).get("path") == profile, where,
                  "%s: rate %s and the profile used" % (kind, rate),
                  json.dumps({k: out.get(k) for k in ("rate", "profile")}))
        for want in truth["sites"]:
            if want.get("estimated"):
                check_site_estimate(rows.get(want["function"]) or {}, want, kind, where, res)
                continue
            row = rows.get(want["function"]) or {}
            prof = row.get("profile") or {}
            got_heap = (row.get("objects"), row.get("bytes"))
            ok = (prof.get("inuse_objects"), prof.get("inuse_bytes")) == (want["objects"], want["bytes"])
            if kind != "profile":
                ok = ok and got_heap == (want["objects"], want["bytes"]) and site_root_matches(row, want["root"])
            else:
                ok = ok and got_heap == (0, 0) and not row.get("roots")
            res.check(ok, where, "%s: %s has %d objects (%d B) live, in the profile too, kept by %s" %
                      (kind, want["function"], want["objects"], want["bytes"], want["root"]),
                      json.dumps(row)[:500])
    if r.scn == "sites":
        check_export_paths(retain, r, core, res)
        check_name_queries(retain, r, core, res)
    other = [x for x in glob.glob(os.path.join(os.path.dirname(r.dir), "*", "prog")) if x != r.exe]
    if other:
        out = run_retain(retain, ["overview", "--json", profile, other[0]], where, "overview (other build)",
                         res, False)
        warns = " ".join((out or {}).get("warnings") or []) if isinstance(out, dict) else ""
        res.check("another build" in warns, where, "a profile of another build is said to be one", warns[:300])


def symtab_addrs(exe, names):
    """Addresses of the named data symbols in exe's symbol table."""
    out = subprocess.run(["readelf", "-sW", exe], capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] in names:
            got[f[7]] = int(f[1], 16)
    return got


def globals_wrong(found, exe):
    """The runtime globals an overview --json found (its runtime_globals)
    that are not where exe's symbol table puts them, moved by one load bias
    (0 unless PIE, page-aligned): {name: (found, symbol)}."""
    want = symtab_addrs(exe, [k for k in found if k.startswith("runtime.")])
    got = {k: int(found[k], 16) for k in want if found.get(k)}
    if not got:
        return {"(none found)": None}
    bias = got["runtime.mheap_"] - want["runtime.mheap_"] if "runtime.mheap_" in got else 0
    pie = "DYN" in subprocess.run(["readelf", "-h", exe], capture_output=True, text=True).stdout
    if bias % 4096 or (bias and not pie):
        return {"load bias": hex(bias)}
    return {k: (hex(a), hex(want[k] + bias)) for k, a in got.items() if a != want[k] + bias}


def check_no_dwarf(retain, r, res, where, bare, hexid):
    """The core with the stripped executable and no debug file anywhere: read
    from what the runtime keeps (issue 9): the same objects, reachable set
    and goroutines as the full build; the runtime's globals found from the
    code at the addresses the full build's symbol table gives; with
    --symbols (the full build) the same roots, edges and paths too."""
    env = dict(os.environ)
    env.pop("RETAIN_DEBUG_PATH", None)

    def run(args):
        p = subprocess.run([retain] + args, capture_output=True, text=True, env=env)
        try:
            return p.returncode, json.loads(p.stdout), p.stderr
        except ValueError:
            return p.returncode, None, p.stderr

    full = run_retain(retain, ["overview", "--json", r.core, r.exe], where, "overview (full)", res, False)
    rc, ov, err = run(["overview", "--json", r.core, bare])
    if not res.check(rc == 0 and isinstance(ov, dict) and isinstance(full, dict), where,
                     "core, stripped executable, no debug file: read without DWARF",
                     "exit %d: %s" % (rc, err[-400:])):
        return
    res.check(bool(ov.get("degraded")) and hexid in " ".join(ov.get("warnings", [])), where,
              "without DWARF: overview says what is degraded and names the build id looked for",
              repr(ov.get("degraded"))[:300])
    same = ("objects", "bytes", "reachable_objects", "reachable_bytes", "goroutines", "spans")
    diff = {k: (full.get(k), ov.get(k)) for k in same if full.get(k) != ov.get(k)}
    res.check(not diff, where, "without DWARF: objects, reachable set and goroutines equal the full build's",
              repr(diff)[:300])
    g = ov.get("runtime_globals") or {}
    bad = globals_wrong(g, r.exe)
    need = [k for k in ("runtime.mheap_", "runtime.allgs", "runtime.firstmoduledata") if not g.get(k)]
    res.check(g.get("found_by") == "code" and not bad and not need, where,
              "without symbols: the runtime's globals found from the code, at the symbol table's addresses",
              "found by %r, wrong %r, missing %r" % (g.get("found_by"), bad, need))
    rc, with_syms, err = run(["roots", "--json", "-n", "0", r.core, bare, "--symbols", r.exe])
    want_roots = run_retain(retain, ["roots", "--json", "-n", "0", r.core, r.exe], where, "roots (full)", res,
                            False)

    def untyped(roots):
        """roots without what only DWARF gives: types and frame slots"""
        if not isinstance(roots, dict):
            return None
        out = []
        for x in roots.get("roots", []):
            # a static value (`var p = &T{}`) is named *p by its DWARF type
            # only; without DWARF it is a data+0x… word
            name = str(x.get("name"))
            if x.get("kind") != "stack" and not name.startswith(("*", "data+", "bss+")):
                out.append((x.get("kind"), x.get("name"), x.get("address"), x.get("reachable_bytes")))
        return sorted(out, key=repr)
    res.check(rc == 0 and untyped(with_syms) == untyped(want_roots), where,
              "--symbols: the roots but frames, their names and what they reach equal the full build's",
              "exit %d: %s" % (rc, err[-300:]))
    # a heap dump with the stripped executable: --symbols names its globals too
    rc, dump_syms, err = run(["roots", "--json", "-n", "0", r.dump, bare, "--symbols", r.exe])
    want_dump = run_retain(retain, ["roots", "--json", "-n", "0", r.dump, r.exe], where, "dump roots (full)",
                           res, False)
    res.check(rc == 0 and untyped(dump_syms) == untyped(want_dump), where,
              "dump --symbols: the roots but frames, their names and what they reach equal the full build's",
              "exit %d: %s" % (rc, err[-300:]))
    rc, _, err = run(["overview", r.core, bare, "--symbols", bare])
    res.check(rc == 1 and len(err.strip().splitlines()) == 1 and "symbol table" in err, where,
              "--symbols FILE without a symbol table: one line", "exit %d: %s" % (rc, err[-300:]))


def type_name_canon(t):
    """A type's name without import paths: the runtime's descriptors say
    json.field where DWARF says encoding/json.field (and json for
    encoding/json/v2, whose package is json)."""
    if not t:
        return t
    t = re.sub(r"/v\d+\.", ".", t)
    t = re.sub(r"(?:[\w.\-]+/)+(\w+\.)", r"\1", t)
    # [n]T and [m]T name one element type: a slice's cap or the slot's
    # size, whichever evidence came first
    return re.sub(r"^\[\d+\]", "[]", t)


def check_no_dwarf_types(retain, r, truth, res):
    """The core, and the heap dump, read with the executable stripped of
    DWARF and symbols: types come from the runtime's descriptors (read from
    the core, or from the executable's file for the dump), seeded by malloc
    headers (1.22+) and by interface values (every version). An object an
    interface holds has its type (the truth's iface_typed items); objects
    typed both ways agree with the full build's (names compared without
    import paths, an array's length aside; map internals, which the two
    sources name differently, and 16-byte tiny blocks left out) for at
    least 95% of them (a few hundred objects: a handful of conflicts, such
    as runtime.m allocated as runtime.mPadded, is some percent)."""
    bare = os.path.join(r.dir, "prog.bare")
    p = subprocess.run(["strip", "--strip-all", "-o", bare, r.exe], capture_output=True, text=True)
    if not res.check(p.returncode == 0, r.where + "/nodwarf", "strip --strip-all", p.stderr[-300:]):
        return
    env = dict(os.environ)
    env.pop("RETAIN_DEBUG_PATH", None)
    mapint = re.compile(r"bucket|map\.group")
    for kind, inp in (("core", r.core), ("dump", r.dump)):
        where = "%s/nodwarf/%s" % (r.where, kind)
        objs = {}
        for label, exe in (("full", r.exe), ("bare", bare)):
            p = subprocess.run([retain, "objects", "--jsonl", inp, exe], capture_output=True, text=True, env=env,
                               timeout=RETAIN_TIMEOUT)
            try:
                objs[label] = {o["base"]: (o.get("type"), o.get("size") or 0)
                               for o in map(json.loads, p.stdout.splitlines())}
            except ValueError:
                objs[label] = None
            if not res.check(p.returncode == 0 and objs[label] is not None, where,
                             "objects --jsonl (%s)" % label, p.stderr[-300:]):
                break
        else:
            for item in truth["items"]:
                if item.get("iface_typed"):
                    got = objs["bare"].get(item["base"], (None, 0))[0]
                    res.check(got == item["type"], where, "without DWARF: %s, held by an interface, is a %s" %
                              (item["name"], item["type"]), "got %r" % got)
            # (16-byte blocks are left out: the tiny allocator packs values
            # of several types into one, and which of them names the block
            # depends on which pointers were typed first, not on what is right)
            full = {b: t for b, (t, size) in objs["full"].items() if size > 16}
            both = [(full[b], t) for b, (t, size) in objs["bare"].items()
                    if t and full.get(b) and not mapint.search(t) and not mapint.search(full[b])]
            agree = sum(1 for f, t in both if type_name_canon(f) == type_name_canon(t))
            wrong = sorted({(t, f) for f, t in both if type_name_canon(f) != type_name_canon(t)})
            res.check(len(both) > 0 and agree >= 0.95 * len(both), where,
                      "without DWARF: types agree with the full build's for 95% of the objects typed both ways",
                      "%d of %d; (without, with): %r" % (agree, len(both), wrong[:5]))


def no_inputs(out):
    """A JSON answer without its "inputs" (which name the files given)."""
    if isinstance(out, dict):
        out = dict(out)
        out.pop("inputs", None)
    return out


def check_split(retain, r, res):
    """A stripped executable with its DWARF in a separate debug file
    (objcopy --only-keep-debug, then --strip-all --add-gnu-debuglink), on
    the core and the dump: given together, in either order, or found by
    build id under --debug-dir, the answers are the full build's, byte for
    byte; found nowhere, a one-line error naming the build id; a debug
    file of another build is refused."""
    where = r.where + "/split"
    d = os.path.join(r.dir, "split")
    shutil.rmtree(d, ignore_errors=True)
    alone = os.path.join(d, "alone")
    tree = os.path.join(d, "debug")
    os.makedirs(alone)
    debug, stripped = os.path.join(d, "prog.debug"), os.path.join(d, "prog")
    p = subprocess.run(["objcopy", "--only-keep-debug", r.exe, debug], capture_output=True, text=True)
    q = subprocess.run(["objcopy", "--strip-all", "--add-gnu-debuglink=" + debug, r.exe, stripped],
                       capture_output=True, text=True, cwd=d) if p.returncode == 0 else p
    if not res.check(q.returncode == 0, where, "objcopy", (p.stderr + q.stderr)[-500:]):
        return
    shutil.copy(stripped, os.path.join(alone, "prog"))
    bid = subprocess.run(["readelf", "-n", r.exe], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", bid)
    if not res.check(m is not None, where, "the test build has a GNU build id", bid[-300:]):
        return
    hexid = m.group(1)
    os.makedirs(os.path.join(tree, ".build-id", hexid[:2]))
    shutil.copy(debug, os.path.join(tree, ".build-id", hexid[:2], hexid[2:] + ".debug"))
    first = (r.truth_items[0]["address"] if r.truth_items else None)
    for inp in [r.core, r.dump] if os.path.exists(r.core) else [r.dump]:
        kind = "core" if inp == r.core else "dump"
        want = no_inputs(run_retain(retain, ["roots", "--json", "-n", "0", inp, r.exe], where, "roots (full)",
                                    res, False))
        want_why = no_inputs(run_retain(retain, ["why", "--json", first, inp, r.exe], where, "why (full)", res,
                                        False)) if first else None
        for label, args in (("stripped + debug", [inp, stripped, debug]),
                            ("debug + stripped", [inp, debug, stripped]),
                            ("--debug-dir .build-id", [inp, os.path.join(alone, "prog"),
                                                       "--debug-dir", tree])):
            got = no_inputs(run_retain(retain, ["roots", "--json", "-n", "0"] + args, where,
                                       "%s roots (%s)" % (kind, label), res, False))
            res.check(got == want, where, "%s roots (%s) equal the full build's" % (kind, label),
                      "differ" if got is not None else "no output")
            if first:
                got = no_inputs(run_retain(retain, ["why", "--json", first] + args, where,
                                           "%s why (%s)" % (kind, label), res, False))
                res.check(got == want_why, where, "%s why (%s) equals the full build's" % (kind, label),
                          "differ" if got is not None else "no output")
        ov = run_retain(retain, ["overview", "--json", inp, os.path.join(alone, "prog"), "--debug-dir", tree],
                        where, "%s overview --debug-dir" % kind, res, False)
        if isinstance(ov, dict):
            res.check(str(ov.get("debug_file", "")).endswith(hexid[2:] + ".debug"), where,
                      "%s overview: debug_file found by build id" % kind, repr(ov.get("debug_file")))
    if os.path.exists(r.core):
        check_no_dwarf(retain, r, res, where, os.path.join(alone, "prog"), hexid)
    p = subprocess.run([retain, "overview", r.dump, stripped, debug, debug], capture_output=True, text=True)
    res.check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, where,
              "a debug file given twice: a usage error", "exit %d: %s" % (p.returncode, p.stderr[-400:]))
    other = [x for x in glob.glob(os.path.join(os.path.dirname(r.dir), "*", "prog")) if x != r.exe]
    if other:
        p = subprocess.run([retain, "overview", r.dump, stripped, other[0]], capture_output=True, text=True)
        res.check(p.returncode != 0 and "another build" in p.stderr, where,
                  "a debug file of another build is refused", "exit %d: %s" % (p.returncode, p.stderr[-400:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", help="path to the retain executable")
    ap.add_argument("--go", default="all",
                    help="toolchain version(s): 1.22, 1.19,1.24 or all (default)")
    ap.add_argument("--work", required=True, help="directory for builds, dumps, truths")
    ap.add_argument("--scenario", "-s", action="append",
                    help="scenario name (repeatable); default all")
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    ap.add_argument("--self-check", action="store_true",
                    help="also verify the truth files with the built-in dump reader")
    ap.add_argument("--force", action="store_true", help="rebuild and rerun even if up to date")
    ap.add_argument("--no-core", action="store_true",
                    help="no cores: run the programs without SIGABRT, check the dumps only")
    ap.add_argument("--core-method", choices=("auto", "kernel", "gcore"), default="auto",
                    help="how to take cores: the kernel's core on SIGABRT, or gdb's gcore "
                         "of the paused process (default: kernel unless core_pattern "
                         "sends cores elsewhere)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print passing checks too")
    ap.add_argument("--clean-passed", action="store_true",
                    help="delete a scenario's directory (program, dump, cores, indexes) once all "
                         "its checks pass: bounds the disk a full run needs (CI); a failing "
                         "scenario's files stay for a look")
    ap.add_argument("--threads-only", action="store_true",
                    help="check only that -j 1 and -j 4 answer the same on each core (the ThreadSanitizer run)")
    ap.add_argument("--shared-ref", metavar="TEST_SHARED",
                    help="also compare shared retention with tests/unit/test_shared.c")
    ap.add_argument("--typing-ref", metavar="TEST_TYPING",
                    help="tests/unit/test_typing: compare the type propagation with its slow "
                         "reference on every dump and core")
    a = ap.parse_args()

    if not a.retain and not a.self_check and not a.dry_run:
        ap.error("give --retain, --self-check, or both")
    versions = installed_versions() if a.go == "all" else a.go.split(",")
    scenarios = a.scenario or all_scenarios()
    unknown = [s for s in scenarios if s not in all_scenarios()]
    if unknown:
        ap.error("unknown scenario(s) %s; have %s" % (", ".join(unknown), ", ".join(all_scenarios())))
    work = os.path.abspath(a.work)
    retain = os.path.abspath(a.retain) if a.retain else None
    # what index_trust.c remembers stays in the work directory, not in
    # the user's cache
    os.environ.setdefault("RETAIN_CACHE_DIR", os.path.join(work, "retain-cache"))

    core = None if a.no_core else (core_method() if a.core_method == "auto" else a.core_method)
    res = Results(a.verbose)
    t0 = time.time()
    for ver in versions:
        for scn in scenarios:
            r = Run(work, ver, scn)
            failed_before = res.failed
            truth = build_and_run(r, work, res, a.dry_run, a.force, core)
            if a.dry_run:
                if retain:
                    items = truth["items"] if truth else [
                        {"name": "?", "address": "<address from %s>" % r.truth}]
                    for it in items:
                        show([retain, "why", "--json", it["address"], r.dump, r.exe])
                    for it in (truth or {}).get("items", []):
                        if it.get("all_roots"):
                            show([retain, "why", "--all", str(len(it["all_roots"])), "--json",
                                  it["address"], r.dump, r.exe])
                    for cmd in ("overview", "top", "objects"):
                        show([retain, cmd, "--json", r.dump])
                    roots = check_retention(retain, r, truth, res, True)
                    check_chains(retain, r, truth, res, True)
                    check_export(retain, r, work, roots, res, True)
                    if core:
                        check_core(retain, r, truth, res, True)
                continue
            if truth is None:
                continue
            if a.self_check:
                self_check(r, truth, res)
            if retain and a.threads_only:
                if core:
                    addrs = [it["address"] for it in truth["items"] if is_reachable(it)]
                    same_answers.check_threads(retain, "%s/core threads" % r.where, [r.core, r.exe], addrs,
                                               os.path.join(r.dir, "threads"), res)
            elif retain:
                for item in truth["items"]:
                    check_why(retain, r, item, res, False)
                check_reports(retain, r, truth, res, False)
                roots = check_retention(retain, r, truth, res, False)
                check_shared(retain, r.where, [r.dump, r.exe], truth, res, False)
                check_hidden(retain, r.where, [r.dump, r.exe], truth, res, False)
                check_chains(retain, r, truth, res, False)
                check_export(retain, r, work, roots, res, False)
                if core:
                    check_core(retain, r, truth, res, False)
                if a.typing_ref:
                    check_reference(a.typing_ref, r, core, res, "type propagation")
                if a.shared_ref:
                    check_reference(a.shared_ref, r, core, res, "shared retention")
                if r.scn == "roots":
                    r.truth_items = truth["items"]
                    check_split(retain, r, res)
                if core and r.scn in ("roots", "iface"):
                    check_no_dwarf_types(retain, r, truth, res)
                if truth.get("sites"):
                    check_sites(retain, r, truth, core, res)
                if truth.get("goroutines"):
                    check_goroutines(retain, r, truth, core, res)
                if truth.get("growth"):
                    check_growth(retain, r, truth, core, res)
                if r.scn in SAME_ANSWER_SCENARIOS:
                    addrs = [it["address"] for it in truth["items"] if is_reachable(it, dump=True)]
                    for kind, heap in (("dump", r.dump), ("core", r.core if core else None)):
                        if heap:
                            same_answers.check_index(retain, "%s/%s index" % (r.where, kind), [heap, r.exe],
                                                     addrs, os.path.join(r.dir, "index-" + kind), res)
                    if core:
                        same_answers.check_threads(retain, "%s/core threads" % r.where, [r.core, r.exe], addrs,
                                                   os.path.join(r.dir, "threads"), res)
            if a.clean_passed and res.failed == failed_before:
                shutil.rmtree(r.dir, ignore_errors=True)
    if a.verbose:
        print("(%.1fs)" % (time.time() - t0))
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())

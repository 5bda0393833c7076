"""Every command answers the same whichever way it is asked.

Used by scenarios.py on real cores and dumps:
- check_index: `retain index INPUTS -o X.rtx`, then each command's JSON
  (and each written file) from the inputs and from X.rtx, compared byte
  for byte once the one key that says where an answer came from ("index"
  under "inputs") is dropped.  Then the index is damaged in the ways a
  disk or a user damages files, and each must be refused with one line
  naming the file (exit 1), never a crash.  An index checked whole once is
  trusted while unchanged (index_trust.c): damaged in place after such a
  check, it must be refused all the same.
- check_threads: each command with -j 1 and with -j 4, byte for byte.
"""

import gzip
import json
import os
import shutil
import subprocess
import time

TIMEOUT = 600


def _run(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return None


def _drop_index(x):
    """The JSON with inputs.index removed, wherever "inputs" appears."""
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k == "inputs" and isinstance(v, dict):
                v = {kk: vv for kk, vv in v.items() if kk != "index"}
            out[k] = _drop_index(v)
        return out
    if isinstance(x, list):
        return [_drop_index(v) for v in x]
    return x


def _first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "at byte %d: %r / %r" % (i, a[max(0, i - 60):i + 60], b[max(0, i - 60):i + 60])
    return "lengths %d / %d" % (len(a), len(b))


def commands(addrs):
    """(name, args, output file suffix or None) of what is compared."""
    cmds = [
        ("overview", ["overview"], None),
        ("top", ["top", "-n", "0"], None),
        ("top --retained", ["top", "--retained", "-n", "0"], None),
        ("top --by site", ["top", "--by", "site", "-n", "0"], None),
        ("roots", ["roots", "-n", "0"], None),
        ("roots --by goroutine", ["roots", "--by", "goroutine", "-n", "0"], None),
        ("dominators", ["dominators", "--depth", "4", "--min-bytes", "0"], None),
        ("shared", ["shared", "-n", "0", "--roots", "0"], None),
        ("sites", ["sites", "-n", "0"], None),
        ("goroutines", ["goroutines", "-n", "0"], None),
        ("goroutines --group", ["goroutines", "--group", "-n", "0"], None),
        ("objects", ["objects"], None),
        ("export dot", ["export", "--format", "dot"], ".dot"),
        ("export pprof", ["export", "--format", "pprof"], ".pb.gz"),
        ("report", ["report"], None),
        ("report html", ["report"], ".html"),
    ]
    for a in addrs[:3]:
        cmds.append(("why " + a, ["why", a], None))
        cmds.append(("why --all 3 " + a, ["why", "--all", "3", a], None))
        cmds.append(("dominators " + a, ["dominators", a], None))
    return cmds


def _answer(retain, args, inputs, outfile, where, what, res, flags=()):
    """stdout's JSON (minus inputs.index), or the written file's bytes."""
    cmd = [retain] + args + list(flags) + inputs + (["-o", outfile] if outfile else ["--json"])
    p = _run(cmd)
    if p is None:
        res.fail(where, what, "timed out: " + " ".join(cmd))
        return None
    if not res.check(p.returncode == 0, where, what + " exit status",
                     "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-600:])):
        return None
    if outfile:
        with open(outfile, "rb") as f:
            data = f.read()
        return gzip.decompress(data) if outfile.endswith(".gz") else data
    try:
        return json.dumps(_drop_index(json.loads(p.stdout)), sort_keys=True).encode()
    except ValueError as e:
        res.fail(where, what + " JSON", str(e))
        return None


def _refused(retain, path, where, what, res, words, env=None):
    p = _run([retain, "overview", path], env)
    if p is None:
        res.fail(where, what, "timed out")
        return
    err = p.stderr.decode("utf-8", "replace").strip()
    one_line = len(err.splitlines()) == 1
    res.check(p.returncode == 1 and one_line and path in err and any(w in err for w in words), where, what,
              "exit %d, stderr %r" % (p.returncode, err[:400]))


def check_damage(retain, rtx, work, where, res):
    """Damaged copies of rtx are refused with one line naming the file."""
    with open(rtx, "rb") as f:
        data = bytearray(f.read())
    bad = os.path.join(work, "damaged.rtx")

    def write(b):
        with open(bad, "wb") as f:
            f.write(b)

    write(data[:len(data) // 2])
    _refused(retain, bad, where, "index cut in half refused", res, ["cut short", "outside the file"])
    write(data[:40])
    _refused(retain, bad, where, "index cut inside its header refused", res, ["too short", "cut short"])
    flipped = bytearray(data)
    flipped[len(flipped) * 2 // 3] ^= 0x40
    write(flipped)
    _refused(retain, bad, where, "index with a flipped bit refused", res, ["damaged", "checksum"])
    other = bytearray(data)
    other[8] ^= 0x7f  # the format version
    write(other)
    _refused(retain, bad, where, "index of another format refused", res, ["format"])
    # An index is not combined with other inputs; and never written over one.
    p = _run([retain, "overview", rtx, rtx])
    res.check(p is not None and p.returncode == 2, where, "two indexes refused as a usage error",
              "exit %s" % (p.returncode if p else "timeout"))


def check_trust(retain, trusted, written_at, work, where, res):
    """trusted: a copy of an index written at time written_at.  Checked
    whole once it has settled (index_trust.c keeps no check made within
    2 s of a change), it is trusted while unchanged; a byte changed in
    place must still be seen."""
    cache = os.path.join(work, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, RETAIN_CACHE_DIR=cache)
    time.sleep(max(0.0, written_at + 2.5 - time.time()))
    first = _run([retain, "overview", "--json", trusted], env)
    listed = os.path.join(cache, "checked-indexes")
    lines = open(listed).read().splitlines() if os.path.exists(listed) else []
    if not res.check(first is not None and first.returncode == 0 and len(lines) == 1, where,
                     "an index checked whole is remembered as checked",
                     "exit %s, list %r" % (first.returncode if first else "timeout", lines)):
        return
    again = _run([retain, "overview", "--json", trusted], env)
    res.check(again is not None and again.returncode == 0 and again.stdout == first.stdout, where,
              "an index remembered as checked answers as before", _first_diff(first.stdout, again.stdout if again else b""))
    with open(trusted, "r+b") as f:
        f.seek(os.path.getsize(trusted) * 2 // 3)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x40]))
    _refused(retain, trusted, where, "an index damaged in place after its check is refused", res,
             ["damaged", "checksum"], env)


def check_index(retain, where, inputs, addrs, work, res):
    """inputs: the files of one snapshot (core or dump, and the executable)."""
    os.makedirs(work, exist_ok=True)
    rtx = os.path.join(work, "heap.rtx")
    p = _run([retain, "index", "--json"] + inputs + ["-o", rtx])
    if p is None or not res.check(p.returncode == 0, where, "index written",
                                  "exit %s: %s" % (p.returncode if p else "timeout",
                                                   p.stderr.decode("utf-8", "replace")[-600:] if p else "")):
        return
    trusted = os.path.join(work, "trusted.rtx")
    shutil.copyfile(rtx, trusted)
    written_at = time.time()
    p = _run([retain, "index"] + inputs + ["-o", inputs[0]])
    res.check(p is not None and p.returncode == 2 and os.path.getsize(inputs[0]) > 0, where,
              "index -o INPUT refused", "exit %s" % (p.returncode if p else "timeout"))
    for name, args, suffix in commands(addrs):
        a = _answer(retain, args, inputs, os.path.join(work, "a" + suffix) if suffix else None, where, name, res)
        b = _answer(retain, args, [rtx], os.path.join(work, "b" + suffix) if suffix else None, where,
                    name + " (index)", res)
        if a is not None and b is not None:
            res.check(a == b, where, name + ": the index answers as the inputs do", _first_diff(a, b))
    p = _run([retain, "overview", rtx])
    out = p.stdout.decode("utf-8", "replace") if p else ""
    res.check(p is not None and p.returncode == 0 and ("index        " + rtx) in out, where,
              "overview says the answers come from the index", out[:400])
    check_damage(retain, rtx, work, where, res)
    check_trust(retain, trusted, written_at, work, where, res)
    # A changed input is said on stderr, the answer still given.
    copy = os.path.join(work, "input-copy")
    shutil.copyfile(inputs[0], copy)
    p = _run([retain, "index"] + [copy] + inputs[1:] + ["-o", rtx])
    if p is not None and p.returncode == 0:
        with open(copy, "ab") as f:
            f.write(b"\0" * 4096)
        p = _run([retain, "overview", rtx])
        err = p.stderr.decode("utf-8", "replace") if p else ""
        res.check(p is not None and p.returncode == 0 and "changed since the index" in err and copy in err,
                  where, "a changed input is said", "exit %s, stderr %r" % (p.returncode if p else None, err[:300]))
    os.unlink(copy)


def check_threads(retain, where, inputs, addrs, work, res):
    """Each command with one thread and with four: the same bytes."""
    os.makedirs(work, exist_ok=True)
    for name, args, suffix in commands(addrs):
        a = _answer(retain, args, inputs, os.path.join(work, "j1" + suffix) if suffix else None, where,
                    name + " -j 1", res, ["-j", "1"])
        b = _answer(retain, args, inputs, os.path.join(work, "j4" + suffix) if suffix else None, where,
                    name + " -j 4", res, ["-j", "4"])
        if a is not None and b is not None:
            res.check(a == b, where, name + ": -j 4 answers as -j 1 does", _first_diff(a, b))

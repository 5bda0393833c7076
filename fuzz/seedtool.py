#!/usr/bin/env python3
"""Seeds for the heap-dump fuzzer (fuzz/fuzz_heapdump.c).

    seedtool.py thin DUMP OUT [--budget BYTES] [--keep-segments]
                                                 shrink a real dump to a seed
    seedtool.py handmade DIR                     write the committed tiny seeds

Real dumps of even the smallest Go program are 300-800 KB, mostly the bss
segment and a few large objects; libFuzzer mutates small inputs far better.
`thin` keeps a real dump's structure and every record kind but drops large
objects, keeps object records only up to a byte budget, and repacks the
data/bss segments to just their non-nil pointer words (same segment address,
words packed at offsets 0, 8, 16, ...) unless --keep-segments (then the
dump still matches its executable, which checks the segments' extents: the
seed for loading a dump with its executable). The result is still a well-formed
dump (it ends with its EOF record) of a few tens of KiB.

`handmade` writes the few seeds committed in fuzz/corpus/, built from the
format in GO-RUNTIME.md section 9 (see heapdump_format.h). Python 3 standard
library only.
"""

import argparse
import os
import struct
import sys

MAGIC = b"go1.7 heap dump\n"
EOF, OBJECT, OTHER_ROOT, TYPE, GOROUTINE, FRAME, PARAMS, FINALIZER, ITAB, THREAD, \
    MEMSTATS, QFINALIZER, DATA, BSS, DEFER, PANIC, MEMPROF, ALLOC_SAMPLE = range(18)


# ---------------------------------------------------------------- encoding

def uv(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return uv(len(b)) + b


def fields(offs):
    return b"".join(uv(1) + uv(o) for o in offs) + uv(0)


def words(*ws):
    return b"".join(struct.pack("<Q", w) for w in ws)


def rec_params(version="go1.22.12", arena=(0xC000000000, 0xC004000000)):
    return uv(PARAMS) + uv(0) + uv(8) + uv(arena[0]) + uv(arena[1]) + s("amd64") + s(version) + uv(2)


def rec_object(addr, contents, offs):
    return uv(OBJECT) + uv(addr) + s(contents) + fields(offs)


def rec_segment(tag, addr, contents, offs):
    return uv(tag) + uv(addr) + s(contents) + fields(offs)


def rec_goroutine(g, goid, reason="chan receive"):
    return (uv(GOROUTINE) + uv(g) + uv(0xC000040000) + uv(goid) + uv(0x401000) + uv(4) + uv(0)
            + uv(0) + uv(0) + s(reason) + uv(0) + uv(0) + uv(0) + uv(0))


def rec_frame(sp, depth, contents, offs, name="main.main"):
    return (uv(FRAME) + uv(sp) + uv(depth) + uv(0) + s(contents) + uv(0x401000) + uv(0x401010)
            + uv(0x401010) + s(name) + fields(offs))


def rec_memprof(bucket, size, frames, allocs=1, frees=0):
    out = uv(MEMPROF) + uv(bucket) + uv(size) + uv(len(frames))
    for fn, file, line in frames:
        out += s(fn) + s(file) + uv(line)
    return out + uv(allocs) + uv(frees)


def rec_sample(addr, bucket):
    return uv(ALLOC_SAMPLE) + uv(addr) + uv(bucket)


def rec_finalizer(obj, fn, queued=False):
    return uv(QFINALIZER if queued else FINALIZER) + uv(obj) + uv(fn) + uv(0x401000) + uv(0) + uv(0)


def rec_memstats():
    return uv(MEMSTATS) + b"".join(uv(i) for i in range(24)) + uv(0) * 256 + uv(1)


# ---------------------------------------------------------------- reading

class Reader:
    def __init__(self, data):
        self.d = data
        self.pos = len(MAGIC)

    def uv(self):
        v = shift = 0
        while True:
            b = self.d[self.pos]
            self.pos += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v

    def bytes(self):
        n = self.uv()
        b = self.d[self.pos:self.pos + n]
        if len(b) != n:
            raise ValueError("truncated")
        self.pos += n
        return b

    def fields(self):
        out = []
        while True:
            k = self.uv()
            if k == 0:
                return out
            out.append((k, self.uv()))

    def record(self):
        """(tag, start, parsed) with parsed set for objects and segments."""
        start = self.pos
        t = self.uv()
        parsed = None
        if t in (OBJECT, DATA, BSS):
            parsed = (self.uv(), self.bytes(), self.fields())
        elif t == OTHER_ROOT:
            self.bytes(); self.uv()
        elif t == TYPE:
            self.uv(); self.uv(); self.bytes(); self.uv()
        elif t == GOROUTINE:
            for _ in range(8):
                self.uv()
            self.bytes()
            for _ in range(4):
                self.uv()
        elif t == FRAME:
            for _ in range(3):
                self.uv()
            self.bytes()
            for _ in range(3):
                self.uv()
            self.bytes(); self.fields()
        elif t == PARAMS:
            for _ in range(4):
                self.uv()
            self.bytes(); self.bytes(); self.uv()
        elif t in (FINALIZER, QFINALIZER):
            for _ in range(5):
                self.uv()
        elif t in (ITAB, ALLOC_SAMPLE):
            self.uv(); self.uv()
        elif t == THREAD:
            for _ in range(3):
                self.uv()
        elif t == MEMSTATS:
            for _ in range(24 + 256 + 1):
                self.uv()
        elif t == DEFER:
            for _ in range(7):
                self.uv()
        elif t == PANIC:
            for _ in range(6):
                self.uv()
        elif t == MEMPROF:
            self.uv(); self.uv()
            for _ in range(self.uv()):
                self.bytes(); self.bytes(); self.uv()
            self.uv(); self.uv()
        elif t != EOF:
            raise ValueError("unknown tag %d at offset %d" % (t, start))
        return t, start, parsed


def thin(data, budget, max_object, keep_segments=False):
    if not data.startswith(MAGIC):
        raise ValueError("not a heap dump")
    r = Reader(data)
    out = bytearray(MAGIC)
    obj_bytes = 0
    while True:
        t, start, parsed = r.record()
        raw = data[start:r.pos]
        if t == OBJECT:
            addr, contents, _ = parsed
            if len(contents) > max_object or obj_bytes + len(raw) > budget:
                continue
            obj_bytes += len(raw)
        elif t in (DATA, BSS) and not keep_segments:
            addr, contents, flds = parsed
            packed = []
            for kind, off in flds:
                w = contents[off + (8 if kind != 1 else 0):][:8]
                if len(w) == 8 and w != b"\0" * 8:
                    packed.append(w)
                if len(packed) >= 512:
                    break
            raw = rec_segment(t, addr, b"".join(packed), [8 * i for i in range(len(packed))])
        out += raw
        if t == EOF:
            return bytes(out)


# ---------------------------------------------------------------- hand-made seeds

def handmade():
    """name -> bytes.  Addresses in a Go 1.22-like heap at 0xc000000000."""
    H = 0xC000010000
    seeds = {}
    # one object pointing at another, both held by a data-segment root,
    # sampled, with a goroutine frame and a finalizer: every record kind
    # the loader uses, in a few hundred bytes
    a, b = H, H + 16
    big = H + 0x2000          # a malloc-header object (Go 1.22+): slot+8 sample
    body = (rec_params()
            + uv(ITAB) + uv(0x4A0000) + uv(0x4B0000)
            + uv(TYPE) + uv(0x4B0000) + uv(640) + s("main.big") + uv(0)
            + rec_object(a, words(b, 7), [0])
            + rec_object(b, words(0, 8), [0])
            + rec_object(big, words(0x4B0000, a) + b"\0" * 624, [8])
            + rec_goroutine(0xC000002000, 1)
            + rec_frame(0xC000040100, 0, words(b, 0), [0])
            + uv(THREAD) + uv(0x5A0000) + uv(0) + uv(1234)
            + rec_segment(DATA, 0x560000, words(a, 0), [0])
            + rec_segment(BSS, 0x570000, words(0, big), [8])
            + rec_finalizer(b, 0x4C0000)
            + rec_finalizer(a, 0x4C0000, queued=True)
            + rec_memstats()
            + rec_memprof(0x600000, 16, [("runtime.mallocgc", "malloc.go", 1),
                                         ("main.newNode", "main.go", 10),
                                         ("main.main", "main.go", 20)])
            + rec_memprof(0x600100, 640, [("main.main", "main.go", 30)])
            + rec_sample(a, 0x600000)
            + rec_sample(big + 8, 0x600100)
            + uv(EOF))
    seeds["small-graph.hd"] = MAGIC + body
    # Go 1.19 flavour: no malloc headers, a defer and a panic record
    body = (rec_params("go1.19.8")
            + rec_object(a, words(a, b), [0, 8])
            + rec_object(b, words(a), [0])
            + rec_goroutine(0xC000002000, 7, "select")
            + rec_frame(0xC000040100, 0, words(a), [0], "main.worker")
            + rec_frame(0xC000040200, 1, words(0), [], "runtime.goexit")
            + uv(DEFER) + uv(0xC000050000) + uv(0xC000002000) + uv(0) + uv(0) + uv(b) + uv(0) + uv(0)
            + uv(PANIC) + uv(0xC000050100) + uv(0xC000002000) + uv(0) + uv(a) + uv(0) + uv(0)
            + uv(OTHER_ROOT) + s("runtime internal") + uv(b)
            + rec_segment(BSS, 0x570000, words(b), [0])
            + uv(EOF))
    seeds["go119-defer-panic.hd"] = MAGIC + body
    # cut in the middle of an object record: a partial dump
    full = seeds["small-graph.hd"]
    seeds["partial.hd"] = full[:full.index(words(0, 8)) + 4]
    return seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("thin")
    t.add_argument("dump")
    t.add_argument("out")
    t.add_argument("--budget", type=int, default=24 << 10, help="bytes of object records to keep")
    t.add_argument("--max-object", type=int, default=2048)
    t.add_argument("--keep-segments", action="store_true", help="data and bss whole (matches the executable)")
    h = sub.add_parser("handmade")
    h.add_argument("dir")
    a = ap.parse_args()
    if a.cmd == "thin":
        with open(a.dump, "rb") as f:
            data = f.read()
        out = thin(data, a.budget, a.max_object, a.keep_segments)
        with open(a.out, "wb") as f:
            f.write(out)
        print("%s: %d -> %d bytes" % (a.out, len(data), len(out)))
    else:
        os.makedirs(a.dir, exist_ok=True)
        for name, data in sorted(handmade().items()):
            with open(os.path.join(a.dir, name), "wb") as f:
                f.write(data)
            print("%s/%s: %d bytes" % (a.dir, name, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

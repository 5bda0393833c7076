#!/usr/bin/env bash
# Fuzz the heap-dump parser, loader and analyses (fuzz/fuzz_heapdump.c), with
# "core" the ELF core reader (fuzz/fuzz_core.c), with "pprof" the heap-profile
# reader, loader and sites (fuzz/fuzz_pprof.c; seeds: fuzz/corpus-pprof, real
# profiles written by Go programs, gzip'd and plain).
#
# With "exe", the executable readers (fuzz/fuzz_exe.c: symbols, Go sections,
# build ids, pc-value table, DWARF), seeded with small Go programs built here
# by the installed toolchains, with and without DWARF.
#
# With "gocore", the Go core loader as a whole and the analyses on it
# (fuzz/fuzz_gocore.c): inputs are rewrites of one real core of tests/go/finalizer,
# built and cored here by the first toolchain of FUZZ_GO.
#
# With "index", a saved index (fuzz/fuzz_index.c): seeds are indexes of dumps
# of tests/go/shared and tests/go/goroutines, made here by the first
# toolchain of FUZZ_GO and this build's retain.
#
# Usage: scripts/fuzz.sh [SECONDS] [heapdump|core|pprof|exe|gocore|index]   (default 60 heapdump)
#
# Builds the libFuzzer target with clang in build-fuzz/, makes seeds from real
# dumps of fuzz/seedgen written by up to three installed Go toolchains (thinned
# to a few tens of KiB by fuzz/seedtool.py; skipped without Go), adds the
# committed hand-made seeds of fuzz/corpus/, and fuzzes for SECONDS. The
# corpus grown by libFuzzer stays in build-fuzz/fuzz-work/corpus and is reused
# by the next run.
#
# Last line: "fuzz: heapdump ran S s, N execs, no crash" (exit 0), or
# "fuzz: heapdump FAILED ...: FILE" naming the crashing input (exit 1).
# Reproduce with: build-fuzz/fuzz/fuzz_heapdump FILE
# Environment: BUILD (default build-fuzz), FUZZ_WORK (corpora, seeds, logs;
# default BUILD/fuzz-work: one per concurrent run), FUZZ_GO ("1.19 1.22 1.26"),
# FUZZ_ARGS (extra libFuzzer options).
set -euo pipefail

secs=${1:-60}
what=${2:-heapdump}
usage="usage: scripts/fuzz.sh [SECONDS] [heapdump|core|pprof|exe|gocore|index]"
case $secs in '' | *[!0-9]*) echo "$usage" >&2; exit 2 ;; esac
case $what in heapdump|core|pprof|exe|gocore|index) ;; *) echo "$usage" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}
seeds=$work/seeds
corpus=$work/corpus
artifacts=$work/artifacts/
log=$work/fuzz.log
mkdir -p "$seeds" "$corpus" "$artifacts"

command -v clang >/dev/null || { echo "fuzz: clang not found (apt-get install clang)" >&2; exit 1; }

echo "fuzz: building in $build" >&2
CC=clang cmake -S "$root" -B "$build" -DRETAIN_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target "fuzz_$what" -j"$(nproc)" >/dev/null
target=$build/fuzz/fuzz_$what

if [ "$what" != heapdump ]; then
  cseeds=$work/$what-seeds
  ccorpus=$work/$what-corpus
  mkdir -p "$cseeds" "$ccorpus"
  max_len=131072 rss_mb=2048 unit_s=10 len_control=
  if [ "$what" = gocore ]; then
    # One real core of tests/go/finalizer; the inputs rewrite words of it.
    gdir=$work/gocore
    mkdir -p "$gdir"
    v=""
    for x in ${FUZZ_GO:-1.22 1.19 1.26}; do [ -x "/usr/lib/go-$x/bin/go" ] && { v=$x; break; }; done
    [ -n "$v" ] || { echo "fuzz: gocore needs a Go toolchain (scripts/setup-debian.sh)" >&2; exit 1; }
    if [ ! -s "$gdir/core-$v" ] || [ "$root/tests/go/finalizer/main.go" -nt "$gdir/core-$v" ]; then
      (cd "$root/tests/go" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
        GOCACHE=$work/gocache GOPATH=$work/gopath "/usr/lib/go-$v/bin/go" build -o "$gdir/prog-$v" ./finalizer) >&2
      python3 - "$root/tests" "$gdir/prog-$v" "$gdir" "$gdir/core-$v" <<'PY' >&2
import os, sys
sys.path.insert(0, sys.argv[1])
import scenarios as sc
ok, detail = sc.run_with_core([sys.argv[2], os.path.join(sys.argv[3], "heap.dump"),
                               os.path.join(sys.argv[3], "truth.json")], sys.argv[3],
                              sys.argv[4], sc.core_method())
sys.exit(0 if ok else "fuzz: no core of tests/go/finalizer: %s" % detail)
PY
      rm -f "$gdir/heap.dump" "$gdir/truth.json"
    fi
    # seeds: no rewrite (the clean core), and a few fixed random lists
    python3 - "$cseeds" <<'PY'
import os, random, sys
os.makedirs(sys.argv[1], exist_ok=True)
open(os.path.join(sys.argv[1], "clean"), "wb").close()
for seed in range(8):
    r = random.Random(seed)
    with open(os.path.join(sys.argv[1], "random-%d" % seed), "wb") as f:
        f.write(bytes(r.randrange(256) for _ in range(14 * (1 + seed % 4))))
PY
    export FUZZ_GOCORE_CORE=$gdir/core-$v FUZZ_GOCORE_EXE=$gdir/prog-$v
    max_len=$((14 * 64)) rss_mb=3072 unit_s=30 # 64 rewrites; a load of a core
    # a few execs a second: libFuzzer's slow growth of the length limit
    # would keep inputs to 4 rewrites for the whole run
    len_control=-len_control=0
  elif [ "$what" = index ]; then
    v=""
    for x in ${FUZZ_GO:-1.22 1.19 1.26}; do [ -x "/usr/lib/go-$x/bin/go" ] && { v=$x; break; }; done
    [ -n "$v" ] || { echo "fuzz: index needs a Go toolchain (scripts/setup-debian.sh)" >&2; exit 1; }
    cmake --build "$build" --target retain -j"$(nproc)" >/dev/null
    idir=$work/index
    mkdir -p "$idir"
    for scn in shared goroutines; do
      [ -s "$cseeds/$scn-$v.rtx" ] && [ "$cseeds/$scn-$v.rtx" -nt "$root/tests/go/$scn/main.go" ] && continue
      (cd "$root/tests/go" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
        GOCACHE=$work/gocache GOPATH=$work/gopath "/usr/lib/go-$v/bin/go" build -o "$idir/$scn" "./$scn") >&2
      (cd "$idir" && "./$scn" "$idir/$scn.dump" "$idir/$scn.truth" >/dev/null)
      "$build/retain" index "$idir/$scn.dump" "$idir/$scn" -o "$cseeds/$scn-$v.rtx" >&2
      rm -f "$idir/$scn.dump" "$idir/$scn.truth"
    done
    max_len=1048576
  elif [ "$what" = core ]; then
    # Seeds: small cores written by tests/unit/test_elf_core --seeds, kept gzip'd.
    for f in "$root"/fuzz/corpus-core/*.gz; do gzip -dc "$f" >"$cseeds/$(basename "$f" .gz)"; done
  elif [ "$what" = pprof ]; then
    cp "$root"/fuzz/corpus-pprof/* "$cseeds"/
  else
    max_len=4194304
    # small Go executables, with and without DWARF, from each toolchain
    for v in ${FUZZ_GO:-1.19 1.22 1.26}; do
      go=/usr/lib/go-$v/bin/go
      [ -x "$go" ] || continue
      for flags in "" "-s -w"; do
        out=$cseeds/list-$v${flags:+-stripped}
        [ -s "$out" ] && continue
        (cd "$root/tests/go" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
          GOCACHE=$work/gocache GOPATH=$work/gopath "$go" build -ldflags="$flags" -o "$out" ./list) >&2 || true
      done
    done
  fi
  echo "fuzz: running $what $secs s" >&2
  rm -f "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*
  set +e
  # shellcheck disable=SC2086
  "$target" "$ccorpus" "$cseeds" -max_total_time="$secs" -rss_limit_mb="$rss_mb" -timeout="$unit_s" \
    -max_len="$max_len" $len_control -artifact_prefix="$artifacts" -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crash=$(ls -t "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* 2>/dev/null | head -1 || true)
  if [ "$rc" -ne 0 ] || [ -n "$crash" ]; then
    echo "fuzz: log in $log" >&2
    echo "fuzz: $what FAILED after ${execs:-?} execs (libFuzzer exit $rc): ${crash:-no artifact, see the log}"
    echo "fuzz: reproduce:${FUZZ_GOCORE_CORE:+ FUZZ_GOCORE_CORE=$FUZZ_GOCORE_CORE FUZZ_GOCORE_EXE=$FUZZ_GOCORE_EXE} $target FILE" >&2
    exit 1
  fi
  echo "fuzz: $what ran $secs s, ${execs:-?} execs, no crash"
  exit 0
fi

# Seeds from real dumps, once per toolchain.
gocache=$work/gocache
for v in ${FUZZ_GO:-1.19 1.22 1.26}; do
  go=/usr/lib/go-$v/bin/go
  [ -x "$go" ] || continue
  [ -s "$seeds/seedgen-$v-matched.hd" ] && [ "$seeds/seedgen-$v.hd" -nt "$root/fuzz/seedgen/main.go" ] && continue
  exe=$work/seedgen-$v
  if ! (cd "$root/fuzz/seedgen" &&
        GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOTELEMETRY=off CGO_ENABLED=0 \
        GOCACHE=$gocache GOPATH=$work/gopath "$go" build -o "$exe" .) >&2; then
    echo "fuzz: go $v: building fuzz/seedgen failed; no seed from it" >&2
    continue
  fi
  "$exe" "$work/seedgen-$v.dump" >/dev/null
  python3 "$root/fuzz/seedtool.py" thin "$work/seedgen-$v.dump" "$seeds/seedgen-$v.hd" >&2
  python3 "$root/fuzz/seedtool.py" thin --budget 4096 --max-object 512 \
    "$work/seedgen-$v.dump" "$seeds/seedgen-$v-small.hd" >&2
  # data and bss whole: loads with its executable (FUZZ_HEAPDUMP_EXE below)
  python3 "$root/fuzz/seedtool.py" thin --keep-segments --budget 8192 \
    "$work/seedgen-$v.dump" "$seeds/seedgen-$v-matched.hd" >&2
  rm -f "$work/seedgen-$v.dump"
done
ls "$seeds"/*.hd >/dev/null 2>&1 || echo "fuzz: no Go toolchain: only the committed seeds" >&2

echo "fuzz: running $secs s" >&2
rm -f "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/slow-unit-*
set +e
# shellcheck disable=SC2086
# one input in eight is loaded again with a real executable (the seed
# generator of the first toolchain that made one: DWARF, types joined)
for v in ${FUZZ_GO:-1.22 1.19 1.26}; do
  [ -x "$work/seedgen-$v" ] && { export FUZZ_HEAPDUMP_EXE=$work/seedgen-$v; break; }
done
"$target" "$corpus" "$root/fuzz/corpus" "$root/fuzz/corpus-crashes" "$seeds" \
  -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=1048576 \
  -dict="$root/fuzz/heapdump.dict" -artifact_prefix="$artifacts" -print_final_stats=1 \
  ${FUZZ_ARGS:-} >"$log" 2>&1
rc=$?
set -e

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
if [ -z "$execs" ]; then # killed before the final stats: last status line
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
fi
# bugs that are not crashes (see check_message in fuzz_heapdump.c)
crash=$(ls -t "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* 2>/dev/null | head -1 || true)
if [ "$rc" -ne 0 ] || [ -n "$crash" ]; then
  grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_heapdump: invariant|.*runtime error)' "$log" | head -5 >&2 || true
  echo "fuzz: log in $log" >&2
  echo "fuzz: heapdump FAILED after ${execs:-?} execs (libFuzzer exit $rc): ${crash:-no artifact, see the log}"
  exit 1
fi
echo "fuzz: heapdump ran $secs s, ${execs:-?} execs, no crash"

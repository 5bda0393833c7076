#!/usr/bin/env bash
# retain on a real Prometheus with full DWARF (issue 9, "Speed"): the core of
# Debian bookworm's Prometheus holding about a million heap objects, read with
# its executable three ways: full (the DWARF as Go 1.19 writes it, zlib-
# compressed), raw (the same DWARF uncompressed) and none (stripped).
#
#   sudo bench/prometheus.sh              # on a Debian bookworm machine, as root
#   RUNS=5 SERIES=100000 bench/prometheus.sh
#
# Environment:
#   WORK=/tmp/retain-prom   everything this script makes: source, build, core,
#                           outputs. The build and the core are skipped when
#                           already there (delete prometheus or prom.core to
#                           redo them); the timings are taken anew each run.
#   RETAIN=build/retain     retain binary (relative paths from the repo root)
#   SERIES=70000            series the scraped target exposes; Prometheus
#                           2.42 keeps ~14 heap objects per head series, so
#                           70k gives ~1M objects once it has settled
#   RUNS=3                  runs per command; the table shows the median
#   PORT=19090              Prometheus's port on 127.0.0.1 (the target uses PORT+11)
#
# Why build rather than install: Debian ships Prometheus stripped and its
# -dbgsym archive is not among the machine's sources. The build below is the
# package's own (debian/rules, dh-golang, Debian's packaged Go libraries and
# its Go 1.19), so the result has the same build id as /usr/bin/prometheus:
# it is the executable a user's core would come from, with its DWARF kept.
#
# Exit status: 0 when every figure was taken (a failing retain command shows
# in the table's exit column), 1 on setup errors.
set -euo pipefail

die() { echo "prometheus.sh: $*" >&2; exit 1; }
log() { echo "prometheus.sh: $*" >&2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${WORK:-/tmp/retain-prom}
retain=${RETAIN:-build/retain}
case $retain in /*) ;; *) retain=$repo/$retain ;; esac
series=${SERIES:-70000}
runs=${RUNS:-3}
port=${PORT:-19090}
tport=$((port + 11))
[[ $series =~ ^[0-9]+$ && $runs =~ ^[1-9][0-9]*$ && $port =~ ^[0-9]+$ ]] ||
  die "SERIES, RUNS and PORT must be integers"
[ -x "$retain" ] || die "no retain binary at $retain (make -C build retain)"
# shellcheck disable=SC1091 # the machine's own file
. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] ||
  log "this is ${VERSION_CODENAME:-an unknown release}, not bookworm: the figures are not comparable"

mkdir -p "$work"
work=$(cd "$work" && pwd)
cd "$work"

pids=()
srcfile=/etc/apt/sources.list.d/retain-prom-src.sources
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # The deb-src entry exists only for this run: leave the machine's apt as found.
  if [ -e "$srcfile" ]; then
    rm -f "$srcfile"
    apt-get update -qq >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

apt_wait() { while fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1; do sleep 2; done; }
need() { # need COMMAND PACKAGE: install PACKAGE when COMMAND is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "$1 is missing (apt-get install $2) and this is not root"
  apt_wait
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || die "apt-get install $2 failed"
}
[ -x /usr/bin/time ] || need /usr/bin/time time
need gcore gdb
need objcopy binutils
need curl curl
need python3 python3

# deb-src stanzas for the machine's own mirrors: each enabled deb entry of this
# release's suites, turned into deb-src. Other releases and backports (kept
# there for single packages) are left out so that `apt-get source`
# cannot pick a newer Prometheus than the one the machine would install.
write_src() {
  python3 - "$VERSION_CODENAME" >"$srcfile.tmp" <<'EOF'
import glob, re, sys
code = sys.argv[1]
# backports may carry a newer Prometheus than the release: not ours
ours = lambda s: s == code or (s.startswith(code + "-") and not s.endswith("-backports"))
out = []
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        f = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            k, v = line.split(":", 1)
            f[k.strip().lower()] = v.strip()
        if "deb" not in f.get("types", "").split() or f.get("enabled", "yes").lower() == "no":
            continue
        suites = [s for s in f.get("suites", "").split() if ours(s)]
        if not suites:
            continue
        out.append("Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n%s" % (
            f["uris"], " ".join(suites), f.get("components", "main"),
            "Signed-By: %s\n" % f["signed-by"] if "signed-by" in f else ""))
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        w = line.split()
        if len(w) >= 3 and w[0] == "deb":
            opts = ""
            if w[1].startswith("["):
                j = next(i for i, x in enumerate(w) if x.endswith("]"))
                opts = " ".join(w[1:j + 1]); w = [w[0]] + w[j + 1:]
            if ours(w[2]):
                out.append("Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n" % (w[1], w[2], " ".join(w[3:]) or "main")
                           + ("Signed-By: %s\n" % re.search(r"signed-by=([^\s\]]+)", opts).group(1) if "signed-by=" in opts else ""))
print("\n".join(out), end="")
EOF
  [ -s "$srcfile.tmp" ] || { rm -f "$srcfile.tmp"; die "no deb entry for $VERSION_CODENAME in the apt sources"; }
  mv "$srcfile.tmp" "$srcfile"
}

# --- 1. Prometheus, built as Debian builds it, DWARF kept ------------------
if ! { [ -x prometheus ] && readelf -S prometheus | grep '\.debug_info' >/dev/null; }; then
  [ "$(id -u)" = 0 ] || die "building Prometheus needs root (apt-get build-dep)"
  log "adding a temporary deb-src entry ($srcfile) and installing the build dependencies"
  write_src
  apt_wait
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt_wait
  DEBIAN_FRONTEND=noninteractive apt-get -y -qq build-dep prometheus >build-dep.log 2>&1 ||
    die "apt-get build-dep prometheus failed (see $work/build-dep.log)"
  rm -rf src && mkdir src
  (cd src && apt-get source -qq prometheus >../source.log 2>&1) || die "apt-get source prometheus failed (see $work/source.log)"
  rm -f "$srcfile"; apt-get update -qq >/dev/null 2>&1 || true
  dir=$(ls -d src/prometheus-*/)
  # golang-go's Go (1.19 on bookworm) first, as in the package build, whatever
  # other toolchain the machine puts on PATH. nostrip keeps the DWARF;
  # nocheck skips a test suite that takes longer than the build.
  gobin=$(readlink -f /usr/lib/go)/bin
  [ -x "$gobin/go" ] || die "golang-go's toolchain is missing at $gobin"
  log "building $(basename "$dir") with $("$gobin/go" version | cut -d' ' -f3) (a few minutes)"
  (cd "$dir" && PATH=$gobin:$PATH DEB_BUILD_OPTIONS="nostrip nocheck parallel=$(nproc)" \
     debian/rules build) >build.log 2>&1 || die "debian/rules build failed (see $work/build.log)"
  cp "$dir/.build/bin/prometheus" prometheus.tmp && mv prometheus.tmp prometheus
  rm -f prometheus.stripped prometheus.rawdwarf prom.core
fi
# Two more views of the same executable (same build id): without any DWARF,
# as Debian ships it, and with its DWARF uncompressed, as a toolchain that
# does not compress it (or -ldflags=-compressdwarf=false) leaves it; the
# second separates reading DWARF from inflating it.
if ! [ prometheus.stripped -nt prometheus ]; then
  objcopy --strip-all prometheus prometheus.stripped
fi
if ! [ prometheus.rawdwarf -nt prometheus ]; then
  objcopy --decompress-debug-sections prometheus prometheus.rawdwarf
fi

# --- 2. A core holding ~1M heap objects -------------------------------------
metric() { awk -v k="$1" '$1==k{print $2+0; exit}' "$2"; }
if ! [ -s prom.core ] || [ prom.core -ot prometheus ]; then
  rm -f prom.core metrics.snapshot
  # A static /metrics of SERIES gauges, 2500 label sets a family: the head
  # then holds SERIES memSeries with their labels, chunks and scrape-cache
  # entries, as a Prometheus scraping a few busy exporters does.
  mkdir -p target data
  python3 - "$series" >target/metrics <<'EOF'
import sys
n = int(sys.argv[1]); w = sys.stdout.write
for m in range((n + 2499) // 2500):
    w(f"# HELP bench_metric_{m} synthetic series for retain's benchmark\n# TYPE bench_metric_{m} gauge\n")
    for j in range(min(2500, n - m * 2500)):
        w(f'bench_metric_{m}{{pod="pod-{j:05d}",namespace="ns-{j%50}",shard="{j%7}",zone="zone-{j%3}"}} {j*m%997}\n')
EOF
  cat >prometheus.yml <<EOF
global:
  scrape_interval: 5s
  scrape_timeout: 4s
scrape_configs:
  - job_name: self
    scrape_interval: 1s
    static_configs:
      - targets: ['127.0.0.1:$port']
  - job_name: synthetic
    static_configs:
      - targets: ['127.0.0.1:$tport']
EOF
  rm -rf data/*
  (cd target && exec python3 -m http.server --bind 127.0.0.1 "$tport") >http.log 2>&1 </dev/null &
  pids+=($!)
  ./prometheus --config.file=prometheus.yml --storage.tsdb.path=data \
    --web.listen-address="127.0.0.1:$port" >prom.log 2>&1 </dev/null &
  prom=$!; pids+=("$prom")
  # Between collections the heap also holds the garbage of every scrape, so
  # the core is taken right after a collection that ran once all series were
  # in the head: then the runtime's count is the live heap, as retain sees it.
  log "loading Prometheus (pid $prom) with $series series, waiting for a GC after they are in"
  deadline=$((SECONDS + 600)); gc0=""
  while :; do
    [ $SECONDS -lt $deadline ] || die "no settled heap after 600 s (see $work/prom.log)"
    kill -0 "$prom" 2>/dev/null || die "Prometheus exited (see $work/prom.log)"
    if curl -sf "127.0.0.1:$port/metrics" >m.tmp; then
      heads=$(metric prometheus_tsdb_head_series m.tmp); gc=$(metric go_gc_duration_seconds_count m.tmp)
      if [ -n "$heads" ] && [ "${heads%.*}" -ge "$series" ]; then
        if [ -z "$gc0" ]; then gc0=$gc
        elif [ "$gc" != "$gc0" ]; then break; fi
      fi
    fi
    sleep 0.5
  done
  mv m.tmp metrics.snapshot
  gcore -o "$work/prom-core" "$prom" >gcore.log 2>&1 || die "gcore failed (see $work/gcore.log)"
  mv "prom-core.$prom" prom.core
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()
fi
[ -s metrics.snapshot ] || die "metrics.snapshot is missing: delete prom.core to take a new core"

# --- 3. Figures ---------------------------------------------------------------
mkdir -p times
"$retain" overview --json prom.core prometheus >overview.json 2>overview.err ||
  die "retain overview failed: $(head -3 overview.err)"
# A head series, the object a user asking why memory grows would pick (the
# 1000th memSeries in address order, so that a rerun on the core asks the same).
# (awk stops reading at it, so retain's SIGPIPE is expected.)
addr=$("$retain" objects --json prom.core prometheus 2>/dev/null |
  awk -F'"' '/"type":"tsdb.memSeries"/ && ++n == 1000 {print $4; exit}') || true
[ -n "$addr" ] || addr=$("$retain" objects --json prom.core prometheus 2>/dev/null |
  awk -F'"' '/"base"/{print $4; exit}') || true
[ -n "$addr" ] || die "no heap object found in prom.core"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# measure NAME CMD...: RUNS runs; prints "wall user sys rss exit" of the
# median run by wall time (time's figures for one run belong together).
measure() {
  local name=$1 i rc; shift
  : >"times/$name"
  for i in $(seq "$runs"); do
    rc=0
    /usr/bin/time -f '%e %U %S %M' -o "times/$name.$i" "$@" >"times/$name.out" 2>"times/$name.err" || rc=$?
    echo "$(tail -1 "times/$name.$i") $rc" >>"times/$name"
  done
  sort -n "times/$name" | sed -n "$(((runs + 1) / 2))p"
}
rows=()
for exe in prometheus prometheus.rawdwarf prometheus.stripped; do
  case $exe in *.stripped) dwarf=none ;; *.rawdwarf) dwarf=raw ;; *) dwarf=full ;; esac
  for cmd in overview "read $addr" roots "why $addr"; do
    name="${cmd%% *}-$dwarf"
    log "timing $cmd ($dwarf DWARF), $runs runs"
    # shellcheck disable=SC2086 # cmd is a command word and maybe an address
    rows+=("$(printf '%-24s %-5s %s' "${cmd%% *}" "$dwarf" "$(measure "$name" "$retain" $cmd prom.core "$exe")")")
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ---------------------------------------------------------------
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get(sys.argv[2]))' overview.json "$1"; }
# DWARF bytes per section, as stored (Go compresses them) and uncompressed
dwarf_table() {
  python3 - prometheus prometheus.rawdwarf <<'EOF'
import re, subprocess, sys
def sizes(f):
    out = subprocess.run(["readelf", "-SW", f], capture_output=True, text=True).stdout
    return {m.group(1): int(m.group(2), 16) for m in
            (re.search(r"(\.debug\w*)\s+PROGBITS\s+\S+\s+\S+\s+(\S+)", l) for l in out.splitlines()) if m}
a, b = sizes(sys.argv[1]), sizes(sys.argv[2])
print("DWARF         %d bytes as stored, %d uncompressed" % (sum(a.values()), sum(b.values())))
for k in sorted(a, key=lambda k: -b.get(k, 0))[:6]:
    print("  %-16s %10d stored %10d uncompressed" % (k, a[k], b.get(k, 0)))
EOF
}
echo
echo "Prometheus $(./prometheus --version 2>&1 | awk 'NR==1{print $3}'), $(json go_version); retain $retain (repo at $(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
printf 'executable    %s bytes (full), %s (raw: DWARF uncompressed), %s (none: stripped)\n' \
  "$(stat -c %s prometheus)" "$(stat -c %s prometheus.rawdwarf)" "$(stat -c %s prometheus.stripped)"
dwarf_table
printf 'core          %s bytes; %s objects, %s edges, %s goroutines, %s reachable objects\n' \
  "$(stat -c %s prom.core)" "$(json objects)" "$(json edges)" "$(json goroutines)" "$(json reachable_objects)"
printf '/metrics      go_memstats_heap_objects %s, go_goroutines %s, head series %s (taken just before gcore)\n' \
  "$(metric go_memstats_heap_objects metrics.snapshot)" "$(metric go_goroutines metrics.snapshot)" \
  "$(metric prometheus_tsdb_head_series metrics.snapshot)"
printf 'address       %s (a tsdb.memSeries); load average %s before, %s after; %s runs, median shown\n\n' \
  "$addr" "$load_before" "$load_after" "$runs"
printf '%-24s %-5s %8s %8s %8s %10s %4s\n' command DWARF "wall s" "user s" "sys s" "peak MB" exit
for r in "${rows[@]}"; do
  read -r c d wall user sys rss rc <<<"$r"
  printf '%-24s %-5s %8s %8s %8s %10.0f %4s\n' "$c" "$d" "$wall" "$user" "$sys" "$((rss / 1024))" "$rc"
done

#!/usr/bin/env bash
# Benchmarks retain on a big, service-like Go heap dump (bench/bigheap).
#
#   bench/run.sh                      # Go 1.22, scale 1.0 (~10M objects, ~1.2 GB heap)
#   GO=1.26 bench/run.sh              # another toolchain (/usr/lib/go-1.NN/bin/go)
#   SCALE=0.1 bench/run.sh            # quick run (~1M objects)
#
# Environment:
#   GO=1.22          Go version to build bench/bigheap with
#   SCALE=1.0        bigheap -scale
#   RATE=524288      bigheap -rate (runtime.MemProfileRate; Go's default)
#   WORK=/tmp/retain-bench   work directory; must be under /tmp. One case
#                    directory per (Go version, scale, rate) inside it holds the
#                    binary, heap.dump, the generator's output and each command's
#                    output. A dump is reused if it is newer than bigheap's sources;
#                    FRESH=1 regenerates it anyway.
#   RETAIN=build/retain      retain binary (relative paths are from the repo root)
#   TIMEOUT=1800     seconds allowed per retain command (0 = none)
#   BENCH_TIMER=proc force the no-GNU-time fallback (to test it)
#
# Commands timed (with the default -j, the processors online; on the core
# also overview and roots with -j 1): overview, why QUERY, objects --json (output to /dev/null),
# roots and shared (if `retain roots|shared --help` exits 0), dominators --depth 3 (if
# `retain dominators --help` exits 0), sites and export --format pprof (paths),
# when the binary has them, each given the dump and its
# executable (bigheap, so types are propagated as a user would see them);
# on the core also report -o and diff of the core with itself, then
# index -o (the core's saved index), one command that checks the index
# whole (its first opening), and commands answered from the checked index.
# Objects, edges and the typed share come from `retain overview --json`
# (keys "objects", "edges", "typed_reachable_bytes", "reachable_bytes").
# Wall time, CPU time (user + system) and peak RSS come from GNU time
# (/usr/bin/time; installed with apt-get when missing and running as root),
# else from bash's clock plus polling VmHWM in /proc (CPU time "?").
# Each command's wall time is also shown as a ratio to one plain pass over
# the input (reading every byte of the file once: `cat FILE >/dev/null`,
# page cache warm), the floor no analysis of the whole file can beat.
#
# Exit status: 0 when all ran (failing retain commands show in the table's
# "exit" column), 1 on setup or generator errors, 2 when the retain binary is
# missing (after the dump has been produced).
# Nothing outside WORK is written or removed, except the Go build cache and
# GOPATH, which also live in WORK.
set -euo pipefail

die() { echo "bench: $*" >&2; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$repo/bench/bigheap
gover=${GO:-1.22}
scale=${SCALE:-1.0}
rate=${RATE:-524288}
timeout_s=${TIMEOUT:-1800}
retain=${RETAIN:-build/retain}
case $retain in /*) ;; *) retain=$repo/$retain ;; esac

[[ $gover =~ ^1\.[0-9]+$ ]] || die "GO must look like 1.22, got '$gover'"
[[ $scale =~ ^[0-9]*\.?[0-9]+$ ]] || die "SCALE must be a positive number, got '$scale'"
[[ $rate =~ ^[0-9]+$ ]] || die "RATE must be an integer, got '$rate'"
[[ $timeout_s =~ ^[0-9]+$ ]] || die "TIMEOUT must be an integer, got '$timeout_s'"

gobin=/usr/lib/go-$gover/bin/go
[ -x "$gobin" ] || die "no Go $gover at $gobin (install it: scripts/setup-debian.sh $gover)"

# The work directory must be strictly inside /tmp.
work=$(realpath -m "${WORK:-/tmp/retain-bench}")
case $work in
  /tmp/?*) ;;
  *) die "WORK must be a directory under /tmp, got '$work'" ;;
esac
case_dir=$work/go$gover-s$scale-r$rate
mkdir -p "$case_dir/out"

# ---- timing: measure OUTFILE CMD... writes "wall_s peak_rss_kb exit cpu_s" --
timer=""
if [ "${BENCH_TIMER:-}" = proc ]; then
  timer=proc   # force the fallback (for testing it)
elif [ -x /usr/bin/time ] && /usr/bin/time -f '%e' -o /dev/null true 2>/dev/null; then
  timer=gnu
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "bench: /usr/bin/time missing; installing the 'time' package" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
  fi
  [ -x /usr/bin/time ] && timer=gnu
fi
[ -n "$timer" ] || { timer=proc; echo "bench: no GNU time; timing with bash and /proc VmHWM polling (RSS may read slightly low)" >&2; }

# measure RESULTFILE TIMEOUT CMD... ; stdin/stdout/stderr are the caller's.
measure() {
  local res=$1 tmo=$2; shift 2
  if [ $timer = gnu ]; then
    local pre=()
    [ "$tmo" -gt 0 ] && pre=(timeout "$tmo")
    /usr/bin/time -f '%e %M %x %U %S' -o "$res.raw" "${pre[@]}" "$@" || true
    tail -n 1 "$res.raw" | awk '{printf "%s %s %s %.2f\n", $1, $2, $3, $4 + $5}' >"$res"
    rm -f "$res.raw"
  else
    local t0 t1 pid hwm=0 v rc=0 deadline killed=0
    t0=$EPOCHREALTIME
    "$@" &
    pid=$!
    deadline=$(( ${t0/./} + tmo * 1000000 ))   # microseconds
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
      if [ "$tmo" -gt 0 ] && [ $killed = 0 ] && [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        killed=1
      fi
      sleep 0.05
    done
    wait "$pid" || rc=$?
    t1=$EPOCHREALTIME
    [ $killed = 1 ] && rc=124
    awk -v a="$t0" -v b="$t1" -v m="$hwm" -v r="$rc" 'BEGIN{printf "%.2f %d %d ?\n", b-a, m, r}' >"$res"
  fi
}

# ---- the dump ---------------------------------------------------------------
dump=$case_dir/heap.dump
gen_out=$case_dir/gen.out
fresh=0
if [ "${FRESH:-0}" = 1 ] || [ ! -s "$dump" ] || [ ! -s "$gen_out" ] ||
   ! grep -q '^dump_bytes:' "$gen_out" ||
   [ ! "$dump" -nt "$src/main.go" ] || [ ! "$dump" -nt "$src/go.mod" ]; then
  fresh=1
fi

if [ $fresh = 1 ]; then
  echo "bench: building bigheap with Go $gover" >&2
  export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
  export GOCACHE=$work/gocache GOPATH=$work/gopath
  (cd "$src" && "$gobin" build -o "$case_dir/bigheap" .) || die "go build failed"
  rm -f "$dump" "$gen_out" "$case_dir/gen.err" "$case_dir/gen.time"
  echo "bench: generating the heap (scale $scale) and writing $dump" >&2
  measure "$case_dir/gen.time" 0 "$case_dir/bigheap" -scale "$scale" -rate "$rate" -dump "$dump" \
    </dev/null >"$gen_out" 2>"$case_dir/gen.err"
  read -r _ _ rc _ <"$case_dir/gen.time"
  if [ "$rc" != 0 ] || ! grep -q '^dump_bytes:' "$gen_out"; then
    cat "$case_dir/gen.err" >&2
    rm -f "$gen_out"   # so the next run does not reuse a half-written dump
    die "bigheap failed (exit $rc)"
  fi
else
  echo "bench: reusing $dump (newer than bench/bigheap sources; FRESH=1 to regenerate)" >&2
fi

gen() { awk -v k="$1:" '$1==k{print $2; exit}' "$gen_out"; }
mib() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1048576}'; }
query=$(gen query)
dump_bytes=$(stat -c %s "$dump")
dump_mib=$(mib "$dump_bytes")
read -r gen_wall gen_rss _ <"$case_dir/gen.time"

echo
echo "== bigheap ($(gen go_version), scale $(gen scale), MemProfileRate $(gen mem_profile_rate))"
printf '%-24s %s\n' \
  "dump" "$dump" \
  "dump size" "$dump_mib MiB" \
  "heap objects" "$(gen heap_objects) (runtime HeapObjects after GC)" \
  "heap alloc" "$(mib "$(gen heap_alloc_bytes)") MiB" \
  "goroutines" "$(gen goroutines)" \
  "query" "$query (path of $(gen query_path_len) objects from global main.lists)" \
  "build heap" "$(gen build_seconds) s" \
  "GC" "$(gen gc_seconds) s" \
  "write dump" "$(gen dump_seconds) s" \
  "generator wall" "$gen_wall s" \
  "generator peak RSS" "$(mib $((gen_rss * 1024))) MiB"

if [ ! -x "$retain" ]; then
  echo
  echo "bench: retain not found at $retain — build it first (cmake -S . -B build && cmake --build build)"
  echo "bench: or point RETAIN=/path/to/retain at it. The dump is ready at $dump"
  exit 2
fi

# Run retain from inside the work directory, so that anything it might write
# to its current directory stays there.
cd "$case_dir/out"

# ---- one plain pass over a file: the floor for any analysis of it -----------
# plain_pass FILE: prints its wall seconds (second of two reads: cache warm)
plain_pass() {
  cat "$1" >/dev/null
  local t0=$EPOCHREALTIME
  cat "$1" >/dev/null
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}'
}
# table RESULTS PASS_S: the timing table, with each wall time over PASS_S
table() {
  printf '%-26s %9s %9s %14s %10s %6s\n' command "wall s" "cpu s" "peak RSS MiB" "x pass" exit
  tail -n +2 "$1" | while IFS=$'\t' read -r c w m rc cpu; do
    [ "$rc" = 124 ] && rc="124 (timeout)"
    shown=$c
    [ "${#shown}" -gt 26 ] && shown=${shown:0:23}...
    printf '%-26s %9s %9s %14s %10s %6s\n' "$shown" "$w" "$cpu" "$(mib $((m * 1024)))" \
      "$(awk -v w="$w" -v p="$2" 'BEGIN{if (p > 0) printf "%.1f", w/p; else print "?"}')" "$rc"
  done
}
typed_share() {
  python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1])); print("%.1f%%" % (100.0*d["typed_reachable_bytes"]/d["reachable_bytes"]))
except Exception:
    print("?")' "$1" 2>/dev/null || echo "?"
}

# ---- objects and edges from overview --json --------------------------------
objects="?"; edges="?"
if "$retain" overview --json "$dump" "$case_dir/bigheap" >"$case_dir/out/overview.json" 2>"$case_dir/out/overview-json.err"; then
  jkey() {
    if command -v python3 >/dev/null; then
      python3 -c 'import json,sys
try:
    v=json.load(open(sys.argv[1])).get(sys.argv[2])
except Exception:
    v=None
print("?" if v is None or isinstance(v,(dict,list)) else v)' "$case_dir/out/overview.json" "$1"
    else
      grep -o "\"$1\"[[:space:]]*:[[:space:]]*[0-9]*" "$case_dir/out/overview.json" | head -n 1 |
        grep -o '[0-9]*$' || echo "?"
    fi
  }
  objects=$(jkey objects); edges=$(jkey edges)
fi

# ---- timed commands ---------------------------------------------------------
names=(overview why objects-json)
cmds=("overview" "why $query" "objects --json")
if "$retain" roots --help >/dev/null 2>&1; then names+=(roots); cmds+=("roots"); fi
if "$retain" shared --help >/dev/null 2>&1; then names+=(shared); cmds+=("shared"); fi
if "$retain" dominators --help >/dev/null 2>&1; then names+=(dominators); cmds+=("dominators --depth 3"); fi
if "$retain" sites --help >/dev/null 2>&1; then names+=(sites); cmds+=("sites"); fi
if "$retain" export --help 2>/dev/null | grep -q -- '--tree paths'; then
  names+=(export-paths); cmds+=("export --format pprof -o $case_dir/out/paths.pb.gz")
fi

results=$case_dir/results.tsv
printf 'command\twall_s\tpeak_rss_kb\texit\tcpu_s\n' >"$results"
declare -A wall code
for i in "${!names[@]}"; do
  name=${names[$i]}
  read -r -a argv <<<"${cmds[$i]}"
  out=$case_dir/out/$name.txt
  [ "$name" = objects-json ] && out=/dev/null
  echo "bench: retain ${cmds[$i]}" >&2
  measure "$case_dir/out/$name.time" "$timeout_s" "$retain" "${argv[@]}" "$dump" "$case_dir/bigheap" \
    </dev/null >"$out" 2>"$case_dir/out/$name.err"
  read -r w m rc cpu <"$case_dir/out/$name.time"
  wall[$name]=$w; code[$name]=$rc
  printf '%s\t%s\t%s\t%s\t%s\n' "${cmds[$i]}" "$w" "$m" "$rc" "$cpu" >>"$results"
done

dump_pass=$(plain_pass "$dump")
echo
echo "== retain on $(gen go_version) heap dump: $dump_mib MiB, objects $objects, edges $edges, typed $(typed_share "$case_dir/out/overview.json") of reachable bytes"
echo "plain pass over the dump: $dump_pass s"
table "$results" "$dump_pass"
if [ "${code[overview]}" = 0 ]; then
  awk -v mb="$dump_mib" -v s="${wall[overview]}" 'BEGIN{
    if (s > 0) printf "dump parse throughput: %.1f MiB/s (dump MiB / overview wall s)\n", mb/s;
    else print "dump parse throughput: ? (overview wall time is 0)" }'
else
  echo "dump parse throughput: ? (overview failed, exit ${code[overview]}; see $case_dir/out/overview.err)"
fi
echo "outputs: $case_dir/out/   table: $results"

# ---- the same heap as an ELF core (CORE=0 skips) -------------------------------
if [ "${CORE:-1}" != 0 ]; then
  core_dir=$case_dir/core
  mkdir -p "$core_dir"
  core=$core_dir/core
  if [ "${FRESH:-0}" = 1 ] || [ ! -s "$core" ] || [ ! "$core" -nt "$case_dir/bigheap" ]; then
    pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo core)
    case "$pattern" in
      core|core.*) ;;
      *) echo "bench: core_pattern is '$pattern': the kernel will not write ./core; skipping the core" >&2
         exit 0 ;;
    esac
    rm -f "$core" "$core_dir"/core.*
    echo "bench: generating the heap again and taking a core (SIGABRT)" >&2
    (cd "$core_dir" && ulimit -c unlimited && GOTRACEBACK=crash timeout 600 "$case_dir/bigheap" \
       -scale "$scale" -rate "$rate" -dump /dev/null -core </dev/null >gen.out 2>gen.err) || true
    [ -s "$core" ] || { mv "$core_dir"/core.* "$core" 2>/dev/null || true; }
    [ -s "$core" ] || die "no core was written in $core_dir"
  fi
  cquery=$(awk '$1=="query:"{print $2; exit}' "$core_dir/gen.out")
  core_mib=$(mib "$(stat -c %s "$core")")
  "$retain" overview --json "$core" "$case_dir/bigheap" >"$core_dir/overview.json" 2>/dev/null || true
  cobj=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("objects","?"))' "$core_dir/overview.json" 2>/dev/null || echo "?")
  cedg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("edges","?"))' "$core_dir/overview.json" 2>/dev/null || echo "?")
  cresults=$core_dir/results.tsv
  printf 'command\twall_s\tpeak_rss_kb\texit\tcpu_s\n' >"$cresults"
  core_cmds=("overview" "overview -j 1" "why $cquery" "roots" "roots -j 1")
  if "$retain" shared --help >/dev/null 2>&1; then core_cmds+=("shared"); fi
  if "$retain" sites --help >/dev/null 2>&1; then core_cmds+=("sites"); fi
  if "$retain" export --help 2>/dev/null | grep -q -- '--tree paths'; then
    core_cmds+=("export --format pprof -o $core_dir/paths.pb.gz")
  fi
  # the report, and a diff of two cores (the same one twice: the cost of
  # loading and summarising both sides, one after the other)
  if "$retain" report --help >/dev/null 2>&1; then core_cmds+=("report -o $core_dir/report.html"); fi
  if "$retain" diff --help >/dev/null 2>&1; then core_cmds+=("diff --by type $core $case_dir/bigheap --"); fi
  for c in "${core_cmds[@]}"; do
    read -r -a argv <<<"$c"
    key=${argv[0]}
    [ "${argv[1]:-}" = -j ] && key=$key-j${argv[2]}
    measure "$core_dir/$key.time" "$timeout_s" "$retain" "${argv[@]}" "$core" "$case_dir/bigheap" \
      </dev/null >"$core_dir/$key.txt" 2>"$core_dir/$key.err"
    read -r w m rc cpu <"$core_dir/$key.time"
    printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$w" "$m" "$rc" "$cpu" >>"$cresults"
  done
  core_pass=$(plain_pass "$core")
  echo
  echo "== retain on $(gen go_version) core: $core_mib MiB, objects $cobj, edges $cedg, typed $(typed_share "$core_dir/overview.json") of reachable bytes"
  echo "plain pass over the core: $core_pass s"
  table "$cresults" "$core_pass"
  [ -s "$core_dir/report.html" ] &&
    echo "report page: $(mib "$(stat -c %s "$core_dir/report.html")") MiB ($core_dir/report.html)"

  # ---- the core's saved index, and commands answered from it ---------------
  if "$retain" index --help >/dev/null 2>&1; then
    rtx=$core_dir/heap.rtx
    iresults=$core_dir/index-results.tsv
    printf 'command\twall_s\tpeak_rss_kb\texit\tcpu_s\n' >"$iresults"
    measure "$core_dir/index.time" "$timeout_s" "$retain" index "$core" "$case_dir/bigheap" -o "$rtx" \
      </dev/null >"$core_dir/index.txt" 2>"$core_dir/index.err"
    read -r w m rc cpu <"$core_dir/index.time"
    printf '%s\t%s\t%s\t%s\t%s\n' "index (from the core)" "$w" "$m" "$rc" "$cpu" >>"$iresults"
    # The first command on an index checks it whole; later ones trust that
    # check while the file is unchanged (src/index/index_trust.c), which
    # keeps no check made within 2 s of the file's last change.  A list of
    # the bench's own, so that each run starts from nothing.
    export RETAIN_CACHE_DIR=$core_dir/retain-cache
    rm -rf "$RETAIN_CACHE_DIR"
    sleep 2.5
    measure "$core_dir/index-first.time" "$timeout_s" "$retain" overview "$rtx" \
      </dev/null >"$core_dir/index-first.txt" 2>"$core_dir/index-first.err"
    read -r w m rc cpu <"$core_dir/index-first.time"
    printf '%s\t%s\t%s\t%s\t%s\n' "overview (first: checks all)" "$w" "$m" "$rc" "$cpu" >>"$iresults"
    for c in "overview" "why $cquery" "roots" "top" "dominators --depth 3" "sites" "report -o $core_dir/index-report.html"; do
      read -r -a argv <<<"$c"
      measure "$core_dir/index-${argv[0]}.time" "$timeout_s" "$retain" "${argv[@]}" "$rtx" \
        </dev/null >"$core_dir/index-${argv[0]}.txt" 2>"$core_dir/index-${argv[0]}.err"
      read -r w m rc cpu <"$core_dir/index-${argv[0]}.time"
      printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$w" "$m" "$rc" "$cpu" >>"$iresults"
    done
    echo
    echo "== retain on the core's index: $(mib "$(stat -c %s "$rtx" 2>/dev/null || echo 0)") MiB ($rtx)"
    echo "plain pass over the index: $(plain_pass "$rtx") s (ratios below: to the core's pass, $core_pass s)"
    table "$iresults" "$core_pass"
  fi
fi

#!/usr/bin/env bash
# Memory of a huge pointer array (issue 13): retain's peak RSS on the core
# of a program holding a 2 GiB []*Obj against the core of one holding a
# 2 GiB []byte (bench/ptrarray). The bound: the pointer array costs at most
# 1.2x the byte array plus 16 B per pointer found.
#
#   bench/ptrarray.sh                 # Go 1.22, 2 GiB arrays
#   BYTES=268435456 bench/ptrarray.sh # a quicker 256 MiB
#
# Environment: GO=1.22, BYTES=2147483648, WORK=/tmp/retain-ptrarray (cores
# and binaries; reused while newer than the program), RETAIN=build/retain.
# Needs /usr/bin/time (GNU time) and core_pattern "core" (the kernel writes
# ./core). Prints one row per core and the bound; exit 1 if it is exceeded.
set -euo pipefail

die() { echo "ptrarray: $*" >&2; exit 2; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gover=${GO:-1.22}
bytes=${BYTES:-2147483648}
work=${WORK:-/tmp/retain-ptrarray}
retain=${RETAIN:-build/retain}
case $retain in /*) ;; *) retain=$repo/$retain ;; esac
gobin=/usr/lib/go-$gover/bin/go
[ -x "$gobin" ] || die "no Go $gover at $gobin"
[ -x /usr/bin/time ] || die "GNU time is missing (apt-get install time)"
[ -x "$retain" ] || die "no retain binary at $retain"
case $(cat /proc/sys/kernel/core_pattern) in core|core.*) ;; *) die "core_pattern must be 'core'" ;; esac

dir=$work/go$gover-$bytes
mkdir -p "$dir"
exe=$dir/ptrarray
if [ ! -x "$exe" ] || [ "$repo/bench/ptrarray/main.go" -nt "$exe" ]; then
  (cd "$repo/bench/ptrarray" && GOCACHE=$work/gocache GOFLAGS=-mod=mod "$gobin" build -o "$exe" .)
  rm -rf "$dir"/ptr "$dir"/bytes
fi

declare -A rss wall ptrs edges
for kind in bytes ptr; do
  d=$dir/$kind
  mkdir -p "$d"
  if [ ! -s "$d/core" ]; then
    echo "ptrarray: taking the $kind core" >&2
    (cd "$d" && ulimit -c unlimited && GOTRACEBACK=crash "$exe" -kind "$kind" -bytes "$bytes" >out.txt 2>err.txt) || true
    [ -s "$d/core" ] || { mv "$d"/core.* "$d/core" 2>/dev/null || die "no core in $d"; }
  fi
  /usr/bin/time -f "%e %U %S %M" -o "$d/time" "$retain" overview --json "$d/core" "$exe" >"$d/overview.json" 2>"$d/overview.err" ||
    die "retain failed on the $kind core: $(tail -n 1 "$d/overview.err")"
  read -r w u s m <"$d/time"
  rss[$kind]=$m
  wall[$kind]=$w
  ptrs[$kind]=$(awk '$1=="pointers:"{print $2}' "$d/out.txt")
  edges[$kind]=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edges"])' "$d/overview.json")
  printf '%-6s core %6d MiB  edges %10s  wall %6.2f s  cpu %6.2f s  peak RSS %7d MiB\n' \
    "$kind" $(( $(stat -c %s "$d/core") >> 20 )) "${edges[$kind]}" "$w" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')" $(( m >> 10 ))
done
limit=$(( rss[bytes] * 12 / 10 + 16 * edges[ptr] / 1024 ))
echo "bound: 1.2 x $(( rss[bytes] >> 10 )) MiB + 16 B x ${edges[ptr]} edges = $(( limit >> 10 )) MiB; pointer array: $(( rss[ptr] >> 10 )) MiB"
if [ "${rss[ptr]}" -le "$limit" ]; then echo "ptrarray: within the bound"; else echo "ptrarray: OVER the bound"; exit 1; fi

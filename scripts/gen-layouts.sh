#!/usr/bin/env bash
# Regenerates src/loaders/gocore/gocore_layout_table.c, the runtime layouts
# used for cores whose executable has no DWARF, from the DWARF of
# tests/go/list built by every tested toolchain (GV_TESTED in
# src/loaders/go_version.h). With --check, compares instead of writing and
# fails on any difference (the layout_table test).
# Usage: scripts/gen-layouts.sh GEN_LAYOUT WORKDIR [--check]
#   GEN_LAYOUT: the built tests/tools/gen_layout (e.g. build/tests/gen_layout)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
gen=$1
work=$2
mode=${3:-write}
table=$here/src/loaders/gocore/gocore_layout_table.c
versions=$(sed -n 's/^#define GV_TESTED "\(.*\)".*/\1/p' "$here/src/loaders/go_version.h")
[ -n "$versions" ] || { echo "gen-layouts: no GV_TESTED line in src/loaders/go_version.h" >&2; exit 1; }

mkdir -p "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0
# GOCACHE may be shared with the other tests (their builds of the same std)
export GOCACHE=${GOCACHE:-$work/gocache} GOPATH=$work/gopath
exes=()
for v in $versions; do
  go=/usr/lib/go-$v/bin/go
  if [ ! -x "$go" ]; then
    echo "gen-layouts: Go $v is not installed; run scripts/setup-debian.sh $v" >&2
    exit 1
  fi
  (cd "$here/tests/go" && "$go" build -o "$work/list-$v" ./list)
  exes+=("$work/list-$v")
done
"$gen" "${exes[@]}" > "$work/layout_table.c"

if [ "$mode" = --check ]; then
  if ! diff -u "$table" "$work/layout_table.c"; then
    echo "gen-layouts: $table differs from the layouts the toolchains' DWARF states;" \
         "regenerate it with scripts/gen-layouts.sh $gen $work" >&2
    exit 1
  fi
  echo "gen-layouts: the table matches the DWARF of Go $versions"
else
  cp "$work/layout_table.c" "$table"
  echo "gen-layouts: wrote $table (Go $versions)"
fi

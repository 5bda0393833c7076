#!/usr/bin/env bash
# Quick start: install what is missing, build retain, build the bundled
# leaky example with a real Go toolchain, take its heap dump and ask
# retain what keeps its memory alive.
set -euo pipefail
cd "$(dirname "$0")/.."

GOVER=${GOVER:-1.22}
bash scripts/setup-debian.sh "$GOVER"

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

work=${WORK:-/tmp/retain-quickstart}
mkdir -p "$work"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$work/gocache" GOPATH="$work/gopath"
( cd examples/leaky && "/usr/lib/go-$GOVER/bin/go" build -o "$work/leaky" . )
"$work/leaky" "$work/leaky.dump" > "$work/leaky.out"
addr=$(sed -n 's/^leaked: \(0x[0-9a-f]*\).*/\1/p' "$work/leaky.out" | head -1)

run() { printf '\n$ %s\n' "$*"; "$@"; }
run build/retain overview "$work/leaky.dump" "$work/leaky"
run build/retain top -n 8 "$work/leaky.dump" "$work/leaky"
run build/retain why "$addr" "$work/leaky.dump" "$work/leaky"

#!/usr/bin/env bash
# Quick start: install what is missing, build retain, build the bundled
# leaky example with a real Go toolchain, take its heap dump and ask
# retain what keeps its memory alive.
set -euo pipefail
cd "$(dirname "$0")/.."

GOVER=${GOVER:-1.19} # bookworm's own Go: no extra apt suite needed
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
run build/retain roots -n 6 "$work/leaky.dump" "$work/leaky"

# The same program once more, this time aborting into an ELF core.
if [ "$(cat /proc/sys/kernel/core_pattern 2>/dev/null)" = core ]; then
  rm -f "$work/core"
  (cd "$work" && ulimit -c unlimited && LEAKY_CORE=1 GOTRACEBACK=crash timeout 60 ./leaky core.dump \
     >leaky-core.out 2>/dev/null) 2>/dev/null || true
  caddr=$(sed -n 's/^leaked: \(0x[0-9a-f]*\).*/\1/p' "$work/leaky-core.out" | head -1)
  if [ -s "$work/core" ] && [ -n "$caddr" ]; then
    run build/retain overview "$work/core"
    run build/retain why "$caddr" "$work/core"
    run build/retain sites --by function -n 3 --profile "$work/core.dump.pb.gz" "$work/core"
  else
    echo "quickstart: no core was written; skipping the core part" >&2
  fi
else
  echo "quickstart: /proc/sys/kernel/core_pattern does not write ./core; skipping the core part" >&2
fi

#!/usr/bin/env bash
# Every libFuzzer target briefly, as CI runs them (ctest fuzz_short): each
# for SECONDS (default 15) from its seeds alone (the corpus an earlier run
# grew is removed first) with libFuzzer's seed fixed, so a run is repeatable
# as far as timing allows. Long runs: scripts/fuzz.sh SECONDS TARGET.
#
# Usage: scripts/fuzz-ci.sh [SECONDS]    Environment: BUILD (default build-fuzz-ci)
# Last line: "fuzz-ci: N targets, no crash" (exit 0) or the failures (exit 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-15}
case $secs in '' | *[!0-9]*) echo "usage: scripts/fuzz-ci.sh [SECONDS]" >&2; exit 2 ;; esac
build=${BUILD:-$root/build-fuzz-ci}
work=$build/fuzz-work
# what earlier runs grew goes; seeds made from Go programs stay (they are
# rebuilt when their sources change)
rm -rf "$work/corpus" "$work"/*-corpus "$work/artifacts"
failed=()
targets=(heapdump core pprof exe gocore index)
for t in "${targets[@]}"; do
  if ! BUILD=$build FUZZ_ARGS="-seed=1 ${FUZZ_ARGS:-}" bash "$root/scripts/fuzz.sh" "$secs" "$t"; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-ci: FAILED: ${failed[*]} (logs and inputs under $work)"
  exit 1
fi
echo "fuzz-ci: ${#targets[@]} targets, no crash"

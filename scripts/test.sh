#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing (every Go
# toolchain the tests use), build with AddressSanitizer and
# UndefinedBehaviorSanitizer, run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

build=${BUILD:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DRETAIN_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"

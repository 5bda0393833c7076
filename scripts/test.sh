#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing (every Go
# toolchain the tests use), build with AddressSanitizer and
# UndefinedBehaviorSanitizer, run ctest.  First an optimised build, whose
# extra warnings (-O3 sees more maybe-uninitialized paths) are errors too.
set -euo pipefail
cd "$(dirname "$0")/.."

RETAIN_SETUP_TESTS=1 bash scripts/setup-debian.sh

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

build=${BUILD:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DRETAIN_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"

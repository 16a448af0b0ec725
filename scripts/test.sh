#!/usr/bin/env bash
# The whole test suite from scratch: installs the dependencies, configures and builds keycomp in
# build-test/, and runs every test with ctest. This is the README's test command.
#   scripts/test.sh              Release build + tests
#   scripts/test.sh --sanitize   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#                                (in build-sanitize/)
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-test
flags=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  build=build-sanitize
  # -O1 -g1: the sanitizers' usual setting; compiles in about half the time of -O2 -g and still
  # gives file:line in every report.
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
         -DKEYCOMP_SANITIZE=ON -DKEYCOMP_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

# ccache (when installed) keyed on paths relative to the checkout, so a fresh clone elsewhere
# reuses the objects of an earlier build of the same sources.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

scripts/install-deps.sh
rm -rf "$build"
cmake -S . -B "$build" -G Ninja "${flags[@]}"
cmake --build "$build" --parallel "$(nproc)"
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)"

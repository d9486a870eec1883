#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Run as root on
# Debian 12: it installs what it needs, then
#   1. static checks: banned functions, clang-format
#   2. build with gcc -Werror, run every test (unit, fuzz corpus replay, lab)
#   3. build with ASan+UBSan, run every test again
#   4. build the libFuzzer targets with clang and fuzz each one briefly from
#      its corpus (fixed seed and run count, so a run is repeatable)
# Set ND_SKIP_DEPS=1 to skip the apt step when you know it is done.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)

[[ "${ND_SKIP_DEPS:-}" == 1 ]] || ./scripts/deps.sh

echo "== static checks"
./scripts/banned.sh
./scripts/format.sh --check

run_suite() { # dir, extra cmake args...
	local dir=$1
	shift
	cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	(cd "$dir" && ctest --output-on-failure -j"$jobs")
}

echo "== build and test (gcc)"
run_suite "$root/build"

echo "== build and test (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite "$root/build-asan" -DNATDOCTOR_SANITIZE=ON

echo "== fuzz (clang libFuzzer, short runs)"
CC=clang cmake -S "$root" -B "$root/build-fuzz" -DNATDOCTOR_FUZZ=ON -DNATDOCTOR_SANITIZE=ON \
	-DNATDOCTOR_LAB=OFF >/dev/null
cmake --build "$root/build-fuzz" -j"$jobs" >/dev/null
./scripts/fuzz.sh "$root/build-fuzz" "${ND_FUZZ_RUNS:-20000}"
echo "== all suites passed"

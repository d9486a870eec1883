#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Run as root on
# Debian 12: it installs what it needs, then
#   1. static checks: banned functions, clang-format
#   2. build with gcc -Werror, run every test (unit, fuzz corpus replay, lab)
#   3. build with ASan+UBSan, run every test again
#   4. build the libFuzzer targets with clang and fuzz each one briefly from
#      its corpus (fixed seed and run count, so a run is repeatable)
#   5. build every CMake build type with gcc and with clang (-Werror, build
#      only), and check the optimized binaries' hardening with hardening-check
#   6. build the Debian package (lintian: no errors), install it with apt,
#      run a lab test against /usr/bin/natdoctor, purge it, check nothing is left
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
echo "== every build type with gcc and clang (build only)"
# A packager may pick any build type and either compiler; -O3 and -Os find
# warnings -O2 does not (gcc 12 stringop-overflow in Release). gcc
# RelWithDebInfo is the suite's own build above.
for cc in gcc clang; do
	for type in Debug Release RelWithDebInfo MinSizeRel; do
		[[ $cc/$type == gcc/RelWithDebInfo ]] && continue
		dir=$root/build-types/$cc-$type
		CC=$cc cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=$type -DNATDOCTOR_LAB=OFF >/dev/null
		cmake --build "$dir" -j2 >/dev/null || {
			echo "build failed: $cc $type" >&2
			cmake --build "$dir" -j1 2>&1 | grep -E 'error|warning' | head -20 >&2
			exit 1
		}
		# PIE, full RELRO and the stack protector always; _FORTIFY_SOURCE
		# needs the optimizer, so not in Debug. Control-flow protection is
		# left out: devscripts 2.23 reports "not found" for binaries built
		# with -fcf-protection on Debian 12.
		fortify=()
		[[ $type == Debug ]] && fortify=(--nofortify)
		hardening-check --quiet --nocfprotection "${fortify[@]}" "$dir/natdoctor"
	done
done
hardening-check --quiet --nocfprotection "$root/build/natdoctor"

echo "== Debian package: build, lintian, install, lab test, purge"
deb=$(./scripts/package.sh "$root/build-deb" | tail -1)
./tests/package/test_package.sh "$deb" "$root/build"
echo "== all suites passed"

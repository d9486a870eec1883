#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Line and branch coverage of src/, per file, from the whole suite.
#
#   scripts/coverage.sh [BUILD_DIR] [CTEST_REGEX]
#
# Builds with gcc --coverage (-O0, no sanitizers, no hardening, warnings
# not fatal: -O0 changes what gcc's flow analysis sees, and -Werror is the
# other builds' job) in its own
# folder (default build-coverage/), clears old counters, runs the tests
# (default: everything ctest knows, i.e. unit tests, fuzz corpus replay and
# the lab; as root for the lab), then prints one line per source file with
# its line and branch coverage and the totals for src/proto/ and src/, and
# writes coverage.json (gcovr's summary) and coverage.html in BUILD_DIR.
# A failing test is reported and the figures are still printed (they then
# undercount); the exit status is the tests'. docs/TESTING.md states the
# figures of the last run and the targets.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${1:-$root/build-coverage}
regex=${2:-}
jobs=${ND_JOBS:-2}

command -v gcovr >/dev/null || { echo "coverage.sh: gcovr is missing: run scripts/deps.sh" >&2; exit 2; }

echo "== build with --coverage in $dir"
CC=gcc cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="--coverage -O0" \
	-DCMAKE_EXE_LINKER_FLAGS="--coverage" -DNATDOCTOR_HARDEN=OFF -DNATDOCTOR_WERROR=OFF >/dev/null
cmake --build "$dir" -j"$jobs" >"$dir/coverage-build.log" 2>&1 ||
	{ tail -30 "$dir/coverage-build.log" >&2; exit 1; }
find "$dir" -name '*.gcda' -delete

echo "== run the tests${regex:+ matching $regex}"
status=0
(cd "$dir" && ctest -j"$jobs" --output-on-failure ${regex:+-R "$regex"}) >"$dir/coverage-tests.log" 2>&1 ||
	status=$?
grep -E "tests passed|tests failed|\(Failed\)|\(Timeout\)" "$dir/coverage-tests.log" || true

echo "== coverage of src/ (gcovr $(gcovr --version | head -1 | awk '{print $2}'))"
gcovr -r "$root" --object-directory "$dir" --filter "$root/src/" --exclude-unreachable-branches \
	--exclude-directories "$dir/CMakeFiles/[0-9].*" \
	--json-summary "$dir/coverage.json" --html-details "$dir/coverage.html" >/dev/null
python3 - "$dir/coverage.json" <<'PY'
import json, sys

data = json.load(open(sys.argv[1]))

def pct(c, t):
    return f"{100.0 * c / t:5.1f} %" if t else "    - "

groups = {}
print(f"{'file':<32} {'lines':>17} {'branches':>17}")
for f in sorted(data["files"], key=lambda f: f["filename"]):
    name = f["filename"]
    lc, lt = f["line_covered"], f["line_total"]
    bc, bt = f["branch_covered"], f["branch_total"]
    print(f"{name:<32} {lc:>5}/{lt:<5} {pct(lc, lt)} {bc:>5}/{bt:<5} {pct(bc, bt)}")
    for g in ("src/proto/", "src/"):
        if name.startswith(g):
            s = groups.setdefault(g, [0, 0, 0, 0])
            s[0] += lc; s[1] += lt; s[2] += bc; s[3] += bt
print()
for g in ("src/proto/", "src/"):
    lc, lt, bc, bt = groups.get(g, [0, 0, 0, 0])
    print(f"{'TOTAL ' + g:<32} {lc:>5}/{lt:<5} {pct(lc, lt)} {bc:>5}/{bt:<5} {pct(bc, bt)}")
PY
echo "details: $dir/coverage.html"
exit "$status"

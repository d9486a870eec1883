#!/usr/bin/env bash
# Fuzz every target in BUILD_DIR/fuzz for RUNS inputs each, starting from its
# corpus in tests/fuzz/corpus/NAME. New interesting inputs go to a scratch
# directory, not the repository. A crash fails the run and leaves the input
# in BUILD_DIR/fuzz-artifacts: fix the bug, then copy the input into the
# corpus under a name that says what it was (crash-stun-attr-len-wrap, say).
#   scripts/fuzz.sh build-fuzz 20000        # as CI
#   scripts/fuzz.sh build-fuzz 0 600        # one target-hour hunt: 600 s each
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?build dir}
runs=${2:-20000}
secs=${3:-60}
art="$build/fuzz-artifacts"
mkdir -p "$art"
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
((${#targets[@]})) || { echo "no fuzz targets in $build/fuzz" >&2; exit 1; }
for t in "${targets[@]}"; do
	name=${t##*/fuzz_}
	scratch=$(mktemp -d)
	trap 'rm -rf "$scratch"' EXIT
	args=(-seed=1 -max_total_time="$secs" -artifact_prefix="$art/$name-" -print_final_stats=0)
	((runs > 0)) && args+=(-runs="$runs")
	echo "fuzz $name: $runs runs"
	if ! "$t" "${args[@]}" "$scratch" "tests/fuzz/corpus/$name" >"$art/$name.log" 2>&1; then
		tail -40 "$art/$name.log" >&2
		echo "fuzz $name: crash; the input is in $art" >&2
		exit 1
	fi
	rm -rf "$scratch"
	trap - EXIT
done
echo "fuzz: ${#targets[@]} targets clean"

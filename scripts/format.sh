#!/usr/bin/env bash
# clang-format every C file we own. --check: change nothing, fail on a diff.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
((${#files[@]})) || exit 0
if [[ "${1:-}" == --check ]]; then
	clang-format --dry-run -Werror "${files[@]}"
	echo "format check: clean"
else
	clang-format -i "${files[@]}"
fi

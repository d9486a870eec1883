#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor records no library it opens with dlopen (docs/DEPENDENCIES.md):
# a recorded one is mapped and relocated at the start of every command, the
# map daemon at rest included (issue 12: under 2 MiB). A target linking
# PkgConfig::CURL again, say, fails here rather than in bench/map.sh.
# Usage: needed_libs.sh NATDOCTOR
set -euo pipefail
bin=${1:?usage: needed_libs.sh NATDOCTOR}
needed=$(readelf -d "$bin" | awk '/\(NEEDED\)/ { gsub(/[][]/, "", $NF); print $NF }')
[[ -n "$needed" ]] || { echo "FAIL: readelf shows no NEEDED entries in $bin" >&2; exit 1; }
bad=$(grep -E '^lib(json-c|curl|sodium|miniupnpc)\.' <<<"$needed" || true)
if [[ -n "$bad" ]]; then
	echo "FAIL: $bin records $(tr '\n' ' ' <<<"$bad")- these are opened with dlopen, never linked" >&2
	exit 1
fi
echo "ok: $bin records only: $(tr '\n' ' ' <<<"$needed")"

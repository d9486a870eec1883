#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# contrib/natdoctor-serve.service and natdoctor-map.service are valid units (systemd-analyze verify)
# and stays hardened (systemd-analyze security --offline: exposure at most
# MAX_EXPOSURE). The unit names /usr/bin/natdoctor, which a build machine
# does not have: the check runs on a copy that points at the binary just
# built. Usage: verify_unit.sh SOURCE_DIR NATDOCTOR_BINARY
set -euo pipefail
src=${1:?source dir} bin=${2:?natdoctor binary}
MAX_EXPOSURE=2.0
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (scripts/deps.sh installs systemd)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# check_unit NAME: verify and score contrib/NAME.service.
check_unit()
{
	local name=$1 out score
	sed "s|/usr/bin/natdoctor|$bin|; s|^EnvironmentFile=.*|EnvironmentFile=-$dir/none|" \
		"$src/contrib/$name.service" >"$dir/$name.service"
	out=$(systemd-analyze verify --man=no "$dir/$name.service" 2>&1) || {
		echo "$out" >&2
		echo "FAIL: $name: systemd-analyze verify" >&2
		exit 1
	}
	# verify reports some problems only as warnings on stderr, exit 0.
	if [[ -n "$out" ]]; then
		echo "$out" >&2
		echo "FAIL: $name: systemd-analyze verify has something to say" >&2
		exit 1
	fi
	score=$(systemd-analyze security --offline=yes --no-pager "$dir/$name.service" 2>&1 |
		awk '/Overall exposure level/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')
	[[ -n "$score" ]] || { echo "FAIL: $name: no exposure score from systemd-analyze security" >&2; exit 1; }
	echo "$name: systemd-analyze verify: clean; security exposure $score (max $MAX_EXPOSURE)"
	awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' ||
		{ echo "FAIL: $name: exposure $score above $MAX_EXPOSURE" >&2; exit 1; }
}

check_unit natdoctor-serve
check_unit natdoctor-map

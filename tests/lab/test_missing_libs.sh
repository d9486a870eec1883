#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A library natdoctor opens with dlopen (docs/DEPENDENCIES.md) that is not
# installed: the command that needs it says which library and which Debian
# package, one line, exit 4; the commands that do not need it never notice.
# Each run hides the library behind /dev/null in a private mount namespace
# with its own empty network namespace (unshare -m -n), so nothing outside
# this test sees the mount and nothing is sent anywhere; both end with the
# process.
set -euo pipefail
: "${NATDOCTOR:?set NATDOCTOR to the binary}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# without SONAME STATUS PATTERN ARGS...: natdoctor ARGS with SONAME hidden
# exits STATUS, and its stderr and stdout together match PATTERN.
without()
{
	local so=$1 want=$2 pat=$3 rc=0 path
	shift 3
	path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|x32|64/ { print $NF; exit }')
	[[ -n "$path" ]] || fail "$so is not installed here (scripts/deps.sh)"
	path=$(readlink -f "$path")
	timeout 20 unshare -m -n sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
		sh "$path" "$NATDOCTOR" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[[ "$rc" == "$want" ]] || { cat "$TMP/err" >&2; fail "without $so, '$*': exit $rc, expected $want"; }
	cat "$TMP/err" "$TMP/out" | grep -Eq -- "$pat" ||
		{ cat "$TMP/err" >&2; fail "without $so, '$*': output does not match /$pat/"; }
	echo "ok: without $so: $* -> $rc: $(cat "$TMP/err" "$TMP/out" | head -1 | cut -c1-150)"
}

# serve: the dial-back cookie's MAC; refused at start, before any socket.
without libsodium.so.23 4 'cannot load libsodium\.so\.23.*libsodium23' \
	serve --listen 127.0.0.1 --allow-private
# peers: an HTTP source needs libcurl; a log alone does not.
without libcurl.so.4 4 'libcurl\.so\.4.*libcurl4' peers --rpc http://127.0.0.1:9944 --once
printf '2026-01-01 00:00:00 [Parachain] 💤 Idle (8 peers), best: #1 (0x00), finalized #1 (0x00)\n' \
	>"$TMP/node.log"
without libcurl.so.4 1 'parachain peers=8 ' peers --log "$TMP/node.log" --once
without libsodium.so.23 1 'parachain peers=8 ' peers --log "$TMP/node.log" --once
echo "PASS"

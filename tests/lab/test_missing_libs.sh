#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A library natdoctor opens with dlopen (docs/DEPENDENCIES.md) that is not
# installed: the command that needs it names the library and its Debian
# package and does without it or stops (exit 4); commands that do not need
# it never notice. Each run hides the library behind /dev/null in a private
# mount namespace (unshare -m) inside this run's host namespace, so nothing
# outside this test sees the mount; it ends with the process.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# without "SONAME..." STATUS PATTERN ARGS...: natdoctor ARGS in the host
# namespace with each SONAME hidden exits STATUS (! for any failure), and
# its stderr and stdout together match PATTERN.
without()
{
	local sos=$1 want=$2 pat=$3 rc=0 so path paths=()
	shift 3
	for so in $sos; do
		# awk reads to the end: an early exit would SIGPIPE ldconfig (pipefail).
		path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64/ && !p { p = $NF } END { print p }')
		[[ -n "$path" ]] || fail "$so is not installed here (scripts/deps.sh)"
		paths+=("$(readlink -f "$path")")
	done
	lab_host unshare -m sh -c 'n=$1; shift; while [ "$n" -gt 0 ]; do
			mount --bind /dev/null "$1" || exit 99; shift; n=$((n - 1)); done; exec "$@"' \
		sh "${#paths[@]}" "${paths[@]}" "$NATDOCTOR" "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err" || rc=$?
	if [[ "$want" == "!" ]]; then
		[[ "$rc" != 0 ]] || { cat "$LAB_DIR/err" >&2; fail "without $sos, '$*': exit 0"; }
	else
		[[ "$rc" == "$want" ]] ||
			{ cat "$LAB_DIR/err" >&2; fail "without $sos, '$*': exit $rc, expected $want"; }
	fi
	cat "$LAB_DIR/err" "$LAB_DIR/out" | grep -Eq -- "$pat" ||
		{ cat "$LAB_DIR/err" >&2; fail "without $sos, '$*': output does not match /$pat/"; }
	echo "ok: without $sos: $* -> $rc: $(grep -Eh -- "$pat" "$LAB_DIR/err" "$LAB_DIR/out" | head -1 | cut -c1-160)"
}

lab_up home

lab_step "serve needs libsodium (the dial-back cookie); refused at start, before any socket"
without libsodium.so.23 4 'cannot load libsodium\.so\.23.*libsodium23' \
	serve --listen 127.0.0.1 --allow-private

lab_step "check: --json needs json-c, the text report does not"
without libjson-c.so.5 4 'cannot load libjson-c\.so\.5.*libjson-c5' \
	check --json --no-node --stun "$STUN_A" --stun "$STUN_B"
without libjson-c.so.5 '!' 'Verdict' check --no-node --stun "$STUN_A" --stun "$STUN_B"

lab_step "peers: an HTTP source needs libcurl; a log alone needs none of them"
without libcurl.so.4 4 'libcurl\.so\.4.*libcurl4' peers --rpc http://127.0.0.1:9944 --once
printf '2026-01-01 00:00:00 [Parachain] 💤 Idle (8 peers), best: #1 (0x00), finalized #1 (0x00)\n' \
	>"$LAB_DIR/node.log"
without libcurl.so.4 1 'parachain peers=8 ' peers --log "$LAB_DIR/node.log" --once
without "libsodium.so.23 libjson-c.so.5 libminiupnpc.so.17" 1 'parachain peers=8 ' \
	peers --log "$LAB_DIR/node.log" --once

lab_step "map by PCP needs none but libsodium (--once's nonce); by UPnP it names miniupnpc"
nolibs="libminiupnpc.so.17 libjson-c.so.5 libcurl.so.4"
without "$nolibs" 0 '^mapped 30333/tcp.* by PCP' map 30333/tcp --once --no-natpmp --lifetime 60
without "$nolibs" 0 'closed 30333/tcp' map 30333/tcp --delete --no-natpmp
lab_step "map --once without libsodium: a warning only when PCP may be used (NAT-PMP has no nonce)"
without "libsodium.so.23" 0 '^mapped 30333/udp.* by NAT-PMP' map 30333/udp --once --no-pcp --lifetime 60
! grep -q 'libsodium' "$LAB_DIR/err" ||
	{ cat "$LAB_DIR/err" >&2; fail "--once --no-pcp warned about libsodium"; }
without "libsodium.so.23" 0 'cannot load libsodium\.so\.23.*later --delete' \
	map 30334/udp --once --no-natpmp --lifetime 60
lab_router_upnp_only
without libminiupnpc.so.17 '!' 'cannot load libminiupnpc\.so\.17.*libminiupnpc17' \
	map 30333/tcp --once --lifetime 60
echo "PASS"

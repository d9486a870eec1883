#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check's answers to bad input and to a machine without network: one line
# on stderr saying what is wrong and what to do, the documented exit status,
# never a crash or a hang. The "no network" cases run in a namespace this
# test creates (loopback only) and removes on exit.
set -euo pipefail
: "${NATDOCTOR:?set NATDOCTOR to the binary}"
NS="ndbad$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TMP=$(mktemp -d)
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
# A signal ends the test through exit, so the EXIT trap cleans up then too.
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect STATUS PATTERN ARGS...: exit STATUS, stderr one line matching PATTERN.
expect()
{
	local want=$1 pat=$2 rc=0
	shift 2
	timeout 20 "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[[ "$rc" == "$want" ]] || { cat "$TMP/err" >&2; fail "'$*': exit $rc, expected $want"; }
	local lines
	lines=$(wc -l <"$TMP/err")
	[[ "$lines" == 1 ]] || { cat "$TMP/err" >&2; fail "'$*': $lines lines on stderr, expected 1"; }
	grep -Eq -- "$pat" "$TMP/err" || { cat "$TMP/err" >&2; fail "'$*': stderr does not match /$pat/"; }
	echo "ok: $* -> $rc: $(cat "$TMP/err")"
}

N=$NATDOCTOR
expect 2 "unrecognized|unknown" "$N" check --frobnicate
expect 2 "port" "$N" check --port 0
expect 2 "port" "$N" check --port 70000
expect 2 "port" "$N" check --port abc
expect 2 "port" "$N" check --port 30333/sctp
expect 2 "port" "$N" check --port ''
expect 2 "node" "$N" check --node dogecoin
expect 2 "timeout" "$N" check --timeout 10
expect 2 "timeout" "$N" check --timeout 99999999999999999999
expect 2 "hops" "$N" check --max-hops 0
expect 2 "stun|STUN" "$N" check --stun ''
expect 2 "stun|STUN" "$N" check --stun 'host:99999'
expect 2 "STUN" "$N" check --stun 'no-such-host.invalid'
expect 2 "argument|unexpected" "$N" check extra-argument
expect 2 "command" "$N" frobnicate
# Issue 7 defect 9: the option's own letter, not the word before it.
expect 2 "unknown option '-x'" "$N" check -x4
expect 2 "--json takes no value" "$N" check --json=1
expect 2 "--port needs a value" "$N" check --port
# Issue 7 defect 8: peers answers a usage error as check does, in one line.
expect 2 "unknown option '--bogus'" "$N" peers --bogus
expect 2 "unknown option '-x'" "$N" peers -x
expect 2 "--rpc needs a value" "$N" peers --rpc
expect 2 "--json takes no value" "$N" peers --json=1
# Issue 7 defect 7: what cannot be a URL or a port never reaches libcurl.
expect 2 "bad --rpc '0'" "$N" peers --rpc 0
expect 2 "bad --rpc '65536'" "$N" peers --rpc 65536
expect 2 "bad --rpc '-1'" "$N" peers --rpc -1
expect 2 "bad --rpc '='" "$N" peers --rpc =
expect 2 "bad --rpc" "$N" peers --rpc 'http://127.0.0.1:1/ space'
expect 2 "bad --metrics" "$N" peers --metrics 'http://:9615/metrics'
# Issue 7 defect 11: a password in a URL never shows, in a usage error, the
# report or the JSON (the node's RPC on a loopback port nothing listens on).
expect 2 "bad --rpc 'http://nd:\*\*\*@127.0.0.1:0/'" "$N" check --rpc 'http://nd:s3cr3tpw@127.0.0.1:0/'
for fmt in --no-color --json; do
	rc=0
	timeout 20 "$N" check "$fmt" --timeout 600 --stun 127.0.0.1 --rpc 'http://nd:s3cr3tpw@127.0.0.1:1/' \
		--rpc 'http://tok3nonly@127.0.0.1:2/' >"$TMP/secret.out" 2>"$TMP/secret.err" || rc=$?
	((rc < 2)) || { cat "$TMP/secret.err" >&2; fail "check $fmt with --rpc: exit $rc"; }
	grep -q 'nd:\*\*\*@127.0.0.1:1' "$TMP/secret.out" || fail "check $fmt does not name the RPC URL"
	! grep -q 's3cr3tpw\|tok3nonly' "$TMP/secret.out" "$TMP/secret.err" || fail "check $fmt shows a password"
	echo "ok: check $fmt --rpc with a password: masked"
done
# No command at all: the usage, on stderr, exit 2.
rc=0
timeout 5 "$N" >/dev/null 2>"$TMP/usage" || rc=$?
[[ "$rc" == 2 ]] || fail "no command: exit $rc, expected 2"
grep -q "Commands:" "$TMP/usage" || fail "no command: no usage on stderr"
# --help teaches and succeeds.
timeout 5 "$N" check --help >"$TMP/help" || fail "check --help failed"
grep -q -- "--port" "$TMP/help" || fail "check --help does not mention --port"
grep -q -- "Exit status" "$TMP/help" || fail "check --help does not tell the exit status"
# Issue 7 defect 10: help names only commands that exist (the ones that
# are planned must be in the command table before any help mentions them).
timeout 5 "$N" --help >"$TMP/commands" || fail "natdoctor --help failed"
for cmd in check peers; do
	timeout 5 "$N" "$cmd" --help >"$TMP/help" || fail "$cmd --help failed"
	grep -q -- "--no-colour" "$TMP/help" || fail "$cmd --help does not name --no-colour"
	for planned in serve map status; do
		if grep -q "natdoctor $planned" "$TMP/help"; then
			grep -q "^  $planned " "$TMP/commands" ||
				fail "$cmd --help names 'natdoctor $planned', which does not exist"
		fi
	done
done

# No network at all: only loopback, which is down.
ip netns add "$NS"
expect 3 "network|route" ip netns exec "$NS" "$N" check
# Loopback up, still no default route.
ip netns exec "$NS" ip link set lo up
expect 3 "network|route" ip netns exec "$NS" "$N" check
# With --json the answer is still a JSON document, and exit 3.
rc=0
ip netns exec "$NS" timeout 20 "$N" check --json >"$TMP/nonet.json" 2>/dev/null || rc=$?
[[ "$rc" == 3 ]] || fail "--json without network: exit $rc, expected 3"
jq -e '.findings[] | select(.id == "no-network")' "$TMP/nonet.json" >/dev/null ||
	fail "--json without network: no no-network finding"
echo "ok: no network -> 3, JSON says no-network"

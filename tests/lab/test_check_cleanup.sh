#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Whatever check creates on the router it removes on every way out (issue 7
# defect 5): its deadline, SIGINT, SIGTERM, SIGHUP, and a MAP answer that never
# comes. miniupnpd makes PCP's test mapping, but an nftables rule in the
# router drops its answers to MAP (UDP from port 5351 whose opcode byte is
# 0x81), so check never learns that the mapping exists. Each run waits
# until the mapping is in miniupnpd's chains, ends check one way, and then
# asserts on the router's own rules that no mapping is left.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up home

# How many rules for this host miniupnpd holds now: DNAT in its prerouting
# chain, accept in its filter chain.
mappings()
{
	{
		lab_router nft list chain inet filter prerouting_miniupnpd
		lab_router nft list chain inet filter miniupnpd
	} | grep -c "$HOST_IP" || true
}

lab_step "the router's answers to PCP MAP are lost"
_lab_nft "$NS_ROUTER" <<-'EOF'
	table inet ndlost {
		chain out {
			type filter hook output priority 0; policy accept;
			udp sport 5351 @th,72,8 0x81 counter drop
		}
	}
EOF
assert_eq 0 "$(mappings)" "mappings before any check"

# end_check HOW TIMEOUT_MS: run check in the host namespace (SIGINT and
# SIGTERM at their default, as in a terminal), wait until the test mapping
# is in the router, end check by HOW (deadline, INT or TERM), then wait
# (bounded) for the router to hold no mapping.
end_check()
{
	local how=$1 timeout=$2 pid rc=0 seen=0 t0 t1 left
	ip netns exec "$NS_HOST" env --default-signal=INT,TERM,HUP "$NATDOCTOR" check --json \
		--no-upnp --timeout "$timeout" --stun "$STUN_A" \
		>"$LAB_DIR/$how.json" 2>"$LAB_DIR/$how.stderr" &
	pid=$!
	for _ in $(seq 100); do
		if (($(mappings) > 0)); then
			seen=1
			break
		fi
		sleep 0.02
	done
	if ((!seen)); then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		fail "$how: miniupnpd never made PCP's test mapping"
	fi
	t0=$(lab_ms)
	[[ "$how" == deadline ]] || kill -s "$how" "$pid"
	wait "$pid" || rc=$?
	t1=$(lab_ms)
	case $how in
	deadline)
		[[ "$rc" == 0 || "$rc" == 1 ]] || fail "deadline: exit status $rc"
		jq -e . "$LAB_DIR/$how.json" >/dev/null || fail "deadline: not valid JSON"
		;;
	INT) assert_eq 130 "$rc" "exit status after SIGINT (killed by it)" ;;
	TERM) assert_eq 143 "$rc" "exit status after SIGTERM (killed by it)" ;;
	HUP) assert_eq 129 "$rc" "exit status after SIGHUP (killed by it)" ;;
	esac
	if [[ "$how" != deadline ]]; then
		((t1 - t0 < 1000)) || fail "$how: check took $((t1 - t0)) ms to end after the signal"
		_lab_say "ok: check ended $((t1 - t0)) ms after SIG$how"
	fi
	for left in $(seq 50); do
		(($(mappings) == 0)) && break
		sleep 0.02
	done
	if (($(mappings) > 0)); then
		lab_router nft list chain inet filter prerouting_miniupnpd >&2
		fail "$how: PCP's test mapping is left in the router"
	fi
	_lab_say "ok: $how: no mapping left in the router (within $(((left - 1) * 20)) ms after check ended)"
}

lab_step "the deadline ends check while MAP has no answer"
end_check deadline 1000
lab_step "SIGINT mid-check"
end_check INT 5000
lab_step "SIGTERM mid-check"
end_check TERM 5000
lab_step "SIGHUP mid-check (the SSH session went away)"
end_check HUP 5000
assert_match 'packets [1-9]' "$(lab_router nft list table inet ndlost)" "MAP answers dropped"

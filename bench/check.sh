#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/check.sh: how long `natdoctor check` takes in the lab, against the
# tools an operator uses today, measured in the same run:
#   - `upnpc -s`   (miniupnpc: UPnP IGD discovery and status)
#   - `natpmpc`    (libnatpmp: NAT-PMP public address)
# and natdoctor's peak RSS. Topologies:
#   home        everything answers (miniupnpd with UPnP, NAT-PMP, PCP; coturn)
#   natpmponly  the same router with PCP dropped in silence (NAT-PMP-only)
#   home@150    home with 150 ms of round trip to the internet (lab_delay)
#   blackhole   nothing answers (no STUN reply, no gateway protocol)
# Targets (issues 2 and 10): check within 1 s when everything answers (the
# NAT-PMP-only router included), within 1.2 s at 150 ms of round trip,
# within 3 s when nothing does, under 4 MiB peak RSS. This script prints;
# it does not judge (timings do not belong in tests). The node's own view
# (issue 13): a stand-in node (tests/peers/fakenode.py) on the host's
# loopback adds at most 50 ms when it answers, and a node that never
# answers costs nothing beyond check's deadline (--timeout); measured in
# home and blackhole.
#
# Usage (as root, from a build): bench/check.sh [BUILD_DIR] [RUNS]
# Needs: hyperfine, GNU time, jq, python3, the lab's packages (scripts/deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export ND_BUILD_DIR=${1:-$here/../build}
RUNS=${2:-10}
export NATDOCTOR=${NATDOCTOR:-$ND_BUILD_DIR/natdoctor}
export LAB_QUIET=1 LAB_CMD_TIMEOUT=300
source "$here/../tests/lab/lib.sh"

# Routers rate-limit ICMP errors (1 per second per destination, bursts of
# 6); back-to-back runs would exhaust that and turn "port closed" into
# "no answer". Lift the limit in the lab's routers so every run measures
# the same thing.
unlimit_icmp()
{
	local ns
	for ns in "$NS_ROUTER" "${NS_ISP:-}" "$NS_CORE"; do
		[[ -n "$ns" ]] && lab_exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0
	done
}

# mean_ms NAME CMD...: hyperfine in the host namespace, mean in ms.
# PEER_RUNS (default RUNS) applies to the peer tools, which take 10 s a
# run when nothing answers.
mean_ms()
{
	local name=$1 runs=$RUNS warm=1
	shift
	if [[ "$name" != check && -n "${PEER_RUNS:-}" ]]; then
		runs=$PEER_RUNS warm=0
	fi
	lab_host hyperfine --runs "$runs" --warmup "$warm" -N -i --export-json "$LAB_DIR/$name.json" \
		"$*" >/dev/null 2>&1 || fail "hyperfine failed for $name"
	jq '.results[0].mean * 1000 | round' "$LAB_DIR/$name.json"
}

# Peak RSS of one run (GNU time's %M: the process's own VmHWM, in KiB).
peak_rss_kib()
{
	lab_host /usr/bin/time -f %M -o "$LAB_DIR/rss" "$@" >/dev/null 2>&1 || true
	tail -n1 "$LAB_DIR/rss"
}

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

# fakenode NAME ARGS...: a stand-in node on the host namespace's loopback;
# its RPC/metrics port is printed.
fakenode()
{
	local name=$1
	shift
	lab_daemon "$name" "$NS_HOST" python3 "$here/../tests/peers/fakenode.py" \
		--port-file "$LAB_DIR/$name.port" "$@"
	for _ in $(seq 1 100); do
		[[ -s "$LAB_DIR/$name.port" ]] && break
		sleep 0.05
	done
	cat "$LAB_DIR/$name.port"
}

# node_view TOPO CHECK: check without looking at the node, with a node that
# answers (RPC and metrics), with one that accepts and never answers.
node_view()
{
	local topo=$1 check=$2 good hang none with slow
	good=$(fakenode nodegood --unsafe-ok --peers 8)
	hang=$(fakenode nodehang --mode hang)
	none=$(mean_ms check_nonode $check --no-node)
	with=$(mean_ms check_node $check --rpc "$good" --metrics "$good")
	slow=$(mean_ms check_hang $check --rpc "$hang" --metrics "$hang")
	printf '%-10s node view: check --no-node %5d ms  node answering %5d ms (%+d ms, target <= +50)\n' \
		"$topo" "$none" "$with" "$((with - none))"
	printf '%-10s node view: peak RSS with a node answering %d KiB (libcurl loaded only then)\n' \
		"$topo" "$(peak_rss_kib $check --rpc "$good" --metrics "$good")"
	printf '%-10s node view: node never answering %5d ms (deadline %d ms: %s)\n' "$topo" "$slow" \
		2500 "$( ((slow <= 2500 + 100)) && echo "nothing beyond it" || echo "PAST IT")"
}

for run in home natpmponly home@150 blackhole; do
	topo=${run%@*} delay=0
	[[ "$run" == *@* ]] && delay=${run#*@}
	PEER_RUNS=
	[[ "$topo" == blackhole ]] && PEER_RUNS=2
	lab_up "$topo"
	unlimit_icmp
	((delay == 0)) || lab_delay_path "$delay"
	check="$NATDOCTOR check --json --stun $STUN_A --stun $STUN_B"
	nd=$(mean_ms check $check)
	# Both peers wait far longer than 3 s when nothing answers (natpmpc
	# retries for about two minutes); cap them at 10 s so the bench ends.
	upnpc=$(mean_ms upnpc timeout 10 upnpc -s)
	natpmpc=$(mean_ms natpmpc timeout 10 natpmpc -g "$HOST_GW")
	rss=$(peak_rss_kib $check)
	elapsed=$(lab_host $check 2>/dev/null | jq .elapsed_ms || true)
	printf '%-10s natdoctor check %5d ms (its own clock: %s ms)  upnpc -s %5d ms  natpmpc %5d ms\n' \
		"$run" "$nd" "$elapsed" "$upnpc" "$natpmpc"
	printf '%-10s ratio check/upnpc-s %s  check/natpmpc %s  peak RSS %d KiB (%s MiB)\n' \
		"$run" "$(ratio "$nd" "$upnpc")" "$(ratio "$nd" "$natpmpc")" "$rss" \
		"$(python3 -c "print(f'{$rss / 1024:.2f}')")"
	[[ "$run" == home || "$run" == blackhole ]] && node_view "$run" "$check"
	lab_down
done

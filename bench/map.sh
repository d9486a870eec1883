#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/map.sh: how fast `natdoctor map` makes its first working mapping in
# the lab's home router (miniupnpd), against the tools an operator uses
# today, measured in the same run:
#   - `natpmpc -a`  (libnatpmp: one NAT-PMP mapping)
#   - `upnpc -a`    (miniupnpc: SSDP discovery, then AddPortMapping)
# and against upnpc, natdoctor's own UPnP path (gw/upnp.c: SSDP to the
# gateway, description, AddAnyPortMapping) run by the lab helper
# lab_upnp_igd, and map --once itself on a router with NAT-PMP and PCP
# switched off (target: under 500 ms).
# natdoctor's runs are `map --once` by PCP (--no-natpmp) and by NAT-PMP
# (--no-pcp), process start to exit, like the peers'. Then the daemon at
# rest: peak RSS, and how often it wakes over an idle minute (its context
# switches: a daemon that polls wakes every few ms; map should wake only
# for its renewal timers, which at --lifetime 7200 are an hour away).
# Targets (issue 12): PCP and NAT-PMP within 2x of natpmpc; under 2 MiB RSS;
# no wake-ups at rest. This script prints; it does not judge.
#
# Usage (as root, from a build): bench/map.sh [BUILD_DIR] [RUNS] [IDLE_S]
# Needs: hyperfine, GNU time, jq, python3, the lab's packages (scripts/deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export ND_BUILD_DIR=${1:-$here/../build}
RUNS=${2:-10}
IDLE_S=${3:-60}
export NATDOCTOR=${NATDOCTOR:-$ND_BUILD_DIR/natdoctor}
export LAB_QUIET=1 LAB_CMD_TIMEOUT=300
source "$here/../tests/lab/lib.sh"

PORT=30333

# mean_ms NAME CMD...: hyperfine in the host namespace, mean in ms.
mean_ms()
{
	local name=$1
	shift
	lab_host hyperfine --runs "$RUNS" --warmup 1 -N --export-json "$LAB_DIR/$name.json" \
		"$*" >/dev/null 2>&1 || fail "hyperfine failed for $name: $*"
	jq '.results[0].mean * 1000 | round' "$LAB_DIR/$name.json"
}

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

lab_up home
pcp=$(mean_ms pcp "$NATDOCTOR" map $PORT/tcp --once --no-natpmp --lifetime 60)
natpmp=$(mean_ms natpmp "$NATDOCTOR" map $PORT/tcp --once --no-pcp --lifetime 60)
natpmpc=$(mean_ms natpmpc natpmpc -g "$HOST_GW" -a $PORT $PORT tcp 60)
upnpc=$(mean_ms upnpc upnpc -e natdoctor-bench -a "$HOST_IP" $PORT $PORT tcp 60)
gwupnp=$(mean_ms gwupnp "$ND_BUILD_DIR/tests/lab_upnp_igd" "$HOST_GW" "$HOST_IP" add $PORT 60)
printf 'first mapping: map PCP %d ms  map NAT-PMP %d ms  natpmpc -a %d ms  upnpc -a %d ms\n' \
	"$pcp" "$natpmp" "$natpmpc" "$upnpc"
printf 'ratios: PCP/natpmpc %s  NAT-PMP/natpmpc %s  PCP/upnpc %s (target <= 2 against natpmpc)\n' \
	"$(ratio "$pcp" "$natpmpc")" "$(ratio "$natpmp" "$natpmpc")" "$(ratio "$pcp" "$upnpc")"
printf 'UPnP: gw/upnp add (lab_upnp_igd) %d ms  upnpc -a %d ms  ratio %s (target < 500 ms)\n' \
	"$gwupnp" "$upnpc" "$(ratio "$gwupnp" "$upnpc")"

# The daemon at rest. Its own process (not timeout's), found by its socket path.
lab_daemon mapd "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --status-socket "$LAB_DIR/map.sock"
for _ in $(seq 100); do
	grep -q "^mapped" "$LAB_DIR/mapd.log" && break
	sleep 0.05
done
pid=$(pgrep -n -f -- "--status-socket $LAB_DIR/map.sock") || fail "the map daemon is not running"
switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$pid/status"; }
s0=$(switches)
sleep "$IDLE_S"
s1=$(switches)
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
printf 'daemon at rest: %d wake-ups in %d s; peak RSS %d KiB (%s MiB)\n' "$((s1 - s0))" "$IDLE_S" \
	"$hwm" "$(python3 -c "print(f'{$hwm / 1024:.2f}')")"
lab_daemon_stop mapd

# map itself by UPnP: the router with NAT-PMP and PCP switched off (its
# 5351 closed, so map turns to UPnP at once).
lab_router_upnp_only
mapupnp=$(mean_ms mapupnp "$NATDOCTOR" map $PORT/tcp --once --lifetime 60)
printf 'UPnP: map --once %d ms (router without NAT-PMP/PCP)  upnpc -a %d ms  ratio %s (target < 500 ms)\n' \
	"$mapupnp" "$upnpc" "$(ratio "$mapupnp" "$upnpc")"
lab_down

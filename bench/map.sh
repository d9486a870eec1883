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
# rest: how often it wakes over an idle minute (its context switches: a
# daemon that polls wakes every few ms; map should wake only for its
# renewal timers, which at --lifetime 7200 are an hour away), and its peak
# RSS over RSS_STARTS starts (default 7; one start says little, see below),
# split into the C library's share and natdoctor's own.
# Targets (issue 12): PCP and NAT-PMP within 2x of natpmpc; under 2 MiB RSS;
# no wake-ups at rest. This script prints; it does not judge.
# Measured on the shared 2-core machine (Debian 12, kernel 6.18), 7 starts:
# peak RSS 1896/2056/2108 KiB (min/median/max; 2.2-2.3 MiB while json-c,
# libsodium and miniupnpc were linked), 2 wake-ups in 60 s; of the median
# start, libc and ld.so 1740 KiB (a C program that only prints a line
# peaks at 1.1-1.3 MiB here), natdoctor's own 316 KiB (binary 236: the
# first 2-3 64 KiB windows of its code and half its read-only data; heap
# 20, stack 20, other 40: libc's and ld.so's own variables, TLS). Tried and left: lazy binding (-z lazy instead
# of full RELRO's -z now) changed nothing (1876-2092 KiB over 8 starts) and
# would give up a hardening; linking the map daemon's objects first
# (cli, map, gw, net, proto, util) did not shrink its code's share.
#
# Usage (as root, from a build): bench/map.sh [BUILD_DIR] [RUNS] [IDLE_S]
#   RSS_STARTS=N: how many daemons to start for the peak RSS
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

# The daemon at rest. Its own process (not timeout's), found by its socket
# path. Wake-ups: the first daemon, over IDLE_S. Peak RSS (VmHWM): of
# RSS_STARTS daemons one after another, since each start places libc
# elsewhere (ASLR) and the kernel maps up to 64 KiB around each page a
# process touches in a shared file (fault-around), so libc's share alone
# moves by about 200 KiB from one start to the next: min, median and max,
# and for the median start what is the C library (libc and ld.so, shared
# with every process) and what is natdoctor's own.
rest_start() # N: start daemon mapdN, wait for its mapping, set pid
{
	lab_daemon "mapd$1" "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --status-socket "$LAB_DIR/map$1.sock"
	for _ in $(seq 100); do
		grep -q "^mapped" "$LAB_DIR/mapd$1.log" && break
		sleep 0.05
	done
	pid=$(pgrep -n -f -- "--status-socket $LAB_DIR/map$1.sock") || fail "the map daemon is not running"
}
# rss_parts PID: "VmHWM libc+ld.so binary heap stack other" in KiB, from smaps.
rss_parts()
{
	python3 - "$1" <<'PY'
import os, re, sys
pid = sys.argv[1]
part = {"lib": 0, "bin": 0, "heap": 0, "stack": 0, "other": 0}
exe = os.readlink(f"/proc/{pid}/exe")
key = "other"
for line in open(f"/proc/{pid}/smaps"):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        f = line.split()
        name = f[5] if len(f) > 5 else ""
        key = ("lib" if re.search(r"/(libc\.so|ld-linux)", name) else
               "bin" if name == exe else "heap" if name == "[heap]" else
               "stack" if name == "[stack]" else "other")
    elif line.startswith("Rss:"):
        part[key] += int(line.split()[1])
hwm = next(l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
print(hwm, part["lib"], part["bin"], part["heap"], part["stack"], part["other"])
PY
}
RSS_STARTS=${RSS_STARTS:-7}
rest_start 1
switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$pid/status"; }
s0=$(switches)
sleep "$IDLE_S"
s1=$(switches)
rss_parts "$pid" >"$LAB_DIR/rss"
lab_daemon_stop mapd1
for ((i = 2; i <= RSS_STARTS; i++)); do
	rest_start "$i"
	sleep 1
	rss_parts "$pid" >>"$LAB_DIR/rss"
	lab_daemon_stop "mapd$i"
done
read -r hmin hmed hmax < <(sort -n "$LAB_DIR/rss" | awk '{ h[NR] = $1 } END { print h[1], h[int((NR + 1) / 2)], h[NR] }')
read -r _ lib bin heap stack other < <(sort -n "$LAB_DIR/rss" | awk -v n="$RSS_STARTS" 'NR == int((n + 1) / 2)')
printf 'daemon at rest: %d wake-ups in %d s; peak RSS over %d starts: min %d  median %d  max %d KiB (median %s MiB; target < 2 MiB)
' \
	"$((s1 - s0))" "$IDLE_S" "$RSS_STARTS" "$hmin" "$hmed" "$hmax" "$(python3 -c "print(f'{$hmed / 1024:.2f}')")"
printf '  the median start: libc + ld.so %d KiB; natdoctor'"'"'s own %d KiB (binary %d, heap %d, stack %d, other %d)\n' \
	"$lib" "$((bin + heap + stack + other))" "$bin" "$heap" "$stack" "$other"

# map itself by UPnP: the router with NAT-PMP and PCP switched off (its
# 5351 closed, so map turns to UPnP at once).
lab_router_upnp_only
mapupnp=$(mean_ms mapupnp "$NATDOCTOR" map $PORT/tcp --once --lifetime 60)
printf 'UPnP: map --once %d ms (router without NAT-PMP/PCP)  upnpc -a %d ms  ratio %s (target < 500 ms)\n' \
	"$mapupnp" "$upnpc" "$(ratio "$mapupnp" "$upnpc")"
lab_down

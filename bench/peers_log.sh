#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/peers_log.sh: what following a node's log costs. A generator writes
# Phala informant lines (two chains, ANSI colours, the other log lines in
# between) at a fixed rate, the same bytes at the same moment to two
# readers:
#   - natdoctor peers --log -          (parses, keeps both chains, prints a
#                                       line per chain every 5 s)
#   - grep --line-buffered -o '([0-9]* peers)'
#                                      (the operator's job today, by eye)
# For each it prints the CPU time used per second of wall time (% of one
# core) over the steady part of the run (after a warm-up), and the peak
# RSS (VmHWM). Target (issue 3): natdoctor under 5 % of one core and under
# 4 MiB at 10,000 lines/s. This script prints; it does not judge (timings
# do not belong in tests), except that it fails if natdoctor did not read
# every line.
#
# Usage: bench/peers_log.sh [BUILD_DIR] [SECONDS] [RATE]   (defaults: build 20 10000)
# Needs: python3, GNU grep. No network, no root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
secs=${2:-20}
rate=${3:-10000}
nd=${NATDOCTOR:-$build/natdoctor}
warm=2 # seconds before the window opens
[[ -x "$nd" ]] || { echo "no natdoctor at $nd (build first)" >&2; exit 2; }
((secs >= warm + 4)) || { echo "SECONDS must be at least $((warm + 4))" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup()
{
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkfifo "$tmp/nd.in" "$tmp/grep.in"

# The C locale: grep at its fastest; natdoctor draws no view when piped.
LC_ALL=C "$nd" peers -v --log - <"$tmp/nd.in" >"$tmp/nd.out" 2>"$tmp/nd.err" &
ndpid=$!
pids+=("$ndpid")
LC_ALL=C grep --line-buffered -o '([0-9]* peers)' <"$tmp/grep.in" >"$tmp/grep.out" &
greppid=$!
pids+=("$greppid")
python3 "$here/peers_loggen.py" --rate "$rate" --seconds "$secs" "$tmp/nd.in" "$tmp/grep.in" \
	2>"$tmp/gen.err" &
genpid=$!
pids+=("$genpid")

tck=$(getconf CLK_TCK)
# cpu_ticks PID: utime + stime (fields 14 and 15 of /proc/PID/stat; the
# command name in field 2 has no spaces here).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

sleep "$warm"
t0=$(now_ms)
nd0=$(cpu_ticks "$ndpid")
gr0=$(cpu_ticks "$greppid")
sleep $((secs - warm - 1))
t1=$(now_ms)
nd1=$(cpu_ticks "$ndpid")
gr1=$(cpu_ticks "$greppid")
ndhwm=$(hwm_kib "$ndpid")
grhwm=$(hwm_kib "$greppid")
ndrss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$ndpid/status")

# The generator ends, the readers see end of input and exit; all bounded.
for _ in $(seq 1 100); do
	kill -0 "$genpid" 2>/dev/null || break
	sleep 0.1
done
for p in "$ndpid" "$greppid"; do
	for _ in $(seq 1 50); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
done
wait "$genpid" || true

read -r _ sent _ gensecs <"$tmp/gen.err"
stats=$(grep -o 'log -: .*' "$tmp/nd.err" || true)
ndlines=$(sed -n 's/.* bytes, \([0-9]*\) lines.*/\1/p' <<<"$stats")
grepmatches=$(wc -l <"$tmp/grep.out")

awk -v sent="$sent" -v gs="$gensecs" -v t0="$t0" -v t1="$t1" -v tck="$tck" \
	-v nd0="$nd0" -v nd1="$nd1" -v gr0="$gr0" -v gr1="$gr1" \
	-v ndhwm="$ndhwm" -v grhwm="$grhwm" -v ndrss="$ndrss" \
	-v ndlines="${ndlines:-0}" -v gm="$grepmatches" 'BEGIN {
	wall = (t1 - t0) / 1000
	ndcpu = (nd1 - nd0) / tck / wall * 100
	grcpu = (gr1 - gr0) / tck / wall * 100
	printf "stream       %d lines in %.1f s = %.0f lines/s (natdoctor read %d, grep matched %d)\n",
		sent, gs, sent / gs, ndlines, gm
	printf "window       %.1f s after a %s s warm-up, CPU clock %d Hz\n", wall, "'"$warm"'", tck
	printf "%-12s %8s %12s\n", "", "CPU %", "VmHWM KiB"
	printf "%-12s %7.2f%% %12d   (VmRSS %d KiB)\n", "natdoctor", ndcpu, ndhwm, ndrss
	printf "%-12s %7.2f%% %12d\n", "grep", grcpu, grhwm
	if (grcpu > 0)
		printf "ratio        natdoctor / grep: CPU %.2fx, VmHWM %.2fx\n", ndcpu / grcpu, ndhwm / grhwm
	else
		printf "ratio        grep used no measurable CPU; VmHWM %.2fx\n", ndhwm / grhwm
	printf "target       natdoctor under 5%% of one core and under 4096 KiB\n"
}'
if [[ "${ndlines:-0}" != "$sent" ]]; then
	echo "natdoctor read ${ndlines:-0} of $sent lines" >&2
	exit 1
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/serve.sh: STUN Binding answers per second of `natdoctor serve`
# against coturn's `turnserver --stun-only`, on loopback, measured the same
# way in the same run: our load generator (bench/stunload.c: THREADS
# threads, sendmmsg/recvmmsg, a window of requests in flight), the same
# thread count for both servers (serve --threads, coturn --relay-threads),
# runs alternating between the two, medians; also answers per second of
# the server's own CPU time, which a loaded machine disturbs much less.
# Then serve's peak RSS.
# Targets (issue 9): ratio >= 1.5, serve under 16 MiB. This script prints;
# it does not judge (timings do not belong in tests). Both servers and the
# generator run in a network namespace of their own (its loopback only),
# so nothing collides with other runs on the machine.
#
# Usage (as root, from a build): bench/serve.sh [BUILD_DIR]
#   RUNS=5 THREADS=2 SECONDS_PER_RUN=3 bench/serve.sh build
# The last line is `ratio natdoctor/coturn: X`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
natdoctor=${NATDOCTOR:-$build/natdoctor}
RUNS=${RUNS:-5}
THREADS=${THREADS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
[[ -x "$natdoctor" ]] || { echo "no natdoctor at $natdoctor" >&2; exit 1; }
command -v turnserver >/dev/null || { echo "turnserver missing (scripts/deps.sh)" >&2; exit 1; }

tmp=$(mktemp -d)
ns=ndbench-$$-$RANDOM
pids=()
cleanup()
{
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -o "$tmp/stunload" "$here/stunload.c" -lpthread
ip netns add "$ns"
ip -n "$ns" link set lo up

# The innermost process of `ip netns exec ... CMD` (exec'd, so the same pid).
ip netns exec "$ns" "$natdoctor" serve --listen 127.0.0.1 --listen 127.0.0.2 --port 3478 \
	--alt-port 3479 --threads "$THREADS" 2>"$tmp/serve.log" &
serve=$!
pids+=("$serve")
ip netns exec "$ns" turnserver -n --stun-only --no-cli --no-tls --no-dtls \
	--listening-ip=127.0.0.1 --listening-ip=127.0.0.2 --listening-port=4478 \
	--alt-listening-port=4479 --relay-threads="$THREADS" --pidfile="$tmp/coturn.pid" \
	--db="$tmp/coturn.sqlite" --log-file="$tmp/coturn.log" --simple-log --no-stdout-log \
	>/dev/null 2>&1 &
coturn=$!
pids+=("$coturn")
for _ in $(seq 1 100); do
	ip netns exec "$ns" ss -Hlnu | grep -q '127.0.0.1:4478' &&
		ip netns exec "$ns" ss -Hlnu | grep -q '127.0.0.2:3479' && break
	sleep 0.05
done

load() { ip netns exec "$ns" "$tmp/stunload" 127.0.0.1 "$1" "$THREADS" "$SECONDS_PER_RUN"; }
# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# measure PID PORT: "answers/s answers-per-CPU-second" of one run. On a
# shared, loaded machine the first swings with what else runs; the second
# (answers over the server's own CPU time) much less.
measure()
{
	local c0 c1 rate
	c0=$(cpu_ticks "$1")
	rate=$(load "$2")
	c1=$(cpu_ticks "$1")
	# stunload counts SECONDS_PER_RUN after a 0.5 s warm-up it does not count.
	awk -v r="$rate" -v s="$SECONDS_PER_RUN" -v c=$((c1 - c0)) -v hz="$hz" \
		'BEGIN { printf "%d %d\n", r, c ? r * (s + 0.5) / (c / hz) : 0 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "natdoctor serve vs coturn $(turnserver --version 2>/dev/null | head -1): $THREADS server" \
	"threads, $THREADS generator threads, $RUNS alternating runs of ${SECONDS_PER_RUN}s," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/nd" && : >"$tmp/ct"
coturn_pid=$(cat "$tmp/coturn.pid")
for i in $(seq 1 "$RUNS"); do
	read -r n ne < <(measure "$serve" 3478)
	read -r c ce < <(measure "$coturn_pid" 4478)
	echo "$n" >>"$tmp/nd" && echo "$ne" >>"$tmp/nde"
	echo "$c" >>"$tmp/ct" && echo "$ce" >>"$tmp/cte"
	printf 'run %d: natdoctor %8d/s (%7d per CPU-s)   coturn %8d/s (%7d per CPU-s)\n' \
		"$i" "$n" "$ne" "$c" "$ce"
done
nd=$(median <"$tmp/nd") ct=$(median <"$tmp/ct")
nde=$(median <"$tmp/nde") cte=$(median <"$tmp/cte")
awk -v n="$nde" -v c="$cte" 'BEGIN { printf "median answers per server CPU-second: natdoctor %d, coturn %d (ratio %.2f)\n", n, c, n / c }'
nd_rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$serve/status")
ct_rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$(cat "$tmp/coturn.pid")/status" 2>/dev/null || echo "?")
printf 'median: natdoctor %d answers/s, coturn %d answers/s\n' "$nd" "$ct"
awk -v n="$nd_rss" -v c="$ct_rss" 'BEGIN { printf "peak RSS: natdoctor serve %.1f MiB (target < 16), coturn %.1f MiB\n", n / 1024, c / 1024 }'
awk -v n="$nd" -v c="$ct" 'BEGIN { printf "ratio natdoctor/coturn: %.2f\n", n / c }'

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
# and a third reader, natdoctor peers --log - --listen-metrics (the
# Prometheus exporter, issue 14), scraped once a second over the window
# together with node_exporter (textfile collector only, the peer tool for a
# scrape) by a small client that times each scrape from connect to the last
# byte.
# For each it prints the CPU time used per second of wall time (% of one
# core) over the steady part of the run (after a warm-up), and the peak
# RSS (VmHWM); for the two exporters the median and worst scrape time. Target (issue 3): natdoctor under 5 % of one core and under
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
mkfifo "$tmp/nd.in" "$tmp/grep.in" "$tmp/ndx.in"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
xport=$(free_port)
neport=$(free_port)
mkdir "$tmp/textfile"

# The C locale: grep at its fastest; natdoctor draws no view when piped.
LC_ALL=C "$nd" peers -v --log - <"$tmp/nd.in" >"$tmp/nd.out" 2>"$tmp/nd.err" &
ndpid=$!
pids+=("$ndpid")
LC_ALL=C "$nd" peers -v --log - --listen-metrics "127.0.0.1:$xport" <"$tmp/ndx.in" \
	>"$tmp/ndx.out" 2>"$tmp/ndx.err" &
ndxpid=$!
pids+=("$ndxpid")
nepid=
if command -v prometheus-node-exporter >/dev/null; then
	prometheus-node-exporter --web.listen-address="127.0.0.1:$neport" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$tmp/textfile" >"$tmp/ne.err" 2>&1 &
	nepid=$!
	pids+=("$nepid")
fi
LC_ALL=C grep --line-buffered -o '([0-9]* peers)' <"$tmp/grep.in" >"$tmp/grep.out" &
greppid=$!
pids+=("$greppid")
python3 "$here/peers_loggen.py" --rate "$rate" --seconds "$secs" "$tmp/nd.in" "$tmp/grep.in" \
	"$tmp/ndx.in" \
	2>"$tmp/gen.err" &
genpid=$!
pids+=("$genpid")

tck=$(getconf CLK_TCK)
# cpu_ticks PID: utime + stime (fields 14 and 15 of /proc/PID/stat; the
# command name in field 2 has no spaces here).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# scraper PORT SECONDS: GET /metrics once a second; prints the scrape
# times in ms, one a line ("fail" for a scrape that did not get a 200).
scraper()
{
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + secs
while time.monotonic() < end:
    t = time.perf_counter()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        ok = data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")
    except OSError:
        ok = False
    print("%.3f" % ((time.perf_counter() - t) * 1000) if ok else "fail", flush=True)
    time.sleep(max(0.0, 1.0 - (time.perf_counter() - t)))
PY
}

sleep "$warm"
t0=$(now_ms)
nd0=$(cpu_ticks "$ndpid")
gr0=$(cpu_ticks "$greppid")
ndx0=$(cpu_ticks "$ndxpid")
ne0=0
[[ -n "$nepid" ]] && ne0=$(cpu_ticks "$nepid")
win=$((secs - warm - 1))
scraper "$xport" "$((win - 1))" >"$tmp/scrape.nd" &
scpid=$!
pids+=("$scpid")
if [[ -n "$nepid" ]]; then
	scraper "$neport" "$((win - 1))" >"$tmp/scrape.ne" &
	pids+=("$!")
fi
sleep "$win"
t1=$(now_ms)
nd1=$(cpu_ticks "$ndpid")
gr1=$(cpu_ticks "$greppid")
ndx1=$(cpu_ticks "$ndxpid")
ne1=0
[[ -n "$nepid" ]] && ne1=$(cpu_ticks "$nepid")
ndhwm=$(hwm_kib "$ndpid")
grhwm=$(hwm_kib "$greppid")
ndxhwm=$(hwm_kib "$ndxpid")
nehwm=0
[[ -n "$nepid" ]] && nehwm=$(hwm_kib "$nepid")
ndrss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$ndpid/status")

# The generator ends, the readers see end of input and exit; all bounded.
for _ in $(seq 1 100); do
	kill -0 "$genpid" 2>/dev/null || break
	sleep 0.1
done
for p in "$ndpid" "$greppid" "$ndxpid"; do
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
# scrape_stats FILE: "n N fail F median M max X" (ms)
scrape_stats()
{
	sort -g "$1" | awk '$1 == "fail" { f++; next } { v[++n] = $1 } END {
		if (!n) { printf "n 0 fail %d median - max -", f; exit }
		printf "n %d fail %d median %.2f p90 %.2f max %.2f", n, f + 0, v[int((n + 1) / 2)],
			v[int(n * 0.9 + 0.5)], v[n]
	}'
}
kill "$ndxpid" 2>/dev/null || true
[[ -n "$nepid" ]] && kill "$nepid" 2>/dev/null || true
read -r _ xn _ xf _ xmed _ xp90 _ xmax <<<"$(scrape_stats "$tmp/scrape.nd")"
awk -v t0="$t0" -v t1="$t1" -v tck="$tck" -v a0="$ndx0" -v a1="$ndx1" -v nd0="$nd0" -v nd1="$nd1" \
	-v hwm="$ndxhwm" -v ndhwm="$ndhwm" -v n="$xn" -v f="$xf" -v med="$xmed" -v p90="$xp90" -v max="$xmax" 'BEGIN {
	wall = (t1 - t0) / 1000
	cpu = (a1 - a0) / tck / wall * 100
	printf "%-12s %7.2f%% %12d   (+ --listen-metrics, %d scrapes at 1/s, %d failed, median %s ms, p90 %s ms, max %s ms)\n",
		"nd+exporter", cpu, hwm, n, f, med, p90, max
	printf "exporter     costs %+.2f%% of a core and %+d KiB over the same natdoctor without it\n",
		cpu - (nd1 - nd0) / tck / wall * 100, hwm - ndhwm
}'
if [[ -n "$nepid" ]]; then
	read -r _ en _ ef _ emed _ ep90 _ emax <<<"$(scrape_stats "$tmp/scrape.ne")"
	awk -v t0="$t0" -v t1="$t1" -v tck="$tck" -v a0="$ne0" -v a1="$ne1" -v hwm="$nehwm" \
		-v n="$en" -v f="$ef" -v med="$emed" -v p90="$ep90" -v max="$emax" -v xmed="$xmed" 'BEGIN {
		wall = (t1 - t0) / 1000
		printf "%-12s %7.2f%% %12d   (textfile collector only, %d scrapes, %d failed, median %s ms, p90 %s ms, max %s ms)\n",
			"node_export", (a1 - a0) / tck / wall * 100, hwm, n, f, med, p90, max
		if (med + 0 > 0 && xmed + 0 > 0)
			printf "ratio        scrape time natdoctor / node_exporter: %.2fx (median)\n", xmed / med
	}'
fi
echo "target       exporter: scrape under 5 ms; natdoctor with it under 5% of a core and 4096 KiB"
if [[ "$xn" == 0 || "$xf" != 0 ]]; then
	echo "exporter: $xf of $((xn + xf)) scrapes failed" >&2
	exit 1
fi
if [[ "${ndlines:-0}" != "$sent" ]]; then
	echo "natdoctor read ${ndlines:-0} of $sent lines" >&2
	exit 1
fi

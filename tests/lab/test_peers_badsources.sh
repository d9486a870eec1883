#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor peers against sources that fail: nothing listening, a server
# that accepts and never answers, an HTML error page, garbage, HTTP 500, an
# endless chunked body, a huge body, a log that never ends (/dev/zero). Each
# gets a clear message naming the source and the likely cause; memory stays
# bounded; every run ends at its deadline and at SIGINT/SIGTERM; a good
# source beside them is still read and judged, once and live.
# shellcheck disable=SC2154 # PORT_* and PID_* are set by name (printf -v)
set -euo pipefail
source "$(dirname "$0")/peers_common.sh"

pt_node good --peers 8 --chain khala
for m in html hang endless huge garbage http500 redirect; do
	pt_node "$m" --mode "$m"
done
PORT_refused=$(pt_free_port)

declare -A rpc_msg=(
	[refused]='connection refused: is the node running'
	[hang]='no answer within 2000 ms'
	[html]='the answer is not JSON \(it starts "<!DOCTYPE html>'
	[garbage]='the answer is not JSON'
	[http500]='HTTP status 500'
	[redirect]='HTTP status 302'
	[endless]='answer larger than 1 MiB, cut off'
	[huge]='answer larger than 1 MiB, cut off'
)
declare -A metrics_msg=(
	[refused]='connection refused: is the node running'
	[hang]='no answer within 2000 ms'
	[html]='no Substrate peer metrics in the answer'
	[garbage]='no Substrate peer metrics in the answer'
	[http500]='HTTP status 500'
	[redirect]='HTTP status 302'
	[endless]='answer larger than 16 MiB, cut off'
	[huge]='answer larger than 16 MiB, cut off'
)

# redirect: issue 7 defect 6, an empty error body is still "HTTP status 302".
for m in refused hang html garbage http500 redirect endless huge; do
	port_var=PORT_$m
	port=${!port_var}
	step "$m: alone, then beside a good source"
	pt_run "alone-$m" "alone-$m" peers --once --timeout 2 --rpc "bad=$port" --metrics "bad=$port"
	assert_status 3
	assert_match "alone-$m.err" "rpc http://127.0.0.1:$port: ${rpc_msg[$m]}"
	assert_match "alone-$m.err" "metrics http://127.0.0.1:$port/metrics: ${metrics_msg[$m]}"
	assert_match "alone-$m.err" 'no source gave a peer count'

	pt_run "with-$m" "with-$m" peers --once --json --timeout 2 \
		--rpc "bad=$port" --metrics "bad=$port" --metrics "good=$PORT_good"
	assert_status 1 # good has 8 peers: below target, and judged
	assert_jq "with-$m.out" '.[] | select(.chain == "good") | [.peers, .inbound, .status] | @json' \
		'[8,0,"no-inbound"]'
	assert_jq "with-$m.out" '.[] | select(.chain == "bad") | [.peers, .status] | @json' '[null,"unknown"]'
	assert_match "with-$m.err" "${rpc_msg[$m]}"
done

step "live: every bad source at once beside a good one, for a while"
pt_live live live livesrc peers --interval 1 --timeout 1 \
	--rpc "bad=$PORT_hang" --metrics "bad=$PORT_endless" --metrics "bad=$PORT_huge" \
	--rpc "bad=$PORT_html" --metrics "bad=$PORT_garbage" --rpc "bad=$PORT_refused" \
	--metrics "good=$PORT_good"
pt_wait_count live.out '^[0-9T:-]+Z good peers=8 in=0 out=8 .*status=no-inbound' 6 20
pt_assert_hwm live 32768 "seven sources, six of them bad"
kill -0 "$PID_live" || fail "natdoctor stopped"
# Each failing source is told once per change (on stderr when piped), not
# every second: never the same message twice in a row, and a reason that
# keeps changing at most once a minute (peers.c src_report). An ASan build
# on a busy machine may not read 16 MiB within --timeout 1, so there the
# endless source may first be told as "no answer"; a normal build must hit
# the cap and say so exactly once.
grep 'metrics http://127.0.0.1:'"$PORT_endless"'/metrics: ' "$PT_DIR/livesrc.err" >"$PT_DIR/endless.err" || true
told=$(wc -l <"$PT_DIR/endless.err")
n=$(grep -c 'answer larger' "$PT_DIR/endless.err" || true)
((told == 1)) || fail "the endless source was told $told times in a few seconds, wanted once"
((PT_ASAN == 1 || n == 1)) || fail "the endless source was not reported as too large"
grep -qE 'answer larger|no answer within' "$PT_DIR/endless.err" ||
	fail "the endless source was told with an unexpected reason"
pt_stop live
assert_status 0

step "a password in a URL never shows in a message"
# Issue 7 defect 11: cron mails stderr. Refused, 500 and a usage error.
for port in "$PORT_refused" "$PORT_http500"; do
	pt_run secret secret peers --once --timeout 1 --rpc "http://nd:s3cr3tpw@127.0.0.1:$port/" \
		--metrics "http://tok3nonly@127.0.0.1:$port/metrics"
	assert_status 3
	assert_match secret.err 'rpc http://nd:\*\*\*@127.0.0.1'
	assert_match secret.err 'metrics http://\*\*\*@127.0.0.1'
	assert_no_match secret.err 's3cr3tpw|tok3nonly'
	assert_no_match secret.out 's3cr3tpw|tok3nonly'
done
pt_run secret secret peers --rpc "http://nd:s3cr3tpw@127.0.0.1:0/"
assert_status 2
assert_match secret.err 'bad --rpc'
assert_no_match secret.err 's3cr3tpw'

step "a log that never ends (/dev/zero): signals and the --once deadline still get their turn"
# Issue 7 defect 1: it used to spin on a 0 ms timer, deaf to everything
# but SIGKILL. Now each pass reads a bounded slice and the loop moves on.
ms_now() { echo $(($(date +%s%N) / 1000000)); }
# The issue's bound is 100 ms; an ASan build adds its exit-time leak scan
# and slower teardown to what is measured here, so it gets more room.
slack=100
((PT_ASAN == 0)) || slack=400
for sig in TERM INT; do
	pt_live "zero$sig" "zero$sig" "zero$sig" peers --log /dev/zero --once
done
sleep 1
for sig in TERM INT; do
	pid_var=PID_zero$sig
	t0=$(ms_now)
	kill -"$sig" "${!pid_var}"
	# A 5 s bound, in case it is deaf: the lab's cleanup kills it then.
	(sleep 5 && kill -KILL "${!pid_var}" 2>/dev/null) &
	killer=$!
	set +e
	wait "${!pid_var}"
	PT_STATUS=$?
	set -e
	took=$(($(ms_now) - t0))
	kill "$killer" 2>/dev/null || true
	((PT_STATUS != 137)) || fail "peers --log /dev/zero ignores SIG$sig"
	echo "   SIG$sig ended it in $took ms (exit $PT_STATUS)"
	((took <= slack)) || fail "SIG$sig took $took ms to end peers --log /dev/zero, wanted <= $slack"
done
# --once with a log waits max(4 x --timeout + 2 s, 12 s) for informant lines.
t0=$(ms_now)
pt_run zero zero peers --once --timeout 1 --log /dev/zero
took=$(($(ms_now) - t0))
echo "   --once ended after $took ms (deadline 12000 ms)"
assert_status 3
assert_match zero.err 'log /dev/zero: no informant line'
((took >= 12000 && took <= 12000 + slack)) ||
	fail "--once on /dev/zero took $took ms, deadline 12000 ms (+ $slack)"

step "live, nothing works: stops with exit 3 and says why"
pt_run dead dead peers --interval 1 --timeout 1 --rpc "$PORT_refused" --metrics "$PORT_html"
assert_status 3
assert_match dead.err 'no source gave a peer count'
assert_match dead.err 'connection refused'
echo "ok"

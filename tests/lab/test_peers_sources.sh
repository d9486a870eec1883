#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor peers against stand-in nodes that answer JSON-RPC and Prometheus
# in a real node's formats: a Phala node's two chains side by side (one
# unreachable: 8 peers, none inbound; one healthy: 45 peers, 30 inbound),
# --once and --json for cron, the plain lines of the live view when piped,
# the terminal view on a pty, exit statuses and the help.
# shellcheck disable=SC2154 # PORT_* and PID_* are set by name (printf -v)
set -euo pipefail
source "$(dirname "$0")/peers_common.sh"

pt_node para --peers 8 --chain khala --prefix substrate --p2p-port 30333 --uptime 7200
pt_node relay --peers 45 --inbound 30 --chain kusama --prefix polkadot --p2p-port 30334 --unsafe-ok
both=(--rpc "parachain=$PORT_para" --metrics "parachain=$PORT_para"
	--rpc "relaychain=http://127.0.0.1:$PORT_relay" --metrics "relaychain=127.0.0.1:$PORT_relay/metrics")

step "--once --json, both chains from RPC and metrics"
pt_run once json peers --once --json "${both[@]}"
assert_status 1 # the parachain is below target
assert_jq once.out 'length' 2
assert_jq once.out '.[0].chain + " " + .[1].chain' "parachain relaychain"
assert_jq once.out '.[0] | [.peers, .inbound, .outbound, .syncing, .below_target] | @csv' '8,0,8,false,true'
assert_jq once.out '.[0] | [.target_min, .target_max, .p2p_port, .chain_id, .status] | @csv' '40,50,30333,"khala","no-inbound"'
assert_jq once.out '.[0].best > 4567889' true
assert_jq once.out '.[0].verdict | test("none inbound.*natdoctor check --port 30333")' true
assert_jq once.out '.[1] | [.peers, .inbound, .outbound, .below_target, .chain_id, .status] | @csv' \
	'45,30,15,false,"kusama","ok"'
assert_jq once.out '.[1].p2p_port' 30334
assert_jq once.out '[.[] | has("time") and has("peers_source") and has("last_inbound_s")] | all' true

step "one unlabelled chain: chain is null; RPC alone does not tell inbound"
pt_run single err peers --once --json --rpc "$PORT_relay"
assert_status 0
assert_jq single.out '.[0] | [.chain, .peers, .inbound, .outbound, .peers_source] | @json' \
	'[null,45,null,null,"rpc"]'

step "--target moves the band; metrics alone tell inbound"
pt_run target err peers --once --json --target 5-10 --metrics "$PORT_para"
assert_status 0
assert_jq target.out '.[0] | [.peers, .inbound, .below_target, .target_min, .target_max] | @csv' \
	'8,0,false,5,10'

step "--once as text, piped: one plain line per chain with the verdict, no colour"
# Issue 7 defect 12: it printed the terminal's multi-line view here, where
# docs/PEERS.md promises one line per chain per sample.
pt_run text err peers --once "${both[@]}"
assert_status 1
lines=$(wc -l <"$PT_DIR/text.out")
((lines == 2)) || fail "--once piped printed $lines lines, wanted one per chain (2)"
assert_match text.out '^[0-9T:-]+Z parachain peers=8 in=0 out=8 .*status=no-inbound'
assert_match text.out '^[0-9T:-]+Z relaychain peers=45 in=30 out=15 .*status=ok'
assert_match text.out 'strangers cannot reach this node; run `natdoctor check --port 30333`'
assert_no_match text.out $'\x1b'

step "metrics without connection counters: says so, never 'add --metrics'"
# Issue 7 defect 12: --metrics was the source, yet the advice was to add it.
pt_node nocount --peers 8 --no-conn-counters
pt_run nocount err peers --once --metrics "$PORT_nocount"
assert_status 1
assert_match nocount.out '^[0-9T:-]+Z node peers=8 in=- out=- .*metrics have no connection counters'
assert_no_match nocount.out '[Aa]dd --metrics|needs --metrics'

step "live, piped: one plain line per chain per sample; Ctrl-C ends it"
pt_live live live livesrc peers --interval 1 "${both[@]}"
pt_wait_count live.out '^[0-9T:-]+Z parachain peers=8 in=0 out=8 .*status=no-inbound' 3 15
pt_wait_count live.out '^[0-9T:-]+Z relaychain peers=45 in=30 out=15 .*status=ok' 3 5
pt_assert_hwm live 32768 "live, HTTP sources"
pt_stop live
assert_status 0
assert_no_match live.out $'\x1b'

step "live on a terminal: redrawn in place, colour unless NO_COLOR"
# script(1) (bsdutils, installed by scripts/deps.sh) gives the view a pty.
command -v script >/dev/null || fail "script(1) is missing: run scripts/deps.sh"
cmd="timeout -s INT 3 '$ND' peers --interval 1 --metrics parachain=$PORT_para --metrics relaychain=$PORT_relay"
TERM=xterm timeout 10 script -qfc "$cmd" /dev/null >"$PT_DIR/tty.out" 2>&1 || true
assert_match tty.out $'\x1b\\[\\?1049h' # the alternate screen
assert_match tty.out $'\x1b\\[H'        # home: redraw in place
assert_match tty.out $'\x1b\\[3[0-9]m'  # colour
assert_match tty.out 'relaychain'
NO_COLOR=1 TERM=xterm timeout 10 script -qfc "$cmd" /dev/null >"$PT_DIR/tty-nc.out" 2>&1 || true
assert_match tty-nc.out 'parachain'
assert_no_match tty-nc.out $'\x1b\\[3[0-9]m'
TERM=xterm timeout 10 script -qfc "$cmd --no-color" /dev/null >"$PT_DIR/tty-nc2.out" 2>&1 || true
assert_no_match tty-nc2.out $'\x1b\\[3[0-9]m'

step "system_peers refused (--rpc-methods=safe) is fine"
pt_run safe err peers --once --json -v --rpc "$PORT_para"
assert_status 1
assert_jq safe.out '.[0].peers' 8

step "no source: the node's defaults on loopback only, and a clear word"
busy=$(python3 - <<'P'
import socket
for p in (9944, 9933, 9615):
    s = socket.socket()
    try:
        s.settimeout(0.5)
        s.connect(("127.0.0.1", p))
        print(p)
    except OSError:
        pass
    finally:
        s.close()
P
)
if [[ -z "$busy" ]]; then
	pt_run defaults defaults peers --once
	assert_status 3
	assert_match defaults.err 'http://127.0.0.1:9944.*connection refused'
	assert_match defaults.err 'those are the defaults for a node on this host'
else
	echo "   (something listens on $busy here: default sources not tested)"
fi

step "help and usage errors"
pt_run help err peers --help
assert_status 0
assert_match help.out 'docker logs -f'
assert_match help.out '--phala'
assert_match help.out '--once'
for bad in "--target 50-40" "--target x" "--interval 0" "--rpc ftp://node" "--bogus" "stray" \
	"--rpc a=1 --rpc b=2 --rpc c=3 --rpc d=4 --rpc e=5"; do
	# shellcheck disable=SC2086
	pt_run usage usage peers $bad
	assert_status 2
	[[ -s "$PT_DIR/usage.err" ]] || fail "no message for: peers $bad"
done
pt_run usage usage peers --log - --log -
assert_status 2
assert_match usage.err 'stdin can be read only once'
echo "ok"

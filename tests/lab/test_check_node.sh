#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor check reads the node's own view on loopback: stand-in nodes
# (tests/peers/fakenode.py) answer JSON-RPC and metrics, and the same
# program, started as `polkadot ... --port P --public-addr ...`, holds the
# node's P2P port so check finds the process and reads its command line.
# Each finding of the node view, a node that refuses the unsafe RPC, a slow
# node, a lying one, a 50 MB answer, a garbage log, two nodes on one public
# address, and the view of a user who is not root. No namespaces: the only
# traffic is to 127.0.0.1 (STUN goes to natdoctor serve on loopback, so a
# check ends when the node view is read, not at its STUN deadline).
# shellcheck disable=SC2154 # PORT_* are set by name (printf -v)
set -euo pipefail
source "$(dirname "$0")/peers_common.sh"

STUN_PORT=$(pt_free_port)
STUN_ALT=$(pt_free_port)
while [[ $STUN_ALT == "$STUN_PORT" ]]; do STUN_ALT=$(pt_free_port); done
pt_bg "$ND" serve --listen 127.0.0.1 --port "$STUN_PORT" --alt-port "$STUN_ALT" --threads 1 \
	>"$PT_DIR/serve.err" 2>&1
pt_wait_until "natdoctor serve did not start" grep -q "answering STUN" "$PT_DIR/serve.err"
# The interpreter itself, not a wrapper (pyenv's shim would exec again and
# lose the argv[0] given with exec -a).
PY=$(python3 -c 'import sys; print(sys.executable)')
# The checks here are about the node: a short deadline, no router.
CHECK=(check --timeout 1000 --no-upnp --no-pcp-map --stun "127.0.0.1:$STUN_PORT")

# nv_proc NAME P2P_PORT ARGS...: a fake node whose command line reads
# `polkadot <fakenode args> ARGS`, listening on P2P_PORT; its RPC/metrics
# port in $PORT_NAME, its pid in $PID_NAME.
nv_proc()
{
	local name=$1 p2p=$2
	shift 2
	bash -c 'py=$1; shift; exec -a polkadot "$py" "$@"' polkadot "$PY" "$FAKENODE" --port-file "$PT_DIR/$name.port" \
		--p2p-listen --p2p-port "$p2p" "$@" >"$PT_DIR/node-$name.log" 2>&1 &
	PT_PIDS+=("$!")
	printf -v "PID_$name" '%s' "$!"
	pt_wait_until "fake node $name did not start" test -s "$PT_DIR/$name.port"
	printf -v "PORT_$name" '%s' "$(cat "$PT_DIR/$name.port")"
}

ids() { jq -r '[.findings[].id] | join(" ")' "$PT_DIR/$1"; }
has_finding() { [[ " $(ids "$1") " == *" $2 "* ]] || fail "$1: no finding $2 (have: $(ids "$1"))"; }
no_finding() { [[ " $(ids "$1") " != *" $2 "* ]] || fail "$1: finding $2 should not be there"; }

P2P=$(pt_free_port)
step "a node advertising only a container-bridge address, 8 peers all outbound"
nv_proc main "$P2P" --unsafe-ok --peers 8 --p2p-port "$P2P" \
	--external "/ip4/172.17.0.2/tcp/$P2P" --chain polkadot --port "$P2P"
pt_run main main "${CHECK[@]}" --port "$P2P" --rpc "$PORT_main" --metrics "$PORT_main" --json
assert_jq main.out '.[0].node.pid' "$PID_main"
assert_jq main.out '.[0].node.source | join(",")' "rpc,metrics,process"
assert_jq main.out '.[0].node.processes[0].program' "polkadot"
assert_jq main.out '.[0].node.in_peers, .[0].node.out_peers' $'32\n8'
assert_jq main.out '.[0].node.peers, .[0].node.inbound, .[0].node.outbound' $'8\n0\n8'
assert_jq main.out '.[0].node.peer_id' "12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT"
assert_jq main.out '[.[0].node.listen_addresses[].class] | join(",")' "loopback,private,loopback"
assert_jq main.out '.[0].node.advertised_addresses[0] | "\(.address) \(.class) \(.from[0])"' \
	"/ip4/172.17.0.2/tcp/$P2P docker-bridge rpc"
has_finding main.out node-not-dialable
has_finding main.out node-no-inbound
has_finding main.out node-peer-budget
no_finding main.out node-view-unreadable
pt_run main_text main_text "${CHECK[@]}" --port "$P2P" --rpc "$PORT_main" --metrics "$PORT_main"
assert_match main_text.out "Node view \(from rpc, metrics, process\)"
assert_match main_text.out "process +$PID_main polkadot, port $P2P"
assert_match main_text.out "advertises +/ip4/172.17.0.2/tcp/$P2P \(docker-bridge\)"
assert_match main_text.out "peers +8 \(0 in, 8 out\); slots 32 in \+ 8 out"

step "not root: other users' processes cannot be seen, and check says so"
set +e
timeout -k 2 30 setpriv --reuid=65534 --regid=65534 --clear-groups "$ND" "${CHECK[@]}" \
	--port "$P2P" --rpc "$PORT_main" --json >"$PT_DIR/nobody.out" 2>"$PT_DIR/nobody.err"
set -e
assert_jq nobody.out '.[0].node.processes_hidden' "true"
assert_jq nobody.out '.[0].node.pid' "null"
assert_jq nobody.out '.[0].node.source | join(",")' "rpc"

step "a node with --public-addr and its flags: the budget, reserved-only, no churn"
P2P_B=$(pt_free_port)
nv_proc flags "$P2P_B" --port "$P2P_B" --in-peers 10 --out-peers=5 --reserved-only \
	--public-addr "/ip4/8.8.8.8/tcp/$P2P_B"
pt_run flags flags "${CHECK[@]}" --port "$P2P_B" --rpc "$PORT_flags" --metrics "$PORT_flags" --json
assert_jq flags.out '.[0].node.in_peers, .[0].node.out_peers' $'10\n5'
assert_jq flags.out '.[0].node.advertised_addresses[] | select(.class == "public") | .from[0]' "process"
assert_jq flags.out '.[0].findings[] | select(.id == "node-peer-budget") | .severity' "warning"
has_finding flags.out node-reserved-only
no_finding flags.out node-not-dialable

step "two nodes on this host advertising the same public address and port"
P2P_C=$(pt_free_port)
nv_proc twin "$P2P_C" --port "$P2P_C" --public-addr "/ip4/8.8.8.8/tcp/$P2P_B"
pt_run twins twins "${CHECK[@]}" --port "$P2P_B" --port "$P2P_C" --rpc "$PORT_flags" --json
assert_jq twins.out '.[0].node.processes | length' "2"
has_finding twins.out node-same-public-address
assert_jq twins.out '.[0].findings[] | select(.id == "node-same-public-address") | .severity' "problem"

step "two --rpc nodes that would be reached at the same public address"
pt_node other --unsafe-ok --peer-id 12D3KooWOtherNodeOtherNodeOtherNodeOtherNodeOther \
	--external "/ip4/8.8.8.8/tcp/$P2P_B"
pt_node samenode --unsafe-ok --external "/ip4/8.8.8.8/tcp/$P2P_B"
pt_run rpctwins rpctwins "${CHECK[@]}" --port "$P2P_B" --rpc "$PORT_flags" --rpc "$PORT_other" \
	--rpc "$PORT_samenode" --json
assert_jq rpctwins.out '.[0].node.others | length' "2"
assert_jq rpctwins.out '.[0].node.others[0].advertised_addresses[0].address' "/ip4/8.8.8.8/tcp/$P2P_B"
assert_jq rpctwins.out '[.[0].findings[] | select(.id == "node-same-public-address")] | length' "1"
assert_jq rpctwins.out '.[0].findings[] | select(.id == "node-same-public-address") | .evidence | test("the one at http://127.0.0.1:'"$PORT_other"'")' "true"
pt_run rpcmax rpcmax "${CHECK[@]}" --rpc 1 --rpc 2 --rpc 3 --rpc 4
assert_status 2

step "a node that refuses the unsafe RPC: reported, not an error"
pt_node safe --peers 12 --inbound 4
pt_run safe safe "${CHECK[@]}" --no-node --port "$P2P" --json
assert_jq safe.out '.[0].node.source | length' "0"
pt_run safe safe "${CHECK[@]}" --port "$P2P" --rpc "$PORT_safe" --metrics "$PORT_safe" --json
assert_jq safe.out '.[0].node.rpc.network_state_error' \
	"RPC call is unsafe to be called externally (-32601)"
assert_jq safe.out '.[0].node.peers, .[0].node.inbound' $'12\n4'
no_finding safe.out node-view-unreadable
no_finding safe.out node-no-inbound
pt_run safe_text safe_text "${CHECK[@]}" --port "$P2P" --rpc "$PORT_safe"
assert_match safe_text.out "advertises +unknown \(system_unstable_networkState refused"

step "the log: external address churn, then a garbage log"
LOG=$PT_DIR/node.log
{
	printf '2024-05-01 10:00:01 [Parachain] \xf0\x9f\x94\x8d Discovered new external address for our node: /ip4/8.8.8.8/tcp/41234/p2p/12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\n'
	printf '2024-05-01 10:00:02 [Relaychain] \xf0\x9f\x94\x8d Discovered new external address for our node: /ip4/8.8.8.8/tcp/30334\n'
	printf '2024-05-01 10:00:05 [Parachain] \x1b[32m\xf0\x9f\x92\xa4 Idle (8 peers)\x1b[0m, best: #10 (0x1a2b\xe2\x80\xa63c4d), finalized #8 (0x5e6f\xe2\x80\xa67a8b), \xe2\xac\x87 1.0kiB/s \xe2\xac\x86 0.5kiB/s\n'
	printf '2024-05-01 10:01:01 [Parachain] Discovered new external address for our node: /ip4/8.8.8.8/tcp/52711\n'
	printf '2024-05-01 10:01:09 [Parachain] \xf0\x9f\x94\x8d Expired external address for our node: /ip4/8.8.8.8/tcp/41234\n'
	printf '2024-05-01 10:02:01 [Parachain] \xf0\x9f\x94\x8d Discovered new external address for our node: /ip4/8.8.8.8/tcp/60001\n'
} >"$LOG"
pt_run log log "${CHECK[@]}" --port "$P2P" --rpc "$(pt_free_port)" --log "$LOG" --json
has_finding log.out node-external-address-churn
assert_jq log.out '.[0].node.log.discovered | length' "4"
assert_jq log.out '[.[0].node.log.discovered[] | select(.expired)] | length' "1"
assert_jq log.out '.[0].node.peers' "8"
# The operator's --rpc that nothing answers is said, next to the good log.
assert_jq log.out '.[0].findings[] | select(.id == "node-view-unreadable") | .evidence | test("connection refused")' "true"
head -c 200000 /dev/urandom >"$PT_DIR/garbage.log"
pt_run garbage garbage "${CHECK[@]}" --no-node --port "$P2P" --json
base_ids=$(ids garbage.out)
pt_run garbage garbage "${CHECK[@]}" --port "$P2P" --rpc "$PORT_main" --log "$PT_DIR/garbage.log" --json
assert_jq garbage.out '.[0].findings[] | select(.id == "node-view-unreadable") | .evidence | test("no line a node writes")' "true"
pt_run fifo fifo "${CHECK[@]}" --port "$P2P" --log /dev/stdin --json
assert_jq fifo.out '.[0].findings[] | select(.id == "node-view-unreadable") | .evidence | test("not a regular file")' "true"

step "a slow node: the check still ends at its deadline"
pt_node slow --delay-ms 5000
start=$(date +%s%N)
pt_run slow slow "${CHECK[@]}" --port "$P2P" --rpc "$PORT_slow" --metrics "$PORT_slow" --json
ms=$((($(date +%s%N) - start) / 1000000))
echo "   slow node: check took $ms ms (deadline 1000)"
((ms < 1800)) || fail "check took $ms ms with a slow node, deadline 1000 ms"
assert_jq slow.out '.[0].findings[] | select(.id == "node-view-unreadable") | .evidence | test("no answer within 1000 ms")' "true"

step "a lying node: -1 peers and 10,000 addresses; a 50 MB answer"
pt_node liar --mode liar --unsafe-ok
pt_run liar liar "${CHECK[@]}" --port "$P2P" --rpc "$PORT_liar" --json
assert_jq liar.out '.[0].findings[] | select(.id == "node-view-unreadable") | .severity' "warning"
assert_jq liar.out '.[0].node.peers' "null"
assert_jq liar.out '.[0].node.listen_addresses | length' "0"
assert_jq liar.out '.[0].node.advertised_addresses | length' "0"
pt_node huge --mode huge --huge-mb 50
set +e
/usr/bin/time -f '%M' -o "$PT_DIR/huge.rss" timeout -k 2 30 "$ND" "${CHECK[@]}" --port "$P2P" \
	--rpc "$PORT_huge" --metrics "$PORT_huge" --json >"$PT_DIR/huge.out" 2>"$PT_DIR/huge.err"
set -e
rss=$(tail -n1 "$PT_DIR/huge.rss")
echo "   50 MB answers: peak RSS $rss KiB"
assert_jq huge.out '.[0].findings[] | select(.id == "node-view-unreadable") | .evidence | test("larger than")' "true"
if ((PT_ASAN == 0 && rss > 20000)); then fail "peak RSS $rss KiB with a 50 MB answer"; fi
# The rest of the check is unchanged by a bad node view.
[[ "$(ids huge.out | tr ' ' '\n' | grep -v '^node-' | sort | tr '\n' ' ')" == \
	"$(echo "$base_ids" | tr ' ' '\n' | grep -v '^node-' | sort | tr '\n' ' ')" ]] ||
	fail "the other findings changed with a bad node: $(ids huge.out) vs $base_ids"
echo "PASS"

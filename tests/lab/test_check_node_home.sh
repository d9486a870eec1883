#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check's node view held against the world, behind the lab's home router:
# a stand-in node (tests/peers/fakenode.py, started as `polkadot ...`)
# holds TCP 30333 in the host namespace and serves JSON-RPC on the default
# port 9944, a second one metrics on 9615, so check finds them with no
# flag (it knocks on the default ports, loopback only). The node
# advertises a stale --public-addr and an ephemeral port: both findings
# name the address STUN really sees.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

FAKENODE=${ND_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/peers/fakenode.py
PY=$(python3 -c 'import sys; print(sys.executable)')

lab_up home

lab_step "a node on the default ports, advertising a stale address and an ephemeral port"
lab_daemon node "$NS_HOST" bash -c 'py=$1; shift; exec -a polkadot "$py" "$@"' polkadot "$PY" \
	"$FAKENODE" --port-file "$LAB_DIR/node.port" --http-port 9944 --unsafe-ok --peers 8 \
	--p2p-listen --p2p-port 30333 --external "/ip4/$ROUTER_WAN/tcp/41234" \
	--port 30333 --out-peers 8 --public-addr /ip4/11.9.9.9/tcp/30333
lab_daemon metrics "$NS_HOST" python3 "$FAKENODE" --port-file "$LAB_DIR/metrics.port" \
	--http-port 9615 --peers 8
for f in node metrics; do
	for _ in $(seq 1 100); do
		[[ -s "$LAB_DIR/$f.port" ]] && break
		sleep 0.05
	done
	[[ -s "$LAB_DIR/$f.port" ]] || fail "fake $f did not start"
done
check_run node
f=$(check_json node)
assert_json "$f" '.node.source | join(",")' "rpc,metrics,process"
assert_json "$f" .node.rpc.url "http://127.0.0.1:9944"
assert_json "$f" .node.metrics.url "http://127.0.0.1:9615/metrics"
assert_json "$f" '.node.processes[0].program' polkadot
assert_json "$f" .node.out_peers 8
assert_finding "$f" node-advertises-other-address warning
assert_json "$f" '.findings[] | select(.id == "node-advertises-other-address") | .summary | test("11.9.9.9") and test("'"$ROUTER_WAN"'")' true
assert_finding "$f" node-advertises-other-port warning
assert_json "$f" '.findings[] | select(.id == "node-advertises-other-port") | .remedy | test("--public-addr /ip4/'"$ROUTER_WAN"'/tcp/30333")' true
assert_finding "$f" node-no-inbound warning
assert_no_finding "$f" node-not-dialable
assert_no_finding "$f" node-view-unreadable
# The node view changes none of the rest of the verdict.
assert_finding "$f" behind-nat warning
assert_json "$f" .public.ipv4 "$ROUTER_WAN"

lab_step "with --no-node: no node finding, no node source"
check_run nonode --no-node
f=$(check_json nonode)
assert_json "$f" '.node.source | length' 0
assert_json "$f" '[.findings[] | select(.id | startswith("node-advertises") or startswith("node-no-"))] | length' 0
lab_down
echo PASS

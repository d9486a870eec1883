#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check on a host that holds a public address itself: no NAT layer, no
# gateway protocol, the public address is the host's own; with a listener on
# 30333 the node-port finding goes away for that port only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up public
lab_daemon node "$NS_HOST" socat TCP-LISTEN:30333,fork,reuseaddr /dev/null
lab_wait_port "$NS_HOST" tcp 30333

check_run public
f=$(check_json public)
assert_json "$f" .public.ipv4 "$HOST_IP"
assert_json "$f" .nat.layers 0
assert_json "$f" .nat.cgnat false
assert_json "$f" .nat.mapping_varies_by_destination false
assert_json "$f" .nat.port_preserved true
assert_json "$f" .nat.filtering endpoint-independent
assert_json "$f" .gateway.address "$HOST_GW"
assert_json "$f" .gateway.pcp.available false
assert_json "$f" .gateway.natpmp.available false
assert_json "$f" .gateway.upnp.available false
assert_json "$f" '.gateway.pcp.external_ipv4' null
assert_finding "$f" public-address info
assert_no_finding "$f" behind-nat
assert_no_finding "$f" cgnat
# The listener: 30333 is seen, 30334 is not.
assert_json "$f" '.local.listeners[] | select(.port == 30333) | .listening' true
assert_json "$f" '[.findings[] | select(.id == "node-not-listening")] | length' 1
assert_json "$f" '.findings[] | select(.id == "node-not-listening") | .summary | test("30334")' true
# The path: the router, then the STUN server itself.
assert_json "$f" .path.hops[0].address "$HOST_GW"
assert_json "$f" '.path.hops[-1].address' "$STUN_A"
assert_json "$f" .path.reached_ttl 2
# Exit 1: the node port 30334 has nothing listening (a warning).
assert_eq "$CHECK_RC" 1 "exit status"

# The readable report names the public address and the verdict.
lab_natdoctor "$LAB_DIR/public.txt" check --no-color --stun "$STUN_A" --stun "$STUN_B" || true
assert_match "public IPv4 address $HOST_IP" "$(cat "$LAB_DIR/public.txt")" "text report"

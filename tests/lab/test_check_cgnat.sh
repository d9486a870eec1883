#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check behind the same home router, itself behind the provider's NAT on
# 100.64.0.0/10: two layers, CGNAT, the router's protocols answer but can
# not give a public address, and the path shows the 100.64/10 hop.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up cgnat
check_run cgnat
f=$(check_json cgnat)
assert_json "$f" .public.ipv4 "$ISP_WAN"
assert_json "$f" .nat.layers 2
assert_json "$f" .nat.cgnat true
assert_json "$f" .nat.mapping_varies_by_destination false
assert_json "$f" .gateway.address "$ROUTER_LAN"
# The router speaks all three, but its WAN is not public.
assert_json "$f" .gateway.upnp.available true
assert_json "$f" .gateway.natpmp.available true
assert_json "$f" .gateway.pcp.available true
for p in pcp natpmp upnp; do
	assert_json "$f" "(.gateway.$p.external_ipv4 // \"$ROUTER_WAN\") | test(\"^100\\\\.\")" true
done
assert_finding "$f" cgnat problem
assert_json "$f" '[.path.hops[] | select(.class == "cgnat")] | length > 0' true
assert_json "$f" '.findings[] | select(.id == "cgnat") | .evidence | test("100\\.")' true
# The remedy is the provider's to give, not a port forward.
assert_json "$f" '.findings[] | select(.id == "cgnat") | .remedy | test("provider")' true
# Answering is not offering: miniupnpd refuses every mapping with a reserved
# WAN, and PCP's refusal names that WAN address, which the remedy uses.
assert_no_finding "$f" gateway-mapping-available
assert_finding "$f" gateway-mapping-refused info
assert_json "$f" .gateway.pcp.external_ipv4 "$ROUTER_WAN"
assert_json "$f" '.findings[] | select(.id == "gateway-mapping-refused") | .evidence | test("NO_RESOURCES") and test("Network Failure")' true
assert_json "$f" '.findings[] | select(.id == "cgnat") | .remedy | test("'"$ROUTER_WAN"'")' true
assert_json "$f" .nat.layers_certain true
assert_no_finding "$f" behind-nat
assert_eq 1 "$CHECK_RC" "exit status"

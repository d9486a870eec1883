#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check behind a home router running miniupnpd: one NAT layer, all three
# gateway protocols answer with the router's public WAN address, the
# mapping does not vary by destination, the filtering is
# address-and-port-dependent (nftables masquerade), and a UPnP mapping the
# operator made with upnpc shows up as present. IPv6 (routed, no NAT66) is
# seen as public.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up home

lab_step "the verdict, IPv4"
check_run home
f=$(check_json home)
assert_json "$f" .public.ipv4 "$ROUTER_WAN"
assert_json "$f" .nat.layers 1
assert_json "$f" .nat.cgnat false
assert_json "$f" .nat.mapping_varies_by_destination false
assert_json "$f" .nat.filtering address-and-port-dependent
assert_json "$f" .gateway.address "$ROUTER_LAN"
for p in pcp natpmp upnp; do
	assert_json "$f" ".gateway.$p.available" true
	assert_json "$f" ".gateway.$p.external_ipv4" "$ROUTER_WAN"
done
assert_json "$f" .gateway.upnp.igd_version 2
assert_json "$f" .gateway.upnp.connection_status Connected
assert_finding "$f" behind-nat warning
assert_finding "$f" gateway-mapping-available info
assert_no_finding "$f" cgnat
assert_no_finding "$f" double-nat
assert_json "$f" .path.hops[0].address "$ROUTER_LAN"
assert_json "$f" .path.hops[0].class private
assert_json "$f" '.path.hops[-1].address' "$STUN_A"
# The remedy names the router, the host and the port.
assert_json "$f" '.findings[] | select(.id == "behind-nat") | .remedy | test("'"$ROUTER_LAN"'") and test("'"$HOST_IP"':30333")' true
assert_eq 1 "$CHECK_RC" "exit status"

lab_step "PCP's test mapping is deleted again"
lab_router nft list ruleset >"$LAB_DIR/ruleset.after"
if grep -q "dnat" "$LAB_DIR/ruleset.after"; then
	cat "$LAB_DIR/ruleset.after" >&2
	fail "a mapping is left in the router after check"
fi

lab_step "a UPnP mapping made by the operator is seen"
lab_host upnpc -e natdoctor-test -a "$HOST_IP" 30333 30333 TCP 3600 >"$LAB_DIR/upnpc.log" 2>&1 ||
	fail "upnpc could not add the mapping: $(cat "$LAB_DIR/upnpc.log")"
check_run mapped
f=$(check_json mapped)
assert_json "$f" '.gateway.upnp.mappings[] | select(.port == 30333) | .exists' true
assert_json "$f" '.gateway.upnp.mappings[] | select(.port == 30333) | .internal' "$HOST_IP:30333"
assert_json "$f" '.gateway.upnp.mappings[] | select(.port == 30333) | .description' natdoctor-test
assert_json "$f" '.gateway.upnp.mappings[] | select(.port == 30333) | .lease_s > 3500 and .lease_s <= 3600' true
assert_json "$f" '.gateway.upnp.mappings[] | select(.port == 30334) | .exists' false
assert_json "$f" '.gateway.upnp.mappings[] | select(.port == 30334) | .description' null
assert_finding "$f" upnp-mapping-present info

lab_step "--no-upnp and --no-pcp-map are obeyed"
check_run quiet --no-upnp --no-pcp-map
f=$(check_json quiet)
assert_json "$f" .gateway.upnp.available false
assert_json "$f" .gateway.pcp.available true
assert_json "$f" .gateway.pcp.external_ipv4 null
assert_json "$f" .gateway.natpmp.external_ipv4 "$ROUTER_WAN"

if [[ -n "${HOST_IP6:-}" && -n "${COTURN_A6:-}" ]]; then
	lab_step "IPv6: routed, no NAT66"
	lab_natdoctor "$LAB_DIR/v6.json" check --json -6 --stun "[$COTURN_A6]:$STUN_PORT" \
		--stun "[$COTURN_B6]:$STUN_PORT" || true
	assert_json "$LAB_DIR/v6.json" .public.ipv6 "$HOST_IP6"
	assert_json "$LAB_DIR/v6.json" .public.ipv4 null
	assert_finding "$LAB_DIR/v6.json" ipv6-public info
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gw/upnp.c's mapping calls (through tests/lab/upnp_igd.c) against the home
# router's real miniupnpd, the pieces map's UPnP method will be made of:
# SSDP to the gateway alone, description, AddAnyPortMapping or
# AddPortMapping with a lease, asserted from OUTSIDE (a TCP connect from the
# servers' namespace to the router's WAN address reaches the node's
# listener), GetSpecificPortMappingEntry, DeletePortMapping (no rule left in
# miniupnpd's chains), and a second LAN host's mapping on the same external
# port: 718 ConflictInMappingEntry, and the entry names that host.
# miniupnpd speaks UPnP only (lab_router_upnp_only: NAT-PMP and PCP off) and
# runs with secure_mode=no so this host can map for 192.168.1.11, which
# plays the second node behind the router.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
OTHER=192.168.1.11

mappings() { lab_router_rules "dport $PORT"; }
reach() { lab_reach $PORT; }
igd() { lab_upnp_igd "$@"; }

lab_up home
lab_router_upnp_only secure_mode=no
lab_daemon node "$NS_HOST" socat TCP-LISTEN:$PORT,reuseaddr,fork SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT

lab_step "before: not reachable, no rule"
reach && fail "port $PORT reachable before any mapping"
assert_eq 0 "$(mappings)" "rules before"
assert_eq none "$(igd "$HOST_IP" get $PORT)" "entry before"
lab_host natpmpc -g "$HOST_GW" >/dev/null 2>&1 && fail "NAT-PMP answers: the router should speak UPnP only"

lab_step "add with a lease: granted, reachable from outside, confirmed"
t0=$(lab_ms)
assert_eq "granted $PORT" "$(igd "$HOST_IP" add $PORT 3600)" "add"
_lab_say "search + description + add: $(($(lab_ms) - t0)) ms"
(($(mappings) > 0)) || fail "granted, but no rule in miniupnpd's chains"
reach || fail "granted, but $PUBLIC_IP:$PORT does not reach the node"
_lab_say "ok: $PUBLIC_IP:$PORT reaches the node from outside"
assert_eq "entry $HOST_IP $PORT 1" "$(igd "$HOST_IP" get $PORT)" "GetSpecificPortMappingEntry"

lab_step "delete: no rule left, not reachable"
assert_eq deleted "$(igd "$HOST_IP" del $PORT)" "delete"
assert_eq 0 "$(mappings)" "rules after delete"
reach && fail "still reachable after DeletePortMapping"
assert_eq deleted "$(igd "$HOST_IP" del $PORT)" "delete of what is gone (714 counts as done)"

lab_step "a second LAN host holds the port: 718, and the entry names it"
assert_eq "granted $PORT" "$(igd "$OTHER" add $PORT 3600 v1)" "the other host's mapping"
assert_eq "error 718" "$(igd "$HOST_IP" add $PORT 3600 v1)" "AddPortMapping on a taken port"
assert_eq "entry $OTHER $PORT 1" "$(igd "$HOST_IP" get $PORT)" "who holds the port"
assert_eq deleted "$(igd "$OTHER" del $PORT)" "cleanup"
assert_eq 0 "$(mappings)" "rules at the end"
lab_down

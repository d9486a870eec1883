#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check's IPv6 as a first-class path (issue 10 items 9-13): a dual-stack
# home whose IPv6 firewall drops, then admits; -4 and -6 honoured; NAT66
# with a ULA LAN; an IPv6-only host.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

finding_field() { printf '.findings[] | select(.id == "%s") | .%s' "$1" "$2"; }
V6=()

lab_step "home, -6: IPv6 is the only family tested, its firewall is stateful"
lab_up home
V6=(--stun "[$COTURN_A6]:$STUN_PORT" --stun "[$COTURN_B6]:$STUN_PORT")
check_run home6 -6 "${V6[@]}"
f=$(check_json home6)
assert_json "$f" .public.ipv6 "$HOST_IP6"
assert_json "$f" .public.ipv4 null
assert_json "$f" .nat.layers null
assert_json "$f" .nat.layers_certain null
assert_json "$f" .nat.nat66 false
assert_json "$f" .nat.ipv6_filtering address-and-port-dependent
assert_json "$f" "[.findings[] | select(.summary | test(\"IPv4\"))] | length" 0
assert_finding "$f" ipv6-public info
# IPv6 is the way out (IPv4 not tested) and its inbound is filtered.
assert_finding "$f" ipv6-inbound-filtered problem
assert_json "$f" "$(finding_field ipv6-inbound-filtered remedy) | test(\"IPv6 firewall\") and test(\"$HOST_IP6\")" true
assert_eq 1 "$CHECK_RC" "exit status"

lab_step "home, -6 with IPv4 servers only: not a DNS failure"
check_run home6v4 -6
f=$(check_json home6v4)
assert_json "$f" '[.stun.ipv6.servers[].error | test("^not used: an IPv4 server")] | all' true
assert_finding "$f" stun-unresolved problem
assert_json "$f" "$(finding_field stun-unresolved summary) | test(\"DNS\")" false

lab_step "home, both families: IPv4 takes peers through a forward, the IPv6 filter is a note"
check_run home46 "${V6[@]}"
f=$(check_json home46)
assert_json "$f" .nat.layers 1
assert_json "$f" .nat.ipv6_filtering address-and-port-dependent
assert_finding "$f" ipv6-inbound-filtered info

lab_step "home, -4: nothing about IPv6"
check_run home4 -4 "${V6[@]}"
f=$(check_json home4)
assert_json "$f" .nat.ipv6_filtering null
assert_json "$f" .nat.nat66 null
assert_json "$f" .public.ipv6 null
assert_json "$f" "[.findings[] | select(.id | test(\"ipv6|nat66\"))] | length" 0

lab_step "home, -6, the router's IPv6 firewall admits TCP 30333 only: UDP cannot tell"
lab_router nft insert rule inet filter forward ip6 daddr "$HOST_IP6" tcp dport 30333 accept
check_run home6tcp -6 "${V6[@]}"
f=$(check_json home6tcp)
assert_json "$f" .nat.ipv6_filtering address-and-port-dependent
assert_json "$f" "$(finding_field ipv6-inbound-filtered remedy) | test(\"nc -vz $HOST_IP6 30333\")" true

lab_step "home, -6, the router exposes the host over IPv6: no filter finding"
lab_router nft insert rule inet filter forward ip6 daddr "$HOST_IP6" accept
check_run home6open -6 "${V6[@]}"
f=$(check_json home6open)
assert_json "$f" .nat.ipv6_filtering endpoint-independent
assert_no_finding "$f" ipv6-inbound-filtered
assert_finding "$f" ipv6-public info
lab_down

lab_step "nat66: a ULA LAN behind a router that masquerades IPv6"
lab_up nat66
check_run nat66 "${V6[@]}"
f=$(check_json nat66)
assert_json "$f" .nat.nat66 true
assert_json "$f" .public.ipv6 "$ROUTER_WAN6"
assert_finding "$f" nat66 warning
assert_json "$f" "$(finding_field nat66 summary) | test(\"$HOST_IP6\")" true
assert_json "$f" "$(finding_field nat66 remedy) | test(\"\\\\[$HOST_IP6\\\\]\") and test(\"routed\")" true
assert_no_finding "$f" ipv6-public
lab_down

lab_step "IPv6-only host: no IPv4 verdict, and -4 tests nothing"
lab_up public
lab_host ip -4 addr flush dev eth0
check_run v6only "${V6[@]}"
f=$(check_json v6only)
assert_json "$f" .local.ipv4_route null
assert_json "$f" .nat.layers null
assert_no_finding "$f" public-address
assert_no_finding "$f" stun-no-answer
assert_finding "$f" ipv6-public info
assert_json "$f" .public.ipv6 "$HOST_IP6"
rc=0
lab_natdoctor "$LAB_DIR/v6only4.json" check --json -4 --stun "$STUN_A" || rc=$?
assert_eq 3 "$rc" "-4 on an IPv6-only host: exit status (could not test)"
assert_finding "$LAB_DIR/v6only4.json" no-network problem
lab_down

lab_step "cgnat with routed IPv6: IPv6 is the way out, the remedy says how"
lab_up cgnat
H6=2a00:11:6::10
_lab_ip "$NS_ISP" <<-EOF6
	addr add 2a00:11:4::2/64 dev wan nodad
	route add default via 2a00:11:4::1
	addr add 2a00:11:5::1/64 dev lan nodad
	route add 2a00:11:6::/64 via 2a00:11:5::2
EOF6
_lab_ip "$NS_ROUTER" <<-EOF6
	addr add 2a00:11:5::2/64 dev wan nodad
	route add default via 2a00:11:5::1
	addr add 2a00:11:6::1/64 dev lan nodad
EOF6
_lab_ip "$NS_HOST" <<-EOF6
	addr add $H6/64 dev eth0 nodad
	route add default via 2a00:11:6::1
EOF6
lab_core ip -6 route add 2a00:11:6::/64 via 2a00:11:4::2
check_run cgnat6 "${V6[@]}"
f=$(check_json cgnat6)
assert_json "$f" .nat.cgnat true
assert_json "$f" .public.ipv6 "$H6"
assert_json "$f" "$(finding_field cgnat remedy) | test(\"--listen-addr /ip6/::/tcp/30333\") and test(\"--public-addr /ip6/$H6/tcp/30333\")" true
assert_finding "$f" ipv6-inbound-filtered problem

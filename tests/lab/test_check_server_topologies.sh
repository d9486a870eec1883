#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check --server against natdoctor serve in the other check topologies: a
# public host whose own nftables drops 30333 (host-firewall, the probe port
# gets in), the provider's CGNAT (cgnat before not-listening), a symmetric
# NAT and a DMZ host (mapping and TCP mapping as coturn's tests say), a
# NAT-PMP-only router (the probe mapped over NAT-PMP), and
# a "server" that lies (lab_hostile): one finding, the rest reported.

# shellcheck source=tests/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/lab/check_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_common.sh"
# shellcheck source=tests/lab/serve_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve_common.sh"
# shellcheck source=tests/lab/check_server_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_server_common.sh"

# shellcheck disable=SC2034 # read by check_server
SERVER=$COTURN_A:4478



lab_up public
serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
lab_step "public host: its own firewall drops the listening node port"
lab_daemon node "$NS_HOST" socat -u TCP-LISTEN:30333,reuseaddr,fork /dev/null
lab_wait_port "$NS_HOST" tcp 30333
drop_tcp "$NS_HOST" nd_host_fw "" 30333
check_server fw
f=$(check_json fw)
assert_eq false "$(reach "$f" 30333 tcp reachable)" "30333 reachable"
assert_eq true "$(reach "$f" 30333 tcp listening)" "30333 listening"
assert_eq '"host-firewall"' "$(reach "$f" 30333 tcp blocked_by)" "30333 blocked_by"
assert_eq '"not-listening"' "$(reach "$f" 30334 tcp blocked_by)" "30334 blocked_by"
assert_json "$f" .dialback.probe_reached true
assert_finding "$f" blocked-host-firewall problem
# As root the SYN is seen on the wire before the firewall: confirmed.
assert_json "$f" '.findings[] | select(.id == "blocked-host-firewall") | .evidence | test("confirmed on the wire")' true
assert_json "$f" .nat.mapping none
assert_json "$f" .nat.tcp_mapping none
assert_json "$f" .nat.hairpinning null
lab_step "the same host without the rule: reachable, answered by something not libp2p"
lab_host nft delete table inet nd_host_fw
check_server open -p 30333
f=$(check_json open)
assert_eq true "$(reach "$f" 30333 tcp reachable)" "30333 reachable"
assert_eq '"other"' "$(reach "$f" 30333 tcp answered_by)" "30333 answered_by"
lab_step "a filter upstream of the public host (a cloud security group): provider-filter"
HOOK=forward drop_tcp "$NS_CORE" nd_sg "$HOST_IP" 30333
check_server sg -p 30333
f=$(check_json sg)
assert_eq '"provider-filter"' "$(reach "$f" 30333 tcp blocked_by)" "30333 blocked_by"
assert_json "$f" '.findings[] | select(.id == "blocked-provider-filter") | .evidence | test("never reached")' true
lab_down

lab_up cgnat
serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
lab_step "CGNAT: the provider's NAT is the outermost blocker"
check_server cgnat
f=$(check_json cgnat)
assert_eq '"cgnat"' "$(reach "$f" 30333 tcp blocked_by)" "30333 blocked_by"
assert_json "$f" "[.reachability[0].also_blocked_by[]] | index(\"not-listening\") != null" true
assert_finding "$f" cgnat problem
assert_json "$f" .nat.mapping endpoint-independent
lab_down

for topo in symmetric dmz; do
	lab_up "$topo"
	serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
	lab_step "$topo: serve sees the mapping coturn's tests see"
	check_server "$topo"
	f=$(check_json "$topo")
	assert_json "$f" .nat.mapping "$LAB_MAPPING"
	assert_json "$f" .nat.tcp_mapping "$LAB_MAPPING"
	assert_json "$f" .nat.filtering "$LAB_FILTERING"
	check_run "$topo-coturn"
	assert_json "$(check_json "$topo-coturn")" .nat.mapping "$LAB_MAPPING"
	lab_down
done

lab_up natpmponly
serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
lab_step "a NAT-PMP-only router: natdoctor's probe is mapped over NAT-PMP instead"
check_server natpmp
f=$(check_json natpmp)
assert_json "$f" .gateway.pcp.available false
assert_eq '"no-port-forward"' "$(reach "$f" 30333 tcp blocked_by)" "30333 blocked_by"
assert_json "$f" .dialback.probe_reached true
for _ in $(seq 40); do
	rules=$(lab_router nft list ruleset)
	grep -Eq 'dnat (ip )?to' <<<"$rules" || break
	sleep 0.05
done
grep -Eq 'dnat (ip )?to' <<<"$rules" && fail "a NAT-PMP mapping of natdoctor's is left in the router"
lab_down

lab_up hostile
lab_step "a lying server: one server-failed finding, the rest of the report stands"
CHECK_RC=0
lab_natdoctor "$LAB_DIR/liar.json" check --json --stun "$COTURN_A" --server "$HOSTILE_A" ||
	CHECK_RC=$?
f=$LAB_DIR/liar.json
assert_json "$f" '[.findings[] | select(.id == "server-failed")] | length' 1
assert_json "$f" '.dialback.servers[0].bad_packets > 0' true
assert_json "$f" '.dialback.servers[0].error | test("lying")' true
assert_json "$f" '[.reachability[].reachable] | unique | tostring' '[null]'
assert_json "$f" .public.ipv4 "$ROUTER_WAN"

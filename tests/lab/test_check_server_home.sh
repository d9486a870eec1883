#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check --server against natdoctor serve behind a home router (miniupnpd,
# masquerade): what nothing forwards (no-port-forward, told by natdoctor's
# own probe mapped through PCP on the node's port number, every mapping
# deleted afterwards), a manual port forward (DNAT) to a libp2p node and to
# a plain TCP listener, UDP ports, a provider filter in front of the router
# (the upstream drops TCP and UDP 30333 toward the router's WAN), a server
# that is down; and interop: check --stun against coturn agrees with check
# --server against serve on the mapping and the filtering. Two --server
# where the first gives no dial-back (silent, refused, coturn): the second
# decides the reachability within the same --timeout, the first is named
# skipped; when every one fails, reachability is unknown (null).

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



# The deletes leave as check exits; give miniupnpd a moment to apply them.
no_mapping_left()
{
	local i rules
	for i in $(seq 40); do
		# Whole output first: grep -q would end the pipe early (SIGPIPE).
		rules=$(lab_router nft list ruleset)
		grep -Eq 'dnat (ip )?to' <<<"$rules" || return 0
		sleep 0.05
	done
	lab_router nft list ruleset >&2
	fail "a mapping of natdoctor's is left in the router"
}

lab_up home
serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"

lab_step "nothing listens, nothing forwarded: no-port-forward first, then not-listening"
check_server idle
f=$(check_json idle)
assert_json "$f" .dialback.measured true
assert_json "$f" '.dialback.servers[0].dialback' true
assert_json "$f" '.dialback.servers[0].error' null
assert_json "$f" .dialback.probe_reached true
for p in 30333 30334; do
	assert_eq false "$(reach "$f" $p tcp reachable)" "$p reachable"
	assert_eq '"no-port-forward"' "$(reach "$f" $p tcp blocked_by)" "$p blocked_by"
	assert_eq '["not-listening"]' "$(reach "$f" $p tcp also_blocked_by)" "$p also"
done
assert_finding "$f" blocked-no-port-forward problem
assert_json "$f" '.findings[] | select(.id == "blocked-no-port-forward") | .evidence | test("same external port number")' true
assert_json "$f" '.findings[] | select(.id == "blocked-no-port-forward") | .remedy | test("TCP 30333 -> '"$HOST_IP"':30333")' true
assert_json "$f" .nat.mapping endpoint-independent
assert_json "$f" .nat.tcp_mapping endpoint-independent
assert_json "$f" .nat.filtering address-and-port-dependent
assert_json "$f" .nat.hairpinning false
# Our own probe mappings never show as the operator's forwards.
assert_no_finding "$f" upnp-mapping-present
assert_json "$f" '[.gateway.upnp.mappings[] | select(.exists)] | length' 0
assert_json "$f" '.gateway.pcp.bad_packets' 0
no_mapping_left

# serve allows a burst of 16 dial-backs per source, then one a second: a
# fresh one for each step that asks for many.
serve_again()
{
	lab_daemon_stop serve
	serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
}

lab_step "serve's rate limit: said in the server's finding"
# shellcheck disable=SC2046 # sixteen -p flags
check_server many $(printf -- '-p %s ' $(seq 30400 30415))
check_server burst -p 30333
assert_json "$(check_json burst)" '.dialback.servers[0].error | test("rate-limited")' true
assert_finding "$(check_json burst)" server-failed warning
serve_again

lab_step "six node ports: dial-backs wait their turn (at most 4 outstanding), all measured"
check_server six -p 30340 -p 30341 -p 30342 -p 30343 -p 30344 -p 30345
assert_json "$(check_json six)" '[.reachability[].reachable] | unique | tostring' '[false]'
no_mapping_left

serve_again

lab_step "interop: --stun coturn and --server serve agree"
check_run coturn
assert_json "$(check_json coturn)" .nat.mapping endpoint-independent
assert_json "$(check_json coturn)" .nat.filtering "$(jq -r .nat.filtering "$f")"

lab_step "a manual port forward to a libp2p node (30333) and a plain listener (30334)"
lab_daemon libp2p "$NS_HOST" python3 "$SERVE_CLIENT" listen libp2p --port 30333
lab_daemon other "$NS_HOST" socat -u TCP-LISTEN:30334,reuseaddr,fork /dev/null
lab_daemon udpnode "$NS_HOST" socat -u UDP-RECV:30336 /dev/null
lab_wait_port "$NS_HOST" tcp 30333
lab_wait_port "$NS_HOST" tcp 30334
lab_wait_port "$NS_HOST" udp 30336
forward_to_host tcp "{ 30333, 30334 }"
forward_to_host udp 30335
check_server fwd -p 30333 -p 30334 -p 30335/udp -p 30337/udp -p 30336/udp
f=$(check_json fwd)
assert_eq true "$(reach "$f" 30333 tcp reachable)" "30333 reachable"
assert_eq '"libp2p"' "$(reach "$f" 30333 tcp answered_by)" "30333 answered_by"
assert_eq true "$(reach "$f" 30334 tcp reachable)" "30334 reachable"
assert_eq '"other"' "$(reach "$f" 30334 tcp answered_by)" "30334 answered_by"
assert_eq null "$(reach "$f" 30334 tcp blocked_by)" "30334 blocked_by"
# UDP: natdoctor holds the ports no node holds, and sees the datagram or not.
assert_eq true "$(reach "$f" 30335 udp reachable)" "30335/udp forwarded"
assert_eq false "$(reach "$f" 30337 udp reachable)" "30337/udp not forwarded"
assert_eq null "$(reach "$f" 30336 udp reachable)" "30336/udp held by the node"
assert_finding "$f" port-answered-by-other warning
assert_finding "$f" port-reachable info
assert_json "$f" '.findings[] | select(.id == "port-answered-by-other") | .summary | test("TCP 30334")' true
check_server fwd1 -p 30333
f=$(check_json fwd1)
assert_finding "$f" behind-nat info
assert_eq 0 "$CHECK_RC" "exit status when the forward works"
# Ended because everything answered, not at the 2.5 s deadline (the 1 s
# target is measured by bench/check_server.sh: timings do not belong here).
assert_json "$f" "(.elapsed_ms < 2000)" true
lab_step "the forward works, but this host's firewall drops 30333: seen on the wire"
drop_tcp "$NS_HOST" nd_host_fw "" 30333
check_server hostfw -p 30333
f=$(check_json hostfw)
assert_eq '"host-firewall"' "$(reach "$f" 30333 tcp blocked_by)" "30333 blocked_by"
assert_finding "$f" blocked-host-firewall problem
lab_host nft delete table inet nd_host_fw
lab_router nft delete table ip nd_forward
no_mapping_left

serve_again
lab_step "a provider filter in front of the router: TCP and UDP 30333 dropped upstream"
lab_exec "$NS_CORE" nft -f - <<-EOF
	table inet nd_isp_filter {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip daddr $ROUTER_WAN tcp dport 30333 drop
			ip daddr $ROUTER_WAN udp dport 30333 drop
		}
	}
	EOF
check_server filtered
f=$(check_json filtered)
assert_eq '"provider-filter"' "$(reach "$f" 30333 tcp blocked_by)" "30333 behind the filter"
assert_eq '"no-port-forward"' "$(reach "$f" 30334 tcp blocked_by)" "30334 passes the filter"
assert_finding "$f" blocked-provider-filter problem
assert_json "$f" '.findings[] | select(.id == "blocked-provider-filter") | .evidence | test("random port but never on the node.s port number")' true
no_mapping_left

lab_step "SIGINT while natdoctor's probe mappings stand: none is left"
ip netns exec "$NS_HOST" env --default-signal=INT,TERM "$NATDOCTOR" check --json \
	--server "$SERVER" >"$LAB_DIR/int.json" 2>"$LAB_DIR/int.stderr" &
pid=$!
seen=0
for _ in $(seq 150); do
	rules=$(lab_router nft list chain inet filter prerouting_miniupnpd)
	if grep -q "$HOST_IP" <<<"$rules"; then
		seen=1
		break
	fi
	sleep 0.01
done
((seen)) || fail "natdoctor's probe mapping never appeared in the router"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 130 "$rc" "exit status after SIGINT"
no_mapping_left
lab_core nft delete table inet nd_isp_filter

lab_step "the server is down: one finding, the rest of the report stands"
CHECK_RC=0
lab_natdoctor "$LAB_DIR/down.json" check --json --stun "$COTURN_A" --server "$PEER_IP:4478" ||
	CHECK_RC=$?
f=$LAB_DIR/down.json
assert_json "$f" '[.findings[] | select(.id == "server-failed")] | length' 1
# Nothing listens on PEER_IP:4478: its ICMP port unreachable is the evidence.
assert_json "$f" '.dialback.servers[0].error | test("refused: an ICMP error")' true
assert_json "$f" .public.ipv4 "$ROUTER_WAN"
assert_json "$f" .nat.mapping endpoint-independent
assert_json "$f" '[.reachability[].reachable] | unique | tostring' '[null]'

# Two --server: the first gives no dial-back, the second (serve) is asked
# within the same --timeout. 5478 on COTURN_B: nothing listens (ICMP port
# unreachable); with the drop below, silent.
fallback()
{
	local name=$1 first=$2 t0
	shift 2
	CHECK_RC=0
	t0=$(date +%s%N)
	lab_natdoctor "$LAB_DIR/$name.json" check --json --server "$first" "$@" || CHECK_RC=$?
	echo "  $name: wall $((($(date +%s%N) - t0) / 1000000)) ms," \
		"elapsed_ms $(jq .elapsed_ms "$LAB_DIR/$name.json")" >&2
}

# serve's rate limit would answer the later runs: a fresh serve.
serve_again
lab_step "fallback: a reference run against serve alone"
check_server ref --timeout 4000
ref=$(jq -c '[.reachability[] | [.port, .proto, .reachable, .blocked_by]]' "$LAB_DIR/ref.json")
assert_json "$LAB_DIR/ref.json" .dialback.dialled_by "$SERVER"
assert_json "$LAB_DIR/ref.json" '.dialback.servers[0].skipped' false
assert_json "$LAB_DIR/ref.json" '[.reachability[].reachable | select(. == null)] | length' 0

lab_step "fallback: a silent first server; serve decides, the first is named skipped"
lab_srv nft -f - <<-EOF
	table inet nd_silent {
		chain input {
			type filter hook input priority 0; policy accept;
			udp dport 5478 drop
		}
	}
EOF
fallback silent "$COTURN_B:5478" --server "$SERVER" --timeout 4000
f=$LAB_DIR/silent.json
assert_eq "$ref" "$(jq -c '[.reachability[] | [.port, .proto, .reachable, .blocked_by]]' "$f")" \
	"reachability as serve alone decides it"
assert_json "$f" .dialback.measured true
assert_json "$f" .dialback.dialled_by "$SERVER"
assert_json "$f" '.dialback.servers[0].skipped' true
assert_json "$f" '.dialback.servers[0].error | test("no answer within 1[0-9]{3} ms")' true
assert_json "$f" '.dialback.servers[1].skipped' false
assert_json "$f" '.dialback.servers[1].error' null
assert_json "$f" '.findings[] | select(.id == "server-skipped") | .summary | test("'"$COTURN_B"':5478 gave no dial-back.*'"$SERVER"' dialled back instead")' true
assert_finding "$f" server-skipped info
assert_no_finding "$f" server-failed
# The 1 s of silence plus what serve alone takes, with room for load.
assert_json "$f" "(.elapsed_ms < $(jq .elapsed_ms "$LAB_DIR/ref.json") + 1500)" true

lab_step "fallback: the text report names the skipped server and the one that dialled"
lab_natdoctor "$LAB_DIR/silent.txt" check --server "$COTURN_B:5478" --server "$SERVER" \
	--timeout 4000 || true
grep -q "$COTURN_B:5478 *skipped: no answer within" "$LAB_DIR/silent.txt" ||
	fail "text report does not name the skipped server: $(cat "$LAB_DIR/silent.txt")"
grep -q "$SERVER .*dialled back" "$LAB_DIR/silent.txt" ||
	fail "text report does not name the server that dialled back"

lab_step "fallback at the default --timeout (2.5 s): the second server still decides"
fallback silentdefault "$COTURN_B:5478" --server "$SERVER"
assert_json "$LAB_DIR/silentdefault.json" .dialback.dialled_by "$SERVER"
assert_json "$LAB_DIR/silentdefault.json" '[.reachability[].reachable | select(. != null)] | length > 0' true

lab_step "fallback: a --timeout that leaves no room: unknown, the second named not asked"
fallback noroom "$COTURN_B:5478" --server "$SERVER" --timeout 2000
f=$LAB_DIR/noroom.json
assert_json "$f" '[.reachability[].reachable] | unique | tostring' '[null]'
assert_json "$f" .dialback.dialled_by null
assert_json "$f" '.dialback.servers[1].error | test("not asked: the check.s --timeout left")' true

lab_step "fallback: every server fails (silent, then coturn): unknown, never unreachable"
fallback allfail "$COTURN_B:5478" --server "$COTURN_A:$STUN_PORT"
f=$LAB_DIR/allfail.json
assert_json "$f" '[.reachability[].reachable] | unique | tostring' '[null]'
assert_json "$f" '[.reachability[].blocked_by] | unique | tostring' '[null]'
assert_json "$f" .dialback.measured false
assert_json "$f" .dialback.dialled_by null
assert_json "$f" '.dialback.servers[0].skipped' true
assert_json "$f" '.dialback.servers[1].error | test("not the dial-back")' true
assert_finding "$f" server-failed warning
assert_no_finding "$f" server-skipped
assert_no_finding "$f" blocked-no-port-forward
assert_json "$f" '.dialback.servers[0].error | test("no answer")' true
lab_srv nft delete table inet nd_silent

serve_again
lab_step "fallback: refused (ICMP) and not a natdoctor serve (coturn) are skipped at once"
fallback refused "$COTURN_B:5478" --server "$SERVER"
assert_json "$LAB_DIR/refused.json" '.dialback.servers[0].error | test("refused")' true
assert_json "$LAB_DIR/refused.json" .dialback.dialled_by "$SERVER"
fallback plain "$COTURN_A:$STUN_PORT" --server "$SERVER"
assert_json "$LAB_DIR/plain.json" '.dialback.servers[0].error | test("not the dial-back")' true
assert_json "$LAB_DIR/plain.json" '.dialback.servers[0].skipped' true
assert_json "$LAB_DIR/plain.json" .dialback.dialled_by "$SERVER"


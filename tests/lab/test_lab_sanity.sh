#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Proves the lab itself, with independent tools only (upnpc, natpmpc,
# coturn's turnutils_natdiscovery, socat, tests/lab/labtool.py), never with
# natdoctor: if this test fails, no natdoctor lab test can be trusted.
# For every topology: build it (timed), check that it behaves as its
# picture in tests/lab/README.md says, tear it down, check nothing is left.
#
# ctest runs it as `bash test_lab_sanity.sh` as root; it takes about 20 s,
# most of it turnutils_natdiscovery waiting out its filtering timeouts.

# shellcheck source=tests/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

declare -A UP_MS=() TOTAL_MS=()

# expect_nat REFLEXIVE_IP MAPPING [FILTERING]: run coturn's RFC 5780 client
# (turnutils_natdiscovery -m -f) against coturn at STUN_A and check the
# reflexive address and its verdicts (RFC 4787 words as coturn prints them:
# "Endpoint Independent", "Address and Port Dependent", ...).
expect_nat()
{
	local out m f refl
	out=$(lab_host turnutils_natdiscovery -m -f "$STUN_A" 2>&1) ||
		fail "turnutils_natdiscovery failed: $out"
	IFS=$'\t' read -r m f refl < <(awk '
	     /NAT with .* Mapping!/ { sub(/^NAT with /, ""); sub(/ Mapping!$/, ""); m = $0 }
	     /NAT with .* Filtering!/ { sub(/^NAT with /, ""); sub(/ Filtering!$/, ""); f = $0 }
	     /UDP reflexive addr:/ && r == "" { r = $NF }
	     END { printf "%s\t%s\t%s\n", m, f, r }' <<<"$out")
	assert_eq "$1" "${refl%:*}" "reflexive address (coturn)"
	assert_eq "$2" "$m" "mapping (coturn)"
	[[ -z "${3:-}" ]] || assert_eq "$3" "$f" "filtering (coturn)"
}

# count DEST PORT KIND [WAIT]: labtool's count of the answers to one request.
count()
{
	lab_host python3 "$LABTOOL" count "$1" "$2" --kind "$3" --wait "${4:-1}"
}

# tcp_reach NS ADDR PORT: 0 if a TCP handshake with ADDR:PORT succeeds from
# NS within 1 s.
tcp_reach()
{
	lab_exec "$1" socat -u OPEN:/dev/null "TCP:$2:$3,connect-timeout=1" 2>/dev/null
}

# trace_hops DEST: the routers and the destination a UDP traceroute sees.
trace_hops()
{
	local j
	j=$(lab_host python3 "$LABTOOL" trace "$1")
	[[ "$(jq -r .reached <<<"$j")" == true ]] || fail "traceroute to $1 did not arrive: $j"
	jq -r '.hops | map(. // "*") | join(" ")' <<<"$j"
}

# dnat_rules: how many DNAT rules miniupnpd has in the router now.
dnat_rules()
{
	lab_router nft list chain inet filter prerouting_miniupnpd | grep -c dnat || true
}

natpmpc_field()
{
	local out=$1 re=$2
	[[ "$out" =~ $re ]] || fail "natpmpc output has no /$re/: $out"
	echo "${BASH_REMATCH[1]}"
}

check_public()
{
	local r
	lab_step "public: no NAT; coturn sees the host's own address"
	expect_nat "$HOST_IP" "Endpoint Independent" "Endpoint Independent"
	assert_eq "11.0.1.1 $COTURN_A" "$(trace_hops "$COTURN_A")" "IPv4 path"
	assert_eq "2a00:11:1::1 $COTURN_A6" "$(trace_hops "$COTURN_A6")" "IPv6 path"
	# No gateway at all: the core router answers 5351 with port unreachable.
	r=$(count "$HOST_GW" 5351 natpmp 0.5)
	assert_eq "0 1" "$(jq -r '"\(.count) \(.icmp_errors)"' <<<"$r")" "NAT-PMP answers, ICMP errors from $HOST_GW"
}

check_home()
{
	local out r e1 e2
	lab_step "home: miniupnpd speaks UPnP IGD, NAT-PMP and PCP with the public WAN address"
	out=$(lab_host upnpc -s 2>&1) || fail "upnpc -s failed: $out"
	assert_match "Found valid IGD : http://$ROUTER_LAN:5000/" "$out" "upnpc -s IGD"
	assert_match "ExternalIPAddress = $ROUTER_WAN" "$out" "upnpc -s external address"
	out=$(lab_host natpmpc -g "$ROUTER_LAN" 2>&1) || fail "natpmpc failed: $out"
	assert_eq "$ROUTER_WAN" "$(natpmpc_field "$out" 'Public IP address : ([0-9.]+)')" "natpmpc public address"
	r=$(count "$ROUTER_LAN" 1900 ssdp 0.5)
	assert_eq "1 http://$ROUTER_LAN:5000/rootDesc.xml" "$(jq -r '"\(.well_formed) \(.mapped[0])"' <<<"$r")" \
		"SSDP unicast M-SEARCH: answers, LOCATION"
	r=$(lab_host python3 "$LABTOOL" pcp "$ROUTER_LAN" --proto udp --map-port 30334)
	assert_eq "0 $ROUTER_WAN true" "$(jq -r '.answer | "\(.result) \(.external_ip) \(.nonce_ok)"' <<<"$r")" \
		"PCP MAP result, external address, nonce"

	lab_step "home: coturn classifies the masquerade as EIM + APDF"
	expect_nat "$ROUTER_WAN" "Endpoint Independent" "Address and Port Dependent"
	assert_eq "$ROUTER_LAN 11.0.2.1 $COTURN_A" "$(trace_hops "$COTURN_A")" "IPv4 path (TTL decremented per router)"

	lab_step "home: IPv6 is routed, not translated"
	assert_eq "$ROUTER_LAN6 2a00:11:2::1 $COTURN_A6" "$(trace_hops "$COTURN_A6")" "IPv6 path"
	r=$(count "$COTURN_A6" "$STUN_PORT" stun)
	assert_eq "1 [$HOST_IP6]" "$(jq -r '"\(.well_formed) \(.mapped[0] // "" | sub(":[0-9]+$"; ""))"' <<<"$r")" \
		"STUN over IPv6: answers, mapped address"

	lab_step "home: a NAT-PMP mapping opens the port to the world, a router reboot closes it"
	lab_daemon p2p "$NS_HOST" socat -u TCP-LISTEN:30333,reuseaddr,fork /dev/null
	lab_wait_port "$NS_HOST" tcp 30333
	tcp_reach "$NS_SRV" "$ROUTER_WAN" 30333 && fail "30333 reachable before any mapping"
	_lab_say "ok: $ROUTER_WAN:30333 closed before mapping"
	out=$(lab_host natpmpc -g "$ROUTER_LAN" -a 30333 30333 tcp 600 2>&1) || fail "natpmpc -a failed: $out"
	assert_match "Mapped public port 30333 protocol TCP to local port 30333" "$out" "natpmpc -a"
	e1=$(natpmpc_field "$out" 'epoch = ([0-9]+)')
	tcp_reach "$NS_SRV" "$ROUTER_WAN" 30333 || fail "$ROUTER_WAN:30333 not reachable through the NAT-PMP mapping"
	_lab_say "ok: $ROUTER_WAN:30333 reachable from the server namespace after mapping"
	assert_eq 2 "$(dnat_rules)" "miniupnpd's DNAT rules before reboot (PCP udp 30334, NAT-PMP tcp 30333)"
	lab_router_reboot
	assert_eq 0 "$(dnat_rules)" "miniupnpd's DNAT rules after reboot"
	tcp_reach "$NS_SRV" "$ROUTER_WAN" 30333 && fail "30333 still reachable after the router reboot"
	_lab_say "ok: $ROUTER_WAN:30333 closed again after reboot"
	out=$(lab_host natpmpc -g "$ROUTER_LAN" 2>&1) || fail "natpmpc after reboot failed: $out"
	e2=$(natpmpc_field "$out" 'epoch = ([0-9]+)')
	((e2 < e1)) || fail "epoch did not go back after reboot: $e1 before, $e2 after"
	_lab_say "ok: epoch $e1 before reboot, $e2 after"
	lab_daemon_stop p2p
}

check_cgnat()
{
	local out r
	lab_step "cgnat: the home router's WAN is 100.64/10 behind a provider CGNAT"
	assert_match '^100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.' "$ROUTER_WAN" "router WAN in 100.64.0.0/10"
	r=$(count "$STUN_A" "$STUN_PORT" stun)
	assert_eq "1 $ISP_WAN" "$(jq -r '"\(.well_formed) \(.mapped[0] // "" | sub(":[0-9]+$"; ""))"' <<<"$r")" \
		"coturn sees the CGNAT's address"
	assert_eq "$ROUTER_LAN $ISP_LAN 11.0.4.1 $COTURN_A" "$(trace_hops "$COTURN_A")" "IPv4 path (two NATs)"

	lab_step "cgnat: what miniupnpd 2.3.1 does with a reserved WAN address"
	grep -q "Reserved / private IP address $ROUTER_WAN on ext interface wan: Port forwarding is impossible" \
		"$LAB_DIR/miniupnpd.log" || fail "miniupnpd did not warn about its reserved WAN address"
	_lab_say "ok: miniupnpd logs 'Port forwarding is impossible' at start"
	# UPnP: the IGD is found but not "connected"; the external address is
	# empty; AddPortMapping fails with 501 ActionFailed.
	out=$(lab_host upnpc -s 2>&1) && fail "upnpc -s succeeded with a reserved WAN: $out"
	assert_match "Found a \(not connected\?\) IGD : http://$ROUTER_LAN:5000/" "$out" "upnpc -s"
	r=$(lab_host python3 "$LABTOOL" soap "http://$ROUTER_LAN:5000/ctl/IPConn" GetExternalIPAddress)
	assert_eq "200 " "$(jq -r '"\(.status) \(.values.NewExternalIPAddress)"' <<<"$r")" "UPnP GetExternalIPAddress"
	r=$(lab_host python3 "$LABTOOL" soap "http://$ROUTER_LAN:5000/ctl/IPConn" AddPortMapping \
		NewRemoteHost= NewExternalPort=30333 NewProtocol=TCP NewInternalPort=30333 \
		NewInternalClient="$HOST_IP" NewEnabled=1 NewPortMappingDescription=lab NewLeaseDuration=600)
	assert_eq "500 501" "$(jq -r '"\(.status) \(.error_code)"' <<<"$r")" "UPnP AddPortMapping (501 ActionFailed)"
	# NAT-PMP: result 3 (Network Failure) to the address request.
	r=$(count "$ROUTER_LAN" 5351 natpmp)
	assert_match '^00800003.{8}00000000$' "$(jq -r '.raw[0]' <<<"$r")" "NAT-PMP answer: result 3, address 0.0.0.0"
	out=$(lab_host natpmpc -g "$ROUTER_LAN" 2>&1) && fail "natpmpc succeeded with a reserved WAN: $out"
	assert_match "readnatpmpresponseorretry returned -52" "$out" "natpmpc (NATPMP_ERR_NETWORKFAILURE)"
	# PCP: result 8 (NO_RESOURCES), lifetime 30, and the reserved address in
	# the external address field.
	r=$(lab_host python3 "$LABTOOL" pcp "$ROUTER_LAN")
	assert_eq "8 30 $ROUTER_WAN" "$(jq -r '.answer | "\(.result) \(.lifetime) \(.external_ip)"' <<<"$r")" \
		"PCP MAP: result, lifetime, external address"
	assert_eq 0 "$(dnat_rules)" "miniupnpd's DNAT rules"
}

check_symmetric()
{
	local r
	lab_step "symmetric: fully-random masquerade, no gateway protocol"
	expect_nat "$ROUTER_WAN" "Address and Port Dependent"
	r=$(count "$ROUTER_LAN" 5351 pcp 0.5)
	assert_eq "0 1" "$(jq -r '"\(.count) \(.icmp_errors)"' <<<"$r")" "PCP answers, ICMP errors (port unreachable)"
}

check_dmz()
{
	local r
	lab_step "dmz: every inbound WAN packet goes to the host"
	expect_nat "$ROUTER_WAN" "Endpoint Independent" "Endpoint Independent"
	lab_daemon p2p "$NS_HOST" socat -u TCP-LISTEN:30333,reuseaddr,fork /dev/null
	lab_wait_port "$NS_HOST" tcp 30333
	tcp_reach "$NS_SRV" "$ROUTER_WAN" 30333 || fail "host's 30333 not reachable through $ROUTER_WAN"
	_lab_say "ok: $ROUTER_WAN:30333 reaches the host's listener"
	lab_daemon_stop p2p
}

check_adf()
{
	lab_step "adf: an address the host sent to may answer from any port"
	expect_nat "$ROUTER_WAN" "Endpoint Independent" "Address Dependent"
}

check_blackhole()
{
	local r rc=0
	lab_step "blackhole: the router answers nothing, not even with ICMP"
	timeout 2 ip netns exec "$NS_HOST" natpmpc -g "$ROUTER_LAN" >/dev/null 2>&1 || rc=$?
	assert_eq 124 "$rc" "natpmpc (killed by a 2 s timeout: no answer)"
	r=$(count "$ROUTER_LAN" 5351 pcp 0.5)
	assert_eq "0 0" "$(jq -r '"\(.count) \(.icmp_errors)"' <<<"$r")" "PCP answers, ICMP errors"
	r=$(count "$STUN_A" "$STUN_PORT" stun 0.5)
	assert_eq "0 0" "$(jq -r '"\(.count) \(.icmp_errors)"' <<<"$r")" "STUN answers, ICMP errors"
	# (upnpc -s would say "No IGD UPnP Device found" too, after 8 s.)
	r=$(count "$ROUTER_LAN" 1900 ssdp 0.5)
	assert_eq "0 0" "$(jq -r '"\(.count) \(.icmp_errors)"' <<<"$r")" "SSDP answers, ICMP errors"
	# Only the probes are dropped: routing and ICMP time-exceeded still work.
	assert_eq "$ROUTER_LAN 11.0.2.1 $COTURN_A" "$(trace_hops "$COTURN_A")" "IPv4 path"
}

check_hostile()
{
	local r
	lab_step "hostile: burst mode, every request gets a volley of bad packets"
	r=$(count "$STUN_A" "$STUN_PORT" stun 0.5)
	jq -e '.count >= 20 and .max_size > 65000 and (.sizes | index(0)) != null' <<<"$r" >/dev/null ||
		fail "hostile STUN burst: $r"
	_lab_say "ok: STUN burst of $(jq .count <<<"$r") datagrams (largest $(jq .max_size <<<"$r") bytes)"
	r=$(count "$STUN_B" "$STUN_ALT_PORT" stun 0.5)
	jq -e '.count >= 20' <<<"$r" >/dev/null || fail "hostile STUN at $STUN_B:$STUN_ALT_PORT: $r"
	r=$(count "$ROUTER_LAN" 5351 pcp 0.5)
	jq -e '.count >= 20 and .max_size > 1100 and ([.sizes[] | select(. % 4 != 0)] | length) > 0' <<<"$r" \
		>/dev/null || fail "hostile PCP burst: $r"
	_lab_say "ok: PCP burst of $(jq .count <<<"$r") datagrams from the router's 5351"
	r=$(count "$ROUTER_LAN" 5351 natpmp 0.5)
	jq -e '.count >= 10' <<<"$r" >/dev/null || fail "hostile NAT-PMP burst: $r"
	_lab_say "ok: NAT-PMP burst of $(jq .count <<<"$r") datagrams"

	lab_step "hostile: lie mode, one well-formed lie per request"
	lab_hostile_mode lie
	r=$(count "$STUN_A" "$STUN_PORT" stun 0.5)
	assert_eq "1 1 127.0.0.1" "$(jq -r '"\(.count) \(.well_formed) \(.mapped[0] | sub(":[0-9]+$"; ""))"' <<<"$r")" \
		"STUN lie: answers, well-formed, mapped"
	r=$(count "$ROUTER_LAN" 5351 pcp 0.5)
	assert_eq "1 1 0.0.0.0:30333" "$(jq -r '"\(.count) \(.well_formed) \(.mapped[0])"' <<<"$r")" \
		"PCP lie: answers, well-formed, external"

	lab_step "hostile: mixed mode, the truth after the lies"
	lab_hostile_mode mixed
	r=$(count "$STUN_A" "$STUN_PORT" stun 0.5)
	assert_eq "$ROUTER_WAN" "$(jq -r '.mapped[-1] | sub(":[0-9]+$"; "")' <<<"$r")" "STUN mixed: last mapped address"

	lab_step "hostile: silent mode"
	lab_hostile_mode silent
	r=$(count "$STUN_A" "$STUN_PORT" stun 0.5)
	assert_eq "0 0" "$(jq -r '"\(.count) \(.icmp_errors)"' <<<"$r")" "STUN answers, ICMP errors"
	grep -q "request ignored (silent mode)" "$LAB_DIR/hostile-stun.log" ||
		fail "the silent responder did not see the request"
	_lab_say "ok: silent responder saw the request and said nothing"
}

# Topologies added for one verdict (cgnatstun, nat66, adf, ...) have their
# premise asserted by the test that uses them; the ones here are the shared
# lab every check test stands on. A topology with neither fails.
t_all=$(lab_ms)
for topo in $LAB_TOPOLOGIES; do
	if ! declare -F "check_$topo" >/dev/null; then
		grep -lqE "lab_up \"?$topo\"?( |$)" "$LAB_SOURCE_DIR"/tests/lab/test_*.sh ||
			fail "topology $topo has no sanity check here and no test that brings it up"
		_lab_say "$topo: premise checked by $(grep -lE "lab_up \"?$topo\"?( |$)" "$LAB_SOURCE_DIR"/tests/lab/test_*.sh | xargs -n1 basename | tr '\n' ' ')"
		continue
	fi
	t0=$(lab_ms)
	lab_up "$topo"
	UP_MS[$topo]=$LAB_UP_MS
	"check_$topo"
	lab_down
	[[ -z "$(lab_namespaces)" ]] || fail "namespaces left after lab_down $topo: $(lab_namespaces)"
	TOTAL_MS[$topo]=$(($(lab_ms) - t0))
done

lab_step "nothing of run $LAB_ID is left"
assert_eq "" "$(lab_namespaces)" "namespaces of this run"
assert_eq "" "$(pgrep -af -- "$LAB_ID" || true)" "processes of this run"

printf '\n%-10s %8s %8s\n' topology "up ms" "test ms" >&2
for topo in $LAB_TOPOLOGIES; do
	printf '%-10s %8s %8s\n' "$topo" "${UP_MS[$topo]:--}" "${TOTAL_MS[$topo]:--}" >&2
done
printf '%-10s %8s %8s\n' all "" "$(($(lab_ms) - t_all))" >&2

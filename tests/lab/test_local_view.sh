#!/usr/bin/env bash
# The local view (check/local.c) in a namespace whose addresses, routes and
# listeners we set ourselves, observed through lab_localview's JSON:
#   node ns: veth ndl0 to a gw ns, 10.88.0.2/24 + fd88::2/64, defaults via
#            10.88.0.1 and fd88::1; a CGNAT address on a spare veth (up);
#            a public-looking address on a veth left down (must not show)
#   socat listening on 127.0.0.1:30333, then on 0.0.0.0:30333 (+ UDP), then
#   nothing; then VPN-style 0/1 + 128/1 routes that take internet traffic
#   away from the default route; and the gw ns, which has no default route.
# Route lookups send nothing; socat gets no traffic. Needs root.
set -euo pipefail
build=${ND_BUILD_DIR:-build}
view="$build/tests/lab_localview"
[[ -x "$view" ]] || { echo "no $view: build first" >&2; exit 1; }
((EUID == 0)) || { echo "needs root (network namespaces)" >&2; exit 1; }

p="ndloc$RANDOM$RANDOM"
node="$p-node" gw="$p-gw"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	ip netns del "$node" 2>/dev/null || true
	ip netns del "$gw" 2>/dev/null || true
}
trap cleanup EXIT
# A signal ends the test through exit, so the EXIT trap cleans up then too.
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "FAIL: $*" >&2
	echo "$json" >&2
	exit 1
}
check() { # jq expression that must be true of $json
	jq -e "$1" >/dev/null <<<"$json" || fail "$1"
}
gather() { # namespace, ports...
	local ns=$1
	shift
	json=$(timeout 10 ip netns exec "$ns" "$view" "$@")
}
# Wait (at most 5 s) until something listens on TCP port 30333 in the node,
# or stops listening (want=0).
wait_tcp() {
	local want=$1
	for _ in $(seq 50); do
		n=$(ip netns exec "$node" ss -Hltn 'sport = :30333' | wc -l)
		if { ((want)) && ((n > 0)); } || { ((!want)) && ((n == 0)); }; then return 0; fi
		sleep 0.1
	done
	echo "FAIL: port 30333 never reached state want=$want" >&2
	exit 1
}
# Wait (at most 5 s) until an interface is operationally up: the kernel's
# link watcher may take up to a second to turn carrier into IFF_RUNNING, and
# the view leaves out addresses of interfaces that are not running.
wait_up() { # namespace, interface
	for _ in $(seq 50); do
		ip -n "$1" -o link show dev "$2" | grep -q ' state UP ' && return 0
		sleep 0.1
	done
	echo "FAIL: $2 in $1 never came up" >&2
	exit 1
}
start() { # socat arguments...
	ip netns exec "$node" socat "$@" &
	pids+=($!)
}
stop_all() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	pids=()
}

ip netns add "$node"
ip netns add "$gw"
ip -n "$node" link set lo up
ip -n "$gw" link set lo up
ip -n "$node" link add ndl0 type veth peer name ndl1 netns "$gw"
ip -n "$node" addr add 10.88.0.2/24 dev ndl0
ip -n "$node" addr add fd88::2/64 dev ndl0 nodad
ip -n "$node" link set ndl0 up
ip -n "$gw" addr add 10.88.0.1/24 dev ndl1
ip -n "$gw" addr add fd88::1/64 dev ndl1 nodad
ip -n "$gw" link set ndl1 up
ip -n "$node" link add ndl-cg type veth peer name ndl-cgp
ip -n "$node" addr add 100.64.9.9/32 dev ndl-cg
ip -n "$node" link set ndl-cgp up
ip -n "$node" link set ndl-cg up
ip -n "$node" link add ndl-down type veth peer name ndl-downp
ip -n "$node" addr add 203.0.113.77/24 dev ndl-down
ip -n "$node" route add default via 10.88.0.1
ip -n "$node" -6 route add default via fd88::1
wait_up "$node" ndl0
wait_up "$gw" ndl1
wait_up "$node" ndl-cg

echo "== addresses and routes"
gather "$node" 30333/tcp
check '.status == 0 and .error == ""'
check '.addrs | any(.ifname == "lo" and .addr == "127.0.0.1" and .prefixlen == 8 and .class == "loopback")'
check '.addrs | any(.ifname == "ndl0" and .addr == "10.88.0.2" and .prefixlen == 24 and .class == "private")'
check '.addrs | any(.ifname == "ndl0" and .addr == "fd88::2" and .prefixlen == 64 and .class == "private")'
check '.addrs | any(.ifname == "ndl-cg" and .addr == "100.64.9.9" and .class == "cgnat")'
check '.addrs | all(.addr != "203.0.113.77")' # on a down interface
check '.route4 == {present: true, gateway: "10.88.0.1", source: "10.88.0.2", ifname: "ndl0", egress_ifname: "ndl0"}'
check '.route6 == {present: true, gateway: "fd88::1", source: "fd88::2", ifname: "ndl0", egress_ifname: "ndl0"}'

echo "== listening on 127.0.0.1 only"
start -u TCP-LISTEN:30333,bind=127.0.0.1,reuseaddr,fork /dev/null
wait_tcp 1
gather "$node" 30333/tcp 30334/tcp
check '.listeners[0] == {port: 30333, proto: "tcp", listening: "yes", addrs: ["127.0.0.1"], loopback_only: true}'
check '.listeners[1] | .port == 30334 and .listening == "no" and .addrs == []'
stop_all
wait_tcp 0

echo "== listening on 0.0.0.0 (TCP and UDP)"
start -u TCP-LISTEN:30333,bind=0.0.0.0,reuseaddr,fork /dev/null
start -u UDP-RECV:30333,bind=0.0.0.0 /dev/null
wait_tcp 1
for _ in $(seq 50); do # the UDP bind, bounded like the TCP one
	gather "$node" 30333/tcp 30333/udp
	jq -e '.listeners[1].listening == "yes"' >/dev/null <<<"$json" && break
	sleep 0.1
done
check '.listeners[0] == {port: 30333, proto: "tcp", listening: "yes", addrs: ["0.0.0.0"], loopback_only: false}'
check '.listeners[1] == {port: 30333, proto: "udp", listening: "yes", addrs: ["0.0.0.0"], loopback_only: false}'
stop_all
wait_tcp 0

echo "== nothing listening"
gather "$node" 30333/tcp
check '.listeners[0].listening == "no" and .listeners[0].loopback_only == false'

echo "== a VPN-style split takes internet traffic off the default route"
ip -n "$node" route add 0.0.0.0/1 dev ndl-cg src 100.64.9.9
ip -n "$node" route add 128.0.0.0/1 dev ndl-cg src 100.64.9.9
gather "$node"
check '.route4 == {present: true, gateway: "10.88.0.1", source: "100.64.9.9", ifname: "ndl0", egress_ifname: "ndl-cg"}'

echo "== no default route (the gw namespace)"
gather "$gw"
check '.status == 0 and .error == ""'
check '.route4 == {present: false, gateway: null, source: null, ifname: "", egress_ifname: ""}'
check '.route6.present == false'
check '.addrs | any(.ifname == "ndl1" and .addr == "10.88.0.1")'
echo "local view lab: all passed"

#!/usr/bin/env bash
# Capture real kernel rtnetlink replies into tests/fuzz/corpus/rtnl/ (seeds
# for fuzz_rtnl, and the fixtures of tests/unit/test_rtnl.c, which asserts
# on the addresses and routes set up here: change one, change the other).
# Run as root after a build: scripts/rtnl_corpus.sh [BUILD_DIR]
#
# Everything happens in two namespaces of our own ("ndcap" + random): a node
# with a veth to a gateway, IPv4 private + IPv6 ULA, a CGNAT address and a
# point-to-point peer on a spare veth, a veth left down, a multipath default in
# table 100, an IPv4 route via an IPv6 next hop (RTA_VIA), a blackhole.
# Route lookups send nothing; no traffic leaves the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cap="$PWD/$build/tests/lab_rtnl_capture"
out="$PWD/tests/fuzz/corpus/rtnl"
[[ -x "$cap" ]] || { echo "build $cap first" >&2; exit 1; }
mkdir -p "$out"

p="ndcap$RANDOM"
node="$p-node" gw="$p-gw" bare="$p-bare"
cleanup() {
	for ns in "$node" "$gw" "$bare"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

for ns in "$node" "$gw" "$bare"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip -n "$node" link add ndv0 type veth peer name ndv1 netns "$gw"
ip -n "$node" addr add 10.77.0.2/24 dev ndv0
ip -n "$node" addr add fd77::2/64 dev ndv0 nodad
ip -n "$node" link set ndv0 up
ip -n "$gw" addr add 10.77.0.1/24 dev ndv1
ip -n "$gw" addr add fd77::1/64 dev ndv1 nodad
ip -n "$gw" link set ndv1 up
# No dummy driver on every kernel: spare veth pairs stand in for dummies.
ip -n "$node" link add nd-cg type veth peer name nd-cgp
ip -n "$node" link set nd-cgp up
ip -n "$node" addr add 100.64.7.7/32 dev nd-cg
ip -n "$node" addr add 10.99.0.1 peer 10.99.0.2 dev nd-cg
ip -n "$node" link set nd-cg up
ip -n "$node" link add nd-down type veth peer name nd-downp
ip -n "$node" addr add 203.0.113.9/24 dev nd-down
ip -n "$node" route add default via 10.77.0.1
ip -n "$node" -6 route add default via fd77::1
ip -n "$node" route add default table 100 \
	nexthop via 10.77.0.1 dev ndv0 nexthop via 10.77.0.3 dev ndv0
ip -n "$node" route add 198.51.100.0/24 via inet6 fd77::1 dev ndv0
ip -n "$node" route add blackhole 198.18.0.0/15

run() { # namespace, corpus name, capture arguments...
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$cap" "$@" "$out/$name"
}
run "$node" lab-dump-links-veth-up-down links
run "$node" lab-dump-addrs-v4-v6-cgnat-ptp addrs
run "$node" lab-dump-routes-multipath-via-blackhole routes
run "$node" lab-get-route-v4-default route-get 8.8.8.8
run "$node" lab-get-route-v6-default route-get 2001:4860:4860::8888
run "$node" lab-get-route-v4-via-v6-nexthop route-get 198.51.100.7
run "$node" lab-get-route-blackhole-error route-get 198.18.1.1 || true
run "$node" lab-get-link-veth link-get "$(ip netns exec "$node" cat /sys/class/net/ndv0/ifindex)"
run "$node" lab-get-link-nodev-error link-get 9999 || true
run "$node" lab-get-route-extack-error extack || true
run "$bare" lab-get-route-no-default-enetunreach route-get 8.8.8.8 || true
ls -l "$out"

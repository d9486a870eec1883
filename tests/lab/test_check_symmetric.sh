#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check behind a router with fully random mapping and no mapping protocol:
# the STUN servers see different public ports from one socket.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up symmetric
check_run symmetric
f=$(check_json symmetric)
assert_json "$f" .public.ipv4 "$ROUTER_WAN"
assert_json "$f" .nat.layers 1
assert_json "$f" .nat.cgnat false
assert_json "$f" .nat.mapping_varies_by_destination true
assert_json "$f" .nat.port_preserved false
for p in pcp natpmp upnp; do
	assert_json "$f" ".gateway.$p.available" false
done
assert_finding "$f" symmetric-nat warning
assert_finding "$f" behind-nat warning
assert_no_finding "$f" gateway-mapping-available
assert_json "$f" '[.stun.ipv4.servers[] | .mapped] | unique | length' 2

# A router that rate-limits ICMP, as real ones do (the lab switches the
# limit off): port 5351 is closed and only the first datagram gets its
# "port unreachable". On a connected UDP socket the kernel hands that error
# to the next call, here the next send (PCP right after NAT-PMP): a send
# that swallowed it left check waiting out its whole deadline.
lab_step "a router that answers only one datagram with ICMP: port closed, no wait"
lab_router nft -f - <<'NFT'
table inet nd_one_icmp {
	chain out {
		type filter hook output priority 0; policy accept;
		icmp type destination-unreachable limit rate 1/minute burst 1 packets accept
		icmp type destination-unreachable drop
	}
}
NFT
check_run oneicmp --no-node --no-upnp --timeout 2500
f=$(check_json oneicmp)
assert_json "$f" .gateway.natpmp.error "port 5351 closed (ICMP port unreachable)"
assert_json "$f" .gateway.pcp.error "port 5351 closed (ICMP port unreachable)"
assert_json "$f" '.elapsed_ms < 2000' true

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

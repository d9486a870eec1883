#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check behind a router that forwards all inbound traffic to the host (DMZ):
# one layer, but filtering is endpoint-independent, so the NAT finding is
# only informational.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up dmz
check_run dmz
f=$(check_json dmz)
assert_json "$f" .public.ipv4 "$ROUTER_WAN"
assert_json "$f" .nat.layers 1
assert_json "$f" .nat.mapping_varies_by_destination false
assert_json "$f" .nat.filtering endpoint-independent
assert_finding "$f" behind-nat info
for p in pcp natpmp upnp; do
	assert_json "$f" ".gateway.$p.available" false
done

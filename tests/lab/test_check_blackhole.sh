#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check behind a router that answers nothing: every probe times out, the
# check still ends (by its deadline) with a verdict that says so.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up blackhole
check_run blackhole --timeout 1500
f=$(check_json blackhole)
assert_json "$f" .public.ipv4 null
assert_json "$f" .nat.mapping_varies_by_destination null
for p in pcp natpmp upnp; do
	assert_json "$f" ".gateway.$p.available" false
	assert_json "$f" ".gateway.$p.error | type" string
done
assert_finding "$f" stun-no-answer problem
assert_json "$f" '[.stun.ipv4.servers[] | select(.answered)] | length' 0
# The host's own router is private, so at least that layer is known.
assert_json "$f" '.nat.layers >= 1' true
assert_eq 1 "$CHECK_RC" "exit status"

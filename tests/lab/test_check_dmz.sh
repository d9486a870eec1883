#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check behind a router that forwards all inbound traffic to the host (DMZ):
# one layer, filtering endpoint-independent. That is measured over UDP only:
# without a dial-back from outside, whether TCP 30333 gets in is unknown, and
# the verdict says so (a warning with the outside test to run) instead of
# "nothing is required". Here TCP does get in, as an outside connect shows.
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
assert_finding "$f" behind-nat warning
assert_json "$f" '.findings[] | select(.id == "behind-nat") | .summary | test("not measured")' true
assert_json "$f" '.findings[] | select(.id == "behind-nat") | .remedy | test("nc -vz '"$ROUTER_WAN"' 30333")' true
assert_json "$f" .nat.layers_certain true
assert_eq 1 "$CHECK_RC" "exit status"
# The DMZ does let TCP in: what the verdict left open, an outside test settles.
lab_daemon node "$NS_HOST" socat -u TCP-LISTEN:30333,reuseaddr,fork /dev/null
lab_wait_port "$NS_HOST" tcp 30333
lab_srv timeout 3 bash -c "exec 3<>/dev/tcp/$ROUTER_WAN/30333" ||
	fail "dmz: TCP 30333 from outside should reach the host"
for p in pcp natpmp upnp; do
	assert_json "$f" ".gateway.$p.available" false
done

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The gateway and STUN paths a real router takes and no other lab test runs
# (issue 11), on one hostile topology whose responders are honest but
# limited (tests/lab/hostile.c modes):
#   natpmponly  PCP refused with NAT-PMP's UNSUPP_VERSION: PCP absent,
#               NAT-PMP's address believed, nothing counted as bad
#   pcponly     NAT-PMP refused with PCP's v2 UNSUPP_VERSION (opcode 0, R
#               bit; issue 11 item 1): NAT-PMP absent, PCP's MAP believed
#   twice       every answer sent twice: duplicates counted by reason, no
#               "bad answers" warning (issue 8 item 4)
#   refuse      STUN refuses CHANGE-REQUEST with 420: filtering unknown
#               (null), never guessed; the Binding answers still count
#   pcpv1       PCP refused by a version-1 server: named as such, NAT-PMP
#               still believed
#   error       STUN answers a well-formed 400: that server did not answer,
#               its error is shown; nothing counted as bad
# and, with the honest servers, a second server that never answers is
# given up once the first has answered, before the deadline.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up hostile

run_mode()
{
	lab_step "hostile mode: $1"
	lab_hostile_mode "$1"
	rc=0
	lab_natdoctor "$LAB_DIR/$1.json" check --json --timeout 1500 \
		--stun "$HOSTILE_A" --stun "$HOSTILE_B" || rc=$?
	[[ "$rc" == 0 || "$rc" == 1 ]] || fail "mode $1: exit status $rc"
	f="$LAB_DIR/$1.json"
}

# pcp_refused PATTERN: PCP absent with an error matching PATTERN, NAT-PMP's
# address believed, nothing counted as bad.
pcp_refused()
{
	assert_json "$f" .gateway.natpmp.available true
	assert_json "$f" .gateway.natpmp.external_ipv4 "$ROUTER_WAN"
	assert_json "$f" .gateway.pcp.available false
	assert_json "$f" ".gateway.pcp.error | test(\"$1\")" true
	assert_json "$f" '.gateway.pcp.bad_packets + .gateway.natpmp.bad_packets' 0
	assert_no_finding "$f" gateway-bad-answers
}

run_mode natpmponly
pcp_refused "NAT-PMP only"

run_mode pcponly
assert_json "$f" .gateway.pcp.available true
assert_json "$f" .gateway.pcp.result SUCCESS
assert_json "$f" .gateway.pcp.external_ipv4 "$ROUTER_WAN"
assert_json "$f" .gateway.natpmp.available false
assert_json "$f" '.gateway.natpmp.error | test("PCP only")' true
assert_json "$f" '.gateway.pcp.bad_packets + .gateway.natpmp.bad_packets' 0
assert_no_finding "$f" gateway-bad-answers
# The test mapping was deleted: the responder saw the lifetime-0 MAP.
assert_match "pcp MAP lifetime 0 nonce" "$(cat "$LAB_DIR/hostile-gw.log")" "PCP delete sent"

run_mode twice
assert_json "$f" .gateway.natpmp.available true
assert_json "$f" .gateway.pcp.available true
assert_json "$f" '.gateway.natpmp.rejected.duplicate >= 1' true
assert_json "$f" '.gateway.pcp.bad_packets + .gateway.natpmp.bad_packets' 0
assert_no_finding "$f" gateway-bad-answers
assert_json "$f" '[.stun.ipv4.servers[] | select(.answered)] | length' 2
assert_json "$f" '([.stun.ipv4.servers[].bad_packets] | add)' 0
assert_json "$f" .public.ipv4 "$ROUTER_WAN"

run_mode refuse
assert_json "$f" '[.stun.ipv4.servers[] | select(.answered)] | length' 2
assert_json "$f" .public.ipv4 "$ROUTER_WAN"
assert_json "$f" .nat.filtering null

lab_step "a silent STUN server is given up once another answered"
# Nothing listens at PEER_IP: its ICMP errors do not reach an unconnected
# socket, so to check it is a server that never answers.
lab_natdoctor "$LAB_DIR/silent.json" check --json --timeout 2500 \
	--stun "$HOSTILE_A" --stun "$PEER_IP" || true
f="$LAB_DIR/silent.json"
assert_json "$f" '.stun.ipv4.servers[0].answered' true
assert_json "$f" '.stun.ipv4.servers[1].answered' false
assert_json "$f" '.stun.ipv4.servers[1].error | test("other servers answered")' true
assert_json "$f" '.elapsed_ms < 2300' true

run_mode pcpv1
pcp_refused "PCP version 1"

run_mode error
assert_json "$f" '[.stun.ipv4.servers[] | select(.answered)] | length' 0
assert_json "$f" '[.stun.ipv4.servers[].error | test("error 400 Bad Request")] | all' true
assert_json "$f" '([.stun.ipv4.servers[].bad_packets] | add)' 0
assert_json "$f" .public.ipv4 null

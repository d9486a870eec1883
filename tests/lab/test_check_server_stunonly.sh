#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check --server pointed at a plain STUN server (coturn, no dial-back):
# the RFC 5780 mapping tests run against it as against any --stun server
# (nat.mapping), STUN over TCP gives nat.tcp_mapping, hairpinning is
# tested from a probe socket; the server's missing dial-back is ONE
# finding (server-failed) and everything else is still reported.
# Reachability stays null: nothing measured it. Without --server the
# report hints at running natdoctor serve.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"
source "$(dirname "$0")/check_server_common.sh"

# shellcheck disable=SC2034 # read by check_server
SERVER=$COTURN_A


lab_up home
lab_step "home: endpoint-independent mapping for UDP and TCP, no hairpinning"
check_server home
f=$(check_json home)
assert_json "$f" .nat.mapping endpoint-independent
assert_json "$f" .nat.tcp_mapping endpoint-independent
assert_json "$f" .nat.hairpinning false
assert_json "$f" .nat.filtering address-and-port-dependent
assert_json "$f" .public.ipv4 "$ROUTER_WAN"
assert_json "$f" '.dialback.servers[0].answered' true
assert_json "$f" '.dialback.servers[0].dialback' false
assert_json "$f" '.dialback.servers[0].observed | startswith("'"$ROUTER_WAN"':")' true
assert_json "$f" .dialback.measured false
assert_json "$f" '[.reachability[].reachable] | unique | tostring' '[null]'
assert_json "$f" '[.findings[] | select(.id == "server-failed")] | length' 1
assert_finding "$f" server-failed warning
assert_finding "$f" behind-nat warning
assert_finding "$f" no-hairpinning info
assert_no_finding "$f" no-dialback-server
# Only the server was asked: no public STUN names in the report.
assert_json "$f" '.stun.ipv4.servers | length' 1
# Ended because everything answered, not at the 2.5 s deadline (the 1 s
# target is measured by bench/check_server.sh: timings do not belong here).
assert_json "$f" "(.elapsed_ms < 2000)" true

lab_step "--no-hairpin leaves hairpinning unknown"
check_server nohairpin --no-hairpin
assert_json "$(check_json nohairpin)" .nat.hairpinning null
assert_no_finding "$(check_json nohairpin)" no-hairpinning

lab_step "-6: the dial-back (IPv4 only) says it was not asked"
lab_natdoctor "$LAB_DIR/v6.json" check --json -6 --stun "[$COTURN_A6]:$STUN_PORT" \
	--server "$COTURN_A" || true
assert_json "$LAB_DIR/v6.json" '.dialback.servers[0].error | test("IPv4")' true

lab_step "without --server: reachability null and the hint to run serve"
check_run noserver
f=$(check_json noserver)
assert_json "$f" '[.reachability[].reachable] | unique | tostring' '[null]'
assert_json "$f" .nat.tcp_mapping null
assert_finding "$f" no-dialback-server info
assert_json "$f" '.findings[] | select(.id == "no-dialback-server") | .remedy | test("natdoctor serve")' true
lab_down

lab_up symmetric
lab_step "symmetric: address-and-port-dependent for UDP and TCP"
check_server sym
f=$(check_json sym)
assert_json "$f" .nat.mapping address-and-port-dependent
assert_json "$f" .nat.tcp_mapping address-and-port-dependent
lab_down

lab_up public
lab_step "public: no NAT, no hairpinning question"
check_server pub
f=$(check_json pub)
assert_json "$f" .nat.mapping none
assert_json "$f" .nat.tcp_mapping none
assert_json "$f" .nat.hairpinning null

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map by UPnP IGD, on a home router whose miniupnpd speaks UPnP
# only (lab_router_upnp_only: NAT-PMP and PCP off, port 5351 closed):
# mapped, asserted from OUTSIDE (a TCP connect from the servers' namespace
# to the router's WAN address reaches the node's listener), method "UPnP"
# in natdoctor status and --metrics, SIGTERM removes the rule from
# miniupnpd's chains within 1 s; a second LAN host (192.168.1.11, mapped
# through miniupnpd with secure_mode=no) holding the external port gives
# the report naming that host (IGDv2's AddAnyPortMapping, which miniupnpd
# answers with another port: that port deleted again; IGDv1's 718 is in
# test_map_upnp_router), and nothing moves; --no-upnp maps nothing and says
# why; --once then --delete leaves no rule, and --delete never removes
# another host's mapping. 725 (permanent leases only), which miniupnpd
# never answers: test_map_upnp_permanent, against a scripted device.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
OTHER=192.168.1.11

mappings() { lab_router_rules "dport $PORT"; }
reach() { lab_reach $PORT; }
no_mappings() { (($(mappings) == 0)); }
log_has() { grep -q -e "$2" "$LAB_DIR/$1.log"; }

wait_until() { lab_wait_until "$@"; }

lab_up home
lab_router_upnp_only secure_mode=no
lab_daemon node "$NS_HOST" socat TCP-LISTEN:$PORT,reuseaddr,fork SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT

lab_step "--no-upnp: nothing mapped, and it says why"
rc=0
lab_natdoctor "$LAB_DIR/noupnp.out" map $PORT/tcp --once --no-upnp || rc=$?
assert_eq 3 "$rc" "exit status with --no-upnp"
assert_match "answers neither PCP nor NAT-PMP .*UPnP is off \(--no-upnp\): nothing is mapped" \
	"$(cat "$LAB_DIR/noupnp.out.stderr")" "why"
assert_eq 0 "$(mappings)" "rules after --no-upnp"

lab_step "UPnP: mapped, reachable from outside, status and metrics say UPnP"
t0=$(lab_ms)
lab_daemon upnp "$NS_HOST" env --default-signal=INT,TERM bash -c 'exec "$0" map "$@"' \
	"$NATDOCTOR" $PORT/tcp --lifetime 120 -v --metrics 127.0.0.1:9841 \
	--status-socket "$LAB_DIR/map.sock"
wait_until 3000 log_has upnp "^mapped $PORT/tcp" || fail "UPnP: not mapped within 3 s"
_lab_say "mapped after $(($(lab_ms) - t0)) ms"
log_has upnp "^mapped $PORT/tcp: $PUBLIC_IP:$PORT -> $HOST_IP:$PORT by UPnP, lease 120 s" ||
	fail "UPnP: no mapped line by UPnP"
log_has upnp "--public-addr /ip4/$PUBLIC_IP/tcp/$PORT" || fail "UPnP: no --public-addr"
wait_until 1000 reach || fail "UPnP: mapped, but $PUBLIC_IP:$PORT does not reach the node"
_lab_say "ok: $PUBLIC_IP:$PORT reaches the node from outside"
lab_natdoctor "$LAB_DIR/status.out" status --socket "$LAB_DIR/map.sock"
assert_match "^$PORT/tcp mapped by UPnP on $HOST_GW: $PUBLIC_IP:$PORT, lease 1[01][0-9] s left" \
	"$(cat "$LAB_DIR/status.out")" "natdoctor status"
metrics=$(lab_host curl -sf http://127.0.0.1:9841/metrics) || fail "no metrics"
assert_match 'natdoctor_mapping_up\{port="30333",proto="tcp",method="UPnP",family="ipv4"\} 1' \
	"$metrics" "mapping_up"

lab_step "SIGTERM: the rule is gone from miniupnpd's chains within 1 s"
pid=$(pgrep -f -n -- "--status-socket $LAB_DIR/map.sock")
t0=$(lab_ms)
kill -TERM "$pid"
wait_until 1000 no_mappings || fail "$(mappings) rules left 1 s after SIGTERM"
_lab_say "ok: no rule left $(($(lab_ms) - t0)) ms after SIGTERM"
wait_until 2000 bash -c "! kill -0 $pid 2>/dev/null" || fail "still running after SIGTERM"
log_has upnp "closed $PORT/tcp" || fail "no 'closed' line"
! log_has upnp "Sanitizer\|runtime error" || fail "the sanitizers found something"
unset "LAB_PIDS[upnp]"
reach && fail "still reachable after SIGTERM"

lab_step "SIGTERM while the first UPnP conversation runs: nothing left behind"
lab_daemon early "$NS_HOST" env --default-signal=INT,TERM bash -c 'exec "$0" map "$@"' \
	"$NATDOCTOR" $PORT/tcp --lifetime 120 --status-socket "$LAB_DIR/early.sock"
wait_until 3000 log_has early "using UPnP IGD" || fail "early: UPnP never started"
pid=$(pgrep -f -n -- "--status-socket $LAB_DIR/early.sock")
kill -TERM "$pid"
wait_until 2000 bash -c "! kill -0 $pid 2>/dev/null" || fail "early: still running after SIGTERM"
unset "LAB_PIDS[early]"
sleep 0.3
assert_eq 0 "$(mappings)" "rules after SIGTERM during the first conversation"
! log_has early "^natdoctor: map: opened" || log_has early "closed $PORT/tcp" ||
	fail "early: a mapping opened and never closed"
! log_has early "Sanitizer\|runtime error" || fail "early: the sanitizers found something"

lab_step "--once by UPnP, then --delete removes it"
lab_natdoctor "$LAB_DIR/once.out" map $PORT/tcp --once --lifetime 120
assert_match "by UPnP" "$(cat "$LAB_DIR/once.out")" "--once's method"
(($(mappings) > 0)) || fail "--once: no rule on the router"
lab_natdoctor "$LAB_DIR/delete.out" map $PORT/tcp --delete
assert_match "closed $PORT/tcp" "$(cat "$LAB_DIR/delete.out.stderr")" "--delete's log"
assert_eq 0 "$(mappings)" "rules after --delete"

lab_step "another LAN host holds the external port: 718, named, nothing moves"
assert_eq "granted $PORT" "$(lab_upnp_igd "$OTHER" add $PORT 600 v1)" \
	"the other host's mapping"
rc=0
lab_natdoctor "$LAB_DIR/taken.out" map $PORT/tcp --once || rc=$?
assert_eq 1 "$rc" "exit status when the port is taken"
assert_match "external port $PORT is held by $OTHER on the router: not moved" \
	"$(cat "$LAB_DIR/taken.out.stderr")" "the 718 report"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" \
	"the other host's mapping, untouched"
lab_router_rules "$HOST_IP" | grep -qx 0 || fail "a rule for this host is left on the router"
rc=0
lab_natdoctor "$LAB_DIR/delother.out" map $PORT/tcp --delete || rc=$?
assert_eq 1 "$rc" "--delete of another host's mapping"
assert_match "external port $PORT is another host's \($OTHER\): not deleted" \
	"$(cat "$LAB_DIR/delother.out.stderr")" "--delete's refusal"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" "still the other host's"
assert_eq deleted "$(lab_upnp_igd "$OTHER" del $PORT)" "cleanup"
assert_eq 0 "$(mappings)" "rules at the end"
lab_down

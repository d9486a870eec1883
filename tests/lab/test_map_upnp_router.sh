#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map by UPnP IGD against the lab router's real miniupnpd (UPnP
# only: NAT-PMP and PCP off, port 5351 closed), one topology for:
#   - a router reboot (miniupnpd killed, its nftables chains flushed,
#     started again): the mapping is back within one check interval (half
#     the lease: 10 s with --lifetime 20), asserted on the router's own
#     nftables and from OUTSIDE (a TCP connect from the servers' namespace
#     to the router's WAN address reaches the node); once when the router
#     is back before the next check, once when a check finds it away (the
#     search fails, map goes back to PCP and NAT-PMP, and must look for the
#     IGD again one check interval later, not only when PCP's schedule
#     happens to send);
#   - IGDv2 with --any-external-port while another LAN host holds the port:
#     the free port miniupnpd's AddAnyPortMapping offers is taken, and the
#     printed --public-addr carries it (reachable there from outside);
#     --once there, then --delete: ours is found on its other external
#     port (GetGenericPortMappingEntry) and deleted, the other host's left;
#   - an IGDv1 router (force_igd_desc_v1=yes: AddPortMapping, which answers
#     718 ConflictInMappingEntry on a port another LAN host holds; IGDv2's
#     AddAnyPortMapping offers another port instead, test_map_upnp has
#     that): the report names the host, nothing is moved, the other port of
#     the same run is mapped and reachable, --once exits 1 (a port was
#     refused), the daemon keeps serving the other port; its next check
#     asks for the held port again and neither reports nor counts it
#     again (natdoctor_mapping_errors_total 1).
# secure_mode=no lets this host map for 192.168.1.11, the other node.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
PORT2=30334
OTHER=192.168.1.11
LIFETIME=20
CHECK_MS=$((LIFETIME * 1000 / 2)) # igd_next_check: half the lease
SLACK_MS=1500                     # one UPnP conversation, on a busy machine

rules() { lab_router_rules "dport $1"; }
reach() { lab_reach "$1"; }
log_has() { grep -q -e "$2" "$LAB_DIR/$1.log"; }
log_count() { grep -c -e "$2" "$LAB_DIR/$1.log" || true; }
wait_until() { lab_wait_until "$@"; }

lab_up home
lab_router_upnp_only secure_mode=no
lab_daemon node "$NS_HOST" socat TCP-LISTEN:$PORT,reuseaddr,fork SYSTEM:'echo node'
lab_daemon node2 "$NS_HOST" socat TCP-LISTEN:$PORT2,reuseaddr,fork SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT
lab_wait_port "$NS_HOST" tcp $PORT2

lab_step "mapped by UPnP, reachable from outside"
lab_daemon map "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --lifetime $LIFETIME -v \
	--status-socket "$LAB_DIR/map.sock"
wait_until 3000 log_has map "^mapped $PORT/tcp: .* by UPnP" || fail "not mapped by UPnP within 3 s"
wait_until 1000 reach $PORT || fail "mapped, but $PUBLIC_IP:$PORT does not reach the node"
(($(rules $PORT) > 0)) || fail "mapped, but no rule in miniupnpd's chains"

lab_step "router reboot: back within one check interval ($CHECK_MS ms)"
lab_router_reboot
t0=$(lab_ms)
assert_eq 0 "$(rules $PORT)" "rules right after the reboot"
reach $PORT && fail "reachable right after the reboot: the reboot did not take the mapping"
wait_until $((CHECK_MS + SLACK_MS)) reach $PORT ||
	fail "not reachable again within $((CHECK_MS + SLACK_MS)) ms of the router's return"
_lab_say "ok: reachable again $(($(lab_ms) - t0)) ms after miniupnpd answered"
(($(rules $PORT) > 0)) || fail "reachable, but no rule in miniupnpd's chains"
wait_until 1000 log_has map "$PORT/tcp: the router had lost the mapping" ||
	fail "the restored mapping was not logged"

lab_step "the router is away when map looks: back within one check interval of its return"
failed=$(log_count map "map: UPnP: ")
lab_router_down
t0=$(lab_ms)
wait_until $((CHECK_MS + SLACK_MS)) bash -c "(( \$(grep -c 'map: UPnP: ' '$LAB_DIR/map.log') > $failed ))" ||
	fail "map did not look at the router within one check interval"
_lab_say "map found no IGD $(($(lab_ms) - t0)) ms after the router went"
lab_router_up
t0=$(lab_ms)
wait_until $((CHECK_MS + SLACK_MS)) reach $PORT ||
	fail "not reachable again within $((CHECK_MS + SLACK_MS)) ms of the router's return"
_lab_say "ok: reachable again $(($(lab_ms) - t0)) ms after miniupnpd answered"
(($(rules $PORT) > 0)) || fail "reachable, but no rule in miniupnpd's chains"
wait_until 1000 log_has map "^mapped $PORT/tcp: .* by UPnP" || fail "not printed as mapped by UPnP"
lab_daemon_stop map
no_rules() { (($(rules $PORT) == 0)); }
wait_until 1000 no_rules || fail "rules left after SIGTERM"
! log_has map "Sanitizer\|runtime error" || fail "the sanitizers found something"

lab_step "IGDv2, another host holds $PORT, --any-external-port: a free port, in --public-addr"
assert_eq "granted $PORT" "$(lab_upnp_igd "$OTHER" add $PORT 600 v1)" "the other host's mapping"
lab_daemon anyport "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --lifetime 60 --any-external-port \
	--status-socket "$LAB_DIR/anyport.sock"
wait_until 3000 log_has anyport "^mapped $PORT/tcp: " || fail "--any-external-port: not mapped"
ext=$(sed -n "s|^mapped $PORT/tcp: $PUBLIC_IP:\([0-9]*\) -> $HOST_IP:$PORT by UPnP.*|\1|p" "$LAB_DIR/anyport.log")
[[ "$ext" =~ ^[0-9]+$ && "$ext" != "$PORT" ]] || fail "--any-external-port: external port '$ext'"
log_has anyport "--public-addr /ip4/$PUBLIC_IP/tcp/$ext\$" || fail "--public-addr does not carry port $ext"
wait_until 1000 reach "$ext" || fail "$PUBLIC_IP:$ext does not reach the node"
_lab_say "ok: $PUBLIC_IP:$ext reaches the node; --public-addr /ip4/$PUBLIC_IP/tcp/$ext"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" "the other host's mapping"
lab_daemon_stop anyport
assert_eq none "$(lab_upnp_igd "$HOST_IP" get "$ext")" "external port $ext after SIGTERM"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" "the other host's, after SIGTERM"

lab_step "--once --any-external-port, then --delete: ours found on its external port and deleted, $OTHER's left"
lab_natdoctor "$LAB_DIR/onceany.out" map $PORT/tcp --once --lifetime 60 --any-external-port
ext=$(sed -n "s|^mapped $PORT/tcp: $PUBLIC_IP:\([0-9]*\) -> $HOST_IP:$PORT by UPnP.*|\1|p" "$LAB_DIR/onceany.out")
[[ "$ext" =~ ^[0-9]+$ && "$ext" != "$PORT" ]] || fail "--once --any-external-port: external port '$ext'"
(($(rules "$ext") > 0)) || fail "no rules for external port $ext after --once"
# Before the fix: "external port $PORT is another host's: not deleted",
# exit 1, and ours left open until its lease ran out.
lab_natdoctor "$LAB_DIR/onceany_del.out" map $PORT/tcp --delete
assert_match "closed $PORT/tcp on $HOST_GW \(external port $ext\)" \
	"$(cat "$LAB_DIR/onceany_del.out.stderr")" "--delete finds ours on port $ext"
assert_eq none "$(lab_upnp_igd "$HOST_IP" get "$ext")" "external port $ext after --delete"
assert_eq 0 "$(rules "$ext")" "rules for external port $ext after --delete"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" "the other host's, after --delete"

lab_step "IGDv1: AddPortMapping on the port $OTHER holds is 718: named, not moved, $PORT2 mapped"
lab_router_upnp_only secure_mode=no force_igd_desc_v1=yes
assert_eq "granted $PORT" "$(lab_upnp_igd "$OTHER" add $PORT 600 v1)" "the other host's mapping"
rc=0
lab_natdoctor "$LAB_DIR/v1.out" map $PORT/tcp $PORT2/tcp --once --lifetime 60 || rc=$?
assert_eq 1 "$rc" "--once exit status with one port refused"
assert_match "$PORT/tcp: external port $PORT is held by $OTHER on the router: not moved" \
	"$(cat "$LAB_DIR/v1.out.stderr")" "the 718 report"
# What the IGDv1 miniupnpd was asked (its log since the restart).
v1log=$(awk '/^---- lab_router_down/ { n++ } { l[n] = l[n] $0 "\n" } END { printf "%s", l[n] }' \
	"$LAB_DIR/miniupnpd.log")
assert_match "WANIPConnection:1#AddPortMapping" "$v1log" "IGDv1's AddPortMapping"
grep -A1 "already redirected to $OTHER:$PORT" <<<"$v1log" | grep -q "Returning UPnPError 718" ||
	fail "miniupnpd did not answer 718"
[[ "$v1log" != *AddAnyPortMapping* ]] || fail "AddAnyPortMapping sent to an IGDv1 router"
assert_match "^mapped $PORT2/tcp: $PUBLIC_IP:$PORT2 -> $HOST_IP:$PORT2 by UPnP" "$(cat "$LAB_DIR/v1.out")" \
	"the other port of the run"
grep -q "^mapped $PORT/tcp" "$LAB_DIR/v1.out" && fail "$PORT printed as mapped"
wait_until 1000 reach $PORT2 || fail "$PUBLIC_IP:$PORT2 does not reach the node"
assert_eq 0 "$(lab_router_rules "$HOST_IP:$PORT\b")" "rules for $HOST_IP:$PORT (nothing moved)"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" "the other host's mapping"
assert_eq deleted "$(lab_upnp_igd "$HOST_IP" del $PORT2)" "--once's $PORT2, removed"

lab_step "IGDv1 daemon: $PORT reported taken, $PORT2 kept mapped"
lab_daemon v1 "$NS_HOST" "$NATDOCTOR" map $PORT/tcp $PORT2/tcp --lifetime $LIFETIME \
	--status-socket "$LAB_DIR/v1.sock" --metrics 127.0.0.1:9843
wait_until 3000 log_has v1 "^mapped $PORT2/tcp: " || fail "daemon: $PORT2 not mapped"
wait_until 1000 log_has v1 "$PORT/tcp: external port $PORT is held by $OTHER on the router: not moved" ||
	fail "daemon: no 718 report"
# The check one interval later asks for $PORT again (in case it is freed):
# still 718, reported once and counted once in errors_total (every check
# before).
n718() { grep -c "Returning UPnPError 718" "$LAB_DIR/miniupnpd.log" || true; }
n0=$(n718)
wait_until $((CHECK_MS + SLACK_MS)) eval '(($(n718) > n0))' || fail "daemon: $PORT not asked again at the check"
sleep 0.2
assert_eq 1 "$(log_count v1 "$PORT/tcp: external port $PORT is held by $OTHER")" "718 reports after two checks"
metrics=$(lab_host curl -sf http://127.0.0.1:9843/metrics) || fail "no metrics"
assert_match "natdoctor_mapping_errors_total\{port=\"$PORT\",proto=\"tcp\",family=\"ipv4\"\} 1
" "$metrics
" "errors_total of $PORT after two checks refused alike"
wait_until 1000 reach $PORT2 || fail "daemon: $PUBLIC_IP:$PORT2 does not reach the node"
lab_natdoctor "$LAB_DIR/v1.status" status --socket "$LAB_DIR/v1.sock"
assert_match "^$PORT/tcp refused by UPnP .*held by $OTHER" "$(cat "$LAB_DIR/v1.status")" "status of $PORT"
assert_match "$PORT2/tcp mapped by UPnP on $HOST_GW: $PUBLIC_IP:$PORT2" "$(cat "$LAB_DIR/v1.status")" \
	"status of $PORT2"
pid=$(pgrep -f -n -- "--status-socket $LAB_DIR/v1.sock") || fail "daemon: not running"
lab_daemon_stop v1
kill -0 "$pid" 2>/dev/null && fail "daemon: still running after SIGTERM"
assert_eq 0 "$(rules $PORT2)" "rules for $PORT2 after SIGTERM"
assert_eq "entry $OTHER $PORT 1" "$(lab_upnp_igd "$HOST_IP" get $PORT)" "the other host's, after SIGTERM"
! log_has v1 "Sanitizer\|runtime error" || fail "the sanitizers found something"
assert_eq deleted "$(lab_upnp_igd "$OTHER" del $PORT)" "cleanup"
lab_down

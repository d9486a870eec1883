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
#     happens to send).
# secure_mode=no: this host may map for another LAN host (later steps).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
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
lab_wait_port "$NS_HOST" tcp $PORT

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
lab_down

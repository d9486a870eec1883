#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map against a UPnP router that allows only permanent leases
# (725 OnlyPermanentLeasesSupported to AddPortMapping with a lease).
#
# Why a scripted device and not miniupnpd: miniupnpd grants every finite
# lease it is asked for and never answers 725, and no real router that
# does runs here. So the home router's miniupnpd is replaced by
# ssdp_liar.py --desc permanent: an IGDv1 on the gateway's address that
# answers a lease by 725 and keeps lease-0 mappings in a table, answers
# GetSpecificPortMappingEntry and DeletePortMapping from it, and logs every
# SOAP call. No rule is installed (the device is a script), so the
# assertions are on its table and its log, not on reachability from
# outside; test_map_upnp and test_map_upnp_router do that with miniupnpd.
#
# map --once must not make one (nobody would delete it): exit 1, the next
# step said, the device's table empty. The daemon must: fall back to a
# permanent mapping (lease asked, 725, lease 0), say so loudly (stderr,
# stdout, status; no lease in the metrics), confirm it with
# GetSpecificPortMappingEntry, check it when the asked lease would have been
# renewed (half of --lifetime 20: 10 s) without adding it again while it is
# there (and print it again, and run --on-change, when the router's
# external address changed meanwhile), restore it when the device's table
# loses it, and delete it on
# SIGTERM (DeletePortMapping in the log). 30334, which another LAN host
# (192.168.1.11) holds there (718 to lease 0), is named, asked again at
# each check but reported once, and never touched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
PORT2=30334
OTHER=192.168.1.11
THEIRS="TCP $PORT2 $OTHER $PORT2"
LIFETIME=20
CHECK_MS=$((LIFETIME * 1000 / 2))
SLACK_MS=1500

log_has() { grep -q -e "$2" "$LAB_DIR/$1.log"; }
count() { grep -c -e "$1" "$LAB_DIR/igd.log" || true; }
table() { lab_upnp_device_get table; }
wait_until() { lab_wait_until "$@"; }
held() { [[ "$(table)" == "TCP $PORT $HOST_IP $PORT"$'\n'"$THEIRS" ]]; }

lab_up home
lab_upnp_device permanent
assert_eq "" "$(table)" "the device's table at the start"
lab_upnp_device_hold $OTHER $PORT2 0
assert_eq "$THEIRS" "$(table)" "the other host's permanent mapping"

lab_step "--once: no permanent mapping that nobody would delete"
rc=0
lab_natdoctor "$LAB_DIR/once.out" map $PORT/tcp $PORT2/tcp --once --lifetime $LIFETIME || rc=$?
assert_eq 1 "$rc" "--once exit status"
assert_match "$PORT/tcp: .*permanent mappings only \(UPnP 725\): --once would leave it open; run map without --once" \
	"$(cat "$LAB_DIR/once.out.stderr")" "--once's report"
assert_eq "$THEIRS" "$(table)" "the device's table after --once"
assert_eq 0 "$(count "^soap AddPortMapping.*NewInternalClient=$HOST_IP .*NewLeaseDuration=0")" "permanent adds by --once"

lab_step "725: a permanent mapping, said loudly, confirmed"
before=$(wc -l <"$LAB_DIR/igd.log")
lab_daemon map "$NS_HOST" "$NATDOCTOR" map $PORT/tcp $PORT2/tcp --lifetime $LIFETIME -v \
	--metrics 127.0.0.1:9842 --status-socket "$LAB_DIR/map.sock" \
	--on-change 'echo "$NATDOCTOR_PUBLIC_ADDR" >>'"$LAB_DIR/onchange"
wait_until 3000 log_has map "^mapped $PORT/tcp" || fail "not mapped within 3 s"
held || fail "the device's table: '$(table)'"
calls=$(tail -n +$((before + 1)) "$LAB_DIR/igd.log" | grep '^soap ' | grep -v GetExternalIPAddress)
assert_match "^soap AddPortMapping .*NewLeaseDuration=$LIFETIME -> 725
soap AddPortMapping .*NewLeaseDuration=0 -> ok
soap GetSpecificPortMappingEntry NewRemoteHost= NewExternalPort=$PORT NewProtocol=TCP -> ok
soap AddPortMapping .*NewExternalPort=$PORT2 .*NewLeaseDuration=$LIFETIME -> 725
soap AddPortMapping .*NewExternalPort=$PORT2 .*NewLeaseDuration=0 -> 718
soap GetSpecificPortMappingEntry NewRemoteHost= NewExternalPort=$PORT2 NewProtocol=TCP -> ok" \
	"$calls" "the SOAP calls: lease, 725, permanent, confirm; 718 and who holds it"
log_has map "opened $PORT/tcp on $HOST_GW by UPnP: external port $PORT, PERMANENT (the router allows no lease: UPnP 725); deleted on exit, checked every 10 s" ||
	fail "no loud 'PERMANENT' line on stderr"
log_has map "^mapped $PORT/tcp: $PUBLIC_IP:$PORT -> $HOST_IP:$PORT by UPnP, permanent" ||
	fail "stdout does not say the mapping is permanent"
lab_natdoctor "$LAB_DIR/status.out" status --socket "$LAB_DIR/map.sock"
assert_match "^$PORT/tcp mapped by UPnP on $HOST_GW: $PUBLIC_IP:$PORT, permanent" \
	"$(cat "$LAB_DIR/status.out")" "natdoctor status"
assert_match "$PORT2/tcp refused by UPnP .*external port $PORT2 is held by $OTHER on the router: not moved" \
	"$(cat "$LAB_DIR/status.out")" "natdoctor status of $PORT2"
metrics=$(lab_host curl -sf http://127.0.0.1:9842/metrics) || fail "no metrics"
assert_match 'natdoctor_mapping_up\{port="30333",proto="tcp",method="UPnP",family="ipv4"\} 1' \
	"$metrics" "mapping_up"
[[ "$metrics" != *'natdoctor_mapping_lease_seconds{'* ]] || fail "a lease in the metrics of a permanent mapping"

lab_step "the device loses it: restored at the next check (within $CHECK_MS ms)"
lab_upnp_device_get forget/$PORT >/dev/null
t0=$(lab_ms)
wait_until $((CHECK_MS + SLACK_MS)) held || fail "not restored within $((CHECK_MS + SLACK_MS)) ms"
_lab_say "ok: restored $(($(lab_ms) - t0)) ms after the device lost it"
wait_until 1000 log_has map "$PORT/tcp: the router had lost the mapping" || fail "the restore was not logged"

lab_step "the next check finds it there: looked at, not added again; a new WAN address printed"
NEW_IP=11.0.2.3
lab_upnp_device_get external/$NEW_IP >/dev/null
adds=$(count "^soap AddPortMapping NewRemoteHost= NewExternalPort=$PORT ")
gets=$(count "^soap GetSpecificPortMappingEntry")
wait_until $((CHECK_MS + SLACK_MS)) bash -c "(( \$(grep -c '^soap GetSpecificPortMappingEntry' '$LAB_DIR/igd.log') > $gets ))" ||
	fail "no check within $((CHECK_MS + SLACK_MS)) ms"
sleep 0.2
assert_eq "$adds" "$(count "^soap AddPortMapping NewRemoteHost= NewExternalPort=$PORT ")" \
	"AddPortMapping calls for $PORT after a check that found it"
(($(count "NewExternalPort=$PORT2 .* -> 718") >= 3)) || fail "$PORT2 not asked again at each check"
assert_eq 1 "$(grep -c "$PORT2/tcp: external port $PORT2 is held by $OTHER" "$LAB_DIR/map.log")" \
	"718 reports for $PORT2 over three looks (said once)"
wait_until 1000 log_has map "^mapped $PORT/tcp: $NEW_IP:$PORT -> $HOST_IP:$PORT by UPnP, permanent" ||
	fail "the new external address $NEW_IP was not printed"
log_has map "the router's external address changed: $PUBLIC_IP -> $NEW_IP" || fail "the change was not logged"
assert_eq "/ip4/$PUBLIC_IP/tcp/$PORT /ip4/$NEW_IP/tcp/$PORT" "$(tr '\n' ' ' <"$LAB_DIR/onchange" | sed 's/ $//')" \
	"--on-change runs"
held || fail "the device's table after the check: '$(table)'"

lab_step "SIGTERM: DeletePortMapping of ours; the other host's left"
pid=$(pgrep -f -n -- "--status-socket $LAB_DIR/map.sock") || fail "map is not running"
t0=$(lab_ms)
kill -TERM "$pid"
wait_until 2000 bash -c "! kill -0 $pid 2>/dev/null" || fail "still running 2 s after SIGTERM"
unset "LAB_PIDS[map]"
_lab_say "map exited $(($(lab_ms) - t0)) ms after SIGTERM"
assert_eq "$THEIRS" "$(table)" "the device's table after SIGTERM (only the other host's)"
assert_match "soap DeletePortMapping NewRemoteHost= NewExternalPort=$PORT NewProtocol=TCP -> ok" \
	"$(cat "$LAB_DIR/igd.log")" "the delete"
log_has map "closed $PORT/tcp" || fail "no 'closed' line"
! log_has map "Sanitizer\|runtime error" || fail "the sanitizers found something"
lab_down

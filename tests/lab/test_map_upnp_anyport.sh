#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map --any-external-port on a strict IGDv2: the port another LAN
# host holds makes AddAnyPortMapping give a free one (40000), and every
# renewal must keep that port: --public-addr, which the node advertises,
# must not change at each check.
#
# Why a scripted device (ssdp_liar.py --desc strict2) and not miniupnpd:
# miniupnpd hands a client its own mapping back whatever port it asks for,
# so a renewal that asks for the original port again looks right there. A
# gateway that follows WANIPConnection:2 §2.5.18 to the letter gives the
# lowest *free* port instead, and the client's own mapping is not free: a
# renewal that asks for the original port gets yet another one.
# test_map_upnp_router has --any-external-port against miniupnpd.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
OTHER=192.168.1.11
LIFETIME=20
CHECK_MS=$((LIFETIME * 1000 / 2))
SLACK_MS=1500

log_has() { grep -q -e "$2" "$LAB_DIR/$1.log"; }
count() { grep -c -e "$1" "$LAB_DIR/igd.log" || true; }
table() { lab_upnp_device_get table; }
wait_until() { lab_wait_until "$@"; }

lab_up home
lab_upnp_device strict2
lab_upnp_device_hold $OTHER $PORT 600
THEIRS="TCP $PORT $OTHER $PORT"
assert_eq "$THEIRS" "$(table)" "the other host's mapping"

lab_step "--any-external-port: the free port, in --public-addr"
lab_daemon map "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --any-external-port --lifetime $LIFETIME -v \
	--status-socket "$LAB_DIR/map.sock" --on-change 'echo "$NATDOCTOR_PUBLIC_ADDR" >>'"$LAB_DIR/onchange"
wait_until 3000 log_has map "^mapped $PORT/tcp: $PUBLIC_IP:40000 -> $HOST_IP:$PORT by UPnP" ||
	fail "not mapped on external port 40000"
log_has map "--public-addr /ip4/$PUBLIC_IP/tcp/40000\$" || fail "--public-addr does not carry 40000"
assert_eq "$THEIRS"$'\n'"TCP 40000 $HOST_IP $PORT" "$(table)" "the device's table"

lab_step "the renewal keeps external port 40000 (within $CHECK_MS ms)"
adds=$(count "^soap AddAnyPortMapping .*NewInternalClient=$HOST_IP")
wait_until $((CHECK_MS + SLACK_MS)) bash -c "(( \$(grep -c '^soap AddAnyPortMapping .*NewInternalClient=$HOST_IP' '$LAB_DIR/igd.log') > $adds ))" ||
	fail "no renewal within $((CHECK_MS + SLACK_MS)) ms"
sleep 0.3
assert_match "AddAnyPortMapping .*NewExternalPort=40000 .*NewInternalClient=$HOST_IP .* -> ok" \
	"$(grep "^soap AddAnyPortMapping" "$LAB_DIR/igd.log" | tail -1)" "the renewal asks for 40000"
assert_eq "$THEIRS"$'\n'"TCP 40000 $HOST_IP $PORT" "$(table)" "the device's table after the renewal"
assert_eq 1 "$(grep -c "^natdoctor: map: opened" "$LAB_DIR/map.log")" "mappings opened"
assert_eq "/ip4/$PUBLIC_IP/tcp/40000" "$(cat "$LAB_DIR/onchange")" "--on-change runs"

lab_step "SIGTERM: ours deleted, the other host's left"
lab_daemon_stop map
assert_eq "$THEIRS" "$(table)" "the device's table after SIGTERM"
log_has map "closed $PORT/tcp" || fail "no 'closed' line"
! log_has map "Sanitizer\|runtime error" || fail "the sanitizers found something"
lab_down

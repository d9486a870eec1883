#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map on the home router (miniupnpd): PCP, then NAT-PMP, then a
# router that drops PCP, each asserted from OUTSIDE (a TCP connect from the
# servers' namespace to the router's WAN address must reach the node's
# listener in the host), then: a router reboot (mapped again within 2 s of
# miniupnpd answering), SIGTERM and SIGINT (no mapping left in miniupnpd's
# chains within 1 s), --once and --delete, and a router behind the
# provider's NAT (cgnat: exit 5, nothing left mapped).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333

# How many rules for this host miniupnpd holds now.
mappings() { lab_router_rules "$HOST_IP"; }

# reach: 0 when PUBLIC_IP:PORT reaches the node's listener from outside.
reach() { lab_reach $PORT; }

# wait_until MS CMD...: poll CMD every 20 ms for up to MS; 0 if it held.
wait_until() { lab_wait_until "$@"; }

no_mappings() { (($(mappings) == 0)); }
log_has() { grep -q -e "$2" "$LAB_DIR/$1.log"; }

# stop_map NAME SIG SOCK: signal the map daemon (found by its status
# socket), assert it exits 0 and that the router holds no mapping within 1 s
# of the signal.
stop_map()
{
	local name=$1 sig=$2 sock=$3 pid t0 rc=0
	pid=$(pgrep -f -n -- "--status-socket $sock" || true)
	[[ -n "$pid" ]] || fail "$name: the map daemon is not running"
	t0=$(lab_ms)
	kill -s "$sig" "$pid"
	wait_until 1000 no_mappings || fail "$name: $(mappings) mapping rules left 1 s after SIG$sig"
	_lab_say "ok: no mapping left $(($(lab_ms) - t0)) ms after SIG$sig"
	wait_until 2000 bash -c "! kill -0 $pid 2>/dev/null" || fail "$name: still running after SIG$sig"
	log_has "$name" "closed $PORT/tcp" || fail "$name: no 'closed' line logged"
	! log_has "$name" "Sanitizer\|runtime error" || fail "$name: the sanitizers found something (log above)"
	unset "LAB_PIDS[$name]"
	reach && fail "$name: the port is still reachable from outside after SIG$sig"
	reach6 && fail "$name: the IPv6 pinhole is still open after SIG$sig"
	true
}

lab_up home
lab_daemon node "$NS_HOST" socat TCP-LISTEN:$PORT,reuseaddr,fork SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT
lab_daemon node6 "$NS_HOST" socat "TCP6-LISTEN:$PORT,bind=[$HOST_IP6],ipv6only=1,reuseaddr,fork" SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT 5 "$HOST_IP6"

# reach6: the same from outside over IPv6, to the host's own address.
reach6()
{
	[[ "$(lab_srv timeout 2 socat -T1 -u "TCP6:[$HOST_IP6]:$PORT,connect-timeout=1" - 2>/dev/null)" == node ]]
}

lab_step "before natdoctor map: the node is not reachable from outside"
reach && fail "port $PORT reachable before any mapping"
reach6 && fail "[$HOST_IP6]:$PORT reachable over IPv6 before any pinhole"
assert_eq 0 "$(mappings)" "mapping rules before map"

lab_step "PCP: mapped, reachable from outside, the node flags printed"
t0=$(lab_ms)
lab_daemon pcp "$NS_HOST" env --default-signal=INT,TERM bash -c \
	'exec "$0" map "$@"' "$NATDOCTOR" $PORT/tcp --lifetime 120 -v --ipv6 \
	--metrics 127.0.0.1:9840 --status-socket "$LAB_DIR/map.sock" --on-change 'echo "$NATDOCTOR_PUBLIC_ADDR $NATDOCTOR_METHOD" >>'"$LAB_DIR/onchange"
wait_until 3000 log_has pcp "^mapped $PORT/tcp" || fail "PCP: not mapped within 3 s"
_lab_say "mapped after $(($(lab_ms) - t0)) ms"
log_has pcp "by PCP" || fail "PCP: mapped by another method"
log_has pcp "--public-addr /ip4/$PUBLIC_IP/tcp/$PORT" || fail "PCP: no --public-addr with $PUBLIC_IP"
wait_until 1000 reach || fail "PCP: mapped, but $PUBLIC_IP:$PORT does not reach the node"
_lab_say "ok: $PUBLIC_IP:$PORT reaches the node from outside"
wait_until 1000 log_has pcp "^mapped $PORT/tcp: \\[$HOST_IP6\\]:$PORT (IPv6 pinhole) by PCP" ||
	fail "no IPv6 pinhole reported"
log_has pcp "--public-addr /ip6/$HOST_IP6/tcp/$PORT" || fail "no /ip6/ --public-addr"
wait_until 1000 reach6 || fail "pinhole reported, but [$HOST_IP6]:$PORT does not reach the node"
_lab_say "ok: [$HOST_IP6]:$PORT reaches the node from outside (IPv6 pinhole)"
metrics=$(lab_host curl -sf http://127.0.0.1:9840/metrics) || fail "no metrics at 127.0.0.1:9840"
assert_match 'natdoctor_mapping_up\{port="30333",proto="tcp",method="PCP",family="ipv4"\} 1' "$metrics" "mapping_up"
assert_match 'natdoctor_mapping_lease_seconds\{port="30333",proto="tcp",family="ipv4"\} 1[01][0-9]' "$metrics" "lease left"
assert_match 'natdoctor_mapping_external_changes_total\{port="30333",proto="tcp",family="ipv4"\} 0' "$metrics" "changes"
assert_match 'natdoctor_mapping_up\{port="30333",proto="tcp",method="PCP",family="ipv6"\} 1' "$metrics" "pinhole up"
lint=$(promtool check metrics <<<"$metrics" 2>&1) || fail "promtool check metrics: $lint"
rc=0
lab_natdoctor "$LAB_DIR/status.out" status --socket "$LAB_DIR/map.sock" || rc=$?
assert_eq 0 "$rc" "natdoctor status exit status"
assert_match "^$PORT/tcp mapped by PCP on $HOST_GW: $PUBLIC_IP:$PORT, lease 1[01][0-9] s left, last error: none" \
	"$(cat "$LAB_DIR/status.out")" "natdoctor status"
wait_until 1000 test -s "$LAB_DIR/onchange" || fail "--on-change never ran"
assert_eq "/ip4/$PUBLIC_IP/tcp/$PORT PCP" "$(cat "$LAB_DIR/onchange")" "--on-change's environment"

lab_step "a PCP ANNOUNCE from anyone but the gateway's 5351 is ignored"
announces() { grep -c "announced itself" "$LAB_DIR/pcp.log" || true; }
before=$(announces)
# A PCP ANNOUNCE answer (RFC 6887 §14.1.3) with epoch 0: from the host
# itself, and from the router's address but another port.
announce=$(printf '\\x02\\x80%.0s' 1)$(printf '\\x00%.0s' $(seq 22))
lab_host bash -c "printf '$announce' | socat -u - UDP:$HOST_IP:5350"
lab_router bash -c "printf '$announce' | socat -u - UDP:$HOST_IP:5350,sourceport=40000"
sleep 0.2
assert_eq "$before" "$(announces)" "announcements acted on"
assert_eq 2 "$(grep -c "^natdoctor: map: opened" "$LAB_DIR/pcp.log")" "mappings opened so far (IPv4 and the IPv6 pinhole)"

lab_step "router reboot: mapped again within 2 s of miniupnpd answering"
lab_router_reboot
t0=$(lab_ms)
wait_until 2000 reach || fail "not reachable again within 2 s of the router's return"
_lab_say "ok: reachable again $(($(lab_ms) - t0)) ms after miniupnpd answered"
wait_until 2000 reach6 || fail "the IPv6 pinhole is not back within 2 s of the router's return"
# miniupnpd announces itself on 224.0.0.1:5350 when it starts: that (not
# the next renewal) is what maps again so soon.
(($(announces) > before)) || fail "the router's own announcement was not acted on"
_lab_say "ok: the gateway's announcement from its 5351 was acted on"
assert_eq 1 "$(wc -l <"$LAB_DIR/onchange")" "--on-change runs after a reboot that kept the address"

lab_step "SIGTERM: every mapping removed within 1 s"
stop_map pcp TERM "$LAB_DIR/map.sock"

rc=0
lab_natdoctor "$LAB_DIR/status2.out" status --socket "$LAB_DIR/map.sock" || rc=$?
assert_eq 3 "$rc" "natdoctor status with no daemon"
[[ ! -e "$LAB_DIR/map.sock" ]] || fail "the status socket was left behind"

lab_step "NAT-PMP (--no-pcp): mapped, reachable; SIGINT removes it"
lab_daemon natpmp "$NS_HOST" env --default-signal=INT,TERM bash -c \
	'exec "$0" map "$@"' "$NATDOCTOR" $PORT/tcp --no-pcp --lifetime 120 \
	--status-socket "$LAB_DIR/natpmp.sock"
wait_until 3000 log_has natpmp "^mapped $PORT/tcp" || fail "NAT-PMP: not mapped within 3 s"
log_has natpmp "by NAT-PMP" || fail "NAT-PMP: mapped by another method"
log_has natpmp "--public-addr /ip4/$PUBLIC_IP/tcp/$PORT" || fail "NAT-PMP: no --public-addr"
wait_until 1000 reach || fail "NAT-PMP: not reachable from outside"
stop_map natpmp INT "$LAB_DIR/natpmp.sock"

lab_step "a router that drops PCP: NAT-PMP after 1 s of silence"
lab_router_drop_pcp
rc=0
lab_natdoctor "$LAB_DIR/once.out" map $PORT/tcp --once --lifetime 60 || rc=$?
assert_eq 0 "$rc" "map --once exit status"
assert_match "by NAT-PMP" "$(cat "$LAB_DIR/once.out")" "--once without PCP"
wait_until 1000 reach || fail "--once: not reachable from outside"
lab_router nft delete table inet nopcp

lab_step "--delete removes what --once left"
rc=0
lab_natdoctor "$LAB_DIR/delete.out" map $PORT/tcp --delete --no-pcp || rc=$?
assert_eq 0 "$rc" "map --delete exit status"
wait_until 1000 no_mappings || fail "--delete: $(mappings) rules left"
reach && fail "--delete: still reachable"

lab_step "--delete removes what --once made by PCP (the same derived nonce)"
rc=0
lab_natdoctor "$LAB_DIR/once-pcp.out" map $PORT/tcp --once --lifetime 60 || rc=$?
assert_match "by PCP" "$(cat "$LAB_DIR/once-pcp.out")" "--once by PCP"
rc=0
lab_natdoctor "$LAB_DIR/delete2.out" map $PORT/tcp --delete || rc=$?
assert_eq 0 "$rc" "map --delete exit status"
wait_until 1000 no_mappings || fail "--delete of --once's PCP mapping: $(mappings) rules left"

lab_step "--delete of a mapping it did not make: refused, exit 1"
lab_daemon other "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --lifetime 60 --status-socket "$LAB_DIR/other.sock"
wait_until 3000 log_has other "^mapped $PORT/tcp" || fail "other: not mapped"
rc=0
lab_natdoctor "$LAB_DIR/delete3.out" map $PORT/tcp --delete || rc=$?
assert_eq 1 "$rc" "map --delete of the daemon's PCP mapping"
grep -q "refused the delete: NOT_AUTHORIZED" "$LAB_DIR/delete3.out.stderr" || fail "no clear line for the refused delete"
lab_daemon_stop other
wait_until 1000 no_mappings || fail "other: mapping left after SIGTERM"

lab_step "the router silently drops the mapping: the next renewal (10-12.5 s into a 20 s lease) restores it"
lab_daemon short "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --lifetime 20 --status-socket "$LAB_DIR/short.sock"
wait_until 3000 log_has short "^mapped $PORT/tcp" || fail "short: not mapped"
wait_until 1000 reach || fail "short: not reachable"
t0=$(lab_ms)
lab_router_forget
reach && fail "still reachable after the router dropped the mapping"
wait_until 14000 reach || fail "not restored within 14 s of the drop"
_lab_say "ok: restored $(($(lab_ms) - t0)) ms after the router dropped it (renewal at 10-12.5 s)"
lab_daemon_stop short
wait_until 1000 no_mappings || fail "short: mapping left after SIGTERM"

lab_step "the router is gone: bounded retries, a clear status; it comes back: mapped within 2 s"
lab_daemon_stop miniupnpd
lab_router_forget
lab_daemon gone "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --status-socket "$LAB_DIR/gone.sock"
wait_until 2000 test -S "$LAB_DIR/gone.sock" || fail "gone: no status socket"
gpid=$(pgrep -n -f -- "--status-socket $LAB_DIR/gone.sock") || fail "gone: not running"
sw() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$gpid/status"; }
s0=$(sw)
sleep 3
s1=$(sw)
((s1 - s0 < 100)) || fail "gone: $((s1 - s0)) wake-ups in 3 s with no router (a busy loop?)"
_lab_say "ok: $((s1 - s0)) wake-ups in 3 s while the router is gone"
rc=0
lab_natdoctor "$LAB_DIR/gone.status" status --socket "$LAB_DIR/gone.sock" || rc=$?
assert_eq 0 "$rc" "status while the router is gone"
assert_match "^$PORT/tcp (asking|waiting)" "$(cat "$LAB_DIR/gone.status")" "status while the router is gone"
log_has gone "^mapped" && fail "gone: 'mapped' with no router"
_lab_miniupnpd_start
_lab_miniupnpd_wait
t0=$(lab_ms)
wait_until 2000 reach || fail "gone: not reachable within 2 s of the router's return"
_lab_say "ok: mapped again $(($(lab_ms) - t0)) ms after the router came back"
# Its 5351 and 1900 were closed meanwhile: UPnP was looked for, found
# nothing, and must not be what maps once PCP and NAT-PMP answer again.
wait_until 1000 log_has gone "^mapped $PORT/tcp: .* by \\(PCP\\|NAT-PMP\\)" || fail "gone: not mapped by PCP or NAT-PMP on the router's return"
log_has gone "by UPnP" && fail "gone: mapped by UPnP although PCP answers"
lab_daemon_stop gone
wait_until 1000 no_mappings || fail "gone: mapping left after SIGTERM"

lab_step "the host's LAN address changes: mapped again for the new address"
NEW_IP=192.168.1.11
lab_daemon moved "$NS_HOST" "$NATDOCTOR" map $PORT/tcp --lifetime 60 --any-external-port \
	--status-socket "$LAB_DIR/moved.sock"
wait_until 3000 log_has moved "^mapped $PORT/tcp" || fail "moved: not mapped"
# The new address is promoted when the old one goes, as a DHCP renumbering
# leaves the host: one address, the same default route.
lab_host sysctl -qw "net.ipv4.conf.$HOST_IF.promote_secondaries=1"
lab_host ip addr add "$NEW_IP/24" dev "$HOST_IF"
lab_host ip addr del "$HOST_IP/24" dev "$HOST_IF"
lab_host ip route replace default via "$HOST_GW"
wait_until 3000 log_has moved "the network changed (gateway $HOST_GW -> $HOST_GW, this host $HOST_IP -> $NEW_IP)" ||
	fail "moved: the address change was not noticed"
wait_until 3000 log_has moved "^mapped $PORT/tcp: .* -> $NEW_IP:$PORT" || fail "moved: not mapped for $NEW_IP"
newport=$(sed -n "s|^mapped $PORT/tcp: $PUBLIC_IP:\([0-9]*\) -> $NEW_IP:$PORT.*|\1|p" "$LAB_DIR/moved.log" | tail -1)
[[ "$(lab_srv timeout 2 socat -T1 -u "TCP:$PUBLIC_IP:$newport,connect-timeout=1" - 2>/dev/null)" == node ]] ||
	fail "moved: $PUBLIC_IP:$newport does not reach the node at $NEW_IP"
_lab_say "ok: mapped again for $NEW_IP (external port $newport; the old address's mapping ends with its lease)"
lab_daemon_stop moved
lab_host ip addr add "$HOST_IP/24" dev "$HOST_IF"
lab_host ip addr del "$NEW_IP/24" dev "$HOST_IF"
lab_host ip route replace default via "$HOST_GW"

lab_step "bad input: one line, exit 2"
rc=0
lab_natdoctor "$LAB_DIR/bad.out" map 30333/sctp || rc=$?
assert_eq 2 "$rc" "bad port spec"
assert_eq 1 "$(wc -l <"$LAB_DIR/bad.out.stderr")" "lines on stderr"

lab_down
lab_up cgnat
lab_step "cgnat: the router's WAN is 100.64/10: mapping cannot help, exit 5"
rc=0
lab_natdoctor "$LAB_DIR/cgnat.out" map $PORT/tcp --once || rc=$?
assert_eq 5 "$rc" "exit status behind a provider NAT"
assert_match "cannot let strangers in" "$(cat "$LAB_DIR/cgnat.out")" "what map says"
assert_eq 0 "$(mappings)" "mapping rules left"
lab_down

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map on the home router (miniupnpd answers PCP, NAT-PMP and UPnP):
# --no-pcp --no-natpmp maps by UPnP IGD alone (the router's PCP, which
# would win otherwise, is never asked), and --delete with the same flags
# removes it; 30333's line for Phala's docker environment
# (PARACHAIN_EXTRA_ARGS). Then --server, against natdoctor serve in the
# servers' namespace: no --server, no packet beyond the router; a mapping
# confirmed from outside; refused (no listener) and filtered (the host's
# firewall drops the server's SYN) reported as not reachable, exit 1; a
# closed server port, a plain STUN server (coturn) and a silent server
# (after a mapping made late, by NAT-PMP: --once waits for the verdict)
# leave it unknown, exit 0, and hand the ask to the next --server; UDP: the server's datagram arrives through the
# mapping (confirmed), dropped by the host's firewall (not reachable, exit
# 1), a node holding the port (unknown); the daemon puts the confirmation
# in natdoctor status and in --metrics (natdoctor_mapping_confirmed); a
# daemon started while the server is silent says unknown, and asks again
# at the next renewal once it answers (confirmed: stdout, status, metrics).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lab/serve_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve_common.sh"

PORT=30333

mappings() { lab_router_rules "dport $PORT"; }
reach() { lab_reach $PORT; }

lab_up home
lab_daemon node "$NS_HOST" socat TCP-LISTEN:$PORT,reuseaddr,fork SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT

lab_step "--no-pcp --no-natpmp: UPnP IGD only, although PCP answers"
lab_natdoctor "$LAB_DIR/uonly.out" map $PORT/tcp --once --lifetime 120 --no-pcp --no-natpmp
assert_match "^mapped $PORT/tcp: $PUBLIC_IP:$PORT -> $HOST_IP:$PORT by UPnP" \
	"$(cat "$LAB_DIR/uonly.out")" "the method with PCP and NAT-PMP off"
reach || fail "UPnP only: mapped, but $PUBLIC_IP:$PORT does not reach the node"
assert_match "  Phala docker, node environment: PARACHAIN_EXTRA_ARGS=--listen-addr /ip4/0.0.0.0/tcp/$PORT --public-addr /ip4/$PUBLIC_IP/tcp/$PORT" \
	"$(cat "$LAB_DIR/uonly.out")" "the Phala docker line for the parachain's port"
lab_natdoctor "$LAB_DIR/udel.out" map $PORT/tcp --delete --no-pcp --no-natpmp
assert_match "closed $PORT/tcp" "$(cat "$LAB_DIR/udel.out.stderr")" "--delete by UPnP only"
assert_eq 0 "$(mappings)" "rules after --delete by UPnP only"

SERVER=$COTURN_A:4478
serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
log_has() { grep -q -e "$2" "$LAB_DIR/$1.log"; }
# Packets from the host that the router forwards toward the internet.
lab_router nft -f - <<-EOF
	table inet nd_out {
		chain out {
			type filter hook forward priority -10; policy accept;
			ip saddr $HOST_IP ip daddr != 192.168.0.0/16 counter
		}
	}
EOF
# not_reachable NAME PROTO WHY: map --once --server says PORT/PROTO is not
# reachable from outside, for WHY (a regex), and exits 1.
not_reachable()
{
	local rc=0
	lab_natdoctor "$LAB_DIR/$1.out" map "$PORT/$2" --once --lifetime 120 --server "$SERVER" || rc=$?
	assert_eq 1 "$rc" "$1: exit status"
	assert_match "  not reachable from outside: $SERVER could not reach $PUBLIC_IP:$PORT: $3" \
		"$(cat "$LAB_DIR/$1.out")" "$1"
}
# host_drop PROTO: this host's firewall drops PROTO to PORT from the servers.
host_drop()
{
	lab_host nft add table inet nd_fw
	lab_host nft "add chain inet nd_fw input { type filter hook input priority 0; policy accept; }"
	lab_host nft add rule inet nd_fw input ip saddr 11.0.0.0/16 "$1" dport $PORT drop
}
forwarded() { lab_router nft list chain inet nd_out out | awk '/counter/ { print $(NF - 2) }'; }

lab_step "no --server: nothing leaves for the internet"
lab_natdoctor "$LAB_DIR/plain.out" map $PORT/tcp --once --lifetime 120
assert_match "^mapped $PORT/tcp" "$(cat "$LAB_DIR/plain.out")" "mapped without --server"
assert_eq 0 "$(forwarded)" "packets forwarded toward the internet without --server"
! grep -q "from outside" "$LAB_DIR/plain.out" || fail "a confirmation line without --server"

lab_step "--server: the mapping confirmed from outside"
lab_natdoctor "$LAB_DIR/yes.out" map $PORT/tcp --once --lifetime 120 --server "$SERVER"
assert_match "  confirmed from outside: $SERVER reached $PUBLIC_IP:$PORT \(a listener answered; [0-9]+ ms\)" \
	"$(cat "$LAB_DIR/yes.out")" "the confirmation"
_lab_say "mapping to confirmed: $(grep -o '[0-9]* ms)' "$LAB_DIR/yes.out")"

lab_step "--server: no listener behind the mapping: not reachable (refused), exit 1"
lab_daemon_stop node
not_reachable refused tcp "refused"

lab_step "--server: the host's firewall drops the server's SYN: not reachable (filtered)"
lab_daemon node "$NS_HOST" socat TCP-LISTEN:$PORT,reuseaddr,fork SYSTEM:'echo node'
lab_wait_port "$NS_HOST" tcp $PORT
host_drop tcp
not_reachable filtered tcp "no answer within the server's dial timeout"
lab_host nft delete table inet nd_fw

lab_step "--server that does not answer, or is not a natdoctor serve: unknown, exit 0"
lab_natdoctor "$LAB_DIR/closed.out" map $PORT/tcp --once --lifetime 120 --server "$COTURN_A:4999"
assert_match "  reachable from outside: unknown for $PUBLIC_IP:$PORT: the server's port is closed" \
	"$(cat "$LAB_DIR/closed.out")" "a closed server port"
lab_natdoctor "$LAB_DIR/coturn.out" map $PORT/tcp --once --lifetime 120 --server "$COTURN_A"
assert_match "  reachable from outside: unknown for $PUBLIC_IP:$PORT: the server answers STUN but not the dial-back" \
	"$(cat "$LAB_DIR/coturn.out")" "a plain STUN server"
! grep -q "not reachable" "$LAB_DIR/closed.out" "$LAB_DIR/coturn.out" ||
	fail "'not reachable' from a server that could not tell"

lab_step "--server twice: a first that cannot tell (coturn, then a closed port) hands the ask to the natdoctor serve"
lab_natdoctor "$LAB_DIR/next.out" map $PORT/tcp --once --lifetime 120 --server "$COTURN_A" \
	--server "$COTURN_A:4999" --server "$SERVER"
assert_match "  confirmed from outside: $SERVER reached $PUBLIC_IP:$PORT \(a listener answered; [0-9]+ ms\)" \
	"$(cat "$LAB_DIR/next.out")" "the confirmation by the third server"
! grep -q "unknown" "$LAB_DIR/next.out" || fail "an unknown line although a later server confirmed"
lab_natdoctor "$LAB_DIR/del.out" map $PORT/tcp --delete

lab_step "--server, UDP: the server's datagram arrives through the mapping; dropped: not reachable; the node holds the port: unknown"
lab_natdoctor "$LAB_DIR/udp.out" map $PORT/udp --once --lifetime 120 --server "$SERVER"
assert_match "  confirmed from outside: $SERVER reached $PUBLIC_IP:$PORT \(its datagram arrived; [0-9]+ ms\)" \
	"$(cat "$LAB_DIR/udp.out")" "UDP confirmed"
host_drop udp
not_reachable udpdrop udp "the server sent its datagram and it did not arrive"
lab_host nft delete table inet nd_fw
lab_daemon udpnode "$NS_HOST" socat -u UDP-RECV:$PORT /dev/null
lab_wait_port "$NS_HOST" udp $PORT
lab_natdoctor "$LAB_DIR/udpheld.out" map $PORT/udp --once --lifetime 120 --server "$SERVER"
assert_match "  reachable from outside: unknown for $PUBLIC_IP:$PORT: the node holds the UDP port" \
	"$(cat "$LAB_DIR/udpheld.out")" "UDP held by the node"
lab_daemon_stop udpnode
lab_natdoctor "$LAB_DIR/udpdel.out" map $PORT/udp --delete

lab_step "a silent server, and a mapping made late (PCP dropped, NAT-PMP after 1 s): unknown, exit 0"
lab_router_drop_pcp
lab_srv nft add table inet nd_silent
lab_srv nft "add chain inet nd_silent input { type filter hook input priority -10; policy accept; }"
lab_srv nft add rule inet nd_silent input udp dport 4478 drop
t0=$(lab_ms)
lab_natdoctor "$LAB_DIR/silent.out" map $PORT/tcp --once --lifetime 120 --no-upnp --server "$SERVER"
_lab_say "--once with a silent server: $(($(lab_ms) - t0)) ms"
assert_match "by NAT-PMP" "$(cat "$LAB_DIR/silent.out")" "the late mapping's method"
assert_match "  reachable from outside: unknown for $PUBLIC_IP:$PORT: no answer from the server within 4000 ms" \
	"$(cat "$LAB_DIR/silent.out")" "a silent server"
lab_srv nft delete table inet nd_silent
lab_router nft delete table inet nopcp
lab_natdoctor "$LAB_DIR/del2.out" map $PORT/tcp --delete --no-pcp

lab_step "the daemon with --server, started while the server is silent: unknown, asked again at a renewal: status and metrics say confirmed"
lab_srv nft add table inet nd_silent
lab_srv nft "add chain inet nd_silent input { type filter hook input priority -10; policy accept; }"
lab_srv nft add rule inet nd_silent input udp dport 4478 drop
lab_daemon conf "$NS_HOST" env --default-signal=INT,TERM bash -c 'exec "$0" map "$@"' \
	"$NATDOCTOR" $PORT/tcp --lifetime 20 --server "$SERVER" --metrics 127.0.0.1:9842 \
	--status-socket "$LAB_DIR/conf.sock"
lab_wait_until 6000 log_has conf "reachable from outside: unknown" || fail "daemon: no unknown within 6 s"
lab_natdoctor "$LAB_DIR/status0.out" status --socket "$LAB_DIR/conf.sock"
assert_match "from outside: unknown \(no answer from the server" \
	"$(cat "$LAB_DIR/status0.out")" "natdoctor status while the server is silent"
lab_srv nft delete table inet nd_silent
# PCP renews a 20 s lease after 10 to 12.5 s: the retry rides on it.
t0=$(lab_ms)
lab_wait_until 12000 log_has conf "confirmed from outside" ||
	fail "daemon: the unknown confirmation was not asked again at the renewal"
_lab_say "confirmed $(($(lab_ms) - t0)) ms after the server came back"
lab_natdoctor "$LAB_DIR/status.out" status --socket "$LAB_DIR/conf.sock"
assert_match "^$PORT/tcp mapped by PCP .*; from outside: confirmed by $SERVER" \
	"$(cat "$LAB_DIR/status.out")" "natdoctor status"
metrics=$(lab_host curl -sf http://127.0.0.1:9842/metrics) || fail "no metrics"
assert_match 'natdoctor_mapping_confirmed\{port="30333",proto="tcp",method="PCP"\} 1' \
	"$metrics" "natdoctor_mapping_confirmed"
lab_daemon_stop conf
lab_down

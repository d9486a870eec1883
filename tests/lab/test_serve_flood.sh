#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A spoofed-source flood against natdoctor serve (docs/SERVE-PROTOCOL.md
# "Limits that keep the server from becoming a weapon"). From the public
# host, serve_client.py's raw socket sends UDP with forged sources (a /25
# nobody uses, and a victim address we watch): plain Binding requests,
# dial-back requests without a cookie, with a random cookie, and with a
# real cookie that was issued to another address. Then:
#   - no dial-back packet (SYN or datagram) ever reaches the victim: its
#     namespace counts them with nftables (the STUN answers that do reach
#     it are counted too, and are never bigger than request + 64 bytes);
#   - serve dialled nothing and its peak RSS (VmHWM) stayed flat (the
#     absolute target, under 16 MiB, is bench/serve.sh's: ASan builds run
#     this test too);
#   - a real client asking during the flood still gets its dial-back, and
#     the per-source rate limit still applies to it.
# About 10 s.

# shellcheck source=tests/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/lab/serve_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve_common.sh"

VICTIM=11.0.1.77
DIAL_PORT=30333

lab_up public
serve_up serve 4478 4479 9477 "$COTURN_A" "$COTURN_B"
# The victim: an address of the host's link that the flood forges. Counting
# happens where its packets arrive, before anything could answer them.
lab_exec "$NS_HOST" ip addr add "$VICTIM/24" dev eth0
lab_exec "$NS_HOST" nft -f - <<-EOF
	table inet nd_victim {
		counter dial_tcp { }
		counter dial_udp { }
		counter stun_answers { }
		chain input {
			type filter hook input priority -10; policy accept;
			ip daddr $VICTIM tcp dport $DIAL_PORT counter name dial_tcp
			ip daddr $VICTIM udp dport $DIAL_PORT counter name dial_udp
			ip daddr $VICTIM udp sport { 4478, 4479 } counter name stun_answers
		}
	}
EOF

counter() { lab_exec "$NS_HOST" nft list counter inet nd_victim "$1" | awk '/packets/ { print $2 }'; }
counter_bytes() { lab_exec "$NS_HOST" nft list counter inet nd_victim "$1" | awk '/packets/ { print $4 }'; }

lab_step "warm-up: a real dial-back, and a real cookie issued to the host's own address"
out=$(serve_client dialback "$COTURN_A" --port 4478 --proto tcp --dial-port 30336)
echo "$out"
assert_eq refused "$(field result "$out")" "warm-up dial-back"
out=$(serve_client dialback "$COTURN_A" --port 4478 --proto tcp --dial-port "$DIAL_PORT" --no-cookie)
cookie=$(field cookie "$out")
[[ ${#cookie} == 32 ]] || fail "no cookie in '$out'"
hwm_before=$(serve_hwm_kb serve)

lab_step "the flood: forged sources, forged and stolen cookies"
lab_host python3 "$SERVE_CLIENT" flood "$COTURN_A" --port 4478 --spoof-net 11.0.1.128/25 \
	--victim "$VICTIM" --dial-port "$DIAL_PORT" --stolen-cookie "$cookie" --count 150000 \
	--seconds 4 >"$LAB_DIR/flood.out" &
flood=$!
sleep 1
out=$(serve_client dialback "$COTURN_A" --port 4478 --proto tcp --dial-port 30336)
echo "a real client during the flood: $out"
wait "$flood" || fail "the flood sender failed"
cat "$LAB_DIR/flood.out"
sent=$(field sent "$(cat "$LAB_DIR/flood.out")")
assert_eq refused "$(field result "$out")" "a real client's dial-back during the flood"
sleep 0.5

lab_step "nothing was dialled for a forged source"
assert_eq 0 "$(counter dial_tcp)" "SYNs to the victim's port $DIAL_PORT"
assert_eq 0 "$(counter dial_udp)" "datagrams to the victim's port $DIAL_PORT"
assert_eq 2 "$(serve_metric serve 9477 'natdoctor_serve_dialbacks_total{result="refused"}')" \
	"dial-backs made (the two real ones)"
assert_eq 0 "$(serve_metric serve 9477 'natdoctor_serve_dialbacks_total{result="sent"}')" \
	"UDP dial-backs made"
requests=$(serve_metric serve 9477 'natdoctor_serve_requests_total{transport="udp"}')
cookies=$(serve_metric serve 9477 natdoctor_serve_cookies_total)
echo "flood: $sent sent, serve counted $requests UDP requests, issued $cookies cookies"
((requests >= sent / 2)) || fail "serve saw only $requests of $sent requests: the flood did not land"

lab_step "answers that reached the victim are no amplification"
answers=$(counter stun_answers) bytes=$(counter_bytes stun_answers)
echo "the victim got $answers STUN answers, $bytes bytes"
((answers > 0)) || fail "no answer reached the victim: the counting is broken"
# Each forged request is at most 72 bytes of STUN (+28 of IP/UDP); its
# answer at most 64 more.
((bytes <= answers * (72 + 64 + 28))) || fail "answers average more than request + 64"

lab_step "memory stayed flat"
hwm_after=$(serve_hwm_kb serve)
echo "VmHWM: $hwm_before KiB before, $hwm_after KiB after $sent forged requests"
((hwm_after - hwm_before <= 512)) || fail "VmHWM grew by $((hwm_after - hwm_before)) KiB"

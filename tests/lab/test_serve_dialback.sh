#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# natdoctor serve's dial-back (docs/SERVE-PROTOCOL.md) against real
# listeners on a public host, asked by serve_client.py (written from the
# document, no natdoctor code): libp2p (multistream-select), probe (echoes
# the nonce line), other (a socat that says nothing), refused (no
# listener), filtered (the host's nftables drops the SYN), UDP sent and
# arrived; asked over UDP (cookie round trip) and over TCP. A forged cookie
# gets a fresh cookie and no dial-back; the per-source rate limit holds,
# and --dialback-limit changes it;
# one log line per dial-back. About 10 s.

# shellcheck source=tests/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/lab/serve_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve_common.sh"

lab_up public
serve_up serve 4478 4479 9477 "$COTURN_A" "$COTURN_B"

lab_step "the node ports on the public host"
lab_daemon libp2p "$NS_HOST" python3 "$SERVE_CLIENT" listen libp2p --port 30333
lab_daemon probe "$NS_HOST" python3 "$SERVE_CLIENT" listen probe --port 30334
lab_daemon other "$NS_HOST" socat -u TCP-LISTEN:30335,reuseaddr,fork /dev/null
lab_exec "$NS_HOST" nft -f - <<-EOF
	table inet nd_serve_test {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 30337 drop
		}
	}
EOF
for p in 30333 30334 30335; do lab_wait_port "$NS_HOST" tcp "$p"; done

# dialback EXPECT ARGS...: ask, and check the result.
dialback()
{
	local want=$1 out
	shift
	out=$(serve_client dialback "$COTURN_A" --port 4478 "$@")
	echo "$* -> $out"
	assert_eq "$want" "$(field result "$out")" "dial-back $*"
	LAST=$out
}

lab_step "TCP dial-backs asked over UDP (cookie round trip)"
dialback libp2p --proto tcp --dial-port 30333
dialback probe --proto tcp --dial-port 30334
dialback other --proto tcp --dial-port 30335
dialback refused --proto tcp --dial-port 30336
dialback filtered --proto tcp --dial-port 30337
ms=$(field server_ms "$LAST")
((ms >= 900 && ms <= 1500)) || fail "filtered after $ms ms, want the 1 s dial timeout"

lab_step "the same asked over TCP (no cookie: the handshake proved the address)"
dialback libp2p --proto tcp --dial-port 30333 --via tcp
dialback probe --proto tcp --dial-port 30334 --via tcp
dialback refused --proto tcp --dial-port 30336 --via tcp

lab_step "UDP dial-back: one 28-byte datagram with the nonce, to the port we bound"
dialback sent --proto udp --dial-port 30340 --catch
assert_eq yes "$(field arrived "$LAST")" "the datagram arrived"

lab_step "no valid cookie, no dial-back: a forged MAC gets a fresh cookie"
before=$(serve_metric serve 9477 'natdoctor_serve_dialbacks_total{result="refused"}')
dialback cookie --proto tcp --dial-port 30336 --forge-cookie
dialback cookie --proto tcp --dial-port 30336 --no-cookie
assert_eq "$before" "$(serve_metric serve 9477 'natdoctor_serve_dialbacks_total{result="refused"}')" \
	"refused dial-backs after forged cookies"

lab_step "one log line per dial-back"
done_n=$(grep -c "natdoctor serve: dialback " "$LAB_DIR/serve.log" || true)
assert_eq 9 "$done_n" "dial-back log lines"
grep "natdoctor serve: dialback " "$LAB_DIR/serve.log" | head -3

lab_step "rate limit: 16 at once per source, then one a second"
out=$(serve_client dialback "$COTURN_A" --port 4478 --proto tcp --dial-port 30336 --via tcp \
	--repeat 30)
echo "30 dial-backs as fast as one client can: $out"
limited=$(field rate-limited "$out")
((limited >= 14)) || fail "only ${limited:-0} of 30 rate-limited: the limit does not hold"
((limited <= 27)) || fail "$limited of 30 rate-limited: the burst is smaller than 16"
assert_eq "$limited" "$(serve_metric serve 9477 natdoctor_serve_rate_limited_total)" \
	"natdoctor_serve_rate_limited_total"

lab_step "--dialback-limit 3/60: 3 at once per source, then one a minute"
SERVE_FLAGS="--dialback-limit 3/60" serve_up serve2 4488 4489 9478 "$COTURN_A" "$COTURN_B"
out=$(serve_client dialback "$COTURN_A" --port 4488 --proto tcp --dial-port 30336 --via tcp \
	--repeat 10)
echo "10 dial-backs with --dialback-limit 3/60: $out"
# No token comes back within the test (60 s each): exactly 3 dialled.
assert_eq 7 "$(field rate-limited "$out")" "rate-limited of 10 with --dialback-limit 3/60"
assert_eq 3 "$(field refused "$out")" "dialled of 10 with --dialback-limit 3/60"
assert_eq 7 "$(serve_metric serve2 9478 natdoctor_serve_rate_limited_total)" \
	"natdoctor_serve_rate_limited_total with --dialback-limit 3/60"

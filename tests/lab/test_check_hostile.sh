#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check against liars: the router's UDP 5351 and both "STUN servers" are the
# hostile responder (tests/lab/hostile.c), which answers every request with
# truncated, oversized, malformed and lying packets. check must not crash,
# must not hang past its deadline, and must believe none of it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up hostile

# What a liar may claim but check must never report as a fact.
lies='^(0\.0\.0\.0|127\.|224\.|169\.254\.)'

for mode in burst lie mixed silent; do
	lab_step "hostile mode: $mode"
	lab_hostile_mode "$mode"
	rc=0
	lab_natdoctor "$LAB_DIR/$mode.json" check --json --timeout 1500 \
		--stun "$HOSTILE_A" --stun "$HOSTILE_B" || rc=$?
	# 0 or 1: a verdict. A crash (signal: >128) or internal error (4) fails.
	[[ "$rc" == 0 || "$rc" == 1 ]] || fail "mode $mode: exit status $rc"
	f="$LAB_DIR/$mode.json"
	jq -e . "$f" >/dev/null || fail "mode $mode: not valid JSON"
	for p in pcp natpmp upnp; do
		ext=$(jq -r ".gateway.$p.external_ipv4 // \"\"" "$f")
		[[ ! "$ext" =~ $lies ]] || fail "mode $mode: believed $p external address $ext"
	done
	pub=$(jq -r '.public.ipv4 // ""' "$f")
	[[ ! "$pub" =~ $lies ]] || fail "mode $mode: believed public address $pub"
	[[ "$pub" != "$HOST_IP" ]] || fail "mode $mode: believed the host's own address as public"
	if [[ "$mode" == mixed ]]; then
		# After its lies, each responder tells the truth once: that
		# answer, and only that, is believed.
		assert_json "$f" .public.ipv4 "$PUBLIC_IP"
	else
		# Nothing else the liars send is a public address of this lab,
		# so no public address may come out.
		assert_json "$f" .public.ipv4 null
		assert_json "$f" '[.stun.ipv4.servers[] | select(.answered)] | length' 0
	fi
	if [[ "$mode" != silent ]]; then
		# The lies were seen and counted, not ignored silently.
		assert_json "$f" '([.stun.ipv4.servers[].bad_packets] | add) > 0' true
		assert_json "$f" '(.gateway.pcp.bad_packets + .gateway.natpmp.bad_packets) > 0' true
		assert_finding "$f" stun-bad-answers warning
	fi
	if [[ "$mode" == burst ]]; then
		# Issue 8 item 4: counted by reason, and the evidence says why.
		assert_json "$f" '.gateway.pcp.rejected.nonce >= 1' true
		assert_json "$f" '.gateway.pcp.rejected.version >= 1' true
		assert_json "$f" '.gateway.pcp.rejected.length >= 1' true
		assert_json "$f" '[.findings[] | select(.id == "gateway-bad-answers") | .evidence]
			| first | test("answers? with the wrong nonce")' true
	fi
	# Every text that reached the report is printable ASCII.
	if LC_ALL=C grep -q '[^[:print:][:space:]]' "$f"; then
		fail "mode $mode: non-printable bytes in the JSON"
	fi
	lab_natdoctor "$LAB_DIR/$mode.txt" check --timeout 1000 --stun "$HOSTILE_A" || true
	if LC_ALL=C grep -q $'\e' "$LAB_DIR/$mode.txt"; then
		fail "mode $mode: escape sequences in the text report (stdout is not a terminal)"
	fi
done

lab_step "a STUN server that offers OTHER-ADDRESS but ignores CHANGE-REQUEST"
# It answers RFC 5780 tests II and III from the address they were sent to,
# which the NAT lets through (that is where the socket talked to): taken at
# its word, the NAT would look endpoint-independent (open to strangers).
lab_hostile_mode nochange
rc=0
lab_natdoctor "$LAB_DIR/nochange.json" check --json --timeout 1500 --no-upnp \
	--stun "$HOSTILE_A" || rc=$?
[[ "$rc" == 0 || "$rc" == 1 ]] || fail "nochange: exit status $rc"
f="$LAB_DIR/nochange.json"
assert_json "$f" .public.ipv4 "$PUBLIC_IP"
assert_json "$f" '.stun.ipv4.servers[0].other_address' "$HOSTILE_B:$STUN_ALT_PORT"
assert_json "$f" .nat.filtering null
assert_match "$HOSTILE_A:$STUN_PORT, not $HOSTILE_B:$STUN_ALT_PORT" \
	"$(jq -r '.stun.ipv4.servers[0].rfc5780_problem' "$f")" "the server's RFC 5780 problem"
assert_finding "$f" stun-rfc5780-unsupported warning
assert_json "$f" '[.findings[] | select(.id == "behind-nat") | .severity] | first' warning

lab_step "a gateway that never answers PCP MAP still gets the delete"
lab_hostile_mode nomap
seen=$(wc -l <"$LAB_DIR/hostile-gw.log") # the log is appended across modes
rc=0
lab_natdoctor "$LAB_DIR/nomap.json" check --json --timeout 800 --no-upnp \
	--stun "$HOSTILE_A" || rc=$?
[[ "$rc" == 0 || "$rc" == 1 ]] || fail "nomap: exit status $rc"
assert_json "$LAB_DIR/nomap.json" .gateway.natpmp.available true
gwlog=$(tail -n +"$((seen + 1))" "$LAB_DIR/hostile-gw.log")
nonce=$(sed -n 's/.*pcp MAP lifetime [1-9][0-9]* nonce \([0-9a-f]*\).*/\1/p' <<<"$gwlog" | sort -u)
[[ "$nonce" =~ ^[0-9a-f]{24}$ ]] || fail "nomap: expected one MAP nonce, got '$nonce'"
assert_match "pcp MAP lifetime 0 nonce $nonce" "$gwlog" "the delete with the MAP's nonce"

lab_step "a lying UPnP device: LOCATION pointing elsewhere, names, garbage"
lab_hostile_mode silent
# A web server at the third party, to see whether anyone comes.
lab_daemon thirdparty "$NS_SRV" socat -u TCP-LISTEN:80,bind="$PEER_IP",fork,reuseaddr \
	OPEN:"$LAB_DIR/thirdparty.log",creat,append
lab_wait_port "$NS_SRV" tcp 80
lab_daemon ssdpliar "$NS_ROUTER" python3 "$(dirname "$0")/ssdp_liar.py" \
	--lan-ip "$HOST_GW" --third-party "$PEER_IP" --max-seconds 120
lab_wait_port "$NS_ROUTER" udp 1900
rc=0
lab_natdoctor "$LAB_DIR/ssdp.json" check --json --timeout 1500 --stun "$HOSTILE_A" || rc=$?
[[ "$rc" == 0 || "$rc" == 1 ]] || fail "ssdp liar: exit status $rc"
assert_match answered "$(cat "$LAB_DIR/ssdpliar.log")" "the liar was asked"
if [[ -s "$LAB_DIR/thirdparty.log" ]] || lab_srv ss -tn state established "( sport = :80 )" | grep -q "$PEER_IP"; then
	fail "natdoctor connected to the third party named in a lying LOCATION"
fi
assert_json "$LAB_DIR/ssdp.json" .gateway.upnp.available false
assert_json "$LAB_DIR/ssdp.json" '.gateway.upnp.bad_answers > 0' true

# liar_desc MODE: restart the lying UPnP device so that it also answers as
# an IGD on the gateway whose description lies in MODE (ssdp_liar.py).
liar_desc()
{
	lab_daemon_stop ssdpliar
	lab_daemon ssdpliar "$NS_ROUTER" python3 "$(dirname "$0")/ssdp_liar.py" \
		--lan-ip "$HOST_GW" --third-party "$PEER_IP" --max-seconds 120 \
		--desc "$1" --http-port 5000 --foreign 127.0.0.1:18080
	lab_wait_port "$NS_ROUTER" udp 1900
	lab_wait_port "$NS_ROUTER" tcp 5000
}

lab_step "UPnP URLs from the network go nowhere but the gateway"
# A listener on the host's own loopback: where a lying description points.
lab_daemon loopback "$NS_HOST" socat -d -d -u TCP-LISTEN:18080,bind=127.0.0.1,fork,reuseaddr \
	OPEN:/dev/null
lab_wait_port "$NS_HOST" tcp 18080
for mode in foreign urlbase redirect; do
	liar_desc "$mode"
	rc=0
	lab_natdoctor "$LAB_DIR/desc-$mode.json" check --json --timeout 1500 \
		--stun "$HOSTILE_A" || rc=$?
	[[ "$rc" == 0 || "$rc" == 1 ]] || fail "desc $mode: exit status $rc"
	assert_match "http GET /rootDesc.xml" "$(cat "$LAB_DIR/ssdpliar.log")" \
		"desc $mode: the description was asked for"
	if grep -q "accepting connection" "$LAB_DIR/loopback.log"; then
		fail "desc $mode: natdoctor connected to the host's loopback, where the description pointed"
	fi
	_lab_say "ok: desc $mode: nothing came to 127.0.0.1:18080"
	assert_json "$LAB_DIR/desc-$mode.json" .gateway.upnp.available false
	assert_json "$LAB_DIR/desc-$mode.json" .gateway.upnp.external_ipv4 null
done
assert_match "not on the gateway" "$(jq -r .gateway.upnp.error "$LAB_DIR/desc-foreign.json")" \
	"foreign control URL named"
assert_match "not on the gateway" "$(jq -r .gateway.upnp.error "$LAB_DIR/desc-urlbase.json")" \
	"foreign URLBase named"
assert_match "302 .redirects are not followed" \
	"$(jq -r .gateway.upnp.error "$LAB_DIR/desc-redirect.json")" "redirect named"

lab_step "UPnP downloads have a byte cap and a time cap"
# Endless description, endless SOAP answers, a server that never answers:
# check ends within its deadline plus 100 ms, and its peak RSS is what it
# is without UPnP plus little (before the caps: +330 MB in one second). The
# issue's 8 MiB is asserted too, with --no-node (the node view loads
# libcurl, ~5 MiB) and not under a sanitizer (ASan alone is 17 MiB).
timeout_ms=1000
# cap_run NAME ARGS...: check under /usr/bin/time; sets rss (KiB) and ms.
cap_run()
{
	local name=$1 t0 t1 rc=0
	shift
	t0=$(lab_ms)
	lab_host /usr/bin/time -f '%M' -o "$LAB_DIR/cap-$name.rss" "$NATDOCTOR" check --json \
		--no-node --timeout "$timeout_ms" --stun "$HOSTILE_A" "$@" \
		>"$LAB_DIR/cap-$name.json" 2>"$LAB_DIR/cap-$name.stderr" || rc=$?
	t1=$(lab_ms)
	[[ "$rc" == 0 || "$rc" == 1 ]] || fail "cap $name: exit status $rc"
	rss=$(tail -n 1 "$LAB_DIR/cap-$name.rss")
	ms=$((t1 - t0))
}
sanitized=0
if ldd "$NATDOCTOR" | grep -q libasan || grep -qa __asan_init "$NATDOCTOR"; then
	sanitized=1
fi
cap_run baseline --no-upnp
base=$rss
_lab_say "baseline without UPnP: peak RSS $base KiB, $ms ms"
for mode in endless endless-soap hang; do
	liar_desc "$mode"
	cap_run "$mode"
	((rss - base < 1024)) || fail "cap $mode: peak RSS $rss KiB, $((rss - base)) KiB over the baseline"
	((sanitized || rss < 8192)) || fail "cap $mode: peak RSS $rss KiB (limit 8192)"
	# The check's own clock, strictly; the whole process (exec, namespace,
	# report: ~40 ms on a quiet machine) with room for a loaded one (seen:
	# +1.1 s at load 13 on two cores), to catch a hang only.
	el=$(jq -r .elapsed_ms "$LAB_DIR/cap-$mode.json")
	((el <= timeout_ms + 100)) || fail "cap $mode: the check took $el ms (deadline $timeout_ms + 100)"
	((ms <= timeout_ms + 3000)) || fail "cap $mode: the process took $ms ms (deadline $timeout_ms)"
	_lab_say "ok: cap $mode: peak RSS $rss KiB (+$((rss - base))), check $el ms, process $ms ms, deadline $timeout_ms ms"
	assert_json "$LAB_DIR/cap-$mode.json" .gateway.upnp.external_ipv4 null
done
assert_match "larger than 64 KiB" "$(jq -r .gateway.upnp.error "$LAB_DIR/cap-endless.json")" \
	"endless description named"

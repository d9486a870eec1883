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
	# Every text that reached the report is printable ASCII.
	if LC_ALL=C grep -q '[^[:print:][:space:]]' "$f"; then
		fail "mode $mode: non-printable bytes in the JSON"
	fi
	lab_natdoctor "$LAB_DIR/$mode.txt" check --timeout 1000 --stun "$HOSTILE_A" || true
	if LC_ALL=C grep -q $'\e' "$LAB_DIR/$mode.txt"; then
		fail "mode $mode: escape sequences in the text report (stdout is not a terminal)"
	fi
done

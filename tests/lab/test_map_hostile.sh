#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map against a lying gateway (tests/lab/hostile.c on the router's
# 5351): every lie at once (truncated, oversized, wrong nonce, wrong
# version, wrong epoch, impossible external addresses), a gateway that
# refuses PCP with NAT-PMP's UNSUPP_VERSION, and one that says nothing. map
# must never crash, never print "mapped" on a lie it can see through, and
# end --once within its 5 s bound.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT=30333
lab_up hostile

# once MODE: run map --once; sets RC and OUT; fails on a crash or a hang.
once()
{
	local t0
	RC=0
	t0=$(lab_ms)
	lab_natdoctor "$LAB_DIR/$1.out" map $PORT/tcp --once --lifetime 60 -v || RC=$?
	ELAPSED=$(($(lab_ms) - t0))
	((RC < 128)) || fail "$1: natdoctor died of signal $((RC - 128))"
	((ELAPSED < 7000)) || fail "$1: --once took $ELAPSED ms"
	OUT=$(cat "$LAB_DIR/$1.out")
}

lab_step "burst: every lie per request"
once burst
if grep -q "^mapped" <<<"$OUT"; then
	fail "burst: printed a mapping from lies: $OUT"
fi
_lab_say "ok: no 'mapped' from the lies (exit $RC, $ELAPSED ms)"
grep -q "not an address strangers can reach\|provider\|refused\|not mapped" "$LAB_DIR/burst.out.stderr" "$LAB_DIR/burst.out" ||
	fail "burst: map said nothing about what it got"

lab_step "natpmponly: PCP refused with NAT-PMP's UNSUPP_VERSION -> NAT-PMP at once"
lab_hostile_mode natpmponly
once natpmponly
assert_eq 0 "$RC" "exit status"
assert_match "by NAT-PMP" "$OUT" "method"
((ELAPSED < 1000)) || fail "natpmponly: fell back after $ELAPSED ms, not on the refusal"

lab_step "silent: nothing answers -> exit 3 at the --once bound"
lab_hostile_mode silent
once silent
assert_eq 3 "$RC" "exit status with a silent gateway"
grep -q "not mapped within" "$LAB_DIR/silent.out.stderr" || fail "silent: no clear line"
lab_down

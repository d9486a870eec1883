#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An address-dependent-filtering NAT (nftables, topology adf): the one
# filtering verdict no other topology produces (issue 11). coturn's own RFC
# 5780 client classifies it so in test_lab_sanity; check must say the same.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

lab_up adf

lab_step "natdoctor check sees address-dependent filtering"
rc=0
lab_natdoctor "$LAB_DIR/adf.json" check --json --stun "$STUN_A" --stun "$STUN_B" || rc=$?
[[ "$rc" == 0 || "$rc" == 1 ]] || fail "exit status $rc"
f="$LAB_DIR/adf.json"
assert_json "$f" .public.ipv4 "$PUBLIC_IP"
assert_json "$f" .nat.layers 1
assert_json "$f" .nat.filtering address-dependent
assert_json "$f" .nat.mapping_varies_by_destination false
assert_json "$f" '[.findings[] | select(.id == "behind-nat")] | length' 1

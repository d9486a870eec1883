#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor map on the home router (miniupnpd answers PCP, NAT-PMP and UPnP):
# --no-pcp --no-natpmp maps by UPnP IGD alone (the router's PCP, which
# would win otherwise, is never asked), and --delete with the same flags
# removes it; 30333's line for Phala's docker environment
# (PARACHAIN_EXTRA_ARGS).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

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
lab_down

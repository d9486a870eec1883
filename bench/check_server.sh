#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/check_server.sh: how long `natdoctor check --server` takes in the
# lab's home topology against natdoctor serve, next to coturn's
# `turnutils_natdiscovery -m -f` (RFC 5780 mapping and filtering only, no
# dial-back) against coturn, measured in the same run, and natdoctor's peak
# RSS. Two cases: everything answers (a working port forward to a libp2p
# node on 30333 and 30334), and nothing is forwarded (the dial-backs are
# refused, natdoctor maps its own probe through PCP to tell why).
# Target (issue 9): within 1 s when everything answers. This script prints;
# it does not judge.
#
# Usage (as root, from a build): bench/check_server.sh [BUILD_DIR] [RUNS]
# Needs: hyperfine, GNU time, jq, python3, the lab's packages.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export ND_BUILD_DIR=${1:-$here/../build}
RUNS=${2:-10}
export NATDOCTOR=${NATDOCTOR:-$ND_BUILD_DIR/natdoctor}
export LAB_QUIET=1 LAB_CMD_TIMEOUT=300
source "$here/../tests/lab/lib.sh"
source "$here/../tests/lab/serve_common.sh"
source "$here/../tests/lab/check_server_common.sh"

mean_ms()
{
	local name=$1
	shift
	lab_host hyperfine --runs "$RUNS" --warmup 1 -N -i --export-json "$LAB_DIR/$name.json" \
		"$*" >/dev/null 2>&1 || fail "hyperfine failed for $name"
	jq '.results[0].mean * 1000 | round' "$LAB_DIR/$name.json"
}

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

lab_up home
for ns in "$NS_ROUTER" "$NS_CORE"; do lab_exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0; done
serve_up serve 4478 4479 9478 "$COTURN_A" "$COTURN_B"
check="$NATDOCTOR check --json --server $COTURN_A:4478"
turn=$(mean_ms turnutils turnutils_natdiscovery -m -f "$COTURN_A")

nd=$(mean_ms idle $check)
printf 'nothing forwarded  check --server %5d ms  turnutils_natdiscovery -m -f %5d ms  ratio %s\n' \
	"$nd" "$turn" "$(ratio "$nd" "$turn")"

for p in 30333 30334; do
	lab_daemon "node$p" "$NS_HOST" python3 "$SERVE_CLIENT" listen libp2p --port "$p"
	lab_wait_port "$NS_HOST" tcp "$p"
done
forward_to_host tcp "{ 30333, 30334 }"
nd=$(mean_ms fwd $check)
lab_host /usr/bin/time -f %M -o "$LAB_DIR/rss" $check >/dev/null 2>&1 || true
rss=$(tail -n1 "$LAB_DIR/rss")
elapsed=$(lab_host $check 2>/dev/null | jq .elapsed_ms || true)
printf 'all answer         check --server %5d ms (its own clock: %s ms)  turnutils %5d ms  ratio %s  peak RSS %d KiB\n' \
	"$nd" "$elapsed" "$turn" "$(ratio "$nd" "$turn")" "$rss"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor peers reading a node's log: `docker logs -f phala-node 2>&1 |
# natdoctor peers --log -` with both chains' informant lines (colours,
# timestamps, [Parachain]/[Relaychain] prefixes, the other log lines in
# between), a log file, a single-chain node, and logs that are garbage,
# binary or one endless line: a clear message, bounded memory, and the
# view keeps running on what works.
# shellcheck disable=SC2154 # PORT_* and PID_* are set by name (printf -v)
set -euo pipefail
source "$(dirname "$0")/peers_common.sh"

E=$'\x1b'
# What `docker logs phala-node` shows (khala-node, polkadot-sdk informant).
phala_log()
{
	local s=$1 para=$2 relay=$3
	cat <<L
2024-05-01 10:00:0$s [Relaychain] ✨ Imported #19876543 (0x9a8b…7c6d)
2024-05-01 10:00:0$s [Parachain] 💤 ${E}[1;37mIdle${E}[0m (${E}[1;37m$para${E}[0m peers), best: #${E}[1;37m4567890${E}[0m (0x1a2b…3c4d), finalized #${E}[1;37m4567888${E}[0m (0x5e6f…7a8b), ${E}[32m⬇ 3.1kiB/s${E}[0m ${E}[31m⬆ 2.0kiB/s${E}[0m
2024-05-01 10:00:0$s [Relaychain] ⚙️  Syncing 10.2 bps, target=#19880000 ($relay peers), best: #19876543 (0x9a8b…7c6d), finalized #19876540 (0x1f2e…3d4c), ⬇ 120.4kiB/s ⬆ 98.1kiB/s
2024-05-01 10:00:0$s [Relaychain] 👶 New epoch 3 launching at block 0x68bc…0605 (block slot 271 >= start slot 271).
L
}
{
	phala_log 0 7 41
	phala_log 5 8 42
} >"$PT_DIR/phala.log"

step "--log - with a Phala node's log: both chains side by side"
PT_STDIN=$PT_DIR/phala.log pt_run phala err peers --once --json --log -
assert_status 1
assert_jq phala.out 'map(.chain) | sort | join(",")' "parachain,relaychain"
assert_jq phala.out '.[] | select(.chain == "parachain") | [.peers, .syncing, .state, .best, .finalized, .peers_source] | @json' \
	'[8,false,"idle",4567890,4567888,"log"]'
assert_jq phala.out '.[] | select(.chain == "relaychain") | [.peers, .syncing, .state, .best, .below_target] | @json' \
	'[42,true,"syncing",19876543,false]'
assert_jq phala.out '[.[] | .inbound == null and .outbound == null] | all' true
assert_jq phala.out '.[] | select(.chain == "parachain") | .p2p_port' 30333
assert_jq phala.out '.[] | select(.chain == "relaychain") | .p2p_port' 30334

step "a pipe, as from docker logs -f: lines arrive over time, then the writer goes"
mkfifo "$PT_DIR/pipe"
PT_STDIN=$PT_DIR/pipe pt_live pipe pipe pipesrc peers --interval 1 --log -
pt_bg bash -c 'for i in 1 2 3 4; do cat "$1"; sleep 0.7; done >"$2"' _ "$PT_DIR/phala.log" "$PT_DIR/pipe"
pt_wait_count pipe.out 'parachain peers=8 .*status=low' 2 10
pt_wait_count pipe.out 'relaychain peers=42 .*syncing=yes' 2 5
# Every source was a log and it ended: natdoctor says so and stops, with
# the status of its last sample (the parachain is below target).
pt_wait_exit pipe 10
assert_status 1

step "--log FILE, a single-chain node (no prefix), timestamps in the detailed format"
cat >"$PT_DIR/polkadot.log" <<L
2024-05-01 10:00:00.012 INFO tokio-runtime-worker substrate: 💤 Idle (46 peers), best: #20812345 (0x1a2b…3c4d), finalized #20812342 (0x5e6f…7a8b), ⬇ 210.4kiB/s ⬆ 190.2kiB/s
2024-05-01 10:00:05.013 INFO tokio-runtime-worker substrate: 💤 Idle (47 peers), best: #20812346 (0x1a2b…3c4e), finalized #20812343 (0x5e6f…7a8c), ⬇ 211.4kiB/s ⬆ 191.2kiB/s
L
pt_run file err peers --once --json --log "$PT_DIR/polkadot.log"
assert_status 0
assert_jq file.out '.[0] | [.chain, .peers, .best, .below_target] | @json' '[null,47,20812346,false]'

step "a label puts an untagged log on a named chain"
pt_run label err peers --once --json --log "relaychain=$PT_DIR/polkadot.log"
assert_jq label.out '.[0].chain' relaychain

step "garbage and binary only: a clear message, exit 3"
head -c 2000000 /dev/urandom >"$PT_DIR/random.bin"
PT_STDIN=$PT_DIR/random.bin pt_run garbage garbage peers --once --log -
assert_status 3
assert_match garbage.err 'ended without one informant line'
assert_match garbage.err 'no source gave a peer count'

step "good lines between garbage, NULs and a 3 MB line without a newline"
{
	head -c 100000 /dev/urandom
	printf '\n'
	phala_log 0 5 40
	head -c 3000000 /dev/zero | tr '\0' 'x'
	printf '\n\0\0\0\x01\x02\xff\xfe\n'
	phala_log 5 9 44
	printf '2024-05-01 10:00:09 [Parachain] 💤 Idle (999999999999999999999 peers), best: #1\n'
	printf '2024-05-01 10:00:09 [Parachain] 💤 Idle ('
} >"$PT_DIR/mixed.log"
PT_STDIN=$PT_DIR/mixed.log pt_run mixed mixed peers --once --json -v --log -
assert_status 1
assert_jq mixed.out '.[] | select(.chain == "parachain") | .peers' 9
assert_jq mixed.out '.[] | select(.chain == "relaychain") | .peers' 44
assert_match mixed.err 'log -: [0-9]+ bytes, [0-9]+ lines, 4 informant lines, [1-9][0-9]* too long'

step "an endless log of garbage with a good line now and then: the view goes on, memory stays small"
mkfifo "$PT_DIR/endless"
PT_STDIN=$PT_DIR/endless pt_live endless endless endlesssrc peers --interval 1 --log -
cat >"$PT_DIR/endless.py" <<'P'
import os, sys, time
good = ("2024-05-01 10:00:00 [Parachain] \U0001f4a4 Idle (8 peers), best: #4567890 (0x1a2b\u20263c4d), "
        "finalized #4567888 (0x5e6f\u20267a8b), \u2b07 3.1kiB/s \u2b06 2.0kiB/s\n").encode()
fd = os.open(sys.argv[1], os.O_WRONLY)
end = time.monotonic() + 6
try:
    while time.monotonic() < end:
        os.write(fd, os.urandom(256 * 1024))  # binary, with the odd newline
        os.write(fd, b"y" * (1 << 20))        # a line that never ends...
        os.write(fd, b"\n" + good)            # ...until it does
        time.sleep(0.05)
except BrokenPipeError:
    pass  # natdoctor was stopped first
P
pt_bg python3 "$PT_DIR/endless.py" "$PT_DIR/endless"
pt_wait_count endless.out 'parachain peers=8 .*status=low' 4 15
pt_assert_hwm endless 8192 "a log of garbage at ~25 MB/s"
kill -0 "$PID_endless" || fail "natdoctor stopped on an endless garbage log"
pt_stop endless
assert_status 0

step "a log beside an HTTP source that refuses: the log chain is shown all along"
port=$(pt_free_port)
mkfifo "$PT_DIR/withbad"
PT_STDIN=$PT_DIR/withbad pt_live withbad withbad withbadsrc peers --interval 1 --log - --rpc "broken=$port"
pt_bg bash -c 'for i in 1 2 3 4 5 6; do cat "$1"; sleep 0.6; done >"$2"' _ "$PT_DIR/phala.log" "$PT_DIR/withbad"
pt_wait_count withbad.out 'parachain peers=8' 3 10
assert_match withbadsrc.err "rpc http://127.0.0.1:$port: connection refused"
# The log has ended but the RPC source may yet come up: still running.
sleep 1
pt_stop withbad
assert_status 0
echo "ok"

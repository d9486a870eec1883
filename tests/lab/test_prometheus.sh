#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# natdoctor's metrics through a real Prometheus server (Debian `prometheus`)
# and a real node_exporter (Debian `prometheus-node-exporter`, textfile
# collector only), all on the loopback of the lab's host namespace (fixed
# ports are safe there: the namespace is this run's own):
#   - `natdoctor check --prometheus FILE` behind the provider's CGNAT writes
#     its textfile; node_exporter's textfile collector serves it;
#   - `natdoctor peers --listen-metrics` watches a stand-in node
#     (tests/peers/fakenode.py: 8 peers, none inbound) and is scraped
#     directly;
#   - Prometheus scrapes both every second and loads
#     contrib/prometheus/natdoctor.rules.yml; the test reads the series back
#     through Prometheus's HTTP query API (/api/v1/query) and checks values.
# Also the bad inputs: a textfile directory that does not exist, a metrics
# port in use, a slow client while Prometheus scrapes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_common.sh"

PROM_PORT=9090 NE_PORT=9100 ND_PORT=9839
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/deps.sh)"
command -v prometheus-node-exporter >/dev/null || fail "prometheus-node-exporter is not installed"

lab_up cgnat
tf=$LAB_DIR/textfile
mkdir -p "$tf" "$LAB_DIR/prom-data"

lab_step "check --prometheus: the textfile, replaced at once"
check_run cgnat --prometheus "$tf/natdoctor.prom"
[[ -s "$tf/natdoctor.prom" ]] || fail "check wrote no $tf/natdoctor.prom"
ls -A "$tf" | grep -vqx natdoctor.prom && fail "temporary files left in $tf: $(ls -A "$tf")"
promtool check metrics <"$tf/natdoctor.prom" || fail "promtool check metrics: $tf/natdoctor.prom"
assert_eq 1 "$(grep -c '^natdoctor_cgnat 1$' "$tf/natdoctor.prom")" "natdoctor_cgnat 1 in the textfile"

lab_step "a stand-in node, natdoctor peers as an exporter"
lab_daemon fakenode "$NS_HOST" python3 "$LAB_SOURCE_DIR/tests/peers/fakenode.py" \
	--port-file "$LAB_DIR/node.port" --peers 8 --inbound 0 --inbound-total 0 --uptime 7200 \
	--chain khala
for _ in $(seq 1 100); do [[ -s "$LAB_DIR/node.port" ]] && break; sleep 0.05; done
node_port=$(cat "$LAB_DIR/node.port")
lab_daemon peers "$NS_HOST" "$NATDOCTOR" peers --interval 1 \
	--metrics "parachain=http://127.0.0.1:$node_port/metrics" \
	--listen-metrics "127.0.0.1:$ND_PORT"
lab_wait_port "$NS_HOST" tcp "$ND_PORT"

lab_step "node_exporter (textfile collector) and Prometheus on loopback"
lab_daemon node_exporter "$NS_HOST" prometheus-node-exporter \
	--web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$tf"
cat >"$LAB_DIR/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $LAB_SOURCE_DIR/contrib/prometheus/natdoctor.rules.yml
scrape_configs:
  - job_name: peers
    static_configs:
      - targets: ['127.0.0.1:$ND_PORT']
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
YML
promtool check config "$LAB_DIR/prometheus.yml" >/dev/null || fail "promtool check config"
lab_daemon prometheus "$NS_HOST" prometheus --config.file="$LAB_DIR/prometheus.yml" \
	--storage.tsdb.path="$LAB_DIR/prom-data" --web.listen-address="127.0.0.1:$PROM_PORT"
lab_wait_port "$NS_HOST" tcp "$NE_PORT"
lab_wait_port "$NS_HOST" tcp "$PROM_PORT" 20

# prom_value QUERY: the value of the query's single result ("" while none).
prom_value()
{
	lab_host curl -s -G --max-time 2 "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" | jq -r '.data.result | if length == 1 then .[0].value[1] else "" end'
}

# prom_expect QUERY WANT: wait (bounded) until QUERY has exactly one series
# with value WANT.
prom_expect()
{
	local got="" i
	for ((i = 0; i < 100; i++)); do
		got=$(prom_value "$1" 2>/dev/null || true)
		[[ "$got" == "$2" ]] && { echo "lab: ok: prometheus $1 = $2"; return 0; }
		sleep 0.2
	done
	fail "prometheus: $1 = '$got', expected '$2'"
}

lab_step "the exporter's series, through Prometheus"
prom_expect 'up{job="peers"}' 1
prom_expect 'natdoctor_peers{job="peers",chain="parachain"}' 8
prom_expect 'natdoctor_peers_inbound{chain="parachain"}' 0
prom_expect 'natdoctor_peers_outbound{chain="parachain"}' 8
prom_expect 'natdoctor_peers_below_target{chain="parachain"}' 1
prom_expect 'natdoctor_peers_target_min{chain="parachain"}' 40
prom_expect 'natdoctor_peers_status{chain="parachain",status="no-inbound"}' 1
prom_expect 'natdoctor_source_up{kind="metrics",chain="parachain"}' 1
# the node has been up 2 h with not one inbound connection
prom_expect 'natdoctor_peers_no_inbound_seconds{chain="parachain"} >= bool 7200' 1

lab_step "check's textfile, through node_exporter and Prometheus"
prom_expect 'up{job="node"}' 1
prom_expect 'node_textfile_scrape_error{job="node"}' 0
prom_expect 'natdoctor_cgnat{job="node"}' 1
prom_expect 'natdoctor_nat_layers{job="node"}' 2
prom_expect 'natdoctor_check_exit_status{job="node"}' 1
prom_expect 'natdoctor_finding{job="node",id="cgnat",severity="problem"}' 1
prom_expect "natdoctor_public_address_info{job=\"node\",family=\"ipv4\",address=\"$ISP_WAN\"}" 1
prom_expect 'abs(time() - natdoctor_check_timestamp_seconds{job="node"}) < bool 300' 1

lab_step "the rules load and evaluate on a real server"
rules=$(lab_host curl -s --max-time 2 "http://127.0.0.1:$PROM_PORT/api/v1/rules" |
	jq -r '[.data.groups[].rules[] | select(.health == "ok") | .name] | sort | join(" ")')
assert_eq "NatdoctorCGNATAppeared NatdoctorCheckNotRun NatdoctorMappingNotReachable NatdoctorNoInboundPeers NatdoctorPeersSourceDown" \
	"$rules" "healthy natdoctor rules"
# below target with no inbound for 2 h: the alert is pending or firing
prom_expect 'count(ALERTS{alertname="NatdoctorNoInboundPeers",chain="parachain"})' 1

lab_step "bad input: a slow client does not stop the scrapes"
# 3 half requests that never finish, held while Prometheus keeps scraping.
lab_daemon slowloris "$NS_HOST" python3 -c "
import socket, time
s = [socket.create_connection(('127.0.0.1', $ND_PORT)) for _ in range(3)]
for c in s: c.send(b'GET /metr')
time.sleep(30)"
sleep 0.5
t0=$(prom_value "timestamp(natdoctor_peers{chain=\"parachain\"})")
sleep 2.5
t1=$(prom_value "timestamp(natdoctor_peers{chain=\"parachain\"})")
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1) }' ||
	fail "no new scrape of the exporter while slow clients held connections ($t0 -> $t1)"
prom_expect 'up{job="peers"}' 1
lab_daemon_stop slowloris

lab_step "bad input: a port in use, a textfile directory that is not there"
rc=0
lab_natdoctor "$LAB_DIR/inuse.out" peers --metrics "http://127.0.0.1:$node_port/metrics" \
	--listen-metrics "127.0.0.1:$ND_PORT" || rc=$?
assert_eq 2 "$rc" "peers --listen-metrics on a port in use: exit status"
assert_eq 1 "$(wc -l <"$LAB_DIR/inuse.out.stderr")" "lines on stderr"
assert_match "cannot serve metrics on 127.0.0.1:$ND_PORT: Address already in use" \
	"$(cat "$LAB_DIR/inuse.out.stderr")" "the line"
rc=0
lab_natdoctor "$LAB_DIR/nodir.out" check --stun "$STUN_A" --prometheus "$LAB_DIR/no/such/dir/x.prom" || rc=$?
assert_eq 2 "$rc" "check --prometheus into a missing directory: exit status"
assert_eq 1 "$(wc -l <"$LAB_DIR/nodir.out.stderr")" "lines on stderr"
assert_match "cannot write --prometheus .*No such file or directory" \
	"$(cat "$LAB_DIR/nodir.out.stderr")" "the line"
# the exporter is still there and still watching
prom_expect 'natdoctor_peers{job="peers",chain="parachain"}' 8
echo "lab: prometheus: all assertions passed"

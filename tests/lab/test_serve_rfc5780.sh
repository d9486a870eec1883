#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# natdoctor serve as an RFC 5780 server, judged by a client that is not
# ours: coturn's turnutils_natdiscovery -m -f must classify each NAT the
# same against serve as against coturn itself (both run side by side on the
# lab's two server addresses: coturn on 3478/3479, serve on 4478/4479), on
# every topology where STUN gets through (public, home, cgnat, symmetric,
# dmz; blackhole drops it, hostile is about lying servers). Then the RFC 5780 §6 and §7.6 rules with serve_client.py: one address ->
# CHANGE-REQUEST gets 420 and no OTHER-ADDRESS; RESPONSE-PORT with PADDING
# gets 400; PADDING never makes an answer bigger than request + 64 bytes.
# Also IPv6, and /metrics through promtool. About 40 s, most of it turnutils_natdiscovery waiting out its timeouts.

# shellcheck source=tests/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/lab/serve_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve_common.sh"

# natdiscovery SERVER PORT OUT: coturn's verdicts in OUT as "mapping|filtering|reflexive".
natdiscovery()
{
	local out
	out=$(lab_host turnutils_natdiscovery -m -f -p "$2" "$1" 2>&1) ||
		fail "turnutils_natdiscovery -p $2 failed: $out"
	awk '/NAT with .* Mapping!/ { sub(/^NAT with /, ""); sub(/ Mapping!$/, ""); m = $0 }
	     /NAT with .* Filtering!/ { sub(/^NAT with /, ""); sub(/ Filtering!$/, ""); f = $0 }
	     /UDP reflexive addr:/ && r == "" { r = $NF; sub(/:[0-9]+$/, "", r) }
	     END { printf "%s|%s|%s\n", m, f, r }' <<<"$out" >"$3"
}

for topo in public home cgnat symmetric dmz; do
	lab_up "$topo"
	serve_up serve 4478 4479 9477 "$COTURN_A" "$COTURN_B"
	lab_step "$topo: turnutils_natdiscovery -m -f, coturn vs natdoctor serve (in parallel)"
	natdiscovery "$COTURN_A" 3478 "$LAB_DIR/coturn.txt" &
	p1=$!
	natdiscovery "$COTURN_A" 4478 "$LAB_DIR/serve.txt" &
	p2=$!
	wait "$p1" || fail "natdiscovery against coturn failed"
	wait "$p2" || fail "natdiscovery against serve failed"
	coturn=$(<"$LAB_DIR/coturn.txt") served=$(<"$LAB_DIR/serve.txt")
	echo "coturn: $coturn"
	echo "serve:  $served"
	[[ "$coturn" == *"|"*[a-z]*"|"* ]] || fail "coturn gave no verdict: '$coturn'"
	assert_eq "$coturn" "$served" "$topo: natdiscovery's verdict against serve"
	assert_eq "$PUBLIC_IP" "${served##*|}" "$topo: reflexive address from serve"
	lab_down
done

lab_up public
serve_up serve2 4478 4479 9477 "$COTURN_A" "$COTURN_B"
serve_up serve1 5478 5479 9478 "$COTURN_A"
serve_up serve6 6478 6479 9479 "$COTURN_A6" "$COTURN_B6"

lab_step "IPv6: RFC 5780 on two IPv6 addresses"
out=$(serve_client stun "$COTURN_A6" --port 6478 --change ip,port)
echo "$out"
assert_eq success "$(field class "$out")" "class"
assert_eq "$COTURN_B6:6479" "$(field origin "$out")" "RESPONSE-ORIGIN"
assert_eq "$HOST_IP6" "$(field mapped "$out" | sed 's/:[0-9]*$//')" "XOR-MAPPED-ADDRESS"
(($(field len "$out") <= $(field request_len "$out") + 100)) ||
	fail "IPv6 answer of $(field len "$out") bytes to $(field request_len "$out")"

lab_step "two addresses: CHANGE-REQUEST answered from the other address and port"
out=$(serve_client stun "$COTURN_A" --port 4478 --change ip,port)
echo "$out"
assert_eq success "$(field class "$out")" "class"
assert_eq "$COTURN_B:4479" "$(field from "$out")" "answered from"
assert_eq "$COTURN_B:4479" "$(field origin "$out")" "RESPONSE-ORIGIN"
assert_eq "$COTURN_B:4479" "$(field other "$out")" "OTHER-ADDRESS"
assert_eq "$HOST_IP" "$(field mapped "$out" | cut -d: -f1)" "XOR-MAPPED-ADDRESS"

lab_step "STUN over TCP: XOR-MAPPED-ADDRESS is the observed TCP source; CHANGE-REQUEST is 400"
out=$(serve_client stun "$COTURN_A" --port 4479 --tcp)
echo "$out"
assert_eq success "$(field class "$out")" "class over TCP"
assert_eq "$(field local "$out")" "$(field mapped "$out")" "XOR-MAPPED-ADDRESS over TCP (no NAT)"
assert_eq "$COTURN_A:4479" "$(field origin "$out")" "RESPONSE-ORIGIN over TCP"
out=$(serve_client stun "$COTURN_A" --port 4478 --tcp --change port)
echo "$out"
assert_eq 400 "$(field error "$out")" "CHANGE-REQUEST over TCP"

lab_step "one address: CHANGE-REQUEST is 420 (RFC 5780 §6), no OTHER-ADDRESS"
out=$(serve_client stun "$COTURN_A" --port 5478 --change port)
echo "$out"
assert_eq error "$(field class "$out")" "class"
assert_eq 420 "$(field error "$out")" "error code"
assert_eq 0003 "$(field unknown "$out")" "UNKNOWN-ATTRIBUTES"
out=$(serve_client stun "$COTURN_A" --port 5478)
echo "$out"
assert_eq success "$(field class "$out")" "plain Binding"
assert_eq none "$(field other "$out")" "OTHER-ADDRESS with one address"

lab_step "RESPONSE-PORT with PADDING is 400 (RFC 5780 §7.6); RESPONSE-PORT alone is obeyed"
out=$(serve_client stun "$COTURN_A" --port 4478 --padding 100 --response-port 40000)
echo "$out"
assert_eq 400 "$(field error "$out")" "error code"
out=$(serve_client stun "$COTURN_A" --port 4478 --response-port 40001 --local-port 40001)
echo "$out"
assert_eq success "$(field class "$out")" "answer to RESPONSE-PORT"

lab_step "unknown comprehension-required attribute: 420 naming it"
out=$(serve_client stun "$COTURN_A" --port 4478 --unknown 0x0024)
echo "$out"
assert_eq 420 "$(field error "$out")" "error code"
assert_eq 0024 "$(field unknown "$out")" "UNKNOWN-ATTRIBUTES"

lab_step "no amplification: PADDING 1200 -> answer <= request + 64"
out=$(serve_client stun "$COTURN_A" --port 4478 --padding 1200)
echo "$out"
(($(field len "$out") <= $(field request_len "$out") + 64)) ||
	fail "answer of $(field len "$out") bytes to a request of $(field request_len "$out")"
(($(field len "$out") >= 1200)) || fail "PADDING not honoured: $(field len "$out") bytes"

lab_step "metrics count what happened, in Prometheus' own format (promtool)"
lab_srv python3 -c "import urllib.request; print(urllib.request.urlopen('http://$PEER_IP:9477/metrics', timeout=2).read().decode(), end='')" \
	>"$LAB_DIR/metrics.txt"
promtool check metrics <"$LAB_DIR/metrics.txt" || fail "promtool does not accept /metrics"
assert_eq 1 "$(serve_metric serve1 9478 'natdoctor_serve_errors_total{code="420"}')" "serve1 420s"
assert_eq 2 "$(serve_metric serve2 9477 'natdoctor_serve_errors_total{code="400"}')" "serve2 400s (PADDING+RESPONSE-PORT, CHANGE-REQUEST over TCP)"

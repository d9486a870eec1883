# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Helpers the serve lab tests share (sourced after lib.sh).
#   serve_up NAME PORT ALT ADDR...   natdoctor serve in the server namespace on
#                                    ADDR... (one or two), ports PORT and ALT;
#                                    metrics on PEER_IP:METRICS_PORT; extra
#                                    flags in SERVE_FLAGS
#   serve_client ARGS...             tests/lab/serve_client.py in the host
#   serve_metric NAME PORT SELECTOR   one sample of serve's /metrics, from
#                                    the server namespace
#   serve_hwm_kb NAME                the VmHWM of serve NAME, in KiB

SERVE_CLIENT=$LAB_SOURCE_DIR/tests/lab/serve_client.py

serve_up()
{
	local name=$1 port=$2 alt=$3 mport=$4 a
	shift 4
	local args=()
	for a in "$@"; do args+=(--listen "$a"); done
	# shellcheck disable=SC2086 # SERVE_FLAGS is a list of flags
	lab_daemon "$name" "$NS_SRV" "$NATDOCTOR" serve "${args[@]}" --port "$port" \
		--alt-port "$alt" --threads 2 --metrics "$PEER_IP:$mport" ${SERVE_FLAGS:-}
	lab_wait_port "$NS_SRV" udp "$alt" 5 "${!#}"
	lab_wait_port "$NS_SRV" tcp "$mport" 5 "$PEER_IP"
}

serve_client() { lab_host python3 "$SERVE_CLIENT" "$@"; }

serve_metric()
{
	lab_srv python3 - "$PEER_IP" "$2" "$3" <<-'PY'
		import sys, urllib.request
		host, port, want = sys.argv[1], sys.argv[2], sys.argv[3]
		text = urllib.request.urlopen("http://%s:%s/metrics" % (host, port), timeout=2).read()
		for line in text.decode().splitlines():
		    if line.split(" ")[0] == want:
		        print(line.split(" ")[1])
		        break
		else:
		    print("missing")
	PY
}

# The serve process (timeout -> ip netns exec -> natdoctor: the last in the chain).
serve_pid()
{
	local pid=${LAB_PIDS[$1]}
	while [[ -n "$(pgrep -P "$pid" || true)" ]]; do pid=$(pgrep -P "$pid" | head -1); done
	echo "$pid"
}

serve_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$(serve_pid "$1")/status"; }

# field NAME LINE: the value of NAME=... in a "k=v k=v" line.
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print substr($0, length(k) + 2) }'; }

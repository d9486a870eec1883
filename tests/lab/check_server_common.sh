# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Shared by tests/lab/test_check_server_*.sh (sourced after lib.sh and
# check_common.sh):
#   check_server NAME [ARGS...]   check --json --server "$SERVER" only; JSON in
#                                 $LAB_DIR/NAME.json, exit status in CHECK_RC
#   reach FILE PORT PROTO FIELD   one field of reachability[] for that port (JSON)
#   forward_to_host PROTO PORTS   a manual port forward on the router: PROTO (tcp
#                                 or udp) PORTS ("30333" or "{ 30333, 30334 }")
#                                 to HOST_IP, in table ip nd_forward
#   drop_tcp NS TABLE ADDR PORT   an nftables table in NS that drops TCP to
#                                 ADDR:PORT (ADDR "" for any) at HOOK (input or
#                                 forward, $HOOK, default input)

check_server()
{
	local name=$1
	shift
	CHECK_RC=0
	# shellcheck disable=SC2034 # read by the tests
	lab_natdoctor "$LAB_DIR/$name.json" check --json --server "$SERVER" "$@" || CHECK_RC=$?
	jq -e . "$LAB_DIR/$name.json" >/dev/null || fail "check $name: stdout is not valid JSON"
}

reach() { jq -c "[.reachability[] | select(.port == $2 and .proto == \"$3\") | .$4][0]" "$1"; }

drop_tcp()
{
	local ns=$1 table=$2 addr=$3 port=$4 hook=${HOOK:-input}
	lab_exec "$ns" nft -f - <<-EOF
		table inet $table {
			chain $hook {
				type filter hook $hook priority 0; policy accept;
				${addr:+ip daddr $addr} tcp dport $port drop
			}
		}
	EOF
}

forward_to_host()
{
	local rules
	rules=$(lab_router nft list chain inet filter forward)
	grep -q "ct status dnat accept" <<<"$rules" ||
		lab_router nft add rule inet filter forward ct status dnat accept
	lab_router nft add table ip nd_forward
	lab_router nft "add chain ip nd_forward prerouting { type nat hook prerouting priority dstnat - 1; policy accept; }"
	lab_router nft "add rule ip nd_forward prerouting iifname wan $1 dport $2 dnat to $HOST_IP"
}

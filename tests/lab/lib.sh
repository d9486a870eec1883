# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The natdoctor network lab: real kernel NAT (nftables), a real home router
# (miniupnpd: UPnP IGD, NAT-PMP, PCP) and a real RFC 5780 STUN server
# (coturn), each in its own network namespace. Sourced by tests/lab/test_*.sh;
# tests/lab/README.md has the address plan and one picture per topology.
#
#   source "$(dirname "$0")/lib.sh"
#   lab_up home                       # build the topology, start its daemons
#   lab_natdoctor "$LAB_DIR/out.json" check --json --stun "$STUN_A"
#   assert_json "$LAB_DIR/out.json" .nat.layers 1
#   # no lab_down needed: the EXIT trap tears everything down
#
# Functions (each documented where it is defined):
#   lab_up TOPOLOGY         public home cgnat symmetric dmz blackhole hostile
#                           cgnatstun silentisp fullcone firewalled natpmponly nat66
#   lab_down                remove every namespace, kill every daemon (idempotent)
#   lab_host CMD...         run CMD in the host namespace (bounded by a timeout)
#   lab_router / lab_isp / lab_core / lab_srv CMD...   same, other namespaces
#   lab_exec NS CMD...      same, any namespace of this run
#   lab_natdoctor OUT ARGS  run $NATDOCTOR ARGS in the host, stdout to OUT, status in $?
#   lab_daemon NAME NS CMD  start a background process, logged and bounded
#   lab_daemon_stop NAME    stop it (TERM, then KILL)
#   lab_wait_port NS udp|tcp PORT [SECONDS] [ADDR]
#   lab_router_reboot       play a home-router reboot (miniupnpd forgets all)
#   lab_router_down / lab_router_up   the same in two halves (a router away a while)
#   lab_router_rules PAT    count miniupnpd's nftables rules matching PAT
#   lab_router_upnp_only [K=V...]  miniupnpd with NAT-PMP and PCP off (UPnP IGD only)
#   lab_upnp_igd CLIENT ... one UPnP IGD mapping call (add/get/del) as CLIENT
#   lab_upnp_device MODE    a scripted UPnP device instead of miniupnpd (ssdp_liar.py:
#                           permanent, strict2); lab_upnp_device_get, _hold
#   lab_wait_until MS CMD   retry CMD every 20 ms for up to MS ms
#   lab_reach PORT          0 if PUBLIC_IP:PORT reaches the host's node from outside
#   lab_hostile_mode MODE   restart the hostile responders (burst lie mixed silent)
#   lab_delay_path MS       add MS of round trip between the home side and the
#                           internet (lab_delay on NFQUEUE in the core router)
#   fail / assert_eq / assert_ne / assert_match / assert_json / assert_status
#   lab_namespaces          this run's namespaces that exist now (empty after lab_down)
#   lab_step TITLE          print a step header; lab_ms: milliseconds clock
#
# Variables after lab_up (exported; empty when the topology has no such thing):
#   LAB_ID LAB_DIR LAB_TOPOLOGY LAB_UP_MS          run id, temp dir, topology, build time
#   NATDOCTOR LAB_HOSTILE_BIN LABTOOL              binaries (LABTOOL: python3 probes,
#                                                  independent of natdoctor: trace, pcp,
#                                                  count (stun pcp natpmp ssdp), soap)
#   NS_HOST NS_ROUTER NS_ISP NS_CORE NS_SRV        namespace names
#   HOST_IP HOST_IP6 HOST_IF                       the host under test
#   HOST_GW                                        the host's IPv4 default gateway
#   ROUTER_LAN ROUTER_WAN ROUTER_LAN6 ROUTER_WAN6  the router in front of the host
#   ISP_LAN ISP_WAN                                the provider CGNAT (cgnat)
#   PUBLIC_IP                                      the host's address as the world sees it
#   STUN_A STUN_B STUN_PORT STUN_ALT_PORT          the STUN servers the host should ask
#   COTURN_A COTURN_B COTURN_A6 COTURN_B6          coturn (real RFC 5780 server), always up
#   HOSTILE_A HOSTILE_B                            hostile STUN responders (hostile only;
#                                                  there STUN_A/B = HOSTILE_A/B, and the
#                                                  router's UDP 5351 on ROUTER_LAN is
#                                                  lab_hostile too: PCP + NAT-PMP lies)
#   HOSTILE_A_ADDR HOSTILE_B_ADDR                  their addresses, set in every topology
#   PEER_IP PEER_IP6                               a stranger in the server namespace
#   LAB_NAT_LAYERS LAB_MAPPING LAB_FILTERING       what this topology is meant to be
#   LAB_GATEWAY_PROTOCOLS                          "upnp natpmp pcp", "hostile" or ""
#
# Knobs (environment, before sourcing or before lab_up):
#   LAB_CMD_TIMEOUT=60        seconds any lab_host/lab_exec command may run
#   LAB_WAIT_TIMEOUT=5        seconds a daemon gets to bind its port
#   LAB_DAEMON_MAX_SECONDS=900  hard cap on every daemon's life (outlives
#                             ctest's timeout only if the test was SIGKILLed)
#   LAB_HOSTILE_MODE=burst    the hostile responders' mode at lab_up
#   LAB_KEEP=1                keep $LAB_DIR (logs, configs) after the run
#   LAB_QUIET=1               no progress lines
#
# Safety: every namespace is named "$LAB_ID-<role>" with LAB_ID = "nd" + 5
# random characters; every link is created inside the namespaces (nothing is
# added to the root namespace), and the lab's "internet" is a closed set of
# namespaces with no link to the machine's real network, so no packet can
# leave it. The addresses that play "public" (11.0.0.0/16, 2a00:11::/32)
# exist only in there.

[[ -n "${LAB_LIB_LOADED:-}" ]] && return 0
LAB_LIB_LOADED=1

set -Eeuo pipefail

LAB_SOURCE_DIR=${ND_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LAB_BUILD_DIR=${ND_BUILD_DIR:-$LAB_SOURCE_DIR/build}
NATDOCTOR=${NATDOCTOR:-$LAB_BUILD_DIR/natdoctor}
LAB_HOSTILE_BIN=${LAB_HOSTILE_BIN:-$LAB_BUILD_DIR/tests/lab_hostile}
LAB_DELAY_BIN=${LAB_DELAY_BIN:-$LAB_BUILD_DIR/tests/lab_delay}
LABTOOL=$LAB_SOURCE_DIR/tests/lab/labtool.py
LAB_CMD_TIMEOUT=${LAB_CMD_TIMEOUT:-60}
LAB_WAIT_TIMEOUT=${LAB_WAIT_TIMEOUT:-5}
LAB_DAEMON_MAX_SECONDS=${LAB_DAEMON_MAX_SECONDS:-900}
LAB_HOSTILE_MODE=${LAB_HOSTILE_MODE:-burst}
export NATDOCTOR LAB_SOURCE_DIR LAB_BUILD_DIR LAB_HOSTILE_BIN LABTOOL

# --- the address plan (tests/lab/README.md draws it) ------------------------
# "Public" addresses come from 11.0.0.0/16 and 2a00:11::/32: outside every
# reserved range, so miniupnpd maps with them and natdoctor calls them public.
# 11.0.0.0/24: the server namespace's link to the core router (core .1).
LAB_CORE_SRV=11.0.0.1
LAB_CORE_SRV6=2a00:11::1
export COTURN_A=11.0.0.10 COTURN_B=11.0.0.11
export COTURN_A6=2a00:11::10 COTURN_B6=2a00:11::11
export HOSTILE_A_ADDR=11.0.0.20 HOSTILE_B_ADDR=11.0.0.21
export PEER_IP=11.0.0.30 PEER_IP6=2a00:11::30
export STUN_PORT=3478 STUN_ALT_PORT=3479
LAB_TOPOLOGIES="public home cgnat symmetric dmz blackhole hostile cgnatstun silentisp fullcone firewalled natpmponly nat66 adf"

# --- output and assertions --------------------------------------------------

# Milliseconds since the epoch (bash 5 clock, no fork).
lab_ms()
{
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

_lab_say()
{
	[[ "${LAB_QUIET:-}" == 1 ]] || printf 'lab: %s\n' "$*" >&2
}

# lab_step TITLE: a visible step header, so a failure's log says where it was.
lab_step()
{
	printf '\n== %s\n' "$*" >&2
}

# fail MESSAGE...: stop the test here; the EXIT trap prints the daemon logs.
fail()
{
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq()
{
	local what=${3:-value}
	[[ "$1" == "$2" ]] || fail "$what: expected '$1', got '$2'"
	_lab_say "ok: $what = '$2'"
}

# assert_ne UNEXPECTED ACTUAL [WHAT]
assert_ne()
{
	local what=${3:-value}
	[[ "$1" != "$2" ]] || fail "$what: expected anything but '$1', got it"
	_lab_say "ok: $what = '$2' (not '$1')"
}

# assert_match REGEX ACTUAL [WHAT]: bash extended regex, unanchored.
assert_match()
{
	local what=${3:-value}
	[[ "$2" =~ $1 ]] || fail "$what: expected a match for /$1/, got '$2'"
	_lab_say "ok: $what matches /$1/"
}

# assert_json FILE JQ_EXPR EXPECTED: jq -r's output must equal EXPECTED
# (strings bare, so 'true', '3', 'public', 'null' for a missing key). On a
# mismatch it prints the document too.
assert_json()
{
	local file=$1 expr=$2 want=$3 got
	[[ -s "$file" ]] || fail "assert_json $expr: $file is missing or empty"
	if ! got=$(jq -r "$expr" "$file" 2>&1); then
		sed -n '1,200p' "$file" >&2
		fail "assert_json: jq '$expr' on $file failed: $got"
	fi
	if [[ "$got" != "$want" ]]; then
		printf -- '--- %s\n' "$file" >&2
		sed -n '1,200p' "$file" >&2
		fail "json $expr: expected '$want', got '$got'"
	fi
	_lab_say "ok: json $expr = '$got'"
}

# assert_status EXPECTED CMD...: run CMD (in this namespace; wrap with
# lab_host to run it in the host), its exit status must be EXPECTED.
assert_status()
{
	local want=$1 got=0
	shift
	"$@" || got=$?
	[[ "$got" == "$want" ]] || fail "exit status of '$*': expected $want, got $got"
	_lab_say "ok: '$*' exited $got"
}

# --- running things in namespaces ---------------------------------------------

# lab_exec NS CMD...: run CMD in namespace NS of this run, bounded by
# LAB_CMD_TIMEOUT (exit 124 when it ran out). stdin/stdout/stderr are the
# caller's.
lab_exec()
{
	local ns=$1
	shift
	[[ -n "$ns" ]] || fail "lab_exec: this topology has no such namespace (run: $*)"
	timeout --kill-after=2 "$LAB_CMD_TIMEOUT" ip netns exec "$ns" "$@"
}
lab_host() { lab_exec "${NS_HOST:-}" "$@"; }
lab_router() { lab_exec "${NS_ROUTER:-}" "$@"; }
lab_isp() { lab_exec "${NS_ISP:-}" "$@"; }
lab_core() { lab_exec "${NS_CORE:-}" "$@"; }
lab_srv() { lab_exec "${NS_SRV:-}" "$@"; }

# lab_natdoctor OUT ARGS...: run "$NATDOCTOR ARGS" in the host namespace,
# stdout to OUT, stderr to OUT.stderr (and echoed). Returns natdoctor's exit
# status without tripping set -e, so: lab_natdoctor f check --json || rc=$?
lab_natdoctor()
{
	local out=$1 rc=0
	shift
	[[ -x "$NATDOCTOR" ]] || fail "natdoctor binary not found: $NATDOCTOR (set NATDOCTOR)"
	lab_host "$NATDOCTOR" "$@" >"$out" 2>"$out.stderr" || rc=$?
	if [[ -s "$out.stderr" ]]; then
		sed 's/^/natdoctor stderr: /' "$out.stderr" >&2
	fi
	_lab_say "natdoctor $* -> exit $rc ($(wc -c <"$out") bytes of stdout)"
	return "$rc"
}

# --- daemons ----------------------------------------------------------------

declare -gA LAB_PIDS=()

# lab_daemon NAME NS CMD...: start CMD in namespace NS in the background,
# stdout and stderr to $LAB_DIR/NAME.log, capped at LAB_DAEMON_MAX_SECONDS
# so even a SIGKILLed test leaves nothing running for long. lab_down (and
# the EXIT trap) stops it. NAME must be unique among running daemons.
lab_daemon()
{
	local name=$1 ns=$2
	shift 2
	[[ -z "${LAB_PIDS[$name]:-}" ]] || fail "lab_daemon: '$name' is already running"
	# timeout(1) forwards TERM to the daemon and is the pid we keep.
	timeout --kill-after=2 "$LAB_DAEMON_MAX_SECONDS" ip netns exec "$ns" "$@" \
		</dev/null >>"$LAB_DIR/$name.log" 2>&1 &
	LAB_PIDS[$name]=$!
}

# lab_daemon_stop NAME: TERM, wait up to 2 s, then KILL. Silent if not running.
lab_daemon_stop()
{
	local name=$1 pid i
	pid=${LAB_PIDS[$name]:-}
	[[ -n "$pid" ]] || return 0
	unset "LAB_PIDS[$name]"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# True if a socket of PROTO (udp|tcp) is bound or listening on PORT in NS
# (on ADDR if given).
_lab_bound()
{
	local ns=$1 proto=$2 port=$3 addr=${4:-} flag=-Hlnu
	[[ "$proto" == tcp ]] && flag=-Hlnt
	ip netns exec "$ns" ss "$flag" "sport = :$port" 2>/dev/null |
		awk -v a="$addr" 'a == "" || index($4, a ":") == 1 || index($4, "[" a "]:") == 1 { f = 1 } END { exit !f }'
}

# lab_wait_port NS udp|tcp PORT [SECONDS] [ADDR]: wait until something binds
# PORT in NS; fail with a clear message after SECONDS (LAB_WAIT_TIMEOUT).
lab_wait_port()
{
	local ns=$1 proto=$2 port=$3 secs=${4:-$LAB_WAIT_TIMEOUT} addr=${5:-} deadline
	deadline=$(($(lab_ms) + secs * 1000))
	until _lab_bound "$ns" "$proto" "$port" "$addr"; do
		if (($(lab_ms) > deadline)); then
			fail "nothing bound $proto ${addr:+$addr:}$port in $ns within ${secs}s (see the daemon logs below)"
		fi
		sleep 0.01
	done
}

# --- teardown and traps ---------------------------------------------------------

# _lab_ns_with_prefix ID: the namespaces named "ID-...", one a line.
_lab_ns_with_prefix()
{
	ip netns list 2>/dev/null | awk -v p="$1-" 'index($1, p) == 1 { print $1 }'
}

# lab_namespaces: the names of this run's namespaces that exist now, one a line.
lab_namespaces()
{
	[[ -z "${LAB_ID:-}" ]] || _lab_ns_with_prefix "$LAB_ID"
}

# _lab_end_run ID [PID...]: TERM the PIDs and every process inside the
# namespaces "ID-..." (by pid, from `ip netns pids`: nothing outside them),
# wait up to 2 s, KILL what is left, delete those namespaces.
_lab_end_run()
{
	local id=$1 ns pid pids=() i alive
	shift
	for pid in "$@"; do
		kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
	done
	while read -r ns; do
		[[ -n "$ns" ]] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
		done
	done < <(_lab_ns_with_prefix "$id")
	for ((i = 0; i < 100; i++)); do
		alive=0
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1 && break
		done
		((alive)) || break
		sleep 0.02
	done
	for pid in "${pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	while read -r ns; do
		[[ -n "$ns" ]] || continue
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done < <(_lab_ns_with_prefix "$id")
}

# lab_down: stop every daemon this run started, end whatever else still runs
# inside this run's namespaces (by pid: the namespaces are ours), delete the
# namespaces. Safe to call twice; lab_up can follow it.
lab_down()
{
	local pid children=("${LAB_PIDS[@]}")
	LAB_PIDS=()
	[[ -z "${LAB_ID:-}" ]] || _lab_end_run "$LAB_ID" "${children[@]}"
	for pid in "${children[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_TOPOLOGY=''
}

# Print what a failed test needs: every daemon log, and the state of the
# namespaces while they still exist.
_lab_dump()
{
	local f ns
	[[ -d "${LAB_DIR:-}" ]] || return 0
	{
		echo
		echo "==== lab state at failure (run $LAB_ID, topology ${LAB_TOPOLOGY:-none})"
		while read -r ns; do
			[[ -n "$ns" ]] || continue
			echo "---- $ns: addresses, routes, nftables"
			ip -n "$ns" -br addr 2>&1
			ip -n "$ns" route 2>&1
			ip -n "$ns" -6 route 2>&1 | grep -v '^fe80::/64'
			ip netns exec "$ns" nft list ruleset 2>&1
		done < <(lab_namespaces)
		for f in "$LAB_DIR"/*.log; do
			[[ -e "$f" ]] || continue
			echo "---- $(basename "$f") (last 80 lines)"
			tail -n 80 "$f"
		done
		echo "==== end of lab state"
	} >&2
}

_lab_on_exit()
{
	local rc=$?
	trap - EXIT INT TERM ERR
	set +e
	if ((rc != 0)); then
		_lab_dump
	fi
	lab_down
	if [[ -d "${LAB_DIR:-}" ]]; then
		if [[ "${LAB_KEEP:-}" == 1 ]]; then
			echo "lab: kept $LAB_DIR" >&2
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	exit "$rc"
}

_lab_on_err()
{
	local rc=$? line=$1 cmd=$2
	# Only when set -e is about to end the test; with set -E the trap fires
	# again in every caller: say it once, deepest.
	[[ $- == *e* && -z "${_LAB_ERR_SHOWN:-}" ]] || return 0
	_LAB_ERR_SHOWN=1
	printf 'lab: command failed (exit %s) at %s:%s: %s\n' "$rc" \
		"${BASH_SOURCE[1]:-?}" "$line" "$cmd" >&2
}

# A run that was SIGKILLed (no trap ran) leaves its namespaces and daemons
# behind (the daemons end by themselves after LAB_DAEMON_MAX_SECONDS). A run
# is stale when its temp dir's owner pid is gone: then nothing can be using
# its namespaces, so end what still runs inside them (by pid, found with
# `ip netns pids`, nothing outside them) and delete them. A live run, or one
# whose owner pid was reused, is left alone.
_lab_sweep_stale()
{
	local d id owner
	for d in /tmp/natdoctor-lab.nd?????; do
		[[ -f "$d/owner" ]] || continue
		owner=$(<"$d/owner")
		[[ "$owner" =~ ^[0-9]+$ ]] || continue
		kill -0 "$owner" 2>/dev/null && continue
		id=${d##*.}
		_lab_end_run "$id"
		rm -rf "$d"
		echo "lab: removed stale run $id (its owner pid $owner is gone)" >&2
	done
}

_lab_init()
{
	local c=abcdefghijklmnopqrstuvwxyz0123456789 id i tool
	if ((EUID != 0)); then
		echo "lab: skipped: the lab needs root (network namespaces, nftables)" >&2
		exit 77
	fi
	for tool in ip nft ss jq timeout; do
		command -v "$tool" >/dev/null || fail "lab: '$tool' is missing: run scripts/deps.sh"
	done
	_lab_sweep_stale
	for ((;;)); do
		id=nd
		for i in 1 2 3 4 5; do
			id+=${c:SRANDOM % 36:1}
		done
		[[ -e "/tmp/natdoctor-lab.$id" ]] || [[ -n "$(ip netns list | awk -v p="$id-" 'index($1, p) == 1')" ]] || break
	done
	LAB_ID=$id
	LAB_DIR=/tmp/natdoctor-lab.$LAB_ID
	mkdir -m 700 "$LAB_DIR"
	echo $$ >"$LAB_DIR/owner"
	export LAB_ID LAB_DIR
	trap _lab_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap '_lab_on_err $LINENO "$BASH_COMMAND"' ERR
}

# --- building blocks ----------------------------------------------------------

# _lab_ns ROLE [router]: create namespace $LAB_ID-ROLE with lo up, no DAD
# (addresses usable at once) and, for a router, forwarding on.
_lab_ns()
{
	local ns=$LAB_ID-$1 fwd=0
	[[ "${2:-}" == router ]] && fwd=1
	ip netns add "$ns"
	# sysctl before any link exists, so "default" applies to the links too.
	ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=$fwd \
		net.ipv6.conf.all.forwarding=$fwd net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
	# ICMP rate limits off: real routers keep them (1 error per second per
	# destination after a burst of 6), but tests run check several times in
	# a row and must see the same "port unreachable" and "time exceeded"
	# each time. What check does when ICMP is missing is the blackhole
	# topology's job.
	ip -n "$ns" link set lo up
}

# _lab_link NS_A IF_A NS_B IF_B: a veth pair made inside the namespaces
# (never in the root namespace), both ends up.
_lab_link()
{
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# _lab_ip NS <<EOF ... EOF: one `ip -batch` per namespace (one fork, not ten).
_lab_ip()
{
	ip -n "$1" -batch -
}

_lab_nft()
{
	ip netns exec "$1" nft -f -
}

# The shared "internet": core router + server namespace with coturn (and
# the stranger PEER_IP, and the hostile responders' addresses).
_lab_internet()
{
	NS_CORE=$LAB_ID-core
	NS_SRV=$LAB_ID-srv
	_lab_ns core router
	_lab_ns srv
	_lab_link "$NS_CORE" srv "$NS_SRV" eth0
	_lab_ip "$NS_CORE" <<-EOF
		addr add $LAB_CORE_SRV/24 dev srv
		addr add $LAB_CORE_SRV6/64 dev srv nodad
	EOF
	_lab_ip "$NS_SRV" <<-EOF
		addr add $COTURN_A/24 dev eth0
		addr add $COTURN_B/24 dev eth0
		addr add $HOSTILE_A_ADDR/24 dev eth0
		addr add $HOSTILE_B_ADDR/24 dev eth0
		addr add $PEER_IP/24 dev eth0
		addr add $COTURN_A6/64 dev eth0 nodad
		addr add $COTURN_B6/64 dev eth0 nodad
		addr add $PEER_IP6/64 dev eth0 nodad
		route add default via $LAB_CORE_SRV
		route add default via $LAB_CORE_SRV6
	EOF
	# RFC 5780 needs two addresses and two ports: A:3478 A:3479 B:3478 B:3479.
	lab_daemon coturn "$NS_SRV" turnserver -n --stun-only --no-cli --no-tls --no-dtls \
		--listening-ip="$COTURN_A" --listening-ip="$COTURN_B" \
		--listening-ip="$COTURN_A6" --listening-ip="$COTURN_B6" \
		--listening-port="$STUN_PORT" --alt-listening-port="$STUN_ALT_PORT" \
		--pidfile="$LAB_DIR/coturn.pid" --db="$LAB_DIR/coturn.sqlite" \
		--log-file=stdout --simple-log
}

# _lab_edge UPLINK_IF SUBNET3 NS IF: link NS to the core router as the
# /24 11.0.SUBNET3.0 (core .1, NS .2) and its IPv6 twin 2a00:11:SUBNET3::/64.
_lab_uplink()
{
	local core_if=$1 net=$2 ns=$3 if=$4
	_lab_link "$NS_CORE" "$core_if" "$ns" "$if"
	_lab_ip "$NS_CORE" <<-EOF
		addr add 11.0.$net.1/24 dev $core_if
		addr add 2a00:11:$net::1/64 dev $core_if nodad
	EOF
}

# A router namespace with a LAN to the host namespace: router lan .1, host .10.
# The host gets its address and default route; the router's WAN is set up
# by the caller.
_lab_lan()
{
	local rns=$1 lan4=$2 lan6=${3:-}
	_lab_link "$rns" lan "$NS_HOST" eth0
	_lab_ip "$rns" <<-EOF
		addr add $lan4.1/24 dev lan
	EOF
	_lab_ip "$NS_HOST" <<-EOF
		addr add $lan4.10/24 dev eth0
		route add default via $lan4.1
	EOF
	if [[ -n "$lan6" ]]; then
		_lab_ip "$rns" <<<"addr add $lan6::1/64 dev lan nodad"
		_lab_ip "$NS_HOST" <<-EOF
			addr add $lan6::10/64 dev eth0 nodad
			route add default via $lan6::1
		EOF
	fi
}

# The host namespace's /etc/hosts and resolv.conf (ip netns exec binds
# /etc/netns/NS/* over /etc/*): names for the lab servers, and a resolver
# inside the lab, so a name lookup never leaves it. Nothing answers DNS at
# that address: lookups of other names fail at once (ICMP port unreachable).
_lab_host_etc()
{
	local d=/etc/netns/$NS_HOST
	mkdir -p "$d"
	cat >"$d/hosts" <<-EOF
		127.0.0.1 localhost
		::1 localhost
		$COTURN_A stun-a.lab coturn-a.lab
		$COTURN_B stun-b.lab coturn-b.lab
		$COTURN_A6 stun-a.lab coturn-a.lab
		$COTURN_B6 stun-b.lab coturn-b.lab
		$HOSTILE_A_ADDR hostile-a.lab
		$HOSTILE_B_ADDR hostile-b.lab
		$PEER_IP peer.lab
	EOF
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$PEER_IP" >"$d/resolv.conf"
}

# Home router rules: the tables miniupnpd 2.3.1 expects (Debian's
# nft_init.sh cannot create them: the file it sources is missing) plus
# masquerade. Stateful: inbound only as replies or through miniupnpd's chain.
# IPv6 is routed, not translated, through the same forward chain.
_lab_nft_home()
{
	_lab_nft "$1" <<-'EOF'
		table inet filter {
			chain miniupnpd { }
			chain prerouting_miniupnpd { }
			chain postrouting_miniupnpd { }
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				iifname "lan" accept
				jump miniupnpd
			}
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				jump prerouting_miniupnpd
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				jump postrouting_miniupnpd
				meta nfproto ipv4 oifname "wan" masquerade
			}
		}
	EOF
}

# A plain NAT router: MASQ_ARGS "" (endpoint-independent mapping,
# address-and-port-dependent filtering: Linux's default) or "random,fully-random"
# (a fresh port per destination: symmetric).
_lab_nft_nat()
{
	_lab_nft "$1" <<-EOF
		table inet nd {
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				iifname "lan" accept
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				meta nfproto ipv4 oifname "wan" masquerade $2
			}
		}
	EOF
}

# The router's miniupnpd config and start. secure_mode: a client maps only
# to itself; system_uptime=no: the PCP/NAT-PMP epoch is the daemon's uptime,
# so lab_router_reboot really resets it (namespaces share the kernel's).
_lab_miniupnpd_conf()
{
	cat >"$LAB_DIR/miniupnpd.conf" <<-EOF
		ext_ifname=wan
		listening_ip=lan
		http_port=5000
		enable_upnp=yes
		enable_natpmp=yes
		secure_mode=yes
		system_uptime=no
		notify_interval=60
		clean_ruleset_interval=600
		min_lifetime=120
		max_lifetime=86400
		uuid=$(cat /proc/sys/kernel/random/uuid)
		friendly_name=natdoctor lab router $LAB_ID
		${_LAB_MINIUPNPD_EXTRA:-}
		allow 1024-65535 192.168.1.0/24 1024-65535
		deny 0-65535 0.0.0.0/0 0-65535
	EOF
}

_lab_miniupnpd_start()
{
	lab_daemon miniupnpd "$NS_ROUTER" miniupnpd -d -f "$LAB_DIR/miniupnpd.conf" \
		-P "$LAB_DIR/miniupnpd.pid"
}

_lab_miniupnpd_wait()
{
	lab_wait_port "$NS_ROUTER" udp 5351 "$LAB_WAIT_TIMEOUT" "$ROUTER_LAN"
	lab_wait_port "$NS_ROUTER" tcp 5000
	lab_wait_port "$NS_ROUTER" udp 1900
}

# Warn if a system miniupnpd runs in the root namespace (scripts/deps.sh
# disables the Debian service): it is harmless to the lab but a sign that
# the machine is not what the tests assume.
_lab_check_system_miniupnpd()
{
	local pid self
	self=$(readlink /proc/self/ns/net)
	for pid in $(pgrep -x miniupnpd 2>/dev/null); do
		if [[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" == "$self" ]]; then
			echo "lab: warning: a miniupnpd (pid $pid) runs in the root namespace;" \
				"scripts/deps.sh disables the Debian service" >&2
		fi
	done
}

# The hostile responders: PCP/NAT-PMP on the router's LAN port 5351, STUN on
# HOSTILE_A/B ports 3478/3479 in the server namespace.
_lab_hostile_start()
{
	local mode=$1
	[[ -x "$LAB_HOSTILE_BIN" ]] || fail "hostile responder not built: $LAB_HOSTILE_BIN (set ND_BUILD_DIR)"
	lab_daemon hostile-gw "$NS_ROUTER" "$LAB_HOSTILE_BIN" --mode "$mode" \
		--gateway "$ROUTER_LAN:5351" --host-ip "$HOST_IP" --external "$ROUTER_WAN" \
		--max-seconds "$LAB_DAEMON_MAX_SECONDS"
	lab_daemon hostile-stun "$NS_SRV" "$LAB_HOSTILE_BIN" --mode "$mode" \
		--stun "$HOSTILE_A_ADDR:$STUN_PORT" --stun "$HOSTILE_A_ADDR:$STUN_ALT_PORT" \
		--stun "$HOSTILE_B_ADDR:$STUN_PORT" --stun "$HOSTILE_B_ADDR:$STUN_ALT_PORT" \
		--host-ip "$HOST_IP" --other-address "$HOSTILE_B_ADDR:$STUN_ALT_PORT" \
		--max-seconds "$LAB_DAEMON_MAX_SECONDS"
}

_lab_hostile_wait()
{
	lab_wait_port "$NS_ROUTER" udp 5351 "$LAB_WAIT_TIMEOUT" "$ROUTER_LAN"
	lab_wait_port "$NS_SRV" udp "$STUN_ALT_PORT" "$LAB_WAIT_TIMEOUT" "$HOSTILE_B_ADDR"
}

# --- topologies -------------------------------------------------------------------

_lab_reset_vars()
{
	NS_HOST='' NS_ROUTER='' NS_ISP='' NS_CORE='' NS_SRV=''
	HOST_IP='' HOST_IP6='' HOST_IF=eth0 HOST_GW=''
	ROUTER_LAN='' ROUTER_WAN='' ROUTER_LAN6='' ROUTER_WAN6=''
	ISP_LAN='' ISP_WAN='' PUBLIC_IP='' STUN_A=$COTURN_A STUN_B=$COTURN_B
	HOSTILE_A='' HOSTILE_B=''
	LAB_NAT_LAYERS='' LAB_MAPPING='' LAB_FILTERING='' LAB_GATEWAY_PROTOCOLS=''
}

# A host with a public address on a link of the core router: no NAT at all.
_lab_topo_public()
{
	NS_HOST=$LAB_ID-host
	_lab_ns host
	_lab_uplink host 1 "$NS_HOST" eth0
	HOST_IP=11.0.1.10 HOST_IP6=2a00:11:1::10 HOST_GW=11.0.1.1 PUBLIC_IP=$HOST_IP
	_lab_ip "$NS_HOST" <<-EOF
		addr add $HOST_IP/24 dev eth0
		addr add $HOST_IP6/64 dev eth0 nodad
		route add default via 11.0.1.1
		route add default via 2a00:11:1::1
	EOF
	LAB_NAT_LAYERS=0 LAB_MAPPING=none LAB_FILTERING=none
}

# Router namespace with WAN 11.0.2.2 on the core and LAN 192.168.1.0/24 to
# the host; $1 = "v6" to route 2a00:11:3::/64 to the LAN as well.
_lab_router_behind_core()
{
	NS_HOST=$LAB_ID-host NS_ROUTER=$LAB_ID-router
	_lab_ns host
	_lab_ns router router
	_lab_uplink rtr 2 "$NS_ROUTER" wan
	ROUTER_WAN=11.0.2.2 ROUTER_LAN=192.168.1.1 HOST_IP=192.168.1.10 HOST_GW=192.168.1.1
	PUBLIC_IP=$ROUTER_WAN
	_lab_ip "$NS_ROUTER" <<-EOF
		addr add $ROUTER_WAN/24 dev wan
		route add default via 11.0.2.1
	EOF
	if [[ "${1:-}" == v6 ]]; then
		ROUTER_WAN6=2a00:11:2::2 ROUTER_LAN6=2a00:11:3::1 HOST_IP6=2a00:11:3::10
		_lab_ip "$NS_ROUTER" <<-EOF
			addr add $ROUTER_WAN6/64 dev wan nodad
			route add default via 2a00:11:2::1
		EOF
		_lab_ip "$NS_CORE" <<<"route add 2a00:11:3::/64 via $ROUTER_WAN6"
		_lab_lan "$NS_ROUTER" 192.168.1 2a00:11:3
	else
		_lab_lan "$NS_ROUTER" 192.168.1
	fi
}

# The home router's NAT and miniupnpd, in NS_ROUTER (home and cgnat).
_lab_home_router()
{
	_lab_nft_home "$NS_ROUTER"
	_lab_miniupnpd_conf
	_lab_miniupnpd_start
	LAB_MAPPING=endpoint-independent LAB_FILTERING=address-and-port-dependent
	LAB_GATEWAY_PROTOCOLS="upnp natpmp pcp"
}

_lab_topo_home()
{
	_lab_router_behind_core v6
	_lab_home_router
	LAB_NAT_LAYERS=1
}

# Provider CGNAT (WAN 11.0.4.2, inside 100.64.0.1/24) in front of the same
# home router, whose WAN is now 100.64.0.2.
_lab_topo_cgnat()
{
	NS_HOST=$LAB_ID-host NS_ROUTER=$LAB_ID-router NS_ISP=$LAB_ID-isp
	_lab_ns host
	_lab_ns router router
	_lab_ns isp router
	_lab_uplink isp 4 "$NS_ISP" wan
	_lab_link "$NS_ISP" lan "$NS_ROUTER" wan
	ISP_WAN=11.0.4.2 ISP_LAN=100.64.0.1 ROUTER_WAN=100.64.0.2
	ROUTER_LAN=192.168.1.1 HOST_IP=192.168.1.10 HOST_GW=192.168.1.1 PUBLIC_IP=$ISP_WAN
	_lab_ip "$NS_ISP" <<-EOF
		addr add $ISP_WAN/24 dev wan
		addr add $ISP_LAN/24 dev lan
		route add default via 11.0.4.1
	EOF
	_lab_ip "$NS_ROUTER" <<-EOF
		addr add $ROUTER_WAN/24 dev wan
		route add default via $ISP_LAN
	EOF
	_lab_lan "$NS_ROUTER" 192.168.1
	_lab_nft_nat "$NS_ISP" ""
	_lab_home_router
	LAB_NAT_LAYERS=2
}

_lab_topo_symmetric()
{
	_lab_router_behind_core
	_lab_nft_nat "$NS_ROUTER" "random,fully-random"
	LAB_NAT_LAYERS=1 LAB_MAPPING=address-and-port-dependent
	LAB_FILTERING=address-and-port-dependent
}

# Address-dependent filtering (RFC 4787 §5): endpoint-independent mapping
# (masquerade keeps the host's port), and inbound UDP from an address the
# host has sent to, from any port, reaches the host: the forward chain
# records (remote address, host port) in a set for 120 s and prerouting
# sends matching WAN packets to the host. Other addresses are dropped.
_lab_topo_adf()
{
	_lab_router_behind_core
	_lab_nft "$NS_ROUTER" <<-EOF
		table ip nd {
			set contacted {
				type ipv4_addr . inet_service
				flags dynamic, timeout
				timeout 120s
			}
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				iifname "wan" meta l4proto udp ip saddr . udp dport @contacted dnat to $HOST_IP
			}
			chain forward {
				type filter hook forward priority filter; policy drop;
				iifname "lan" meta l4proto udp update @contacted { ip daddr . udp sport }
				ct state established,related accept
				iifname "lan" accept
				iifname "wan" ct status dnat accept
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan" masquerade
			}
		}
	EOF
	LAB_NAT_LAYERS=1 LAB_MAPPING=endpoint-independent LAB_FILTERING=address-dependent
}

# DMZ: everything that arrives on the WAN and is not a reply goes to the host.
_lab_topo_dmz()
{
	_lab_router_behind_core
	_lab_nft "$NS_ROUTER" <<-EOF
		table ip nd {
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				iifname "wan" dnat to $HOST_IP
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan" masquerade
			}
		}
	EOF
	LAB_NAT_LAYERS=1 LAB_MAPPING=endpoint-independent LAB_FILTERING=endpoint-independent
}

# A router that answers nothing: TCP and UDP from the LAN to the router
# itself (NAT-PMP/PCP 5351, SSDP 1900, any UPnP HTTP port) and STUN through
# it are dropped without a word; ping and everything else still work.
_lab_topo_blackhole()
{
	_lab_router_behind_core
	_lab_nft "$NS_ROUTER" <<-EOF
		table inet nd {
			chain input {
				type filter hook input priority filter; policy accept;
				iifname "lan" meta l4proto { tcp, udp } drop
			}
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				iifname "lan" udp dport { $STUN_PORT, $STUN_ALT_PORT } drop
				iifname "lan" accept
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				meta nfproto ipv4 oifname "wan" masquerade
			}
		}
	EOF
	LAB_NAT_LAYERS=1 LAB_MAPPING=unknown LAB_FILTERING=unknown
}

# An ordinary NAT whose UDP 5351 is served by the hostile responder, and
# whose host is pointed at hostile "STUN servers" (coturn still runs at
# COTURN_A/B for comparison).
_lab_topo_hostile()
{
	_lab_router_behind_core
	_lab_nft_nat "$NS_ROUTER" ""
	HOSTILE_A=$HOSTILE_A_ADDR HOSTILE_B=$HOSTILE_B_ADDR
	STUN_A=$HOSTILE_A STUN_B=$HOSTILE_B
	_lab_hostile_start "$LAB_HOSTILE_MODE"
	LAB_NAT_LAYERS=1 LAB_MAPPING=endpoint-independent
	LAB_FILTERING=address-and-port-dependent LAB_GATEWAY_PROTOCOLS=hostile
}

# --- layouts from outside our first lab (issue 10) -----------------------------

# cgnat, but the home router learns its WAN address by STUN (miniupnpd
# ext_perform_stun, as OpenWrt does): it reports the CGNAT's public address
# over NAT-PMP and UPnP although its own WAN is 100.64.0.2.
_lab_topo_cgnatstun()
{
	_LAB_MINIUPNPD_EXTRA="ext_perform_stun=yes
ext_stun_host=$COTURN_A
ext_stun_port=$STUN_PORT"
	_lab_topo_cgnat
	_LAB_MINIUPNPD_EXTRA=''
}

# cgnat, but the provider's router sends no ICMP time-exceeded: the path
# shows a silent hop 2 before the first public router.
_lab_topo_silentisp()
{
	_lab_topo_cgnat
	_lab_nft "$NS_ISP" <<-'EOF'
		table inet silent {
			chain output {
				type filter hook output priority filter; policy accept;
				icmp type time-exceeded drop
			}
		}
	EOF
}

# A UDP "full cone": every UDP datagram that reaches the WAN goes to the
# host (endpoint-independent filtering for UDP), while TCP is only
# masqueraded: an unsolicited TCP connection to 30333 finds nothing.
_lab_topo_fullcone()
{
	_lab_router_behind_core
	_lab_nft "$NS_ROUTER" <<-EOF
		table ip nd {
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				iifname "wan" meta l4proto udp dnat to $HOST_IP
			}
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				iifname "lan" accept
				iifname "wan" meta l4proto udp ip daddr $HOST_IP accept
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan" masquerade
			}
		}
	EOF
	LAB_NAT_LAYERS=1 LAB_MAPPING=endpoint-independent LAB_FILTERING=endpoint-independent
}

# The public host with a stateful input filter of its own: replies and ICMP
# errors get in, nothing unsolicited does (TCP 30333 included).
_lab_topo_firewalled()
{
	_lab_topo_public
	_lab_nft "$NS_HOST" <<-'EOF'
		table inet fw {
			chain input {
				type filter hook input priority filter; policy drop;
				iifname "lo" accept
				ct state established,related accept
			}
		}
	EOF
	LAB_FILTERING=address-and-port-dependent
}

# The home router, but PCP is dropped without a word (first payload byte
# 2 on UDP 5351): a NAT-PMP-only router whose PCP never answers.
# lab_router_drop_pcp: the router drops PCP (version-2 datagrams to 5351,
# table inet nopcp) and keeps NAT-PMP; `lab_router nft delete table inet
# nopcp` undoes it.
lab_router_drop_pcp()
{
	_lab_nft "$NS_ROUTER" <<-'EOF'
		table inet nopcp {
			chain input {
				type filter hook input priority -10; policy accept;
				udp dport 5351 @ih,0,8 2 drop
			}
		}
	EOF
}

_lab_topo_natpmponly()
{
	_lab_topo_home
	lab_router_drop_pcp
	LAB_GATEWAY_PROTOCOLS="upnp natpmp"
}

# NAT66: the LAN is a ULA (fd00:1::/64) and the router masquerades IPv6 too,
# behind its global 2a00:11:2::2; IPv4 as in symmetric's router but with
# ordinary masquerade. No gateway protocol.
_lab_topo_nat66()
{
	_lab_router_behind_core
	ROUTER_WAN6=2a00:11:2::2 ROUTER_LAN6=fd00:1::1 HOST_IP6=fd00:1::10
	_lab_ip "$NS_ROUTER" <<-EOF
		addr add $ROUTER_WAN6/64 dev wan nodad
		route add default via 2a00:11:2::1
		addr add $ROUTER_LAN6/64 dev lan nodad
	EOF
	_lab_ip "$NS_HOST" <<-EOF
		addr add $HOST_IP6/64 dev eth0 nodad
		route add default via $ROUTER_LAN6
	EOF
	_lab_nft "$NS_ROUTER" <<-'EOF'
		table inet nd {
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				iifname "lan" accept
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan" masquerade
			}
		}
	EOF
	LAB_NAT_LAYERS=1 LAB_MAPPING=endpoint-independent LAB_FILTERING=address-and-port-dependent
}

# lab_up TOPOLOGY: build one topology of this run (lab_down first to switch),
# start its daemons and wait until each has bound its ports. Sets and
# exports the variables listed at the top. Sets LAB_UP_MS to how long it took.
lab_up()
{
	local topo=$1 t0
	[[ " $LAB_TOPOLOGIES " == *" $topo "* ]] || fail "lab_up: unknown topology '$topo' (one of: $LAB_TOPOLOGIES)"
	[[ -z "${LAB_TOPOLOGY:-}" ]] || fail "lab_up $topo: '$LAB_TOPOLOGY' is still up; call lab_down first"
	command -v turnserver >/dev/null || fail "lab: coturn's turnserver is missing: run scripts/deps.sh"
	t0=$(lab_ms)
	_lab_reset_vars
	LAB_TOPOLOGY=$topo
	_lab_internet
	"_lab_topo_$topo"
	_lab_host_etc
	# Wait for every daemon at the end, so they start side by side.
	lab_wait_port "$NS_SRV" udp "$STUN_ALT_PORT" "$LAB_WAIT_TIMEOUT" "$COTURN_B"
	case $topo in
	home | cgnat | silentisp | natpmponly)
		_lab_check_system_miniupnpd && _lab_miniupnpd_wait
		;;
	cgnatstun)
		# miniupnpd binds nothing until its STUN test has waited out the
		# CHANGE-REQUEST answers the CGNAT filters: about 6 s.
		_lab_check_system_miniupnpd && LAB_WAIT_TIMEOUT=15 _lab_miniupnpd_wait
		;;
	hostile) _lab_hostile_wait ;;
	esac
	LAB_UP_MS=$(($(lab_ms) - t0))
	export LAB_TOPOLOGY LAB_UP_MS NS_HOST NS_ROUTER NS_ISP NS_CORE NS_SRV HOST_IP HOST_IP6 HOST_IF \
		HOST_GW ROUTER_LAN ROUTER_WAN ROUTER_LAN6 ROUTER_WAN6 ISP_LAN ISP_WAN PUBLIC_IP \
		STUN_A STUN_B HOSTILE_A HOSTILE_B LAB_NAT_LAYERS LAB_MAPPING LAB_FILTERING \
		LAB_GATEWAY_PROTOCOLS
	_lab_say "$topo up in $LAB_UP_MS ms: host $HOST_IP${HOST_IP6:+ $HOST_IP6}, public $PUBLIC_IP, STUN $STUN_A $STUN_B (run $LAB_ID)"
}

# lab_router_forget: the router drops every port mapping without telling
# anyone (miniupnpd's three nftables chains flushed; miniupnpd, if running,
# still believes in them).
lab_router_forget()
{
	_lab_nft "$NS_ROUTER" <<-'EOF'
		flush chain inet filter miniupnpd
		flush chain inet filter prerouting_miniupnpd
		flush chain inet filter postrouting_miniupnpd
	EOF
}

# lab_router_rules PATTERN: how many rules in miniupnpd's chains (filter and
# DNAT) match PATTERN (grep) now.
lab_router_rules()
{
	{
		lab_router nft list chain inet filter prerouting_miniupnpd
		lab_router nft list chain inet filter miniupnpd
	} | grep -c -e "$1" || true
}

# lab_reach PORT: 0 when a TCP connect from the servers' namespace to the
# router's WAN address (PUBLIC_IP) and PORT gets the node's greeting "node"
# (a socat listener in the host: SYSTEM:'echo node').
lab_reach()
{
	[[ "$(lab_srv timeout 2 socat -T1 -u "TCP:$PUBLIC_IP:$1,connect-timeout=1" - 2>/dev/null)" == node ]]
}

# lab_router_reboot: what a home router's power cycle does to its port
# mappings: miniupnpd stops, its nftables chains are flushed (it never
# removes its own rules when killed), it starts again with a fresh epoch.
# Conntrack entries survive (no conntrack tool here): flows already open
# keep working, as they would not after a real reboot.
# lab_router_down / lab_router_up: the same in two halves, for a router that
# stays away a while (up waits for the ports its config serves).
lab_router_reboot()
{
	lab_router_down
	lab_router_up
	_lab_say "router rebooted (miniupnpd restarted, its chains flushed)"
}

lab_router_down()
{
	[[ "${LAB_GATEWAY_PROTOCOLS:-}" == "upnp natpmp pcp" || "${LAB_GATEWAY_PROTOCOLS:-}" == upnp ]] ||
		fail "lab_router_down: topology '${LAB_TOPOLOGY:-none}' has no miniupnpd"
	lab_daemon_stop miniupnpd
	lab_router_forget
	echo "---- lab_router_down at $(date +%T.%N)" >>"$LAB_DIR/miniupnpd.log"
}

lab_router_up()
{
	_lab_miniupnpd_start
	if [[ "$LAB_GATEWAY_PROTOCOLS" == upnp ]]; then
		lab_wait_port "$NS_ROUTER" tcp 5000
		lab_wait_port "$NS_ROUTER" udp 1900
	else
		_lab_miniupnpd_wait
	fi
}

# lab_wait_until MS CMD...: run CMD every 20 ms until it succeeds, for up to
# MS ms; 0 if it did.
lab_wait_until()
{
	local ms=$1 t0
	shift
	t0=$(lab_ms)
	until "$@"; do
		(($(lab_ms) - t0 < ms)) || return 1
		sleep 0.02
	done
}

# lab_upnp_igd CLIENT add|get|del PORT [LEASE [v1]]: one UPnP IGD call to
# the gateway from the host, as CLIENT (tests/lab/upnp_igd.c).
lab_upnp_igd()
{
	lab_host "${LAB_UPNP_IGD_BIN:-$LAB_BUILD_DIR/tests/lab_upnp_igd}" "$HOST_GW" "$@"
}

# lab_upnp_device MODE: the home router's miniupnpd replaced by a scripted
# UPnP device, tests/lab/ssdp_liar.py --desc MODE (permanent: an IGDv1 that
# allows only permanent leases; strict2: an IGDv2 whose AddAnyPortMapping
# gives the lowest free port), on the gateway's SSDP port and HTTP 5000,
# external address PUBLIC_IP; its log is $LAB_DIR/igd.log ("soap ACTION
# ARGS -> CODE" a call). lab_upnp_device_get PATH: its control page
# (table, forget, forget/PORT, external/ADDR). lab_upnp_device_hold CLIENT
# PORT LEASE: AddPortMapping by hand for CLIENT (another LAN host).
lab_upnp_device()
{
	lab_daemon_stop miniupnpd
	lab_daemon igd "$NS_ROUTER" python3 "$LAB_SOURCE_DIR/tests/lab/ssdp_liar.py" --desc "$1" \
		--lan-ip "$HOST_GW" --third-party "$PEER_IP" --http-port 5000 --external "$PUBLIC_IP" \
		--max-seconds "$LAB_DAEMON_MAX_SECONDS"
	lab_wait_port "$NS_ROUTER" udp 1900
	lab_wait_port "$NS_ROUTER" tcp 5000
}

lab_upnp_device_get()
{
	lab_host curl -sf "http://$HOST_GW:5000/$1"
}

lab_upnp_device_hold()
{
	lab_host python3 "$LABTOOL" soap "http://$HOST_GW:5000/ctl" AddPortMapping NewRemoteHost= \
		"NewExternalPort=$2" NewProtocol=TCP "NewInternalPort=$2" "NewInternalClient=$1" \
		NewEnabled=1 NewPortMappingDescription=other "NewLeaseDuration=$3" >/dev/null
}

# lab_router_upnp_only [KEY=VALUE...]: miniupnpd restarted with NAT-PMP
# and PCP switched off (enable_natpmp=no: its port 5351 closed, ICMP port
# unreachable), UPnP IGD only, as on routers that speak nothing else; its
# chains flushed. Each KEY=VALUE replaces that line of its config or is
# added: secure_mode=no (a LAN client may map for another LAN host),
# force_igd_desc_v1=yes (an IGDv1 router: AddPortMapping, 718 on a taken
# port, where IGDv2 offers another port). Called again, it restarts it
# with the lines given then.
lab_router_upnp_only()
{
	local kv
	lab_router_down
	sed -i 's/^\(\s*\)enable_natpmp=yes/\1enable_natpmp=no/' "$LAB_DIR/miniupnpd.conf"
	for kv in "$@"; do
		[[ "$kv" =~ ^[a-z_0-9]+=[^[:space:]]+$ ]] || fail "lab_router_upnp_only: bad config line '$kv'"
		if grep -q "^\s*${kv%%=*}=" "$LAB_DIR/miniupnpd.conf"; then
			sed -i "s/^\(\s*\)${kv%%=*}=.*/\1$kv/" "$LAB_DIR/miniupnpd.conf"
		else
			sed -i "0,/^\s*allow /s//$kv\n&/" "$LAB_DIR/miniupnpd.conf"
		fi
	done
	LAB_GATEWAY_PROTOCOLS=upnp
	lab_router_up
	_lab_say "router speaks UPnP IGD only (miniupnpd: enable_natpmp=no${1:+, $*})"
}

# lab_hostile_mode MODE: restart the hostile responders (hostile topology)
# in another mode: burst (every lie, per request), lie (one well-formed but
# lying answer), mixed (the lies, then one true answer), silent, nochange
# (STUN offers OTHER-ADDRESS HOSTILE_B:3479 but ignores CHANGE-REQUEST),
# nomap (PCP MAP never answered; the rest true), natpmponly (PCP refused
# with NAT-PMP's UNSUPP_VERSION), pcponly (NAT-PMP refused with PCP's),
# refuse (STUN refuses CHANGE-REQUEST with 420), twice (every true answer
# sent twice), pcpv1 (PCP refused by a version-1 server), error (STUN
# answers 400).
lab_hostile_mode()
{
	[[ "${LAB_TOPOLOGY:-}" == hostile ]] || fail "lab_hostile_mode: only in the hostile topology"
	lab_daemon_stop hostile-gw
	lab_daemon_stop hostile-stun
	_lab_hostile_start "$1"
	_lab_hostile_wait
}

_lab_init

# lab_delay_path MS: put MS milliseconds of round trip on every path through
# the core router (the "internet"), half each way: its IPv4 and IPv6
# forwarding goes to user space (iptables NFQUEUE, --queue-bypass so
# traffic flows if the helper dies) where lab_delay holds each packet for
# MS/2 (the kernel here has no sch_netem). MS 0 removes the delay.
lab_delay_path()
{
	local ms=$1 t
	for t in iptables ip6tables; do
		lab_core "$t" -t mangle -F FORWARD
	done
	lab_daemon_stop delay
	((ms > 0)) || return 0
	[[ -x "$LAB_DELAY_BIN" ]] || fail "lab_delay not built: $LAB_DELAY_BIN (needs libnetfilter-queue-dev)"
	lab_daemon delay "$NS_CORE" "$LAB_DELAY_BIN" --queue 7 --delay-ms $((ms / 2)) \
		--max-seconds "$LAB_DAEMON_MAX_SECONDS"
	# Bound to its queue once the kernel lists it (up to 2 s).
	for ((t = 0; t < 200; t++)); do
		lab_core awk '$1 == 7 { found = 1 } END { exit !found }' \
			/proc/net/netfilter/nfnetlink_queue 2>/dev/null && break
		sleep 0.01
	done
	((t < 200)) || fail "lab_delay_path: lab_delay did not bind queue 7 (see $LAB_DIR/delay.log)"
	for t in iptables ip6tables; do
		lab_core "$t" -t mangle -A FORWARD -j NFQUEUE --queue-num 7 --queue-bypass
	done
}

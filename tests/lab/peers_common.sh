# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Helpers for tests/lab/test_peers_*.sh: `natdoctor peers` against stand-in
# nodes (tests/peers/fakenode.py) on loopback and log streams on stdin. No
# namespaces, no root, no fixed ports: every server binds port 0 and tells
# its port through a file. Every process started here is recorded and
# killed by pid on exit, also on failure; every wait is bounded.
#
#   source "$(dirname "$0")/peers_common.sh"
#   pt_node para --peers 8            # a node; its port in $PORT_para
#   pt_run out err peers --once --json --rpc "$PORT_para"   # status in $PT_STATUS
#   pt_live nd out err peers --interval 1 --metrics "$PORT_para"  # pid in $PID_nd
#   pt_wait_count out 'peers=8' 3 10  # 3 matching lines within 10 s
#   pt_stop nd                        # SIGINT, bounded wait; status in $PT_STATUS
set -euo pipefail

ND=${NATDOCTOR:?NATDOCTOR must name the natdoctor binary}
PT_SRC=${ND_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FAKENODE=$PT_SRC/tests/peers/fakenode.py
PT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ndpeers.XXXXXX")
PT_PIDS=()
PT_STATUS=0
PT_RUN_TIMEOUT=${PT_RUN_TIMEOUT:-30}
# A sanitizer build's RSS says nothing about ours: memory bounds are
# checked on plain builds only.
PT_ASAN=0
if grep -q __asan_init "$ND" 2>/dev/null; then PT_ASAN=1; fi

pt_cleanup()
{
	local p
	for p in "${PT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PT_PIDS[@]}"; do
		for _ in $(seq 1 30); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [[ -n "${PT_KEEP:-}" ]]; then echo "kept $PT_DIR" >&2; else rm -rf "$PT_DIR"; fi
}
trap pt_cleanup EXIT
# A signal ends the test through exit, so the EXIT trap cleans up then too.
trap 'exit 130' INT
trap 'exit 143' TERM

fail()
{
	echo "FAIL: $*" >&2
	local f
	for f in "$PT_DIR"/*.err "$PT_DIR"/*.out; do
		[[ -s "$f" ]] || continue
		echo "--- $f (last 20 lines)" >&2
		tail -n 20 "$f" | cut -c1-300 >&2
	done
	exit 1
}

step() { echo "== $*"; }

# pt_node NAME [fakenode args...]: start a stand-in node; $PORT_NAME is its port.
pt_node()
{
	local name=$1
	shift
	python3 "$FAKENODE" --port-file "$PT_DIR/$name.port" "$@" >"$PT_DIR/node-$name.log" 2>&1 &
	PT_PIDS+=("$!")
	pt_wait_until "fake node $name did not start" test -s "$PT_DIR/$name.port"
	printf -v "PORT_$name" '%s' "$(cat "$PT_DIR/$name.port")"
}

# pt_wait_until MESSAGE CMD...: until CMD succeeds, for 5 s at most; then
# fail with MESSAGE. For a helper that has to be up before the test goes on.
pt_wait_until()
{
	local msg=$1
	shift
	for _ in $(seq 1 100); do
		"$@" && return 0
		sleep 0.05
	done
	fail "$msg"
}

# pt_free_port: a loopback TCP port nothing listens on (asked of the OS,
# then released).
pt_free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pt_run OUT ERR ARGS...: run natdoctor ARGS (stdin from $PT_STDIN or
# /dev/null), bounded; files in $PT_DIR; status in $PT_STATUS.
pt_run()
{
	local out=$PT_DIR/$1.out err=$PT_DIR/$2.err
	shift 2
	set +e
	timeout -k 2 "$PT_RUN_TIMEOUT" "$ND" "$@" <"${PT_STDIN:-/dev/null}" >"$out" 2>"$err"
	PT_STATUS=$?
	set -e
	((PT_STATUS != 124 && PT_STATUS != 137)) || fail "natdoctor $* did not finish in ${PT_RUN_TIMEOUT} s"
}

# pt_live NAME OUT ERR ARGS...: start natdoctor in the background (stdin
# from $PT_STDIN or /dev/null); its pid is $PID_NAME.
pt_live()
{
	local name=$1 out=$PT_DIR/$2.out err=$PT_DIR/$3.err
	shift 3
	"$ND" "$@" <"${PT_STDIN:-/dev/null}" >"$out" 2>"$err" &
	PT_PIDS+=("$!")
	printf -v "PID_$name" '%s' "$!"
}

# pt_bg CMD...: any helper process, killed on exit; its pid is $PT_BG.
pt_bg()
{
	"$@" &
	PT_BG=$!
	PT_PIDS+=("$PT_BG")
}

# pt_wait_count FILE REGEX N SECONDS: until N lines of FILE match.
pt_wait_count()
{
	local f=$PT_DIR/$1 re=$2 n=$3 secs=$4 c=0
	for _ in $(seq 1 $((secs * 10))); do
		c=$(grep -Eac -- "$re" "$f" 2>/dev/null || true)
		((c >= n)) && return 0
		sleep 0.1
	done
	fail "$1: $c lines match '$re' after $secs s, wanted $n"
}

# pt_wait_exit NAME SECONDS: until natdoctor NAME exits by itself; status in $PT_STATUS.
pt_wait_exit()
{
	local pid_var=PID_$1
	local pid=${!pid_var}
	for _ in $(seq 1 $(($2 * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "natdoctor $1 still running after $2 s"
	set +e
	wait "$pid"
	PT_STATUS=$?
	set -e
}

# pt_stop NAME: SIGINT (as Ctrl-C), then a bounded wait; status in $PT_STATUS.
pt_stop()
{
	local pid_var=PID_$1
	kill -INT "${!pid_var}" 2>/dev/null || fail "natdoctor $1 was not running any more"
	pt_wait_exit "$1" 5
}

# pt_hwm NAME: the peak RSS of natdoctor NAME in KiB.
pt_hwm()
{
	local pid_var=PID_$1
	awk '/^VmHWM:/ { print $2 }' "/proc/${!pid_var}/status"
}

# pt_assert_hwm NAME MAX_KIB WHAT
pt_assert_hwm()
{
	local kib
	kib=$(pt_hwm "$1")
	echo "   peak RSS of natdoctor ($3): $kib KiB"
	if ((PT_ASAN == 0 && kib > $2)); then
		fail "natdoctor peak RSS $kib KiB > $2 KiB ($3)"
	fi
}

# assert_status WANT
assert_status() { [[ "$PT_STATUS" == "$1" ]] || fail "exit status $PT_STATUS, wanted $1"; }

# assert_match FILE REGEX / assert_no_match FILE REGEX (extended regex)
assert_match() { grep -Eaq -- "$2" "$PT_DIR/$1" || fail "$1 does not match '$2'"; }
assert_no_match() { ! grep -Eaq -- "$2" "$PT_DIR/$1" || fail "$1 matches '$2'"; }

# assert_jq FILE FILTER WANT: jq -r FILTER over FILE (JSON lines, slurped
# as an array in .) must print WANT.
assert_jq()
{
	local got
	got=$(jq -rs "$2" "$PT_DIR/$1" 2>&1) || fail "$1: jq '$2' failed: $got"
	[[ "$got" == "$3" ]] || fail "$1: jq '$2' gave '$got', wanted '$3'"
}

# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Shared by tests/lab/test_check_*.sh: bring a topology up and run
# `natdoctor check --json` in its host namespace against the lab's STUN
# servers. Sourced after lib.sh.
#
#   check_run NAME [ARGS...]   runs check, JSON to $LAB_DIR/NAME.json, exit
#                              status in CHECK_RC (never fails by itself)
#   check_json NAME            the path of that JSON

# The exit status a verdict should give (docs/REPORT.md): 0 clean, 1 problems.
CHECK_RC=0

check_run()
{
	local name=$1
	shift
	CHECK_RC=0
	lab_natdoctor "$LAB_DIR/$name.json" check --json --stun "$STUN_A" --stun "$STUN_B" "$@" ||
		CHECK_RC=$?
	# Whatever the verdict, the output must be one valid JSON document.
	jq -e . "$LAB_DIR/$name.json" >/dev/null ||
		fail "check $name: stdout is not valid JSON"
	[[ "$CHECK_RC" == 0 || "$CHECK_RC" == 1 ]] ||
		fail "check $name: exit status $CHECK_RC (expected 0 or 1: the check ran)"
}

check_json() { printf '%s/%s.json' "$LAB_DIR" "$1"; }

# assert_finding FILE ID SEVERITY: the verdict has finding ID with SEVERITY.
assert_finding()
{
	assert_json "$1" "[.findings[] | select(.id == \"$2\") | .severity] | first // \"absent\"" "$3"
}

# assert_no_finding FILE ID
assert_no_finding()
{
	assert_json "$1" "[.findings[] | select(.id == \"$2\")] | length" 0
}

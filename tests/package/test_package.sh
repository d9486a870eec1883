#!/usr/bin/env bash
# The Debian package as an operator meets it: install it with apt, use it
# from /usr/bin (man pages, bash completion, a lab test), remove it, and
# check that nothing of it is left. Root; scripts/test.sh runs it after
# scripts/package.sh. Usage: test_package.sh DEB [BUILD_DIR]
# BUILD_DIR holds the lab's helper programs (default: build/).
set -euo pipefail
deb=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${2:-$root/build}")
listing=$(mktemp /tmp/nd-pkg.XXXXXX)

fail() {
	echo "FAIL package: $*" >&2
	exit 1
}
cleanup() {
	dpkg-query -W natdoctor >/dev/null 2>&1 &&
		apt-get purge -y -qq natdoctor >/dev/null 2>&1
	rm -f "$listing" "$listing.lab"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DEBIAN_FRONTEND=noninteractive
# A package left by an earlier, interrupted run would hide what this one does.
dpkg-query -W natdoctor >/dev/null 2>&1 && apt-get purge -y -qq natdoctor >/dev/null
[[ ! -e /usr/bin/natdoctor ]] || fail "/usr/bin/natdoctor exists before the install (not from the package)"

apt-get install -y -qq --no-install-recommends "$deb" >/dev/null ||
	fail "apt-get install $deb failed"
dpkg -L natdoctor >"$listing"

# The pieces the package promises.
[[ -x /usr/bin/natdoctor ]] || fail "no /usr/bin/natdoctor"
/usr/bin/natdoctor --version | grep -qx "natdoctor [0-9.]*" || fail "--version"
for page in natdoctor natdoctor-check natdoctor-peers; do
	man -w "$page" >/dev/null 2>&1 || fail "man $page: not installed"
	MANWIDTH=80 man "$page" 2>/dev/null | grep -q "EXIT STATUS" || fail "man $page does not render"
done
for doc in README.md REPORT.md PEERS.md copyright; do
	[[ -s /usr/share/doc/natdoctor/$doc ]] || fail "no /usr/share/doc/natdoctor/$doc"
done
hardening-check --quiet --nocfprotection /usr/bin/natdoctor || fail "hardening-check"
# The systemd units are installed (not enabled) and valid; the rules ship
# as an example.
for unit in natdoctor-check.service natdoctor-check.timer natdoctor-peers-exporter.service; do
	[[ -s /lib/systemd/system/$unit ]] || fail "no /lib/systemd/system/$unit"
done
out=$(cd /lib/systemd/system && systemd-analyze verify natdoctor-check.service \
	natdoctor-check.timer natdoctor-peers-exporter.service 2>&1) || fail "systemd-analyze verify: $out"
# The serve and map units read /etc/default/natdoctor-{serve,map}
# (EnvironmentFile=): shipped as conffiles, so an operator's flags survive
# upgrades, and with the variable the unit passes.
conffiles=$(dpkg-query -W -f='${Conffiles}' natdoctor)
for name in serve map; do
	f=/etc/default/natdoctor-$name
	[[ -s $f ]] || fail "no $f (natdoctor-$name.service reads it)"
	grep -q "^ $f " <<<"$conffiles" || fail "$f is not a conffile: $conffiles"
	var=NATDOCTOR_${name^^}_ARGS
	grep -q "^$var=" "$f" || fail "$f does not set $var"
	grep -q "^EnvironmentFile=$f\$" "/lib/systemd/system/natdoctor-$name.service" ||
		fail "natdoctor-$name.service does not read $f"
done
[[ -s /usr/share/doc/natdoctor/examples/natdoctor.rules.yml ]] || fail "no natdoctor.rules.yml example"
[[ -s /usr/share/doc/natdoctor/METRICS.md ]] || fail "no METRICS.md"
# bash completion, the way bash-completion loads it on demand.
got=$(bash -c '
	source /usr/share/bash-completion/bash_completion
	source /usr/share/bash-completion/completions/natdoctor
	COMP_WORDS=(natdoctor check --no-p); COMP_CWORD=2
	COMP_LINE="natdoctor check --no-p"; COMP_POINT=${#COMP_LINE}
	_natdoctor; echo "${COMPREPLY[*]}"')
[[ $got == --no-pcp-map ]] || fail "bash completion of 'natdoctor check --no-p' gave '$got'"

# The installed binary in the lab: a home router, as test_check_home sees it.
NATDOCTOR=/usr/bin/natdoctor ND_BUILD_DIR=$build ND_SOURCE_DIR=$root \
	bash "$root/tests/lab/test_check_home.sh" >"$listing.lab" 2>&1 || {
	tail -30 "$listing.lab" >&2
	fail "lab test against /usr/bin/natdoctor"
}

apt-get purge -y -qq natdoctor >/dev/null || fail "apt-get purge natdoctor failed"
dpkg-query -W -f='${Status}' natdoctor 2>/dev/null | grep -q installed &&
	fail "dpkg still knows natdoctor after purge"
left=()
while IFS= read -r f; do
	# Directories such as /usr/bin belong to others too; every file must go.
	[[ -e $f && ! -d $f ]] && left+=("$f")
	[[ -d $f && $f == *natdoctor* ]] && left+=("$f")
done <"$listing"
# Conffiles stay after a remove; purge must take them too (named here so
# the failure says which).
for name in serve map; do
	[[ ! -e /etc/default/natdoctor-$name ]] || left+=("/etc/default/natdoctor-$name")
done
((${#left[@]} == 0)) || fail "left after purge: ${left[*]}"
echo "package: installed, man pages, completion, hardening, lab test, purged clean ($(wc -l <"$listing") paths)"

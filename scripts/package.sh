#!/usr/bin/env bash
# Build the Debian package from this tree, as a packager would, and check it
# with lintian. Usage: scripts/package.sh [OUTDIR] (default: build-deb/).
# The tree is copied first (tracked and new files, no build folders), so
# dpkg-buildpackage's in-tree droppings (debian/natdoctor/, obj-*/) stay
# out of the worktree. Needs deps.sh's devscripts, debhelper and lintian.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$(realpath -m "${1:-$root/build-deb}")
work=$(mktemp -d /tmp/nd-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/natdoctor" "$out"
git ls-files -z --cached --others --exclude-standard |
	xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' |
	tar --null -T - -cf - | tar -xf - -C "$work/natdoctor"
(cd "$work/natdoctor" && dpkg-buildpackage -us -uc -b -j2 >"$work/build.log" 2>&1) || {
	tail -40 "$work/build.log" >&2
	echo "package: dpkg-buildpackage failed (log above)" >&2
	exit 1
}
rm -f "$out"/natdoctor_*.deb
cp "$work"/natdoctor_*.deb "$out"/
deb=$(ls "$out"/natdoctor_*.deb)
# Errors fail the build; warnings are printed for a person to read.
lintian --fail-on error "$work"/natdoctor_*.changes ||
	{ echo "package: lintian reports errors" >&2; exit 1; }
echo "$deb"

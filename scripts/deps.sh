#!/usr/bin/env bash
# Install everything natdoctor needs to build, test, fuzz and benchmark, from
# Debian 12 packages only. Run as root. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkgs=(
	# build
	build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
	# libraries (docs/DEPENDENCIES.md says why each)
	libminiupnpc-dev libjson-c-dev libcurl4-openssl-dev libcmocka-dev libsodium-dev
	# the lab: kernel NAT, real gateway and STUN daemons, their clients
	iproute2 nftables miniupnpd-nftables miniupnpc natpmpc coturn socat
	# real round-trip time on a lab path (no sch_netem here): iptables
	# NFQUEUE and tests/lab/delay.c on libnetfilter_queue
	iptables libnetfilter-queue-dev
	# tests and benchmarks
	jq python3 procps psmisc bsdutils hyperfine time
	# scripts/coverage.sh: per-file line and branch coverage from gcc's gcov
	gcovr
	# systemd-analyze verify/security for contrib/natdoctor-serve.service
	systemd
	# shipping: hardening-check, the Debian package, man pages, Prometheus
	devscripts debhelper fakeroot lintian mandoc man-db bash-completion curl
	prometheus prometheus-node-exporter
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	apt-get update -qq
	# The daemons' packages try to start services; the lab starts its own.
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian enables coturn and miniupnpd as services; natdoctor's lab runs its
# own instances in namespaces and never wants the system ones.
# The same for prometheus and its node exporter: tests start their own.
for svc in coturn miniupnpd prometheus prometheus-node-exporter; do
	systemctl disable --now "$svc" >/dev/null 2>&1 || true
done

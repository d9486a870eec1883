#!/usr/bin/env bash
# Capture real NAT-PMP and PCP datagrams for the fuzz seed corpora
# (tests/fuzz/corpus/natpmp and .../pcp). Run as root; takes ~15 s.
#
#   client ns 192.168.77.2 -- 192.168.77.1 router ns 20.77.0.1 -- 20.77.0.2 wan ns
#
# 1. natpmpc's own requests: a stand-in gateway (python3) in the router
#    namespace records what natpmpc sends and answers it.
# 2. miniupnpd's answers: miniupnpd (Debian miniupnpd-nftables) runs in the
#    router namespace; a python3 client sends hand-laid NAT-PMP and PCP
#    requests (RFC 6886, RFC 6887, some deliberately wrong) and records every
#    answer. natpmpc confirms the gateway works first.
# Files are named natpmpc-* and miniupnpd-*; epochs and nonces differ from
# run to run, so rerunning rewrites them with new bytes.
#
# Traffic stays inside the namespaces made here; all of them, and the
# daemons, are removed on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out_pcp=$root/tests/fuzz/corpus/pcp
out_natpmp=$root/tests/fuzz/corpus/natpmp
p=ndpcp$$
tmp=$(mktemp -d)
pids=()

cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for ns in c r w; do
		ip netns del "$p$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

for ns in c r w; do
	ip netns add "$p$ns"
	ip -n "$p$ns" link set lo up
done
ip -n "${p}c" link add c0 type veth peer name r0 netns "${p}r"
ip -n "${p}r" link add r1 type veth peer name w0 netns "${p}w"
ip -n "${p}c" addr add 192.168.77.2/24 dev c0
ip -n "${p}r" addr add 192.168.77.1/24 dev r0
# miniupnpd refuses to map behind a private or reserved WAN address (lab
# notes); this one exists only inside the wan namespace.
ip -n "${p}r" addr add 20.77.0.1/24 dev r1
ip -n "${p}w" addr add 20.77.0.2/24 dev w0
ip -n "${p}c" link set c0 up
ip -n "${p}r" link set r0 up
ip -n "${p}r" link set r1 up
ip -n "${p}w" link set w0 up
ip -n "${p}c" route add default via 192.168.77.1
ip -n "${p}r" route add default via 20.77.0.2
ip netns exec "${p}r" sysctl -qw net.ipv4.ip_forward=1

# The tables miniupnpd expects (Debian ships nft_init.sh without the file
# it sources).
ip netns exec "${p}r" nft -f - <<'EOF'
table inet filter {
	chain miniupnpd { }
	chain prerouting_miniupnpd { }
	chain postrouting_miniupnpd { }
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		iifname "r0" accept
		jump miniupnpd
	}
	chain prerouting {
		type nat hook prerouting priority -100; policy accept;
		jump prerouting_miniupnpd
	}
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		jump postrouting_miniupnpd
		oifname "r1" masquerade
	}
}
EOF

# --- 1. natpmpc's requests, recorded by a stand-in gateway ---------------
cat >"$tmp/standin.py" <<'EOF'
import socket, struct, sys
out = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.77.1", 5351))
s.settimeout(10)
names = {0: "external-request", 1: "map-udp-request", 2: "map-tcp-request"}
seen = set()
while len(seen) < 3:
    data, peer = s.recvfrom(2048)
    op = data[1] if len(data) > 1 else 255
    name = names.get(op, "op%d-request" % op)
    if op in (1, 2) and len(data) >= 12 and struct.unpack("!I", data[8:12])[0] == 0:
        name = name.replace("map", "delete")
    if name not in seen:
        open("%s/natpmpc-%s" % (out, name), "wb").write(data)
        seen.add(name)
    if op == 0:
        s.sendto(struct.pack("!BBHI4s", 0, 128, 0, 7, bytes([20, 77, 0, 1])), peer)
    elif op in (1, 2):
        iport, eport, life = struct.unpack("!HHI", data[4:12])
        s.sendto(struct.pack("!BBHIHHI", 0, 128 + op, 0, 7, iport, eport, life), peer)
EOF
ip netns exec "${p}r" python3 "$tmp/standin.py" "$out_natpmp" &
pids+=($!)
sleep 0.5
ip netns exec "${p}c" timeout 10 natpmpc -g 192.168.77.1 -a 30333 30333 udp 60 >/dev/null
ip netns exec "${p}c" timeout 10 natpmpc -g 192.168.77.1 -a 30333 30333 udp 0 >/dev/null || true
wait "${pids[-1]}"
unset 'pids[-1]'

# --- 2. miniupnpd's answers ---------------------------------------------
cat >"$tmp/miniupnpd.conf" <<'EOF'
ext_ifname=r1
listening_ip=r0
http_port=0
enable_natpmp=yes
enable_upnp=no
secure_mode=yes
system_uptime=no
uuid=3f2a5b0c-8d1e-4c6f-9a7b-2e4d6f8a0b1c
allow 1024-65535 192.168.77.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
ip netns exec "${p}r" miniupnpd -d -f "$tmp/miniupnpd.conf" -P "$tmp/miniupnpd.pid" \
	>"$tmp/miniupnpd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	ip netns exec "${p}r" ss -lun | grep -q ':5351 ' && break
	sleep 0.1
done
sleep 1
# Before blaming our own client: the reference client must work.
ip netns exec "${p}c" timeout 10 natpmpc -g 192.168.77.1 >"$tmp/natpmpc.out" 2>&1 ||
	{ cat "$tmp/natpmpc.out" "$tmp/miniupnpd.log" >&2; exit 1; }
grep -q 'Public IP address : 20.77.0.1' "$tmp/natpmpc.out" ||
	{ cat "$tmp/natpmpc.out" >&2; exit 1; }

cat >"$tmp/client.py" <<'EOF'
import os, socket, struct, sys
out_pcp, out_natpmp = sys.argv[1], sys.argv[2]
GW = ("192.168.77.1", 5351)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.77.2", 0))
s.settimeout(2)

def v4mapped(a):
    return bytes(10) + b"\xff\xff" + socket.inet_aton(a)

ME = v4mapped("192.168.77.2")
ANY4 = v4mapped("0.0.0.0")

def ask(path, req, name):
    """Send req; save the request (if asked) and the answer."""
    s.sendto(req, GW)
    try:
        data = s.recv(2048)
    except socket.timeout:
        print("no answer to", name, file=sys.stderr)
        return None
    with open(os.path.join(path, "miniupnpd-" + name), "wb") as f:
        f.write(data)
    return data

def pcp_hdr(op, life, client=ME, version=2):
    return struct.pack("!BBHI", version, op, 0, life) + client

def pcp_map(nonce, proto, iport, eport, ext=ANY4):
    return nonce + struct.pack("!B3xHH", proto, iport, eport) + ext

def opt(code, data):
    pad = (4 - len(data) % 4) % 4
    return struct.pack("!BBH", code, 0, len(data)) + data + bytes(pad)

N = bytes(range(1, 13))
# NAT-PMP (RFC 6886)
ask(out_natpmp, b"\x00\x00", "external-response")
ask(out_natpmp, struct.pack("!BBHHHI", 0, 1, 0, 30333, 30333, 60), "map-udp-response")
ask(out_natpmp, struct.pack("!BBHHHI", 0, 2, 0, 30334, 30334, 60), "map-tcp-response")
ask(out_natpmp, struct.pack("!BBHHHI", 0, 1, 0, 30333, 0, 0), "delete-udp-response")
ask(out_natpmp, struct.pack("!BBHHHI", 0, 2, 0, 0, 0, 60), "map-port0-refused-response")
ask(out_natpmp, struct.pack("!BBHHHI", 0, 9, 0, 1, 1, 1), "unsupp-opcode-response")
# PCP (RFC 6887)
ask(out_pcp, pcp_hdr(0, 0), "announce-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 17, 30333, 30333), "map-udp-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 30333, 0), "map-tcp-response")
ask(out_pcp, pcp_hdr(1, 0) + pcp_map(N, 17, 30333, 0), "map-delete-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 4001, 4001) + opt(2, b""),
    "map-prefer-failure-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 8333, 8333) +
    opt(3, struct.pack("!BBH", 0, 120, 0) + v4mapped("198.51.100.0")), "map-filter-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 8333, 8333) + opt(1, v4mapped("192.168.77.9")),
    "map-third-party-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 8333, 8333) + opt(99, b"\x01\x02\x03\x04"),
    "map-unknown-mandatory-option-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 8334, 8334) + opt(200, b"\x01\x02\x03\x04"),
    "map-unknown-optional-option-response")
# miniupnpd 2.3.1 does not skip option padding: a 1-byte option is answered
# MALFORMED_OPTION.
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 8335, 8335) + opt(200, b"\x01"),
    "map-padded-option-malformed-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 6, 8333, 8333) + struct.pack("!BBH", 1, 0, 64),
    "map-option-past-end-response")
ask(out_pcp, pcp_hdr(1, 60, client=v4mapped("192.168.77.50")) + pcp_map(N, 6, 8333, 8333),
    "map-address-mismatch-response")
ask(out_pcp, pcp_hdr(1, 60) + pcp_map(N, 132, 9999, 9999), "map-sctp-response")
# Version 1 (pre-standard, RFC 6887 §9): MAP data is 24 bytes there.
ask(out_pcp, pcp_hdr(1, 60, version=1) + struct.pack("!B3xHH", 6, 8336, 8336) + ANY4,
    "version1-map-response")
ask(out_pcp, pcp_hdr(1, 60, version=3) + pcp_map(N, 6, 8333, 8333), "version3-unsupp-version-response")
ask(out_pcp, pcp_hdr(0, 0)[:20], "short-malformed-request-response")
ask(out_pcp, pcp_hdr(0, 0) + b"\x00\x00", "not-multiple-of-4-response")
ask(out_pcp, pcp_hdr(2, 60) + N + bytes(44), "peer-response")
ask(out_pcp, pcp_hdr(5, 60), "unsupp-opcode-response")
EOF
ip netns exec "${p}c" python3 "$tmp/client.py" "$out_pcp" "$out_natpmp"
echo "captured: $(ls "$out_natpmp" | grep -c -E '^(natpmpc|miniupnpd)-') NAT-PMP," \
	"$(ls "$out_pcp" | grep -c '^miniupnpd-') PCP"

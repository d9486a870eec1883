#!/usr/bin/env bash
# Capture real SSDP datagrams for the fuzz seed corpus tests/fuzz/corpus/ssdp
# and the unit tests (tests/unit/test_ssdp.c). Run as root; takes ~10 s.
#
# The lab's home topology (tests/lab/lib.sh) puts miniupnpd 2.3.1 in the
# router namespace. In the host namespace:
#  1. upnpc (miniupnpc) discovers the router while a listener joined to
#     239.255.255.250:1900 in the same namespace records the M-SEARCH it
#     sends (multicast loopback hands the sender's own datagram back);
#  2. a python3 client sends M-SEARCH for each IGD search target, multicast
#     and unicast to the router's port 1900, and records every answer.
# Files are named upnpc-* and miniupnpd-*; the lab's uuid differs from run
# to run, so rerunning rewrites them with new bytes.
#
# Traffic stays inside the lab's namespaces; lib.sh removes them, and the
# daemons, on exit, also on failure.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/corpus/ssdp
LAB_QUIET=${LAB_QUIET:-1}
# shellcheck source=../lab/lib.sh
source "$(dirname "$0")/../lab/lib.sh"
lab_up home

cat >"$LAB_DIR/listen.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("239.255.255.250", 1900))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(sys.argv[2])))
s.settimeout(8)
n = 0
while n < 1:
    data, peer = s.recvfrom(2048)
    if data.startswith(b"M-SEARCH"):
        open(sys.argv[1], "wb").write(data)
        n += 1
PY
lab_daemon msearch-listener "$NS_HOST" python3 "$LAB_DIR/listen.py" \
	"$out/upnpc-msearch-igd1" "$HOST_IP"
sleep 0.3
lab_host timeout 10 upnpc -s >"$LAB_DIR/upnpc.out" 2>&1 || { cat "$LAB_DIR/upnpc.out" >&2; exit 1; }
grep -q "ExternalIPAddress = $PUBLIC_IP" "$LAB_DIR/upnpc.out" || { cat "$LAB_DIR/upnpc.out" >&2; exit 1; }
for _ in $(seq 50); do
	[[ -s "$out/upnpc-msearch-igd1" ]] && break
	sleep 0.1
done
[[ -s "$out/upnpc-msearch-igd1" ]] || fail "no M-SEARCH from upnpc recorded"

cat >"$LAB_DIR/client.py" <<'PY'
import socket, sys
out, me, gw = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((me, 0))
s.settimeout(2)
def msearch(st, mx=1):
    return ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
            'MAN: "ssdp:discover"\r\nMX: %d\r\nST: %s\r\n\r\n' % (mx, st)).encode()
def ask(dest, st, name):
    # miniupnpd may answer one search more than once (and late, by 50 ms
    # or more): read every answer for a while and keep the one for st.
    s.sendto(msearch(st), (dest, 1900))
    got = []
    s.settimeout(1)
    try:
        while True:
            got.append(s.recv(2048))
            s.settimeout(0.3)
    except socket.timeout:
        pass
    if not got:
        sys.exit("no answer for " + name)
    want = [d for d in got if ("\r\nST: %s\r\n" % st).encode() in d]
    open("%s/miniupnpd-%s" % (out, name), "wb").write((want or got)[0])
U = "urn:schemas-upnp-org:"
ask("239.255.255.250", U + "device:InternetGatewayDevice:1", "response-igd1-multicast")
ask(gw, U + "device:InternetGatewayDevice:1", "response-igd1-unicast")
ask(gw, U + "device:InternetGatewayDevice:2", "response-igd2")
ask(gw, U + "service:WANIPConnection:1", "response-wanipconnection1")
ask(gw, U + "service:WANPPPConnection:1", "response-wanpppconnection1")
ask(gw, "upnp:rootdevice", "response-rootdevice")
PY
lab_host python3 "$LAB_DIR/client.py" "$out" "$HOST_IP" "$ROUTER_LAN"
ls -l "$out"

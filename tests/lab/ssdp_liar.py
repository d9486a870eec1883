#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A lying UPnP device for the lab: answers every M-SEARCH (multicast or
unicast, on UDP 1900) with SSDP answers natdoctor must not act on:
  - an IGD whose LOCATION names another host (THIRD_PARTY): fetching it
    would let any LAN device aim natdoctor at anyone;
  - an IGD whose LOCATION is a name, not an address;
  - garbage, a NUL inside a header, an oversized datagram.
Stops by itself after --max-seconds. Prints one line per request.

  ssdp_liar.py --lan-ip 192.168.1.1 --third-party 11.0.0.30 --max-seconds 60
"""
import argparse
import socket
import struct
import sys
import time

IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"


def answers(third_party):
    ok = "HTTP/1.1 200 OK\r\nST: %s\r\nLOCATION: %s\r\nSERVER: liar/1\r\n\r\n"
    return [
        (ok % (IGD, "http://%s:80/rootDesc.xml" % third_party)).encode(),
        (ok % (IGD, "http://evil.example:80/rootDesc.xml")).encode(),
        b"HTTP/1.1 200 OK\r\nST: " + IGD.encode() + b"\0x\r\nLOCATION: http://1.2.3.4/\r\n\r\n",
        b"\xff" * 64,
        b"HTTP/1.1 200 OK\r\n" + b"X: " + b"A" * 8000 + b"\r\n\r\n",
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lan-ip", required=True)
    ap.add_argument("--third-party", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 1900))
    mreq = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(a.lan_ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    end = time.monotonic() + a.max_seconds
    print("listening", flush=True)
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            break
        if not data.startswith(b"M-SEARCH"):
            continue
        for pkt in answers(a.third_party):
            s.sendto(pkt, peer)
        print("answered", peer, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

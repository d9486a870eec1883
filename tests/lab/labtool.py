#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent probes for the natdoctor lab, written from the RFCs and
sharing no code with natdoctor, so the lab can be proven without it.

  labtool.py trace DEST [--max-hops N]
      UDP traceroute (TTL 1..N, ICMP errors read from the socket's error
      queue): prints {"hops": [...], "reached": bool}.
  labtool.py pcp GATEWAY [--port P] [--proto tcp|udp] [--lifetime S]
      one PCP MAP request (RFC 6887 section 11); prints the decoded answer.
  labtool.py count DEST PORT --kind stun|pcp|natpmp [--wait S]
      one request of that kind, then every datagram that comes back within
      S seconds: {"count", "sizes", "max_size", "well_formed", "mapped",
      "raw", "icmp_errors", "local"}.
  labtool.py soap CONTROL_URL ACTION [NewArg=value...]
      one UPnP IGD SOAP call: {"status", "error_code", "values"}.

Every field of every answer is bounds-checked: the answers may be hostile.
Output is one JSON object on stdout; exit 0 unless the arguments are bad.
"""
import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import time

STUN_COOKIE = 0x2112A442


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def v4mapped(addr):
    """An address as PCP's 16 bytes (IPv4 as ::ffff:a.b.c.d, RFC 6887 5)."""
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return b"\0" * 10 + b"\xff\xff" + ip.packed
    return ip.packed


def unmap(b16):
    ip = ipaddress.IPv6Address(b16)
    return str(ip.ipv4_mapped) if ip.ipv4_mapped else str(ip)


def local_addr_towards(dest):
    s = socket.socket(family_of(dest), socket.SOCK_DGRAM)
    try:
        s.connect((dest, 9))
        return s.getsockname()[0]
    finally:
        s.close()


# --- trace -------------------------------------------------------------------

def cmd_trace(a):
    fam = family_of(a.dest)
    hops, reached = [], False
    for ttl in range(1, a.max_hops + 1):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVERR", 11), 1)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
            s.setsockopt(socket.IPPROTO_IPV6, getattr(socket, "IPV6_RECVERR", 25), 1)
        s.sendto(b"natdoctor-lab-trace", (a.dest, 33434 + ttl))
        hop = None
        deadline = time.monotonic() + a.wait
        while hop is None and time.monotonic() < deadline:
            # Errors arrive on the error queue, which poll reports as POLLERR.
            p = select.poll()
            p.register(s, select.POLLERR)
            if not p.poll(max(0, deadline - time.monotonic()) * 1000):
                break
            try:
                _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
            except OSError:
                continue
            for level, typ, data in anc:
                # struct sock_extended_err: errno u32, origin u8, type u8,
                # code u8, pad u8, info u32, data u32; then the offender's
                # sockaddr.
                if len(data) < 16:
                    continue
                _, origin, itype, code = struct.unpack_from("=IBBB", data)
                off = data[16:]
                if fam == socket.AF_INET and len(off) >= 8:
                    who = socket.inet_ntop(socket.AF_INET, off[4:8])
                elif fam == socket.AF_INET6 and len(off) >= 24:
                    who = socket.inet_ntop(socket.AF_INET6, off[8:24])
                else:
                    continue
                hop = who
                # ICMP port unreachable (3/3) or ICMPv6 (1/4): the destination.
                if (fam == socket.AF_INET and (itype, code) == (3, 3)) or \
                   (fam == socket.AF_INET6 and (itype, code) == (1, 4)):
                    reached = True
        s.close()
        hops.append(hop)
        if reached:
            break
    print(json.dumps({"dest": a.dest, "hops": hops, "reached": reached}))


# --- PCP -----------------------------------------------------------------------

def pcp_map_request(client, nonce, proto, port, lifetime, version=2):
    """RFC 6887 7.1 common header + 11.1 MAP body, 60 bytes."""
    hdr = struct.pack("!BBHI", version, 1, 0, lifetime) + v4mapped(client)
    body = nonce + struct.pack("!B3xHH", proto, port, port) + v4mapped("0.0.0.0")
    return hdr + body


def pcp_decode(pkt):
    """RFC 6887 7.2 response header + 11.1 MAP body; None if not PCP-shaped."""
    if len(pkt) < 24:
        return None
    ver, rop, _, result, lifetime, epoch = struct.unpack_from("!BBBBII", pkt)
    out = {"version": ver, "r": bool(rop & 0x80), "opcode": rop & 0x7F,
           "result": result, "lifetime": lifetime, "epoch": epoch,
           "size": len(pkt)}
    if (rop & 0x7F) == 1 and len(pkt) >= 60:
        out["nonce"] = pkt[24:36].hex()
        out["protocol"] = pkt[36]
        out["internal_port"], out["external_port"] = struct.unpack_from("!HH", pkt, 40)
        out["external_ip"] = unmap(pkt[44:60])
    return out


def cmd_pcp(a):
    s = socket.socket(family_of(a.gateway), socket.SOCK_DGRAM)
    s.connect((a.gateway, a.port))
    nonce = os.urandom(12)
    proto = 6 if a.proto == "tcp" else 17
    s.send(pcp_map_request(s.getsockname()[0], nonce, proto, a.map_port, a.lifetime))
    s.settimeout(a.wait)
    try:
        pkt = s.recv(2048)
    except (socket.timeout, ConnectionRefusedError) as e:
        print(json.dumps({"answer": None, "error": type(e).__name__}))
        return
    d = pcp_decode(pkt)
    if d is not None and "nonce" in d:
        d["nonce_ok"] = d["nonce"] == nonce.hex()
    print(json.dumps({"answer": d, "raw": pkt[:64].hex()}))


# --- count: one request, every answer ------------------------------------------

def stun_request(txid):
    return struct.pack("!HHI", 0x0001, 0, STUN_COOKIE) + txid


def stun_decode(pkt, txid):
    """A Binding success that a strict client would accept (RFC 8489 6, 14.2),
    and the addresses it claims; None if it would be rejected."""
    if len(pkt) < 20:
        return None
    typ, length, cookie = struct.unpack_from("!HHI", pkt)
    if typ != 0x0101 or cookie != STUN_COOKIE or pkt[8:20] != txid:
        return None
    if length != len(pkt) - 20 or length % 4:
        return None
    mapped, off = [], 20
    while off + 4 <= len(pkt):
        at, al = struct.unpack_from("!HH", pkt, off)
        off += 4
        if off + al > len(pkt):
            return None
        val = pkt[off:off + al]
        off += (al + 3) & ~3
        # (XOR-)MAPPED-ADDRESS, RFC 8489 14.1/14.2: IPv4 (family 1, 8 bytes)
        # or IPv6 (family 2, 20 bytes); XOR key: cookie, then txid for IPv6.
        if at in (0x0001, 0x0020) and al >= 4 and val[1] in (1, 2):
            n = 4 if val[1] == 1 else 16
            if al < 4 + n:
                continue
            port = struct.unpack_from("!H", val, 2)[0]
            ip = val[4:4 + n]
            if at == 0x0020:
                port ^= STUN_COOKIE >> 16
                key = struct.pack("!I", STUN_COOKIE) + txid
                ip = bytes(x ^ y for x, y in zip(ip, key))
            if n == 4:
                mapped.append("%s:%d" % (socket.inet_ntoa(ip), port))
            else:
                mapped.append("[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, ip), port))
    return mapped


def natpmp_decode(pkt):
    """RFC 6886 3.2 external address answer, strictly: 12 bytes, version 0,
    opcode 128, result 0..5."""
    if len(pkt) != 12 or pkt[0] != 0 or pkt[1] != 128:
        return None
    result = struct.unpack_from("!H", pkt, 2)[0]
    if result > 5:
        return None
    return socket.inet_ntoa(pkt[8:12]) if result == 0 else None


def cmd_count(a):
    s = socket.socket(family_of(a.dest), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect((a.dest, a.port))
    txid = os.urandom(12)
    nonce = os.urandom(12)
    if a.kind == "stun":
        req = stun_request(txid)
    elif a.kind == "pcp":
        req = pcp_map_request(s.getsockname()[0], nonce, 17, 30333, 600)
    else:
        req = bytes([0, 0])  # NAT-PMP external address request, RFC 6886 3.2
    s.send(req)
    local = s.getsockname()
    sizes, well, mapped, raw, icmp = [], 0, [], [], 0
    deadline = time.monotonic() + a.wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        try:
            pkt = s.recv(70000)
        except OSError:
            icmp += 1  # an ICMP error for our request (port unreachable...)
            continue
        sizes.append(len(pkt))
        if len(raw) < a.raw:
            raw.append(pkt[:64].hex())
        if a.kind == "stun":
            m = stun_decode(pkt, txid)
            if m is not None:
                well += 1
                mapped += m
        elif a.kind == "pcp":
            d = pcp_decode(pkt)
            if d and d["version"] == 2 and d["r"] and d["opcode"] == 1 and \
               d.get("nonce") == nonce.hex() and len(pkt) % 4 == 0 and \
               len(pkt) <= 1100 and d["result"] == 0:
                well += 1
                mapped.append("%s:%d" % (d["external_ip"], d["external_port"]))
        else:
            ext = natpmp_decode(pkt)
            if ext is not None:
                well += 1
                mapped.append(ext)
    print(json.dumps({"kind": a.kind, "count": len(sizes), "sizes": sizes,
                      "max_size": max(sizes, default=0), "well_formed": well,
                      "mapped": mapped, "raw": raw, "icmp_errors": icmp,
                      "local": ("[%s]:%d" if ":" in local[0] else "%s:%d") % local[:2]}))


# --- UPnP IGD: one SOAP call, by hand --------------------------------------------

def cmd_soap(a):
    """POST one WANIPConnection action (UPnP IGD 1.0 / UPnP Device Architecture
    1.0 section 3.2) and print the HTTP status, the UPnP error code if any,
    and the first element that looks like a return value."""
    import http.client
    import re
    from urllib.parse import urlparse
    u = urlparse(a.url)
    svc = "urn:schemas-upnp-org:service:WANIPConnection:1"
    args = "".join("<%s>%s</%s>" % (k, v, k) for k, v in
                   (kv.split("=", 1) for kv in a.args))
    body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/'
            'envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
            '<s:Body><u:%s xmlns:u="%s">%s</u:%s></s:Body></s:Envelope>'
            % (a.action, svc, args, a.action))
    c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=a.wait)
    c.request("POST", u.path, body.encode(), {
        "Content-Type": 'text/xml; charset="utf-8"',
        "SOAPAction": '"%s#%s"' % (svc, a.action)})
    r = c.getresponse()
    text = r.read(65536).decode("utf-8", "replace")
    err = re.search(r"<errorCode>(\d+)</errorCode>", text)
    vals = dict(re.findall(r"<(New\w+)>([^<]*)</\1>", text))
    print(json.dumps({"status": r.status, "error_code": int(err.group(1)) if err else None,
                      "values": vals}))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trace")
    t.add_argument("dest")
    t.add_argument("--max-hops", type=int, default=8)
    t.add_argument("--wait", type=float, default=1.0)
    p = sub.add_parser("pcp")
    p.add_argument("gateway")
    p.add_argument("--port", type=int, default=5351)
    p.add_argument("--map-port", type=int, default=30333)
    p.add_argument("--proto", choices=("tcp", "udp"), default="tcp")
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--wait", type=float, default=2.0)
    c = sub.add_parser("count")
    c.add_argument("dest")
    c.add_argument("port", type=int)
    c.add_argument("--kind", choices=("stun", "pcp", "natpmp"), required=True)
    c.add_argument("--wait", type=float, default=1.0)
    c.add_argument("--raw", type=int, default=4,
                   help="how many answers to show in hex (first 64 bytes each)")
    u = sub.add_parser("soap")
    u.add_argument("url", help="control URL, e.g. http://192.168.1.1:5000/ctl/IPConn")
    u.add_argument("action", help="e.g. GetExternalIPAddress, AddPortMapping")
    u.add_argument("args", nargs="*", help="NewName=value arguments, in order")
    u.add_argument("--wait", type=float, default=3.0)
    a = ap.parse_args()
    {"trace": cmd_trace, "pcp": cmd_pcp, "count": cmd_count, "soap": cmd_soap}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

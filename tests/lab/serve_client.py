#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An independent client of docs/SERVE-PROTOCOL.md, written from the document
and RFC 8489/5780 and sharing no code with natdoctor, for the serve lab tests.

  stun      one Binding request (CHANGE-REQUEST, PADDING, RESPONSE-PORT, an
            unknown comprehension-required attribute); prints what came back
  dialback  ask for a dial-back (TCP or UDP, asked over UDP with the cookie
            round trip or over TCP); prints the result, and for UDP whether
            the 28-byte datagram reached the port we bound
  listen    a stand-in for a node port: 'libp2p' answers multistream-select,
            'probe' echoes the nonce line, 'silent' accepts and says nothing
  flood     spoofed-source UDP from a raw socket (needs root): Binding
            requests, dial-back requests without and with forged cookies
"""
import argparse
import io
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import time
import zlib

MAGIC = 0x2112A442
ND_DIALBACK, ND_COOKIE, ND_RESULT = 0xC4D0, 0xC4D1, 0xC4D2
RESULTS = {1: "libp2p", 2: "other", 3: "refused", 4: "filtered", 5: "probe",
           6: "sent", 7: "denied", 8: "rate-limited", 9: "busy"}
MSS = b"\x13/multistream/1.0.0\n"


def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)


def message(tid, attrs, mtype=0x0001, fingerprint=True):
    body = b"".join(attrs)
    if fingerprint:
        hdr = struct.pack("!HHI", mtype, len(body) + 8, MAGIC) + tid
        crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", mtype, len(body), MAGIC) + tid + body


def parse(pkt):
    """(type, tid, {attr type: first value})"""
    if len(pkt) < 20:
        return None
    mtype, mlen, magic = struct.unpack("!HHI", pkt[:8])
    if magic != MAGIC or 20 + mlen != len(pkt):
        return None
    attrs, off = {}, 20
    while off + 4 <= len(pkt):
        t, n = struct.unpack("!HH", pkt[off:off + 4])
        attrs.setdefault(t, pkt[off + 4:off + 4 + n])
        off += 4 + n + (-n % 4)
    return mtype, pkt[8:20], attrs


def xor_addr(v, tid):
    fam, port = v[1], struct.unpack("!H", v[2:4])[0] ^ (MAGIC >> 16)
    key = struct.pack("!I", MAGIC) + tid
    ip = bytes(a ^ b for a, b in zip(v[4:], key))
    return (str(ipaddress.ip_address(ip)), port) if fam in (1, 2) else None


def plain_addr(v):
    return (str(ipaddress.ip_address(v[4:])), struct.unpack("!H", v[2:4])[0])


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_transact(sock, dest, pkt, tid, timeout=3.0):
    """Send with RFC 8489 retransmissions (500 ms, doubling) until the answer."""
    deadline, rto, nxt = time.monotonic() + timeout, 0.5, 0.0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= nxt:
            sock.sendto(pkt, dest)
            nxt, rto = now + rto, rto * 2
        r, _, _ = select.select([sock], [], [], max(0.0, min(nxt, deadline) - now))
        if r:
            data, src = sock.recvfrom(4096)
            m = parse(data)
            if m and m[1] == tid:
                return m, data, src
    return None, None, None


def describe(m, data, src):
    mtype, tid, a = m
    out = {"class": {0x0101: "success", 0x0111: "error"}.get(mtype, hex(mtype)),
           "len": len(data), "from": "%s:%d" % src[:2]}
    if 0x0009 in a:
        out["error"] = (a[0x0009][2] & 7) * 100 + a[0x0009][3]
    if 0x000A in a:
        out["unknown"] = ",".join("%04x" % struct.unpack("!H", a[0x000A][i:i + 2])[0]
                                  for i in range(0, len(a[0x000A]), 2))
    if 0x0020 in a:
        out["mapped"] = "%s:%d" % xor_addr(a[0x0020], tid)
    if 0x802B in a:
        out["origin"] = "%s:%d" % plain_addr(a[0x802B])
    out["other"] = "%s:%d" % plain_addr(a[0x802C]) if 0x802C in a else "none"
    return out


def cmd_stun(a):
    tid = os.urandom(12)
    attrs = []
    if a.change:
        flags = (4 if "ip" in a.change else 0) | (2 if "port" in a.change else 0)
        attrs.append(attr(0x0003, struct.pack("!I", flags)))
    if a.padding:
        attrs.append(attr(0x0026, b"\0" * a.padding))
    if a.response_port:
        attrs.append(attr(0x0027, struct.pack("!HH", a.response_port, 0)))
    if a.unknown:
        attrs.append(attr(int(a.unknown, 16), b"\0\0\0\0"))
    pkt = message(tid, attrs)
    if a.tcp:
        # RFC 8489 §6.2.2: the same message on a stream; the length in the
        # header frames the answer.
        c = socket.create_connection((a.server, a.port), timeout=a.timeout)
        local = c.getsockname()
        c.sendall(pkt)
        buf = b""
        while len(buf) < 20 or len(buf) < 20 + struct.unpack("!H", buf[2:4])[0]:
            chunk = c.recv(4096)
            if not chunk:
                break
            buf += chunk
        c.close()
        m = parse(buf[:20 + struct.unpack("!H", buf[2:4])[0]]) if len(buf) >= 20 else None
        if not m:
            print("class=none request_len=%d" % len(pkt))
            return 0
        d = describe(m, buf, (a.server, a.port))
        d["local"] = "%s:%d" % local[:2]
        d["request_len"] = len(pkt)
        print(" ".join("%s=%s" % kv for kv in d.items()))
        return 0
    s = socket.socket(family(a.server), socket.SOCK_DGRAM)
    if a.local_port:
        s.bind(("", a.local_port))
    m, data, src = udp_transact(s, (a.server, a.port), pkt, tid, a.timeout)
    if not m:
        print("class=none request_len=%d" % len(pkt))
        return 0
    d = describe(m, data, src)
    d["request_len"] = len(pkt)
    print(" ".join("%s=%s" % kv for kv in d.items()))
    return 0


def result_of(m):
    v = m[2].get(ND_RESULT)
    if not v or len(v) != 8:
        return None
    return RESULTS.get(v[1], str(v[1])), struct.unpack("!H", v[4:6])[0]


def cmd_dialback(a):
    if a.repeat > 1:
        # As fast as one client can: what a rate limit must stop.
        counts, out = {}, sys.stdout
        n, a.repeat = a.repeat, 1
        for _ in range(n):
            sys.stdout = io.StringIO()
            cmd_dialback(a)
            word = sys.stdout.getvalue().split()[0].split("=")[1]
            sys.stdout = out
            counts[word] = counts.get(word, 0) + 1
        print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
        return 0
    proto = 6 if a.proto == "tcp" else 17
    nonce = os.urandom(8)
    req = attr(ND_DIALBACK, struct.pack("!BBH", proto, 0, a.dial_port) + nonce)
    catcher = None
    if proto == 17 and a.catch:
        # The client binds the port itself and watches for the datagram.
        catcher = socket.socket(family(a.server), socket.SOCK_DGRAM)
        catcher.bind(("", a.dial_port))
    t0 = time.monotonic()
    if a.via == "tcp":
        tid = os.urandom(12)
        c = socket.create_connection((a.server, a.port), timeout=a.timeout)
        c.sendall(message(tid, [req]))
        buf = b""
        while len(buf) < 20 or len(buf) < 20 + struct.unpack("!H", buf[2:4])[0]:
            chunk = c.recv(4096)
            if not chunk:
                break
            buf += chunk
        m = parse(buf[:20 + struct.unpack("!H", buf[2:4])[0]]) if len(buf) >= 20 else None
        c.close()
    else:
        s = socket.socket(family(a.server), socket.SOCK_DGRAM)
        tid = os.urandom(12)
        m, _, _ = udp_transact(s, (a.server, a.port), message(tid, [req]), tid, a.timeout)
        cookie = m and m[2].get(ND_COOKIE)
        if m and cookie and not a.no_cookie:
            if a.forge_cookie:
                cookie = cookie[:4] + bytes(12)
            tid = os.urandom(12)
            m, _, _ = udp_transact(s, (a.server, a.port),
                                   message(tid, [req, attr(ND_COOKIE, cookie)]), tid, a.timeout)
    elapsed = int((time.monotonic() - t0) * 1000)
    r = result_of(m) if m else None
    words = ["result=%s" % (r[0] if r else ("cookie" if m and ND_COOKIE in m[2] else "none")),
             "server_ms=%s" % (r[1] if r else "-"), "ms=%d" % elapsed]
    if m and ND_COOKIE in m[2]:
        words.append("cookie=%s" % m[2][ND_COOKIE].hex())
    if catcher:
        catcher.settimeout(1.0)
        try:
            data, _ = catcher.recvfrom(100)
            ok = data == b"natdoctor-dialback/1" + nonce
        except socket.timeout:
            ok = False
        words.append("arrived=%s" % ("yes" if ok else "no"))
    print(" ".join(words))
    return 0


def cmd_listen(a):
    srv = socket.socket(family(a.addr), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.addr, a.port))
    srv.listen(16)
    print("listening", flush=True)
    while True:
        c, _ = srv.accept()
        c.settimeout(2)
        try:
            if a.mode == "libp2p":
                c.sendall(MSS)
                c.recv(100)
                c.sendall(b"\x03na\n")
            elif a.mode == "probe":
                buf = b""
                while b"\n" not in buf[20:] and len(buf) < 100:
                    chunk = c.recv(100)
                    if not chunk:
                        break
                    buf += chunk
                line = buf[buf.find(b"natdoctor-dialback "):]
                c.sendall(line[:line.find(b"\n") + 1])
            else:
                c.recv(100)
        except OSError:
            pass
        c.close()


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def cmd_flood(a):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    net = ipaddress.ip_network(a.spoof_net)
    hosts = [str(h) for h in net.hosts()]
    if a.victim:
        hosts.append(a.victim)
    dst = socket.inet_aton(a.target)
    rng = random.Random(1)
    kinds = ["plain", "nocookie", "forged"]
    if a.stolen_cookie:
        kinds.append("stolen")
    stolen = bytes.fromhex(a.stolen_cookie) if a.stolen_cookie else None
    sent = 0
    t_end = time.monotonic() + a.seconds
    while sent < a.count and time.monotonic() < t_end:
        src = rng.choice(hosts)
        kind = kinds[sent % len(kinds)]
        tid = os.urandom(12)
        req = attr(ND_DIALBACK, struct.pack("!BBH", 6 if sent % 2 else 17, 0, a.dial_port) +
                   os.urandom(8))
        if kind == "plain":
            payload = message(tid, [])
        elif kind == "nocookie":
            payload = message(tid, [req])
        elif kind == "forged":
            payload = message(tid, [req, attr(ND_COOKIE, os.urandom(16))])
        else:
            payload = message(tid, [req, attr(ND_COOKIE, stolen)])
        sport = rng.randint(1024, 65535)
        udp = struct.pack("!HHHH", sport, a.port, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), sent & 0xFFFF, 0, 64, 17, 0,
                         socket.inet_aton(src), dst)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        raw.sendto(ip + udp, (a.target, 0))
        sent += 1
    print("sent=%d" % sent)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stun")
    s.add_argument("server")
    s.add_argument("--port", type=int, default=3478)
    s.add_argument("--change", default="")
    s.add_argument("--padding", type=int, default=0)
    s.add_argument("--response-port", type=int, default=0)
    s.add_argument("--unknown", default="")
    s.add_argument("--local-port", type=int, default=0)
    s.add_argument("--tcp", action="store_true", help="over TCP (RFC 8489 §6.2.2)")
    s.add_argument("--timeout", type=float, default=2.0)
    d = sub.add_parser("dialback")
    d.add_argument("server")
    d.add_argument("--port", type=int, default=3478)
    d.add_argument("--proto", choices=["tcp", "udp"], default="tcp")
    d.add_argument("--dial-port", type=int, required=True)
    d.add_argument("--via", choices=["tcp", "udp"], default="udp")
    d.add_argument("--catch", action="store_true", help="UDP: bind the port, watch")
    d.add_argument("--no-cookie", action="store_true", help="stop after the cookie")
    d.add_argument("--forge-cookie", action="store_true", help="echo a bad MAC")
    d.add_argument("--timeout", type=float, default=4.0)
    d.add_argument("--repeat", type=int, default=1, help="ask N times, count results")
    li = sub.add_parser("listen")
    li.add_argument("mode", choices=["libp2p", "probe", "silent"])
    li.add_argument("--addr", default="0.0.0.0")
    li.add_argument("--port", type=int, required=True)
    f = sub.add_parser("flood")
    f.add_argument("target")
    f.add_argument("--port", type=int, default=3478)
    f.add_argument("--spoof-net", required=True)
    f.add_argument("--victim", default="")
    f.add_argument("--dial-port", type=int, default=30333)
    f.add_argument("--stolen-cookie", default="")
    f.add_argument("--count", type=int, default=100000)
    f.add_argument("--seconds", type=float, default=5.0)
    a = ap.parse_args()
    return {"stun": cmd_stun, "dialback": cmd_dialback, "listen": cmd_listen,
            "flood": cmd_flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

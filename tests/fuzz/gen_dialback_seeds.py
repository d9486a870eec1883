#!/usr/bin/env python3
"""Write the seed corpus of fuzz_dialback (tests/fuzz/corpus/dialback/):
the messages of docs/SERVE-PROTOCOL.md's two exchanges, malformed variants,
and the dial-back payloads. Run from the repository root; deterministic."""
import os
import struct
import zlib

OUT = "tests/fuzz/corpus/dialback"
TID = bytes(range(1, 13))
NONCE = bytes.fromhex("deadbeef01234567")


def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)


def msg(mtype, attrs, fp=True):
    body = b"".join(attrs)
    if fp:
        hdr = struct.pack("!HHI", mtype, len(body) + 8, 0x2112A442) + TID
        crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", mtype, len(body), 0x2112A442) + TID + body


def req(proto, port, nonce=NONCE, flags=0):
    return attr(0xC4D0, struct.pack("!BBH", proto, flags, port) + nonce)


COOKIE = attr(0xC4D1, struct.pack("!I", 1234567) + bytes(range(0xA0, 0xAC)))


def result(proto, res, port, ms):
    return attr(0xC4D2, struct.pack("!BBHHH", proto, res, port, ms, 0))


XMA = attr(0x0020, struct.pack("!BBH", 0, 1, 30333 ^ 0x2112) + bytes(
    a ^ b for a, b in zip(bytes([11, 0, 4, 2]), b"\x21\x12\xa4\x42")))

seeds = {
    "udp-request-no-cookie": msg(0x0001, [req(17, 30333)]),
    "udp-request-with-cookie": msg(0x0001, [req(17, 30333), COOKIE]),
    "tcp-request": msg(0x0001, [req(6, 30333)]),
    "tcp-request-port-0": msg(0x0001, [req(6, 0)]),
    "request-flags-set": msg(0x0001, [req(6, 30333, flags=0xff)]),
    "request-proto-1-bad": msg(0x0001, [req(1, 30333)]),
    "request-length-11-bad": msg(0x0001, [attr(0xC4D0, bytes([6, 0, 0x76, 0xDD]) + NONCE[:7])]),
    "cookie-length-20-bad": msg(0x0001, [req(17, 1), attr(0xC4D1, bytes(20))]),
    "success-with-cookie": msg(0x0101, [XMA, COOKIE]),
    "success-with-result-refused": msg(0x0101, [XMA, result(6, 3, 30333, 2)]),
    "success-with-result-libp2p": msg(0x0101, [XMA, result(6, 1, 30333, 17)]),
    "success-with-result-sent": msg(0x0101, [XMA, result(17, 6, 30334, 0)]),
    "result-unknown-code-200": msg(0x0101, [result(6, 200, 1, 65535)]),
    "duplicate-requests-first-wins": msg(0x0001, [req(6, 1), req(17, 2)]),
    "request-after-fingerprint-rejected": msg(0x0001, [], fp=True) + b"",
    "change-request-and-dialback": msg(0x0001, [attr(0x0003, bytes([0, 0, 0, 6])), req(17, 5)]),
    "payload-udp-datagram": b"natdoctor-dialback/1" + NONCE,
    "payload-tcp-greeting": b"\x13/multistream/1.0.0\n" + b"natdoctor-dialback deadbeef01234567\n",
    "payload-multistream-na": b"\x13/multistream/1.0.0\n\x03na\n",
}
# An ND-DIALBACK after FINGERPRINT (the STUN codec rejects the message):
# append it and fix the length.
m = seeds["request-after-fingerprint-rejected"] + req(6, 30333)
seeds["request-after-fingerprint-rejected"] = m[:2] + struct.pack("!H", len(m) - 20) + m[4:]

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)

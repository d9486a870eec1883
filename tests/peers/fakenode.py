#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in Substrate node for natdoctor's peers tests: JSON-RPC 2.0 over
HTTP POST (any path) and Prometheus text on GET /metrics, in the formats a
real node (Substrate / Polkadot SDK, Phala's khala-node) uses. Also the bad
servers the tests need.

  fakenode.py --port-file F [--mode M] [--peers N] [--inbound N] ...

It binds 127.0.0.1 on a port the OS picks and writes the port to
--port-file once it listens, so tests can run side by side. Modes:

  normal     answer properly (peers may move with --peers-walk)
  html       a 502 page from a "proxy" instead of JSON or metrics, status 200
  hang       accept connections and never answer
  endless    a chunked /metrics (or RPC) body that never ends
  huge       a complete but very large body (--huge-mb, default 64)
  garbage    random bytes with status 200
  http500    status 500 with a short text body
  redirect   status 302 with an empty body (Content-Length: 0)
  liar       RPC that lies: system_health says -1 peers, the listen and
             external address lists hold 10,000 entries

--external ADDR (repeatable) is what system_unstable_networkState reports
as the node's external addresses; it answers only with --unsafe-ok, as a
node started with --rpc-methods=safe refuses it. --delay-ms holds every
answer (a slow node). --p2p-listen also listens on TCP --p2p-port
(0.0.0.0), a stand-in for the node's P2P port: started as
`exec -a polkadot python3 fakenode.py ... --port 30333 --public-addr ...`
its command line looks like a node's (unknown arguments are ignored).
--no-conn-counters leaves the sub_libp2p_connections_* counters out of the
metrics, as some nodes' builds do.

--dump-metrics / --dump-rpc METHOD print one body to stdout and exit (for
fuzz seeds and fixtures).
"""
import argparse
import json
import os
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PEER_ID = "12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT"


class Node:
    def __init__(self, a):
        self.a = a
        self.start = int(time.time()) - a.uptime
        self.lock = threading.Lock()
        self.opened_in = a.inbound_total
        self.closed_in = a.inbound_total - a.inbound
        self.best = 4567890

    def peers(self):
        if self.a.peers_walk:
            # A slow, bounded walk so the sparkline has something to show.
            return max(0, self.a.peers + random.randint(-2, 2))
        return self.a.peers

    def metrics(self):
        a, p = self.a, self.a.prefix
        lab = '{chain="%s"}' % a.chain if a.chain else ""
        c = ',chain="%s"' % a.chain if a.chain else ""
        with self.lock:
            self.best += 1
            if a.inbound_churn:
                self.opened_in += 1
                self.closed_in += 1
            oi, ci, best = self.opened_in, self.closed_in, self.best
        peers = self.peers()
        out = max(0, peers - a.inbound)
        closed_in_a = ci // 2
        lines = [
            f"# HELP {p}_block_height Block height info of the chain",
            f"# TYPE {p}_block_height gauge",
            f'{p}_block_height{{status="best"{c}}} {best}',
            f'{p}_block_height{{status="finalized"{c}}} {best - 2}',
            f'{p}_block_height{{status="sync_target"{c}}} {best}',
            f"# HELP {p}_block_verification_and_import_time Time taken to verify and import blocks",
            f"# TYPE {p}_block_verification_and_import_time histogram",
        ]
        for le in ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"):
            lines.append(f'{p}_block_verification_and_import_time_bucket{{le="{le}"{c}}} 9062')
        lines += [
            f"{p}_block_verification_and_import_time_sum{lab} 147.2200280879997",
            f"{p}_block_verification_and_import_time_count{lab} 9062",
            f"# HELP {p}_process_start_time_seconds Number of seconds between the UNIX epoch and the moment the process started",
            f"# TYPE {p}_process_start_time_seconds gauge",
            f"{p}_process_start_time_seconds{lab} {self.start}",
            f"# HELP {p}_sub_libp2p_connections_closed_total Total number of connections closed, by direction and reason",
            f"# TYPE {p}_sub_libp2p_connections_closed_total counter",
            f'{p}_sub_libp2p_connections_closed_total{{direction="in",reason="keep-alive-timeout"{c}}} {closed_in_a}',
            f'{p}_sub_libp2p_connections_closed_total{{direction="in",reason="transport-error"{c}}} {ci - closed_in_a}',
            f'{p}_sub_libp2p_connections_closed_total{{direction="out",reason="keep-alive-timeout"{c}}} 33340',
            f'{p}_sub_libp2p_connections_closed_total{{direction="out",reason="transport-error"{c}}} 110422',
            f"# HELP {p}_sub_libp2p_connections_opened_total Total number of connections opened by direction",
            f"# TYPE {p}_sub_libp2p_connections_opened_total counter",
            f'{p}_sub_libp2p_connections_opened_total{{direction="in"{c}}} {oi}',
            f'{p}_sub_libp2p_connections_opened_total{{direction="out"{c}}} {143762 + out}',
            f"# HELP {p}_sub_libp2p_is_major_syncing Whether the node is performing a major sync or not.",
            f"# TYPE {p}_sub_libp2p_is_major_syncing gauge",
            f"{p}_sub_libp2p_is_major_syncing{lab} {1 if a.syncing else 0}",
            f"# HELP {p}_sub_libp2p_out_events_events_total Number of broadcast network events that have been sent or received across all channels",
            f"# TYPE {p}_sub_libp2p_out_events_events_total counter",
            f'{p}_sub_libp2p_out_events_events_total{{action="received",event_name="notif-\\"/sup/transactions/1\\"",name="transactions-handler"{c}}} 606069',
            f"# HELP {p}_sub_libp2p_peers_count Number of connected peers",
            f"# TYPE {p}_sub_libp2p_peers_count gauge",
            f"{p}_sub_libp2p_peers_count{lab} {peers}",
            f"# HELP {p}_sync_peers Number of peers we sync with",
            f"# TYPE {p}_sync_peers gauge",
            f"{p}_sync_peers{lab} {peers}",
        ]
        if a.no_conn_counters:
            lines = [x for x in lines if "_sub_libp2p_connections_" not in x]
        return ("\n".join(lines) + "\n").encode()

    def rpc(self, method, rid):
        a = self.a
        if method == "system_health":
            res = {"peers": self.peers() if a.mode != "liar" else -1,
                   "isSyncing": a.syncing, "shouldHavePeers": True}
        elif method == "system_syncState":
            res = {"startingBlock": 4500000, "currentBlock": self.best, "highestBlock": self.best}
        elif method == "system_localPeerId":
            res = a.peer_id
        elif method == "system_localListenAddresses" and a.mode == "liar":
            res = ["/ip4/10.%d.%d.%d/tcp/30333" % (i >> 16, (i >> 8) & 255, i & 255)
                   for i in range(10000)]
        elif method == "system_localListenAddresses":
            res = [f"/ip4/127.0.0.1/tcp/{a.p2p_port}/p2p/{PEER_ID}",
                   f"/ip4/192.168.1.10/tcp/{a.p2p_port}/p2p/{PEER_ID}",
                   f"/ip6/::1/tcp/{a.p2p_port}/p2p/{PEER_ID}"]
        elif method == "system_unstable_networkState":
            if not a.unsafe_ok:
                return {"jsonrpc": "2.0", "id": rid,
                        "error": {"code": -32601, "message": "RPC call is unsafe to be called externally"}}
            n = self.peers()
            peers = {}
            for i in range(n):
                if i < a.inbound:
                    ep = {"listening": {"localAddr": f"/ip4/192.168.1.10/tcp/{a.p2p_port}",
                                        "sendBackAddr": "/ip4/198.51.100.%d/tcp/%d" % (i % 250 + 1, 40000 + i)}}
                else:
                    ep = {"dialing": "/ip4/198.51.100.%d/tcp/30333" % (i % 250 + 1)}
                peers["12D3KooWPeer%04d" % i] = {
                    "enabled": True, "endpoint": ep, "knownAddresses": [],
                    "latestPingTime": {"nanos": 81220000, "secs": 0}, "openNotifications": [],
                    "versionString": "Parity Polkadot/v1.5.0"}
            ext = a.external if a.mode != "liar" else \
                ["/ip4/203.0.113.%d/tcp/%d" % (i % 250 + 1, 1024 + i) for i in range(10000)]
            res = {"peerId": a.peer_id,
                   "listenedAddresses": [f"/ip4/127.0.0.1/tcp/{a.p2p_port}",
                                         f"/ip4/192.168.1.10/tcp/{a.p2p_port}"],
                   "externalAddresses": ext, "connectedPeers": peers,
                   "notConnectedPeers": {}, "peerset": {"nodes": {}, "message_queue": 0}}
        elif method == "system_peers":
            if not a.unsafe_ok:
                return {"jsonrpc": "2.0", "id": rid,
                        "error": {"code": -32601, "message": "RPC call is unsafe to be called externally"}}
            res = [{"peerId": "12D3KooWPeer%04d" % i, "roles": "FULL" if i % 5 else "AUTHORITY",
                    "bestHash": "0x%064x" % i, "bestNumber": self.best - (i % 3)}
                   for i in range(self.peers())]
        else:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}}
        return {"jsonrpc": "2.0", "result": res, "id": rid}


HTML = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n")


def make_handler(node, a):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send_body(self, body, ctype, status=200):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def bad(self):
            m = a.mode
            if a.delay_ms:
                time.sleep(a.delay_ms / 1000.0)
            if m == "hang":
                time.sleep(3600)
                return True
            if m == "html":
                self.send_body(HTML, "text/html")
                return True
            if m == "garbage":
                self.send_body(os.urandom(4096), "application/octet-stream")
                return True
            if m == "http500":
                self.send_body(b"internal error\n", "text/plain", 500)
                return True
            if m == "redirect":
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            if m == "endless":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                line = b"x_endless_metric{a=\"b\"} 1\n" * 400
                try:
                    while True:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                except OSError:
                    pass
                return True
            if m == "huge":
                total = a.huge_mb << 20
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(total))
                self.end_headers()
                block = (b"# padding " + b"p" * 1013 + b"\n") * 64
                sent = 0
                try:
                    while sent < total:
                        n = min(len(block), total - sent)
                        self.wfile.write(block[:n])
                        sent += n
                except OSError:
                    pass
                return True
            return False

        def do_GET(self):
            if self.bad():
                return
            if self.path.rstrip("/") == "/metrics":
                self.send_body(node.metrics(), "text/plain; version=0.0.4")
            else:
                self.send_body(b"Not found\n", "text/plain", 404)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            req = self.rfile.read(min(n, 1 << 16))
            if self.bad():
                return
            try:
                j = json.loads(req)
                resp = node.rpc(j.get("method"), j.get("id"))
            except ValueError:
                resp = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
            self.send_body(json.dumps(resp).encode(), "application/json; charset=utf-8")

    return H


def main():
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--port-file")
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "html", "hang", "endless", "huge", "garbage", "http500", "liar",
                             "redirect"])
    ap.add_argument("--peers", type=int, default=8)
    ap.add_argument("--peers-walk", action="store_true")
    ap.add_argument("--inbound", type=int, default=0, help="inbound connections open now")
    ap.add_argument("--inbound-total", type=int, default=0, help="inbound opened since start")
    ap.add_argument("--inbound-churn", action="store_true", help="one new inbound per scrape")
    ap.add_argument("--uptime", type=int, default=7200)
    ap.add_argument("--chain", default="khala")
    ap.add_argument("--prefix", default="substrate")
    ap.add_argument("--p2p-port", type=int, default=30333)
    ap.add_argument("--syncing", action="store_true")
    ap.add_argument("--unsafe-ok", action="store_true", help="answer system_peers")
    ap.add_argument("--huge-mb", type=int, default=64)
    ap.add_argument("--external", action="append", default=[])
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--p2p-listen", action="store_true")
    ap.add_argument("--peer-id", default=PEER_ID)
    ap.add_argument("--http-port", type=int, default=0, help="fixed RPC/metrics port (default: any)")
    ap.add_argument("--no-conn-counters", action="store_true")
    ap.add_argument("--dump-metrics", action="store_true")
    ap.add_argument("--dump-rpc")
    a, _ = ap.parse_known_args()
    if a.inbound_total < a.inbound:
        a.inbound_total = a.inbound
    node = Node(a)
    if a.dump_metrics:
        sys.stdout.buffer.write(node.metrics())
        return
    if a.dump_rpc:
        sys.stdout.write(json.dumps(node.rpc(a.dump_rpc, 1)))
        return
    if a.p2p_listen:
        p2p = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        p2p.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        p2p.bind(("0.0.0.0", a.p2p_port))
        p2p.listen(8)
    srv = ThreadingHTTPServer(("127.0.0.1", a.http_port), make_handler(node, a))
    srv.daemon_threads = True
    port = srv.server_address[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

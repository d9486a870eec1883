#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A lying UPnP device for the lab: answers every M-SEARCH (multicast or
unicast, on UDP 1900) with SSDP answers natdoctor must not act on:
  - an IGD whose LOCATION names another host (THIRD_PARTY): fetching it
    would let any LAN device aim natdoctor at anyone;
  - an IGD whose LOCATION is a name, not an address;
  - garbage, a NUL inside a header, an oversized datagram.

With --desc MODE it also answers as a real-looking IGD at
http://LAN_IP:HTTP_PORT/rootDesc.xml (a LOCATION natdoctor accepts) and
serves a description that lies:
  foreign       controlURL http://FOREIGN/ctl: another host (the host's own
                loopback in the lab)
  urlbase       URLBase http://FOREIGN/ and a relative controlURL
  redirect      the description answers 302 to http://FOREIGN/rootDesc.xml
  endless       the description never ends (no length, bytes forever)
  endless-soap  a good description; every SOAP answer never ends
  hang          the connection is accepted, nothing is ever answered
  permanent     an honest IGDv1 that allows only permanent leases, as some
                real routers do and miniupnpd never does: AddPortMapping
                with a lease other than 0 answers 725
                OnlyPermanentLeasesSupported, lease 0 is kept in a table
                (718 if another client holds the port);
                GetSpecificPortMappingEntry (714 if absent),
                DeletePortMapping, GetExternalIPAddress (--external); any
                other action 401. GET /table lists the table ("TCP 30333
                192.168.1.10 30333" a line), GET /forget empties it (a
                router that loses its mappings), GET /forget/PORT drops
                that port's, GET /external/ADDR gives it a new external
                address
  strict2       the same table as an IGDv2 that takes leases: AddAnyPortMapping
                gives the port asked if it is free or the asker's own, else
                the lowest free port from 40000 (a compliant gateway: the
                asker's mapping on another port is not free), AddPortMapping
                718 on another client's port
Each HTTP request is logged ("http GET /rootDesc.xml"), and how many bytes
the endless answers got out before the client went away; in permanent and
strict2 mode also each SOAP call with its arguments and answer ("soap AddPortMapping
NewExternalPort=30333 ... -> 725").

Stops by itself after --max-seconds. Prints one line per request.

  ssdp_liar.py --lan-ip 192.168.1.1 --third-party 11.0.0.30 --max-seconds 60
  ssdp_liar.py --lan-ip 192.168.1.1 --third-party 11.0.0.30 --desc foreign \\
      --foreign 127.0.0.1:18080
"""
import argparse
import re
import socket
import socketserver
import struct
import sys
import threading
import time

IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
WANIP = "urn:schemas-upnp-org:service:WANIPConnection:2"
IGD1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
WANIP1 = "urn:schemas-upnp-org:service:WANIPConnection:1"
# UPnP Device Architecture 1.1 section 3.2.2 and WANIPConnection:1 2.4.16.
ERRORS = {401: "Invalid Action", 714: "NoSuchEntryInArray",
          718: "ConflictInMappingEntry", 725: "OnlyPermanentLeasesSupported"}


def answers(third_party):
    ok = "HTTP/1.1 200 OK\r\nST: %s\r\nLOCATION: %s\r\nSERVER: liar/1\r\n\r\n"
    return [
        (ok % (IGD, "http://%s:80/rootDesc.xml" % third_party)).encode(),
        (ok % (IGD, "http://evil.example:80/rootDesc.xml")).encode(),
        b"HTTP/1.1 200 OK\r\nST: " + IGD.encode() + b"\0x\r\nLOCATION: http://1.2.3.4/\r\n\r\n",
        b"\xff" * 64,
        b"HTTP/1.1 200 OK\r\n" + b"X: " + b"A" * 8000 + b"\r\n\r\n",
    ]


def description(control, urlbase="", v1=False):
    base = "<URLBase>%s</URLBase>" % urlbase if urlbase else ""
    igd, wanip, v = (IGD1, WANIP1, "1") if v1 else (IGD, WANIP, "2")
    return (
        '<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>%s"
        "<device><deviceType>%s</deviceType><friendlyName>liar</friendlyName>"
        "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:%s</deviceType>"
        "<deviceList><device>"
        "<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:%s</deviceType>"
        "<serviceList><service><serviceType>%s</serviceType>"
        "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>"
        "<controlURL>%s</controlURL><eventSubURL>/evt</eventSubURL>"
        "<SCPDURL>/WANIPCn.xml</SCPDURL></service></serviceList>"
        "</device></deviceList></device></deviceList></device></root>\r\n"
        % (base, igd, v, v, wanip, control)
    ).encode()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        cfg = self.server.cfg
        conn = self.request
        conn.settimeout(cfg.max_seconds)
        try:
            head = conn.recv(8192)
        except OSError:
            return
        line = head.split(b"\r\n", 1)[0].decode("ascii", "replace")
        print("http", line, flush=True)
        if cfg.desc == "hang":
            try:
                conn.recv(1)  # until the client goes away (or our timeout)
            except OSError:
                pass
            return
        if cfg.desc in ("permanent", "strict2"):
            self.igd(line, head)
            return
        if line.startswith("POST"):
            if cfg.desc == "endless-soap":
                self.endless(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<s:Envelope>")
                return
            body = b"<s:Envelope><s:Body><u:R><NewExternalIPAddress>11.0.2.2" \
                   b"</NewExternalIPAddress></u:R></s:Body></s:Envelope>"
            self.send(b"200 OK", body)
            return
        if cfg.desc == "redirect":
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://%s/rootDesc.xml\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n" % cfg.foreign.encode())
            return
        if cfg.desc == "endless":
            self.endless(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n"
                         b'<?xml version="1.0"?><root><device>')
            return
        if cfg.desc == "foreign":
            body = description("http://%s/ctl" % cfg.foreign)
        elif cfg.desc == "urlbase":
            body = description("/ctl", "http://%s/" % cfg.foreign)
        else:
            body = description("http://%s:%d/ctl" % (cfg.lan_ip, cfg.http_port))
        self.send(b"200 OK", body)

    def igd(self, line, head):
        """The IGDv1 that allows only permanent leases, or the strict IGDv2."""
        srv = self.server
        v1 = srv.cfg.desc == "permanent"
        if line.startswith("GET /external/"):
            with srv.lock:
                srv.cfg.external = line.split()[1][len("/external/"):]
                print("external address", srv.cfg.external, flush=True)
            self.send(b"200 OK", b"")
            return
        if line.startswith("GET /table") or line.startswith("GET /forget"):
            with srv.lock:
                m = re.match(r"GET /forget/(\d+) ", line)
                if m:
                    for k in [k for k in srv.table if k[0] == int(m.group(1))]:
                        del srv.table[k]
                    print("forgot port", m.group(1), flush=True)
                elif line.startswith("GET /forget"):
                    srv.table.clear()
                    print("table forgotten", flush=True)
                text = "".join("%s %d %s %d\n" % (k[1], k[0], v[0], v[1])
                               for k, v in sorted(srv.table.items()))
            self.send(b"200 OK", text.encode())
            return
        if not line.startswith("POST"):
            self.send(b"200 OK", description("http://%s:%d/ctl" % (self.server.cfg.lan_ip,
                                                                 self.server.cfg.http_port), v1=v1))
            return
        # The whole body (Content-Length, at most 16 KiB).
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        want = min(int(m.group(1)), 16384) if m else 0
        body = head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b""
        while len(body) < want:
            try:
                more = self.request.recv(want - len(body))
            except OSError:
                break
            if not more:
                break
            body += more
        text = body.decode("utf-8", "replace")
        m = re.search(r"<u:(\w+)[ >]", text)
        action = m.group(1) if m else "?"
        args = dict(re.findall(r"<(New\w+)>([^<]*)</\1>", text))
        code, out = self.soap(action, args)
        print("soap %s %s -> %s" % (action, " ".join("%s=%s" % kv for kv in args.items()),
                                    code or "ok"), flush=True)
        if code:
            self.send(b"500 Internal Server Error", (
                '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/'
                'envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
                "<s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError"
                '</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0">'
                "<errorCode>%d</errorCode><errorDescription>%s</errorDescription></UPnPError>"
                "</detail></s:Fault></s:Body></s:Envelope>" % (code, ERRORS[code])).encode())
            return
        self.send(b"200 OK", (
            '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/'
            'envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
            '<u:%sResponse xmlns:u="%s">%s</u:%sResponse></s:Body></s:Envelope>'
            % (action, WANIP1 if v1 else WANIP, "".join("<%s>%s</%s>" % (k, v, k) for k, v in out.items()),
               action)).encode())

    def soap(self, action, a):
        """(UPnP error code or 0, values to answer) for one action."""
        srv = self.server
        key = (int(a.get("NewExternalPort", "0") or 0), a.get("NewProtocol", ""))
        with srv.lock:
            if action == "GetExternalIPAddress":
                return 0, {"NewExternalIPAddress": srv.cfg.external}
            client = a.get("NewInternalClient", "")
            entry = (client, int(a.get("NewInternalPort", "0") or 0),
                     a.get("NewPortMappingDescription", ""))
            if action == "AddPortMapping":
                if srv.cfg.desc == "permanent" and a.get("NewLeaseDuration", "0") != "0":
                    return 725, {}
                if key in srv.table and srv.table[key][0] != client:
                    return 718, {}
                srv.table[key] = entry
                return 0, {}
            if action == "AddAnyPortMapping" and srv.cfg.desc == "strict2":
                if key in srv.table and srv.table[key][:2] != entry[:2]:
                    key = (next(p for p in range(40000, 65536) if (p, key[1]) not in srv.table),
                           key[1])
                srv.table[key] = entry
                return 0, {"NewReservedPort": key[0]}
            if action == "GetSpecificPortMappingEntry":
                if key not in srv.table:
                    return 714, {}
                client, port, desc = srv.table[key]
                return 0, {"NewInternalPort": port, "NewInternalClient": client,
                           "NewEnabled": 1, "NewPortMappingDescription": desc,
                           "NewLeaseDuration": 0}
            if action == "DeletePortMapping":
                if key not in srv.table:
                    return 714, {}
                del srv.table[key]
                return 0, {}
        return 401, {}

    def send(self, status, body):
        self.request.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/xml\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)

    def endless(self, head):
        junk = b"<serviceList>" + b"<x>" * 16384
        sent = 0
        try:
            self.request.sendall(head)
            while True:
                self.request.sendall(junk)
                sent += len(junk)
        except OSError:
            pass
        print("http endless answer: %d bytes out before the client left" % sent, flush=True)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lan-ip", required=True)
    ap.add_argument("--third-party", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)
    ap.add_argument("--desc", choices=["foreign", "urlbase", "redirect", "endless",
                                       "endless-soap", "hang", "permanent", "strict2"])
    ap.add_argument("--http-port", type=int, default=5000)
    ap.add_argument("--foreign", default="127.0.0.1:18080")
    ap.add_argument("--external", default="11.0.2.2",
                    help="permanent, strict2: the router's external address")
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 1900))
    mreq = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(a.lan_ip))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    extra = []
    if a.desc:
        httpd = Server((a.lan_ip, a.http_port), Handler)
        httpd.cfg = a
        httpd.table, httpd.lock = {}, threading.Lock()
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        loc = "http://%s:%d/rootDesc.xml" % (a.lan_ip, a.http_port)
        extra.append(("HTTP/1.1 200 OK\r\nST: %s\r\nLOCATION: %s\r\nSERVER: liar/1\r\n\r\n"
                      % (IGD1 if a.desc == "permanent" else IGD, loc)).encode())
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
        for pkt in answers(a.third_party) + extra:
            s.sendto(pkt, peer)
        print("answered", peer, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

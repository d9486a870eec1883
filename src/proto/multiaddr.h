/* SPDX-License-Identifier: MIT */
/*
 * Text multiaddrs (github.com/multiformats/multiaddr), as a Substrate node
 * lists them in system_localListenAddresses:
 *
 *   /ip4/192.168.1.10/tcp/30333/p2p/12D3KooW...
 *   /ip6/::1/tcp/30333/ws/p2p/12D3KooW...
 *   /dns4/node.example.org/tcp/30333/wss
 *   /ip4/203.0.113.7/udp/30333/quic-v1/p2p/12D3KooW...
 *
 * We want where the node listens (address, transport, port) and who it is
 * (the peer id). Protocols we do not know make the address unparsable,
 * because without knowing whether a protocol takes an argument the rest of
 * the text cannot be read. Pure: no I/O, no allocation.
 */
#ifndef ND_PROTO_MULTIADDR_H
#define ND_PROTO_MULTIADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define MULTIADDR_TEXT_MAX    512 /* longer text is refused */
#define MULTIADDR_HOST_MAX    254 /* a DNS name (253) and NUL */
#define MULTIADDR_PEER_ID_MAX 128

enum multiaddr_host {
	MULTIADDR_HOST_NONE = 0,
	MULTIADDR_HOST_IP4,
	MULTIADDR_HOST_IP6,
	MULTIADDR_HOST_DNS, /* /dns: either family */
	MULTIADDR_HOST_DNS4,
	MULTIADDR_HOST_DNS6,
	MULTIADDR_HOST_DNSADDR, /* /dnsaddr: a TXT lookup, no port of its own */
};

enum multiaddr_transport {
	MULTIADDR_TRANSPORT_NONE = 0,
	MULTIADDR_TCP,
	MULTIADDR_UDP,
};

struct multiaddr {
	enum multiaddr_host host_kind;
	struct netaddr ip;	       /* for IP4/IP6, with .port set; family 0 otherwise */
	char host[MULTIADDR_HOST_MAX]; /* the address or DNS name as text; "" if none */
	enum multiaddr_transport transport;
	uint16_t port; /* tcp or udp port; 0 if none (or /tcp/0) */
	bool ws, wss, quic, webrtc, webtransport;
	bool relayed;			     /* has /p2p-circuit */
	char peer_id[MULTIADDR_PEER_ID_MAX]; /* the last /p2p/ (or /ipfs/) id; "" if none */
};

/* Parse s[0..len) (need not be NUL-terminated). Returns 0, -EINVAL for bad
 * syntax or a bad argument (address, port, name, id), -EPROTONOSUPPORT for
 * a protocol we do not know, -E2BIG for text over MULTIADDR_TEXT_MAX. */
int multiaddr_parse(const char *s, size_t len, struct multiaddr *out);

/* The transport as people say it: "tcp", "ws", "wss", "quic-v1",
 * "webrtc-direct", "webtransport", "udp", or "" when there is none. */
const char *multiaddr_transport_name(const struct multiaddr *m);

/* Write m back as text, in the canonical form: host, transport and port,
 * the protocols above it, /p2p-circuit, and /p2p/ID when with_peer_id.
 * "/ip4/203.0.113.7/tcp/30333/ws". Always NUL-terminated (cut to fit);
 * returns out. */
char *multiaddr_format(const struct multiaddr *m, bool with_peer_id, char *out, size_t cap);

#endif

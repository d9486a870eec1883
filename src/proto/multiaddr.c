/* SPDX-License-Identifier: MIT */
#include "proto/multiaddr.h"

#include "util/text.h"

#include <errno.h>
#include <string.h>

/* The text protocols (multiaddr protocols.csv), and whether each takes one
 * argument. /unix (a path to the end) and /ip6zone are read specially. */
enum proto {
	P_IP4,
	P_IP6,
	P_IP6ZONE,
	P_DNS,
	P_DNS4,
	P_DNS6,
	P_DNSADDR,
	P_TCP,
	P_UDP,
	P_P2P,
	P_CERTHASH,
	P_SNI,
	P_WS,
	P_WSS,
	P_QUIC,
	P_QUIC_V1,
	P_WEBRTC,
	P_WEBRTC_DIRECT,
	P_WEBTRANSPORT,
	P_P2P_CIRCUIT,
	P_TLS,
	P_NOISE,
	P_HTTP,
	P_HTTPS,
};

static const struct {
	const char *name;
	enum proto p;
	bool arg;
} protos[] = {
	{ "ip4", P_IP4, true },
	{ "ip6", P_IP6, true },
	{ "ip6zone", P_IP6ZONE, true },
	{ "dns", P_DNS, true },
	{ "dns4", P_DNS4, true },
	{ "dns6", P_DNS6, true },
	{ "dnsaddr", P_DNSADDR, true },
	{ "tcp", P_TCP, true },
	{ "udp", P_UDP, true },
	{ "p2p", P_P2P, true },
	{ "ipfs", P_P2P, true }, /* the old name of /p2p */
	{ "certhash", P_CERTHASH, true },
	{ "sni", P_SNI, true },
	{ "ws", P_WS, false },
	{ "wss", P_WSS, false },
	{ "quic", P_QUIC, false },
	{ "quic-v1", P_QUIC_V1, false },
	{ "webrtc", P_WEBRTC, false },
	{ "webrtc-direct", P_WEBRTC_DIRECT, false },
	{ "webtransport", P_WEBTRANSPORT, false },
	{ "p2p-circuit", P_P2P_CIRCUIT, false },
	{ "tls", P_TLS, false },
	{ "noise", P_NOISE, false },
	{ "http", P_HTTP, false },
	{ "https", P_HTTPS, false },
};

/* Split off the next "/component"; returns its text (without the slash) in
 * tok/toklen, or false at the end. */
static bool next(const char **p, const char *end, const char **tok, size_t *toklen)
{
	const char *s = *p, *slash;

	if (s >= end)
		return false;
	if (*s != '/')
		return false;
	s++;
	slash = memchr(s, '/', (size_t)(end - s));
	*tok = s;
	*toklen = slash ? (size_t)(slash - s) : (size_t)(end - s);
	*p = s + *toklen;
	return true;
}

static bool tok_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(tok, word, len);
}

static int parse_port(const char *tok, size_t len, uint16_t *out)
{
	uint32_t v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint32_t)(tok[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int copy_text(char *out, size_t cap, const char *tok, size_t len)
{
	if (len == 0 || len >= cap)
		return -EINVAL;
	memcpy(out, tok, len);
	out[len] = '\0';
	return 0;
}

/* A DNS name as it may appear in a multiaddr: letters, digits, '-', '.',
 * and '_' (seen in service names). */
static int multiaddr_check_dns(const char *tok, size_t len)
{
	if (len == 0 || len > 253)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = tok[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return -EINVAL;
	}
	return 0;
}

/* A peer id: base58btc ("12D3KooW...", "Qm...") or a base32 CID ("bafz...");
 * both are plain alphanumerics. */
static int multiaddr_check_peer_id(const char *tok, size_t len)
{
	if (len == 0 || len >= MULTIADDR_PEER_ID_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = tok[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return -EINVAL;
	}
	return 0;
}

static int set_host(struct multiaddr *m, enum proto p, const char *arg, size_t len)
{
	char text[MULTIADDR_HOST_MAX];
	int r;

	if (m->host_kind != MULTIADDR_HOST_NONE)
		return 0; /* a relayed address names the relay first: keep that */
	r = copy_text(text, sizeof(text), arg, len);
	if (r < 0)
		return r;
	if (p == P_IP4 || p == P_IP6) {
		struct netaddr a;

		if (netaddr_parse_ip(&a, text) < 0 || (p == P_IP4) != (a.family == AF_INET))
			return -EINVAL;
		m->ip = a;
		m->host_kind = p == P_IP4 ? MULTIADDR_HOST_IP4 : MULTIADDR_HOST_IP6;
	} else {
		if (multiaddr_check_dns(arg, len) < 0)
			return -EINVAL;
		m->host_kind = p == P_DNS    ? MULTIADDR_HOST_DNS
			       : p == P_DNS4 ? MULTIADDR_HOST_DNS4
			       : p == P_DNS6 ? MULTIADDR_HOST_DNS6
					     : MULTIADDR_HOST_DNSADDR;
	}
	memcpy(m->host, text, len + 1);
	return 0;
}

static int apply(struct multiaddr *m, enum proto p, const char *arg, size_t len)
{
	uint16_t port;
	int r;

	switch (p) {
	case P_IP4:
	case P_IP6:
	case P_DNS:
	case P_DNS4:
	case P_DNS6:
	case P_DNSADDR:
		return set_host(m, p, arg, len);
	case P_TCP:
	case P_UDP:
		r = parse_port(arg, len, &port);
		if (r < 0)
			return r;
		if (m->transport == MULTIADDR_TRANSPORT_NONE) {
			m->transport = p == P_TCP ? MULTIADDR_TCP : MULTIADDR_UDP;
			m->port = port;
			if (m->ip.family)
				m->ip.port = port;
		}
		return 0;
	case P_P2P:
		r = multiaddr_check_peer_id(arg, len);
		if (r < 0)
			return r;
		memcpy(m->peer_id, arg, len);
		m->peer_id[len] = '\0';
		return 0;
	case P_IP6ZONE:
	case P_CERTHASH:
	case P_SNI:
		return len ? 0 : -EINVAL; /* read and not needed */
	case P_WS:
		m->ws = true;
		return 0;
	case P_WSS:
		m->wss = true;
		return 0;
	case P_QUIC:
	case P_QUIC_V1:
		m->quic = true;
		return 0;
	case P_WEBRTC:
	case P_WEBRTC_DIRECT:
		m->webrtc = true;
		return 0;
	case P_WEBTRANSPORT:
		m->webtransport = true;
		return 0;
	case P_P2P_CIRCUIT:
		m->relayed = true;
		return 0;
	case P_TLS:
	case P_NOISE:
	case P_HTTP:
	case P_HTTPS:
		return 0;
	}
	return -EINVAL;
}

int multiaddr_parse(const char *s, size_t len, struct multiaddr *out)
{
	const char *p = s, *end = s + len, *tok, *arg;
	size_t toklen, arglen;
	bool any = false;

	memset(out, 0, sizeof(*out));
	if (len > MULTIADDR_TEXT_MAX)
		return -E2BIG;
	if (len == 0 || s[0] != '/')
		return -EINVAL;
	while (next(&p, end, &tok, &toklen)) {
		size_t i;
		int r;

		if (toklen == 0) {
			/* "//" or a trailing "/": only the latter is tolerated. */
			if (p == end)
				break;
			return -EINVAL;
		}
		if (tok_is(tok, toklen, "unix"))
			return any ? 0 : -EINVAL; /* a socket path to the end: nothing for us */
		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (tok_is(tok, toklen, protos[i].name))
				break;
		if (i == sizeof(protos) / sizeof(protos[0]))
			return -EPROTONOSUPPORT;
		arg = NULL;
		arglen = 0;
		if (protos[i].arg && !next(&p, end, &arg, &arglen))
			return -EINVAL; /* the argument is missing */
		r = apply(out, protos[i].p, arg, arglen);
		if (r < 0)
			return r;
		any = true;
	}
	if (p != end || !any)
		return -EINVAL;
	return 0;
}

const char *multiaddr_transport_name(const struct multiaddr *m)
{
	if (m->wss)
		return "wss";
	if (m->ws)
		return "ws";
	if (m->webtransport)
		return "webtransport";
	if (m->quic)
		return "quic-v1";
	if (m->webrtc)
		return "webrtc-direct";
	if (m->transport == MULTIADDR_TCP)
		return "tcp";
	if (m->transport == MULTIADDR_UDP)
		return "udp";
	return "";
}

char *multiaddr_format(const struct multiaddr *m, bool with_peer_id, char *out, size_t cap)
{
	static const char *const hosts[] = {
		[MULTIADDR_HOST_NONE] = "",	      [MULTIADDR_HOST_IP4] = "ip4",
		[MULTIADDR_HOST_IP6] = "ip6",	      [MULTIADDR_HOST_DNS] = "dns",
		[MULTIADDR_HOST_DNS4] = "dns4",	      [MULTIADDR_HOST_DNS6] = "dns6",
		[MULTIADDR_HOST_DNSADDR] = "dnsaddr",
	};
	size_t len = 0;

	if (!cap)
		return out;
	out[0] = '\0';
	if ((unsigned)m->host_kind < sizeof(hosts) / sizeof(hosts[0]) && m->host_kind)
		text_appendf(out, cap, &len, "/%s/%s", hosts[m->host_kind], m->host);
	if (m->transport != MULTIADDR_TRANSPORT_NONE)
		text_appendf(out, cap, &len, "/%s/%u",
			     m->transport == MULTIADDR_TCP ? "tcp" : "udp", m->port);
	if (m->quic)
		text_appendf(out, cap, &len, "/quic-v1");
	if (m->webtransport)
		text_appendf(out, cap, &len, "/webtransport");
	if (m->webrtc)
		text_appendf(out, cap, &len, "/webrtc-direct");
	if (m->ws || m->wss)
		text_appendf(out, cap, &len, "/%s", m->wss ? "wss" : "ws");
	if (m->relayed)
		text_appendf(out, cap, &len, "/p2p-circuit");
	if (with_peer_id && m->peer_id[0])
		text_appendf(out, cap, &len, "/p2p/%s", m->peer_id);
	return out;
}

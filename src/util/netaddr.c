/* SPDX-License-Identifier: MIT */
#include "util/netaddr.h"
#include "util/text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct netaddr netaddr_v4(const uint8_t ip[static 4], uint16_t port)
{
	struct netaddr a = { .family = AF_INET, .port = port };

	memcpy(a.ip, ip, 4);
	return a;
}

struct netaddr netaddr_v4u(uint32_t ip, uint16_t port)
{
	uint8_t b[4] = { (uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8),
			 (uint8_t)ip };

	return netaddr_v4(b, port);
}

struct netaddr netaddr_v6(const uint8_t ip[static 16], uint16_t port)
{
	struct netaddr a = { .family = AF_INET6, .port = port };

	memcpy(a.ip, ip, 16);
	return a;
}

struct netaddr netaddr_unmap(struct netaddr a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a.family == AF_INET6 && memcmp(a.ip, prefix, 12) == 0)
		return netaddr_v4(a.ip + 12, a.port);
	return a;
}

int netaddr_to_sockaddr(const struct netaddr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->ip, 4);
		return sizeof(*sin);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->ip, 16);
		return sizeof(*sin6);
	}
	return -EAFNOSUPPORT;
}

int netaddr_from_sockaddr(struct netaddr *a, const struct sockaddr *sa, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		*a = netaddr_v4((const uint8_t *)&sin->sin_addr, ntohs(sin->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		*a = netaddr_v6(sin6->sin6_addr.s6_addr, ntohs(sin6->sin6_port));
		return 0;
	}
	return -EAFNOSUPPORT;
}

bool netaddr_eq(const struct netaddr *a, const struct netaddr *b, bool ignore_port)
{
	size_t n;

	if (a->family != b->family)
		return false;
	if (!ignore_port && a->port != b->port)
		return false;
	n = a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
	return memcmp(a->ip, b->ip, n) == 0;
}

char *netaddr_fmt_ip(const struct netaddr *a, char out[static NETADDR_FMT_MAX])
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->ip, out, NETADDR_FMT_MAX) ||
	    (a->family != AF_INET && a->family != AF_INET6))
		snprintf(out, NETADDR_FMT_MAX, "-");
	return out;
}

char *netaddr_fmt(const struct netaddr *a, char out[static NETADDR_FMT_MAX])
{
	/* INET6_ADDRSTRLEN (46) + "[]:65535" fits NETADDR_FMT_MAX. */
	char ip[48];

	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip)))
		ip[0] = '\0';
	if (a->family == AF_INET)
		snprintf(out, NETADDR_FMT_MAX, "%s:%u", ip, a->port);
	else if (a->family == AF_INET6)
		snprintf(out, NETADDR_FMT_MAX, "[%s]:%u", ip, a->port);
	else
		snprintf(out, NETADDR_FMT_MAX, "-");
	return out;
}

int netaddr_parse_ip(struct netaddr *a, const char *s)
{
	uint8_t b[16];

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, b) == 1) {
		*a = netaddr_v4(b, 0);
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		*a = netaddr_v6(b, 0);
		return 0;
	}
	return -EINVAL;
}

/* IPv4 prefix test on a host-order value. */
static bool in4(uint32_t ip, uint32_t net, int bits)
{
	uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);

	return (ip & mask) == (net & mask);
}

#define V4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static enum netaddr_class classify4(const uint8_t *p)
{
	uint32_t ip = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];

	if (ip == 0)
		return NETADDR_UNSPECIFIED;
	if (in4(ip, V4(127, 0, 0, 0), 8))
		return NETADDR_LOOPBACK;
	if (in4(ip, V4(169, 254, 0, 0), 16))
		return NETADDR_LINKLOCAL;
	if (in4(ip, V4(224, 0, 0, 0), 4))
		return NETADDR_MULTICAST;
	if (in4(ip, V4(10, 0, 0, 0), 8) || in4(ip, V4(172, 16, 0, 0), 12) ||
	    in4(ip, V4(192, 168, 0, 0), 16))
		return NETADDR_PRIVATE;
	if (in4(ip, V4(100, 64, 0, 0), 10))
		return NETADDR_CGNAT;
	/* RFC 6890 special-purpose ranges that are never a public address. */
	if (in4(ip, V4(0, 0, 0, 0), 8) || in4(ip, V4(240, 0, 0, 0), 4) ||
	    in4(ip, V4(192, 0, 0, 0), 24) || in4(ip, V4(192, 0, 2, 0), 24) ||
	    in4(ip, V4(198, 18, 0, 0), 15) || in4(ip, V4(198, 51, 100, 0), 24) ||
	    in4(ip, V4(203, 0, 113, 0), 24))
		return NETADDR_RESERVED;
	return NETADDR_PUBLIC;
}

static enum netaddr_class classify6(const uint8_t *p)
{
	static const uint8_t zero[16];
	static const uint8_t one[16] = { [15] = 1 };

	if (memcmp(p, zero, 16) == 0)
		return NETADDR_UNSPECIFIED;
	if (memcmp(p, one, 16) == 0)
		return NETADDR_LOOPBACK;
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0x80)
		return NETADDR_LINKLOCAL;
	if (p[0] == 0xff)
		return NETADDR_MULTICAST;
	if ((p[0] & 0xfe) == 0xfc)
		return NETADDR_PRIVATE;
	if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0x0d && p[3] == 0xb8)
		return NETADDR_RESERVED; /* 2001:db8::/32 documentation */
	/* Only 2000::/3 is global unicast today. */
	if ((p[0] & 0xe0) != 0x20)
		return NETADDR_RESERVED;
	return NETADDR_PUBLIC;
}

enum netaddr_class netaddr_classify(const struct netaddr *in)
{
	struct netaddr a = netaddr_unmap(*in);

	if (a.family == AF_INET)
		return classify4(a.ip);
	if (a.family == AF_INET6)
		return classify6(a.ip);
	return NETADDR_NONE;
}

const char *netaddr_class_name(enum netaddr_class c)
{
	switch (c) {
	case NETADDR_NONE:
		return "none";
	case NETADDR_UNSPECIFIED:
		return "unspecified";
	case NETADDR_LOOPBACK:
		return "loopback";
	case NETADDR_LINKLOCAL:
		return "link-local";
	case NETADDR_MULTICAST:
		return "multicast";
	case NETADDR_RESERVED:
		return "reserved";
	case NETADDR_PRIVATE:
		return "private";
	case NETADDR_CGNAT:
		return "cgnat";
	case NETADDR_PUBLIC:
		return "public";
	}
	return "?";
}

static int parse_port(const char *s, uint16_t *port)
{
	long v;

	if (text_parse_long(s, 1, 65535, &v) < 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int netaddr_split_hostport(const char *s, char *host, size_t host_size, uint16_t *port)
{
	const char *h = s, *colon;
	size_t hlen;

	if (!*s)
		return -EINVAL;
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close == s + 1)
			return -EINVAL;
		h = s + 1;
		hlen = (size_t)(close - h);
		if (close[1] == ':') {
			if (parse_port(close + 2, port) < 0)
				return -EINVAL;
		} else if (close[1]) {
			return -EINVAL;
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* Two or more colons and no brackets: a bare IPv6 address. */
			hlen = strlen(s);
		} else if (colon) {
			hlen = (size_t)(colon - s);
			if (hlen == 0 || parse_port(colon + 1, port) < 0)
				return -EINVAL;
		} else {
			hlen = strlen(s);
		}
	}
	if (hlen + 1 > host_size)
		return -ENAMETOOLONG;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return 0;
}

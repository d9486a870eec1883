/* SPDX-License-Identifier: MIT */
#include "proto/ssdp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SSDP_ST_MAX 200

int ssdp_encode_msearch(const char *st, unsigned mx, char *out, size_t cap)
{
	return ssdp_encode_msearch_to(st, mx, NULL, out, cap);
}

int ssdp_encode_msearch_to(const char *st, unsigned mx, const struct netaddr *to, char *out,
			   size_t cap)
{
	size_t stlen = st ? strlen(st) : 0;
	char host[NETADDR_FMT_MAX] = SSDP_MCAST_V4 ":1900";
	int n;

	if (stlen == 0 || stlen > SSDP_ST_MAX || mx < 1 || mx > 5)
		return -EINVAL;
	for (size_t i = 0; i < stlen; i++)
		if ((unsigned char)st[i] < 0x21 || (unsigned char)st[i] > 0x7e)
			return -EINVAL;
	/* §1.3.2: a unicast search names the device it is sent to in HOST
	 * (port 1900 unless the caller says otherwise). */
	if (to) {
		struct netaddr t = *to;

		if (t.family != AF_INET && t.family != AF_INET6)
			return -EINVAL;
		if (!t.port)
			t.port = SSDP_PORT;
		netaddr_fmt(&t, host);
	}
	/* §1.3.2: HOST, MAN (quoted), MX and ST are required. */
	n = snprintf(out, cap,
		     "M-SEARCH * HTTP/1.1\r\n"
		     "HOST: %s\r\n"
		     "MAN: \"ssdp:discover\"\r\n"
		     "MX: %u\r\n"
		     "ST: %s\r\n"
		     "\r\n",
		     host, mx, st);
	if (n < 0 || (size_t)n >= cap)
		return -ENOBUFS;
	return n;
}

/* Does the line start with the status "HTTP/1.x 200"? The protocol name
 * is compared without case, for 1.0 and 1.1 alike. */
static bool ssdp_status_ok(const uint8_t *p, size_t n)
{
	static const char v10[] = "HTTP/1.0 200", v11[] = "HTTP/1.1 200";
	const size_t k = sizeof(v11) - 1;

	if (n < k || (strncasecmp((const char *)p, v10, k) != 0 &&
		      strncasecmp((const char *)p, v11, k) != 0))
		return false;
	return n == k || p[k] == ' ';
}

/* Store value [v, v+n) into dst (SSDP_FIELD_MAX) if dst is still empty.
 * strict: refuse anything but printable ASCII (ST, LOCATION are used);
 * else replace bytes above 0x7e by '?' (USN, SERVER are only shown). */
static int keep_at(char *dst, const uint8_t *v, size_t n, bool strict)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = v[i];

		if (c < 0x20 || c > 0x7e) {
			if (strict)
				return -EBADMSG;
			c = '?'; /* shown only: one odd byte must not hide a gateway */
		}
		dst[i] = (char)c;
	}
	dst[n] = '\0';
	return 0;
}

/* Store the first occurrence (the caller skips repeats). */
static int keep(char *dst, const uint8_t *v, size_t n, bool strict)
{
	if (n >= SSDP_FIELD_MAX)
		return -EMSGSIZE;
	return keep_at(dst, v, n, strict);
}

/* A folded line (RFC 2616 §4.2: it starts with a space or a tab) continues
 * the value of dst, kept by the header line before it: one space and the
 * trimmed text are appended, within SSDP_FIELD_MAX. */
static int unfold(char *dst, const uint8_t *v, size_t n, bool strict)
{
	size_t have = strlen(dst);

	if (n == 0)
		return 0;
	if (have + 1 + n >= SSDP_FIELD_MAX)
		return -EMSGSIZE;
	dst[have] = ' ';
	return keep_at(dst + have + 1, v, n, strict);
}

static bool name_is(const uint8_t *name, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp((const char *)name, want, n) == 0;
}

int ssdp_decode_response(struct ssdp_response *out, const uint8_t *pkt, size_t len)
{
	size_t pos = 0;
	bool first = true;
	/* The field the last header line stored (NULL: none, or a header we
	 * do not keep, or a repeat), for folded continuation lines. */
	char *last = NULL;
	bool last_strict = false;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const uint8_t *line = pkt + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const uint8_t *colon, *v;
		size_t nn, vn;
		int r = 0;

		pos += n + (nl ? 1 : 0);
		if (n && line[n - 1] == '\r')
			n--;
		if (first) {
			if (!ssdp_status_ok(line, n))
				return -ENOMSG;
			first = false;
			continue;
		}
		if (n == 0)
			break; /* the empty line ends the headers */
		if (line[0] == ' ' || line[0] == '\t') {
			v = line, vn = n;
			while (vn && (*v == ' ' || *v == '\t'))
				v++, vn--;
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
				vn--;
			r = last ? unfold(last, v, vn, last_strict) : 0;
			if (r < 0)
				return r;
			continue;
		}
		colon = memchr(line, ':', n);
		if (!colon)
			return -EBADMSG;
		nn = (size_t)(colon - line);
		while (nn && (line[nn - 1] == ' ' || line[nn - 1] == '\t'))
			nn--;
		v = colon + 1;
		vn = (size_t)(line + n - v);
		while (vn && (*v == ' ' || *v == '\t'))
			v++, vn--;
		while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
			vn--;
		last = NULL;
		if (name_is(line, nn, "ST"))
			last = out->st, last_strict = true;
		else if (name_is(line, nn, "LOCATION"))
			last = out->location, last_strict = true;
		else if (name_is(line, nn, "USN"))
			last = out->usn, last_strict = false;
		else if (name_is(line, nn, "SERVER"))
			last = out->server, last_strict = false;
		if (last && last[0])
			last = NULL; /* a repeat: the first one counts */
		else if (last)
			r = keep(last, v, vn, last_strict);
		if (r < 0)
			return r;
	}
	if (first)
		return -ENOMSG;
	if (!out->st[0] || !out->location[0])
		return -EBADMSG;
	return 0;
}

int ssdp_st_igd_version(const char *st)
{
	static const struct {
		const char *st;
		int version;
	} igd[] = {
		{ "urn:schemas-upnp-org:device:InternetGatewayDevice:1", 1 },
		{ "urn:schemas-upnp-org:device:InternetGatewayDevice:2", 2 },
		{ "urn:schemas-upnp-org:service:WANIPConnection:1", 1 },
		{ "urn:schemas-upnp-org:service:WANIPConnection:2", 2 },
		{ "urn:schemas-upnp-org:service:WANPPPConnection:1", 1 },
	};

	for (size_t i = 0; st && i < sizeof(igd) / sizeof(igd[0]); i++)
		if (strcmp(st, igd[i].st) == 0)
			return igd[i].version;
	return 0;
}

int ssdp_location_parse(const char *location, struct ssdp_url *out)
{
	static const char scheme[] = "http://";
	char host[64];
	const char *h, *end, *p;
	size_t hn;
	long port = 80;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(location, scheme, sizeof(scheme) - 1) != 0)
		return -EINVAL;
	for (p = location; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return -EINVAL;
	h = location + sizeof(scheme) - 1;
	end = strchr(h, '/');
	if (!end)
		return -EINVAL; /* no path */
	if (memchr(h, '@', (size_t)(end - h)))
		return -EINVAL; /* user information: never */
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (!rb || !memchr(h, ':', (size_t)(rb - h)))
			return -EINVAL; /* brackets are for IPv6 literals only */
		hn = (size_t)(rb - h - 1);
		h++;
		p = rb + 1;
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		p = colon ? colon : end;
		hn = (size_t)(p - h);
	}
	if (hn == 0 || hn >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (netaddr_parse_ip(&out->host, host) < 0)
		return -EINVAL; /* a name: we resolve nothing a LAN device tells us */
	if (p < end) {
		char digits[8];
		size_t dn;

		if (*p != ':')
			return -EINVAL;
		dn = (size_t)(end - p - 1);
		if (dn == 0 || dn >= sizeof(digits))
			return -EINVAL;
		memcpy(digits, p + 1, dn);
		digits[dn] = '\0';
		port = 0;
		for (size_t i = 0; i < dn; i++) {
			if (digits[i] < '0' || digits[i] > '9')
				return -EINVAL;
			port = port * 10 + (digits[i] - '0');
		}
		if (port < 1 || port > 65535)
			return -EINVAL;
	}
	out->host.port = (uint16_t)port;
	out->path = end;
	return 0;
}

bool ssdp_location_matches(const struct ssdp_url *u, const struct netaddr *from)
{
	struct netaddr f = netaddr_unmap(*from);

	return netaddr_eq(&u->host, &f, true);
}

enum ssdp_igd ssdp_igd_answer(const uint8_t *pkt, size_t len, bool truncated,
			      const struct netaddr *from, const struct netaddr *gateway,
			      struct ssdp_response *out)
{
	struct netaddr f = netaddr_unmap(*from), g = { 0 };
	struct ssdp_url url;

	/* A truncated answer might decode, but its LOCATION could be cut. */
	if (truncated || ssdp_decode_response(out, pkt, len) < 0)
		return SSDP_IGD_BAD;
	if (!ssdp_st_igd_version(out->st))
		return SSDP_IGD_OTHER;
	/* UDA 1.1 §1.3.3 lets LOCATION name any host; we fetch only from the
	 * host that answered, so a device on the LAN cannot send us
	 * elsewhere. */
	if (ssdp_location_parse(out->location, &url) < 0 || !ssdp_location_matches(&url, &f))
		return SSDP_IGD_BAD;
	if (gateway)
		g = netaddr_unmap(*gateway);
	if (g.family && netaddr_eq(&f, &g, true))
		return SSDP_IGD_GATEWAY;
	return SSDP_IGD_ELSEWHERE;
}

/* SPDX-License-Identifier: MIT */
#include "proto/ssdp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SSDP_ST_MAX 200

int ssdp_encode_msearch(const char *st, unsigned mx, char *out, size_t cap)
{
	size_t stlen = st ? strlen(st) : 0;
	int n;

	if (stlen == 0 || stlen > SSDP_ST_MAX || mx < 1 || mx > 5)
		return -EINVAL;
	for (size_t i = 0; i < stlen; i++)
		if ((unsigned char)st[i] < 0x21 || (unsigned char)st[i] > 0x7e)
			return -EINVAL;
	/* §1.3.2: HOST, MAN (quoted), MX and ST are required. */
	n = snprintf(out, cap,
		     "M-SEARCH * HTTP/1.1\r\n"
		     "HOST: " SSDP_MCAST_V4 ":1900\r\n"
		     "MAN: \"ssdp:discover\"\r\n"
		     "MX: %u\r\n"
		     "ST: %s\r\n"
		     "\r\n",
		     mx, st);
	if (n < 0 || (size_t)n >= cap)
		return -ENOBUFS;
	return n;
}

/* Does the line start with the status "HTTP/1.x 200"? */
static bool status_ok(const uint8_t *p, size_t n)
{
	static const char v10[] = "HTTP/1.0 200", v11[] = "HTTP/1.1 200";
	const size_t k = sizeof(v11) - 1;

	if (n < k || (memcmp(p, v10, k) != 0 && strncasecmp((const char *)p, v11, k) != 0))
		return false;
	return n == k || p[k] == ' ';
}

/* Store value [v, v+n) into dst (SSDP_FIELD_MAX) if dst is still empty.
 * strict: refuse anything but printable ASCII (ST, LOCATION are used);
 * else replace bytes above 0x7e by '?' (USN, SERVER are only shown). */
static int keep(char *dst, const uint8_t *v, size_t n, bool strict)
{
	if (dst[0])
		return 0; /* the first one counts */
	if (n >= SSDP_FIELD_MAX)
		return -EMSGSIZE;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = v[i];

		if (c < 0x20 || c == 0x7f)
			return -EBADMSG;
		if (c > 0x7e) {
			if (strict)
				return -EBADMSG;
			c = '?';
		}
		dst[i] = (char)c;
	}
	dst[n] = '\0';
	return 0;
}

static bool name_is(const uint8_t *name, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp((const char *)name, want, n) == 0;
}

int ssdp_decode_response(struct ssdp_response *out, const uint8_t *pkt, size_t len)
{
	size_t pos = 0;
	bool first = true;

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
			if (!status_ok(line, n))
				return -ENOMSG;
			first = false;
			continue;
		}
		if (n == 0)
			break; /* the empty line ends the headers */
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
		if (name_is(line, nn, "ST"))
			r = keep(out->st, v, vn, true);
		else if (name_is(line, nn, "LOCATION"))
			r = keep(out->location, v, vn, true);
		else if (name_is(line, nn, "USN"))
			r = keep(out->usn, v, vn, false);
		else if (name_is(line, nn, "SERVER"))
			r = keep(out->server, v, vn, false);
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

		if (!rb)
			return -EINVAL;
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

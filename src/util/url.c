/* SPDX-License-Identifier: MIT */
#include "util/url.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

/* A URL as the operator may type it: "9933", "127.0.0.1:9933",
 * "http://host:9933". Metrics get "/metrics" when no path is given. */
static int normalise(const char *in, bool metrics, char *out, size_t cap)
{
	long port;
	const char *rest;
	int n;

	if (!in[0])
		return -EINVAL;
	if (text_parse_long(in, 1, 65535, &port) == 0)
		n = snprintf(out, cap, "http://127.0.0.1:%ld%s", port, metrics ? "/metrics" : "");
	else if (strstr(in, "://"))
		n = snprintf(out, cap, "%s", in);
	else
		n = snprintf(out, cap, "http://%s", in);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	if (strncmp(out, "http://", 7) && strncmp(out, "https://", 8))
		return -EPROTONOSUPPORT;
	rest = strchr(out + (out[4] == 's' ? 8 : 7), '/');
	if (metrics && !rest) {
		if ((size_t)n + 8 >= cap)
			return -ENAMETOOLONG;
		memcpy(out + n, "/metrics", 9);
	}
	return 0;
}

/* What an HTTP URL may look like here: http or https, a host name, an IPv4
 * address or a bracketed IPv6 one, an optional user@ and :port, then a
 * path of printable characters without spaces. Anything else would only
 * reach libcurl and come back as "could not connect". */
static bool url_plausible(const char *url)
{
	const char *p = strstr(url, "://") + 3;
	const char *end = p + strcspn(p, "/?#");
	const char *at, *host, *host_end, *colon;
	long port;

	for (const char *q = url; *q; q++)
		if (*q <= ' ' || *q >= 0x7f)
			return false;
	at = memchr(p, '@', (size_t)(end - p));
	host = at ? at + 1 : p;
	if (host < end && *host == '[') {
		host_end = memchr(host, ']', (size_t)(end - host));
		if (!host_end || host_end == host + 1)
			return false;
		for (const char *q = host + 1; q < host_end; q++)
			if (!strchr("0123456789abcdefABCDEF:.", *q))
				return false;
		colon = host_end + 1 < end ? host_end + 1 : NULL;
		if (colon && *colon != ':')
			return false;
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		host_end = colon ? colon : end;
		if (host_end == host || *host == '-' || *host == '.')
			return false;
		for (const char *q = host; q < host_end; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			      (*q >= '0' && *q <= '9') || *q == '-' || *q == '.' || *q == '_'))
				return false;
	}
	if (colon) {
		char num[8];
		size_t n = (size_t)(end - colon - 1);

		if (n == 0 || n >= sizeof(num))
			return false;
		memcpy(num, colon + 1, n);
		num[n] = '\0';
		if (text_parse_long(num, 1, 65535, &port) < 0)
			return false;
	}
	return true;
}

/* True for what the operator meant as a port: digits, maybe signed. */
static bool looks_like_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s);
}

int url_node_normalise(const char *in, bool metrics, char *out, size_t cap)
{
	long port;
	int r;

	if (looks_like_number(in) && text_parse_long(in, 1, 65535, &port) < 0)
		return -ERANGE;
	r = normalise(in, metrics, out, cap);
	if (r < 0)
		return r;
	return url_plausible(out) ? 0 : -EINVAL;
}

const char *url_node_error(int err, bool metrics)
{
	if (err == -ERANGE)
		return "a port is 1 to 65535";
	if (err == -EPROTONOSUPPORT)
		return "only http:// and https:// URLs";
	return metrics ? "give a URL such as http://127.0.0.1:9615/metrics, or a port"
		       : "give a URL such as http://127.0.0.1:9944, or a port";
}

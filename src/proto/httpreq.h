/* SPDX-License-Identifier: MIT */
/*
 * The head of an HTTP/1.x request, as a scrape target reads it: the request
 * line (RFC 9112 §3) and the end of the header section (an empty line,
 * RFC 9112 §2.1). Header fields are skipped: a metrics endpoint needs none.
 * Pure: bytes in, a struct out; the bytes come from the network and are not
 * trusted (bounded copies, every length checked).
 */
#ifndef ND_PROTO_HTTPREQ_H
#define ND_PROTO_HTTPREQ_H

#include <stddef.h>

#define HTTPREQ_METHOD_MAX 16
#define HTTPREQ_PATH_MAX   256

struct httpreq {
	char method[HTTPREQ_METHOD_MAX]; /* "GET" */
	char path[HTTPREQ_PATH_MAX];	 /* the request target without the query: "/metrics" */
	int minor;			 /* HTTP/1.minor */
};

/* Look for a whole request head in buf[0..len). Returns its length (up to
 * and including the empty line; CRLF or bare LF line ends) when complete,
 * 0 when more bytes are needed, or -EBADMSG for a request line that is not
 * "METHOD SP target SP HTTP/1.x" (or a method or target too long, or a
 * NUL byte). The caller bounds len (a head that never ends is its limit to
 * enforce, e.g. 431 Request Header Fields Too Large). */
int httpreq_parse(const char *buf, size_t len, struct httpreq *out);

#endif

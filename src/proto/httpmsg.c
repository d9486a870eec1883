/* SPDX-License-Identifier: MIT */
#include "proto/httpmsg.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "util/text.h"

/* One line of buf starting at *off: [start, end) without its CRLF (a bare
 * LF is accepted, as RFC 9112 §2.2 allows). Returns 0, -EAGAIN if no LF
 * yet. */
static int next_line(const uint8_t *buf, size_t n, size_t *off, size_t *start, size_t *end)
{
	const uint8_t *lf = memchr(buf + *off, '\n', n - *off);

	if (!lf)
		return -EAGAIN;
	*start = *off;
	*end = (size_t)(lf - buf);
	if (*end > *start && buf[*end - 1] == '\r')
		(*end)--;
	*off = (size_t)(lf - buf) + 1;
	return 0;
}

static bool field_is(const uint8_t *p, size_t len, const char *name)
{
	size_t k = strlen(name);

	return len == k && strncasecmp((const char *)p, name, k) == 0;
}

static void trim(const uint8_t **p, size_t *len)
{
	while (*len && (**p == ' ' || **p == '\t'))
		(*p)++, (*len)--;
	while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
		(*len)--;
}

/* Decimal Content-Length, at most 10 digits: anything we would read is far
 * smaller, and a bigger value is refused rather than wrapped. */
static int parse_length(const uint8_t *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EBADMSG;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Walk a chunked body (RFC 9112 §7.1) from off. With dst, copy the data
 * to dst (in place: dst never overtakes the reading position). Returns 0
 * and the data length, -EAGAIN, or -EBADMSG. */
static int walk_chunks(uint8_t *buf, size_t n, size_t off, uint8_t *dst, size_t *total)
{
	size_t t = 0, s, e;
	int r;

	for (;;) {
		uint64_t size = 0;
		size_t i, digits = 0;

		r = next_line(buf, n, &off, &s, &e);
		if (r < 0)
			return r;
		for (i = s; i < e && text_hexval(buf[i]) >= 0; i++, digits++) {
			if (digits == 8)
				return -EBADMSG; /* over 4 GiB: never a real chunk here */
			size = size * 16 + (uint64_t)text_hexval(buf[i]);
		}
		if (digits == 0 || (i < e && buf[i] != ';' && buf[i] != ' ' && buf[i] != '\t'))
			return -EBADMSG;
		if (size == 0)
			break;
		if (n - off < size + 1)
			return -EAGAIN;
		if (dst)
			memmove(dst + t, buf + off, (size_t)size);
		t += (size_t)size;
		off += (size_t)size;
		/* The CRLF after the data. */
		if (buf[off] == '\r') {
			if (n - off < 2)
				return -EAGAIN;
			off++;
		}
		if (buf[off] != '\n')
			return -EBADMSG;
		off++;
	}
	/* Trailer fields, then the empty line. */
	for (;;) {
		r = next_line(buf, n, &off, &s, &e);
		if (r < 0)
			return r;
		if (s == e)
			break;
	}
	*total = t;
	return 0;
}

int httpmsg_parse_response(uint8_t *buf, size_t n, bool eof, struct httpmsg_response *out)
{
	size_t off = 0, s, e, body_off;
	uint64_t clen = 0;
	bool has_clen = false, chunked = false, has_location = false;
	int status = 0, r;

	/* Status line: HTTP/1.x SP 3DIGIT [SP reason]. */
	r = next_line(buf, n, &off, &s, &e);
	if (r < 0)
		return eof ? -EBADMSG : n > HTTPMSG_HEAD_MAX ? -EMSGSIZE : -EAGAIN;
	if (e - s < 12 || memcmp(buf + s, "HTTP/1.", 7) != 0 || buf[s + 7] < '0' ||
	    buf[s + 7] > '9' || buf[s + 8] != ' ')
		return -EBADMSG;
	for (size_t i = s + 9; i < s + 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EBADMSG;
		status = status * 10 + (buf[i] - '0');
	}
	if (status < 100 || (e > s + 12 && buf[s + 12] != ' '))
		return -EBADMSG;

	/* Header fields up to the empty line. */
	for (;;) {
		const uint8_t *name, *val, *colon;
		size_t nlen, vlen;

		r = next_line(buf, n, &off, &s, &e);
		if (r < 0)
			return eof ? -EBADMSG : n > HTTPMSG_HEAD_MAX ? -EMSGSIZE : -EAGAIN;
		if (off > HTTPMSG_HEAD_MAX)
			return -EMSGSIZE;
		if (s == e)
			break;
		colon = memchr(buf + s, ':', e - s);
		if (!colon || colon == buf + s || buf[s] == ' ' || buf[s] == '\t')
			return -EBADMSG; /* no name, or obsolete line folding */
		name = buf + s;
		nlen = (size_t)(colon - name);
		val = colon + 1;
		vlen = e - (size_t)(val - buf);
		trim(&val, &vlen);
		if (field_is(name, nlen, "Content-Length")) {
			uint64_t v;

			if (parse_length(val, vlen, &v) < 0 || (has_clen && v != clen))
				return -EBADMSG;
			clen = v;
			has_clen = true;
		} else if (field_is(name, nlen, "Transfer-Encoding")) {
			/* chunked must be the last coding (RFC 9112 §6.1); we ask
			 * for no other, so anything else is refused. */
			if (!field_is(val, vlen, "chunked"))
				return -EBADMSG;
			chunked = true;
		} else if (field_is(name, nlen, "Location")) {
			has_location = true;
		}
	}
	body_off = off;

	memset(out, 0, sizeof(*out));
	out->status = status;
	out->has_location = has_location;
	out->body = buf + body_off;
	if (status < 200 || status == 204 || status == 304)
		return 0; /* no body (RFC 9112 §6.3 rule 1) */
	if (chunked) {
		size_t total;

		r = walk_chunks(buf, n, body_off, NULL, &total);
		if (r == -EAGAIN && eof)
			return -EBADMSG;
		if (r < 0)
			return r;
		(void)walk_chunks(buf, n, body_off, buf + body_off, &total);
		out->body_len = total;
		return 0;
	}
	if (has_clen) {
		if (n - body_off < clen)
			return eof ? -EBADMSG : -EAGAIN;
		out->body_len = (size_t)clen;
		return 0;
	}
	if (!eof)
		return -EAGAIN; /* the body ends when the connection does */
	out->body_len = n - body_off;
	return 0;
}

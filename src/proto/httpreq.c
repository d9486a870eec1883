/* SPDX-License-Identifier: MIT */
#include "proto/httpreq.h"

#include <errno.h>
#include <string.h>

/* The end of the head: the first empty line. Offset past it, or 0. */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		/* "\n\n" or "\n\r\n" */
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Copy a token of at most cap - 1 visible bytes; -EBADMSG otherwise. */
static int token(const char *p, size_t n, char *out, size_t cap)
{
	if (n == 0 || n >= cap)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] == 0x7f)
			return -EBADMSG;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int httpreq_parse(const char *buf, size_t len, struct httpreq *out)
{
	const char *line_end, *sp1, *sp2, *q;
	size_t end, line_len;

	memset(out, 0, sizeof(*out));
	if (memchr(buf, '\0', len))
		return -EBADMSG;
	end = head_end(buf, len);
	if (!end)
		return 0;
	line_end = memchr(buf, '\n', end);
	line_len = (size_t)(line_end - buf);
	if (line_len && buf[line_len - 1] == '\r')
		line_len--;
	sp1 = memchr(buf, ' ', line_len);
	if (!sp1)
		return -EBADMSG;
	sp2 = memchr(sp1 + 1, ' ', line_len - (size_t)(sp1 + 1 - buf));
	if (!sp2)
		return -EBADMSG;
	/* "HTTP/1.x" and nothing after it */
	if ((size_t)(buf + line_len - (sp2 + 1)) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    sp2[8] < '0' || sp2[8] > '9')
		return -EBADMSG;
	out->minor = sp2[8] - '0';
	if (token(buf, (size_t)(sp1 - buf), out->method, sizeof(out->method)) < 0)
		return -EBADMSG;
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	if (token(sp1 + 1, (size_t)((q ? q : sp2) - sp1 - 1), out->path, sizeof(out->path)) < 0)
		return -EBADMSG;
	return (int)end;
}

/* SPDX-License-Identifier: MIT */
#include "util/linebuf.h"

#include <string.h>

void linebuf_init(struct linebuf *lb, char *storage, size_t cap)
{
	*lb = (struct linebuf){ .buf = storage, .cap = cap };
}

void linebuf_reset(struct linebuf *lb)
{
	lb->len = 0;
	lb->discarding = false;
}

void linebuf_skip_partial(struct linebuf *lb)
{
	lb->len = 0;
	lb->discarding = true;
}

static int deliver(struct linebuf *lb, const char *line, size_t len, linebuf_cb cb, void *data)
{
	if (len && line[len - 1] == '\r')
		len--;
	lb->n_lines++;
	return cb(data, line, len);
}

int linebuf_feed(struct linebuf *lb, const void *p, size_t n, linebuf_cb cb, void *data)
{
	const char *s = p, *end = s + n;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t chunk = nl ? (size_t)(nl - s) : (size_t)(end - s);
		int r = 0;

		if (lb->discarding) {
			/* The rest of an over-long line: skip to its newline. */
			if (nl)
				lb->discarding = false;
		} else if (lb->len + chunk > lb->cap) {
			/* Too long to keep: count it once, drop it up to its newline. */
			lb->n_long++;
			lb->len = 0;
			lb->discarding = nl == NULL;
		} else if (nl && lb->len == 0) {
			r = deliver(lb, s, chunk, cb, data);
		} else {
			memcpy(lb->buf + lb->len, s, chunk);
			lb->len += chunk;
			if (nl) {
				size_t len = lb->len;

				lb->len = 0;
				r = deliver(lb, lb->buf, len, cb, data);
			}
		}
		if (r < 0) {
			linebuf_reset(lb);
			return r;
		}
		s += chunk + (nl != NULL);
	}
	return 0;
}

int linebuf_finish(struct linebuf *lb, linebuf_cb cb, void *data)
{
	size_t len = lb->len;
	bool had = len > 0 && !lb->discarding;

	linebuf_reset(lb);
	return had ? deliver(lb, lb->buf, len, cb, data) : 0;
}

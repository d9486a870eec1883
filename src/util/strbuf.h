/* SPDX-License-Identifier: MIT */
/*
 * A bounded text builder over caller memory: appends never overflow, a
 * full buffer sets `truncated` and keeps what fitted (always
 * NUL-terminated). For output assembled in pieces, written in one go.
 */
#ifndef ND_UTIL_STRBUF_H
#define ND_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p;
	size_t cap; /* bytes at p, NUL included; must be > 0 */
	size_t len; /* text so far, without the NUL */
	bool truncated;
};

void strbuf_init(struct strbuf *b, char *mem, size_t cap);
void strbuf_put(struct strbuf *b, const char *s);
void strbuf_putn(struct strbuf *b, const char *s, size_t n);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

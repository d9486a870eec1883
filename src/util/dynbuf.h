/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer with a ceiling, for bodies that arrive in pieces
 * (an HTTP answer read to its end before it is decoded). It grows by
 * doubling from 4 KiB and never past max, so an answer that lies about its
 * size costs at most max bytes.
 */
#ifndef ND_UTIL_DYNBUF_H
#define ND_UTIL_DYNBUF_H

#include <stddef.h>

struct dynbuf {
	char *p;    /* NULL until the first append */
	size_t len; /* bytes held */
	size_t cap; /* bytes allocated */
	size_t max; /* the ceiling */
};

/* An empty buffer that may hold up to max bytes. Allocates nothing. */
void dynbuf_init(struct dynbuf *b, size_t max);

/* Append p[0..n). Returns 0, -EFBIG (would pass max; nothing appended) or
 * -ENOMEM. */
int dynbuf_append(struct dynbuf *b, const void *p, size_t n);

/* Give the memory back; the buffer is empty and usable again. */
void dynbuf_free(struct dynbuf *b);

#endif

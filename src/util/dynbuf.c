/* SPDX-License-Identifier: MIT */
#include "util/dynbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dynbuf_init(struct dynbuf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int dynbuf_append(struct dynbuf *b, const void *p, size_t n)
{
	if (n > b->max - b->len)
		return -EFBIG;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *nb;

		while (cap < b->len + n)
			cap *= 2;
		if (cap > b->max)
			cap = b->max;
		nb = realloc(b->p, cap);
		if (!nb)
			return -ENOMEM;
		b->p = nb;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

void dynbuf_free(struct dynbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

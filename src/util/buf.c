/* SPDX-License-Identifier: MIT */
#include "util/buf.h"

#include <string.h>

const uint8_t *br_take(struct buf_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t br_u8(struct buf_reader *r)
{
	const uint8_t *p = br_take(r, 1);

	return p ? p[0] : 0;
}

uint16_t br_u16(struct buf_reader *r)
{
	const uint8_t *p = br_take(r, 2);

	return p ? be16_load(p) : 0;
}

uint32_t br_u32(struct buf_reader *r)
{
	const uint8_t *p = br_take(r, 4);

	return p ? be32_load(p) : 0;
}

uint64_t br_u64(struct buf_reader *r)
{
	const uint8_t *p = br_take(r, 8);

	return p ? (uint64_t)be32_load(p) << 32 | be32_load(p + 4) : 0;
}

void br_bytes(struct buf_reader *r, void *out, size_t n)
{
	const uint8_t *p = br_take(r, n);

	if (p && out && n)
		memcpy(out, p, n);
}

uint8_t *bw_reserve(struct buf_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

void bw_u8(struct buf_writer *w, uint8_t v)
{
	uint8_t *p = bw_reserve(w, 1);

	if (p)
		p[0] = v;
}

void bw_u16(struct buf_writer *w, uint16_t v)
{
	uint8_t *p = bw_reserve(w, 2);

	if (p)
		be16_store(p, v);
}

void bw_u32(struct buf_writer *w, uint32_t v)
{
	uint8_t *p = bw_reserve(w, 4);

	if (p)
		be32_store(p, v);
}

void bw_u64(struct buf_writer *w, uint64_t v)
{
	uint8_t *p = bw_reserve(w, 8);

	if (p) {
		be32_store(p, (uint32_t)(v >> 32));
		be32_store(p + 4, (uint32_t)v);
	}
}

void bw_bytes(struct buf_writer *w, const void *src, size_t n)
{
	uint8_t *p = bw_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

void bw_zero(struct buf_writer *w, size_t n)
{
	uint8_t *p = bw_reserve(w, n);

	if (p && n)
		memset(p, 0, n);
}

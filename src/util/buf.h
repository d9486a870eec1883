/* SPDX-License-Identifier: MIT */
/*
 * Bounded readers and writers for wire integers.
 *
 * Codecs never cast packet bytes to structs: they read and write network
 * byte order one byte at a time through these helpers. Both cursors carry a
 * sticky error flag: once a read runs past the end (or a write past the
 * capacity) every later call is a no-op that returns zeroes, so a codec can
 * read a whole header and check `err` once, like a stream.
 */
#ifndef ND_UTIL_BUF_H
#define ND_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf_reader {
	const uint8_t *p;
	size_t len; /* bytes available at p */
	size_t off; /* next byte to read */
	bool err;   /* a read went past len */
};

struct buf_writer {
	uint8_t *p;
	size_t cap; /* bytes writable at p */
	size_t len; /* bytes written so far */
	bool err;   /* a write did not fit */
};

static inline struct buf_reader buf_reader(const void *p, size_t len)
{
	return (struct buf_reader){ .p = p, .len = len };
}

static inline struct buf_writer buf_writer(void *p, size_t cap)
{
	return (struct buf_writer){ .p = p, .cap = cap };
}

/* Bytes left to read; 0 once err is set. */
static inline size_t br_left(const struct buf_reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

uint8_t br_u8(struct buf_reader *r);
uint16_t br_u16(struct buf_reader *r);
uint32_t br_u32(struct buf_reader *r);
uint64_t br_u64(struct buf_reader *r);
/* Copy n bytes to out (out may be NULL to skip). On short input sets err and
 * leaves out untouched. */
void br_bytes(struct buf_reader *r, void *out, size_t n);
/* Return a pointer to the next n bytes and advance, or NULL (and err). */
const uint8_t *br_take(struct buf_reader *r, size_t n);

void bw_u8(struct buf_writer *w, uint8_t v);
void bw_u16(struct buf_writer *w, uint16_t v);
void bw_u32(struct buf_writer *w, uint32_t v);
void bw_u64(struct buf_writer *w, uint64_t v);
void bw_bytes(struct buf_writer *w, const void *p, size_t n);
void bw_zero(struct buf_writer *w, size_t n);
/* Reserve n bytes and return where they are (to patch a length later), or
 * NULL (and err). */
uint8_t *bw_reserve(struct buf_writer *w, size_t n);

/* Big-endian loads and stores on raw memory the caller has bounds-checked. */
static inline uint16_t be16_load(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32_load(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void be16_store(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void be32_store(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif

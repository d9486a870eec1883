/* SPDX-License-Identifier: MIT */
/*
 * A bounded line assembler: bytes in (from a pipe, a file or an HTTP body,
 * in chunks cut anywhere), complete lines out, in memory the caller gives
 * once. A line longer than that memory is not an error: it is dropped up to
 * its newline and counted, so a huge or endless input costs no more than
 * the buffer. Lines are handed over without the "\n" and without one
 * trailing "\r" (CRLF input). No allocation, no I/O: unit-tested and fuzzed.
 */
#ifndef ND_UTIL_LINEBUF_H
#define ND_UTIL_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct linebuf {
	char *buf;	  /* caller's storage */
	size_t cap;	  /* longest line kept, in bytes */
	size_t len;	  /* bytes of the current partial line held in buf */
	bool discarding;  /* inside an over-long line: drop up to the next '\n' */
	uint64_t n_lines; /* lines delivered */
	uint64_t n_long;  /* lines dropped for being longer than cap */
};

/* Called once per complete line. line is valid only during the call and is
 * not NUL-terminated. A negative return stops linebuf_feed, which returns it. */
typedef int (*linebuf_cb)(void *data, const char *line, size_t len);

/* Use storage[0..cap) for partial lines; the linebuf does not own it. */
void linebuf_init(struct linebuf *lb, char *storage, size_t cap);

/* Forget any partial line, as if the input started afresh. */
void linebuf_reset(struct linebuf *lb);

/* Drop everything up to the next newline: for starting to read in the
 * middle of a file, where the first "line" is a tail. */
void linebuf_skip_partial(struct linebuf *lb);

/* Split p[0..n) into lines, calling cb for each complete one. A line that
 * arrives whole inside p is passed straight from p (no copy). Returns 0, or
 * the first negative value cb returned (the rest of p is then not looked
 * at and the partial line is forgotten). */
int linebuf_feed(struct linebuf *lb, const void *p, size_t n, linebuf_cb cb, void *data);

/* End of input: deliver a last line that had no newline, if any. Returns 0
 * or cb's negative value. */
int linebuf_finish(struct linebuf *lb, linebuf_cb cb, void *data);

#endif

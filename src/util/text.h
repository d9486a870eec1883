/* SPDX-License-Identifier: MIT */
/*
 * Bounded string helpers. Text from the network is untrusted: before it is
 * stored for printing it goes through text_sanitize, which keeps printable
 * ASCII only, so a gateway cannot write escape sequences to the operator's
 * terminal or break the JSON we print (json-c escapes anyway).
 */
#ifndef ND_UTIL_TEXT_H
#define ND_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copy the NUL-terminated src into dst (size >= 1), truncating. Returns
 * true if all of src fitted. */
bool text_copy(char *dst, size_t size, const char *src);

/* How text_clean treats what is not printable ASCII (0x20..0x7e). */
enum {
	/* A NUL is one more unprintable byte, not the end: strings that carry
	 * their length (JSON's "\u0000") go on after one. */
	TEXT_CLEAN_PAST_NUL = 1 << 0,
	/* Leave unprintable bytes out instead of showing '?': for an excerpt
	 * of a body whose line breaks are not news. */
	TEXT_CLEAN_DROP = 1 << 1,
};

/* Copy at most n bytes of src into dst (size >= 1), stopping at a NUL
 * unless how has TEXT_CLEAN_PAST_NUL, and replacing every byte outside
 * 0x20..0x7e with '?' (or leaving it out with TEXT_CLEAN_DROP). Stops when
 * dst is full; always terminates dst. Returns the length written. The one
 * way network text becomes text we print. */
size_t text_clean(char *dst, size_t size, const void *src, size_t n, unsigned how);

/* text_clean(dst, size, src, n, 0): the usual case. */
size_t text_sanitize(char *dst, size_t size, const void *src, size_t n);

/* Append formatted text at *len within size, never overflowing; *len stops
 * at size - 1. For building messages piece by piece. */
void text_appendf(char *dst, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Format into dst[0..size), replacing what was there, cut to fit. Texts
 * for people (evidence, errors) are bounded and may be cut short by
 * design; this goes through text_appendf rather than snprintf, whose
 * truncation warnings would flag every long one. TEXT_SET is the same for
 * an array field. */
#define text_setf(dst, size, ...)                                      \
	do {                                                           \
		size_t text_setf_len_ = 0;                             \
		(dst)[0] = '\0';                                       \
		text_appendf(dst, size, &text_setf_len_, __VA_ARGS__); \
	} while (0)
#define TEXT_SET(field, ...) text_setf(field, sizeof(field), __VA_ARGS__)

/* Parse a plain decimal number (digits only: no sign, no spaces, no
 * trailing text) within min..max into *out. Returns 0 or -EINVAL. For
 * command-line values and numbers in network text alike. */
int text_parse_long(const char *s, long min, long max, long *out);

/* The secret in a URL's user information ("http://user:SECRET@host/": the
 * password; "http://TOKEN@host/": the whole user part), as a pointer into
 * url and its length in *len; NULL when there is none. */
const char *text_url_secret(const char *url, size_t *len);

/* Copy text into dst (size >= 1) with every occurrence of url's secret
 * (text_url_secret) replaced by "***": for any message that may quote a
 * URL the operator gave, so a password never reaches a terminal, a log or
 * cron's mail. Without a secret it is text_copy. dst must not overlap
 * text (url may). */
void text_redact_url(char *dst, size_t size, const char *text, const char *url);

/* The value of one hex digit (0-9, a-f, A-F), or -1. */
int text_hexval(int c);

#endif

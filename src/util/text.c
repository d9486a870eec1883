/* SPDX-License-Identifier: MIT */
#include "util/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool text_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size);
	bool fits = n < size;

	if (!fits)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return fits;
}

size_t text_clean(char *dst, size_t size, const void *src, size_t n, unsigned how)
{
	const uint8_t *s = src;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (!s[i] && !(how & TEXT_CLEAN_PAST_NUL))
			break;
		if (s[i] >= 0x20 && s[i] <= 0x7e)
			dst[o++] = (char)s[i];
		else if (!(how & TEXT_CLEAN_DROP))
			dst[o++] = '?';
	}
	dst[o] = '\0';
	return o;
}

size_t text_sanitize(char *dst, size_t size, const void *src, size_t n)
{
	return text_clean(dst, size, src, n, 0);
}

void text_appendf(char *dst, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(dst + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*len += (size_t)n;
	if (*len > size - 1)
		*len = size - 1;
}

int text_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

const char *text_url_secret(const char *url, size_t *len)
{
	const char *p = strstr(url, "://"), *end, *at, *colon;

	if (!p)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (!at)
		return NULL;
	colon = memchr(p, ':', (size_t)(at - p));
	if (colon)
		p = colon + 1;
	*len = (size_t)(at - p);
	return *len ? p : NULL;
}

void text_redact_url(char *dst, size_t size, const char *text, const char *url)
{
	size_t n = 0, len = 0;
	const char *secret = text_url_secret(url, &len);
	char pat[256];

	if (!secret || len >= sizeof(pat)) {
		text_copy(dst, size, text);
		if (secret) /* too long to search for: say nothing of the URL's text */
			text_copy(dst, size, "(a URL with a password)");
		return;
	}
	/* url may be text itself (or overlap dst): copy the secret first. */
	memcpy(pat, secret, len);
	pat[len] = '\0';
	dst[0] = '\0';
	while (*text && n + 1 < size) {
		if (!strncmp(text, pat, len)) {
			text_appendf(dst, size, &n, "***");
			text += len;
		} else {
			dst[n++] = *text++;
			dst[n] = '\0';
		}
	}
}

int text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

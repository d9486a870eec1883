/* SPDX-License-Identifier: MIT */
#include "proto/procnet.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "util/text.h"

/* The columns we read, by position (net/ipv4/tcp_ipv4.c get_tcp4_sock,
 * net/ipv4/udp.c udp4_format_sock, and their IPv6 twins). The timer and
 * queue columns between state and uid are skipped. */
enum { COL_SL, COL_LOCAL, COL_REMOTE, COL_STATE, COL_UID = 7, COL_INODE = 9, COL_NEED };

struct token {
	const char *p;
	size_t len;
};

/* Exactly n (1..8) hex digits into *v. */
static bool hex_n(const char *p, size_t n, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = text_hexval((unsigned char)p[i]);

		if (d < 0)
			return false;
		*v = *v << 4 | (uint32_t)d;
	}
	return true;
}

/* A decimal number of at most 20 digits that fits in 64 bits. */
static bool dec_u64(const struct token *t, uint64_t *v)
{
	*v = 0;
	if (t->len == 0 || t->len > 20)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		unsigned d = (unsigned)(t->p[i] - '0');

		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	return true;
}

/* "HHHHHHHH:PPPP" (IPv4) or 32 hex digits ":PPPP" (IPv6). Each group of 8
 * digits is one 32-bit word as the host holds it in memory. */
static bool parse_endpoint(const struct token *t, struct netaddr *a)
{
	size_t digits, words;
	uint8_t ip[16];
	uint32_t port;

	if (t->len != 8 + 5 && t->len != 32 + 5)
		return false;
	digits = t->len - 5;
	if (t->p[digits] != ':' || !hex_n(t->p + digits + 1, 4, &port))
		return false;
	words = digits / 8;
	for (size_t i = 0; i < words; i++) {
		uint32_t w;

		if (!hex_n(t->p + i * 8, 8, &w))
			return false;
		memcpy(ip + i * 4, &w, 4);
	}
	*a = words == 1 ? netaddr_v4(ip, (uint16_t)port) : netaddr_v6(ip, (uint16_t)port);
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split into up to max whitespace-separated tokens; returns how many. */
static size_t tokenize(const char *line, size_t len, struct token *tok, size_t max)
{
	size_t n = 0, i = 0;

	while (n < max) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		tok[n].p = line + i;
		while (i < len && !is_space(line[i]))
			i++;
		tok[n].len = (size_t)(line + i - tok[n].p);
		n++;
	}
	return n;
}

int procnet_parse_line(const char *line, size_t len, struct procnet_sock *out)
{
	struct token tok[COL_NEED];
	uint64_t uid, inode, sl;
	uint32_t state;
	size_t n;

	if (len > PROCNET_LINE_MAX)
		return -EINVAL;
	n = tokenize(line, len, tok, COL_NEED);
	if (n == 0)
		return 0;
	if (tok[0].len == 2 && memcmp(tok[0].p, "sl", 2) == 0)
		return 0;
	if (n < COL_NEED)
		return -EINVAL;
	/* "NNN:" the slot number; checked only to be sure this is a row. */
	if (tok[COL_SL].len < 2 || tok[COL_SL].p[tok[COL_SL].len - 1] != ':')
		return -EINVAL;
	tok[COL_SL].len--;
	if (!dec_u64(&tok[COL_SL], &sl))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!parse_endpoint(&tok[COL_LOCAL], &out->local) ||
	    !parse_endpoint(&tok[COL_REMOTE], &out->remote) ||
	    out->local.family != out->remote.family)
		return -EINVAL;
	if (tok[COL_STATE].len != 2 || !hex_n(tok[COL_STATE].p, 2, &state))
		return -EINVAL;
	if (!dec_u64(&tok[COL_UID], &uid) || uid > UINT32_MAX || !dec_u64(&tok[COL_INODE], &inode))
		return -EINVAL;
	out->state = (uint8_t)state;
	out->uid = (uint32_t)uid;
	out->inode = inode;
	return 1;
}

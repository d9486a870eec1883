/* SPDX-License-Identifier: MIT */
#include "proto/nodelog.h"

#include <string.h>

/* Copy line without ANSI escape sequences (CSI: ESC [ params final-byte,
 * and the two-byte ESC X forms). Returns the new length. */
static size_t strip_ansi(const char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] != '\x1b') {
			out[n++] = in[i];
			continue;
		}
		if (i + 1 < len && in[i + 1] == '[') {
			/* Parameters and intermediates run to a final byte 0x40..0x7e. */
			i += 2;
			while (i < len &&
			       !((unsigned char)in[i] >= 0x40 && (unsigned char)in[i] <= 0x7e))
				i++;
		} else {
			i++; /* ESC and the one byte after it */
		}
	}
	return n;
}

/* Parse decimal digits at s[*i..len) into *out; at least one digit, no
 * overflow past 2^62. */
static int read_uint(const char *s, size_t len, size_t *i, int64_t *out)
{
	int64_t v = 0;
	size_t start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (v > (INT64_C(1) << 62) / 10)
			return -1;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return -1;
	*out = v;
	return 0;
}

/* Find needle in s[from..len); returns its offset or -1. */
static long find(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	if (from > len)
		return -1;
	p = memmem(s + from, len - from, needle, n);
	return p ? (long)(p - s) : -1;
}

/* The number right after `key` somewhere in s[from..len), or -1. */
static int64_t number_after(const char *s, size_t len, size_t from, const char *key)
{
	long at = find(s, len, from, key);
	size_t i;
	int64_t v;

	if (at < 0)
		return -1;
	i = (size_t)at + strlen(key);
	return read_uint(s, len, &i, &v) == 0 ? v : -1;
}

static enum nodelog_chain nodelog_chain_tag(const char *s, size_t len)
{
	if (find(s, len, 0, "[Parachain]") >= 0)
		return NODELOG_CHAIN_PARA;
	if (find(s, len, 0, "[Relaychain]") >= 0)
		return NODELOG_CHAIN_RELAY;
	return NODELOG_CHAIN_NONE;
}

static const struct {
	const char *word;
	enum nodelog_state state;
} words[] = {
	{ "Idle", NODELOG_IDLE },
	{ "Syncing", NODELOG_SYNCING },
	{ "Preparing", NODELOG_PREPARING },
	{ "Downloading state", NODELOG_STATE_SYNC },
	{ "State sync", NODELOG_STATE_SYNC },
	{ "Warping", NODELOG_WARPING },
	{ "Block history", NODELOG_BLOCK_HISTORY },
};

int nodelog_parse_line(const char *line, size_t len, struct nodelog_status *out)
{
	char buf[NODELOG_LINE_MAX];
	long peers_at, open, word_at = -1;
	size_t n, i;
	int64_t peers;
	enum nodelog_state state = NODELOG_IDLE;

	/* Cheap rejection first: at 10,000 lines/s almost every line is not
	 * ours, and " peers)" survives colour codes around the number. */
	if (len > NODELOG_LINE_MAX || !memmem(line, len, " peers)", 7))
		return 0;
	n = strip_ansi(line, len, buf);

	peers_at = find(buf, n, 0, " peers)");
	if (peers_at < 0)
		return 0;
	/* "(N peers)": walk back over the digits to the '('. */
	open = peers_at;
	while (open > 0 && buf[open - 1] >= '0' && buf[open - 1] <= '9')
		open--;
	if (open == peers_at || open == 0 || buf[open - 1] != '(')
		return 0;
	i = (size_t)open;
	if (read_uint(buf, n, &i, &peers) < 0 || peers > UINT32_MAX)
		return 0;

	/* The status word is the first known one before the "(": "Warping,
	 * Downloading state, ..." is warping, not state sync. */
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		long at = find(buf, (size_t)open, 0, words[w].word);

		if (at >= 0 && (word_at < 0 || at < word_at)) {
			word_at = at;
			state = words[w].state;
		}
	}
	if (word_at < 0)
		return 0;

	*out = (struct nodelog_status){ .state = state, .peers = (uint32_t)peers };
	/* The tag sits before the status word; searching only there keeps a
	 * "[Parachain]" further along the line from counting. */
	out->chain = nodelog_chain_tag(buf, (size_t)word_at);
	out->target = number_after(buf, (size_t)open, (size_t)word_at, "target=#");
	out->best = number_after(buf, n, (size_t)peers_at, "best: #");
	out->finalized = number_after(buf, n, (size_t)peers_at, "finalized #");
	return 1;
}

int nodelog_parse_extaddr(const char *line, size_t len, struct nodelog_extaddr *out)
{
	static const char key[] = "external address for our node: ";
	char buf[NODELOG_LINE_MAX];
	long at;
	size_t n, start, end;
	enum nodelog_extaddr_event ev;

	if (len > NODELOG_LINE_MAX || !memmem(line, len, key, sizeof(key) - 1))
		return 0;
	n = strip_ansi(line, len, buf);
	at = find(buf, n, 0, key);
	if (at < 0)
		return 0;
	if (at >= 15 && !memcmp(buf + at - 15, "Discovered new ", 15))
		ev = NODELOG_EXTADDR_NEW;
	else if (at >= 8 && !memcmp(buf + at - 8, "Expired ", 8))
		ev = NODELOG_EXTADDR_EXPIRED;
	else
		return 0;
	start = (size_t)at + sizeof(key) - 1;
	end = start;
	while (end < n && buf[end] != ' ' && buf[end] != '\t' && buf[end] != '\r')
		end++;
	memset(out, 0, sizeof(*out));
	if (multiaddr_parse(buf + start, end - start, &out->addr) < 0)
		return 0;
	out->event = ev;
	/* The tag sits before the message, as on informant lines. */
	out->chain = nodelog_chain_tag(buf, (size_t)at);
	return 1;
}

const char *nodelog_state_name(enum nodelog_state s)
{
	switch (s) {
	case NODELOG_IDLE:
		return "idle";
	case NODELOG_SYNCING:
		return "syncing";
	case NODELOG_PREPARING:
		return "preparing";
	case NODELOG_STATE_SYNC:
		return "state-sync";
	case NODELOG_WARPING:
		return "warping";
	case NODELOG_BLOCK_HISTORY:
		return "block-history";
	}
	return "unknown";
}

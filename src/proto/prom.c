/* SPDX-License-Identifier: MIT */
#include "proto/prom.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A cursor over one line; the line is not NUL-terminated. */
struct cur {
	const char *p, *end;
};

static bool is_name_start(int c, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}

static bool is_name_char(int c, bool colon)
{
	return is_name_start(c, colon) || (c >= '0' && c <= '9');
}

static void skip_blank(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static bool at(const struct cur *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

/* Read a metric name (colon allowed) or a label name (not) into out. */
static int read_name(struct cur *c, char *out, size_t cap, bool colon)
{
	size_t n = 0;

	if (c->p >= c->end || !is_name_start((unsigned char)*c->p, colon))
		return -EINVAL;
	while (c->p < c->end && is_name_char((unsigned char)*c->p, colon)) {
		if (n + 1 >= cap)
			return -E2BIG;
		out[n++] = *c->p++;
	}
	out[n] = '\0';
	return 0;
}

/* A quoted label value with \\, \" and \n escapes. */
static int read_label_value(struct cur *c, char *out, size_t cap)
{
	size_t n = 0;

	if (!at(c, '"'))
		return -EINVAL;
	c->p++;
	for (;;) {
		char ch;

		if (c->p >= c->end)
			return -EINVAL; /* unterminated */
		ch = *c->p++;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (c->p >= c->end)
				return -EINVAL;
			ch = *c->p++;
			if (ch == 'n')
				ch = '\n';
			else if (ch != '\\' && ch != '"') {
				/* Not an escape the format defines: keep both bytes,
				 * as the reference parser does. */
				if (n + 1 >= cap)
					return -E2BIG;
				out[n++] = '\\';
			}
		}
		if (ch == '\0')
			return -EINVAL; /* a NUL would cut the C string short */
		if (n + 1 >= cap)
			return -E2BIG;
		out[n++] = ch;
	}
	out[n] = '\0';
	return 0;
}

static int read_labels(struct cur *c, struct prom_sample *s)
{
	c->p++; /* '{' */
	for (;;) {
		struct prom_label *l;
		int r;

		skip_blank(c);
		if (at(c, '}'))
			break;
		if (s->n_labels == PROM_LABELS_MAX)
			return -E2BIG;
		l = &s->labels[s->n_labels];
		r = read_name(c, l->name, sizeof(l->name), false);
		if (r < 0)
			return r;
		skip_blank(c);
		if (!at(c, '='))
			return -EINVAL;
		c->p++;
		skip_blank(c);
		r = read_label_value(c, l->value, sizeof(l->value));
		if (r < 0)
			return r;
		s->n_labels++;
		skip_blank(c);
		if (at(c, ','))
			c->p++; /* a trailing comma before '}' is allowed */
		else if (!at(c, '}'))
			return -EINVAL;
	}
	c->p++; /* '}' */
	return 0;
}

/* The next run of non-blank bytes, copied NUL-terminated into out. */
static int read_token(struct cur *c, char *out, size_t cap)
{
	size_t n = 0;

	while (c->p < c->end && *c->p != ' ' && *c->p != '\t') {
		if (n + 1 >= cap)
			return -E2BIG;
		out[n++] = *c->p++;
	}
	out[n] = '\0';
	return n ? 0 : -EINVAL;
}

static int parse_value(const char *tok, double *out)
{
	char *end;

	/* Go's spellings; strtod knows them case-insensitively anyway, but an
	 * explicit match keeps "nan(123)" and friends out. */
	if (!strcmp(tok, "NaN")) {
		*out = NAN;
		return 0;
	}
	if (!strcmp(tok, "+Inf") || !strcmp(tok, "Inf")) {
		*out = INFINITY;
		return 0;
	}
	if (!strcmp(tok, "-Inf")) {
		*out = -INFINITY;
		return 0;
	}
	if (!((tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-' || tok[0] == '+' || tok[0] == '.'))
		return -EINVAL;
	errno = 0;
	*out = strtod(tok, &end);
	if (end == tok || *end != '\0')
		return -EINVAL;
	/* ERANGE: overflow gives +-HUGE_VAL, underflow a tiny number; both are
	 * values a metric may legitimately round to. */
	return 0;
}

static int parse_timestamp(const char *tok, int64_t *out)
{
	const char *p = tok;
	bool neg = false;
	uint64_t v = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_C(1) << 62) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int parse_comment(struct cur *c, struct prom_sample *out)
{
	bool help, type;

	c->p++; /* '#' */
	skip_blank(c);
	help = (size_t)(c->end - c->p) >= 4 && !memcmp(c->p, "HELP", 4);
	type = (size_t)(c->end - c->p) >= 4 && !memcmp(c->p, "TYPE", 4);
	if (!help && !type)
		return PROM_LINE_COMMENT;
	c->p += 4;
	if (!at(c, ' ') && !at(c, '\t'))
		return PROM_LINE_COMMENT; /* "# HELPER", say */
	skip_blank(c);
	if (read_name(c, out->name, sizeof(out->name), true) < 0)
		return -EINVAL;
	return help ? PROM_LINE_HELP : PROM_LINE_TYPE;
}

int prom_parse_line(const char *line, size_t len, struct prom_sample *out)
{
	struct cur c = { line, line + len };
	char tok[64];
	int r;

	out->name[0] = '\0';
	out->n_labels = 0;
	out->value = 0;
	out->has_timestamp = false;
	out->timestamp_ms = 0;
	skip_blank(&c);
	if (c.p == c.end)
		return PROM_LINE_BLANK;
	if (*c.p == '#')
		return parse_comment(&c, out);

	r = read_name(&c, out->name, sizeof(out->name), true);
	if (r < 0)
		return r;
	if (at(&c, '{')) {
		r = read_labels(&c, out);
		if (r < 0)
			return r;
	}
	if (!at(&c, ' ') && !at(&c, '\t'))
		return -EINVAL;
	skip_blank(&c);
	r = read_token(&c, tok, sizeof(tok));
	if (r < 0)
		return r;
	r = parse_value(tok, &out->value);
	if (r < 0)
		return r;
	skip_blank(&c);
	if (c.p < c.end) {
		r = read_token(&c, tok, sizeof(tok));
		if (r < 0)
			return r;
		r = parse_timestamp(tok, &out->timestamp_ms);
		if (r < 0)
			return -EINVAL;
		out->has_timestamp = true;
		skip_blank(&c);
		if (c.p < c.end)
			return -EINVAL;
	}
	return PROM_LINE_SAMPLE;
}

const char *prom_label(const struct prom_sample *s, const char *name)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}

/* --- the Substrate peer metrics ------------------------------------------ */

void prom_peers_init(struct prom_peers *p)
{
	*p = (struct prom_peers){
		.peers = -1,
		.sync_peers = -1,
		.opened_in = -1,
		.opened_out = -1,
		.closed_in = -1,
		.closed_out = -1,
		.best = -1,
		.finalized = -1,
		.major_syncing = -1,
		.start_time = -1,
	};
}

/* name is `metric` itself, or one lower-case word, "_", then `metric`
 * ("substrate_block_height", "polkadot_block_height"). One word and no
 * more, so "polkadot_parachain_foo_block_height" is not mistaken for ours. */
static bool metric_is(const char *name, const char *metric)
{
	size_t n = strlen(name), m = strlen(metric);

	if (n == m)
		return !memcmp(name, metric, m);
	if (n < m + 2 || memcmp(name + n - m, metric, m) || name[n - m - 1] != '_')
		return false;
	for (size_t i = 0; i < n - m - 1; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

/* A metric value we are willing to believe as a count: finite, >= 0, and
 * exactly representable (2^53). */
static bool to_count(double v, int64_t *out)
{
	if (!isfinite(v) || v < 0 || v > 9007199254740992.0)
		return false;
	*out = (int64_t)v;
	return true;
}

static void add_to(int64_t *acc, int64_t v)
{
	if (*acc < 0)
		*acc = 0;
	/* Both are below 2^53; a sum of a few such cannot overflow int64. */
	*acc += v;
}

enum which {
	W_NONE,
	W_PEERS,
	W_SYNC_PEERS,
	W_OPENED,
	W_CLOSED,
	W_MAJOR_SYNCING,
	W_HEIGHT,
	W_START_TIME,
};

static enum which classify(const char *name)
{
	static const struct {
		const char *metric;
		enum which w;
	} table[] = {
		{ "sub_libp2p_peers_count", W_PEERS },
		{ "sync_peers", W_SYNC_PEERS },
		{ "sub_libp2p_connections_opened_total", W_OPENED },
		{ "sub_libp2p_connections_closed_total", W_CLOSED },
		{ "sub_libp2p_is_major_syncing", W_MAJOR_SYNCING },
		{ "block_height", W_HEIGHT },
		{ "process_start_time_seconds", W_START_TIME },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (metric_is(name, table[i].metric))
			return table[i].w;
	return W_NONE;
}

static void take_sample(struct prom_peers *p, const struct prom_sample *s, enum which w)
{
	const char *dir = prom_label(s, "direction");
	const char *status = prom_label(s, "status");
	int64_t v;

	if (!to_count(s->value, &v))
		return;
	switch (w) {
	case W_PEERS:
		p->peers = v;
		break;
	case W_SYNC_PEERS:
		p->sync_peers = v;
		break;
	case W_OPENED:
		if (dir && !strcmp(dir, "in"))
			add_to(&p->opened_in, v);
		else if (dir && !strcmp(dir, "out"))
			add_to(&p->opened_out, v);
		break;
	case W_CLOSED:
		/* One sample per (direction, reason): the total is their sum. */
		if (dir && !strcmp(dir, "in"))
			add_to(&p->closed_in, v);
		else if (dir && !strcmp(dir, "out"))
			add_to(&p->closed_out, v);
		break;
	case W_MAJOR_SYNCING:
		p->major_syncing = v;
		break;
	case W_HEIGHT:
		if (status && !strcmp(status, "best"))
			p->best = v;
		else if (status && !strcmp(status, "finalized"))
			p->finalized = v;
		break;
	case W_START_TIME:
		p->start_time = v;
		break;
	case W_NONE:
		break;
	}
}

int prom_peers_feed(struct prom_peers *p, const char *line, size_t len)
{
	struct prom_sample s;
	const char *chain;
	enum which w;
	int kind;

	p->n_lines++;
	kind = prom_parse_line(line, len, &s);
	if (kind < 0) {
		p->n_bad++;
		return kind;
	}
	if (kind != PROM_LINE_SAMPLE)
		return kind;
	p->n_samples++;
	w = classify(s.name);
	if (w == W_NONE)
		return kind;
	/* One endpoint serves one chain; a sample for another chain (should a
	 * node ever mix them) must not be added into this one's numbers. */
	chain = prom_label(&s, "chain");
	if (chain) {
		if (!p->chain[0]) {
			size_t n = strlen(chain);

			memcpy(p->chain, chain, n + 1); /* same capacity as a label value */
		} else if (strcmp(p->chain, chain)) {
			p->n_other_chain++;
			return kind;
		}
	}
	take_sample(p, &s, w);
	return kind;
}

bool prom_peers_found(const struct prom_peers *p)
{
	return p->peers >= 0 || p->sync_peers >= 0;
}

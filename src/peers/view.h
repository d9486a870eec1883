/* SPDX-License-Identifier: MIT */
/*
 * What `natdoctor peers` prints, as text built in memory (no I/O here, so
 * every format is unit-tested):
 *   - view_frame: the whole terminal screen, redrawn in place each sample
 *     (and printed once for --once): per chain the count against the
 *     target, a sparkline, inbound vs outbound, sync state, then the
 *     verdicts and the state of each source;
 *   - view_plain_line: one line per chain per sample when stdout is not a
 *     terminal (logs, pipes), key=value then the verdict;
 *   - view_json_line: one JSON object per chain per sample (--json). The
 *     field names are stable: docs/PEERS.md lists them.
 */
#ifndef ND_PEERS_VIEW_H
#define ND_PEERS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "peers/chain.h"
#include "peers/assess.h"
#include "util/strbuf.h"

#define VIEW_VERDICT_MAX    512
#define VIEW_SPARK_WIDTH    30 /* samples shown */
#define VIEW_SOURCE_MSG_MAX 256

struct view_opts {
	bool color; /* ANSI colours */
	bool utf8;  /* block characters for the sparkline, else ASCII */
	unsigned interval_s;
	bool live; /* the frame says how to quit */
};

/* One chain, judged. */
struct view_chain {
	const struct chain *chain;
	struct chain_snapshot snap;
	enum assess verdict;
	char text[VIEW_VERDICT_MAX];
};

/* The state of one source, for the frame's last lines. */
struct view_source {
	const char *kind;	       /* "rpc", "metrics", "log" */
	const char *chain;	       /* label, or "" */
	const char *where;	       /* URL or path */
	int state;		       /* 1 ok, 0 waiting (nothing yet), -1 failing */
	char msg[VIEW_SOURCE_MSG_MAX]; /* why it fails, or a note */
};

/* Judge chain c at this moment into vc. */
void view_judge(struct view_chain *vc, const struct chain *c, uint64_t now_ms, uint64_t stale_ms,
		time_t now_unix, uint32_t target_min, uint32_t target_max);

/* The last `width` history samples as a sparkline scaled to
 * max(scale_max, highest sample). A sample without data is a blank. */
void view_sparkline(struct strbuf *out, const struct chain *c, size_t width, uint32_t scale_max,
		    bool utf8);

void view_frame(struct strbuf *out, const struct view_opts *o, const struct view_chain *chains,
		size_t n_chains, const struct view_source *src, size_t n_src, time_t now);

void view_plain_line(struct strbuf *out, const struct view_chain *vc, time_t now);

/* Returns 0, or -ENOMEM. */
int view_json_line(struct strbuf *out, const struct view_chain *vc, time_t now);

/* "2024-05-01T10:00:05Z" */
void view_fmt_time(time_t t, char out[static 32]);

#endif

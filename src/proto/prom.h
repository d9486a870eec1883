/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition format (version 0.0.4), one line at a time,
 * and the few Substrate metrics `natdoctor peers` reads from it.
 *
 * Format (prometheus.io/docs/instrumenting/exposition_formats/):
 *   # HELP name text...            # TYPE name counter|gauge|...
 *   # any other comment
 *   name{label="value",...} value [timestamp_ms]
 * Label values escape \\ \" and \n. Values are Go floats, including NaN,
 * +Inf and -Inf. Names: [a-zA-Z_:][a-zA-Z0-9_:]*, labels: [a-zA-Z_][a-zA-Z0-9_]*.
 *
 * The caller splits the body into lines (util/linebuf.h) so a response of
 * any size is read in bounded memory; this module never sees more than one
 * line. Pure: no I/O, no allocation, no globals.
 */
#ifndef ND_PROTO_PROM_H
#define ND_PROTO_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_LINE_MAX	     4096 /* longer lines are skipped by the caller */
#define PROM_NAME_MAX	     128  /* metric name, with NUL */
#define PROM_LABEL_NAME_MAX  64
#define PROM_LABEL_VALUE_MAX 128
#define PROM_LABELS_MAX	     8

enum prom_line_kind {
	PROM_LINE_BLANK = 0,
	PROM_LINE_COMMENT, /* a comment that is not HELP or TYPE */
	PROM_LINE_HELP,
	PROM_LINE_TYPE,
	PROM_LINE_SAMPLE,
};

struct prom_label {
	char name[PROM_LABEL_NAME_MAX];
	char value[PROM_LABEL_VALUE_MAX]; /* unescaped; may hold any byte but NUL */
};

/* A sample line; for HELP and TYPE lines only name is filled. */
struct prom_sample {
	char name[PROM_NAME_MAX];
	struct prom_label labels[PROM_LABELS_MAX];
	size_t n_labels;
	double value; /* may be NaN or +-Inf */
	bool has_timestamp;
	int64_t timestamp_ms;
};

/* Parse one line (no newline; need not be NUL-terminated). Returns a
 * prom_line_kind, or -EINVAL for a malformed line, or -E2BIG when a name or
 * value is longer than the fields above or there are more than
 * PROM_LABELS_MAX labels. out is scratch on error. */
int prom_parse_line(const char *line, size_t len, struct prom_sample *out);

/* The value of label `name`, or NULL. */
const char *prom_label(const struct prom_sample *s, const char *name);

/*
 * What a Substrate node's /metrics says about its peers. Substrate prefixes
 * every metric with its registry name ("substrate_", "polkadot_" on a
 * Polkadot/Kusama binary) and puts chain="<spec id>" on every sample, so the
 * names below match with or without one lower-case word of prefix, and the
 * chain label is kept.
 *
 *   <p>_sub_libp2p_peers_count                         gauge, peers now
 *   <p>_sync_peers                                     gauge, peers we sync
 *                                                      with (fallback)
 *   <p>_sub_libp2p_connections_opened_total{direction} counter
 *   <p>_sub_libp2p_connections_closed_total{direction,reason} counter
 *   <p>_sub_libp2p_is_major_syncing                    gauge 0/1
 *   <p>_block_height{status="best"|"finalized"}        gauge
 *   <p>_process_start_time_seconds                     gauge, unix time
 *
 * Numbers are -1 until seen. Values that are NaN, infinite, negative or
 * above 2^53 are ignored, not trusted.
 */
struct prom_peers {
	char chain[PROM_LABEL_VALUE_MAX]; /* chain label of the first sample read, or "" */
	int64_t peers;
	int64_t sync_peers;
	int64_t opened_in, opened_out; /* connections opened since start */
	int64_t closed_in, closed_out; /* connections closed since start, all reasons */
	int64_t best, finalized;
	int64_t major_syncing;
	int64_t start_time;	/* unix seconds */
	uint32_t n_lines;	/* lines fed */
	uint32_t n_samples;	/* well-formed sample lines */
	uint32_t n_bad;		/* malformed lines */
	uint32_t n_other_chain; /* our metrics, but another chain label: ignored */
};

void prom_peers_init(struct prom_peers *p);

/* Feed one line of a /metrics body. Returns the line kind (>= 0) or the
 * negative parse error (the line is counted in n_bad and otherwise
 * ignored: one bad line does not spoil the rest). */
int prom_peers_feed(struct prom_peers *p, const char *line, size_t len);

/* True if the body looked like Substrate metrics: at least one of the peer
 * gauges was present. */
bool prom_peers_found(const struct prom_peers *p);

#endif

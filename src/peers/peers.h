/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor peers` at run time: the sources (JSON-RPC and Prometheus over
 * HTTP, log streams), polled on one event loop; the chains they feed; a
 * sample every interval, printed as a live terminal view, plain lines or
 * JSON. src/cli/peers.c turns flags into a peers_config and calls
 * peers_run.
 */
#ifndef ND_PEERS_PEERS_H
#define ND_PEERS_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peers/chain.h"

#define PEERS_MAX_SOURCES 8
#define PEERS_MAX_CHAINS  4
#define PEERS_WHERE_MAX	  512
#define PEERS_MAX_URLS	  2 /* a source may name a fallback (older nodes' RPC port) */

#define PEERS_RPC_BODY_MAX     (1u << 20)   /* = RPC_BODY_MAX */
#define PEERS_METRICS_BODY_MAX (16u << 20)  /* streamed: traffic bound, not memory */
#define PEERS_LOG_TAIL	       (64u * 1024) /* of a followed file, read first */

enum peers_src_kind {
	PEERS_SRC_RPC,
	PEERS_SRC_METRICS,
	PEERS_SRC_LOG,
};

struct peers_source_config {
	enum peers_src_kind kind;
	char chain[CHAIN_NAME_MAX]; /* label; "" for none */
	char where[PEERS_MAX_URLS]
		  [PEERS_WHERE_MAX]; /* URLs in order of trial, or a path ("-" stdin) */
	size_t n_where;
};

struct peers_config {
	struct peers_source_config src[PEERS_MAX_SOURCES];
	size_t n_src;
	bool defaults; /* the sources are the built-in loopback ones */
	uint32_t target_min, target_max;
	unsigned interval_ms;
	unsigned timeout_ms; /* per HTTP request */
	bool once;
	bool json;
	bool tty;   /* stdout is a terminal: redraw in place */
	bool color; /* ANSI colours (tty, no --no-color, no NO_COLOR) */
	bool utf8;
	const char *listen_metrics; /* ADDR:PORT to serve Prometheus /metrics on, or NULL */
};

/* Run until interrupted (live) or one sample is out (--once), and return
 * the exit status (util/exit.h): 0 all chains at target, 1 a chain below
 * target, 3 no source gave anything, 4 internal. Writes to stdout and, for
 * problems with sources, stderr. */
int peers_run(const struct peers_config *cfg);

#endif

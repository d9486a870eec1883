/* SPDX-License-Identifier: MIT */
/*
 * The verdict on one chain's snapshot, in plain words for a node operator:
 * what the numbers mean and the exact next step. Pure: no I/O.
 */
#ifndef ND_PEERS_ASSESS_H
#define ND_PEERS_ASSESS_H

#include <stddef.h>

#include "peers/chain.h"

/* Watching this long with no inbound connection is strong evidence. */
#define ASSESS_NO_INBOUND_STRONG_S (10 * 60)

enum assess {
	ASSESS_UNKNOWN = 0, /* no fresh data */
	ASSESS_OK,	    /* at or above target_min (or a chain that expects no peers) */
	ASSESS_LOW,	    /* below target, inbound present or unknown */
	ASSESS_NO_INBOUND,  /* below target and no inbound connection: the NAT sign */
	ASSESS_ISOLATED,    /* no peers at all */
};

/* Write the verdict sentence for s into text (always NUL-terminated, cut
 * to fit) and return its kind. */
enum assess assess_chain(const struct chain_snapshot *s, char *text, size_t cap);

/* "unknown", "ok", "low", "no-inbound", "isolated": stable, for --json. */
const char *assess_name(enum assess v);

/* True for the kinds that mean "below target" (exit status 1). */
static inline int assess_is_problem(enum assess v)
{
	return v == ASSESS_LOW || v == ASSESS_NO_INBOUND || v == ASSESS_ISOLATED;
}

/* "45 s", "12 min", "3 h", "2 d": short and rounded down. */
void assess_fmt_duration(int64_t seconds, char *out, size_t cap);

#endif

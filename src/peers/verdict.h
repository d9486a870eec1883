/* SPDX-License-Identifier: MIT */
/*
 * The verdict on one chain's snapshot, in plain words for a node operator:
 * what the numbers mean and the exact next step. Pure: no I/O.
 */
#ifndef ND_PEERS_VERDICT_H
#define ND_PEERS_VERDICT_H

#include <stddef.h>

#include "peers/chain.h"

/* Watching this long with no inbound connection is strong evidence. */
#define VERDICT_NO_INBOUND_STRONG_S (10 * 60)

enum verdict {
	VERDICT_UNKNOWN = 0, /* no fresh data */
	VERDICT_OK,	     /* at or above target_min (or a chain that expects no peers) */
	VERDICT_LOW,	     /* below target, inbound present or unknown */
	VERDICT_NO_INBOUND,  /* below target and no inbound connection: the NAT sign */
	VERDICT_ISOLATED,    /* no peers at all */
};

/* Write the verdict sentence for s into text (always NUL-terminated, cut
 * to fit) and return its kind. */
enum verdict verdict_judge(const struct chain_snapshot *s, char *text, size_t cap);

/* "unknown", "ok", "low", "no-inbound", "isolated": stable, for --json. */
const char *verdict_name(enum verdict v);

/* True for the kinds that mean "below target" (exit status 1). */
static inline int verdict_is_problem(enum verdict v)
{
	return v == VERDICT_LOW || v == VERDICT_NO_INBOUND || v == VERDICT_ISOLATED;
}

/* "45 s", "12 min", "3 h", "2 d": short and rounded down. */
void verdict_fmt_duration(int64_t seconds, char *out, size_t cap);

#endif

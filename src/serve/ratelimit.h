/* SPDX-License-Identifier: MIT */
/*
 * Per-source rate limit of dial-backs: token buckets in a fixed-size,
 * set-associative table keyed by the source's /32 (IPv4) or /64 (IPv6).
 * A new source takes the slot of its set's least recently used entry, so
 * memory never grows and a flood of sources only evicts (an evicted source
 * starts again with a full bucket: the limit is per source that keeps
 * asking, which is what a dial-back abuser does). Pure: time is an
 * argument; the caller locks if threads share it.
 */
#ifndef ND_SERVE_RATELIMIT_H
#define ND_SERVE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/netaddr.h"

#define RATELIMIT_SETS 1024
#define RATELIMIT_WAYS 4

struct ratelimit_entry {
	uint8_t key[8]; /* /32 or /64 prefix; family in key[0] top bit */
	bool used;
	uint32_t tokens_milli; /* tokens * 1000 */
	uint64_t last_ms;      /* last refill, also the LRU clock */
};

struct ratelimit {
	uint32_t burst;	       /* bucket size, tokens */
	uint32_t per_token_ms; /* one token comes back every this many ms */
	uint32_t seed;	       /* hash seed, random at start */
	struct ratelimit_entry e[RATELIMIT_SETS][RATELIMIT_WAYS];
};

/* Set up rl (all entries free). burst >= 1, per_token_ms >= 1. */
void ratelimit_init(struct ratelimit *rl, uint32_t burst, uint32_t per_token_ms, uint32_t seed);

/* Take one token for src at now_ms: true if allowed, false if this source
 * is over its limit. */
bool ratelimit_take(struct ratelimit *rl, const struct netaddr *src, uint64_t now_ms);

#endif

/* SPDX-License-Identifier: MIT */
#include "serve/ratelimit.h"

#include <string.h>

void ratelimit_init(struct ratelimit *rl, uint32_t burst, uint32_t per_token_ms, uint32_t seed)
{
	memset(rl, 0, sizeof(*rl));
	rl->burst = burst ? burst : 1;
	rl->per_token_ms = per_token_ms ? per_token_ms : 1;
	rl->seed = seed;
}

/* The source's prefix: a /32 for IPv4, a /64 for IPv6 (one subscriber's
 * usual allocation, so one host cannot dodge the limit by hopping). */
static void prefix_key(const struct netaddr *in, uint8_t key[static 8])
{
	struct netaddr a = netaddr_unmap(*in);

	memset(key, 0, 8);
	if (a.family == AF_INET) {
		memcpy(key + 4, a.ip, 4);
	} else {
		memcpy(key, a.ip, 8);
		key[0] ^= 0x80; /* keep v6 /64s apart from v4 keys of the same bytes */
		key[7] ^= 0x01;
	}
}

/* FNV-1a with a seed: enough to spread prefixes; the seed keeps a remote
 * party from aiming many prefixes at one set. */
static uint32_t hash(const uint8_t key[static 8], uint32_t seed)
{
	uint32_t h = 2166136261u ^ seed;

	for (int i = 0; i < 8; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

bool ratelimit_take(struct ratelimit *rl, const struct netaddr *src, uint64_t now_ms)
{
	uint8_t key[8];
	struct ratelimit_entry *set, *e = NULL, *lru;
	uint64_t elapsed, add;

	prefix_key(src, key);
	set = rl->e[hash(key, rl->seed) % RATELIMIT_SETS];
	lru = &set[0];
	for (int i = 0; i < RATELIMIT_WAYS; i++) {
		if (set[i].used && memcmp(set[i].key, key, 8) == 0) {
			e = &set[i];
			break;
		}
		if (!set[i].used || (lru->used && set[i].last_ms < lru->last_ms))
			lru = &set[i];
	}
	if (!e) {
		e = lru;
		memcpy(e->key, key, 8);
		e->used = true;
		e->tokens_milli = rl->burst * 1000u;
		e->last_ms = now_ms;
	}
	if (now_ms > e->last_ms) {
		elapsed = now_ms - e->last_ms;
		add = elapsed * 1000u / rl->per_token_ms;
		if (add > rl->burst * 1000u)
			add = rl->burst * 1000u;
		e->tokens_milli =
		    (uint32_t)(e->tokens_milli + add > rl->burst * 1000u ? rl->burst * 1000u
									 : e->tokens_milli + add);
		e->last_ms = now_ms;
	}
	if (e->tokens_milli < 1000u)
		return false;
	e->tokens_milli -= 1000u;
	return true;
}

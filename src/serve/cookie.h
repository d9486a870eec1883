/* SPDX-License-Identifier: MIT */
/*
 * ND-COOKIE, the stateless return-routability proof of a UDP dial-back
 * (docs/SERVE-PROTOCOL.md; the idea of QUIC Retry and DTLS
 * HelloVerifyRequest): a keyed BLAKE2b (util/keyedhash: libsodium's
 * crypto_generichash, a MAC when given a key), truncated to 96 bits, of
 * the timestamp, the client's address and port, and the dial-back asked
 * for.
 *
 * Keys: one random master secret drawn at start; the key of each 60 s
 * epoch is BLAKE2b(key = master, "nd-cookie" | epoch), so keys rotate every
 * 60 s without any thread having to swap a shared secret, and a cookie is
 * checked with the key of the epoch of its own timestamp (the current or
 * the previous one, since a cookie lives 30 s). Time is an argument: the
 * caller's monotonic seconds, opaque to clients.
 *
 * struct cookie_keys is read only after cookie_keys_init, so any number of
 * threads may share it.
 */
#ifndef ND_SERVE_COOKIE_H
#define ND_SERVE_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/dialback.h"
#include "util/netaddr.h"

#define COOKIE_LIFETIME_S 30
#define COOKIE_EPOCH_S	  60

struct cookie_keys {
	uint8_t master[32];
};

/* Load the MAC (keyedhash_load: -ENOENT when libsodium is missing) and fill
 * the master secret from getrandom(). Returns 0 or a negative errno. */
int cookie_keys_init(struct cookie_keys *k);

/* The cookie for this client and dial-back at time now_s. */
void cookie_make(const struct cookie_keys *k, uint32_t now_s, const struct netaddr *client,
		 const struct dialback_req *req, struct dialback_cookie *out);

/* Is c a cookie this server made, for this client and dial-back, at most
 * COOKIE_LIFETIME_S seconds ago (and not in the future)? Constant time in
 * the MAC comparison. */
bool cookie_valid(const struct cookie_keys *k, uint32_t now_s, const struct netaddr *client,
		  const struct dialback_req *req, const struct dialback_cookie *c);

#endif

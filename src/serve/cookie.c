/* SPDX-License-Identifier: MIT */
#include "serve/cookie.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "util/buf.h"
#include "util/keyedhash.h"

int cookie_keys_init(struct cookie_keys *k)
{
	ssize_t n;
	int r = keyedhash_load();

	if (r < 0)
		return r;
	n = getrandom(k->master, sizeof(k->master), 0);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(k->master) ? 0 : -EIO;
}

/* The key of one epoch: BLAKE2b keyed with the master secret over
 * "nd-cookie" | epoch. */
static void epoch_key(const struct cookie_keys *k, uint32_t epoch, uint8_t key[static 32])
{
	uint8_t in[13] = "nd-cookie";

	be32_store(in + 9, epoch);
	keyedhash(key, 32, in, sizeof(in), k->master, sizeof(k->master));
}

/* MAC over ts | client IP (16 bytes, IPv4 as ::ffff:a.b.c.d) | client port |
 * protocol | dial-back port, truncated to DIALBACK_MAC_LEN. */
static void mac(const struct cookie_keys *k, uint32_t ts, const struct netaddr *client,
		const struct dialback_req *req, uint8_t out[static DIALBACK_MAC_LEN])
{
	uint8_t key[32], in[4 + 16 + 2 + 1 + 2], md[16];
	struct netaddr c = netaddr_unmap(*client);

	epoch_key(k, ts / COOKIE_EPOCH_S, key);
	be32_store(in, ts);
	memset(in + 4, 0, 16);
	if (c.family == AF_INET) {
		in[4 + 10] = in[4 + 11] = 0xff;
		memcpy(in + 4 + 12, c.ip, 4);
	} else {
		memcpy(in + 4, c.ip, 16);
	}
	be16_store(in + 20, c.port);
	in[22] = req->proto;
	be16_store(in + 23, req->port);
	keyedhash(md, sizeof(md), in, sizeof(in), key, sizeof(key));
	memcpy(out, md, DIALBACK_MAC_LEN);
	keyedhash_wipe(key, sizeof(key));
}

void cookie_make(const struct cookie_keys *k, uint32_t now_s, const struct netaddr *client,
		 const struct dialback_req *req, struct dialback_cookie *out)
{
	out->ts = now_s;
	mac(k, now_s, client, req, out->mac);
}

bool cookie_valid(const struct cookie_keys *k, uint32_t now_s, const struct netaddr *client,
		  const struct dialback_req *req, const struct dialback_cookie *c)
{
	uint8_t want[DIALBACK_MAC_LEN];

	if (c->ts > now_s || now_s - c->ts > COOKIE_LIFETIME_S)
		return false;
	mac(k, c->ts, client, req, want);
	return keyedhash_equal(want, c->mac, DIALBACK_MAC_LEN);
}

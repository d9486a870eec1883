/* SPDX-License-Identifier: MIT */
/*
 * The client half of natdoctor serve's dial-back over UDP
 * (docs/SERVE-PROTOCOL.md), shared by `check --server`
 * (check/serverprobe.c) and `map --server` (map/confirm.c): the STUN
 * Binding request with ND-DIALBACK (and ND-COOKIE once the server gave
 * one), its retransmission schedule, and what an answer means. No sockets
 * and no clock: the caller sends the bytes, passes the time in and keeps
 * the state below in its own memory.
 *
 * One dial-back is two transactions: the first request fetches a cookie
 * (the server keeps no state for it), the second echoes it and is answered
 * with ND-DIALBACK-RESULT once the server has dialled.
 */
#ifndef ND_DIAL_DIALCLIENT_H
#define ND_DIAL_DIALCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dialback.h"
#include "proto/stun.h"
#include "util/netaddr.h"

#define DIALCLIENT_PKT_MAX 128
/* After the first send of a request, its answer is given up on by then:
 * the last retransmission plus the server's dial timeout (1 s) and a
 * round trip. */
#define DIALCLIENT_GIVEUP_MS 4000

/* One STUN request and its retransmissions (RFC 8489 §6.2.1's doubling
 * from a 200 ms start; a request whose answer waits on a dial-back, up to
 * the server's 1 s dial timeout, is sent again every 400 ms after that,
 * and the server answers every copy from one entry and dials once). */
struct dialclient_xmit {
	bool active;
	uint8_t tid[STUN_TID_LEN];
	uint8_t pkt[DIALCLIENT_PKT_MAX];
	size_t len;
	uint64_t first_ms; /* when it was first sent */
	unsigned n_sent;
};

/*
 * A new Binding request in x (a fresh random transaction id, n_sent 0,
 * active): with the attributes of a, or plain when a is NULL. Returns 0,
 * -EIO (no randomness), or dialback_encode's and stun_encode's errors.
 */
int dialclient_xmit_prepare(struct dialclient_xmit *x, const struct dialback_attrs *a);

/* The caller sent x's bytes at now_ms (first send or retransmission). */
void dialclient_xmit_sent(struct dialclient_xmit *x, uint64_t now_ms);

/* When x is due for its next retransmission; UINT64_MAX when it is not
 * active, not sent yet, or has had all its sends. */
uint64_t dialclient_xmit_due(const struct dialclient_xmit *x);

/*
 * The dial-back request for req in x: ND-DIALBACK, and ND-COOKIE when
 * cookie is not NULL (the second transaction). Returns as
 * dialclient_xmit_prepare.
 */
int dialclient_request(struct dialclient_xmit *x, const struct dialback_req *req,
		       const struct dialback_cookie *cookie);

/* Is m a believable observed (XOR-MAPPED) address from server: IPv4 with
 * a port, public when the server is public, anything but reserved ranges
 * for a lab or LAN server (loopback only from a loopback server)? */
bool dialclient_observed_believable(const struct netaddr *server, const struct netaddr *m);

enum dialclient_ev {
	DIALCLIENT_BAD = 0,	 /* malformed, unbelievable or unasked for: ignore, count */
	DIALCLIENT_ERROR,	 /* the server answered with a STUN error: out->error */
	DIALCLIENT_COOKIE,	 /* out->cookie: send the request again with it */
	DIALCLIENT_RESULT,	 /* out->result: what the dial-back found */
	DIALCLIENT_NOT_DIALBACK, /* STUN, but no dial-back: not a natdoctor serve */
};

struct dialclient_answer {
	struct netaddr observed; /* XOR-MAPPED-ADDRESS (not for ERROR) */
	bool has_other;		 /* OTHER-ADDRESS, believable and not the server */
	struct netaddr other;
	struct dialback_cookie cookie;
	struct dialback_res result;
	char error[96]; /* "error 420 Unknown Attribute", printable */
};

/*
 * What one answer m (stun_decode of pkt, len) from server says of the
 * dial-back req, which already holds a cookie or not (have_cookie). The
 * caller matched the transaction id and the source. A result is taken only
 * after a cookie (never from the first transaction) and only for the
 * protocol and port asked; a second cookie is BAD.
 */
enum dialclient_ev dialclient_answer(const struct netaddr *server, const struct dialback_req *req,
				     bool have_cookie, const struct stun_msg *m, const uint8_t *pkt,
				     size_t len, struct dialclient_answer *out);

#endif

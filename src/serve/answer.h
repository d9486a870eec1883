/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor serve`'s answer to one STUN request: bytes in, bytes out and
 * what to do with them. Pure (no sockets, no clock, no allocation, no
 * globals), so every rule is unit-tested and the whole function is fuzzed;
 * serve.c owns the sockets and the state (rate limit, dial-backs in flight).
 *
 * Rules, in order (RFC 8489 §6.3, RFC 5780 §6 and §7, docs/SERVE-PROTOCOL.md):
 *  - not STUN, broken STUN, not a request (indications, responses): dropped;
 *  - a method other than Binding: 400;
 *  - comprehension-required attributes we do not know: 420 listing them;
 *  - a malformed attribute we know (wrong length, bad family), a malformed
 *    ND-DIALBACK/ND-COOKIE, RESPONSE-PORT with PADDING (RFC 5780 §7.6),
 *    CHANGE-REQUEST or RESPONSE-PORT over TCP (RFC 5780 §7.2, §7.5: UDP
 *    only): 400;
 *  - CHANGE-REQUEST on a server with one address: 420 (RFC 5780 §6);
 *  - otherwise a success with XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN and (two
 *    addresses) OTHER-ADDRESS, sent from the socket CHANGE-REQUEST names to
 *    the port RESPONSE-PORT names, with PADDING as asked as far as the
 *    amplification bound allows, and FINGERPRINT when the request had one;
 *  - ND-DIALBACK: over UDP without a valid cookie, a success carrying a
 *    fresh ND-COOKIE; with a valid one (or over TCP), SERVE_DIALBACK, and
 *    once the caller has the dial-back's outcome it calls again with it and
 *    gets the success carrying ND-DIALBACK-RESULT. A denied address or port
 *    0 is answered "denied" at once (nothing is dialled).
 *
 * No response is ever larger than the request plus SERVE_ALLOWANCE bytes.
 */
#ifndef ND_SERVE_ANSWER_H
#define ND_SERVE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dialback.h"
#include "proto/stun.h"
#include "serve/cookie.h"
#include "util/netaddr.h"

/* Response bytes beyond the request's own size, at most: XOR-MAPPED-ADDRESS,
 * RESPONSE-ORIGIN, OTHER-ADDRESS (three IPv6 addresses: 72 bytes), ND-COOKIE
 * (20) and FINGERPRINT (8). docs/SERVE-PROTOCOL.md "No amplification". */
#define SERVE_ALLOWANCE_V4 64
#define SERVE_ALLOWANCE_V6 100

/* Largest response we write; a request asking for more PADDING gets less. */
#define SERVE_RESPONSE_MAX 1500

/* The server's addresses: addr[0] with port[0] is the primary; addr[1] is
 * the alternate address (family 0 when there is only one). */
struct serve_conf {
	struct netaddr addr[2];
	uint16_t port[2];
	bool allow_private; /* dial private and CGNAT addresses too (lab, LAN) */
};

/* One received request. */
struct serve_in {
	const uint8_t *pkt;
	size_t len;
	bool tcp;
	struct netaddr src; /* observed source, IPv4-mapped already unwrapped */
	unsigned at_addr;   /* index of the address it arrived on (0 or 1) */
	unsigned at_port;   /* index of the port it arrived on (0 or 1) */
};

enum serve_action {
	SERVE_DROP = 0, /* send nothing */
	SERVE_REPLY,	/* send out[0..len) */
	SERVE_DIALBACK, /* dial out.dial, then call again with the result */
};

/* Why a request was dropped, for metrics. */
enum serve_drop {
	SERVE_DROP_NONE = 0,
	SERVE_DROP_NOT_STUN,   /* -ENOMSG */
	SERVE_DROP_MALFORMED,  /* -EBADMSG: bad length, bad FINGERPRINT, ... */
	SERVE_DROP_NOT_REQUEST /* indication or response */
};

struct serve_out {
	enum serve_action action;
	enum serve_drop drop;
	size_t len;		  /* SERVE_REPLY: the response's length */
	uint16_t error;		  /* SERVE_REPLY: 0 for success, else the error code */
	unsigned from_addr;	  /* send from this address index ... */
	unsigned from_port;	  /* ... and port index */
	uint16_t to_port;	  /* to src's IP on this port */
	bool cookie_issued;	  /* the success carries a fresh ND-COOKIE */
	bool has_result;	  /* the success carries ND-DIALBACK-RESULT */
	struct dialback_req dial; /* SERVE_DIALBACK (and has_result): what */
	uint8_t tid[STUN_TID_LEN];
};

/*
 * Answer one request. conf, in and keys are read only; now_s is the
 * cookie clock (cookie.h). result: NULL on first sight; the dial-back's
 * outcome on the second call (then the answer carries it). out (cap bytes,
 * at least SERVE_RESPONSE_MAX) receives the response. Returns 0 and fills
 * *o; -EINVAL for a conf or in that is not usable (a bug, not input).
 */
int serve_answer(const struct serve_conf *conf, const struct serve_in *in,
		 const struct cookie_keys *keys, uint32_t now_s, const struct dialback_res *result,
		 uint8_t *out, size_t cap, struct serve_out *o);

/* May serve dial this observed address (after IPv4-mapped unwrapping)?
 * Public unicast only; with allow_private also RFC 1918, ULA and CGNAT
 * addresses; never loopback, unspecified, link-local, multicast, reserved
 * or documentation ranges. */
bool serve_dial_allowed(const struct netaddr *a, bool allow_private);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Dial-back codec: the three comprehension-optional STUN attributes with
 * which `natdoctor check --server` asks `natdoctor serve` to dial its
 * observed address back, and the bytes the server sends when it does.
 * docs/SERVE-PROTOCOL.md is the contract; this file is its only encoder and
 * decoder. Pure: no sockets, no clock, no allocation.
 *
 * ND-DIALBACK (0xC4D0), 12 bytes:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Protocol    |   Flags (0)   |             Port              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Nonce (64 bits)                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ND-COOKIE (0xC4D1), 16 bytes: timestamp (32 bits), MAC (96 bits).
 * ND-DIALBACK-RESULT (0xC4D2), 8 bytes:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Protocol    |    Result     |             Port              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Elapsed (ms)           |         Reserved (0)          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Usage, encoding: fill a struct dialback_attrs, dialback_encode() it into
 * a small buffer and pass that as stun_opts.extra. Decoding: stun_decode()
 * the message, then dialback_find() on the same bytes.
 */
#ifndef ND_PROTO_DIALBACK_H
#define ND_PROTO_DIALBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIALBACK_ATTR_REQUEST 0xC4D0 /* ND-DIALBACK */
#define DIALBACK_ATTR_COOKIE  0xC4D1 /* ND-COOKIE */
#define DIALBACK_ATTR_RESULT  0xC4D2 /* ND-DIALBACK-RESULT */

#define DIALBACK_PROTO_TCP 6
#define DIALBACK_PROTO_UDP 17

#define DIALBACK_NONCE_LEN 8
#define DIALBACK_MAC_LEN   12
/* Bytes dialback_encode writes at most: all three attributes. */
#define DIALBACK_ATTRS_MAX (4 + 12 + 4 + 16 + 4 + 8)

/* Result codes of ND-DIALBACK-RESULT (docs/SERVE-PROTOCOL.md). */
enum dialback_result {
	DIALBACK_LIBP2P = 1,	   /* TCP: the peer spoke multistream-select */
	DIALBACK_OTHER = 2,	   /* TCP: connected, something else or nothing */
	DIALBACK_REFUSED = 3,	   /* RST or ICMP unreachable */
	DIALBACK_FILTERED = 4,	   /* no answer within the dial timeout */
	DIALBACK_PROBE = 5,	   /* TCP: the peer echoed the nonce line */
	DIALBACK_SENT = 6,	   /* UDP: the datagram left */
	DIALBACK_DENIED = 7,	   /* not dialled: address or port not allowed */
	DIALBACK_RATE_LIMITED = 8, /* not dialled: this source asked too often */
	DIALBACK_BUSY = 9,	   /* not dialled: the in-flight table is full */
};
#define DIALBACK_RESULT_MAX DIALBACK_BUSY

struct dialback_req {
	uint8_t proto; /* DIALBACK_PROTO_TCP or _UDP */
	uint16_t port; /* host order; 0 is decoded (and answered "denied") */
	uint8_t nonce[DIALBACK_NONCE_LEN];
};

struct dialback_cookie {
	uint32_t ts; /* server seconds, opaque to the client */
	uint8_t mac[DIALBACK_MAC_LEN];
};

struct dialback_res {
	uint8_t proto;
	uint8_t result; /* enum dialback_result; other values are decoded as is */
	uint16_t port;
	uint16_t elapsed_ms;
};

/* What a message carries; each value is meaningful only with its flag. */
struct dialback_attrs {
	bool has_req;
	struct dialback_req req;
	bool has_cookie;
	struct dialback_cookie cookie;
	bool has_result;
	struct dialback_res result;
};

/*
 * Find the three attributes in a STUN message that stun_decode accepted
 * (pkt, len; not kept), first occurrence of each, and fill *out (cleared
 * first). Returns 0 (also when none is present), or -EBADMSG when one is
 * present but malformed: a length other than the exact one, or an
 * ND-DIALBACK whose protocol is neither TCP nor UDP. The server answers
 * that with 400 (docs/SERVE-PROTOCOL.md).
 */
int dialback_find(struct dialback_attrs *out, const uint8_t *pkt, size_t len);

/*
 * Encode the attributes a has (in the order request, cookie, result) as
 * whole STUN attributes into out (cap bytes), for stun_opts.extra. Returns
 * the bytes written (0 when a has none), -EINVAL for a request whose
 * protocol is neither TCP nor UDP, -ENOBUFS if it does not fit.
 */
int dialback_encode(const struct dialback_attrs *a, uint8_t *out, size_t cap);

/*
 * The UDP dial-back datagram: the 20 ASCII bytes "natdoctor-dialback/1"
 * then the nonce, exactly DIALBACK_UDP_LEN bytes.
 */
#define DIALBACK_UDP_LEN 28
void dialback_udp_datagram(uint8_t out[static DIALBACK_UDP_LEN],
			   const uint8_t nonce[static DIALBACK_NONCE_LEN]);

/* Is this datagram (any bytes from the network) the dial-back for nonce? */
bool dialback_udp_match(const uint8_t *pkt, size_t len,
			const uint8_t nonce[static DIALBACK_NONCE_LEN]);

/*
 * What the server writes on a connected TCP dial-back: the multistream-select
 * greeting (0x13 "/multistream/1.0.0\n", 20 bytes) and the line
 * "natdoctor-dialback <nonce in 16 lowercase hex digits>\n" (36 bytes).
 * A probe socket echoes the line (dialback_tcp_line) back.
 */
#define DIALBACK_MSS_LEN	  20
#define DIALBACK_TCP_LINE_LEN	  36
#define DIALBACK_TCP_GREETING_LEN (DIALBACK_MSS_LEN + DIALBACK_TCP_LINE_LEN)
void dialback_tcp_greeting(uint8_t out[static DIALBACK_TCP_GREETING_LEN],
			   const uint8_t nonce[static DIALBACK_NONCE_LEN]);
void dialback_tcp_line(uint8_t out[static DIALBACK_TCP_LINE_LEN],
		       const uint8_t nonce[static DIALBACK_NONCE_LEN]);

/*
 * Classify what the dialled peer sent back (reply, len: up to 64 bytes
 * read within the wait; any bytes): DIALBACK_PROBE when it contains the
 * nonce line (checked first: a probe that echoes everything it read also
 * echoes the greeting), DIALBACK_LIBP2P when it begins with the
 * multistream-select greeting, else DIALBACK_OTHER (also for nothing).
 */
enum dialback_result dialback_tcp_classify(const uint8_t *reply, size_t len,
					   const uint8_t nonce[static DIALBACK_NONCE_LEN]);

/* "libp2p", "other", ... "busy"; "unknown" for other values. Static. */
const char *dialback_result_name(unsigned result);

#endif

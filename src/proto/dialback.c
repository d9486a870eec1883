/* SPDX-License-Identifier: MIT */
#include "proto/dialback.h"

#include <errno.h>
#include <string.h>

#include "proto/stun.h"
#include "util/buf.h"

#define REQ_LEN	   12
#define COOKIE_LEN 16
#define RESULT_LEN 8

static const char udp_magic[] = "natdoctor-dialback/1"; /* 20 bytes, no NUL sent */
static const char mss_greeting[] = "\x13/multistream/1.0.0\n";
static const char line_prefix[] = "natdoctor-dialback ";

static bool proto_ok(uint8_t proto)
{
	return proto == DIALBACK_PROTO_TCP || proto == DIALBACK_PROTO_UDP;
}

/* The first attribute of type, which must be exactly want bytes long.
 * Returns 1 with *v set, 0 when absent, -EBADMSG when the length differs. */
static int find_exact(const uint8_t *pkt, size_t len, uint16_t type, size_t want, const uint8_t **v)
{
	size_t n;
	int rc = stun_find_attr(pkt, len, type, v, &n);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	return n == want ? 1 : -EBADMSG;
}

int dialback_find(struct dialback_attrs *out, const uint8_t *pkt, size_t len)
{
	const uint8_t *v;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = find_exact(pkt, len, DIALBACK_ATTR_REQUEST, REQ_LEN, &v);
	if (rc < 0)
		return rc;
	if (rc) {
		/* Flags are reserved: ignored, so a later version can use them. */
		out->req.proto = v[0];
		out->req.port = be16_load(v + 2);
		memcpy(out->req.nonce, v + 4, DIALBACK_NONCE_LEN);
		if (!proto_ok(out->req.proto))
			return -EBADMSG;
		out->has_req = true;
	}
	rc = find_exact(pkt, len, DIALBACK_ATTR_COOKIE, COOKIE_LEN, &v);
	if (rc < 0)
		return rc;
	if (rc) {
		out->cookie.ts = be32_load(v);
		memcpy(out->cookie.mac, v + 4, DIALBACK_MAC_LEN);
		out->has_cookie = true;
	}
	rc = find_exact(pkt, len, DIALBACK_ATTR_RESULT, RESULT_LEN, &v);
	if (rc < 0)
		return rc;
	if (rc) {
		out->result.proto = v[0];
		out->result.result = v[1];
		out->result.port = be16_load(v + 2);
		out->result.elapsed_ms = be16_load(v + 4);
		out->has_result = true;
	}
	return 0;
}

int dialback_encode(const struct dialback_attrs *a, uint8_t *out, size_t cap)
{
	struct buf_writer w = buf_writer(out, cap);

	if (a->has_req) {
		if (!proto_ok(a->req.proto))
			return -EINVAL;
		bw_u16(&w, DIALBACK_ATTR_REQUEST);
		bw_u16(&w, REQ_LEN);
		bw_u8(&w, a->req.proto);
		bw_u8(&w, 0);
		bw_u16(&w, a->req.port);
		bw_bytes(&w, a->req.nonce, DIALBACK_NONCE_LEN);
	}
	if (a->has_cookie) {
		bw_u16(&w, DIALBACK_ATTR_COOKIE);
		bw_u16(&w, COOKIE_LEN);
		bw_u32(&w, a->cookie.ts);
		bw_bytes(&w, a->cookie.mac, DIALBACK_MAC_LEN);
	}
	if (a->has_result) {
		bw_u16(&w, DIALBACK_ATTR_RESULT);
		bw_u16(&w, RESULT_LEN);
		bw_u8(&w, a->result.proto);
		bw_u8(&w, a->result.result);
		bw_u16(&w, a->result.port);
		bw_u16(&w, a->result.elapsed_ms);
		bw_u16(&w, 0);
	}
	return w.err ? -ENOBUFS : (int)w.len;
}

void dialback_udp_datagram(uint8_t out[static DIALBACK_UDP_LEN],
			   const uint8_t nonce[static DIALBACK_NONCE_LEN])
{
	memcpy(out, udp_magic, DIALBACK_UDP_LEN - DIALBACK_NONCE_LEN);
	memcpy(out + DIALBACK_UDP_LEN - DIALBACK_NONCE_LEN, nonce, DIALBACK_NONCE_LEN);
}

bool dialback_udp_match(const uint8_t *pkt, size_t len,
			const uint8_t nonce[static DIALBACK_NONCE_LEN])
{
	uint8_t want[DIALBACK_UDP_LEN];

	if (len != DIALBACK_UDP_LEN)
		return false;
	dialback_udp_datagram(want, nonce);
	return memcmp(pkt, want, DIALBACK_UDP_LEN) == 0;
}

void dialback_tcp_line(uint8_t out[static DIALBACK_TCP_LINE_LEN],
		       const uint8_t nonce[static DIALBACK_NONCE_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = sizeof(line_prefix) - 1;

	memcpy(out, line_prefix, n);
	for (size_t i = 0; i < DIALBACK_NONCE_LEN; i++) {
		out[n++] = (uint8_t)hex[nonce[i] >> 4];
		out[n++] = (uint8_t)hex[nonce[i] & 0xf];
	}
	out[n] = '\n';
}

void dialback_tcp_greeting(uint8_t out[static DIALBACK_TCP_GREETING_LEN],
			   const uint8_t nonce[static DIALBACK_NONCE_LEN])
{
	memcpy(out, mss_greeting, DIALBACK_MSS_LEN);
	dialback_tcp_line(out + DIALBACK_MSS_LEN, nonce);
}

enum dialback_result dialback_tcp_classify(const uint8_t *reply, size_t len,
					   const uint8_t nonce[static DIALBACK_NONCE_LEN])
{
	uint8_t line[DIALBACK_TCP_LINE_LEN];

	dialback_tcp_line(line, nonce);
	if (len >= DIALBACK_TCP_LINE_LEN && memmem(reply, len, line, sizeof(line)))
		return DIALBACK_PROBE;
	if (len >= DIALBACK_MSS_LEN && memcmp(reply, mss_greeting, DIALBACK_MSS_LEN) == 0)
		return DIALBACK_LIBP2P;
	return DIALBACK_OTHER;
}

const char *dialback_result_name(unsigned result)
{
	static const char *const names[] = {
		[DIALBACK_LIBP2P] = "libp2p",	[DIALBACK_OTHER] = "other",
		[DIALBACK_REFUSED] = "refused", [DIALBACK_FILTERED] = "filtered",
		[DIALBACK_PROBE] = "probe",	[DIALBACK_SENT] = "sent",
		[DIALBACK_DENIED] = "denied",	[DIALBACK_RATE_LIMITED] = "rate-limited",
		[DIALBACK_BUSY] = "busy",
	};

	if (result < 1 || result > DIALBACK_RESULT_MAX)
		return "unknown";
	return names[result];
}

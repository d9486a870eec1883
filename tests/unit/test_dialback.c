/* SPDX-License-Identifier: MIT */
/*
 * Dial-back codec (docs/SERVE-PROTOCOL.md): the attribute bytes exactly as
 * the document draws them, round trips through stun_encode/stun_decode,
 * exact lengths, the rules that nothing after FINGERPRINT or
 * MESSAGE-INTEGRITY counts, and the dial-back payloads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/dialback.h"
#include "proto/stun.h"
#include "util/buf.h"

static const uint8_t tid[STUN_TID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t nonce[DIALBACK_NONCE_LEN] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67 };

/* A Binding request carrying a's attributes (and a FINGERPRINT if fp). */
static size_t build(uint8_t *out, size_t cap, const struct dialback_attrs *a, bool fp)
{
	uint8_t extra[DIALBACK_ATTRS_MAX];
	int n = dialback_encode(a, extra, sizeof(extra));
	struct stun_opts o = {
		.cls = STUN_REQUEST,
		.method = STUN_BINDING,
		.tid = tid,
		.extra = extra,
		.extra_len = (size_t)n,
		.fingerprint = fp,
	};
	int len;

	assert_true(n >= 0);
	len = stun_encode(&o, out, cap);
	assert_true(len > 0);
	return (size_t)len;
}

static void encode_matches_the_document(void **state)
{
	struct dialback_attrs a = {
		.has_req = true,
		.req = { .proto = DIALBACK_PROTO_TCP, .port = 30333 },
		.has_cookie = true,
		.cookie = { .ts = 0x01020304 },
		.has_result = true,
		.result = { .proto = DIALBACK_PROTO_UDP,
			    .result = DIALBACK_SENT,
			    .port = 30334,
			    .elapsed_ms = 513 },
	};
	static const uint8_t want[] = {
		0xc4, 0xd0, 0x00, 0x0c, 6,    0,    0x76, 0x7d, 0xde, 0xad, 0xbe, 0xef,
		0x01, 0x23, 0x45, 0x67, 0xc4, 0xd1, 0x00, 0x10, 1,    2,    3,	  4,
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
		0xc4, 0xd2, 0x00, 0x08, 17,   6,    0x76, 0x7e, 0x02, 0x01, 0,	  0,
	};
	uint8_t out[DIALBACK_ATTRS_MAX];

	(void)state;
	memcpy(a.req.nonce, nonce, sizeof(nonce));
	for (int i = 0; i < DIALBACK_MAC_LEN; i++)
		a.cookie.mac[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(sizeof(want), DIALBACK_ATTRS_MAX);
	assert_int_equal(dialback_encode(&a, out, sizeof(out)), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(dialback_encode(&a, out, sizeof(out) - 1), -ENOBUFS);
	a.req.proto = 1;
	assert_int_equal(dialback_encode(&a, out, sizeof(out)), -EINVAL);
	memset(&a, 0, sizeof(a));
	assert_int_equal(dialback_encode(&a, out, 0), 0);
}

static void round_trip_through_stun(void **state)
{
	struct dialback_attrs a = { .has_req = true,
				    .req = { .proto = DIALBACK_PROTO_UDP, .port = 1 },
				    .has_cookie = true,
				    .cookie = { .ts = 0xfffffffe } },
			      d;
	uint8_t msg[256];
	struct stun_msg m;
	size_t n;

	(void)state;
	memcpy(a.req.nonce, nonce, sizeof(nonce));
	memset(a.cookie.mac, 0x5a, sizeof(a.cookie.mac));
	n = build(msg, sizeof(msg), &a, true);
	/* A plain STUN agent sees an ordinary request with nothing unknown
	 * that it must understand. */
	assert_int_equal(stun_decode(&m, msg, n), 0);
	assert_true(m.has_fingerprint);
	assert_int_equal(m.n_unknown, 0);
	assert_int_equal(m.bad_attrs, 0);
	assert_int_equal(dialback_find(&d, msg, n), 0);
	assert_true(d.has_req && d.has_cookie && !d.has_result);
	assert_int_equal(d.req.proto, DIALBACK_PROTO_UDP);
	assert_int_equal(d.req.port, 1);
	assert_memory_equal(d.req.nonce, nonce, sizeof(nonce));
	assert_int_equal(d.cookie.ts, 0xfffffffe);
	assert_memory_equal(d.cookie.mac, a.cookie.mac, DIALBACK_MAC_LEN);
}

static void absent_is_not_an_error(void **state)
{
	struct dialback_attrs a = { 0 }, d;
	uint8_t msg[64];
	size_t n;

	(void)state;
	n = build(msg, sizeof(msg), &a, false);
	assert_int_equal(n, STUN_HEADER_LEN);
	memset(&d, 0xff, sizeof(d));
	assert_int_equal(dialback_find(&d, msg, n), 0);
	assert_false(d.has_req || d.has_cookie || d.has_result);
}

/* A message with one raw attribute (type, n bytes of value). */
static size_t raw_one(uint8_t *msg, uint16_t type, size_t n)
{
	size_t len = STUN_HEADER_LEN + 4 + n + ((4 - n % 4) % 4);

	memset(msg, 0, len);
	be16_store(msg, 0x0001);
	be16_store(msg + 2, (uint16_t)(len - STUN_HEADER_LEN));
	be32_store(msg + 4, STUN_MAGIC);
	memcpy(msg + 8, tid, STUN_TID_LEN);
	be16_store(msg + 20, type);
	be16_store(msg + 22, (uint16_t)n);
	if (type == DIALBACK_ATTR_REQUEST && n > 0)
		msg[24] = DIALBACK_PROTO_TCP;
	return len;
}

static void lengths_are_exact(void **state)
{
	static const struct {
		uint16_t type;
		size_t ok;
	} t[] = {
		{ DIALBACK_ATTR_REQUEST, 12 },
		{ DIALBACK_ATTR_COOKIE, 16 },
		{ DIALBACK_ATTR_RESULT, 8 },
	};
	uint8_t msg[128];
	struct dialback_attrs d;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (size_t n = 0; n <= 24; n++) {
			size_t len = raw_one(msg, t[i].type, n);
			struct stun_msg m;

			/* Still a good STUN message for a plain agent. */
			assert_int_equal(stun_decode(&m, msg, len), 0);
			assert_int_equal(dialback_find(&d, msg, len), n == t[i].ok ? 0 : -EBADMSG);
		}
	}
}

static void request_protocol_must_be_tcp_or_udp(void **state)
{
	uint8_t msg[64];
	size_t len = raw_one(msg, DIALBACK_ATTR_REQUEST, 12);
	struct dialback_attrs d;

	(void)state;
	for (unsigned p = 0; p < 256; p++) {
		msg[24] = (uint8_t)p;
		assert_int_equal(dialback_find(&d, msg, len), p == 6 || p == 17 ? 0 : -EBADMSG);
	}
	/* Port 0 decodes: the server answers it "denied", not 400. */
	msg[24] = 6;
	assert_int_equal(dialback_find(&d, msg, len), 0);
	assert_true(d.has_req);
	assert_int_equal(d.req.port, 0);
}

static void first_occurrence_counts(void **state)
{
	struct dialback_attrs a = { .has_result = true,
				    .result = { .proto = 6,
						.result = DIALBACK_REFUSED,
						.port = 7 } },
			      d;
	uint8_t extra[2 * DIALBACK_ATTRS_MAX], msg[256];
	int n1, n2, len;
	struct stun_opts o = { .cls = STUN_SUCCESS, .method = STUN_BINDING, .tid = tid };

	(void)state;
	n1 = dialback_encode(&a, extra, sizeof(extra));
	a.result.result = DIALBACK_LIBP2P;
	n2 = dialback_encode(&a, extra + n1, sizeof(extra) - (size_t)n1);
	o.extra = extra;
	o.extra_len = (size_t)(n1 + n2);
	len = stun_encode(&o, msg, sizeof(msg));
	assert_true(len > 0);
	assert_int_equal(dialback_find(&d, msg, (size_t)len), 0);
	assert_int_equal(d.result.result, DIALBACK_REFUSED);
}

static void nothing_after_fingerprint_or_integrity_counts(void **state)
{
	uint8_t msg[128];
	struct dialback_attrs d;
	size_t len;

	(void)state;
	/* FINGERPRINT (bogus here; dialback_find trusts stun_decode for it)
	 * then ND-DIALBACK: not seen. */
	len = raw_one(msg, STUN_ATTR_FINGERPRINT, 4);
	be16_store(msg + len, DIALBACK_ATTR_REQUEST);
	be16_store(msg + len + 2, 12);
	memset(msg + len + 4, 0, 12);
	msg[len + 4] = 6;
	len += 16;
	be16_store(msg + 2, (uint16_t)(len - STUN_HEADER_LEN));
	assert_int_equal(dialback_find(&d, msg, len), 0);
	assert_false(d.has_req);
	/* The same after MESSAGE-INTEGRITY. */
	be16_store(msg + 20, STUN_ATTR_MESSAGE_INTEGRITY);
	assert_int_equal(dialback_find(&d, msg, len), 0);
	assert_false(d.has_req);
	/* And before it, it is seen. */
	be16_store(msg + 20, 0x8055);
	assert_int_equal(dialback_find(&d, msg, len), 0);
	assert_true(d.has_req);
}

static void broken_messages_are_rejected(void **state)
{
	uint8_t msg[64];
	size_t len = raw_one(msg, DIALBACK_ATTR_COOKIE, 16);
	struct dialback_attrs d;

	(void)state;
	assert_int_equal(dialback_find(&d, msg, len - 4), -EBADMSG);
	assert_int_equal(dialback_find(&d, msg, 10), -EBADMSG);
	be16_store(msg + 22, 40); /* attribute runs past the end */
	assert_int_equal(dialback_find(&d, msg, len), -EBADMSG);
}

static void udp_datagram(void **state)
{
	uint8_t d[DIALBACK_UDP_LEN], other[DIALBACK_NONCE_LEN];

	(void)state;
	dialback_udp_datagram(d, nonce);
	assert_memory_equal(d, "natdoctor-dialback/1", 20);
	assert_memory_equal(d + 20, nonce, 8);
	assert_true(dialback_udp_match(d, sizeof(d), nonce));
	assert_false(dialback_udp_match(d, sizeof(d) - 1, nonce));
	memcpy(other, nonce, sizeof(other));
	other[7] ^= 1;
	assert_false(dialback_udp_match(d, sizeof(d), other));
}

static void tcp_greeting_and_classify(void **state)
{
	uint8_t g[DIALBACK_TCP_GREETING_LEN], reply[64];
	static const char line[] = "natdoctor-dialback deadbeef01234567\n";

	(void)state;
	dialback_tcp_greeting(g, nonce);
	assert_memory_equal(g, "\x13/multistream/1.0.0\n", 20);
	assert_memory_equal(g + 20, line, 36);

	/* A libp2p node answers the greeting with its own. */
	assert_int_equal(dialback_tcp_classify(g, 20, nonce), DIALBACK_LIBP2P);
	memcpy(reply, "\x13/multistream/1.0.0\n\x03na\n", 24);
	assert_int_equal(dialback_tcp_classify(reply, 24, nonce), DIALBACK_LIBP2P);
	/* A probe echoes everything, greeting included: still "probe". */
	assert_int_equal(dialback_tcp_classify(g, sizeof(g), nonce), DIALBACK_PROBE);
	assert_int_equal(dialback_tcp_classify((const uint8_t *)line, 36, nonce), DIALBACK_PROBE);
	/* Another nonce, a partial line, silence, an HTTP server: other. */
	assert_int_equal(dialback_tcp_classify((const uint8_t *)line, 35, nonce), DIALBACK_OTHER);
	memcpy(reply, line, 36);
	reply[30] = 'f';
	assert_int_equal(dialback_tcp_classify(reply, 36, nonce), DIALBACK_OTHER);
	assert_int_equal(dialback_tcp_classify(reply, 0, nonce), DIALBACK_OTHER);
	assert_int_equal(dialback_tcp_classify((const uint8_t *)"HTTP/1.1 400", 12, nonce),
			 DIALBACK_OTHER);
	assert_int_equal(dialback_tcp_classify(g, 19, nonce), DIALBACK_OTHER);
}

static void stun_extra_must_be_whole_attributes(void **state)
{
	uint8_t extra[6] = { 0 }, msg[64];
	struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING, .tid = tid };

	(void)state;
	o.extra = extra;
	o.extra_len = 6;
	assert_int_equal(stun_encode(&o, msg, sizeof(msg)), -EINVAL);
	o.extra = NULL;
	o.extra_len = 4;
	assert_int_equal(stun_encode(&o, msg, sizeof(msg)), -EINVAL);
}

static void result_names(void **state)
{
	(void)state;
	assert_string_equal(dialback_result_name(DIALBACK_LIBP2P), "libp2p");
	assert_string_equal(dialback_result_name(DIALBACK_RATE_LIMITED), "rate-limited");
	assert_string_equal(dialback_result_name(DIALBACK_BUSY), "busy");
	assert_string_equal(dialback_result_name(0), "unknown");
	assert_string_equal(dialback_result_name(10), "unknown");
	assert_string_equal(dialback_result_name(255), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_matches_the_document),
		cmocka_unit_test(round_trip_through_stun),
		cmocka_unit_test(absent_is_not_an_error),
		cmocka_unit_test(lengths_are_exact),
		cmocka_unit_test(request_protocol_must_be_tcp_or_udp),
		cmocka_unit_test(first_occurrence_counts),
		cmocka_unit_test(nothing_after_fingerprint_or_integrity_counts),
		cmocka_unit_test(broken_messages_are_rejected),
		cmocka_unit_test(udp_datagram),
		cmocka_unit_test(tcp_greeting_and_classify),
		cmocka_unit_test(stun_extra_must_be_whole_attributes),
		cmocka_unit_test(result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

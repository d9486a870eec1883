/* SPDX-License-Identifier: MIT */
/*
 * STUN codec: the RFC 5769 test vectors, a round trip for every attribute
 * the encoder writes, and one test per kind of hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/stun.h"
#include "util/buf.h"

/*
 * RFC 5769 §2, byte for byte (the padding of SOFTWARE and USERNAME
 * is 0x20 there on purpose: padding may be any value). All three use the
 * transaction id b7e7a701bc34d686fa87dfae.
 *
 * 2.1 Sample Request: SOFTWARE "STUN test client", PRIORITY, ICE-CONTROLLED,
 *     USERNAME "evtj:h6vY", MESSAGE-INTEGRITY, FINGERPRINT.
 * 2.2 Sample IPv4 Response: SOFTWARE "test vector", XOR-MAPPED-ADDRESS
 *     192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT.
 * 2.3 Sample IPv6 Response: the same with
 *     [2001:db8:1234:5678:11:2233:4455:6677]:32853.
 * 2.4 Sample Request with Long-Term Authentication (transaction id
 *     78ad3433c6ad72c029da412e): USERNAME (six katakana in UTF-8), NONCE,
 *     REALM "example.org", MESSAGE-INTEGRITY; no FINGERPRINT. Padding is
 *     zeros here.
 */
static const uint8_t rfc5769_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e,
	0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24,
	0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68,
	0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5,
	0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

static const uint8_t rfc5769_ipv4_response[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
	0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
	0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b,
	0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

static const uint8_t rfc5769_ipv6_response[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74,
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02,
	0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5,
	0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6,
	0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static const uint8_t rfc5769_long_term_request[] = {
	0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72,
	0xc0, 0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88,
	0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00,
	0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
	0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73,
	0x41, 0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72,
	0x67, 0x00, 0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02,
	0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66
};

static const uint8_t rfc_tid[STUN_TID_LEN] = { 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
					       0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae };

/* --- helpers: build messages by hand, byte by byte -------------------------- */

struct raw {
	uint8_t b[4096];
	size_t len;
};

static void raw_init(struct raw *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	be16_store(m->b, type);
	be32_store(m->b + 4, STUN_MAGIC);
	memcpy(m->b + 8, rfc_tid, STUN_TID_LEN);
	m->len = STUN_HEADER_LEN;
}

/* Append an attribute (value, zero padding) and fix the header length. */
static void raw_attr(struct raw *m, uint16_t type, const void *v, size_t n)
{
	assert_true(m->len + 4 + n + 3 <= sizeof(m->b));
	be16_store(m->b + m->len, type);
	be16_store(m->b + m->len + 2, (uint16_t)n);
	if (n)
		memcpy(m->b + m->len + 4, v, n);
	m->len += 4 + n;
	while (m->len % 4)
		m->b[m->len++] = 0;
	be16_store(m->b + 2, (uint16_t)(m->len - STUN_HEADER_LEN));
}

static void raw_addr(struct raw *m, uint16_t type, uint8_t family, uint16_t port, const uint8_t *ip,
		     size_t iplen)
{
	uint8_t v[20] = { 0, family };

	be16_store(v + 2, port);
	memcpy(v + 4, ip, iplen);
	raw_attr(m, type, v, 4 + iplen);
}

static struct netaddr addr(const char *ip, uint16_t port)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse_ip(&a, ip), 0);
	a.port = port;
	return a;
}

static void assert_addr(const struct netaddr *got, const char *ip, uint16_t port)
{
	struct netaddr want = addr(ip, port);
	char g[NETADDR_FMT_MAX], w[NETADDR_FMT_MAX];

	if (!netaddr_eq(got, &want, false))
		fail_msg("address %s, want %s", netaddr_fmt(got, g), netaddr_fmt(&want, w));
}

/* Encode o into buf, decode it into m, and check both worked. */
static size_t round_trip(const struct stun_opts *o, struct stun_msg *m)
{
	static uint8_t buf[70000];
	int n = stun_encode(o, buf, sizeof(buf));

	assert_true(n >= STUN_HEADER_LEN);
	assert_true(stun_is_message(buf, (size_t)n));
	assert_int_equal(stun_decode(m, buf, (size_t)n), 0);
	assert_int_equal(m->len, n);
	assert_int_equal(m->cls, o->cls);
	assert_int_equal(m->method, o->method);
	assert_memory_equal(m->tid, o->tid, STUN_TID_LEN);
	assert_int_equal(m->bad_attrs, 0);
	assert_int_equal(m->n_unknown, 0);
	return (size_t)n;
}

/* --- RFC 5769 --------------------------------------------------------------- */

static void rfc5769_sample_request(void **state)
{
	struct stun_msg m;

	(void)state;
	assert_true(stun_is_message(rfc5769_request, sizeof(rfc5769_request)));
	assert_int_equal(stun_decode(&m, rfc5769_request, sizeof(rfc5769_request)), 0);
	assert_int_equal(m.cls, STUN_REQUEST);
	assert_int_equal(m.method, STUN_BINDING);
	assert_int_equal(m.type, 0x0001);
	assert_memory_equal(m.tid, rfc_tid, STUN_TID_LEN);
	assert_true(m.has_software);
	assert_int_equal(m.software_len, 16);
	assert_string_equal(m.software, "STUN test client");
	assert_true(m.has_message_integrity);
	assert_true(m.has_fingerprint);
	assert_false(m.has_xor_mapped);
	/* PRIORITY (ICE) is comprehension-required and not ours; USERNAME is
	 * known and skipped; ICE-CONTROLLED is optional and skipped. */
	assert_int_equal(m.n_unknown, 1);
	assert_int_equal(m.unknown[0], 0x0024);
	assert_int_equal(m.bad_attrs, 0);
}

static void rfc5769_ipv4_response_decodes(void **state)
{
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_decode(&m, rfc5769_ipv4_response, sizeof(rfc5769_ipv4_response)), 0);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_int_equal(m.method, STUN_BINDING);
	assert_int_equal(m.type, 0x0101);
	assert_true(m.has_xor_mapped);
	assert_addr(&m.xor_mapped, "192.0.2.1", 32853);
	assert_ptr_equal(stun_msg_mapped(&m), &m.xor_mapped);
	/* "test vector" is 11 bytes; the 0x20 padding byte is not text. */
	assert_int_equal(m.software_len, 11);
	assert_string_equal(m.software, "test vector");
	assert_true(m.has_message_integrity);
	assert_true(m.has_fingerprint);
	assert_int_equal(m.n_unknown, 0);
}

static void rfc5769_ipv6_response_decodes(void **state)
{
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_decode(&m, rfc5769_ipv6_response, sizeof(rfc5769_ipv6_response)), 0);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_true(m.has_xor_mapped);
	assert_int_equal(m.xor_mapped.family, AF_INET6);
	assert_addr(&m.xor_mapped, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
	assert_string_equal(m.software, "test vector");
	assert_true(m.has_fingerprint);
}

/* We do no authentication: the long-term request decodes structurally,
 * its USERNAME, NONCE and REALM known and skipped (no 420 for them), its
 * MESSAGE-INTEGRITY noticed and not checked. */
static void rfc5769_long_term_request_structure(void **state)
{
	const uint8_t tid[STUN_TID_LEN] = { 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad,
					    0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e };
	const size_t n = sizeof(rfc5769_long_term_request);
	uint8_t buf[sizeof(rfc5769_long_term_request)];
	struct stun_msg m;

	(void)state;
	assert_int_equal(stun_decode(&m, rfc5769_long_term_request, n), 0);
	assert_int_equal(m.cls, STUN_REQUEST);
	assert_int_equal(m.method, STUN_BINDING);
	assert_int_equal(m.len, n);
	assert_memory_equal(m.tid, tid, STUN_TID_LEN);
	assert_true(m.has_message_integrity);
	assert_false(m.has_fingerprint);
	assert_false(m.has_software);
	assert_int_equal(m.n_unknown, 0);
	assert_int_equal(m.bad_attrs, 0);
	/* Without a FINGERPRINT nothing notices a flipped byte in the HMAC:
	 * that is what MESSAGE-INTEGRITY is for, and we do not check it. */
	memcpy(buf, rfc5769_long_term_request, n);
	buf[n - 1] ^= 0xff;
	assert_int_equal(stun_decode(&m, buf, n), 0);
	assert_true(m.has_message_integrity);
}

/* Any single flipped bit fails the decode, most of them only because the
 * CRC no longer matches; except in the FINGERPRINT's type, which turns it
 * into an attribute we skip. */
static void rfc5769_flipped_byte_breaks_fingerprint(void **state)
{
	const uint8_t *vecs[] = { rfc5769_request, rfc5769_ipv4_response, rfc5769_ipv6_response };
	const size_t lens[] = { sizeof(rfc5769_request), sizeof(rfc5769_ipv4_response),
				sizeof(rfc5769_ipv6_response) };
	uint8_t buf[128];
	struct stun_msg m;

	(void)state;
	for (size_t v = 0; v < 3; v++) {
		for (size_t i = 0; i < lens[v]; i++) {
			memcpy(buf, vecs[v], lens[v]);
			buf[i] ^= 0x01;
			if (i == lens[v] - 8 || i == lens[v] - 7) {
				/* The FINGERPRINT's own type: now some other
				 * optional attribute, so no fingerprint at all. */
				assert_int_equal(stun_decode(&m, buf, lens[v]), 0);
				assert_false(m.has_fingerprint);
			} else if (stun_decode(&m, buf, lens[v]) == 0) {
				fail_msg("vector %zu decoded with byte %zu flipped", v, i);
			}
		}
	}
	/* A flip inside SOFTWARE leaves the message well-formed: only the
	 * fingerprint catches it. */
	memcpy(buf, rfc5769_ipv4_response, sizeof(rfc5769_ipv4_response));
	buf[24] ^= 0x20; /* 't' -> 'T' */
	assert_int_equal(stun_decode(&m, buf, sizeof(rfc5769_ipv4_response)), -EBADMSG);
}

/* Every truncation of a real message is refused cleanly (ASan watches). */
static void rfc5769_every_truncation_fails(void **state)
{
	struct stun_msg m;

	(void)state;
	for (size_t n = 0; n < sizeof(rfc5769_ipv6_response); n++) {
		uint8_t *cut = test_malloc(n ? n : 1);
		int rc;

		memcpy(cut, rfc5769_ipv6_response, n);
		rc = stun_decode(&m, cut, n);
		test_free(cut);
		assert_true(rc == -ENOMSG || rc == -EBADMSG);
		assert_int_equal(rc, n < STUN_HEADER_LEN ? -ENOMSG : -EBADMSG);
	}
}

/* --- header --------------------------------------------------------------- */

static void is_message_tells_stun_from_other_traffic(void **state)
{
	uint8_t b[STUN_HEADER_LEN];

	(void)state;
	memcpy(b, rfc5769_request, sizeof(b));
	assert_true(stun_is_message(b, sizeof(b)));
	assert_false(stun_is_message(b, sizeof(b) - 1)); /* too short */
	b[0] = 0x80;					 /* RTP version 2 */
	assert_false(stun_is_message(b, sizeof(b)));
	b[0] = 0x40;
	assert_false(stun_is_message(b, sizeof(b)));
	b[0] = 0x00;
	b[7] ^= 1; /* no magic cookie: RFC 3489 or noise */
	assert_false(stun_is_message(b, sizeof(b)));
}

static void header_class_and_method_split(void **state)
{
	/* RFC 8489 §5: Binding request 0x0001, indication 0x0011,
	 * success 0x0101, error 0x0111. */
	const uint16_t binding_types[] = { 0x0001, 0x0011, 0x0101, 0x0111 };
	uint8_t buf[64];
	struct stun_msg m;

	(void)state;
	for (int cls = STUN_REQUEST; cls <= STUN_ERROR; cls++) {
		struct stun_opts o = { .cls = (enum stun_class)cls,
				       .method = STUN_BINDING,
				       .tid = rfc_tid };
		int n = stun_encode(&o, buf, sizeof(buf));

		assert_int_equal(n, STUN_HEADER_LEN);
		assert_int_equal(be16_load(buf), binding_types[cls]);
		assert_int_equal(stun_decode(&m, buf, (size_t)n), 0);
		assert_int_equal(m.cls, cls);
		assert_int_equal(m.method, STUN_BINDING);

		/* Every method bit survives the interleaving. */
		o.method = 0xfff;
		assert_int_equal(stun_encode(&o, buf, sizeof(buf)), STUN_HEADER_LEN);
		assert_int_equal(buf[0] & 0xc0, 0);
		assert_int_equal(stun_decode(&m, buf, STUN_HEADER_LEN), 0);
		assert_int_equal(m.method, 0xfff);
		assert_int_equal(m.cls, cls);
	}
}

static void header_length_not_multiple_of_4(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0001);
	r.b[r.len++] = 0;
	r.b[r.len++] = 0;
	be16_store(r.b + 2, 2);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
}

static void header_length_disagrees_with_datagram(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0001);
	raw_attr(&r, STUN_ATTR_SOFTWARE, "abcd", 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	/* The header claims more than arrived (a truncated datagram). */
	be16_store(r.b + 2, (uint16_t)(r.len - STUN_HEADER_LEN + 4));
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* The header claims less: trailing bytes after the message. */
	be16_store(r.b + 2, (uint16_t)(r.len - STUN_HEADER_LEN - 8));
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* The largest claim of all. */
	be16_store(r.b + 2, 0xfffc);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
}

static void header_top_bits_or_cookie_mean_not_stun(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0001);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	r.b[0] |= 0xc0;
	assert_int_equal(stun_decode(&m, r.b, r.len), -ENOMSG);
	raw_init(&r, 0x0001);
	r.b[4] = 0;
	assert_int_equal(stun_decode(&m, r.b, r.len), -ENOMSG);
	assert_int_equal(stun_decode(&m, r.b, 0), -ENOMSG);
}

/* --- attribute walk ----------------------------------------------------------- */

static void attr_length_past_end(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_attr(&r, STUN_ATTR_SOFTWARE, "abcdefgh", 8);
	/* The attribute says 9 bytes (12 with padding); the message has 8. */
	be16_store(r.b + STUN_HEADER_LEN + 2, 9);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* ... or 0xffff, the wrap-around candidate. */
	be16_store(r.b + STUN_HEADER_LEN + 2, 0xffff);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
}

static void attr_padding_any_value(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_attr(&r, STUN_ATTR_SOFTWARE, "abc", 3);
	r.b[STUN_HEADER_LEN + 4 + 3] = 0xff; /* the one padding byte */
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_int_equal(m.software_len, 3);
	assert_string_equal(m.software, "abc");
}

static void attr_bad_family_is_ignored(void **state)
{
	const uint8_t ip[4] = { 192, 0, 2, 1 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_addr(&r, STUN_ATTR_XOR_MAPPED_ADDRESS, 0x03, 1, ip, 4);
	raw_addr(&r, STUN_ATTR_MAPPED_ADDRESS, 0x00, 1, ip, 4);
	raw_addr(&r, STUN_ATTR_OTHER_ADDRESS, 0xff, 1, ip, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_false(m.has_xor_mapped);
	assert_false(m.has_mapped);
	assert_false(m.has_other_address);
	assert_null(stun_msg_mapped(&m));
	assert_int_equal(m.bad_attrs, 3);
}

/* XOR-MAPPED-ADDRESS shorter than its family needs, down to nothing: the
 * attribute is dropped, never read past its own length. */
static void attr_short_xor_mapped(void **state)
{
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	for (size_t cut = 0; cut < 20; cut++) {
		uint8_t v[20] = { 0, 0x02 };

		be16_store(v + 2, 0x2112);
		memcpy(v + 4, v6, 16);
		raw_init(&r, 0x0101);
		raw_attr(&r, STUN_ATTR_XOR_MAPPED_ADDRESS, v, cut);
		assert_int_equal(stun_decode(&m, r.b, r.len), 0);
		assert_false(m.has_xor_mapped);
		assert_null(stun_msg_mapped(&m));
		assert_int_equal(m.bad_attrs, 1);
	}
	/* IPv4 cut short: 7 bytes of 8. */
	raw_init(&r, 0x0101);
	raw_addr(&r, STUN_ATTR_XOR_MAPPED_ADDRESS, 0x01, 1, v6, 3);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_false(m.has_xor_mapped);
	assert_int_equal(m.bad_attrs, 1);
}

static void attr_wrong_lengths_are_ignored(void **state)
{
	const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t five[5] = { 0 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_addr(&r, STUN_ATTR_XOR_MAPPED_ADDRESS, 0x01, 1, ip, 16); /* IPv4 with 16 bytes */
	raw_addr(&r, STUN_ATTR_MAPPED_ADDRESS, 0x02, 1, ip, 4);	     /* IPv6 with 4 */
	raw_attr(&r, STUN_ATTR_RESPONSE_ORIGIN, five, 3);	     /* shorter than a header */
	raw_attr(&r, STUN_ATTR_CHANGE_REQUEST, five, 5);
	raw_attr(&r, STUN_ATTR_RESPONSE_PORT, five, 3);
	raw_attr(&r, STUN_ATTR_ERROR_CODE, five, 3);
	raw_attr(&r, STUN_ATTR_UNKNOWN_ATTRIBUTES, five, 3);
	raw_attr(&r, STUN_ATTR_MESSAGE_INTEGRITY, five, 5);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_false(m.has_xor_mapped || m.has_mapped || m.has_response_origin);
	assert_false(m.has_change_request || m.has_response_port || m.has_error);
	assert_false(m.has_unknown_attributes || m.has_message_integrity);
	assert_int_equal(m.bad_attrs, 8);
}

static void attr_duplicates_first_wins(void **state)
{
	const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 198, 51, 100, 7 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_addr(&r, STUN_ATTR_MAPPED_ADDRESS, 0x01, 1000, a, 4);
	raw_addr(&r, STUN_ATTR_MAPPED_ADDRESS, 0x01, 2000, b, 4);
	raw_attr(&r, STUN_ATTR_SOFTWARE, "first", 5);
	raw_attr(&r, STUN_ATTR_SOFTWARE, "second", 6);
	/* A malformed first occurrence is not replaced by a later one. */
	raw_addr(&r, STUN_ATTR_OTHER_ADDRESS, 0x07, 1, a, 4);
	raw_addr(&r, STUN_ATTR_OTHER_ADDRESS, 0x01, 3000, b, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_addr(&m.mapped, "192.0.2.1", 1000);
	assert_string_equal(m.software, "first");
	assert_false(m.has_other_address);
	assert_int_equal(m.bad_attrs, 1);
}

static void attr_huge_reason_phrase_is_truncated(void **state)
{
	uint8_t v[4 + 1500];
	struct raw r;
	struct stun_msg m;

	(void)state;
	memset(v, 'x', sizeof(v));
	v[0] = v[1] = 0;
	v[2] = 4;
	v[3] = 20;
	raw_init(&r, 0x0111);
	raw_attr(&r, STUN_ATTR_ERROR_CODE, v, sizeof(v));
	raw_attr(&r, STUN_ATTR_SOFTWARE, v, sizeof(v));
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_true(m.has_error);
	assert_int_equal(m.error_code, 420);
	assert_int_equal(m.error_reason_len, STUN_TEXT_MAX);
	assert_int_equal(strlen(m.error_reason), STUN_TEXT_MAX);
	assert_int_equal(m.software_len, STUN_TEXT_MAX);
	assert_int_equal(m.software[STUN_TEXT_MAX], '\0');
}

static void attr_text_is_raw_bytes(void **state)
{
	const char nasty[] = "a\x1b[2Jb\0c\xff";
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_attr(&r, STUN_ATTR_SOFTWARE, nasty, sizeof(nasty) - 1);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	/* Kept as is, NUL included: sanitising is the caller's job. */
	assert_int_equal(m.software_len, sizeof(nasty) - 1);
	assert_memory_equal(m.software, nasty, sizeof(nasty) - 1);
}

static void attr_error_code_out_of_range(void **state)
{
	const uint8_t cls7[4] = { 0, 0, 7, 0 }, num100[4] = { 0, 0, 4, 100 };
	const uint8_t cls2[4] = { 0, 0, 2, 0 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	for (int i = 0; i < 3; i++) {
		raw_init(&r, 0x0111);
		raw_attr(&r, STUN_ATTR_ERROR_CODE, i == 0 ? cls7 : i == 1 ? num100 : cls2, 4);
		assert_int_equal(stun_decode(&m, r.b, r.len), 0);
		assert_false(m.has_error);
		assert_int_equal(m.bad_attrs, 1);
	}
	/* The reserved bits above the class are ignored. */
	raw_init(&r, 0x0111);
	raw_attr(&r, STUN_ATTR_ERROR_CODE, (const uint8_t[]){ 0xff, 0xff, 0xfd, 0 }, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_int_equal(m.error_code, 500);
	assert_int_equal(m.error_reason_len, 0);
}

static void attr_unknown_required_recorded_once(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0001);
	raw_attr(&r, 0x7fff, "", 0);
	raw_attr(&r, 0x0024, "abcd", 4);
	raw_attr(&r, 0x7fff, "", 0);		     /* again: listed once */
	raw_attr(&r, 0xc001, "", 0);		     /* optional: skipped */
	raw_attr(&r, STUN_ATTR_USERNAME, "user", 4); /* known, skipped */
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_int_equal(m.n_unknown, 2);
	assert_int_equal(m.unknown[0], 0x7fff);
	assert_int_equal(m.unknown[1], 0x0024);

	/* More unknowns than we keep: the first STUN_MAX_UNKNOWN. */
	raw_init(&r, 0x0001);
	for (uint16_t t = 0x4000; t < 0x4000 + 3 * STUN_MAX_UNKNOWN; t++)
		raw_attr(&r, t, "", 0);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_int_equal(m.n_unknown, STUN_MAX_UNKNOWN);
	assert_int_equal(m.unknown[STUN_MAX_UNKNOWN - 1], 0x4000 + STUN_MAX_UNKNOWN - 1);
}

static void attr_after_integrity_ignored(void **state)
{
	uint8_t mi[20] = { 0 }, mi256[32] = { 0 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_attr(&r, STUN_ATTR_MESSAGE_INTEGRITY, mi, sizeof(mi));
	raw_attr(&r, STUN_ATTR_SOFTWARE, "late", 4);
	raw_attr(&r, 0x0abc, "", 0);
	raw_attr(&r, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mi256, sizeof(mi256));
	raw_attr(&r, STUN_ATTR_ERROR_CODE, (const uint8_t[]){ 0, 0, 4, 0 }, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_true(m.has_message_integrity);
	assert_false(m.has_software);
	assert_false(m.has_error);
	assert_int_equal(m.n_unknown, 0);
}

/* Issue 11 item 8: FINGERPRINT must be last (RFC 8489 §14.7); whatever
 * follows it makes the message malformed, a valid CRC notwithstanding. */
static void attr_after_fingerprint_rejected(void **state)
{
	uint8_t buf[128];
	const uint8_t ip[4] = { 10, 0, 0, 1 };
	struct raw r;
	struct stun_msg m;
	int n;

	(void)state;
	n = stun_encode(&(struct stun_opts){ .cls = STUN_SUCCESS,
					     .method = STUN_BINDING,
					     .tid = rfc_tid,
					     .software = "x",
					     .fingerprint = true },
			buf, sizeof(buf));
	assert_true(n > 0);
	/* Append a MAPPED-ADDRESS and a broken attribute after the
	 * FINGERPRINT, growing the header length to cover them. */
	raw_init(&r, 0);
	memcpy(r.b, buf, (size_t)n);
	r.len = (size_t)n;
	raw_addr(&r, STUN_ATTR_MAPPED_ADDRESS, 0x01, 9, ip, 4);
	raw_attr(&r, STUN_ATTR_ERROR_CODE, "", 0);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* One optional attribute after it is no better. */
	r.len = (size_t)n;
	be16_store(r.b + 2, (uint16_t)(n - STUN_HEADER_LEN));
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	raw_attr(&r, STUN_ATTR_SOFTWARE, "y", 1);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* Repeated: the same FINGERPRINT bytes again. */
	r.len = (size_t)n;
	raw_attr(&r, STUN_ATTR_FINGERPRINT, buf + n - 4, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* Padded: four zero bytes after it, the header counting them. */
	r.len = (size_t)n;
	memset(r.b + r.len, 0, 4);
	r.len += 4;
	be16_store(r.b + 2, (uint16_t)(r.len - STUN_HEADER_LEN));
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	/* Truncated: the datagram cut inside the FINGERPRINT. */
	be16_store(r.b + 2, (uint16_t)(n - STUN_HEADER_LEN));
	assert_int_equal(stun_decode(&m, r.b, (size_t)n - 2), -EBADMSG);
	/* Last and correct, after a CHANGE-REQUEST of a request: fine. */
	n = stun_encode(&(struct stun_opts){ .cls = STUN_REQUEST,
					     .method = STUN_BINDING,
					     .tid = rfc_tid,
					     .change_request = true,
					     .change_port = true,
					     .fingerprint = true },
			buf, sizeof(buf));
	assert_int_equal(stun_decode(&m, buf, (size_t)n), 0);
	assert_true(m.has_fingerprint && m.change_port);
}

/* Issue 11 item 7: RESPONSE-PORT of length 2 (stuntman's client) is taken
 * like the RFC's 4 bytes; other lengths are malformed, the first one counts. */
static void attr_response_port_length_2(void **state)
{
	const uint8_t port2[2] = { 0x76, 0x5d }, port4[4] = { 0x76, 0x5e, 0, 0 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0001);
	raw_attr(&r, STUN_ATTR_RESPONSE_PORT, port2, 2);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_true(m.has_response_port);
	assert_int_equal(m.response_port, 30301);
	assert_int_equal(m.bad_attrs, 0);
	/* Repeated: the first wins, whatever its length. */
	raw_attr(&r, STUN_ATTR_RESPONSE_PORT, port4, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_int_equal(m.response_port, 30301);
	raw_init(&r, 0x0001);
	raw_attr(&r, STUN_ATTR_RESPONSE_PORT, port4, 4);
	raw_attr(&r, STUN_ATTR_RESPONSE_PORT, port2, 2);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_int_equal(m.response_port, 30302);
	/* Lengths 0, 1, 3 and 8 are malformed: ignored and counted. */
	for (size_t len = 0; len <= 8; len++) {
		const uint8_t eight[8] = { 0x76, 0x5d };

		if (len == 2 || len == 4)
			continue;
		raw_init(&r, 0x0001);
		raw_attr(&r, STUN_ATTR_RESPONSE_PORT, eight, len);
		assert_int_equal(stun_decode(&m, r.b, r.len), 0);
		assert_false(m.has_response_port);
		assert_int_equal(m.bad_attrs, 1);
	}
	/* Truncated: the length says 2, the datagram ends after 1 byte. */
	raw_init(&r, 0x0001);
	raw_attr(&r, STUN_ATTR_RESPONSE_PORT, port2, 2);
	be16_store(r.b + 2, 5);
	assert_int_equal(stun_decode(&m, r.b, STUN_HEADER_LEN + 5), -EBADMSG);
}

static void attr_fingerprint_wrong_length(void **state)
{
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_attr(&r, STUN_ATTR_FINGERPRINT, "12345678", 8);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
	raw_init(&r, 0x0101);
	raw_attr(&r, STUN_ATTR_FINGERPRINT, "", 0);
	assert_int_equal(stun_decode(&m, r.b, r.len), -EBADMSG);
}

static void attr_legacy_rfc3489_addresses(void **state)
{
	const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_addr(&r, STUN_ATTR_SOURCE_ADDRESS, 0x01, 3478, a, 4);
	raw_addr(&r, STUN_ATTR_CHANGED_ADDRESS, 0x01, 3479, b, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_true(m.has_response_origin);
	assert_addr(&m.response_origin, "192.0.2.1", 3478);
	assert_true(m.has_other_address);
	assert_addr(&m.other_address, "192.0.2.2", 3479);
	assert_int_equal(m.n_unknown, 0);

	/* The RFC 5780 names win wherever they come in the message. */
	raw_addr(&r, STUN_ATTR_OTHER_ADDRESS, 0x01, 4000, a, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_addr(&m.other_address, "192.0.2.1", 4000);
	assert_addr(&m.response_origin, "192.0.2.1", 3478);
}

static void attr_plain_mapped_fallback(void **state)
{
	const uint8_t a[4] = { 203, 0, 113, 5 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	raw_init(&r, 0x0101);
	raw_addr(&r, STUN_ATTR_MAPPED_ADDRESS, 0x01, 40000, a, 4);
	assert_int_equal(stun_decode(&m, r.b, r.len), 0);
	assert_ptr_equal(stun_msg_mapped(&m), &m.mapped);
	assert_addr(stun_msg_mapped(&m), "203.0.113.5", 40000);
}

/* --- round trips -------------------------------------------------------------- */

static void rt_binding_request_matches_rfc_xor(void **state)
{
	struct netaddr v4 = addr("192.0.2.1", 32853);
	struct netaddr v6 = addr("2001:db8:1234:5678:11:2233:4455:6677", 32853);
	uint8_t buf[128];
	int n;

	(void)state;
	/* Our XOR-MAPPED-ADDRESS bytes are the RFC's. */
	n = stun_encode(
	    &(struct stun_opts){
		.cls = STUN_SUCCESS, .method = STUN_BINDING, .tid = rfc_tid, .xor_mapped = &v4 },
	    buf, sizeof(buf));
	assert_int_equal(n, STUN_HEADER_LEN + 12);
	assert_memory_equal(buf + STUN_HEADER_LEN, rfc5769_ipv4_response + 36, 12);
	n = stun_encode(
	    &(struct stun_opts){
		.cls = STUN_SUCCESS, .method = STUN_BINDING, .tid = rfc_tid, .xor_mapped = &v6 },
	    buf, sizeof(buf));
	assert_int_equal(n, STUN_HEADER_LEN + 24);
	assert_memory_equal(buf + STUN_HEADER_LEN, rfc5769_ipv6_response + 36, 24);
}

/* Our SOFTWARE attribute is the RFC's byte for byte, up to the padding
 * (the RFC pads with spaces, we with zeros): 2.1 and 2.2. */
static void rt_software_matches_rfc(void **state)
{
	uint8_t buf[128];
	int n;

	(void)state;
	n = stun_encode(&(struct stun_opts){ .cls = STUN_REQUEST,
					     .method = STUN_BINDING,
					     .tid = rfc_tid,
					     .software = "STUN test client" },
			buf, sizeof(buf));
	assert_int_equal(n, STUN_HEADER_LEN + 20);
	/* Header too, but its length: the RFC's request carries more. */
	assert_memory_equal(buf, rfc5769_request, 2);
	assert_memory_equal(buf + 4, rfc5769_request + 4, 16 + 20);
	n = stun_encode(&(struct stun_opts){ .cls = STUN_SUCCESS,
					     .method = STUN_BINDING,
					     .tid = rfc_tid,
					     .software = "test vector" },
			buf, sizeof(buf));
	assert_int_equal(n, STUN_HEADER_LEN + 16);
	assert_memory_equal(buf + STUN_HEADER_LEN, rfc5769_ipv4_response + STUN_HEADER_LEN, 15);
	assert_int_equal(buf[STUN_HEADER_LEN + 15], 0);
}

static void rt_software_and_fingerprint_match_rfc(void **state)
{
	/* The RFC's IPv4 response without MESSAGE-INTEGRITY: SOFTWARE,
	 * XOR-MAPPED-ADDRESS, then our FINGERPRINT. Its CRC is checked by
	 * the decoder; here we check it against our own sum. */
	struct netaddr v4 = addr("192.0.2.1", 32853);
	struct stun_msg m;
	size_t n;

	(void)state;
	n = round_trip(&(struct stun_opts){ .cls = STUN_SUCCESS,
					    .method = STUN_BINDING,
					    .tid = rfc_tid,
					    .xor_mapped = &v4,
					    .software = "test vector",
					    .fingerprint = true },
		       &m);
	assert_int_equal(n, STUN_HEADER_LEN + 12 + 16 + 8);
	assert_true(m.has_fingerprint);
	assert_string_equal(m.software, "test vector");
	assert_addr(&m.xor_mapped, "192.0.2.1", 32853);
}

static void rt_every_address_attribute(void **state)
{
	const char *ips[] = { "192.0.2.1", "2001:db8::1", "::ffff:198.51.100.1", "0.0.0.0",
			      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	const uint16_t ports[] = { 0, 1, 3478, 0x2112, 65535 };
	uint8_t tid2[STUN_TID_LEN];
	struct stun_msg m;

	(void)state;
	memset(tid2, 0xa5, sizeof(tid2));
	for (size_t i = 0; i < 5; i++) {
		struct netaddr x = addr(ips[i], ports[i]);
		struct netaddr p = addr(ips[(i + 1) % 5], ports[(i + 2) % 5]);
		struct netaddr ro = addr(ips[(i + 2) % 5], ports[(i + 3) % 5]);
		struct netaddr oa = addr(ips[(i + 3) % 5], ports[(i + 4) % 5]);

		round_trip(&(struct stun_opts){ .cls = STUN_SUCCESS,
						.method = STUN_BINDING,
						.tid = i % 2 ? tid2 : rfc_tid,
						.xor_mapped = &x,
						.mapped = &p,
						.response_origin = &ro,
						.other_address = &oa },
			   &m);
		assert_true(m.has_xor_mapped && m.has_mapped);
		assert_true(m.has_response_origin && m.has_other_address);
		assert_true(netaddr_eq(&m.xor_mapped, &x, false));
		assert_true(netaddr_eq(&m.mapped, &p, false));
		assert_true(netaddr_eq(&m.response_origin, &ro, false));
		assert_true(netaddr_eq(&m.other_address, &oa, false));
		/* An IPv4-mapped address stays IPv6 on the wire. */
		assert_int_equal(m.xor_mapped.family, x.family);
	}
}

static void rt_change_request_flags(void **state)
{
	struct stun_msg m;

	(void)state;
	for (int f = 0; f < 4; f++) {
		round_trip(&(struct stun_opts){ .cls = STUN_REQUEST,
						.method = STUN_BINDING,
						.tid = rfc_tid,
						.change_request = true,
						.change_ip = f & 1,
						.change_port = f & 2 },
			   &m);
		assert_true(m.has_change_request);
		assert_int_equal(m.change_ip, (f & 1) != 0);
		assert_int_equal(m.change_port, (f & 2) != 0);
	}
	round_trip(
	    &(struct stun_opts){ .cls = STUN_REQUEST, .method = STUN_BINDING, .tid = rfc_tid }, &m);
	assert_false(m.has_change_request);
}

/* RFC 5780 sections 7.2 and 7.5 on the wire: CHANGE-REQUEST with both
 * flags is 0003 0004 00000006, RESPONSE-PORT 30333 is 0027 0004 767d 0000. */
static void rt_rfc5780_wire_bytes(void **state)
{
	const uint8_t want[] = { 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x06,
				 0x00, 0x27, 0x00, 0x04, 0x76, 0x7d, 0x00, 0x00 };
	uint8_t buf[64];
	int n;

	(void)state;
	n = stun_encode(&(struct stun_opts){ .cls = STUN_REQUEST,
					     .method = STUN_BINDING,
					     .tid = rfc_tid,
					     .change_request = true,
					     .change_ip = true,
					     .change_port = true,
					     .response_port = 30333 },
			buf, sizeof(buf));
	assert_int_equal(n, STUN_HEADER_LEN + sizeof(want));
	assert_int_equal(be16_load(buf + 2), sizeof(want));
	assert_memory_equal(buf + STUN_HEADER_LEN, want, sizeof(want));
}

static void rt_response_port_and_padding(void **state)
{
	/* 65512: the most that fits next to RESPONSE-PORT and FINGERPRINT. */
	const uint16_t pads[] = { 1, 2, 3, 4, 1472, 65512 };
	struct stun_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		size_t n = round_trip(&(struct stun_opts){ .cls = STUN_REQUEST,
							   .method = STUN_BINDING,
							   .tid = rfc_tid,
							   .response_port = 30333,
							   .padding_len = pads[i],
							   .fingerprint = true },
				      &m);

		assert_int_equal(n % 4, 0);
		assert_true(m.has_response_port);
		assert_int_equal(m.response_port, 30333);
		assert_true(m.has_padding);
		assert_int_equal(m.padding_len, pads[i]);
		assert_true(m.has_fingerprint);
	}
}

static void rt_error_code_and_unknown_attributes(void **state)
{
	const uint16_t unknown[3] = { STUN_ATTR_CHANGE_REQUEST, STUN_ATTR_RESPONSE_PORT, 0x7abc };
	struct stun_msg m;

	(void)state;
	/* A server that does not do RFC 5780: 420 with the list. */
	round_trip(&(struct stun_opts){ .cls = STUN_ERROR,
					.method = STUN_BINDING,
					.tid = rfc_tid,
					.error_code = STUN_ERR_UNKNOWN_ATTRIBUTE,
					.unknown_attributes = unknown,
					.n_unknown_attributes = 3 },
		   &m);
	assert_true(m.has_error);
	assert_int_equal(m.error_code, 420);
	assert_string_equal(m.error_reason, "Unknown Attribute");
	assert_true(m.has_unknown_attributes);
	assert_int_equal(m.n_unknown_attributes, 3);
	assert_memory_equal(m.unknown_attributes, unknown, sizeof(unknown));

	/* Every class and number, own and empty reasons. */
	for (uint16_t code = 300; code <= 699; code += 37) {
		round_trip(&(struct stun_opts){ .cls = STUN_ERROR,
						.method = STUN_BINDING,
						.tid = rfc_tid,
						.error_code = code,
						.error_reason = code % 2 ? "" : "Kaput" },
			   &m);
		assert_int_equal(m.error_code, code);
		assert_string_equal(m.error_reason, code % 2 ? "" : "Kaput");
	}
	round_trip(
	    &(struct stun_opts){
		.cls = STUN_ERROR, .method = STUN_BINDING, .tid = rfc_tid, .error_code = 699 },
	    &m);
	assert_int_equal(m.error_code, 699);
	assert_int_equal(m.error_reason_len, 0);
}

static void rt_software(void **state)
{
	char longest[STUN_TEXT_SEND_CHARS + 1];
	struct stun_msg m;

	(void)state;
	round_trip(
	    &(struct stun_opts){
		.cls = STUN_SUCCESS, .method = STUN_BINDING, .tid = rfc_tid, .software = "" },
	    &m);
	assert_true(m.has_software);
	assert_int_equal(m.software_len, 0);
	memset(longest, 'y', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	round_trip(
	    &(struct stun_opts){
		.cls = STUN_SUCCESS, .method = STUN_BINDING, .tid = rfc_tid, .software = longest },
	    &m);
	assert_int_equal(m.software_len, STUN_TEXT_SEND_CHARS);
}

/* Issue 11 item 6: RFC 8489 §14.8 and §14.14 limit what we send to fewer
 * than 128 characters, at most 509 bytes (the decoder still reads up to
 * 763, RFC 5389's limit). */
static void encode_text_limits(void **state)
{
	static char text[1024];
	static uint8_t buf[2048];
	struct stun_opts o = { .cls = STUN_SUCCESS, .method = STUN_BINDING, .tid = rfc_tid };
	struct stun_msg m;

	(void)state;
	/* 127 ASCII characters: fine; 128: too many. */
	memset(text, 'a', 128);
	text[127] = '\0';
	o.software = text;
	assert_true(stun_encode(&o, buf, sizeof(buf)) > 0);
	text[127] = 'a';
	text[128] = '\0';
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.software = NULL;
	o.cls = STUN_ERROR;
	o.error_code = STUN_ERR_BAD_REQUEST;
	o.error_reason = text;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	text[127] = '\0';
	assert_true(stun_encode(&o, buf, sizeof(buf)) > 0);
	/* 127 four-byte characters (U+1F600), 508 bytes: fine, and decoded
	 * as the first STUN_TEXT_MAX bytes. */
	for (size_t i = 0; i < 127; i++)
		memcpy(text + 4 * i, "\xf0\x9f\x98\x80", 4);
	text[508] = '\0';
	o.error_reason = NULL;
	o.cls = STUN_SUCCESS;
	o.error_code = 0;
	o.software = text;
	assert_true(stun_encode(&o, buf, sizeof(buf)) > 0);
	assert_int_equal(stun_decode(&m, buf, (size_t)stun_encode(&o, buf, sizeof(buf))), 0);
	assert_int_equal(m.software_len, STUN_TEXT_MAX);
	/* 128 two-byte characters (256 bytes): too many characters. */
	for (size_t i = 0; i < 128; i++)
		memcpy(text + 2 * i, "\xc3\xa9", 2);
	text[256] = '\0';
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	/* Bytes: 102 five-byte sequences (RFC 5389's old forms) are 510
	 * bytes in 102 characters, one byte over; 509 bytes are fine. */
	for (size_t i = 0; i < 102; i++)
		memcpy(text + 5 * i, "\xf8\x88\x80\x80\x80", 5);
	text[510] = '\0';
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	text[509] = '\0';
	assert_true(stun_encode(&o, buf, sizeof(buf)) > 0);
	/* The decoder takes RFC 5389's 763 bytes from a peer (truncated). */
	memset(text, 'b', STUN_TEXT_WIRE_MAX);
	{
		struct raw r;

		raw_init(&r, 0x0101);
		raw_attr(&r, STUN_ATTR_SOFTWARE, text, STUN_TEXT_WIRE_MAX);
		assert_int_equal(stun_decode(&m, r.b, r.len), 0);
		assert_int_equal(m.software_len, STUN_TEXT_MAX);
	}
}

/* --- encoder errors ------------------------------------------------------------ */

static void encode_refuses_bad_options(void **state)
{
	struct netaddr none = { 0 };
	char toolong[STUN_TEXT_WIRE_MAX + 2];
	uint8_t buf[128];
	struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING, .tid = rfc_tid };

	(void)state;
	memset(toolong, 'z', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), STUN_HEADER_LEN);
	assert_int_equal(stun_encode(&o, buf, STUN_HEADER_LEN - 1), -ENOBUFS);
	o.tid = NULL;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.tid = rfc_tid;
	o.method = 0x1000;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.method = STUN_BINDING;
	o.cls = (enum stun_class)4;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.cls = STUN_ERROR;
	o.error_code = 299;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.error_code = 700;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.error_code = 0;
	o.mapped = &none;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EAFNOSUPPORT);
	o.mapped = NULL;
	o.software = toolong;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.software = NULL;
	o.n_unknown_attributes = STUN_MAX_UNKNOWN + 1;
	o.unknown_attributes = (const uint16_t[STUN_MAX_UNKNOWN + 1]){ 0 };
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EINVAL);
	o.n_unknown_attributes = 0;
	/* Message Length is 16 bits and a multiple of 4: 65532 at most,
	 * so 65528 bytes of PADDING value after its 4-byte header. */
	o.padding_len = 65529;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -EMSGSIZE);
	o.padding_len = 65528;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), -ENOBUFS);
}

static void encode_exact_capacity(void **state)
{
	struct netaddr v6 = addr("2001:db8::1", 1);
	uint8_t buf[STUN_HEADER_LEN + 24 + 8];
	struct stun_opts o = { .cls = STUN_SUCCESS,
			       .method = STUN_BINDING,
			       .tid = rfc_tid,
			       .xor_mapped = &v6,
			       .fingerprint = true };

	(void)state;
	assert_int_equal(stun_encode(&o, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(stun_encode(&o, buf, sizeof(buf) - 1), -ENOBUFS);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(stun_class_name(STUN_SUCCESS), "success response");
	assert_string_equal(stun_class_name((enum stun_class)9), "unknown");
	assert_string_equal(stun_method_name(STUN_BINDING), "Binding");
	assert_string_equal(stun_method_name(0x003), "unknown");
	assert_string_equal(stun_attr_name(STUN_ATTR_OTHER_ADDRESS), "OTHER-ADDRESS");
	assert_string_equal(stun_attr_name(0x0024), "unknown (comprehension-required)");
	assert_string_equal(stun_attr_name(0xc057), "unknown");
	assert_string_equal(stun_error_name(420), "Unknown Attribute");
	assert_string_equal(stun_error_name(487), "");
}

/* Every attribute type and error code we name, by the IANA registry's and
 * RFC 8489 §14.8's spelling. */
static void every_name(void **state)
{
	static const struct {
		uint16_t type;
		const char *name;
	} attrs[] = {
		{ 0x0001, "MAPPED-ADDRESS" },
		{ 0x0003, "CHANGE-REQUEST" },
		{ 0x0004, "SOURCE-ADDRESS" },
		{ 0x0005, "CHANGED-ADDRESS" },
		{ 0x0006, "USERNAME" },
		{ 0x0008, "MESSAGE-INTEGRITY" },
		{ 0x0009, "ERROR-CODE" },
		{ 0x000A, "UNKNOWN-ATTRIBUTES" },
		{ 0x0014, "REALM" },
		{ 0x0015, "NONCE" },
		{ 0x001C, "MESSAGE-INTEGRITY-SHA256" },
		{ 0x001D, "PASSWORD-ALGORITHM" },
		{ 0x001E, "USERHASH" },
		{ 0x0020, "XOR-MAPPED-ADDRESS" },
		{ 0x0026, "PADDING" },
		{ 0x0027, "RESPONSE-PORT" },
		{ 0x8002, "PASSWORD-ALGORITHMS" },
		{ 0x8003, "ALTERNATE-DOMAIN" },
		{ 0x8022, "SOFTWARE" },
		{ 0x8023, "ALTERNATE-SERVER" },
		{ 0x8028, "FINGERPRINT" },
		{ 0x802B, "RESPONSE-ORIGIN" },
		{ 0x802C, "OTHER-ADDRESS" },
	};
	static const struct {
		uint16_t code;
		const char *name;
	} errors[] = {
		{ 300, "Try Alternate" },     { 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 420, "Unknown Attribute" }, { 438, "Stale Nonce" }, { 500, "Server Error" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		assert_string_equal(stun_attr_name(attrs[i].type), attrs[i].name);
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		assert_string_equal(stun_error_name(errors[i].code), errors[i].name);
	assert_string_equal(stun_class_name(STUN_REQUEST), "request");
	assert_string_equal(stun_class_name(STUN_INDICATION), "indication");
	assert_string_equal(stun_class_name(STUN_ERROR), "error response");
}

/* MESSAGE-INTEGRITY-SHA256 is 16 to 32 bytes in steps of 4 (RFC 8489
 * §14.6); other lengths are malformed and do not end the walk. */
static void attr_integrity_sha256_lengths(void **state)
{
	static const uint8_t mac[36] = { 0 };
	struct raw r;
	struct stun_msg m;

	(void)state;
	for (size_t len = 12; len <= 36; len += 2) {
		bool ok = len >= 16 && len <= 32 && len % 4 == 0;

		raw_init(&r, 0x0101);
		raw_attr(&r, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, mac, len);
		raw_attr(&r, STUN_ATTR_SOFTWARE, "s", 1);
		assert_int_equal(stun_decode(&m, r.b, r.len), 0);
		assert_int_equal(m.has_message_integrity, ok);
		assert_int_equal(m.bad_attrs, ok ? 0 : 1);
		/* After a valid one only FINGERPRINT counts. */
		assert_int_equal(m.has_software, !ok);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5769_sample_request),
		cmocka_unit_test(rfc5769_ipv4_response_decodes),
		cmocka_unit_test(rfc5769_ipv6_response_decodes),
		cmocka_unit_test(rfc5769_long_term_request_structure),
		cmocka_unit_test(rfc5769_flipped_byte_breaks_fingerprint),
		cmocka_unit_test(rfc5769_every_truncation_fails),
		cmocka_unit_test(is_message_tells_stun_from_other_traffic),
		cmocka_unit_test(header_class_and_method_split),
		cmocka_unit_test(header_length_not_multiple_of_4),
		cmocka_unit_test(header_length_disagrees_with_datagram),
		cmocka_unit_test(header_top_bits_or_cookie_mean_not_stun),
		cmocka_unit_test(attr_length_past_end),
		cmocka_unit_test(attr_padding_any_value),
		cmocka_unit_test(attr_bad_family_is_ignored),
		cmocka_unit_test(attr_short_xor_mapped),
		cmocka_unit_test(attr_wrong_lengths_are_ignored),
		cmocka_unit_test(attr_duplicates_first_wins),
		cmocka_unit_test(attr_huge_reason_phrase_is_truncated),
		cmocka_unit_test(attr_text_is_raw_bytes),
		cmocka_unit_test(attr_error_code_out_of_range),
		cmocka_unit_test(attr_unknown_required_recorded_once),
		cmocka_unit_test(attr_after_integrity_ignored),
		cmocka_unit_test(attr_after_fingerprint_rejected),
		cmocka_unit_test(attr_response_port_length_2),
		cmocka_unit_test(attr_fingerprint_wrong_length),
		cmocka_unit_test(attr_legacy_rfc3489_addresses),
		cmocka_unit_test(attr_plain_mapped_fallback),
		cmocka_unit_test(rt_binding_request_matches_rfc_xor),
		cmocka_unit_test(rt_software_matches_rfc),
		cmocka_unit_test(rt_software_and_fingerprint_match_rfc),
		cmocka_unit_test(rt_every_address_attribute),
		cmocka_unit_test(rt_change_request_flags),
		cmocka_unit_test(rt_rfc5780_wire_bytes),
		cmocka_unit_test(rt_response_port_and_padding),
		cmocka_unit_test(rt_error_code_and_unknown_attributes),
		cmocka_unit_test(rt_software),
		cmocka_unit_test(encode_text_limits),
		cmocka_unit_test(encode_refuses_bad_options),
		cmocka_unit_test(encode_exact_capacity),
		cmocka_unit_test(names),
		cmocka_unit_test(every_name),
		cmocka_unit_test(attr_integrity_sha256_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

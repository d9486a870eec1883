/* SPDX-License-Identifier: MIT */
/*
 * NAT-PMP codec. Packets are laid out byte by byte from the figures of
 * RFC 6886 §3.2, §3.3 and §3.5, and taken from real miniupnpd answers, so
 * the decoder is not only checked against our own encoder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/natpmp.h"

/* 30333 (Substrate's P2P port) = 0x767d; 7200 s (the RFC's recommended
 * lifetime) = 0x1c20; 3600 = 0x0e10. */

static void encode_external_request(void **state)
{
	/* §3.2: | Vers = 0 | OP = 0 | */
	const uint8_t want[] = { 0x00, 0x00 };
	struct natpmp_request req = { .opcode = NATPMP_OP_EXTERNAL };
	uint8_t out[NATPMP_MSG_MAX];

	(void)state;
	assert_int_equal(natpmp_encode_request(&req, out), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void encode_map_request(void **state)
{
	/* §3.3 */
	const uint8_t want[] = {
		0x00, 0x02, 0x00, 0x00, /* vers 0, OP 2 (TCP), reserved */
		0x76, 0x7d, 0x76, 0x7d, /* internal 30333, suggested external 30333 */
		0x00, 0x00, 0x1c, 0x20, /* lifetime 7200 */
	};
	struct natpmp_request req = {
		.opcode = NATPMP_OP_MAP_TCP,
		.internal_port = 30333,
		.external_port = 30333,
		.lifetime = 7200,
	};
	uint8_t out[NATPMP_MSG_MAX];

	(void)state;
	assert_int_equal(natpmp_encode_request(&req, out), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void encode_delete_zeroes_external_port(void **state)
{
	/* §3.4: the Suggested External Port MUST be 0 in a deletion. */
	const uint8_t want[] = { 0x00, 0x01, 0x00, 0x00, 0x76, 0x7d,
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct natpmp_request req = {
		.opcode = NATPMP_OP_MAP_UDP,
		.internal_port = 30333,
		.external_port = 40000,
		.lifetime = 0,
	};
	uint8_t out[NATPMP_MSG_MAX];

	(void)state;
	assert_int_equal(natpmp_encode_request(&req, out), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void encode_request_rejects_unknown_opcode(void **state)
{
	struct natpmp_request req = { .opcode = 3 };
	uint8_t out[NATPMP_MSG_MAX];

	(void)state;
	assert_int_equal(natpmp_encode_request(&req, out), -EINVAL);
	req.opcode = 128;
	assert_int_equal(natpmp_encode_request(&req, out), -EINVAL);
}

static void decode_external_response(void **state)
{
	/* §3.2 */
	const uint8_t in[] = {
		0x00, 0x80, 0x00, 0x00, /* vers 0, OP 128 + 0, result 0 */
		0x00, 0x00, 0x0e, 0x10, /* epoch 3600 */
		203,  0,    113,  7,	/* external 203.0.113.7 */
	};
	struct natpmp_response resp;
	struct netaddr want;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.opcode, NATPMP_OP_EXTERNAL);
	assert_int_equal(resp.result, NATPMP_SUCCESS);
	assert_int_equal(resp.epoch, 3600);
	assert_false(resp.brief);
	assert_int_equal(netaddr_parse_ip(&want, "203.0.113.7"), 0);
	assert_true(netaddr_eq(&resp.external, &want, false));
}

static void decode_map_response(void **state)
{
	/* §3.3 */
	const uint8_t in[] = {
		0x00, 0x82, 0x00, 0x00, /* vers 0, OP 128 + 2, result 0 */
		0x00, 0x00, 0x0e, 0x10, /* epoch 3600 */
		0x76, 0x7d, 0x9c, 0x40, /* internal 30333, mapped external 40000 */
		0x00, 0x00, 0x1c, 0x20, /* lifetime 7200 */
	};
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.opcode, NATPMP_OP_MAP_TCP);
	assert_int_equal(resp.result, NATPMP_SUCCESS);
	assert_int_equal(resp.epoch, 3600);
	assert_int_equal(resp.internal_port, 30333);
	assert_int_equal(resp.external_port, 40000);
	assert_int_equal(resp.lifetime, 7200);
	assert_int_equal(resp.external.family, 0);
}

static void decode_brief_error(void **state)
{
	/* An 8-byte error: header and epoch only (what miniupnpd sends for an
	 * unsupported version or opcode). */
	const uint8_t in[] = { 0x00, 0x81, 0x00, 0x02, 0x00, 0x00, 0x00, 0x2a };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), 0);
	assert_true(resp.brief);
	assert_int_equal(resp.opcode, NATPMP_OP_MAP_UDP);
	assert_int_equal(resp.result, NATPMP_NOT_AUTHORIZED);
	assert_int_equal(resp.epoch, 42);
}

static void decode_error_ignores_external_address(void **state)
{
	/* §3.2: on an error the address MUST be ignored on reception. */
	const uint8_t in[] = { 0x00, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 10, 0, 0, 1 };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.result, NATPMP_NETWORK_FAILURE);
	assert_false(resp.brief);
	assert_int_equal(resp.external.family, 0);
}

static void decode_unsupp_version_figure(void **state)
{
	/* §3.5 draws the UNSUPP_VERSION answer with a literal OP = 0. */
	const uint8_t in[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00 };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.result, NATPMP_UNSUPP_VERSION);
	assert_true(resp.brief);
	assert_int_equal(resp.epoch, 256);
}

static void decode_unknown_opcode_error(void **state)
{
	/* §3.5: an unsupported opcode is echoed with result 5, at whatever
	 * length the request had. */
	const uint8_t in[] = { 0x00, 0x83, 0x00, 0x05, 0x00, 0x00, 0x00, 0x09, 0xaa, 0xbb };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.opcode, 3);
	assert_int_equal(resp.result, NATPMP_UNSUPP_OPCODE);
	assert_true(resp.brief);
}

static void decode_miniupnpd_answers(void **state)
{
	/* Captured from miniupnpd 2.3.1 (Debian) by
	 * tests/fuzz/capture_gateway.sh: WAN address 20.77.0.1, one second
	 * after start; a UDP 30333 map granted for the 60 s asked. */
	const uint8_t ext[] = { 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
				0x00, 0x01, 0x14, 0x4d, 0x00, 0x01 };
	const uint8_t map[] = { 0x00, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
				0x76, 0x7d, 0x76, 0x7d, 0x00, 0x00, 0x00, 0x3c };
	struct natpmp_request req = { .opcode = NATPMP_OP_MAP_UDP,
				      .internal_port = 30333,
				      .external_port = 30333,
				      .lifetime = 60 };
	struct natpmp_response resp;
	struct netaddr want;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, ext, sizeof(ext)), 0);
	assert_int_equal(resp.epoch, 1);
	assert_int_equal(netaddr_parse_ip(&want, "20.77.0.1"), 0);
	assert_true(netaddr_eq(&resp.external, &want, false));
	assert_int_equal(natpmp_decode_response(&resp, map, sizeof(map)), 0);
	assert_true(natpmp_response_matches(&req, &resp));
	assert_int_equal(resp.external_port, 30333);
	assert_int_equal(resp.lifetime, 60);
}

/* --- malformed responses: one test per fault ---------------------------- */

static void reject_truncated(void **state)
{
	const uint8_t in[] = { 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, 203, 0, 113, 7 };
	struct natpmp_response resp;

	(void)state;
	/* Cut inside the address, inside the epoch, and nothing at all. */
	assert_int_equal(natpmp_decode_response(&resp, in, 11), -EMSGSIZE);
	assert_int_equal(natpmp_decode_response(&resp, in, 7), -EMSGSIZE);
	assert_int_equal(natpmp_decode_response(&resp, in, 0), -EMSGSIZE);
}

static void reject_truncated_map_success(void **state)
{
	/* A success must carry the whole body: the brief form is for errors. */
	const uint8_t in[] = { 0x00, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
			       0x76, 0x7d, 0x76, 0x7d, 0x00, 0x00, 0x1c };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), -EMSGSIZE);
	assert_int_equal(natpmp_decode_response(&resp, in, 8), -EMSGSIZE);
}

/* Issue 11 item 2: RFC 6886 sets no upper length; libnatpmp and Bitcoin
 * Core read a padded answer, and so do we (the padding is ignored). */
static void padded_answers_decode(void **state)
{
	uint8_t in[NATPMP_DATAGRAM_MAX + 1] = { 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10,
						203,  0,    113,  7,	0xde, 0xad, 0xbe, 0xef };
	const uint8_t map[] = { 0x00, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x76, 0x7d,
				0x9c, 0x40, 0x00, 0x00, 0x00, 0x3c, 0xff, 0xff, 0xff, 0xff };
	struct natpmp_request ext = { .opcode = NATPMP_OP_EXTERNAL };
	struct natpmp_request mreq = { .opcode = NATPMP_OP_MAP_UDP, .internal_port = 30333 };
	struct natpmp_response resp;

	(void)state;
	/* External address answer padded by 4, and up to the datagram cap. */
	assert_int_equal(natpmp_decode_response(&resp, in, NATPMP_EXTERNAL_RESP_LEN + 4), 0);
	assert_int_equal(resp.epoch, 3600);
	assert_int_equal(resp.external.ip[0], 203);
	assert_true(natpmp_response_matches(&ext, &resp));
	assert_int_equal(natpmp_decode_response(&resp, in, NATPMP_DATAGRAM_MAX), 0);
	/* One byte: the RFC's 12 + 1. */
	assert_int_equal(natpmp_decode_response(&resp, in, NATPMP_EXTERNAL_RESP_LEN + 1), 0);
	/* A map answer padded by 4. */
	assert_int_equal(natpmp_decode_response(&resp, map, sizeof(map)), 0);
	assert_int_equal(resp.external_port, 40000);
	assert_int_equal(resp.lifetime, 60);
	assert_true(natpmp_response_matches(&mreq, &resp));
	/* An error padded past the brief form but short of the full one is
	 * the brief form; padded past the full one, the full form. */
	in[3] = NATPMP_NOT_AUTHORIZED;
	assert_int_equal(natpmp_decode_response(&resp, in, NATPMP_BRIEF_RESP_LEN + 2), 0);
	assert_true(resp.brief);
	assert_int_equal(natpmp_decode_response(&resp, in, NATPMP_EXTERNAL_RESP_LEN + 4), 0);
	assert_false(resp.brief);
	assert_int_equal(resp.external.family, 0); /* ignored on an error (§3.2) */
	/* Hostile forms of the padded answer: truncated success, wrong
	 * version, R bit clear, unknown opcode claiming success. */
	in[3] = NATPMP_SUCCESS;
	assert_int_equal(natpmp_decode_response(&resp, in, NATPMP_EXTERNAL_RESP_LEN - 1),
			 -EMSGSIZE);
	in[0] = 2;
	assert_int_equal(natpmp_decode_response(&resp, in, 16), -EPROTONOSUPPORT);
	in[0] = 0;
	in[1] = 0x00;
	assert_int_equal(natpmp_decode_response(&resp, in, 16), -EBADMSG);
	in[1] = 0x83;
	assert_int_equal(natpmp_decode_response(&resp, in, 16), -EOPNOTSUPP);
}

static void reject_too_long(void **state)
{
	uint8_t in[NATPMP_DATAGRAM_MAX + 1] = { 0x00, 0x82, 0x00, 0x00 };
	struct natpmp_response resp;

	(void)state;
	/* One more than any datagram. */
	in[1] = 0x83;
	in[3] = NATPMP_UNSUPP_OPCODE;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), -EMSGSIZE);
}

static void reject_wrong_version(void **state)
{
	/* A PCP (version 2) answer is not NAT-PMP. */
	const uint8_t in[] = { 0x02, 0x80, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, 203, 0, 113, 7 };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), -EPROTONOSUPPORT);
}

static void reject_request_as_response(void **state)
{
	/* R bit (128) clear: a map request, perhaps our own looped back. */
	const uint8_t in[] = { 0x00, 0x01, 0x00, 0x00, 0x76, 0x7d, 0x76, 0x7d,
			       0x00, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x00, 0x00 };
	const uint8_t op0[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), -EBADMSG);
	/* OP = 0 is only the §3.5 figure with result 1 in 8 bytes. */
	assert_int_equal(natpmp_decode_response(&resp, op0, sizeof(op0)), -EBADMSG);
}

static void reject_result_out_of_range(void **state)
{
	const uint8_t in[] = { 0x00, 0x80, 0x00, 0x06, 0x00, 0x00, 0x00, 0x07, 1, 2, 3, 4 };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), -ERANGE);
	/* Decoded anyway: §3.5 wants a fatal error of the request, and the
	 * caller can say which code it was. */
	assert_int_equal(resp.result, 6);
	assert_int_equal(resp.epoch, 7);
	assert_string_equal(natpmp_result_name(resp.result), "UNKNOWN");
}

static void reject_wrong_opcode(void **state)
{
	/* Success for opcode 3, which does not exist. */
	const uint8_t in[] = { 0x00, 0x83, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
			       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct natpmp_response resp;

	(void)state;
	assert_int_equal(natpmp_decode_response(&resp, in, sizeof(in)), -EOPNOTSUPP);
}

/* --- matching ----------------------------------------------------------- */

static void match_map_response(void **state)
{
	struct natpmp_request req = { .opcode = NATPMP_OP_MAP_UDP,
				      .internal_port = 30333,
				      .lifetime = 60 };
	struct natpmp_response resp = { .opcode = NATPMP_OP_MAP_UDP,
					.internal_port = 30333,
					.external_port = 30333 };

	(void)state;
	assert_true(natpmp_response_matches(&req, &resp));
	resp.internal_port = 30334;
	assert_false(natpmp_response_matches(&req, &resp));
	resp.internal_port = 30333;
	resp.opcode = NATPMP_OP_MAP_TCP;
	assert_false(natpmp_response_matches(&req, &resp));
	/* A brief error names no port, so it answers no map request. */
	resp = (struct natpmp_response){ .opcode = NATPMP_OP_MAP_UDP, .brief = true, .result = 3 };
	assert_false(natpmp_response_matches(&req, &resp));
}

static void match_external_response(void **state)
{
	struct natpmp_request req = { .opcode = NATPMP_OP_EXTERNAL };
	struct natpmp_response resp = { .opcode = NATPMP_OP_EXTERNAL };

	(void)state;
	assert_true(natpmp_response_matches(&req, &resp));
	resp.result = NATPMP_NETWORK_FAILURE;
	resp.brief = true;
	assert_true(natpmp_response_matches(&req, &resp));
	/* UNSUPP_VERSION answers a PCP request (a PCP ANNOUNCE is opcode 0
	 * too), never a version-0 one. */
	resp.result = NATPMP_UNSUPP_VERSION;
	assert_false(natpmp_response_matches(&req, &resp));
}

/* --- round trips and requests ------------------------------------------- */

static void round_trip_request(void **state)
{
	struct natpmp_request in = {
		.opcode = NATPMP_OP_MAP_UDP,
		.internal_port = 4001,
		.external_port = 4001,
		.lifetime = 3600,
	};
	struct natpmp_request out;
	uint8_t buf[NATPMP_MSG_MAX];
	int n;

	(void)state;
	n = natpmp_encode_request(&in, buf);
	assert_int_equal(n, NATPMP_MAP_REQ_LEN);
	assert_int_equal(natpmp_decode_request(&out, buf, (size_t)n), 0);
	assert_int_equal(out.result, NATPMP_SUCCESS);
	assert_int_equal(out.opcode, in.opcode);
	assert_int_equal(out.internal_port, in.internal_port);
	assert_int_equal(out.external_port, in.external_port);
	assert_int_equal(out.lifetime, in.lifetime);
}

static void round_trip_response(void **state)
{
	struct natpmp_response in = { .opcode = NATPMP_OP_EXTERNAL, .epoch = 99 };
	struct natpmp_response out;
	uint8_t buf[NATPMP_MSG_MAX];
	int n;

	(void)state;
	assert_int_equal(netaddr_parse_ip(&in.external, "100.64.1.2"), 0);
	n = natpmp_encode_response(&in, buf);
	assert_int_equal(n, NATPMP_EXTERNAL_RESP_LEN);
	assert_int_equal(natpmp_decode_response(&out, buf, (size_t)n), 0);
	assert_true(netaddr_eq(&out.external, &in.external, false));
	assert_int_equal(out.epoch, 99);

	in = (struct natpmp_response){ .opcode = NATPMP_OP_MAP_TCP,
				       .epoch = 5,
				       .internal_port = 8333,
				       .external_port = 8334,
				       .lifetime = 100 };
	n = natpmp_encode_response(&in, buf);
	assert_int_equal(n, NATPMP_MAP_RESP_LEN);
	assert_int_equal(natpmp_decode_response(&out, buf, (size_t)n), 0);
	assert_int_equal(out.internal_port, 8333);
	assert_int_equal(out.external_port, 8334);
	assert_int_equal(out.lifetime, 100);

	in = (struct natpmp_response){ .opcode = NATPMP_OP_MAP_TCP,
				       .result = NATPMP_NO_RESOURCES,
				       .brief = true };
	n = natpmp_encode_response(&in, buf);
	assert_int_equal(n, NATPMP_BRIEF_RESP_LEN);
	assert_int_equal(natpmp_decode_response(&out, buf, (size_t)n), 0);
	assert_true(out.brief);
	assert_int_equal(out.result, NATPMP_NO_RESOURCES);
}

static void encode_response_rejects_bad_input(void **state)
{
	struct natpmp_response resp = { .opcode = NATPMP_OP_EXTERNAL };
	uint8_t buf[NATPMP_MSG_MAX];

	(void)state;
	assert_int_equal(netaddr_parse_ip(&resp.external, "2001:db8::1"), 0);
	assert_int_equal(natpmp_encode_response(&resp, buf), -EINVAL);
	resp = (struct natpmp_response){ .opcode = 7 };
	assert_int_equal(natpmp_encode_response(&resp, buf), -EINVAL);
	resp.opcode = 130;
	resp.brief = true;
	assert_int_equal(natpmp_encode_response(&resp, buf), -EINVAL);
}

static void decode_requests(void **state)
{
	const uint8_t ext[] = { 0x00, 0x00 };
	const uint8_t map[] = { 0x00, 0x02, 0x00, 0x00, 0x76, 0x7d,
				0x00, 0x00, 0x00, 0x00, 0x00, 0x3c };
	struct natpmp_request req;

	(void)state;
	assert_int_equal(natpmp_decode_request(&req, ext, sizeof(ext)), 0);
	assert_int_equal(req.result, NATPMP_SUCCESS);
	assert_int_equal(req.opcode, NATPMP_OP_EXTERNAL);
	assert_int_equal(natpmp_decode_request(&req, map, sizeof(map)), 0);
	assert_int_equal(req.result, NATPMP_SUCCESS);
	assert_int_equal(req.opcode, NATPMP_OP_MAP_TCP);
	assert_int_equal(req.internal_port, 30333);
	assert_int_equal(req.external_port, 0);
	assert_int_equal(req.lifetime, 60);
}

static void decode_request_faults(void **state)
{
	const uint8_t pcp[] = { 0x02, 0x01, 0x00, 0x00 };
	const uint8_t op9[] = { 0x00, 0x09, 0x00, 0x00 };
	const uint8_t resp[] = { 0x00, 0x80, 0x00, 0x00, 0, 0, 0, 0, 1, 2, 3, 4 };
	const uint8_t map_short[] = { 0x00, 0x01, 0x00, 0x00, 0x76, 0x7d, 0x00, 0x00 };
	const uint8_t ext_long[] = { 0x00, 0x00, 0x00, 0x00 };
	struct natpmp_request req;

	(void)state;
	/* Answered: version 2 (a PCP request) and an unknown opcode. */
	assert_int_equal(natpmp_decode_request(&req, pcp, sizeof(pcp)), 0);
	assert_int_equal(req.result, NATPMP_UNSUPP_VERSION);
	assert_int_equal(req.version, 2);
	assert_int_equal(natpmp_decode_request(&req, op9, sizeof(op9)), 0);
	assert_int_equal(req.result, NATPMP_UNSUPP_OPCODE);
	assert_int_equal(req.opcode, 9);
	/* Dropped: a response, wrong lengths, a single byte. */
	assert_int_equal(natpmp_decode_request(&req, resp, sizeof(resp)), -EBADMSG);
	assert_int_equal(natpmp_decode_request(&req, map_short, sizeof(map_short)), -EMSGSIZE);
	assert_int_equal(natpmp_decode_request(&req, ext_long, sizeof(ext_long)), -EMSGSIZE);
	assert_int_equal(natpmp_decode_request(&req, ext_long, 1), -EMSGSIZE);
}

/* --- epoch and names ---------------------------------------------------- */

static void epoch_check(void **state)
{
	(void)state;
	/* Kept pace with the client's clock. */
	assert_true(natpmp_epoch_valid(1000, 1800, 800));
	/* 7/8 of 800 s is 700 s: expected 1700, 2 s of slack. */
	assert_true(natpmp_epoch_valid(1000, 1698, 800));
	assert_false(natpmp_epoch_valid(1000, 1697, 800));
	/* Rebooted: counting from 0 again. */
	assert_false(natpmp_epoch_valid(86400, 30, 60));
	/* No wrap near the top of the range. */
	assert_false(natpmp_epoch_valid(UINT32_MAX - 10, 5, 100));
	assert_true(natpmp_epoch_valid(UINT32_MAX - 10, UINT32_MAX, 10));
}

static void result_names(void **state)
{
	(void)state;
	assert_string_equal(natpmp_result_name(NATPMP_SUCCESS), "SUCCESS");
	assert_string_equal(natpmp_result_name(NATPMP_UNSUPP_VERSION), "UNSUPP_VERSION");
	assert_string_equal(natpmp_result_name(NATPMP_NOT_AUTHORIZED), "NOT_AUTHORIZED");
	assert_string_equal(natpmp_result_name(NATPMP_NETWORK_FAILURE), "NETWORK_FAILURE");
	assert_string_equal(natpmp_result_name(NATPMP_NO_RESOURCES), "NO_RESOURCES");
	assert_string_equal(natpmp_result_name(NATPMP_UNSUPP_OPCODE), "UNSUPP_OPCODE");
	assert_string_equal(natpmp_result_name(65535), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_external_request),
		cmocka_unit_test(encode_map_request),
		cmocka_unit_test(encode_delete_zeroes_external_port),
		cmocka_unit_test(encode_request_rejects_unknown_opcode),
		cmocka_unit_test(decode_external_response),
		cmocka_unit_test(decode_map_response),
		cmocka_unit_test(decode_brief_error),
		cmocka_unit_test(decode_error_ignores_external_address),
		cmocka_unit_test(decode_unsupp_version_figure),
		cmocka_unit_test(decode_unknown_opcode_error),
		cmocka_unit_test(decode_miniupnpd_answers),
		cmocka_unit_test(reject_truncated),
		cmocka_unit_test(reject_truncated_map_success),
		cmocka_unit_test(padded_answers_decode),
		cmocka_unit_test(reject_too_long),
		cmocka_unit_test(reject_wrong_version),
		cmocka_unit_test(reject_request_as_response),
		cmocka_unit_test(reject_result_out_of_range),
		cmocka_unit_test(reject_wrong_opcode),
		cmocka_unit_test(match_map_response),
		cmocka_unit_test(match_external_response),
		cmocka_unit_test(round_trip_request),
		cmocka_unit_test(round_trip_response),
		cmocka_unit_test(encode_response_rejects_bad_input),
		cmocka_unit_test(decode_requests),
		cmocka_unit_test(decode_request_faults),
		cmocka_unit_test(epoch_check),
		cmocka_unit_test(result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * PCP codec. Packets are laid out byte by byte from the figures of RFC 6887
 * §7.1, §7.2, §7.3, §11.1, §13 and §14.1, and taken from real miniupnpd
 * answers, so the decoder is not only checked against our own encoder.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/pcp.h"

/* §5: IPv4 travels as the IPv4-mapped IPv6 address ::ffff:a.b.c.d. */
#define V4MAPPED(a, b, c, d) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d
#define NONCE		     0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c
#define ZERO12		     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t nonce[PCP_NONCE_LEN] = { NONCE };

/* 30333 = 0x767d, 40000 = 0x9c40, 120 = 0x78, 5000 = 0x1388. */

/* §7.1 + §11.1: MAP TCP 30333 for 192.168.1.10, no external preference
 * (the IPv4 all-zeros address asks for an IPv4 external address). */
/* Packets are laid out a 32-bit row per line, as the RFC draws them. */
/* clang-format off */
static const uint8_t map_request[] = {
	0x02, 0x01, 0x00, 0x00,    /* version 2, R = 0, opcode MAP, reserved */
	0x00, 0x00, 0x00, 0x78,    /* requested lifetime 120 */
	V4MAPPED(192, 168, 1, 10), /* PCP client's IP address */
	NONCE,                     /* mapping nonce */
	0x06, 0x00, 0x00, 0x00,    /* protocol TCP, reserved */
	0x76, 0x7d, 0x76, 0x7d,    /* internal port, suggested external port */
	V4MAPPED(0, 0, 0, 0),      /* suggested external address */
};

/* §7.2 + §11.1: SUCCESS, 203.0.113.7:40000 for 120 s, epoch 5000. */
static const uint8_t map_response[] = {
	0x02, 0x81, 0x00, 0x00,   /* version 2, R = 1, opcode MAP, reserved, result */
	0x00, 0x00, 0x00, 0x78,   /* lifetime 120 */
	0x00, 0x00, 0x13, 0x88,   /* epoch time 5000 */
	ZERO12,                   /* reserved */
	NONCE,                    /* mapping nonce */
	0x06, 0x00, 0x00, 0x00,   /* protocol TCP, reserved */
	0x76, 0x7d, 0x9c, 0x40,   /* internal port, assigned external port */
	V4MAPPED(203, 0, 113, 7), /* assigned external address */
};
/* clang-format on */

static struct pcp_request map_request_struct(void)
{
	struct pcp_request req = { .opcode = PCP_OP_MAP, .lifetime = 120 };

	assert_int_equal(netaddr_parse_ip(&req.client, "192.168.1.10"), 0);
	memcpy(req.map.nonce, nonce, sizeof(nonce));
	req.map.protocol = IPPROTO_TCP;
	req.map.internal_port = 30333;
	req.map.external_port = 30333;
	return req;
}

static void assert_ip(const struct netaddr *a, const char *want)
{
	struct netaddr w;

	assert_int_equal(netaddr_parse_ip(&w, want), 0);
	assert_int_equal(a->family, w.family);
	assert_memory_equal(a->ip, w.ip, a->family == AF_INET ? 4 : 16);
}

/* map_response followed by tail (options), into out. */
static size_t map_response_with(uint8_t *out, const uint8_t *tail, size_t n)
{
	memcpy(out, map_response, sizeof(map_response));
	memcpy(out + sizeof(map_response), tail, n);
	return sizeof(map_response) + n;
}

/* --- encoding requests -------------------------------------------------- */

static void encode_announce(void **state)
{
	/* §14.1: a bare common header, lifetime 0, no opcode data. */
	const uint8_t want[] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, V4MAPPED(192, 168, 1, 10),
	};
	struct pcp_request req = { .opcode = PCP_OP_ANNOUNCE, .lifetime = 99 };
	uint8_t out[PCP_MAX_LEN];

	(void)state;
	assert_int_equal(netaddr_parse_ip(&req.client, "192.168.1.10"), 0);
	/* The lifetime is written as 0 whatever the caller left in it. */
	assert_int_equal(pcp_encode_request(&req, out), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void encode_map(void **state)
{
	struct pcp_request req = map_request_struct();
	uint8_t out[PCP_MAX_LEN];

	(void)state;
	assert_int_equal(pcp_encode_request(&req, out), sizeof(map_request));
	assert_memory_equal(out, map_request, sizeof(map_request));
}

static void encode_map_ipv6(void **state)
{
	/* An IPv6 client with no preference asks with "::". */
	/* clang-format off */
	const uint8_t want[] = {
		0x02, 0x01, 0x00, 0x00, /* version 2, MAP */
		0x00, 0x00, 0x0e, 0x10, /* lifetime 3600 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05, /* client */
		NONCE,
		0x11, 0x00, 0x00, 0x00, /* UDP */
		0x0f, 0xa1, 0x00, 0x00, /* internal 4001, no suggested port */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* "::" */
	};
	/* clang-format on */
	struct pcp_request req = { .opcode = PCP_OP_MAP, .lifetime = 3600 };
	uint8_t out[PCP_MAX_LEN];

	(void)state;
	assert_int_equal(netaddr_parse_ip(&req.client, "2001:db8::5"), 0);
	memcpy(req.map.nonce, nonce, sizeof(nonce));
	req.map.protocol = IPPROTO_UDP;
	req.map.internal_port = 4001;
	assert_int_equal(pcp_encode_request(&req, out), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void encode_map_with_options(void **state)
{
	/* §13.1 THIRD_PARTY, §13.2 PREFER_FAILURE, §13.3 FILTER. */
	/* clang-format off */
	const uint8_t options[] = {
		0x01, 0x00, 0x00, 0x10,    /* THIRD_PARTY, reserved, length 16 */
		V4MAPPED(192, 168, 1, 20), /* internal IP address */
		0x02, 0x00, 0x00, 0x00,    /* PREFER_FAILURE, length 0 */
		0x03, 0x00, 0x00, 0x14,    /* FILTER, length 20 */
		0x00, 0x78, 0x00, 0x00,    /* reserved, prefix 96 + 24, any port */
		V4MAPPED(198, 51, 100, 0), /* remote peer prefix */
	};
	/* clang-format on */
	struct pcp_request req = map_request_struct();
	uint8_t out[PCP_MAX_LEN];

	(void)state;
	req.opts.third_party = true;
	assert_int_equal(netaddr_parse_ip(&req.opts.third_party_addr, "192.168.1.20"), 0);
	req.opts.prefer_failure = true;
	req.opts.n_filters = 1;
	assert_int_equal(netaddr_parse_ip(&req.opts.filters[0].peer, "198.51.100.0"), 0);
	req.opts.filters[0].prefix_len = 24;
	assert_int_equal(pcp_encode_request(&req, out), sizeof(map_request) + sizeof(options));
	assert_memory_equal(out, map_request, sizeof(map_request));
	assert_memory_equal(out + sizeof(map_request), options, sizeof(options));
}

static void encode_request_rejects_bad_input(void **state)
{
	struct pcp_request req = map_request_struct();
	uint8_t out[PCP_MAX_LEN];

	(void)state;
	req.opcode = PCP_OP_PEER;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	req = map_request_struct();
	req.client.family = 0;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	/* §11.1: "all protocols" requires internal port 0. */
	req = map_request_struct();
	req.map.protocol = 0;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	req = map_request_struct();
	req.opts.n_filters = 1;
	assert_int_equal(netaddr_parse_ip(&req.opts.filters[0].peer, "198.51.100.0"), 0);
	req.opts.filters[0].prefix_len = 33;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	req.opts.filters[0].prefix_len = 32;
	req.opts.n_filters = PCP_MAX_FILTERS + 1;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	req = map_request_struct();
	req.opcode = PCP_OP_ANNOUNCE;
	req.opts.prefer_failure = true;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	/* An external address or THIRD_PARTY address of no known family. */
	req = map_request_struct();
	req.map.external.family = 99;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
	req = map_request_struct();
	req.opts.third_party = true;
	assert_int_equal(pcp_encode_request(&req, out), -EINVAL);
}

/* What a test responder or a server may not write (pcp_encode_response). */
static void encode_response_rejects_bad_input(void **state)
{
	struct pcp_response resp = { .version = PCP_VERSION,
				     .opcode = PCP_OP_MAP,
				     .has_map = true };
	uint8_t out[PCP_MAX_LEN];

	(void)state;
	resp.map.protocol = 0;
	resp.map.internal_port = 30333; /* all protocols, one port: §11.1 */
	assert_int_equal(pcp_encode_response(&resp, out), -EINVAL);
	resp.map.protocol = IPPROTO_UDP;
	assert_true(pcp_encode_response(&resp, out) > 0);
	resp.opts.n_filters = PCP_MAX_FILTERS + 1;
	assert_int_equal(pcp_encode_response(&resp, out), -EINVAL);
	resp.opts.n_filters = 0;
	resp.opcode = PCP_OP_ANNOUNCE; /* MAP data on ANNOUNCE */
	assert_int_equal(pcp_encode_response(&resp, out), -EINVAL);
	resp.opcode = PCP_OP_PEER;
	resp.has_map = false;
	assert_int_equal(pcp_encode_response(&resp, out), -EINVAL);
}

/* --- decoding responses ------------------------------------------------- */

static void decode_map_response(void **state)
{
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, map_response, sizeof(map_response)), 0);
	assert_int_equal(resp.version, PCP_VERSION);
	assert_int_equal(resp.opcode, PCP_OP_MAP);
	assert_int_equal(resp.result, PCP_SUCCESS);
	assert_int_equal(resp.lifetime, 120);
	assert_int_equal(resp.epoch, 5000);
	assert_true(resp.has_map);
	assert_memory_equal(resp.map.nonce, nonce, PCP_NONCE_LEN);
	assert_int_equal(resp.map.protocol, IPPROTO_TCP);
	assert_int_equal(resp.map.internal_port, 30333);
	assert_int_equal(resp.map.external_port, 40000);
	assert_ip(&resp.map.external, "203.0.113.7");
	assert_false(resp.opts.unknown_mandatory);
}

static void decode_map_response_ipv6(void **state)
{
	uint8_t in[sizeof(map_response)];
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	struct pcp_response resp;

	(void)state;
	memcpy(in, map_response, sizeof(in));
	memcpy(in + 44, v6, sizeof(v6));
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), 0);
	assert_ip(&resp.map.external, "2001:db8::1");
}

static void decode_announce_response(void **state)
{
	/* §14.1: the answer is the bare response header. */
	/* clang-format off */
	const uint8_t in[] = {
		0x02, 0x80, 0x00, 0x00, /* version, R + opcode, reserved, result */
		0x00, 0x00, 0x00, 0x00, /* lifetime */
		0x00, 0x00, 0x00, 0x2a, /* epoch time */
		ZERO12,                 /* reserved */
	};
	/* clang-format on */
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(resp.result, PCP_SUCCESS);
	assert_int_equal(resp.epoch, 42);
	assert_false(resp.has_map);
}

static void decode_map_error_bare_header(void **state)
{
	/* An error may come without the opcode data. */
	/* clang-format off */
	const uint8_t in[] = {
		0x02, 0x81, 0x00, 0x02, /* version, R + opcode, reserved, result */
		0x00, 0x00, 0x00, 0x1e, /* lifetime */
		0x00, 0x00, 0x00, 0x09, /* epoch time */
		ZERO12,                 /* reserved */
	};
	/* clang-format on */
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.result, PCP_NOT_AUTHORIZED);
	assert_int_equal(resp.lifetime, 30);
	assert_false(resp.has_map);
}

static void decode_response_options(void **state)
{
	/* The server echoes the options it processed (§7.3); an unknown
	 * optional one (code 200, 3 bytes padded to 4) is skipped. */
	/* clang-format off */
	const uint8_t tail[] = {
		0x02, 0x00, 0x00, 0x00,                         /* PREFER_FAILURE */
		0xc8, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x00, /* code 200 */
		0x03, 0x00, 0x00, 0x14, 0x00, 0x40, 0x75, 0x30, /* FILTER /64, port 30000 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	/* clang-format on */
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_true(resp.opts.prefer_failure);
	assert_false(resp.opts.third_party);
	assert_int_equal(resp.opts.n_skipped, 1);
	assert_int_equal(resp.opts.n_filters, 1);
	assert_int_equal(resp.opts.filters[0].prefix_len, 64);
	assert_int_equal(resp.opts.filters[0].peer.port, 30000);
	assert_ip(&resp.opts.filters[0].peer, "2001:db8::");
}

static void decode_natpmp_unsupp_version(void **state)
{
	/* RFC 6887 §9, RFC 6886 §3.5: a NAT-PMP-only gateway answers our PCP
	 * MAP in NAT-PMP framing: version 0, OP 128 + 1, result 1. */
	const uint8_t in[] = { 0x00, 0x81, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c };
	struct pcp_response resp;
	struct pcp_request req = map_request_struct();

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.version, 0);
	assert_int_equal(resp.result, PCP_UNSUPP_VERSION);
	assert_int_equal(resp.opcode, PCP_OP_MAP);
	assert_int_equal(resp.epoch, 300);
	/* Evidence about the server, but no answer to the request. */
	assert_false(pcp_response_matches(&req, &resp));
}

static void decode_pcp_v1_unsupp_version(void **state)
{
	/* §9: a server that speaks version 1 names it in its answer. */
	/* clang-format off */
	const uint8_t in[] = {
		0x01, 0x80, 0x00, 0x01, /* version, R + opcode, reserved, result */
		0x00, 0x00, 0x07, 0x08, /* lifetime */
		0x00, 0x00, 0x00, 0x10, /* epoch time */
		ZERO12,                 /* reserved */
	};
	/* clang-format on */
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.version, 1);
	assert_int_equal(resp.result, PCP_UNSUPP_VERSION);
	assert_int_equal(resp.lifetime, 1800);
	assert_int_equal(resp.epoch, 16);
}

static void decode_miniupnpd_answers(void **state)
{
	/* Captured from miniupnpd 2.3.1 (Debian) by
	 * tests/fuzz/capture_gateway.sh, WAN address 20.77.0.1. */
	/* clang-format off */
	const uint8_t map[] = { /* MAP UDP 30333 asked for 60 s */
		0x02, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x11, 0x00, 0x00, 0x00, 0x76, 0x7d, 0x76, 0x7d, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x14, 0x4d, 0x00, 0x01,
	};
	const uint8_t v3[] = { /* the same MAP TCP 8333 sent as version 3 */
		0x02, 0x81, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	};
	/* clang-format on */
	struct pcp_request req = map_request_struct();
	struct pcp_response resp;

	(void)state;
	req.map.protocol = IPPROTO_UDP;
	req.lifetime = 60;
	assert_int_equal(pcp_decode_response(&resp, map, sizeof(map)), 0);
	assert_true(pcp_response_matches(&req, &resp));
	assert_int_equal(resp.result, PCP_SUCCESS);
	/* A server may grant more than asked; miniupnpd's floor is 120 s. */
	assert_int_equal(resp.lifetime, 120);
	assert_int_equal(resp.epoch, 1);
	assert_int_equal(resp.map.external_port, 30333);
	assert_ip(&resp.map.external, "20.77.0.1");
	/* §9: it speaks version 2. It zeroes the ports of the echo, so the
	 * answer cannot be tied to the request by its internal port. */
	assert_int_equal(pcp_decode_response(&resp, v3, sizeof(v3)), 0);
	assert_int_equal(resp.version, 2);
	assert_int_equal(resp.result, PCP_UNSUPP_VERSION);
	assert_int_equal(resp.map.internal_port, 0);
}

/* --- malformed responses: one test per fault ---------------------------- */

static void reject_truncated(void **state)
{
	struct pcp_response resp;

	(void)state;
	/* Shorter than the header; MAP success cut to the header; MAP data
	 * cut in the middle (still a multiple of 4). */
	assert_int_equal(pcp_decode_response(&resp, map_response, 20), -EMSGSIZE);
	assert_int_equal(pcp_decode_response(&resp, map_response, 24), -EMSGSIZE);
	assert_int_equal(pcp_decode_response(&resp, map_response, 56), -EMSGSIZE);
	assert_int_equal(pcp_decode_response(&resp, map_response, 0), -EMSGSIZE);
}

static void reject_too_long(void **state)
{
	uint8_t in[PCP_MAX_LEN + 4];
	struct pcp_response resp;

	(void)state;
	/* A valid response followed by unknown optional options, 4 bytes
	 * over the limit in all. */
	memset(in, 0, sizeof(in));
	memcpy(in, map_response, sizeof(map_response));
	for (size_t off = sizeof(map_response); off < sizeof(in); off += 4)
		in[off] = 0xc8;
	assert_int_equal(pcp_decode_response(&resp, in, PCP_MAX_LEN), 0);
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), -EMSGSIZE);
}

static void reject_length_not_multiple_of_4(void **state)
{
	uint8_t in[sizeof(map_response) + 2] = { 0 };
	struct pcp_response resp;

	(void)state;
	memcpy(in, map_response, sizeof(map_response));
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), -EMSGSIZE);
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(map_response) - 1), -EMSGSIZE);
}

static void reject_wrong_version(void **state)
{
	uint8_t in[sizeof(map_response)];
	const uint8_t natpmp_ok[] = { 0x00, 0x80, 0x00, 0x00, 0, 0, 0, 1, 203, 0, 113, 7 };
	struct pcp_response resp;

	(void)state;
	/* Version 3 with SUCCESS: not an UNSUPP_VERSION answer. */
	memcpy(in, map_response, sizeof(in));
	in[0] = 3;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), -EPROTONOSUPPORT);
	/* A NAT-PMP success answers a NAT-PMP request, not ours. */
	assert_int_equal(pcp_decode_response(&resp, natpmp_ok, sizeof(natpmp_ok)),
			 -EPROTONOSUPPORT);
}

static void reject_r_bit_clear(void **state)
{
	/* Our own MAP request looped back. */
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, map_request, sizeof(map_request)), -EBADMSG);
}

/* Issue 11 item 3: a malformed option is ignored and counted; the answer
 * (here a SUCCESS MAP the router now holds) still decodes. */
static void assert_map_kept(const struct pcp_response *resp, unsigned malformed)
{
	assert_true(resp->has_map);
	assert_int_equal(resp->result, PCP_SUCCESS);
	assert_int_equal(resp->map.external_port, 40000);
	assert_ip(&resp->map.external, "203.0.113.7");
	assert_int_equal(resp->opts.n_malformed, malformed);
}

static void ignore_option_past_end(void **state)
{
	/* THIRD_PARTY says 16 bytes; 12 follow. */
	const uint8_t tail[] = { 0x01, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	/* An unknown optional option of 5 bytes: padded to 8, only 4 left. */
	const uint8_t pad[] = { 0xc8, 0x00, 0x00, 0x05, 1, 2, 3, 4 };
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_map_kept(&resp, 1);
	assert_false(resp.opts.third_party);
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, pad, sizeof(pad))),
			 0);
	assert_map_kept(&resp, 1);
	assert_int_equal(resp.opts.n_skipped, 0);
	/* The same THIRD_PARTY in a request: the server answers it
	 * MALFORMED_OPTION (§7.3). */
	{
		struct pcp_request req;
		size_t n = sizeof(map_request);

		memcpy(in, map_request, n);
		memcpy(in + n, tail, sizeof(tail));
		assert_int_equal(pcp_decode_request(&req, in, n + sizeof(tail)), 0);
		assert_int_equal(req.result, PCP_MALFORMED_OPTION);
	}
}

static void ignore_zero_length_option(void **state)
{
	/* THIRD_PARTY and FILTER carry data; length 0 is malformed. (For
	 * PREFER_FAILURE 0 is the only right length.) */
	const uint8_t tp[] = { 0x01, 0x00, 0x00, 0x00 };
	const uint8_t filter[] = { 0x03, 0x00, 0x00, 0x00 };
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tp, sizeof(tp))), 0);
	assert_map_kept(&resp, 1);
	assert_false(resp.opts.third_party);
	assert_int_equal(
	    pcp_decode_response(&resp, in, map_response_with(in, filter, sizeof(filter))), 0);
	assert_map_kept(&resp, 1);
	assert_int_equal(resp.opts.n_filters, 0);
}

static void report_unknown_mandatory_option(void **state)
{
	/* Code 99 is mandatory to process (< 128) and unknown to us. */
	const uint8_t tail[] = { 0x63, 0x00, 0x00, 0x04, 1, 2, 3, 4, 0x64, 0x00, 0x00, 0x00 };
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_true(resp.opts.unknown_mandatory);
	assert_int_equal(resp.opts.unknown_code, 99);
	assert_int_equal(resp.opts.n_skipped, 1); /* the second one, code 100 */
}

static void reject_result_out_of_range(void **state)
{
	uint8_t in[sizeof(map_response)];
	struct pcp_response resp;

	(void)state;
	memcpy(in, map_response, sizeof(in));
	in[3] = PCP_RESULT_MAX + 1;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), -ERANGE);
	/* Decoded all the same, for the caller's report. */
	assert_int_equal(resp.result, 14);
	assert_int_equal(resp.map.external_port, 40000);
	assert_string_equal(pcp_result_name(resp.result), "UNKNOWN");
}

static void reject_wrong_opcode(void **state)
{
	uint8_t in[sizeof(map_response)];
	struct pcp_response resp;

	(void)state;
	memcpy(in, map_response, sizeof(in));
	in[1] = 0x82; /* PEER: never asked for */
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), -EOPNOTSUPP);
	in[1] = 0xff;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), -EOPNOTSUPP);
}

static void ignore_option_on_wrong_opcode(void **state)
{
	/* PREFER_FAILURE is defined for MAP only (§13.2); so is FILTER
	 * (§13.3), which the issue found sinking an ANNOUNCE answer. */
	/* clang-format off */
	const uint8_t in[] = {
		0x02, 0x80, 0x00, 0x00, /* version, R + opcode, reserved, result */
		0x00, 0x00, 0x00, 0x00, /* lifetime */
		0x00, 0x00, 0x00, 0x01, /* epoch time */
		ZERO12,                 /* reserved */
		0x02, 0x00, 0x00, 0x00, /* PREFER_FAILURE */
		0x03, 0x00, 0x00, 0x14, /* FILTER */
		0x00, 0x80, 0x00, 0x00,
		V4MAPPED(10, 0, 0, 1),
	};
	/* clang-format on */
	struct pcp_response resp;
	struct pcp_request req = { .opcode = PCP_OP_ANNOUNCE };

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, sizeof(in)), 0);
	assert_int_equal(resp.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(resp.epoch, 1);
	assert_int_equal(resp.opts.n_malformed, 2);
	assert_false(resp.opts.prefer_failure);
	assert_int_equal(resp.opts.n_filters, 0);
	assert_true(pcp_response_matches(&req, &resp));
}

static void ignore_repeated_option(void **state)
{
	const uint8_t tail[] = { 0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 0, 0, 1),
				 0x01, 0x00, 0x00, 0x10, V4MAPPED(10, 0, 0, 2) };
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	/* The first one counts. */
	assert_map_kept(&resp, 1);
	assert_true(resp.opts.third_party);
	assert_ip(&resp.opts.third_party_addr, "10.0.0.1");
}

static void ignore_bad_filter_prefix(void **state)
{
	/* An IPv4-mapped peer with a prefix shorter than 96 bits, and a
	 * prefix longer than 128. */
	uint8_t tail[] = { 0x03, 0x00, 0x00, 0x14, 0x00, 0x40, 0x00, 0x00, V4MAPPED(10, 0, 0, 0) };
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_map_kept(&resp, 1);
	assert_int_equal(resp.opts.n_filters, 0);
	tail[5] = 129;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_map_kept(&resp, 1);
	tail[5] = 96 + 8;
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_int_equal(resp.opts.filters[0].prefix_len, 8);
	assert_ip(&resp.opts.filters[0].peer, "10.0.0.0");
}

static void ignore_too_many_filters(void **state)
{
	const uint8_t filter[] = { 0x03, 0x00, 0x00,
				   0x14, 0x00, 0x80,
				   0x00, 0x00, V4MAPPED(10, 0, 0, 1) };
	uint8_t tail[sizeof(filter) * (PCP_MAX_FILTERS + 1)];
	uint8_t in[PCP_MAX_LEN];
	struct pcp_response resp;

	(void)state;
	for (size_t i = 0; i <= PCP_MAX_FILTERS; i++)
		memcpy(tail + i * sizeof(filter), filter, sizeof(filter));
	assert_int_equal(pcp_decode_response(
			     &resp, in, map_response_with(in, tail, sizeof(tail) - sizeof(filter))),
			 0);
	assert_int_equal(resp.opts.n_filters, PCP_MAX_FILTERS);
	assert_int_equal(pcp_decode_response(&resp, in, map_response_with(in, tail, sizeof(tail))),
			 0);
	assert_map_kept(&resp, 1);
	assert_int_equal(resp.opts.n_filters, PCP_MAX_FILTERS);
}

/* --- matching ----------------------------------------------------------- */

static void match_map_response(void **state)
{
	struct pcp_request req = map_request_struct();
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, map_response, sizeof(map_response)), 0);
	assert_true(pcp_response_matches(&req, &resp));
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MATCH);
	req.map.nonce[11] ^= 1;
	assert_false(pcp_response_matches(&req, &resp));
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MISMATCH_NONCE);
	req = map_request_struct();
	req.map.protocol = IPPROTO_UDP;
	assert_false(pcp_response_matches(&req, &resp));
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MISMATCH_PROTOCOL_PORT);
	req = map_request_struct();
	req.map.internal_port = 30334;
	assert_false(pcp_response_matches(&req, &resp));
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MISMATCH_PROTOCOL_PORT);
	req = map_request_struct();
	req.opcode = PCP_OP_ANNOUNCE;
	assert_false(pcp_response_matches(&req, &resp));
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MISMATCH_OPCODE);
	/* An error without opcode data cannot be tied to a nonce. */
	req = map_request_struct();
	resp.has_map = false;
	resp.result = PCP_NOT_AUTHORIZED;
	assert_false(pcp_response_matches(&req, &resp));
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MISMATCH_NO_DATA);
	resp.result = PCP_UNSUPP_VERSION;
	assert_int_equal(pcp_response_mismatch(&req, &resp), PCP_MISMATCH_VERSION);
}

/* Issue 11 item 1: a PCP-only server answers our NAT-PMP request with
 * version 2, UNSUPP_VERSION, R bit and opcode 0 (miniupnpd's
 * createPCPResponse). That is no answer to our ANNOUNCE. */
static void unsupp_version_v2_is_not_announce_answer(void **state)
{
	/* clang-format off */
	uint8_t in[28] = {
		0x02, 0x80, 0x00, 0x01, /* version 2, R + opcode 0, reserved, UNSUPP_VERSION */
		0x00, 0x00, 0x00, 0x00, /* lifetime */
		0x00, 0x00, 0x00, 0x2a, /* epoch time 42 */
		ZERO12,                 /* reserved */
	};
	/* clang-format on */
	struct pcp_request announce = { .opcode = PCP_OP_ANNOUNCE };
	struct pcp_request map = map_request_struct();
	struct pcp_response resp;

	(void)state;
	assert_int_equal(pcp_decode_response(&resp, in, 24), 0);
	assert_int_equal(resp.version, PCP_VERSION);
	assert_int_equal(resp.result, PCP_UNSUPP_VERSION);
	assert_int_equal(resp.opcode, PCP_OP_ANNOUNCE);
	assert_false(pcp_response_matches(&announce, &resp));
	assert_false(pcp_response_matches(&map, &resp));
	/* The real ANNOUNCE answer (SUCCESS) still matches. */
	in[3] = PCP_SUCCESS;
	assert_int_equal(pcp_decode_response(&resp, in, 24), 0);
	assert_true(pcp_response_matches(&announce, &resp));
	in[3] = PCP_UNSUPP_VERSION;
	/* Hostile forms: truncated, padded with an unknown optional
	 * option, R bit clear, opcode MAP without data, version 1. */
	assert_int_equal(pcp_decode_response(&resp, in, 20), -EMSGSIZE);
	in[24] = 0xc8;
	assert_int_equal(pcp_decode_response(&resp, in, 28), 0);
	assert_false(pcp_response_matches(&announce, &resp));
	in[1] = 0x00;
	assert_int_equal(pcp_decode_response(&resp, in, 24), -EBADMSG);
	in[1] = 0x81;
	assert_int_equal(pcp_decode_response(&resp, in, 24), 0);
	assert_false(resp.has_map);
	assert_false(pcp_response_matches(&map, &resp));
	in[1] = 0x80;
	in[0] = 1;
	assert_int_equal(pcp_decode_response(&resp, in, 24), 0);
	assert_int_equal(resp.version, 1);
	assert_false(pcp_response_matches(&announce, &resp));
}

static void match_announce_response(void **state)
{
	struct pcp_request req = { .opcode = PCP_OP_ANNOUNCE };
	struct pcp_response resp = { .version = PCP_VERSION, .opcode = PCP_OP_ANNOUNCE };

	(void)state;
	assert_true(pcp_response_matches(&req, &resp));
	resp.version = 1;
	assert_false(pcp_response_matches(&req, &resp));
}

/* --- round trips -------------------------------------------------------- */

static void assert_options_equal(const struct pcp_options *a, const struct pcp_options *b)
{
	assert_int_equal(a->third_party, b->third_party);
	if (a->third_party)
		assert_true(netaddr_eq(&a->third_party_addr, &b->third_party_addr, true));
	assert_int_equal(a->prefer_failure, b->prefer_failure);
	assert_int_equal(a->n_filters, b->n_filters);
	for (size_t i = 0; i < a->n_filters; i++) {
		assert_true(netaddr_eq(&a->filters[i].peer, &b->filters[i].peer, false));
		assert_int_equal(a->filters[i].prefix_len, b->filters[i].prefix_len);
	}
}

static void round_trip_request(void **state)
{
	struct pcp_request in = map_request_struct(), out;
	uint8_t buf[PCP_MAX_LEN];
	int n;

	(void)state;
	in.opts.third_party = true;
	assert_int_equal(netaddr_parse_ip(&in.opts.third_party_addr, "fd00::7"), 0);
	in.opts.n_filters = 2;
	assert_int_equal(netaddr_parse_ip(&in.opts.filters[0].peer, "192.0.2.1"), 0);
	in.opts.filters[0].peer.port = 30333;
	in.opts.filters[0].prefix_len = 32;
	assert_int_equal(netaddr_parse_ip(&in.opts.filters[1].peer, "2001:db8::"), 0);
	in.opts.filters[1].prefix_len = 48;
	assert_int_equal(netaddr_parse_ip(&in.map.external, "203.0.113.9"), 0);
	n = pcp_encode_request(&in, buf);
	assert_true(n > 0 && n % 4 == 0);
	assert_int_equal(pcp_decode_request(&out, buf, (size_t)n), 0);
	assert_int_equal(out.result, PCP_SUCCESS);
	assert_int_equal(out.version, PCP_VERSION);
	assert_int_equal(out.opcode, in.opcode);
	assert_int_equal(out.lifetime, in.lifetime);
	assert_true(netaddr_eq(&out.client, &in.client, true));
	assert_memory_equal(out.map.nonce, in.map.nonce, PCP_NONCE_LEN);
	assert_int_equal(out.map.protocol, in.map.protocol);
	assert_int_equal(out.map.internal_port, in.map.internal_port);
	assert_int_equal(out.map.external_port, in.map.external_port);
	assert_true(netaddr_eq(&out.map.external, &in.map.external, true));
	assert_options_equal(&out.opts, &in.opts);
}

static void round_trip_response(void **state)
{
	struct pcp_response in, out;
	uint8_t buf[PCP_MAX_LEN];
	int n;

	(void)state;
	assert_int_equal(pcp_decode_response(&in, map_response, sizeof(map_response)), 0);
	in.opts.prefer_failure = true;
	n = pcp_encode_response(&in, buf);
	assert_int_equal(n, sizeof(map_response) + 4);
	/* Byte for byte the RFC layout, then the option. */
	assert_memory_equal(buf, map_response, sizeof(map_response));
	assert_int_equal(pcp_decode_response(&out, buf, (size_t)n), 0);
	assert_int_equal(out.result, in.result);
	assert_int_equal(out.lifetime, in.lifetime);
	assert_int_equal(out.epoch, in.epoch);
	assert_true(netaddr_eq(&out.map.external, &in.map.external, true));
	assert_options_equal(&out.opts, &in.opts);

	/* ANNOUNCE may not carry MAP data. */
	in.opcode = PCP_OP_ANNOUNCE;
	assert_int_equal(pcp_encode_response(&in, buf), -EINVAL);
}

/* --- requests, as a server sees them ------------------------------------ */

static void decode_request_map(void **state)
{
	struct pcp_request req;

	(void)state;
	assert_int_equal(pcp_decode_request(&req, map_request, sizeof(map_request)), 0);
	assert_int_equal(req.result, PCP_SUCCESS);
	assert_int_equal(req.opcode, PCP_OP_MAP);
	assert_int_equal(req.lifetime, 120);
	assert_ip(&req.client, "192.168.1.10");
	assert_memory_equal(req.map.nonce, nonce, PCP_NONCE_LEN);
	assert_int_equal(req.map.internal_port, 30333);
	assert_int_equal(req.map.external_port, 30333);
	assert_ip(&req.map.external, "0.0.0.0");
}

static void decode_request_answers(void **state)
{
	uint8_t in[PCP_MAX_LEN + 4];
	struct pcp_request req;

	(void)state;
	memset(in, 0, sizeof(in));
	memcpy(in, map_request, sizeof(map_request));
	/* §8.3 in order. */
	in[0] = 3;
	assert_int_equal(pcp_decode_request(&req, in, sizeof(map_request)), 0);
	assert_int_equal(req.result, PCP_UNSUPP_VERSION);
	assert_int_equal(req.version, 3);
	in[0] = 2;
	/* Issue 11 item 5: shorter than the 24-byte header is dropped
	 * silently (§8.3), not answered; 23 bytes too, and 2. */
	assert_int_equal(pcp_decode_request(&req, in, 20), -EMSGSIZE);
	assert_int_equal(pcp_decode_request(&req, in, 23), -EMSGSIZE);
	assert_int_equal(pcp_decode_request(&req, in, 2), -EMSGSIZE);
	/* ... but another version that short still learns ours. */
	in[0] = 1;
	assert_int_equal(pcp_decode_request(&req, in, 20), 0);
	assert_int_equal(req.result, PCP_UNSUPP_VERSION);
	in[0] = 2;
	assert_int_equal(pcp_decode_request(&req, in, 24), 0); /* MAP data missing */
	assert_int_equal(req.result, PCP_MALFORMED_REQUEST);
	assert_int_equal(pcp_decode_request(&req, in, sizeof(map_request) + 2), 0);
	assert_int_equal(req.result, PCP_MALFORMED_REQUEST);
	assert_int_equal(pcp_decode_request(&req, in, sizeof(in)), 0);
	assert_int_equal(req.result, PCP_MALFORMED_REQUEST);
	assert_int_equal(pcp_decode_request(&req, in, 40), 0); /* MAP data cut */
	assert_int_equal(req.result, PCP_MALFORMED_REQUEST);
	in[1] = PCP_OP_PEER;
	assert_int_equal(pcp_decode_request(&req, in, sizeof(map_request)), 0);
	assert_int_equal(req.result, PCP_UNSUPP_OPCODE);
}

static void decode_request_option_answers(void **state)
{
	const uint8_t mandatory[] = { 0x63, 0x00, 0x00, 0x00 };
	const uint8_t past_end[] = { 0x03, 0x00, 0x00, 0x14, 0, 0, 0, 0 };
	const uint8_t filter[] = { 0x03, 0x00, 0x00,
				   0x14, 0x00, 0x80,
				   0x00, 0x00, V4MAPPED(10, 0, 0, 1) };
	uint8_t in[PCP_MAX_LEN];
	struct pcp_request req;
	size_t n = sizeof(map_request);

	(void)state;
	memcpy(in, map_request, n);
	memcpy(in + n, mandatory, sizeof(mandatory));
	assert_int_equal(pcp_decode_request(&req, in, n + sizeof(mandatory)), 0);
	assert_int_equal(req.result, PCP_UNSUPP_OPTION);
	assert_int_equal(req.opts.unknown_code, 99);
	memcpy(in + n, past_end, sizeof(past_end));
	assert_int_equal(pcp_decode_request(&req, in, n + sizeof(past_end)), 0);
	assert_int_equal(req.result, PCP_MALFORMED_OPTION);
	for (size_t i = 0; i <= PCP_MAX_FILTERS; i++)
		memcpy(in + n + i * sizeof(filter), filter, sizeof(filter));
	assert_int_equal(pcp_decode_request(&req, in, n + (PCP_MAX_FILTERS + 1) * sizeof(filter)),
			 0);
	assert_int_equal(req.result, PCP_EXCESSIVE_REMOTE_PEERS);
}

static void decode_request_dropped(void **state)
{
	struct pcp_request req;

	(void)state;
	/* A response is never answered (no loops between two servers), nor
	 * is a datagram too short to hold the R bit. */
	assert_int_equal(pcp_decode_request(&req, map_response, sizeof(map_response)), -EBADMSG);
	assert_int_equal(pcp_decode_request(&req, map_request, 1), -EMSGSIZE);
}

/* --- epoch and names ---------------------------------------------------- */

static void epoch_check(void **state)
{
	(void)state;
	/* In step with the client's clock. */
	assert_true(pcp_epoch_valid(5000, 5060, 60));
	/* Back by one second: reordering, still valid; by two: invalid. */
	assert_true(pcp_epoch_valid(5000, 4999, 0));
	assert_false(pcp_epoch_valid(5000, 4998, 0));
	/* Issue 11 item 4: back by one second while the client saw 2 s
	 * pass: server_delta -1, and -1 + 2 < 2 - 0 (§8.5): invalid. With
	 * 1 s of client time it is still reordering. */
	assert_false(pcp_epoch_valid(5000, 4999, 2));
	assert_true(pcp_epoch_valid(5000, 4999, 1));
	assert_false(pcp_epoch_valid(5000, 5000, 3));
	assert_true(pcp_epoch_valid(5000, 5000, 2));
	/* Rebooted. */
	assert_false(pcp_epoch_valid(86400, 12, 30));
	/* Server 900 s while the client saw 1000 s: 902 < 1000 - 62. */
	assert_false(pcp_epoch_valid(0, 900, 1000));
	assert_true(pcp_epoch_valid(0, 940, 1000));
	/* Server ran ahead: 1000 + 2 < 1200 - 75. */
	assert_false(pcp_epoch_valid(0, 1200, 1000));
	/* No wrap at the ends of the range. */
	assert_true(pcp_epoch_valid(0, 0, 0));
	assert_true(pcp_epoch_valid(UINT32_MAX - 5, UINT32_MAX, 6));
	assert_false(pcp_epoch_valid(UINT32_MAX, 0, 1));
}

static void result_names(void **state)
{
	static const char *const want[] = {
		"SUCCESS",	     "UNSUPP_VERSION",	       "NOT_AUTHORIZED",
		"MALFORMED_REQUEST", "UNSUPP_OPCODE",	       "UNSUPP_OPTION",
		"MALFORMED_OPTION",  "NETWORK_FAILURE",	       "NO_RESOURCES",
		"UNSUPP_PROTOCOL",   "USER_EX_QUOTA",	       "CANNOT_PROVIDE_EXTERNAL",
		"ADDRESS_MISMATCH",  "EXCESSIVE_REMOTE_PEERS",
	};

	(void)state;
	for (unsigned i = 0; i <= PCP_RESULT_MAX; i++)
		assert_string_equal(pcp_result_name(i), want[i]);
	assert_string_equal(pcp_result_name(PCP_RESULT_MAX + 1), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_announce),
		cmocka_unit_test(encode_map),
		cmocka_unit_test(encode_map_ipv6),
		cmocka_unit_test(encode_map_with_options),
		cmocka_unit_test(encode_request_rejects_bad_input),
		cmocka_unit_test(encode_response_rejects_bad_input),
		cmocka_unit_test(decode_map_response),
		cmocka_unit_test(decode_map_response_ipv6),
		cmocka_unit_test(decode_announce_response),
		cmocka_unit_test(decode_map_error_bare_header),
		cmocka_unit_test(decode_response_options),
		cmocka_unit_test(decode_natpmp_unsupp_version),
		cmocka_unit_test(decode_pcp_v1_unsupp_version),
		cmocka_unit_test(decode_miniupnpd_answers),
		cmocka_unit_test(reject_truncated),
		cmocka_unit_test(reject_too_long),
		cmocka_unit_test(reject_length_not_multiple_of_4),
		cmocka_unit_test(reject_wrong_version),
		cmocka_unit_test(reject_r_bit_clear),
		cmocka_unit_test(ignore_option_past_end),
		cmocka_unit_test(ignore_zero_length_option),
		cmocka_unit_test(report_unknown_mandatory_option),
		cmocka_unit_test(reject_result_out_of_range),
		cmocka_unit_test(reject_wrong_opcode),
		cmocka_unit_test(ignore_option_on_wrong_opcode),
		cmocka_unit_test(ignore_repeated_option),
		cmocka_unit_test(ignore_bad_filter_prefix),
		cmocka_unit_test(ignore_too_many_filters),
		cmocka_unit_test(match_map_response),
		cmocka_unit_test(unsupp_version_v2_is_not_announce_answer),
		cmocka_unit_test(match_announce_response),
		cmocka_unit_test(round_trip_request),
		cmocka_unit_test(round_trip_response),
		cmocka_unit_test(decode_request_map),
		cmocka_unit_test(decode_request_answers),
		cmocka_unit_test(decode_request_option_answers),
		cmocka_unit_test(decode_request_dropped),
		cmocka_unit_test(epoch_check),
		cmocka_unit_test(result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

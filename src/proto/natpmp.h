/* SPDX-License-Identifier: MIT */
/*
 * NAT-PMP (RFC 6886): the codec only. Bytes to structs and back, no sockets,
 * no clock, no allocation. The caller owns every buffer and struct passed in;
 * nothing is kept between calls.
 *
 * NAT-PMP shares UDP port 5351 with PCP (RFC 6887) and is told apart by the
 * first byte: version 0 here, 2 for PCP. A NAT-PMP-only gateway answers a
 * PCP request with a version-0 UNSUPP_VERSION (RFC 6886 §1.1, §3.5), which
 * natpmp_decode_response decodes like any other answer; since no gateway
 * answers a version-0 request that way, that result code alone says the
 * answer belongs to a PCP request (see natpmp_response_matches).
 */
#ifndef ND_PROTO_NATPMP_H
#define ND_PROTO_NATPMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define NATPMP_PORT	   5351 /* gateway listens here (RFC 6886 §3.1) */
#define NATPMP_CLIENT_PORT 5350 /* announcements go to 224.0.0.1 here (§3.2.1) */
#define NATPMP_VERSION	   0

/* Opcodes (§3.2, §3.3). A response carries NATPMP_OP_RESPONSE + the opcode. */
enum natpmp_op {
	NATPMP_OP_EXTERNAL = 0, /* external address request */
	NATPMP_OP_MAP_UDP = 1,
	NATPMP_OP_MAP_TCP = 2,
};
#define NATPMP_OP_RESPONSE 128

/* Result codes (§3.5). Codes above NATPMP_RESULT_MAX are undefined; the RFC
 * says to treat them as fatal errors of the request. */
enum natpmp_result {
	NATPMP_SUCCESS = 0,
	NATPMP_UNSUPP_VERSION = 1,
	NATPMP_NOT_AUTHORIZED = 2,
	NATPMP_NETWORK_FAILURE = 3,
	NATPMP_NO_RESOURCES = 4,
	NATPMP_UNSUPP_OPCODE = 5,
};
#define NATPMP_RESULT_MAX NATPMP_UNSUPP_OPCODE

/* Wire sizes (§3.2, §3.3, §3.5). */
#define NATPMP_EXTERNAL_REQ_LEN	 2
#define NATPMP_MAP_REQ_LEN	 12
#define NATPMP_EXTERNAL_RESP_LEN 12
#define NATPMP_MAP_RESP_LEN	 16
#define NATPMP_BRIEF_RESP_LEN	 8 /* error answer: header and epoch only */
/* Longest message the encoders write; size output buffers with it. */
#define NATPMP_MSG_MAX 16
/* Longest datagram the decoders accept. An unsupported-opcode answer echoes
 * the whole request (§3.5), so it is bounded like PCP (RFC 6887 §7). */
#define NATPMP_DATAGRAM_MAX 1100

struct natpmp_request {
	uint8_t version;	/* decoded only; the encoder always writes 0 */
	uint8_t opcode;		/* enum natpmp_op */
	uint16_t internal_port; /* map opcodes: the client's port (0 + lifetime 0: all) */
	uint16_t external_port; /* map opcodes: suggested; 0 = gateway picks */
	uint32_t lifetime;	/* map opcodes: seconds; 0 deletes (§3.4) */
	/* Decoded only: how a gateway answers this request. NATPMP_SUCCESS
	 * when it is well-formed, else UNSUPP_VERSION or UNSUPP_OPCODE (the
	 * fields after opcode are then not set). */
	uint16_t result;
};

struct natpmp_response {
	uint8_t opcode;	 /* the request opcode answered (wire opcode - 128) */
	uint16_t result; /* enum natpmp_result, or an undefined code */
	uint32_t epoch;	 /* Seconds Since Start of Epoch (§3.6) */
	bool brief;	 /* the 8-byte error form: nothing after the epoch */
	/* NATPMP_OP_EXTERNAL with NATPMP_SUCCESS: the gateway's external IPv4
	 * address (port 0). Family 0 otherwise: the field is to be ignored
	 * on an error (§3.2). */
	struct netaddr external;
	uint16_t internal_port; /* map opcodes, not brief */
	uint16_t external_port; /* map opcodes, not brief: 0 if none mapped */
	uint32_t lifetime;	/* map opcodes, not brief: granted seconds */
};

/*
 * Write req as a request datagram into out (version 0 whatever req->version
 * says). Only the fields its opcode uses are read; for a deletion (lifetime
 * 0) the suggested external port is written as 0, as §3.4 requires.
 * Returns the length written (2 or 12), or -EINVAL for an opcode that is not
 * one of enum natpmp_op.
 */
int natpmp_encode_request(const struct natpmp_request *req, uint8_t out[static NATPMP_MSG_MAX]);

/*
 * Decode a request datagram of len bytes at p (for test responders and a
 * server). Lengths are strict: 2 bytes for NATPMP_OP_EXTERNAL, 12 for maps.
 * Returns 0 when a gateway answers it, with req->result saying how (§3.5: a
 * version other than 0 gets UNSUPP_VERSION, an unknown opcode below 128 gets
 * UNSUPP_OPCODE); or a negative errno when a gateway drops it silently:
 * -EMSGSIZE shorter than 2 bytes or a known opcode at the wrong length,
 * -EBADMSG a response (opcode 128 or above).
 */
int natpmp_decode_request(struct natpmp_request *req, const uint8_t *p, size_t len);

/*
 * Write resp as a response datagram into out: the brief 8-byte form when
 * resp->brief, else the full form of its opcode (12 bytes for
 * NATPMP_OP_EXTERNAL, 16 for maps). The external address must be IPv4 or
 * family 0 (written as 0.0.0.0). Returns the length written, or -EINVAL (an
 * opcode above 127, a full form for an unknown opcode, an IPv6 address).
 */
int natpmp_encode_response(const struct natpmp_response *resp, uint8_t out[static NATPMP_MSG_MAX]);

/*
 * Decode a response datagram of len bytes at p into *resp (zeroed first).
 * A success has at least 12 bytes (external address) or 16 (maps); an error
 * at least 8 (the brief form, below the full size) or the full size. Bytes
 * past those are padding and ignored, as libnatpmp and Bitcoin Core do
 * (RFC 6886 sets no upper bound); NATPMP_DATAGRAM_MAX bounds the datagram.
 * The literal "OP = 0" UNSUPP_VERSION figure of §3.5 is accepted too.
 * Returns 0, or a negative errno:
 *   -EMSGSIZE        shorter than 8 bytes, a success shorter than its full
 *                    size, or longer than NATPMP_DATAGRAM_MAX
 *   -EPROTONOSUPPORT version is not 0 (a PCP answer: see pcp.h)
 *   -EBADMSG         a request (opcode below 128), not a response
 *   -EOPNOTSUPP      success claimed for an opcode that does not exist
 *   -ERANGE          well-formed, but the result code is undefined; *resp
 *                    is fully decoded so the caller can treat it as the
 *                    fatal error of the request §3.5 asks for
 * The caller checks the source address and that it answers its request.
 */
int natpmp_decode_response(struct natpmp_response *resp, const uint8_t *p, size_t len);

/* Whether resp answers req (a NAT-PMP request the caller sent): same opcode,
 * and for maps the same internal port (§3.5 requires it in error answers
 * too, so a brief answer to a map belongs to no map request). An
 * UNSUPP_VERSION answer never matches: it answers a PCP request. */
bool natpmp_response_matches(const struct natpmp_request *req, const struct natpmp_response *resp);

/*
 * RFC 6886 §3.6: whether epoch `cur` is plausible given the previous one,
 * `prev`, received client_elapsed_s seconds ago by the client's clock. False
 * means the gateway lost its mapping state (a reboot): renew every mapping
 * now. The client's estimate is prev + 7/8 of the elapsed time; cur may fall
 * short of it by at most 2 s. The first answer has nothing to compare with
 * and is always plausible; that is the caller's to know.
 */
bool natpmp_epoch_valid(uint32_t prev, uint32_t cur, uint32_t client_elapsed_s);

/* "SUCCESS", "UNSUPP_VERSION", ... for codes 0..5; "UNKNOWN" otherwise. */
const char *natpmp_result_name(unsigned result);

#endif

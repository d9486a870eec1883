/* SPDX-License-Identifier: MIT */
/*
 * PCP, the Port Control Protocol (RFC 6887): the codec only. Bytes to structs
 * and back, no sockets, no clock, no randomness, no allocation. The caller
 * owns every buffer and struct passed in; nothing is kept between calls.
 *
 * Covered: the common request and response headers (§7.1, §7.2), options
 * (§7.3), the ANNOUNCE (§14.1) and MAP (§11.1) opcodes, and the options
 * THIRD_PARTY, PREFER_FAILURE and FILTER (§13). PEER is not: we never ask
 * for it, and a response to it is reported as an unknown opcode.
 *
 * Addresses travel on the wire as 16 bytes, IPv4 in the IPv4-mapped form
 * ::ffff:a.b.c.d (§5); here they are struct netaddr, IPv4 as plain IPv4.
 *
 * A gateway that does not speak version 2 answers with UNSUPP_VERSION and
 * the version it does speak (§9): 0 from a NAT-PMP-only gateway (in NAT-PMP
 * framing, RFC 6886 §3.5), 1 from pre-standard servers. pcp_decode_response
 * decodes those answers too, with resp->version saying which.
 */
#ifndef ND_PROTO_PCP_H
#define ND_PROTO_PCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define PCP_PORT	5351 /* server listens here (§19.1) */
#define PCP_CLIENT_PORT 5350 /* unsolicited ANNOUNCEs go here (§14.1.3) */
#define PCP_VERSION	2

/* §7: every PCP message is 24 to 1100 bytes and a multiple of 4. */
#define PCP_MIN_LEN    24
#define PCP_MAX_LEN    1100
#define PCP_HEADER_LEN 24 /* the common request or response header */
#define PCP_MAP_LEN    36 /* MAP opcode data (§11.1) */
#define PCP_NONCE_LEN  12

/* Opcodes (§19.2). The R bit (0x80 in the second byte) marks a response. */
enum pcp_opcode {
	PCP_OP_ANNOUNCE = 0,
	PCP_OP_MAP = 1,
	PCP_OP_PEER = 2, /* not decoded here */
};

/* Result codes (§7.4). Codes above PCP_RESULT_MAX are undefined here. */
enum pcp_result {
	PCP_SUCCESS = 0,
	PCP_UNSUPP_VERSION = 1,
	PCP_NOT_AUTHORIZED = 2,
	PCP_MALFORMED_REQUEST = 3,
	PCP_UNSUPP_OPCODE = 4,
	PCP_UNSUPP_OPTION = 5,
	PCP_MALFORMED_OPTION = 6,
	PCP_NETWORK_FAILURE = 7,
	PCP_NO_RESOURCES = 8,
	PCP_UNSUPP_PROTOCOL = 9,
	PCP_USER_EX_QUOTA = 10,
	PCP_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_ADDRESS_MISMATCH = 12,
	PCP_EXCESSIVE_REMOTE_PEERS = 13,
};
#define PCP_RESULT_MAX PCP_EXCESSIVE_REMOTE_PEERS

/* Option codes (§19.3). Codes 0..127 are mandatory to process: a server
 * that does not know one must refuse the request (§7.3). */
enum pcp_option_code {
	PCP_OPT_THIRD_PARTY = 1,    /* 16 bytes: internal address (§13.1) */
	PCP_OPT_PREFER_FAILURE = 2, /* 0 bytes (§13.2) */
	PCP_OPT_FILTER = 3,	    /* 20 bytes (§13.3) */
};
#define PCP_OPT_OPTIONAL_MIN 128 /* first optional-to-process code */

/* FILTER options kept per message. More in a request is answered with
 * EXCESSIVE_REMOTE_PEERS (§13.3); we never send more. */
#define PCP_MAX_FILTERS 4

/* A FILTER option (§13.3): let in only this remote peer or prefix. */
struct pcp_filter {
	struct netaddr peer; /* remote address; port 0 = every port */
	uint8_t prefix_len;  /* in the peer's family: 0..32 IPv4, 0..128 IPv6 */
};

struct pcp_options {
	bool third_party;			    /* THIRD_PARTY present (MAP only) */
	struct netaddr third_party_addr;	    /* the internal host it speaks for */
	bool prefer_failure;			    /* PREFER_FAILURE present (MAP only) */
	struct pcp_filter filters[PCP_MAX_FILTERS]; /* FILTERs (MAP only) */
	size_t n_filters;
	/* Decoded only: a mandatory-to-process option (code < 128) that we do
	 * not know was present; unknown_code is the first such code. Unknown
	 * optional options (code >= 128) are skipped and only counted. */
	bool unknown_mandatory;
	uint8_t unknown_code;
	unsigned n_skipped;
	/* Decoded responses only: options ignored because they were
	 * malformed (a known option of the wrong length, repeated or on the
	 * wrong opcode, a bad filter prefix, a FILTER beyond PCP_MAX_FILTERS,
	 * an option running past the end). A client keeps the rest of the
	 * answer (§7.3); a server refuses such a request instead. */
	unsigned n_malformed;
};

/* MAP opcode data, request and response (§11.1). */
struct pcp_map {
	uint8_t nonce[PCP_NONCE_LEN]; /* the caller's random nonce, echoed */
	uint8_t protocol;	      /* IPPROTO_TCP, IPPROTO_UDP; 0 = all */
	uint16_t internal_port;	      /* 0 = all ports (protocol 0, or deletion) */
	/* Request: the suggested external port and address, 0 and an
	 * all-zeros address for no preference. The address family is the
	 * external family asked for: family 0 means "the client's family".
	 * Response: the assigned port and address. */
	uint16_t external_port;
	struct netaddr external; /* port unused */
};

struct pcp_request {
	uint8_t version;       /* decoded only; the encoder writes PCP_VERSION */
	uint8_t opcode;	       /* PCP_OP_ANNOUNCE or PCP_OP_MAP */
	uint32_t lifetime;     /* requested seconds; 0 deletes a MAP; ANNOUNCE: 0 */
	struct netaddr client; /* the PCP client's own address (port unused) */
	struct pcp_map map;    /* PCP_OP_MAP */
	struct pcp_options opts;
	/* Decoded only: how a server answers this request (§8.3, §7.3):
	 * PCP_SUCCESS when it is well-formed and every mandatory option is
	 * known; otherwise the error to answer with, and only the fields read
	 * before the fault are set. Policy (ADDRESS_MISMATCH, NOT_AUTHORIZED,
	 * UNSUPP_PROTOCOL) is the server's to decide. */
	uint8_t result;
};

struct pcp_response {
	/* PCP_VERSION, or the version a server that does not speak 2 named
	 * in its UNSUPP_VERSION answer (0: a NAT-PMP-only gateway). For
	 * another version only opcode, result, lifetime and epoch are set. */
	uint8_t version;
	uint8_t opcode;	   /* the opcode answered, R bit stripped */
	uint8_t result;	   /* enum pcp_result, or an undefined code */
	uint32_t lifetime; /* granted seconds; on an error how long it holds */
	uint32_t epoch;	   /* the server's Epoch Time (§8.5) */
	/* MAP: the opcode data. A success always carries it; an error may
	 * come as the bare 24-byte header, and then has_map is false. */
	bool has_map;
	struct pcp_map map;
	struct pcp_options opts;
};

/*
 * Write req into out as a request: version 2, req->opcode (ANNOUNCE or MAP),
 * lifetime (written as 0 for ANNOUNCE, §14.1), the client address, MAP data
 * and the options set in req->opts (the decoded-only fields are ignored).
 * Returns the length written (a multiple of 4, at most PCP_MAX_LEN), or
 * -EINVAL: another opcode; a client address without a family; MAP protocol
 * 0 with a nonzero internal port (§11.1); options on ANNOUNCE; more than
 * PCP_MAX_FILTERS filters, or a filter prefix too long for its family.
 */
int pcp_encode_request(const struct pcp_request *req, uint8_t out[static PCP_MAX_LEN]);

/*
 * Decode a request datagram of len bytes at p (for test responders and a
 * server), following the server's steps of §8.3. Returns 0 when a server
 * answers it, with req->result saying how: UNSUPP_VERSION (version not 2),
 * MALFORMED_REQUEST (longer than 1100 bytes or not a multiple of 4, MAP data
 * missing), UNSUPP_OPCODE (not ANNOUNCE or MAP), MALFORMED_OPTION (an option
 * running past the end, a known option of the wrong length, repeated or on
 * the wrong opcode, a bad filter prefix), UNSUPP_OPTION (an unknown
 * mandatory option), EXCESSIVE_REMOTE_PEERS (more than PCP_MAX_FILTERS
 * filters); PCP_SUCCESS otherwise. Returns a negative errno when a server
 * drops it without answer: -EMSGSIZE shorter than 2 bytes, or a version-2
 * message shorter than 24 bytes; -EBADMSG the R bit is set (a response).
 */
int pcp_decode_request(struct pcp_request *req, const uint8_t *p, size_t len);

/*
 * Write resp into out as a response (for test responders and a server):
 * resp->version as given (so a test can answer as another version), R bit
 * and opcode, result, lifetime, epoch, MAP data when resp->has_map, then
 * the options set (a family-0 external address is written as "::").
 * Returns the length written, or -EINVAL as for
 * pcp_encode_request (an opcode other than ANNOUNCE or MAP, MAP data on
 * ANNOUNCE, a bad filter).
 */
int pcp_encode_response(const struct pcp_response *resp, uint8_t out[static PCP_MAX_LEN]);

/*
 * Decode a response datagram of len bytes at p into *resp (zeroed first),
 * with the checks of §8.3: 24 to 1100 bytes, a multiple of 4, the R bit
 * set, opcode data complete. Options are the client's to ignore (§7.3): a
 * malformed one (wrong length, repeated, on the wrong opcode, a bad filter
 * prefix, past the end, a fifth FILTER) is left out and counted in
 * resp->opts.n_malformed; the rest of the answer still decodes.
 * A version other than 2 decodes only as an UNSUPP_VERSION answer (§9):
 * PCP framing for versions 1 and 3..255, NAT-PMP framing for version 0.
 * Returns 0, or a negative errno:
 *   -EMSGSIZE        length below 24 or above 1100, not a multiple of 4,
 *                    or MAP data cut short
 *   -EPROTONOSUPPORT another version that is not an UNSUPP_VERSION answer
 *   -EBADMSG         R bit clear (a request, perhaps our own looped back)
 *   -EOPNOTSUPP      an opcode other than ANNOUNCE or MAP
 *   -ERANGE          well-formed, but the result code is undefined; *resp
 *                    is fully decoded
 * An unknown mandatory option is not an error here: it is reported in
 * resp->opts. The caller checks the source address and, with
 * pcp_response_matches, that it answers its request.
 */
int pcp_decode_response(struct pcp_response *resp, const uint8_t *p, size_t len);

/*
 * Whether resp (decoded, version 2) answers req (what the caller sent):
 * same opcode, and for MAP the same nonce, protocol and internal port
 * (§11.4; error answers copy them from the request too, §8.3). A MAP error
 * without opcode data, an answer of another version, or a version-2
 * UNSUPP_VERSION (a PCP-only server refusing a NAT-PMP request: it cannot
 * answer a version-2 request) matches nothing: the caller may still count
 * it as evidence about the server.
 */
bool pcp_response_matches(const struct pcp_request *req, const struct pcp_response *resp);

/* Why a decoded response does not answer a request: what
 * pcp_response_mismatch returns, for a caller that counts rejections by
 * reason ("3 answers with the wrong nonce"). */
enum pcp_mismatch {
	PCP_MATCH = 0,
	PCP_MISMATCH_VERSION,	    /* another version, or a v2 UNSUPP_VERSION */
	PCP_MISMATCH_OPCODE,	    /* answers another opcode */
	PCP_MISMATCH_NO_DATA,	    /* a MAP error without opcode data */
	PCP_MISMATCH_NONCE,	    /* a MAP answer with another nonce */
	PCP_MISMATCH_PROTOCOL_PORT, /* same nonce, another protocol or internal port */
};

/* pcp_response_matches with the reason: PCP_MATCH (0) when resp answers
 * req, else the first check that failed, in the order of enum
 * pcp_mismatch. */
enum pcp_mismatch pcp_response_mismatch(const struct pcp_request *req,
					const struct pcp_response *resp);

/*
 * RFC 6887 §8.5: whether Epoch Time `cur` is valid given the previous one,
 * `prev`, received client_elapsed_s seconds ago by the client's clock. False
 * means the server lost its state (a reboot): renew every mapping now. The
 * first answer from a server is always valid; that is the caller's to know.
 */
bool pcp_epoch_valid(uint32_t prev, uint32_t cur, uint32_t client_elapsed_s);

/* "SUCCESS", "UNSUPP_VERSION", ... for codes 0..13; "UNKNOWN" otherwise. */
const char *pcp_result_name(unsigned result);

#endif

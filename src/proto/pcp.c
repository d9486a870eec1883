/* SPDX-License-Identifier: MIT */
#include "proto/pcp.h"

#include <errno.h>
#include <string.h>

#include "proto/natpmp.h"
#include "util/buf.h"

#define PCP_R_BIT      0x80
#define PCP_OP_MASK    0x7f
#define PCP_OPT_HDR    4
#define PCP_TP_LEN     16 /* THIRD_PARTY data */
#define PCP_FILTER_LEN 20 /* FILTER data */
#define V4MAPPED_BITS  96 /* ::ffff:0:0/96 */

static bool known_opcode(uint8_t op)
{
	return op == PCP_OP_ANNOUNCE || op == PCP_OP_MAP;
}

/* §7: the size rules every message obeys. */
static bool size_ok(size_t len)
{
	return len >= PCP_MIN_LEN && len <= PCP_MAX_LEN && len % 4 == 0;
}

/* §5: 16 bytes on the wire, IPv4 as ::ffff:a.b.c.d. Family 0 writes the
 * all-zeros address of family `zero_family` (§11.1: "no preference"). */
static void put_addr(struct buf_writer *w, const struct netaddr *a, int zero_family)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	int family = a->family ? a->family : zero_family;

	if (family == AF_INET) {
		bw_bytes(w, v4mapped, sizeof(v4mapped));
		if (a->family)
			bw_bytes(w, a->ip, 4);
		else
			bw_zero(w, 4);
	} else if (a->family) {
		bw_bytes(w, a->ip, 16);
	} else {
		bw_zero(w, 16);
	}
}

static struct netaddr get_addr(struct buf_reader *r)
{
	const uint8_t *p = br_take(r, 16);

	return p ? netaddr_unmap(netaddr_v6(p, 0)) : (struct netaddr){ 0 };
}

static bool addr_family_ok(const struct netaddr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

/*
 * MAP opcode data, RFC 6887 §11.1 (request; the response has the same
 * layout with the assigned port and address):
 *
 *   +---------------------------------------------------------------+
 *   |                 Mapping Nonce (96 bits)                       |
 *   +---------------+-----------------------------------------------+
 *   |   Protocol    |          Reserved (24 bits)                   |
 *   +---------------+---------------+-------------------------------+
 *   |        Internal Port          |    Suggested External Port    |
 *   +-------------------------------+-------------------------------+
 *   |           Suggested External IP Address (128 bits)            |
 *   +---------------------------------------------------------------+
 */
static int put_map(struct buf_writer *w, const struct pcp_map *m, int zero_family)
{
	/* §11.1: protocol 0 means all protocols, and then the internal port
	 * MUST be 0. */
	if (m->protocol == 0 && m->internal_port != 0)
		return -EINVAL;
	if (m->external.family && !addr_family_ok(&m->external))
		return -EINVAL;
	bw_bytes(w, m->nonce, PCP_NONCE_LEN);
	bw_u8(w, m->protocol);
	bw_zero(w, 3);
	bw_u16(w, m->internal_port);
	bw_u16(w, m->external_port);
	put_addr(w, &m->external, zero_family);
	return 0;
}

static void get_map(struct buf_reader *r, struct pcp_map *m)
{
	br_bytes(r, m->nonce, PCP_NONCE_LEN);
	m->protocol = br_u8(r);
	br_bytes(r, NULL, 3); /* reserved: ignored on reception */
	m->internal_port = br_u16(r);
	m->external_port = br_u16(r);
	m->external = get_addr(r);
}

static bool has_options(const struct pcp_options *o)
{
	return o->third_party || o->prefer_failure || o->n_filters;
}

/*
 * Options, RFC 6887 §7.3: a 4-byte header, then Option Length bytes of data
 * padded with zeros to a multiple of 4 (the padding is not counted).
 *
 *   +---------------+---------------+-------------------------------+
 *   |  Option Code  |  Reserved     |       Option Length           |
 *   +---------------+---------------+-------------------------------+
 *   :                       (optional) Data                         :
 *
 * FILTER data (§13.3), 20 bytes:
 *   |    Reserved   | Prefix Length |      Remote Peer Port         |
 *   |               Remote Peer IP address (128 bits)               |
 * THIRD_PARTY data (§13.1): the internal IP address, 16 bytes.
 * PREFER_FAILURE (§13.2): no data.
 */
static void put_opt_hdr(struct buf_writer *w, uint8_t code, uint16_t len)
{
	bw_u8(w, code);
	bw_u8(w, 0);
	bw_u16(w, len);
}

static int put_options(struct buf_writer *w, const struct pcp_options *o, uint8_t opcode)
{
	/* All three options are defined for MAP only (THIRD_PARTY also for
	 * PEER, which we do not encode). */
	if (opcode != PCP_OP_MAP && has_options(o))
		return -EINVAL;
	if (o->n_filters > PCP_MAX_FILTERS)
		return -EINVAL;
	if (o->third_party) {
		if (!addr_family_ok(&o->third_party_addr))
			return -EINVAL;
		put_opt_hdr(w, PCP_OPT_THIRD_PARTY, PCP_TP_LEN);
		put_addr(w, &o->third_party_addr, AF_INET6);
	}
	if (o->prefer_failure)
		put_opt_hdr(w, PCP_OPT_PREFER_FAILURE, 0);
	for (size_t i = 0; i < o->n_filters; i++) {
		const struct pcp_filter *f = &o->filters[i];
		unsigned max = f->peer.family == AF_INET ? 32 : 128;
		/* The wire prefix counts bits of the 128-bit (mapped) form. */
		unsigned wire =
		    f->peer.family == AF_INET ? V4MAPPED_BITS + f->prefix_len : f->prefix_len;

		if (!addr_family_ok(&f->peer) || f->prefix_len > max)
			return -EINVAL;
		put_opt_hdr(w, PCP_OPT_FILTER, PCP_FILTER_LEN);
		bw_u8(w, 0);
		bw_u8(w, (uint8_t)wire);
		bw_u16(w, f->peer.port);
		put_addr(w, &f->peer, AF_INET6);
	}
	return 0;
}

/* Read one FILTER's data; false if its prefix length is impossible. */
static bool get_filter(const uint8_t *data, struct pcp_filter *f)
{
	struct buf_reader r = buf_reader(data, PCP_FILTER_LEN);
	uint8_t wire;
	uint16_t port;

	br_u8(&r); /* reserved */
	wire = br_u8(&r);
	port = br_u16(&r);
	f->peer = get_addr(&r);
	f->peer.port = port;
	if (wire > 128)
		return false;
	if (f->peer.family == AF_INET6) {
		f->prefix_len = wire;
		return true;
	}
	/* §13.3: an IPv4-mapped peer takes a prefix of 96 bits or more; 0
	 * (no address filter at all) reads as IPv4 prefix 0. */
	if (wire != 0 && wire < V4MAPPED_BITS)
		return false;
	f->prefix_len = wire ? (uint8_t)(wire - V4MAPPED_BITS) : 0;
	return true;
}

/*
 * One known option at data (len bytes): into o, or the PCP result that
 * describes its fault (PCP_MALFORMED_OPTION, PCP_EXCESSIVE_REMOTE_PEERS).
 */
static uint8_t get_known_option(struct pcp_options *o, uint8_t code, const uint8_t *data,
				size_t len, uint8_t opcode)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY:
		if (opcode != PCP_OP_MAP || len != PCP_TP_LEN || o->third_party)
			return PCP_MALFORMED_OPTION;
		o->third_party = true;
		o->third_party_addr = netaddr_unmap(netaddr_v6(data, 0));
		return 0;
	case PCP_OPT_PREFER_FAILURE:
		if (opcode != PCP_OP_MAP || len != 0 || o->prefer_failure)
			return PCP_MALFORMED_OPTION;
		o->prefer_failure = true;
		return 0;
	default: /* PCP_OPT_FILTER */
		if (opcode != PCP_OP_MAP || len != PCP_FILTER_LEN)
			return PCP_MALFORMED_OPTION;
		if (o->n_filters == PCP_MAX_FILTERS)
			return PCP_EXCESSIVE_REMOTE_PEERS;
		if (!get_filter(data, &o->filters[o->n_filters]))
			return PCP_MALFORMED_OPTION;
		o->n_filters++;
		return 0;
	}
}

/*
 * Walk the options that fill the rest of r. A server (strict) stops at the
 * first fault and returns the PCP result that describes it:
 * PCP_MALFORMED_OPTION or PCP_EXCESSIVE_REMOTE_PEERS. A client (!strict)
 * keeps the message: a faulty option is ignored and counted in
 * o->n_malformed, and the walk stops only where it cannot go on (an option
 * running past the end). Unknown mandatory options are recorded in o.
 */
static uint8_t get_options(struct buf_reader *r, struct pcp_options *o, uint8_t opcode, bool strict)
{
	while (br_left(r) > 0) {
		uint8_t code = 0, fault;
		size_t len = 0;
		const uint8_t *data = NULL;

		if (br_left(r) >= PCP_OPT_HDR) {
			code = br_u8(r);
			br_u8(r); /* reserved: ignored on reception */
			len = br_u16(r);
			data = br_take(r, (len + 3) & ~(size_t)3); /* padded */
		}
		if (!data) {
			/* Runs past the end: nothing after it can be read. */
			if (strict)
				return PCP_MALFORMED_OPTION;
			o->n_malformed++;
			return 0;
		}
		switch (code) {
		case PCP_OPT_THIRD_PARTY:
		case PCP_OPT_PREFER_FAILURE:
		case PCP_OPT_FILTER:
			fault = get_known_option(o, code, data, len, opcode);
			if (fault && strict)
				return fault;
			if (fault)
				o->n_malformed++;
			break;
		default:
			if (code < PCP_OPT_OPTIONAL_MIN && !o->unknown_mandatory) {
				o->unknown_mandatory = true;
				o->unknown_code = code;
			} else {
				o->n_skipped++;
			}
			break;
		}
	}
	return 0;
}

/*
 * Request header, RFC 6887 §7.1:
 *
 *   +---------------+---------------+-------------------------------+
 *   |  Version = 2  |R|   Opcode    |         Reserved              |
 *   +---------------+---------------+-------------------------------+
 *   |                 Requested Lifetime (32 bits)                  |
 *   +---------------------------------------------------------------+
 *   |            PCP Client's IP Address (128 bits)                 |
 *   +---------------------------------------------------------------+
 *   :             (optional) Opcode-specific information            :
 *   :             (optional) PCP Options                            :
 */
int pcp_encode_request(const struct pcp_request *req, uint8_t out[static PCP_MAX_LEN])
{
	struct buf_writer w = buf_writer(out, PCP_MAX_LEN);
	int rc;

	if (!known_opcode(req->opcode) || !addr_family_ok(&req->client))
		return -EINVAL;
	bw_u8(&w, PCP_VERSION);
	bw_u8(&w, req->opcode);
	bw_u16(&w, 0);
	/* §14.1: ANNOUNCE's lifetime MUST be 0 on transmission. */
	bw_u32(&w, req->opcode == PCP_OP_ANNOUNCE ? 0 : req->lifetime);
	put_addr(&w, &req->client, AF_INET6);
	if (req->opcode == PCP_OP_MAP) {
		/* No preference for the external address: the all-zeros
		 * address of the client's family asks for that family. */
		rc = put_map(&w, &req->map, req->client.family);
		if (rc < 0)
			return rc;
	}
	rc = put_options(&w, &req->opts, req->opcode);
	if (rc < 0)
		return rc;
	return w.err ? -EMSGSIZE : (int)w.len;
}

int pcp_decode_request(struct pcp_request *req, const uint8_t *p, size_t len)
{
	struct buf_reader r = buf_reader(p, len);

	memset(req, 0, sizeof(*req));
	/* §8.3, in its order: too short to have an R bit, then responses,
	 * are dropped; then version, size and opcode get an error answer. */
	if (len < 2)
		return -EMSGSIZE;
	req->version = br_u8(&r);
	req->opcode = br_u8(&r);
	if (req->opcode & PCP_R_BIT)
		return -EBADMSG;
	if (req->version != PCP_VERSION) {
		req->result = PCP_UNSUPP_VERSION;
		return 0;
	}
	/* §8.3: a version-2 message shorter than the header is dropped
	 * silently; longer than 1100 bytes or not a multiple of 4 is
	 * answered MALFORMED_REQUEST. */
	if (len < PCP_MIN_LEN)
		return -EMSGSIZE;
	if (!size_ok(len)) {
		req->result = PCP_MALFORMED_REQUEST;
		return 0;
	}
	if (!known_opcode(req->opcode)) {
		req->result = PCP_UNSUPP_OPCODE;
		return 0;
	}
	br_u16(&r); /* reserved */
	req->lifetime = br_u32(&r);
	req->client = get_addr(&r);
	if (req->opcode == PCP_OP_MAP) {
		if (br_left(&r) < PCP_MAP_LEN) {
			req->result = PCP_MALFORMED_REQUEST;
			return 0;
		}
		get_map(&r, &req->map);
	}
	req->result = get_options(&r, &req->opts, req->opcode, true);
	if (req->result == PCP_SUCCESS && req->opts.unknown_mandatory)
		req->result = PCP_UNSUPP_OPTION;
	return 0;
}

/*
 * Response header, RFC 6887 §7.2:
 *
 *   +---------------+---------------+---------------+---------------+
 *   |  Version = 2  |R|   Opcode    |   Reserved    |  Result Code  |
 *   +---------------+---------------+---------------+---------------+
 *   |                      Lifetime (32 bits)                       |
 *   +---------------------------------------------------------------+
 *   |                     Epoch Time (32 bits)                      |
 *   +---------------------------------------------------------------+
 *   |                      Reserved (96 bits)                       |
 *   +---------------------------------------------------------------+
 *   :             (optional) Opcode-specific response data          :
 *   :             (optional) Options                                :
 */
int pcp_encode_response(const struct pcp_response *resp, uint8_t out[static PCP_MAX_LEN])
{
	struct buf_writer w = buf_writer(out, PCP_MAX_LEN);
	int rc;

	if (!known_opcode(resp->opcode) || (resp->has_map && resp->opcode != PCP_OP_MAP))
		return -EINVAL;
	bw_u8(&w, resp->version);
	bw_u8(&w, PCP_R_BIT | resp->opcode);
	bw_u8(&w, 0);
	bw_u8(&w, resp->result);
	bw_u32(&w, resp->lifetime);
	bw_u32(&w, resp->epoch);
	bw_zero(&w, 12);
	if (resp->has_map) {
		rc = put_map(&w, &resp->map, AF_INET6);
		if (rc < 0)
			return rc;
	}
	rc = put_options(&w, &resp->opts, resp->opcode);
	if (rc < 0)
		return rc;
	return w.err ? -EMSGSIZE : (int)w.len;
}

/*
 * §9: a server that does not speak version 2 answers UNSUPP_VERSION with
 * the version it does speak. Version 0 is a NAT-PMP gateway, which answers
 * in NAT-PMP framing (RFC 6886 §3.5); other versions use PCP's header.
 */
static int decode_version_reply(struct pcp_response *resp, const uint8_t *p, size_t len)
{
	struct buf_reader r = buf_reader(p, len);

	if (p[0] == NATPMP_VERSION) {
		struct natpmp_response n;

		if (natpmp_decode_response(&n, p, len) < 0 || n.result != NATPMP_UNSUPP_VERSION)
			return -EPROTONOSUPPORT;
		resp->version = NATPMP_VERSION;
		resp->opcode = n.opcode;
		resp->result = PCP_UNSUPP_VERSION;
		resp->epoch = n.epoch;
		return 0;
	}
	if (!size_ok(len) || !(p[1] & PCP_R_BIT) || p[3] != PCP_UNSUPP_VERSION)
		return -EPROTONOSUPPORT;
	resp->version = br_u8(&r);
	resp->opcode = br_u8(&r) & PCP_OP_MASK;
	br_u8(&r);
	resp->result = br_u8(&r);
	resp->lifetime = br_u32(&r);
	resp->epoch = br_u32(&r);
	return 0;
}

int pcp_decode_response(struct pcp_response *resp, const uint8_t *p, size_t len)
{
	struct buf_reader r = buf_reader(p, len);
	uint8_t op;

	memset(resp, 0, sizeof(*resp));
	if (len >= 1 && p[0] != PCP_VERSION)
		return decode_version_reply(resp, p, len);
	if (!size_ok(len))
		return -EMSGSIZE;
	resp->version = br_u8(&r);
	op = br_u8(&r);
	br_u8(&r); /* reserved */
	resp->result = br_u8(&r);
	resp->lifetime = br_u32(&r);
	resp->epoch = br_u32(&r);
	br_bytes(&r, NULL, 12); /* reserved */
	if (!(op & PCP_R_BIT))
		return -EBADMSG; /* a request, perhaps our own looped back */
	resp->opcode = op & PCP_OP_MASK;
	if (!known_opcode(resp->opcode))
		return -EOPNOTSUPP;
	if (resp->opcode == PCP_OP_MAP) {
		/* §8.3 has error answers copy the request's fields, but a
		 * bare header is the one short form worth accepting. */
		if (br_left(&r) == 0 && resp->result != PCP_SUCCESS)
			return resp->result > PCP_RESULT_MAX ? -ERANGE : 0;
		if (br_left(&r) < PCP_MAP_LEN)
			return -EMSGSIZE;
		get_map(&r, &resp->map);
		resp->has_map = true;
	}
	/* §7.3 has the client ignore what it cannot use: one bad option
	 * must not hide a SUCCESS for a mapping the router now holds. */
	get_options(&r, &resp->opts, resp->opcode, false);
	return resp->result > PCP_RESULT_MAX ? -ERANGE : 0;
}

enum pcp_mismatch pcp_response_mismatch(const struct pcp_request *req,
					const struct pcp_response *resp)
{
	/* A version-2 UNSUPP_VERSION answers no version-2 request: it is a
	 * PCP-only server refusing a NAT-PMP request (§9; miniupnpd's
	 * createPCPResponse sends it with opcode 0 and the R bit). */
	if (resp->version != PCP_VERSION || resp->result == PCP_UNSUPP_VERSION)
		return PCP_MISMATCH_VERSION;
	if (resp->opcode != req->opcode)
		return PCP_MISMATCH_OPCODE;
	if (req->opcode != PCP_OP_MAP)
		return PCP_MATCH;
	if (!resp->has_map)
		return PCP_MISMATCH_NO_DATA;
	if (memcmp(resp->map.nonce, req->map.nonce, PCP_NONCE_LEN) != 0)
		return PCP_MISMATCH_NONCE;
	if (resp->map.protocol != req->map.protocol ||
	    resp->map.internal_port != req->map.internal_port)
		return PCP_MISMATCH_PROTOCOL_PORT;
	return PCP_MATCH;
}

bool pcp_response_matches(const struct pcp_request *req, const struct pcp_response *resp)
{
	return pcp_response_mismatch(req, resp) == PCP_MATCH;
}

bool pcp_epoch_valid(uint32_t prev, uint32_t cur, uint32_t client_elapsed_s)
{
	/* 64-bit signed arithmetic: no wrap for values near UINT32_MAX. */
	int64_t server_delta, client_delta = client_elapsed_s;

	/* Going back by up to a second is reordering, not a reboot; the
	 * delta stays negative in the formula below (not clamped to 0). */
	if ((int64_t)cur + 1 < (int64_t)prev)
		return false;
	server_delta = (int64_t)cur - prev;
	/* 2 s for the two clocks' 1 s resolution, 1/16 for cheap clocks
	 * drifting apart. */
	return !(client_delta + 2 < server_delta - server_delta / 16 ||
		 server_delta + 2 < client_delta - client_delta / 16);
}

const char *pcp_result_name(unsigned result)
{
	static const char *const names[] = {
		[PCP_SUCCESS] = "SUCCESS",
		[PCP_UNSUPP_VERSION] = "UNSUPP_VERSION",
		[PCP_NOT_AUTHORIZED] = "NOT_AUTHORIZED",
		[PCP_MALFORMED_REQUEST] = "MALFORMED_REQUEST",
		[PCP_UNSUPP_OPCODE] = "UNSUPP_OPCODE",
		[PCP_UNSUPP_OPTION] = "UNSUPP_OPTION",
		[PCP_MALFORMED_OPTION] = "MALFORMED_OPTION",
		[PCP_NETWORK_FAILURE] = "NETWORK_FAILURE",
		[PCP_NO_RESOURCES] = "NO_RESOURCES",
		[PCP_UNSUPP_PROTOCOL] = "UNSUPP_PROTOCOL",
		[PCP_USER_EX_QUOTA] = "USER_EX_QUOTA",
		[PCP_CANNOT_PROVIDE_EXTERNAL] = "CANNOT_PROVIDE_EXTERNAL",
		[PCP_ADDRESS_MISMATCH] = "ADDRESS_MISMATCH",
		[PCP_EXCESSIVE_REMOTE_PEERS] = "EXCESSIVE_REMOTE_PEERS",
	};

	return result <= PCP_RESULT_MAX ? names[result] : "UNKNOWN";
}

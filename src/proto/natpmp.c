/* SPDX-License-Identifier: MIT */
#include "proto/natpmp.h"

#include <errno.h>
#include <string.h>

#include "util/buf.h"

static bool is_map(uint8_t op)
{
	return op == NATPMP_OP_MAP_UDP || op == NATPMP_OP_MAP_TCP;
}

static bool is_known(uint8_t op)
{
	return op == NATPMP_OP_EXTERNAL || is_map(op);
}

/*
 * Requests, RFC 6886 §3.2 and §3.3:
 *
 *   external address      map (OP = 1 UDP, 2 TCP)
 *   +--------+--------+   +--------+--------+-----------------+
 *   | Vers=0 | OP = 0 |   | Vers=0 | OP = x | Reserved        |
 *   +--------+--------+   +--------+--------+-----------------+
 *                         | Internal Port   | Suggested Ext.  |
 *                         +-----------------+-----------------+
 *                         | Requested Lifetime in Seconds     |
 *                         +-----------------------------------+
 */
int natpmp_encode_request(const struct natpmp_request *req, uint8_t out[static NATPMP_MSG_MAX])
{
	struct buf_writer w = buf_writer(out, NATPMP_MSG_MAX);

	if (!is_known(req->opcode))
		return -EINVAL;
	bw_u8(&w, NATPMP_VERSION);
	bw_u8(&w, req->opcode);
	if (is_map(req->opcode)) {
		bw_u16(&w, 0);
		bw_u16(&w, req->internal_port);
		/* §3.4: a deletion MUST carry suggested external port 0. */
		bw_u16(&w, req->lifetime ? req->external_port : 0);
		bw_u32(&w, req->lifetime);
	}
	return w.err ? -ENOBUFS : (int)w.len;
}

int natpmp_decode_request(struct natpmp_request *req, const uint8_t *p, size_t len)
{
	struct buf_reader r = buf_reader(p, len);

	memset(req, 0, sizeof(*req));
	if (len < NATPMP_EXTERNAL_REQ_LEN)
		return -EMSGSIZE;
	req->version = br_u8(&r);
	req->opcode = br_u8(&r);
	/* §3.5: responses are ignored silently, before anything else is
	 * answered (two gateways must not talk to each other forever). */
	if (req->opcode >= NATPMP_OP_RESPONSE)
		return -EBADMSG;
	if (req->version != NATPMP_VERSION) {
		req->result = NATPMP_UNSUPP_VERSION;
		return 0;
	}
	if (!is_known(req->opcode)) {
		req->result = NATPMP_UNSUPP_OPCODE;
		return 0;
	}
	if (len != (is_map(req->opcode) ? NATPMP_MAP_REQ_LEN : NATPMP_EXTERNAL_REQ_LEN))
		return -EMSGSIZE;
	if (is_map(req->opcode)) {
		br_u16(&r); /* reserved: ignored on reception */
		req->internal_port = br_u16(&r);
		req->external_port = br_u16(&r);
		req->lifetime = br_u32(&r);
	}
	req->result = NATPMP_SUCCESS;
	return r.err ? -EMSGSIZE : 0;
}

/*
 * Responses, RFC 6886 §3.2 and §3.3 (the brief error form stops after the
 * epoch, as in the §3.5 figure):
 *
 *   +--------+--------------+-----------------+
 *   | Vers=0 | OP = 128 + x | Result Code     |
 *   +--------+--------------+-----------------+
 *   | Seconds Since Start of Epoch            |
 *   +-----------------------------------------+
 *   x = 0: | External IPv4 Address (a.b.c.d)  |
 *   x = 1, 2:
 *   | Internal Port         | Mapped Ext. Port |
 *   | Port Mapping Lifetime in Seconds         |
 *   +-----------------------------------------+
 */
int natpmp_encode_response(const struct natpmp_response *resp, uint8_t out[static NATPMP_MSG_MAX])
{
	struct buf_writer w = buf_writer(out, NATPMP_MSG_MAX);

	if (resp->opcode >= NATPMP_OP_RESPONSE || (!resp->brief && !is_known(resp->opcode)))
		return -EINVAL;
	if (resp->opcode == NATPMP_OP_EXTERNAL && !resp->brief &&
	    resp->external.family != AF_INET && resp->external.family != 0)
		return -EINVAL;
	bw_u8(&w, NATPMP_VERSION);
	bw_u8(&w, (uint8_t)(NATPMP_OP_RESPONSE + resp->opcode));
	bw_u16(&w, resp->result);
	bw_u32(&w, resp->epoch);
	if (!resp->brief && resp->opcode == NATPMP_OP_EXTERNAL) {
		if (resp->external.family)
			bw_bytes(&w, resp->external.ip, 4);
		else
			bw_zero(&w, 4); /* none: 0.0.0.0, as §3.2 asks on errors */
	} else if (!resp->brief) {
		bw_u16(&w, resp->internal_port);
		bw_u16(&w, resp->external_port);
		bw_u32(&w, resp->lifetime);
	}
	return w.err ? -ENOBUFS : (int)w.len;
}

/* The length of a full (not brief) response to a known opcode; longer
 * answers are padded and the rest is ignored. */
static size_t full_len(uint8_t op)
{
	return is_map(op) ? NATPMP_MAP_RESP_LEN : NATPMP_EXTERNAL_RESP_LEN;
}

int natpmp_decode_response(struct natpmp_response *resp, const uint8_t *p, size_t len)
{
	struct buf_reader r = buf_reader(p, len);
	uint8_t version, op;

	memset(resp, 0, sizeof(*resp));
	/* Every response has at least the header and the epoch. */
	if (len < NATPMP_BRIEF_RESP_LEN || len > NATPMP_DATAGRAM_MAX)
		return -EMSGSIZE;
	version = br_u8(&r);
	op = br_u8(&r);
	resp->result = br_u16(&r);
	resp->epoch = br_u32(&r);
	if (version != NATPMP_VERSION)
		return -EPROTONOSUPPORT;
	if (op < NATPMP_OP_RESPONSE) {
		/* §3.5 draws the UNSUPP_VERSION answer with a literal OP = 0;
		 * anything else below 128 is a request. */
		if (op != 0 || resp->result != NATPMP_UNSUPP_VERSION)
			return -EBADMSG;
		resp->brief = true;
		return 0;
	}
	resp->opcode = (uint8_t)(op - NATPMP_OP_RESPONSE);
	if (!is_known(resp->opcode)) {
		/* An echo of a request we cannot have sent: nothing to read
		 * past the epoch, and it cannot be a success. */
		if (resp->result == NATPMP_SUCCESS)
			return -EOPNOTSUPP;
		resp->brief = true;
	} else if (len < full_len(resp->opcode) && resp->result != NATPMP_SUCCESS) {
		/* The brief error form (8 bytes), padded or not. */
		resp->brief = true;
	} else if (len < full_len(resp->opcode)) {
		return -EMSGSIZE;
	} else if (resp->opcode == NATPMP_OP_EXTERNAL) {
		const uint8_t *ip = br_take(&r, 4);

		/* §3.2: the address of an error answer MUST be ignored. */
		if (ip && resp->result == NATPMP_SUCCESS)
			resp->external = netaddr_v4(ip, 0);
	} else {
		resp->internal_port = br_u16(&r);
		resp->external_port = br_u16(&r);
		resp->lifetime = br_u32(&r);
	}
	if (r.err)
		return -EMSGSIZE;
	return resp->result > NATPMP_RESULT_MAX ? -ERANGE : 0;
}

bool natpmp_response_matches(const struct natpmp_request *req, const struct natpmp_response *resp)
{
	if (resp->result == NATPMP_UNSUPP_VERSION || resp->opcode != req->opcode)
		return false;
	if (is_map(req->opcode))
		return !resp->brief && resp->internal_port == req->internal_port;
	return true;
}

bool natpmp_epoch_valid(uint32_t prev, uint32_t cur, uint32_t client_elapsed_s)
{
	/* 64-bit: prev near UINT32_MAX plus days of elapsed time must not
	 * wrap into a small "expected" value. */
	uint64_t expected = (uint64_t)prev + (uint64_t)client_elapsed_s * 7 / 8;

	return (uint64_t)cur + 2 >= expected;
}

const char *natpmp_result_name(unsigned result)
{
	static const char *const names[] = {
		[NATPMP_SUCCESS] = "SUCCESS",
		[NATPMP_UNSUPP_VERSION] = "UNSUPP_VERSION",
		[NATPMP_NOT_AUTHORIZED] = "NOT_AUTHORIZED",
		[NATPMP_NETWORK_FAILURE] = "NETWORK_FAILURE",
		[NATPMP_NO_RESOURCES] = "NO_RESOURCES",
		[NATPMP_UNSUPP_OPCODE] = "UNSUPP_OPCODE",
	};

	return result <= NATPMP_RESULT_MAX ? names[result] : "UNKNOWN";
}

/* SPDX-License-Identifier: MIT */
#include "serve/answer.h"

#include <errno.h>
#include <string.h>

bool serve_dial_allowed(const struct netaddr *in, bool allow_private)
{
	struct netaddr a = netaddr_unmap(*in);

	switch (netaddr_classify(&a)) {
	case NETADDR_PUBLIC:
		return true;
	case NETADDR_PRIVATE:
	case NETADDR_CGNAT:
		return allow_private;
	default:
		return false;
	}
}

static void reply_error(const struct serve_in *in, const struct stun_msg *m, uint16_t code,
			const uint16_t *unknown, size_t n_unknown, uint8_t *out, size_t cap,
			struct serve_out *o)
{
	struct stun_opts so = {
		.cls = STUN_ERROR,
		.method = m->method,
		.tid = m->tid,
		.error_code = code,
		.unknown_attributes = unknown,
		.n_unknown_attributes = n_unknown,
		.fingerprint = m->has_fingerprint,
	};
	int n = stun_encode(&so, out, cap);

	/* An error response is small (a reason of at most 17 bytes and 16
	 * types); it cannot fail to fit SERVE_RESPONSE_MAX. Belt and braces:
	 * and it must not amplify either. */
	if (n < 0 || (size_t)n > in->len + SERVE_ALLOWANCE_V4) {
		o->action = SERVE_DROP;
		o->drop = SERVE_DROP_MALFORMED;
		return;
	}
	o->action = SERVE_REPLY;
	o->error = code;
	o->len = (size_t)n;
	o->from_addr = in->at_addr;
	o->from_port = in->at_port;
	o->to_port = in->src.port;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int serve_answer(const struct serve_conf *conf, const struct serve_in *in,
		 const struct cookie_keys *keys, uint32_t now_s, const struct dialback_res *result,
		 uint8_t *out, size_t cap, struct serve_out *o)
{
	bool two = conf->addr[1].family != 0;
	uint8_t extra[DIALBACK_ATTRS_MAX];
	struct dialback_attrs da, reply_da = { 0 };
	struct netaddr origin, other, mapped;
	struct stun_opts so;
	struct stun_msg m;
	size_t allowance, budget, base;
	int rc, n;

	memset(o, 0, sizeof(*o));
	if (in->at_addr > 1 || in->at_port > 1 || (in->at_addr == 1 && !two) ||
	    cap < SERVE_RESPONSE_MAX || !conf->addr[0].family)
		return -EINVAL;

	rc = stun_decode(&m, in->pkt, in->len);
	if (rc < 0) {
		/* RFC 8489 §6.3: a message that is not well formed is dropped
		 * silently; answering garbage would reflect it. */
		o->drop = rc == -ENOMSG ? SERVE_DROP_NOT_STUN : SERVE_DROP_MALFORMED;
		return 0;
	}
	memcpy(o->tid, m.tid, STUN_TID_LEN);
	if (m.cls != STUN_REQUEST) {
		/* Indications get no answer (§6.3.2); responses are not ours. */
		o->drop = SERVE_DROP_NOT_REQUEST;
		return 0;
	}
	if (m.method != STUN_BINDING) {
		reply_error(in, &m, STUN_ERR_BAD_REQUEST, NULL, 0, out, cap, o);
		return 0;
	}
	/* RFC 8489 §6.3.1: unknown comprehension-required attributes. */
	if (m.n_unknown) {
		reply_error(in, &m, STUN_ERR_UNKNOWN_ATTRIBUTE, m.unknown, m.n_unknown, out, cap,
			    o);
		return 0;
	}
	if (m.bad_attrs || dialback_find(&da, in->pkt, in->len) < 0 ||
	    (m.has_response_port && m.has_padding) ||
	    (in->tcp && (m.has_change_request || m.has_response_port)) ||
	    (m.has_response_port && m.response_port == 0)) {
		reply_error(in, &m, STUN_ERR_BAD_REQUEST, NULL, 0, out, cap, o);
		return 0;
	}
	if (m.has_change_request && !two) {
		/* RFC 5780 §6: without a second address the server does not
		 * do CHANGE-REQUEST and says so as for an unknown attribute. */
		static const uint16_t cr = STUN_ATTR_CHANGE_REQUEST;

		reply_error(in, &m, STUN_ERR_UNKNOWN_ATTRIBUTE, &cr, 1, out, cap, o);
		return 0;
	}

	o->from_addr = in->at_addr ^ (unsigned)(m.has_change_request && m.change_ip);
	o->from_port = in->at_port ^ (unsigned)(m.has_change_request && m.change_port);
	o->to_port = m.has_response_port ? m.response_port : in->src.port;

	if (da.has_req) {
		o->dial = da.req;
		if (result) {
			reply_da.has_result = true;
			reply_da.result = *result;
			o->has_result = true;
		} else if (da.req.port == 0 || !serve_dial_allowed(&in->src, conf->allow_private)) {
			reply_da.has_result = true;
			reply_da.result = (struct dialback_res){ .proto = da.req.proto,
								 .result = DIALBACK_DENIED,
								 .port = da.req.port };
			o->has_result = true;
		} else if (in->tcp || (da.has_cookie &&
				       cookie_valid(keys, now_s, &in->src, &da.req, &da.cookie))) {
			o->action = SERVE_DIALBACK;
			return 0;
		} else {
			reply_da.has_cookie = true;
			cookie_make(keys, now_s, &in->src, &da.req, &reply_da.cookie);
			o->cookie_issued = true;
		}
	}

	mapped = in->src;
	origin = conf->addr[o->from_addr];
	origin.port = conf->port[o->from_port];
	other = conf->addr[in->at_addr ^ 1];
	other.port = conf->port[in->at_port ^ 1];
	n = dialback_encode(&reply_da, extra, sizeof(extra));
	if (n < 0)
		return n;
	so = (struct stun_opts){
		.cls = STUN_SUCCESS,
		.method = STUN_BINDING,
		.tid = m.tid,
		.xor_mapped = &mapped,
		.response_origin = &origin,
		.other_address = two ? &other : NULL,
		.extra = extra,
		.extra_len = (size_t)n,
		.fingerprint = m.has_fingerprint,
	};
	/* PADDING (RFC 5780 §7.6): as much as asked, as far as the bound on
	 * amplification allows; the request's own PADDING pays for most. */
	allowance = conf->addr[0].family == AF_INET6 ? SERVE_ALLOWANCE_V6 : SERVE_ALLOWANCE_V4;
	budget = in->len + allowance;
	if (budget > SERVE_RESPONSE_MAX)
		budget = SERVE_RESPONSE_MAX;
	if (m.has_padding && m.padding_len) {
		rc = stun_encode(&so, out, cap);
		if (rc < 0)
			return rc;
		base = (size_t)rc;
		if (base + 4 + 4 <= budget) {
			size_t room = (budget - base - 4) & ~(size_t)3;

			so.padding_len =
			    (uint16_t)(pad4(m.padding_len) <= room ? m.padding_len : room);
		}
	}
	rc = stun_encode(&so, out, cap);
	if (rc < 0)
		return rc;
	if ((size_t)rc > budget) {
		/* Cannot happen with the allowances above; never amplify. */
		memset(o, 0, sizeof(*o));
		o->drop = SERVE_DROP_MALFORMED;
		return 0;
	}
	o->action = SERVE_REPLY;
	o->len = (size_t)rc;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* The client half of the dial-back (dial/dialclient.h). */
#include "dial/dialclient.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "util/text.h"

static const unsigned retx_ms[] = { 200, 600, 1000, 1400, 1800, 2200, 2600 };
#define N_SENDS (1 + sizeof(retx_ms) / sizeof(retx_ms[0]))

int dialclient_xmit_prepare(struct dialclient_xmit *x, const struct dialback_attrs *a)
{
	uint8_t extra[DIALBACK_ATTRS_MAX];
	struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING };
	int n = 0;

	if (getrandom(x->tid, sizeof(x->tid), 0) != (ssize_t)sizeof(x->tid))
		return -EIO;
	if (a) {
		n = dialback_encode(a, extra, sizeof(extra));
		if (n < 0)
			return n;
	}
	o.tid = x->tid;
	o.extra = n ? extra : NULL;
	o.extra_len = (size_t)n;
	n = stun_encode(&o, x->pkt, sizeof(x->pkt));
	if (n < 0)
		return n;
	x->len = (size_t)n;
	x->n_sent = 0;
	x->first_ms = 0;
	x->active = true;
	return 0;
}

void dialclient_xmit_sent(struct dialclient_xmit *x, uint64_t now_ms)
{
	if (x->n_sent == 0)
		x->first_ms = now_ms;
	x->n_sent++;
}

uint64_t dialclient_xmit_due(const struct dialclient_xmit *x)
{
	if (!x->active || x->n_sent == 0 || x->n_sent >= N_SENDS)
		return UINT64_MAX;
	return x->first_ms + retx_ms[x->n_sent - 1];
}

int dialclient_request(struct dialclient_xmit *x, const struct dialback_req *req,
		       const struct dialback_cookie *cookie)
{
	struct dialback_attrs a = { .has_req = true, .req = *req };

	if (cookie) {
		a.has_cookie = true;
		a.cookie = *cookie;
	}
	return dialclient_xmit_prepare(x, &a);
}

bool dialclient_observed_believable(const struct netaddr *server, const struct netaddr *m)
{
	enum netaddr_class sc = netaddr_classify(server), mc = netaddr_classify(m);

	if (m->family != AF_INET || m->port == 0)
		return false;
	if (sc == NETADDR_PUBLIC)
		return mc == NETADDR_PUBLIC;
	return mc >= NETADDR_RESERVED || (mc == NETADDR_LOOPBACK && sc == NETADDR_LOOPBACK);
}

enum dialclient_ev dialclient_answer(const struct netaddr *server, const struct dialback_req *req,
				     bool have_cookie, const struct stun_msg *m, const uint8_t *pkt,
				     size_t len, struct dialclient_answer *out)
{
	const struct netaddr *mapped = stun_msg_mapped(m);
	struct dialback_attrs a;

	memset(out, 0, sizeof(*out));
	if (m->cls == STUN_ERROR) {
		char reason[64];

		if (!m->has_error)
			return DIALCLIENT_BAD;
		text_sanitize(reason, sizeof(reason), m->error_reason, m->error_reason_len);
		TEXT_SET(out->error, "error %u %s", m->error_code, reason);
		return DIALCLIENT_ERROR;
	}
	if (m->cls != STUN_SUCCESS || !mapped || !dialclient_observed_believable(server, mapped) ||
	    dialback_find(&a, pkt, len) < 0)
		return DIALCLIENT_BAD;
	out->observed = *mapped;
	if (m->has_other_address && dialclient_observed_believable(server, &m->other_address) &&
	    !netaddr_eq(&m->other_address, server, true)) {
		out->has_other = true;
		out->other = m->other_address;
	}
	if (a.has_result) {
		if (!have_cookie || a.result.proto != req->proto || a.result.port != req->port ||
		    a.result.result == 0 || a.result.result > DIALBACK_RESULT_MAX)
			return DIALCLIENT_BAD;
		out->result = a.result;
		return DIALCLIENT_RESULT;
	}
	if (a.has_cookie && !have_cookie) {
		out->cookie = a.cookie;
		return DIALCLIENT_COOKIE;
	}
	if (!a.has_cookie && !have_cookie)
		return DIALCLIENT_NOT_DIALBACK;
	return DIALCLIENT_BAD; /* a second cookie for a request that carried one */
}

/* SPDX-License-Identifier: MIT */
#include "gw/mapping.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

const char *gw_method_name(enum gw_method m)
{
	return m == GW_PCP ? "PCP" : m == GW_NATPMP ? "NAT-PMP" : "UPnP";
}

bool gw_external_believable(const struct netaddr *a)
{
	return netaddr_classify(a) >= NETADDR_RESERVED;
}

bool gw_external_behind_nat(const struct netaddr *a)
{
	enum netaddr_class k = netaddr_classify(a);

	return k == NETADDR_PRIVATE || k == NETADDR_CGNAT;
}

enum gw_reject gw_reject_decode(int err)
{
	switch (err) {
	case -EMSGSIZE:
		return GW_REJECT_LENGTH;
	case -EPROTONOSUPPORT:
		return GW_REJECT_VERSION;
	case -EBADMSG:
		return GW_REJECT_NOT_ANSWER;
	case -EOPNOTSUPP:
		return GW_REJECT_OPCODE;
	default:
		return GW_REJECT_MALFORMED;
	}
}

int gw_decode(struct gw_answer *a, const uint8_t *p, size_t len)
{
	int r;

	memset(a, 0, sizeof(*a));
	if (len < 1)
		return -EMSGSIZE;
	if (p[0] == NATPMP_VERSION) {
		a->method = GW_NATPMP;
		r = natpmp_decode_response(&a->u.natpmp, p, len);
		if (r < 0 && r != -ERANGE)
			return r;
		a->epoch = a->u.natpmp.epoch;
		/* A NAT-PMP-only server refusing our PCP request (RFC 6887 §9). */
		a->unsupp_version = a->u.natpmp.result == NATPMP_UNSUPP_VERSION;
		return 0;
	}
	a->method = GW_PCP;
	r = pcp_decode_response(&a->u.pcp, p, len);
	if (r < 0 && r != -ERANGE)
		return r;
	a->epoch = a->u.pcp.epoch;
	a->unsupp_version =
	    a->u.pcp.version != PCP_VERSION || a->u.pcp.result == PCP_UNSUPP_VERSION;
	return 0;
}

bool gw_epoch_lost(struct gw_epoch *e, const struct gw_answer *a, uint64_t now_ms)
{
	bool lost = false;

	if (a->unsupp_version)
		return false; /* another server's clock speaks here */
	if (e->have && e->method == a->method && now_ms >= e->at_ms) {
		uint64_t el = (now_ms - e->at_ms) / 1000;
		uint32_t s = el > UINT32_MAX ? UINT32_MAX : (uint32_t)el;

		lost = a->method == GW_PCP ? !pcp_epoch_valid(e->epoch, a->epoch, s)
					   : !natpmp_epoch_valid(e->epoch, a->epoch, s);
	}
	e->have = true;
	e->method = a->method;
	e->epoch = a->epoch;
	e->at_ms = now_ms;
	return lost;
}

void gw_map_init(struct gw_map *m, enum gw_method method, uint8_t protocol, uint16_t internal_port,
		 uint16_t want_external, uint32_t lifetime_s, const struct netaddr *client,
		 const uint8_t nonce[PCP_NONCE_LEN])
{
	memset(m, 0, sizeof(*m));
	m->method = method;
	m->state = GW_MAP_IDLE;
	m->protocol = protocol;
	m->internal_port = internal_port;
	m->want_external = want_external;
	m->lifetime_s = lifetime_s;
	m->client = *client;
	memcpy(m->nonce, nonce, PCP_NONCE_LEN);
	m->next_ms = RETX_DONE;
	m->result = -1;
}

void gw_map_oneshot(struct gw_map *m, const struct retx_profile *p)
{
	m->oneshot = p;
}

void gw_map_start(struct gw_map *m, uint64_t now_ms)
{
	m->state = GW_MAP_ASKING;
	retx_init(&m->rx, m->oneshot		? m->oneshot
			  : m->method == GW_PCP ? &retx_pcp_lan
						: &retx_rfc6886);
	m->next_ms = m->method == GW_UPNP ? RETX_DONE : now_ms;
	m->renew_k = 0;
}

void gw_map_delete(struct gw_map *m, uint64_t now_ms)
{
	if (m->state == GW_MAP_IDLE || m->state == GW_MAP_REFUSED || m->state == GW_MAP_GONE) {
		m->state = GW_MAP_GONE;
		m->next_ms = RETX_DONE;
		return;
	}
	m->state = GW_MAP_DELETING;
	retx_init(&m->rx, &retx_lan_fast);
	m->next_ms = m->method == GW_UPNP ? RETX_DONE : now_ms;
}

void gw_map_forget(struct gw_map *m)
{
	m->state = GW_MAP_GONE;
	m->next_ms = RETX_DONE;
}

uint64_t gw_map_due(const struct gw_map *m)
{
	return m->next_ms;
}

uint64_t gw_renew_point(uint64_t granted_ms, uint64_t lifetime_ms, unsigned k, uint32_t rnd,
			uint64_t last_send_ms)
{
	uint64_t expiry = granted_ms + lifetime_ms, at, span;

	if (k > 30)
		return RETX_DONE;
	/* lifetime * (1 - 2^-(k+1)) + U * lifetime * 2^-(k+3) */
	at = granted_ms + lifetime_ms - (lifetime_ms >> (k + 1));
	span = lifetime_ms >> (k + 3);
	at += (span * rnd) >> 32;
	if (at < last_send_ms + GW_MIN_RENEW_GAP_MS)
		at = last_send_ms + GW_MIN_RENEW_GAP_MS;
	return at >= expiry ? RETX_DONE : at;
}

static int encode(const struct gw_map *m, uint32_t lifetime, uint8_t out[static PCP_MAX_LEN])
{
	if (m->method == GW_PCP) {
		struct pcp_request req = { .opcode = PCP_OP_MAP, .lifetime = lifetime };

		req.client = m->client;
		req.map.protocol = m->protocol;
		req.map.internal_port = m->internal_port;
		/* A renewal or delete names what was granted (§11.2, §15). */
		req.map.external_port = m->external_port ? m->external_port : m->want_external;
		if (m->external.family == AF_INET && m->external_port)
			req.map.external = m->external;
		memcpy(req.map.nonce, m->nonce, PCP_NONCE_LEN);
		return pcp_encode_request(&req, out);
	}
	struct natpmp_request req = {
		.opcode = m->protocol == IPPROTO_TCP ? NATPMP_OP_MAP_TCP : NATPMP_OP_MAP_UDP,
		.internal_port = m->internal_port,
		.external_port = m->external_port ? m->external_port : m->want_external,
		.lifetime = lifetime,
	};
	/* A delete's suggested external port "MUST be set to zero" (RFC 6886
	 * §3.4): the gateway finds the mapping by internal port. */
	if (!lifetime)
		req.external_port = 0;
	return natpmp_encode_request(&req, out);
}

static void set_renewal(struct gw_map *m, uint32_t rnd)
{
	if (m->oneshot) {
		m->next_ms = RETX_DONE; /* held until the caller deletes it */
		return;
	}
	m->renew_rnd = rnd;
	m->next_ms = gw_renew_point(m->granted_ms, (uint64_t)m->granted_s * 1000, m->renew_k, rnd,
				    m->last_send_ms);
	if (m->next_ms == RETX_DONE)
		m->next_ms = m->expires_ms; /* no renewal fits: act at expiry */
}

int gw_map_tick(struct gw_map *m, uint64_t now_ms, uint32_t rnd, uint8_t out[static PCP_MAX_LEN])
{
	int n;

	if (m->method == GW_UPNP || m->next_ms == RETX_DONE || now_ms < m->next_ms)
		return 0;
	switch (m->state) {
	case GW_MAP_HELD:
		if (now_ms >= m->expires_ms) {
			/* Lapsed unrenewed: ask from scratch. */
			gw_map_start(m, now_ms);
			break;
		}
		n = encode(m, m->lifetime_s, out);
		if (n < 0)
			return n;
		m->last_send_ms = now_ms;
		m->sends++;
		m->renew_k++;
		set_renewal(m, rnd);
		return n;
	case GW_MAP_ASKING:
	case GW_MAP_DELETING:
		break;
	default:
		m->next_ms = RETX_DONE;
		return 0;
	}
	if (m->rx.n_sent && m->rx.next_ms == RETX_DONE) {
		/* The schedule ran out unanswered. */
		m->state = m->state == GW_MAP_DELETING ? GW_MAP_GONE : GW_MAP_IDLE;
		m->next_ms = RETX_DONE;
		return 0;
	}
	n = encode(m, m->state == GW_MAP_DELETING ? 0 : m->lifetime_s, out);
	if (n < 0)
		return n;
	m->last_send_ms = now_ms;
	m->sends++;
	m->next_ms = retx_sent(&m->rx, now_ms, rnd);
	if (m->next_ms != RETX_DONE || (m->oneshot && m->state == GW_MAP_ASKING))
		return n; /* a oneshot waits for its answer: the caller's deadline ends it */
	m->next_ms = now_ms + (m->state == GW_MAP_DELETING ? 1000 /* a last second for the answer */
							   : 4000);
	return n;
}

/* Whether a answers m's request (RFC 6887 §11.4, RFC 6886 §3.5). */
static bool answers(const struct gw_map *m, const struct gw_answer *a)
{
	if (a->method != m->method || a->unsupp_version)
		return false;
	if (m->method == GW_PCP) {
		struct pcp_request req = { .opcode = PCP_OP_MAP };

		req.map.protocol = m->protocol;
		req.map.internal_port = m->internal_port;
		memcpy(req.map.nonce, m->nonce, PCP_NONCE_LEN);
		return pcp_response_mismatch(&req, &a->u.pcp) == PCP_MATCH;
	}
	struct natpmp_request req = {
		.opcode = m->protocol == IPPROTO_TCP ? NATPMP_OP_MAP_TCP : NATPMP_OP_MAP_UDP,
		.internal_port = m->internal_port,
	};
	return natpmp_response_matches(&req, &a->u.natpmp) && !a->u.natpmp.brief;
}

enum gw_event gw_map_answer(struct gw_map *m, const struct gw_answer *a, uint64_t now_ms,
			    uint32_t rnd)
{
	uint32_t lifetime;
	uint16_t ext_port;
	struct netaddr ext = { 0 };
	int result;
	bool changed;

	if (m->method == GW_UPNP)
		return GW_EV_NOT_OURS;
	if (a->unsupp_version && m->state == GW_MAP_ASKING &&
	    (a->method == GW_NATPMP) == (m->method == GW_PCP))
		return GW_EV_UNSUPPORTED; /* the other protocol's refusal of ours */
	if (a->unsupp_version && a->method == GW_PCP && m->method == GW_PCP &&
	    a->u.pcp.version != PCP_VERSION && m->state == GW_MAP_ASKING)
		return GW_EV_UNSUPPORTED; /* a PCP server of another version */
	if (!answers(m, a))
		return GW_EV_NOT_OURS;
	if (m->method == GW_PCP) {
		result = a->u.pcp.result;
		lifetime = a->u.pcp.lifetime;
		ext_port = a->u.pcp.map.external_port;
		ext = a->u.pcp.map.external;
	} else {
		result = a->u.natpmp.result;
		lifetime = a->u.natpmp.lifetime;
		ext_port = a->u.natpmp.external_port;
	}
	switch (m->state) {
	case GW_MAP_DELETING:
		/* The delete's answer grants lifetime 0 or is an error (§15);
		 * a late grant of the MAP itself is not it. */
		if (result != 0 || lifetime == 0) {
			m->result = result;
			m->state = GW_MAP_GONE;
			m->next_ms = RETX_DONE;
			return GW_EV_DELETED;
		}
		return GW_EV_DUPLICATE;
	case GW_MAP_ASKING:
	case GW_MAP_HELD:
		break;
	default:
		return GW_EV_DUPLICATE;
	}
	m->result = result;
	if (result != 0) {
		if (m->state == GW_MAP_HELD)
			return GW_EV_DUPLICATE; /* an old error after a grant */
		m->state = GW_MAP_REFUSED;
		m->next_ms = RETX_DONE;
		if (ext.family)
			m->external = ext; /* a refusal may name the WAN address */
		return GW_EV_REFUSED;
	}
	if (lifetime == 0 || ext_port == 0) {
		/* A "success" that grants nothing is no mapping. */
		m->state = GW_MAP_REFUSED;
		m->next_ms = RETX_DONE;
		return GW_EV_REFUSED;
	}
	if (m->method == GW_PCP &&
	    (!gw_external_believable(&ext) || netaddr_classify(&ext) == NETADDR_UNSPECIFIED))
		return GW_EV_BOGUS;
	if (m->state == GW_MAP_HELD && m->renew_k == 0)
		return GW_EV_DUPLICATE; /* a repeat of the grant already taken */
	changed = m->state != GW_MAP_HELD || ext_port != m->external_port ||
		  (m->method == GW_PCP && !netaddr_eq(&ext, &m->external, true));
	m->state = GW_MAP_HELD;
	m->external_port = ext_port;
	if (m->method == GW_PCP)
		m->external = ext;
	/* Never hold a lease longer than asked, whatever the gateway says. */
	m->granted_s = lifetime < m->lifetime_s ? lifetime : m->lifetime_s;
	m->granted_ms = now_ms;
	m->expires_ms = now_ms + (uint64_t)m->granted_s * 1000;
	m->renew_k = 0;
	set_renewal(m, rnd);
	return changed ? GW_EV_MAPPED : GW_EV_RENEWED;
}

enum gw_reject gw_map_reject(const struct gw_map *m, const struct gw_answer *a)
{
	struct pcp_request req = { .opcode = PCP_OP_MAP };

	if (m->method != GW_PCP || a->method != GW_PCP)
		return GW_REJECT_UNASKED;
	req.map.protocol = m->protocol;
	req.map.internal_port = m->internal_port;
	memcpy(req.map.nonce, m->nonce, PCP_NONCE_LEN);
	return pcp_response_mismatch(&req, &a->u.pcp) == PCP_MISMATCH_NONCE ? GW_REJECT_NONCE
									    : GW_REJECT_UNASKED;
}

/* --- questions that map nothing ----------------------------------------- */

void gw_query_start(struct gw_query *q, enum gw_method method, const struct netaddr *client,
		    const struct retx_profile *p, uint64_t now_ms)
{
	memset(q, 0, sizeof(*q));
	q->method = method;
	q->profile = p;
	if (client)
		q->client = *client;
	retx_init(&q->rx, p);
	q->next_ms = now_ms;
	q->result = -1;
}

void gw_query_stop(struct gw_query *q)
{
	q->stopped = true;
	q->next_ms = RETX_DONE;
}

uint64_t gw_query_due(const struct gw_query *q)
{
	return q->next_ms;
}

int gw_query_tick(struct gw_query *q, uint64_t now_ms, uint32_t rnd,
		  uint8_t out[static PCP_MAX_LEN])
{
	int n;

	if (q->next_ms == RETX_DONE || now_ms < q->next_ms)
		return 0;
	if (q->method == GW_PCP) {
		struct pcp_request req = { .opcode = PCP_OP_ANNOUNCE };

		req.client = q->client;
		n = pcp_encode_request(&req, out);
	} else {
		struct natpmp_request req = { .opcode = NATPMP_OP_EXTERNAL };

		n = natpmp_encode_request(&req, out);
	}
	if (n < 0)
		return n;
	q->last_send_ms = now_ms;
	q->sends++;
	q->next_ms = retx_sent(&q->rx, now_ms, rnd);
	return n;
}

enum gw_event gw_query_answer(struct gw_query *q, const struct gw_answer *a)
{
	bool ours;

	if (a->method != q->method || a->unsupp_version || !q->sends)
		return GW_EV_NOT_OURS;
	if (q->method == GW_PCP) {
		struct pcp_request req = { .opcode = PCP_OP_ANNOUNCE };

		ours = pcp_response_matches(&req, &a->u.pcp);
	} else {
		struct natpmp_request req = { .opcode = NATPMP_OP_EXTERNAL };

		ours = natpmp_response_matches(&req, &a->u.natpmp);
	}
	if (!ours)
		return GW_EV_NOT_OURS;
	if (q->answered || q->stopped)
		return GW_EV_DUPLICATE;
	q->answered = true;
	q->next_ms = RETX_DONE;
	q->epoch = a->epoch;
	if (q->method == GW_PCP) {
		q->result = a->u.pcp.result;
		return GW_EV_ANSWERED;
	}
	q->result = a->u.natpmp.result;
	if (q->result != NATPMP_SUCCESS || !a->u.natpmp.external.family)
		return GW_EV_ANSWERED;
	if (gw_external_believable(&a->u.natpmp.external)) {
		q->external = a->u.natpmp.external;
		return GW_EV_ANSWERED;
	}
	/* 0.0.0.0: "not connected" (§3.2), no address but no lie. */
	return netaddr_classify(&a->u.natpmp.external) == NETADDR_UNSPECIFIED ? GW_EV_ANSWERED
									      : GW_EV_BOGUS;
}

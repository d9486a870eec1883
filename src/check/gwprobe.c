/* SPDX-License-Identifier: MIT */
/*
 * The gateway probe: PCP (RFC 6887) and NAT-PMP (RFC 6886) asked at once on
 * the IPv4 default gateway's UDP port 5351, from one connected socket (so
 * only the gateway's answers arrive, and a closed port shows up as
 * ECONNREFUSED from the ICMP port unreachable).
 *
 * Sent together at t=0, resent together at 250, 750 and 1750 ms (RFC 6886
 * §3.1 starts at 250 ms and doubles; PCP's 3 s initial RTO, RFC 6887 §8.1.1,
 * is too slow for a one-second check; the schedule is net/retx.c's
 * retx_lan_fast, next to RFC 6887's own for a daemon):
 *   - NAT-PMP external address request (opcode 0);
 *   - PCP ANNOUNCE (§14.1): is there a PCP server, and its epoch;
 *   - PCP MAP (§11.1) of this socket's own UDP port with a short lifetime,
 *     unless --no-pcp-map: the only PCP way to learn the external address.
 *     On success the same MAP with lifetime 0 deletes it at once (§15). It
 *     never names the node's ports.
 *
 * Whatever we create on the router we remove on every way out: the answer
 * to our MAP may be lost while the mapping was made, and the check may end
 * (deadline, SIGINT, SIGTERM: check.c runs gwprobe_finish for all three) before
 * the delete is confirmed. So once a MAP has left, gwprobe_finish sends the
 * lifetime-0 MAP with the same nonce (§15: the nonce is what lets us delete
 * it) unless the gateway has confirmed the delete or refused the MAP.
 * The answers are matched to the requests (version byte, opcode, nonce);
 * anything else from the gateway is counted as a bad packet, never trusted.
 */
#include "check/probes.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/mapping.h"
#include "net/retx.h"
#include "net/udp.h"
#include "proto/natpmp.h"
#include "proto/pcp.h"
#include "util/text.h"

#define GW_MAP_LIFETIME_S 30 /* if our delete is lost, the mapping ends soon */

/* Once NAT-PMP has answered, a PCP server on the same box answers within a
 * few of NAT-PMP's round trips (it installs a rule for the MAP: allow for
 * that) or not at all: a NAT-PMP-only router that drops PCP must not cost
 * the whole deadline. */
#define GW_PCP_GRACE_RTTS   4
#define GW_PCP_GRACE_MIN_MS 150

struct gwprobe {
	struct check_run *run;
	int id;
	int fd;
	struct loop_timer retx;
	struct loop_timer pcp_grace; /* armed when NAT-PMP answered first */
	struct retx rx;		     /* net/retx.c: check's fast LAN schedule */
	uint64_t sent_ms;
	uint64_t resent_ms; /* the latest retransmission, 0 before one */

	struct natpmp_request nreq;
	bool n_done;

	struct pcp_request areq; /* ANNOUNCE */
	bool a_done;
	struct pcp_request mreq; /* MAP, then the same MAP with lifetime 0 */
	bool m_wanted, m_done, deleting, d_done;
	bool m_sent; /* a MAP has left: the gateway may hold a mapping */

	/* TCP maps of check --server's probe listeners (gwprobe_map_tcp):
	 * answered once through cb, deleted at finish. */
	struct gw_pmap {
		bool natpmp; /* asked over NAT-PMP (RFC 6886 §3.3): no PCP here */
		struct natpmp_request nreq;
		struct pcp_request req;
		bool sent, done;
		uint16_t granted; /* external port, 0 when refused or silent */
		gwprobe_map_cb cb;
		void *data;
	} pm[GW_MAX_PMAPS];
	size_t n_pm;
};

static struct gw_proto_result *gwprobe_pcp_out(struct gwprobe *g)
{
	return &g->run->res->gateway.pcp;
}

static struct gw_proto_result *gwprobe_natpmp_out(struct gwprobe *g)
{
	return &g->run->res->gateway.natpmp;
}

static bool gwprobe_pcp_finished(const struct gwprobe *g)
{
	return g->a_done && (!g->m_wanted || g->m_done) && (!g->deleting || g->d_done);
}

static bool pmaps_answered(const struct gwprobe *g)
{
	for (size_t i = 0; i < g->n_pm; i++)
		if (!g->pm[i].done)
			return false;
	return true;
}

static bool pmaps_held(const struct gwprobe *g)
{
	for (size_t i = 0; i < g->n_pm; i++)
		if (g->pm[i].sent && (!g->pm[i].done || g->pm[i].granted))
			return true;
	return false;
}

static void gwprobe_close(struct gwprobe *g)
{
	if (g->fd >= 0) {
		loop_del_fd(g->run->loop, g->fd);
		close(g->fd);
		g->fd = -1;
	}
	loop_timer_stop(g->run->loop, &g->retx);
	loop_timer_stop(g->run->loop, &g->pcp_grace);
}

static void maybe_done(struct gwprobe *g)
{
	if (g->fd < 0 || !g->n_done || !gwprobe_pcp_finished(g) || !pmaps_answered(g))
		return;
	/* Mappings made for check --server stay until finish deletes them,
	 * and their socket with them; with --server the socket stays for the
	 * mappings it may still ask for (gwprobe_map_tcp). */
	if (!pmaps_held(g) && !g->run->cfg->n_servers)
		gwprobe_close(g);
	else
		loop_timer_stop(g->run->loop, &g->retx);
	check_probe_done(g->run, g->id);
}

/* ICMP port unreachable: nothing listens on 5351, neither protocol will
 * answer. */
static void port_closed(struct gwprobe *g)
{
	const char *msg = "port 5351 closed (ICMP port unreachable)";

	if (!g->n_done)
		text_copy(gwprobe_natpmp_out(g)->error, CHECK_TEXT_MAX, msg);
	if (!gwprobe_pcp_finished(g))
		text_copy(gwprobe_pcp_out(g)->error, CHECK_TEXT_MAX, msg);
	g->n_done = g->a_done = g->m_done = g->d_done = true;
}

/* Send one request (n from an encoder, <= 0: nothing to send). On a
 * connected UDP socket the kernel hands an ICMP port unreachable to
 * whichever call comes next, a send as often as a recv: a send that gets
 * it must report it, or the read side never sees it and the check waits
 * out its deadline. Returns true if the datagram left. */
static bool gwprobe_send(struct gwprobe *g, const uint8_t *buf, int n)
{
	if (n <= 0 || g->fd < 0)
		return false;
	if (send(g->fd, buf, (size_t)n, 0) >= 0)
		return true;
	if (errno == ECONNREFUSED)
		port_closed(g);
	return false;
}

static void pmap_send(struct gwprobe *g, struct gw_pmap *m)
{
	uint8_t buf[PCP_MAX_LEN];
	int n = m->natpmp ? natpmp_encode_request(&m->nreq, buf) : pcp_encode_request(&m->req, buf);

	if (gwprobe_send(g, buf, n))
		m->sent = true;
}

/* Send every request still waiting for its answer; stop at a closed port. */
static void send_pending(struct gwprobe *g)
{
	uint8_t buf[PCP_MAX_LEN];

	if (!g->n_done && !gwprobe_send(g, buf, natpmp_encode_request(&g->nreq, buf)) && g->n_done)
		return;
	if (!g->a_done && !gwprobe_send(g, buf, pcp_encode_request(&g->areq, buf)) && g->a_done)
		return;
	if ((g->m_wanted && !g->m_done) || (g->deleting && !g->d_done)) {
		if (gwprobe_send(g, buf, pcp_encode_request(&g->mreq, buf)) && g->mreq.lifetime)
			g->m_sent = true;
		else if (g->m_done)
			return;
	}
	for (size_t i = 0; i < g->n_pm; i++)
		if (!g->pm[i].done)
			pmap_send(g, &g->pm[i]);
}

static void pmap_answer(struct gw_pmap *m, uint16_t granted)
{
	m->done = true;
	m->granted = granted;
	if (m->cb)
		m->cb(m->data, granted);
}

/* The way out: if a MAP left and no answer says there is nothing to
 * remove, send its delete (lifetime 0, same nonce, RFC 6887 §15), twice
 * against a lost datagram. Best effort: nobody waits for the answer. */
static void delete_on_exit(struct gwprobe *g)
{
	uint8_t buf[PCP_MAX_LEN];
	int n;

	for (size_t i = 0; g->fd >= 0 && i < g->n_pm; i++) {
		struct gw_pmap *m = &g->pm[i];

		if (!m->sent || (m->done && !m->granted))
			continue;
		/* Lifetime 0 deletes: RFC 6887 §15, RFC 6886 §3.4 (whose
		 * suggested external port must then be 0). */
		m->req.lifetime = m->nreq.lifetime = 0;
		m->req.map.external_port = m->granted;
		m->nreq.external_port = 0;
		n = m->natpmp ? natpmp_encode_request(&m->nreq, buf)
			      : pcp_encode_request(&m->req, buf);
		for (int k = 0; k < 2 && n > 0; k++)
			(void)send(g->fd, buf, (size_t)n, 0);
	}

	if (g->fd < 0 || !g->m_sent || g->d_done)
		return;
	if (g->m_done && !g->deleting)
		return; /* the MAP was refused: no mapping was made */
	g->mreq.lifetime = 0;
	n = pcp_encode_request(&g->mreq, buf);
	for (int i = 0; i < 2 && n > 0; i++)
		(void)send(g->fd, buf, (size_t)n, 0);
}

static void on_retx(struct loop *l, struct loop_timer *t, void *data)
{
	struct gwprobe *g = data;

	send_pending(g);
	if (g->n_done && gwprobe_pcp_finished(g) && pmaps_answered(g)) {
		maybe_done(g); /* a send found the port closed */
		return;
	}
	g->resent_ms = loop_now_ms(l);
	if (retx_sent(&g->rx, loop_now_ms(l), 0) != RETX_DONE)
		loop_timer_start(l, t, retx_wait(&g->rx, loop_now_ms(l)), on_retx, g);
}

static void on_pcp_grace(struct loop *l, struct loop_timer *t, void *data)
{
	struct gwprobe *g = data;

	(void)l;
	(void)t;
	if (gwprobe_pcp_finished(g) || gwprobe_pcp_out(g)->available)
		return;	   /* PCP spoke after all: its own waits apply */
	delete_on_exit(g); /* a MAP that left may have made a mapping */
	snprintf(gwprobe_pcp_out(g)->error, CHECK_TEXT_MAX,
		 "no answer within %u ms of NAT-PMP's (a NAT-PMP-only router)",
		 GW_PCP_GRACE_RTTS * gwprobe_natpmp_out(g)->rtt_ms < GW_PCP_GRACE_MIN_MS
		     ? GW_PCP_GRACE_MIN_MS
		     : GW_PCP_GRACE_RTTS * gwprobe_natpmp_out(g)->rtt_ms);
	g->a_done = g->m_done = g->d_done = true;
	maybe_done(g);
}

static void start_pcp_grace(struct gwprobe *g, uint32_t natpmp_rtt)
{
	uint64_t wait = (uint64_t)GW_PCP_GRACE_RTTS * natpmp_rtt;

	if (gwprobe_pcp_finished(g) || gwprobe_pcp_out(g)->available)
		return;
	loop_timer_start(g->run->loop, &g->pcp_grace,
			 wait < GW_PCP_GRACE_MIN_MS ? GW_PCP_GRACE_MIN_MS : wait, on_pcp_grace, g);
}

static void set_result(struct gw_proto_result *o, int code, const char *name, uint32_t epoch,
		       uint32_t rtt)
{
	o->available = true;
	o->result_code = code;
	text_copy(o->result_name, sizeof(o->result_name), name);
	o->epoch = epoch;
	o->rtt_ms = rtt;
}

/* Count an answer thrown away, by reason (check/reject.h). */
static void reject(struct gw_proto_result *o, enum gw_reject why)
{
	o->rejected[why]++;
	if (reject_is_fault(why))
		o->bad_packets++;
}

static void on_natpmp(struct gwprobe *g, const struct natpmp_response *resp, uint32_t rtt)
{
	struct gw_proto_result *o = gwprobe_natpmp_out(g);

	if (resp->result == NATPMP_UNSUPP_VERSION) {
		/* A NAT-PMP-only gateway refusing our PCP requests (RFC 6887
		 * §9): PCP is not there, NAT-PMP is. */
		g->a_done = g->m_done = true;
		g->m_wanted = g->deleting = false;
		snprintf(gwprobe_pcp_out(g)->error, sizeof(gwprobe_pcp_out(g)->error),
			 "the gateway speaks NAT-PMP only (answered UNSUPP_VERSION)");
		return;
	}
	for (size_t i = 0; i < g->n_pm; i++) {
		struct gw_pmap *m = &g->pm[i];

		if (!m->natpmp || !natpmp_response_matches(&m->nreq, resp))
			continue;
		if (m->done)
			reject(o, GW_REJECT_DUPLICATE); /* the answer to a retransmission */
		else
			pmap_answer(m, resp->result == NATPMP_SUCCESS ? resp->external_port : 0);
		return;
	}
	if (!natpmp_response_matches(&g->nreq, resp)) {
		reject(o, GW_REJECT_UNASKED);
		return;
	}
	if (g->n_done) {
		reject(o, GW_REJECT_DUPLICATE); /* the answer to a retransmission */
		return;
	}
	g->n_done = true;
	set_result(o, resp->result, natpmp_result_name(resp->result), resp->epoch, rtt);
	start_pcp_grace(g, rtt);
	if (resp->result == NATPMP_SUCCESS && resp->external.family) {
		if (gw_external_believable(&resp->external))
			o->external = resp->external;
		else if (netaddr_classify(&resp->external) != NETADDR_UNSPECIFIED)
			reject(o, GW_REJECT_ADDRESS);
	}
}

static void on_pcp(struct gwprobe *g, const struct pcp_response *resp, uint32_t rtt)
{
	struct gw_proto_result *o = gwprobe_pcp_out(g);
	enum pcp_mismatch why;

	if (resp->version != PCP_VERSION) {
		/* UNSUPP_VERSION from a server of another PCP version. */
		g->a_done = g->m_done = true;
		g->m_wanted = g->deleting = false;
		snprintf(o->error, sizeof(o->error),
			 "the gateway speaks PCP version %u, not 2 (UNSUPP_VERSION)",
			 resp->version);
		return;
	}
	if (resp->result == PCP_UNSUPP_VERSION) {
		/* A PCP-only server refusing our NAT-PMP request (RFC 6887
		 * §9): NAT-PMP is not there, PCP is. It answers no PCP
		 * request of ours (pcp_response_matches). */
		if (!g->n_done)
			text_copy(gwprobe_natpmp_out(g)->error, CHECK_TEXT_MAX,
				  "the gateway speaks PCP only (answered UNSUPP_VERSION)");
		g->n_done = true;
		return;
	}
	if (pcp_response_matches(&g->areq, resp)) {
		if (g->a_done) {
			reject(o, GW_REJECT_DUPLICATE);
			return;
		}
		g->a_done = true;
		if (!o->available)
			set_result(o, resp->result, pcp_result_name(resp->result), resp->epoch,
				   rtt);
		return;
	}
	for (size_t i = 0; i < g->n_pm; i++) {
		struct gw_pmap *m = &g->pm[i];

		if (m->natpmp || pcp_response_mismatch(&m->req, resp) != PCP_MATCH)
			continue;
		if (m->done)
			reject(o, GW_REJECT_DUPLICATE); /* the answer to a retransmission */
		else
			pmap_answer(m, resp->result == PCP_SUCCESS && resp->has_map
					   ? resp->map.external_port
					   : 0);
		return;
	}
	why = pcp_response_mismatch(&g->mreq, resp);
	if (!g->m_wanted || why != PCP_MATCH) {
		reject(o, why == PCP_MISMATCH_NONCE && g->m_wanted ? GW_REJECT_NONCE
								   : GW_REJECT_UNASKED);
		return;
	}
	/* The MAP answer, the delete answer, or a repeat of either: the
	 * delete's answer grants lifetime 0 or is an error (§15). */
	if (g->deleting && !g->d_done && (resp->lifetime == 0 || resp->result != PCP_SUCCESS)) {
		g->d_done = true;
		return;
	}
	if (!g->m_done) {
		g->m_done = true;
		/* The MAP result is the more telling one (NOT_AUTHORIZED,
		 * NO_RESOURCES...): it replaces ANNOUNCE's SUCCESS. */
		set_result(o, resp->result, pcp_result_name(resp->result), resp->epoch, rtt);
		if (resp->result != PCP_SUCCESS) {
			/* A refusal may still name the router's WAN address
			 * (miniupnpd's NO_RESOURCES carries its 100.64/10 one):
			 * evidence for the verdict, which weighs it. */
			if (resp->map.external.family &&
			    gw_external_believable(&resp->map.external))
				o->external = resp->map.external;
			return;
		}
		if (resp->map.external.family && gw_external_believable(&resp->map.external))
			o->external = resp->map.external;
		else
			reject(o, GW_REJECT_ADDRESS);
		/* Delete it at once (RFC 6887 §15): same nonce, lifetime 0. */
		g->deleting = true;
		g->mreq.lifetime = 0;
		g->mreq.map.external_port = resp->map.external_port;
		send_pending(g);
		return;
	}
	reject(o, GW_REJECT_DUPLICATE);
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct gwprobe *g = data;
	uint8_t buf[PCP_MAX_LEN + 4];
	struct gw_answer ans;
	int r;

	(void)events;
	for (int i = 0; i < 64 && g->fd >= 0; i++) {
		uint32_t waited;
		ssize_t n = udp_recv_waited(fd, buf, sizeof(buf), 0, NULL, NULL, &waited);
		/* From the send to the answer's arrival, not to our reading it. */
		/* A gateway on the LAN answers in far less than the wait before
		 * the first retransmission, so an answer after one answers it
		 * (ambiguous, RFC 6298 §3 on Karn: the later send is the likelier). */
		uint32_t rtt = (uint32_t)(loop_update_time(l) -
					  (g->resent_ms > g->sent_ms ? g->resent_ms : g->sent_ms));

		rtt = rtt > waited ? rtt - waited : 0;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ECONNREFUSED) {
				port_closed(g);
				break;
			}
			continue;
		}
		if (n == 0 || (size_t)n > PCP_MAX_LEN) {
			/* Empty, or too long for either protocol: counted
			 * against PCP. */
			reject(gwprobe_pcp_out(g), GW_REJECT_LENGTH);
			continue;
		}
		/* gw/mapping.c decodes for check and map alike: by the first
		 * byte, NAT-PMP or PCP, an undefined result kept as a failure. */
		r = gw_decode(&ans, buf, (size_t)n);
		if (r < 0)
			/* -EBADMSG is a request (NAT-PMP opcode below 128, or
			 * PCP's clear R bit), not an answer. */
			reject(buf[0] == NATPMP_VERSION ? gwprobe_natpmp_out(g)
							: gwprobe_pcp_out(g),
			       gw_reject_decode(r));
		else if (ans.method == GW_NATPMP)
			on_natpmp(g, &ans.u.natpmp, rtt);
		else
			on_pcp(g, &ans.u.pcp, rtt);
	}
	maybe_done(g);
}

static void gwprobe_finish(struct check_run *r, void *state)
{
	struct gwprobe *g = state;
	unsigned waited = r->cfg->deadline_ms;

	delete_on_exit(g);
	if (g->fd >= 0) {
		if (!g->n_done && !gwprobe_natpmp_out(g)->error[0])
			snprintf(gwprobe_natpmp_out(g)->error, CHECK_TEXT_MAX,
				 "no answer within %u ms", waited);
		if (!gwprobe_pcp_out(g)->available && !gwprobe_pcp_out(g)->error[0])
			snprintf(gwprobe_pcp_out(g)->error, CHECK_TEXT_MAX,
				 "no answer within %u ms", waited);
		gwprobe_close(g);
	}
	free(g);
}

int gwprobe_map_tcp(struct check_run *r, uint16_t internal_port, uint16_t suggested,
		    gwprobe_map_cb cb, void *data)
{
	struct gwprobe *g = check_probe_state(r, "gateway");
	struct gw_pmap *m;

	if (!g || g->fd < 0 ||
	    (g->n_done && g->a_done && !gwprobe_pcp_out(g)->available &&
	     !gwprobe_natpmp_out(g)->available))
		return -ENOTSUP; /* no gateway, or one without PCP or NAT-PMP */
	if (g->n_pm == GW_MAX_PMAPS)
		return -ENOSPC;
	m = &g->pm[g->n_pm];
	memset(m, 0, sizeof(*m));
	/* PCP when it answered, else NAT-PMP when that did (a NAT-PMP-only
	 * router), else PCP: it may still answer. */
	m->natpmp = !gwprobe_pcp_out(g)->available && gwprobe_natpmp_out(g)->available;
	m->nreq.opcode = NATPMP_OP_MAP_TCP;
	m->nreq.internal_port = internal_port;
	m->nreq.external_port = suggested;
	m->nreq.lifetime = GW_MAP_LIFETIME_S;
	m->req.opcode = PCP_OP_MAP;
	m->req.client = g->areq.client;
	m->req.lifetime = GW_MAP_LIFETIME_S;
	m->req.map.protocol = IPPROTO_TCP;
	m->req.map.internal_port = internal_port;
	m->req.map.external_port = suggested;
	if (getrandom(m->req.map.nonce, sizeof(m->req.map.nonce), 0) !=
	    (ssize_t)sizeof(m->req.map.nonce))
		return -EIO;
	m->cb = cb;
	m->data = data;
	g->n_pm++;
	pmap_send(g, m); /* only the new one: the others have their schedule */
	if (!loop_timer_armed(&g->retx)) {
		/* The first round is over: give the new request its own. */
		g->sent_ms = loop_now_ms(r->loop);
		retx_init(&g->rx, &retx_lan_fast);
		retx_sent(&g->rx, g->sent_ms, 0);
		loop_timer_start(r->loop, &g->retx, retx_wait(&g->rx, g->sent_ms), on_retx, g);
	}
	return 0;
}

int gwprobe_start(struct check_run *r)
{
	struct gateway_view *gv = &r->res->gateway;
	struct gwprobe *g;
	struct netaddr gw = r->res->local.route4.gateway, local;
	int err;

	gv->pcp.tried = gv->natpmp.tried = true;
	gv->pcp.result_code = gv->natpmp.result_code = -1;
	if (gw.family != AF_INET) {
		const char *msg = r->res->local.route4.present
				      ? "the IPv4 default route has no gateway (on-link)"
				      : "no IPv4 default gateway";

		text_copy(gv->pcp.error, CHECK_TEXT_MAX, msg);
		text_copy(gv->natpmp.error, CHECK_TEXT_MAX, msg);
		return -ENETUNREACH;
	}
	gv->address = gw;
	gw.port = PCP_PORT;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->run = r;
	g->fd = -1;
	loop_timer_init(&g->retx);
	loop_timer_init(&g->pcp_grace);
	err = udp_open(AF_INET, &gw, &local);
	if (err < 0)
		goto fail;
	g->fd = err;
	g->nreq.opcode = NATPMP_OP_EXTERNAL;
	g->areq.opcode = PCP_OP_ANNOUNCE;
	g->areq.client = local;
	g->m_wanted = r->cfg->pcp_map_test;
	if (g->m_wanted) {
		g->mreq.opcode = PCP_OP_MAP;
		g->mreq.client = local;
		g->mreq.lifetime = GW_MAP_LIFETIME_S;
		g->mreq.map.protocol = IPPROTO_UDP;
		g->mreq.map.internal_port = local.port; /* our own probe socket */
		if (getrandom(g->mreq.map.nonce, sizeof(g->mreq.map.nonce), 0) !=
		    (ssize_t)sizeof(g->mreq.map.nonce)) {
			err = -EIO;
			goto fail;
		}
	}
	g->id = check_probe_register(r, "gateway", gwprobe_finish, g);
	if (g->id < 0) {
		err = g->id;
		goto fail;
	}
	err = loop_add_fd(r->loop, g->fd, LOOP_READABLE, on_readable, g);
	if (err < 0) {
		/* Registered: finish() frees it. */
		gwprobe_close(g);
		text_copy(gv->pcp.error, CHECK_TEXT_MAX, "internal: cannot watch the socket");
		check_probe_done(r, g->id);
		return err;
	}
	g->sent_ms = loop_update_time(r->loop);
	send_pending(g);
	retx_init(&g->rx, &retx_lan_fast);
	retx_sent(&g->rx, g->sent_ms, 0);
	/* A send that already found the port closed ends the probe on the
	 * loop's first turn, not from inside start. */
	loop_timer_start(r->loop, &g->retx,
			 g->n_done && gwprobe_pcp_finished(g) ? 0 : retx_wait(&g->rx, g->sent_ms),
			 on_retx, g);
	return 0;
fail:
	snprintf(gv->pcp.error, CHECK_TEXT_MAX, "cannot ask the gateway: %s", strerror(-err));
	text_copy(gv->natpmp.error, CHECK_TEXT_MAX, gv->pcp.error);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
	return err;
}

/* SPDX-License-Identifier: MIT */
/*
 * The gateway probe: PCP (RFC 6887) and NAT-PMP (RFC 6886) asked at once on
 * the IPv4 default gateway's UDP port 5351, from one connected socket (so
 * only the gateway's answers arrive, and a closed port shows up as
 * ECONNREFUSED from the ICMP port unreachable).
 *
 * Every request is gw/mapping.c's, the gateway client `map` uses too: its
 * encoding, nonce, answer matching, retransmission and delete. This file
 * drives those requests on check's loop and writes what they say into the
 * result. Sent together at t=0 and resent together at 250, 750 and 1750 ms
 * (net/retx.c's retx_lan_fast: RFC 6886 §3.1 starts at 250 ms and doubles;
 * PCP's 3 s initial RTO, RFC 6887 §8.1.1, is too slow for a one-second
 * check):
 *   - NAT-PMP external address request (a gw_query, RFC 6886 §3.2);
 *   - PCP ANNOUNCE (a gw_query, RFC 6887 §14.1): is there a PCP server, and
 *     its epoch;
 *   - PCP MAP (§11.1) of this socket's own UDP port with a short lifetime
 *     (a oneshot gw_map), unless --no-pcp-map: the only PCP way to learn
 *     the external address. On success the same MAP with lifetime 0
 *     deletes it at once (§15). It never names the node's ports.
 *
 * Whatever we create on the router we remove on every way out: the answer
 * to our MAP may be lost while the mapping was made, and the check may end
 * (deadline, SIGINT, SIGTERM: check.c runs gwprobe_finish for all three)
 * before the delete is confirmed. So gwprobe_finish asks gw_map_delete for
 * every mapping (the test MAP and check --server's probe mappings): it
 * sends the lifetime-0 MAP with the same nonce (§15: the nonce is what
 * lets us delete it) unless the gateway has confirmed the delete, refused
 * the MAP, or no MAP ever left. Anything from the gateway that answers
 * none of our requests is counted by the reason gw/mapping gives (enum
 * gw_reject), never trusted.
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

/* A TCP mapping of one of check --server's probe listeners
 * (gwprobe_map_tcp): answered once through cb, deleted at finish. */
struct gw_pmap {
	struct gw_map m;
	bool answered;
	gwprobe_map_cb cb;
	void *data;
};

struct gwprobe {
	struct check_run *run;
	int id;
	int fd;
	struct netaddr local;	     /* the socket's address: PCP's client address */
	struct loop_timer tick;	     /* the earliest request due */
	struct loop_timer pcp_grace; /* armed when NAT-PMP answered first */

	struct gw_query ext;	  /* NAT-PMP external address */
	struct gw_query announce; /* PCP ANNOUNCE */
	bool test_wanted;
	struct gw_map test; /* PCP MAP of our own probe port, then its delete */

	struct gw_pmap pm[GW_MAX_PMAPS];
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

/* Answered, or no answer is awaited any more. */
static bool query_settled(const struct gw_query *q)
{
	return q->answered || q->stopped;
}

static bool gwprobe_pcp_finished(const struct gwprobe *g)
{
	return query_settled(&g->announce) &&
	       (!g->test_wanted || g->test.state == GW_MAP_REFUSED || g->test.state == GW_MAP_GONE);
}

static bool gwprobe_settled(const struct gwprobe *g)
{
	for (size_t i = 0; i < g->n_pm; i++)
		if (!g->pm[i].answered)
			return false;
	return query_settled(&g->ext) && gwprobe_pcp_finished(g);
}

/* A probe mapping the gateway may hold: asked, granted or being deleted. */
static bool pmaps_held(const struct gwprobe *g)
{
	for (size_t i = 0; i < g->n_pm; i++) {
		enum gw_map_state st = g->pm[i].m.state;

		if (g->pm[i].m.sends && st != GW_MAP_REFUSED && st != GW_MAP_GONE)
			return true;
	}
	return false;
}

static void gwprobe_close(struct gwprobe *g)
{
	if (g->fd >= 0) {
		loop_del_fd(g->run->loop, g->fd);
		close(g->fd);
		g->fd = -1;
	}
	loop_timer_stop(g->run->loop, &g->tick);
	loop_timer_stop(g->run->loop, &g->pcp_grace);
}

/* Returns true when the probe is done (or its socket gone). */
static bool maybe_done(struct gwprobe *g)
{
	if (g->fd < 0)
		return true;
	if (!gwprobe_settled(g))
		return false;
	/* Mappings made for check --server stay until finish deletes them,
	 * and their socket with them; with --server the socket stays for the
	 * mappings it may still ask for (gwprobe_map_tcp). */
	if (!pmaps_held(g) && !g->run->cfg->n_servers)
		gwprobe_close(g);
	else
		loop_timer_stop(g->run->loop, &g->tick);
	check_probe_done(g->run, g->id);
	return true;
}

/* PCP will not answer (or no longer matters): stop asking. A test MAP
 * still unanswered made nothing (the gateway refused the version, or the
 * port is closed): forgotten, no delete. */
static void pcp_absent(struct gwprobe *g)
{
	gw_query_stop(&g->announce);
	if (g->test.state == GW_MAP_ASKING)
		gw_map_forget(&g->test);
}

/* ICMP port unreachable: nothing listens on 5351, neither protocol will
 * answer. */
static void port_closed(struct gwprobe *g)
{
	const char *msg = "port 5351 closed (ICMP port unreachable)";

	if (!query_settled(&g->ext))
		text_copy(gwprobe_natpmp_out(g)->error, CHECK_TEXT_MAX, msg);
	if (!gwprobe_pcp_finished(g))
		text_copy(gwprobe_pcp_out(g)->error, CHECK_TEXT_MAX, msg);
	gw_query_stop(&g->ext);
	pcp_absent(g);
	if (g->test.state == GW_MAP_DELETING)
		gw_map_forget(&g->test);
}

/* Send one request (n from a tick, <= 0: nothing to send). On a connected
 * UDP socket the kernel hands an ICMP port unreachable to whichever call
 * comes next, a send as often as a recv: a send that gets it must report
 * it, or the read side never sees it and the check waits out its
 * deadline. */
static void gwprobe_send(struct gwprobe *g, const uint8_t *buf, int n, int times)
{
	for (int i = 0; i < times && n > 0 && g->fd >= 0; i++)
		if (send(g->fd, buf, (size_t)n, 0) < 0 && errno == ECONNREFUSED) {
			port_closed(g);
			return;
		}
}

/* Send every request due now, in the order NAT-PMP, ANNOUNCE, MAP, probe
 * mappings (a closed port found on the way stops the ones after it). */
static void send_due(struct gwprobe *g)
{
	uint64_t now = loop_now_ms(g->run->loop);
	uint8_t buf[PCP_MAX_LEN];

	gwprobe_send(g, buf, gw_query_tick(&g->ext, now, 0, buf), 1);
	gwprobe_send(g, buf, gw_query_tick(&g->announce, now, 0, buf), 1);
	if (g->test_wanted)
		gwprobe_send(g, buf, gw_map_tick(&g->test, now, 0, buf), 1);
	for (size_t i = 0; i < g->n_pm; i++)
		gwprobe_send(g, buf, gw_map_tick(&g->pm[i].m, now, 0, buf), 1);
}

/* Delete m now (gw_map_delete: nothing when the gateway refused it or
 * confirmed its delete; nothing either when no request of it ever left),
 * its first lifetime-0 request sent `times` times; the rest of its
 * schedule runs from the tick timer while the probe lives. */
static void delete_now(struct gwprobe *g, struct gw_map *m, int times)
{
	uint64_t now = loop_now_ms(g->run->loop);
	uint8_t buf[PCP_MAX_LEN];

	if (!m->sends) {
		gw_map_forget(m);
		return;
	}
	gw_map_delete(m, now);
	gwprobe_send(g, buf, gw_map_tick(m, now, 0, buf), times);
}

static void on_tick(struct loop *l, struct loop_timer *t, void *data);

/* Arm the one timer for the earliest request due. */
static void rearm(struct gwprobe *g)
{
	uint64_t now = loop_now_ms(g->run->loop), due = gw_query_due(&g->ext), d;

	d = gw_query_due(&g->announce);
	due = d < due ? d : due;
	d = g->test_wanted ? gw_map_due(&g->test) : RETX_DONE;
	due = d < due ? d : due;
	for (size_t i = 0; i < g->n_pm; i++) {
		d = gw_map_due(&g->pm[i].m);
		due = d < due ? d : due;
	}
	if (due == RETX_DONE || g->fd < 0)
		loop_timer_stop(g->run->loop, &g->tick);
	else
		loop_timer_start(g->run->loop, &g->tick, due > now ? due - now : 0, on_tick, g);
}

static void on_tick(struct loop *l, struct loop_timer *t, void *data)
{
	struct gwprobe *g = data;

	(void)l;
	(void)t;
	send_due(g);
	if (!maybe_done(g)) /* done: a send found the port closed */
		rearm(g);
}

static void on_pcp_grace(struct loop *l, struct loop_timer *t, void *data)
{
	struct gwprobe *g = data;

	(void)l;
	(void)t;
	if (gwprobe_pcp_finished(g) || gwprobe_pcp_out(g)->available)
		return; /* PCP spoke after all: its own waits apply */
	/* A MAP that left may have made a mapping: delete it, twice against
	 * a lost datagram, and move on. */
	if (g->test_wanted) {
		delete_now(g, &g->test, 2);
		gw_map_forget(&g->test);
	}
	snprintf(gwprobe_pcp_out(g)->error, CHECK_TEXT_MAX,
		 "no answer within %u ms of NAT-PMP's (a NAT-PMP-only router)",
		 GW_PCP_GRACE_RTTS * gwprobe_natpmp_out(g)->rtt_ms < GW_PCP_GRACE_MIN_MS
		     ? GW_PCP_GRACE_MIN_MS
		     : GW_PCP_GRACE_RTTS * gwprobe_natpmp_out(g)->rtt_ms);
	pcp_absent(g);
	if (!maybe_done(g))
		rearm(g);
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

/* Count an answer thrown away, by reason (gw/mapping.h, check/reject.h). */
static void reject(struct gw_proto_result *o, enum gw_reject why)
{
	o->rejected[why]++;
	if (reject_is_fault(why))
		o->bad_packets++;
}

/* From the last send of the request answered to the answer's arrival
 * (`waited`: how long it sat in the socket before we read it). A gateway
 * on the LAN answers in far less than the wait before the first
 * retransmission, so an answer after one answers it (ambiguous, RFC 6298
 * §3 on Karn: the later send is the likelier). */
static uint32_t rtt_since(uint64_t sent_ms, uint64_t now, uint32_t waited)
{
	uint32_t rtt = now > sent_ms ? (uint32_t)(now - sent_ms) : 0;

	return rtt > waited ? rtt - waited : 0;
}

/* An UNSUPP_VERSION answer: which protocol the gateway lacks. */
static void on_unsupported(struct gwprobe *g, const struct gw_answer *a)
{
	struct gw_proto_result *pcp = gwprobe_pcp_out(g);

	if (a->method == GW_NATPMP) {
		/* A NAT-PMP-only gateway refusing our PCP requests (RFC 6887
		 * §9): PCP is not there, NAT-PMP is. */
		text_copy(pcp->error, sizeof(pcp->error),
			  "the gateway speaks NAT-PMP only (answered UNSUPP_VERSION)");
		pcp_absent(g);
	} else if (a->u.pcp.version != PCP_VERSION) {
		/* UNSUPP_VERSION from a server of another PCP version. */
		snprintf(pcp->error, sizeof(pcp->error),
			 "the gateway speaks PCP version %u, not 2 (UNSUPP_VERSION)",
			 a->u.pcp.version);
		pcp_absent(g);
	} else {
		/* A PCP-only server refusing our NAT-PMP request (RFC 6887
		 * §9): NAT-PMP is not there, PCP is. */
		if (!query_settled(&g->ext))
			text_copy(gwprobe_natpmp_out(g)->error, CHECK_TEXT_MAX,
				  "the gateway speaks PCP only (answered UNSUPP_VERSION)");
		gw_query_stop(&g->ext);
	}
}

/* A probe mapping's answer: the callback gets the port granted, or 0. */
static bool pmap_answer(struct gwprobe *g, const struct gw_answer *a, uint64_t now,
			struct gw_proto_result *o)
{
	for (size_t i = 0; i < g->n_pm; i++) {
		struct gw_pmap *p = &g->pm[i];
		enum gw_event ev = gw_map_answer(&p->m, a, now, 0);
		uint16_t granted = 0;

		if (ev == GW_EV_NOT_OURS)
			continue;
		if (ev == GW_EV_DELETED)
			return true;
		if (ev == GW_EV_DUPLICATE || p->answered) {
			reject(o, GW_REJECT_DUPLICATE); /* the answer to a retransmission */
			return true;
		}
		if (ev == GW_EV_MAPPED || ev == GW_EV_RENEWED) {
			granted = p->m.external_port;
		} else if (ev == GW_EV_BOGUS) {
			/* A "success" naming an impossible address: not
			 * believed, and whatever it made is removed. */
			reject(o, GW_REJECT_ADDRESS);
			delete_now(g, &p->m, 1);
		}
		p->answered = true;
		if (p->cb)
			p->cb(p->data, granted);
		return true;
	}
	return false;
}

static void on_natpmp(struct gwprobe *g, const struct gw_answer *a, uint64_t now, uint32_t waited)
{
	struct gw_proto_result *o = gwprobe_natpmp_out(g);
	uint32_t rtt;

	switch (gw_query_answer(&g->ext, a)) {
	case GW_EV_NOT_OURS:
		reject(o, GW_REJECT_UNASKED);
		return;
	case GW_EV_DUPLICATE:
		reject(o, GW_REJECT_DUPLICATE); /* the answer to a retransmission */
		return;
	case GW_EV_BOGUS:
		reject(o, GW_REJECT_ADDRESS);
		break;
	default:
		break;
	}
	rtt = rtt_since(g->ext.last_send_ms, now, waited);
	set_result(o, g->ext.result, natpmp_result_name((unsigned)g->ext.result), g->ext.epoch,
		   rtt);
	start_pcp_grace(g, rtt);
	if (g->ext.external.family)
		o->external = g->ext.external;
}

static void on_pcp(struct gwprobe *g, const struct gw_answer *a, uint64_t now, uint32_t waited)
{
	struct gw_proto_result *o = gwprobe_pcp_out(g);
	const struct pcp_response *resp = &a->u.pcp;
	enum gw_event ev;

	ev = gw_query_answer(&g->announce, a);
	if (ev == GW_EV_DUPLICATE) {
		reject(o, GW_REJECT_DUPLICATE);
		return;
	}
	if (ev != GW_EV_NOT_OURS) {
		if (!o->available)
			set_result(o, g->announce.result,
				   pcp_result_name((unsigned)g->announce.result), g->announce.epoch,
				   rtt_since(g->announce.last_send_ms, now, waited));
		return;
	}
	ev = g->test_wanted ? gw_map_answer(&g->test, a, now, 0) : GW_EV_NOT_OURS;
	switch (ev) {
	case GW_EV_NOT_OURS:
	case GW_EV_UNSUPPORTED:
		reject(o, g->test_wanted ? gw_map_reject(&g->test, a) : GW_REJECT_UNASKED);
		return;
	case GW_EV_DUPLICATE:
		reject(o, GW_REJECT_DUPLICATE);
		return;
	case GW_EV_DELETED:
		return;
	default:
		break;
	}
	/* The MAP's answer. Its result is the more telling one
	 * (NOT_AUTHORIZED, NO_RESOURCES...): it replaces ANNOUNCE's SUCCESS. */
	set_result(o, resp->result, pcp_result_name(resp->result), a->epoch,
		   rtt_since(g->test.last_send_ms, now, waited));
	if (ev == GW_EV_REFUSED) {
		/* A refusal may still name the router's WAN address
		 * (miniupnpd's NO_RESOURCES carries its 100.64/10 one):
		 * evidence for the verdict, which weighs it. */
		if (resp->map.external.family && gw_external_believable(&resp->map.external))
			o->external = resp->map.external;
		return;
	}
	if (ev == GW_EV_BOGUS)
		reject(o, GW_REJECT_ADDRESS);
	else
		o->external = g->test.external;
	/* Delete it at once (RFC 6887 §15): same nonce, lifetime 0. */
	delete_now(g, &g->test, 1);
}

static void on_answer(struct gwprobe *g, const struct gw_answer *a, uint64_t now, uint32_t waited)
{
	struct gw_proto_result *o =
	    a->method == GW_NATPMP ? gwprobe_natpmp_out(g) : gwprobe_pcp_out(g);

	if (a->unsupp_version)
		on_unsupported(g, a);
	else if (pmap_answer(g, a, now, o))
		return;
	else if (a->method == GW_NATPMP)
		on_natpmp(g, a, now, waited);
	else
		on_pcp(g, a, now, waited);
}

/* One read of udp_drain: an answer, a datagram too long for either
 * protocol, or the ICMP port unreachable (nothing listens on 5351). */
static bool on_datagram(int fd, const struct udp_datagram *d, void *data)
{
	struct gwprobe *g = data;
	struct gw_answer ans;
	int r;

	(void)fd;
	if (d->error == -ECONNREFUSED) {
		port_closed(g);
		return false;
	}
	if (d->error)
		return true;
	if (d->len == 0 || d->truncated) {
		/* Empty, or too long for either protocol: counted against PCP. */
		reject(gwprobe_pcp_out(g), GW_REJECT_LENGTH);
		return true;
	}
	/* By the first byte, NAT-PMP or PCP, an undefined result kept as a
	 * failure. */
	r = gw_decode(&ans, d->data, d->len);
	if (r < 0)
		reject(d->data[0] == NATPMP_VERSION ? gwprobe_natpmp_out(g) : gwprobe_pcp_out(g),
		       gw_reject_decode(r));
	else
		on_answer(g, &ans, loop_update_time(g->run->loop), d->waited_ms);
	return true;
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct gwprobe *g = data;
	uint8_t buf[PCP_MAX_LEN];

	(void)l;
	(void)events;
	/* Bounded per wakeup, so a flood cannot starve the other probes. */
	(void)udp_drain(fd, buf, sizeof(buf), 64, on_datagram, g);
	if (!maybe_done(g))
		rearm(g);
}

static void gwprobe_finish(struct check_run *r, void *state)
{
	struct gwprobe *g = state;
	unsigned waited = r->cfg->deadline_ms;

	/* The way out: every mapping that may exist is deleted, twice
	 * against a lost datagram. Best effort: nobody waits for the
	 * answer. */
	if (g->test_wanted)
		delete_now(g, &g->test, 2);
	for (size_t i = 0; i < g->n_pm; i++)
		delete_now(g, &g->pm[i].m, 2);
	if (g->fd >= 0) {
		if (!query_settled(&g->ext) && !gwprobe_natpmp_out(g)->error[0])
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
	uint8_t nonce[PCP_NONCE_LEN], buf[PCP_MAX_LEN];
	uint64_t now = loop_now_ms(r->loop);
	struct gw_pmap *p;

	if (!g || g->fd < 0 ||
	    (query_settled(&g->ext) && query_settled(&g->announce) &&
	     !gwprobe_pcp_out(g)->available && !gwprobe_natpmp_out(g)->available))
		return -ENOTSUP; /* no gateway, or one without PCP or NAT-PMP */
	if (g->n_pm == GW_MAX_PMAPS)
		return -ENOSPC;
	if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		return -EIO;
	p = &g->pm[g->n_pm++];
	memset(p, 0, sizeof(*p));
	/* PCP when it answered, else NAT-PMP when that did (a NAT-PMP-only
	 * router, RFC 6886 §3.3), else PCP: it may still answer. */
	gw_map_init(&p->m,
		    !gwprobe_pcp_out(g)->available && gwprobe_natpmp_out(g)->available ? GW_NATPMP
										       : GW_PCP,
		    IPPROTO_TCP, internal_port, suggested, GW_MAP_LIFETIME_S, &g->local, nonce);
	gw_map_oneshot(&p->m, &retx_lan_fast);
	p->cb = cb;
	p->data = data;
	gw_map_start(&p->m, now);
	gwprobe_send(g, buf, gw_map_tick(&p->m, now, 0, buf), 1);
	rearm(g);
	return 0;
}

int gwprobe_start(struct check_run *r)
{
	struct gateway_view *gv = &r->res->gateway;
	struct gwprobe *g;
	struct netaddr gw = r->res->local.route4.gateway, local;
	uint8_t nonce[PCP_NONCE_LEN] = { 0 };
	uint64_t now;
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
	loop_timer_init(&g->tick);
	loop_timer_init(&g->pcp_grace);
	err = udp_open(AF_INET, &gw, &local);
	if (err < 0)
		goto fail;
	g->fd = err;
	g->local = local;
	g->test_wanted = r->cfg->pcp_map_test;
	if (g->test_wanted && getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
		err = -EIO;
		goto fail;
	}
	/* Our own probe socket's port, any external port. */
	gw_map_init(&g->test, GW_PCP, IPPROTO_UDP, local.port, 0, GW_MAP_LIFETIME_S, &local, nonce);
	gw_map_oneshot(&g->test, &retx_lan_fast);
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
	now = loop_update_time(r->loop);
	gw_query_start(&g->ext, GW_NATPMP, NULL, &retx_lan_fast, now);
	gw_query_start(&g->announce, GW_PCP, &local, &retx_lan_fast, now);
	if (g->test_wanted)
		gw_map_start(&g->test, now);
	send_due(g);
	/* A send that already found the port closed ends the probe on the
	 * loop's first turn, not from inside start. */
	if (gwprobe_settled(g))
		loop_timer_start(r->loop, &g->tick, 0, on_tick, g);
	else
		rearm(g);
	return 0;
fail:
	snprintf(gv->pcp.error, CHECK_TEXT_MAX, "cannot ask the gateway: %s", strerror(-err));
	text_copy(gv->natpmp.error, CHECK_TEXT_MAX, gv->pcp.error);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
	return err;
}

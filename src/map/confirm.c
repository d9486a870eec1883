/* SPDX-License-Identifier: MIT */
/* map --server: each new mapping confirmed from outside (map/confirm.h). */
#include "map/confirm.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dial/dialclient.h"
#include "net/resolve.h"
#include "net/udp.h"
#include "util/log.h"
#include "util/text.h"

_Static_assert(CONFIRM_WAIT_MS >= DIALCLIENT_GIVEUP_MS, "confirm.h promises too early a verdict");

struct cport {
	struct confirm_port pub;
	struct dialback_req req;
	bool have_cookie;
	struct dialback_cookie cookie;
	struct dialclient_xmit x;
	uint64_t asked_ms, giveup_ms;
	/* UDP: the port held here for the server's datagram, while no node
	 * holds it. */
	bool watching, arrived;
	int wfd;
	uint64_t grace_ms; /* the server says it sent: wait for it until then */
};

struct csrv {
	struct loop *loop;
	int fd; /* connected to the server, -1 until it is known */
	struct netaddr server;
	char host[RESOLVE_HOST_MAX];
	uint16_t port;
	char name[RESOLVE_HOST_MAX + 8];
	char error[CONFIRM_TEXT_MAX]; /* the server cannot be asked: why */
	struct resolve_req *rreq;
	struct loop_timer timer;
	confirm_cb cb;
	void *data;
	struct cport p[CONFIRM_MAX_PORTS];
};

/* How long the server's UDP datagram may trail its answer. */
#define CONFIRM_UDP_GRACE_MS 300

static void schedule(struct csrv *c);

static void unwatch(struct csrv *c, struct cport *p)
{
	if (!p->watching)
		return;
	loop_del_fd(c->loop, p->wfd);
	close(p->wfd);
	p->watching = false;
}

static void verdict(struct csrv *c, unsigned idx, enum confirm_state st, uint8_t result,
		    const char *reason)
{
	struct cport *p = &c->p[idx];

	unwatch(c, p);
	p->x.active = false;
	p->grace_ms = 0;
	p->pub.state = st;
	p->pub.result = result;
	p->pub.ms = (uint32_t)(loop_now_ms(c->loop) - p->asked_ms);
	p->pub.verdict_ms = loop_now_ms(c->loop);
	p->pub.unknowns = st == CONFIRM_UNKNOWN ? p->pub.unknowns + 1 : 0;
	text_copy(p->pub.reason, sizeof(p->pub.reason), reason ? reason : "");
	c->cb(c->data, idx);
}

static void send_request(struct csrv *c, struct cport *p)
{
	uint64_t now = loop_now_ms(c->loop);

	if (dialclient_request(&p->x, &p->req, p->have_cookie ? &p->cookie : NULL) < 0) {
		verdict(c, (unsigned)(p - c->p), CONFIRM_UNKNOWN, 0,
			"could not build the dial-back request");
		return;
	}
	p->giveup_ms = now + DIALCLIENT_GIVEUP_MS;
	dialclient_xmit_sent(&p->x, now);
	/* A lost datagram is what retransmission is for. */
	(void)send(c->fd, p->x.pkt, p->x.len, MSG_NOSIGNAL);
}

/* Every port still asked about gets reason as its UNKNOWN verdict. */
static void all_unknown(struct csrv *c, const char *reason)
{
	for (unsigned i = 0; i < CONFIRM_MAX_PORTS; i++)
		if (c->p[i].pub.state == CONFIRM_ASKING)
			verdict(c, i, CONFIRM_UNKNOWN, 0, reason);
}

static void on_result(struct csrv *c, struct cport *p, const struct dialclient_answer *a)
{
	unsigned idx = (unsigned)(p - c->p);
	char obs[NETADDR_FMT_MAX], ext[NETADDR_FMT_MAX], why[CONFIRM_TEXT_MAX];

	if (!netaddr_eq(&a->observed, &p->pub.ext, true)) {
		/* It dialled the address it sees, which is not this mapping's. */
		TEXT_SET(why,
			 "the server sees this host at %s, not at the mapping's %s (another NAT "
			 "in front of the router?): its dial-back says nothing of the mapping",
			 netaddr_fmt_ip(&a->observed, obs), netaddr_fmt_ip(&p->pub.ext, ext));
		verdict(c, idx, CONFIRM_UNKNOWN, a->result.result, why);
		return;
	}
	switch (a->result.result) {
	case DIALBACK_SENT:
		if (p->req.proto != DIALBACK_PROTO_UDP) {
			verdict(c, idx, CONFIRM_UNKNOWN, a->result.result,
				"the server's answer says nothing of a TCP connection");
		} else if (p->arrived) {
			verdict(c, idx, CONFIRM_YES, a->result.result, NULL);
		} else {
			p->x.active = false;
			p->pub.result = a->result.result;
			p->grace_ms = loop_now_ms(c->loop) + CONFIRM_UDP_GRACE_MS;
		}
		break;
	case DIALBACK_LIBP2P:
	case DIALBACK_OTHER:
	case DIALBACK_PROBE:
		verdict(c, idx, CONFIRM_YES, a->result.result, NULL);
		break;
	case DIALBACK_REFUSED:
		verdict(c, idx, CONFIRM_NO, a->result.result,
			"refused (TCP RST or ICMP unreachable): nothing listens on the port behind "
			"the mapping, or something on the way rejects it");
		break;
	case DIALBACK_FILTERED:
		verdict(c, idx, CONFIRM_NO, a->result.result,
			"no answer within the server's dial timeout: a filter on the way (the "
			"provider, the router, this host's firewall) drops it");
		break;
	case DIALBACK_DENIED:
		verdict(c, idx, CONFIRM_UNKNOWN, a->result.result,
			"the server does not dial this address (it dials public addresses only; "
			"--allow-private on a LAN server)");
		break;
	case DIALBACK_RATE_LIMITED:
		verdict(c, idx, CONFIRM_UNKNOWN, a->result.result,
			"the server rate-limited this address's dial-backs");
		break;
	case DIALBACK_BUSY:
		verdict(c, idx, CONFIRM_UNKNOWN, a->result.result,
			"the server was too busy to dial back");
		break;
	default:
		verdict(c, idx, CONFIRM_UNKNOWN, a->result.result,
			"the server's answer says nothing of a TCP connection");
		break;
	}
}

static void on_answer(struct csrv *c, const uint8_t *buf, size_t n)
{
	struct dialclient_answer a;
	struct stun_msg m;
	struct cport *p = NULL;
	char why[CONFIRM_TEXT_MAX];

	if (stun_decode(&m, buf, n) < 0 || m.method != STUN_BINDING)
		return;
	for (unsigned i = 0; i < CONFIRM_MAX_PORTS && !p; i++)
		if (c->p[i].pub.state == CONFIRM_ASKING && c->p[i].x.active &&
		    !memcmp(c->p[i].x.tid, m.tid, STUN_TID_LEN))
			p = &c->p[i];
	if (!p)
		return; /* late, or not ours */
	switch (dialclient_answer(&c->server, &p->req, p->have_cookie, &m, buf, n, &a)) {
	case DIALCLIENT_ERROR:
		TEXT_SET(why, "the server answered the dial-back request with %s", a.error);
		verdict(c, (unsigned)(p - c->p), CONFIRM_UNKNOWN, 0, why);
		break;
	case DIALCLIENT_COOKIE:
		p->have_cookie = true;
		p->cookie = a.cookie;
		send_request(c, p);
		break;
	case DIALCLIENT_RESULT:
		on_result(c, p, &a);
		break;
	case DIALCLIENT_NOT_DIALBACK:
		verdict(c, (unsigned)(p - c->p), CONFIRM_UNKNOWN, 0,
			"the server answers STUN but not the dial-back: not a natdoctor serve, "
			"or an old one");
		break;
	default:
		break; /* malformed or unbelievable: not an answer */
	}
}

/* One read of udp_drain on the server socket. */
static bool on_server_datagram(int fd, const struct udp_datagram *d, void *ctx)
{
	struct csrv *c = ctx;

	(void)fd;
	if (d->error == -ECONNREFUSED)
		all_unknown(c, "the server's port is closed (ICMP port unreachable): no "
			       "natdoctor serve there");
	else if (!d->error && !d->truncated)
		on_answer(c, d->data, d->len);
	return true;
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct csrv *c = data;
	uint8_t buf[1500];

	(void)l;
	(void)events;
	(void)udp_drain(fd, buf, sizeof(buf), 64, on_server_datagram, c);
	schedule(c);
}

/* One read of udp_drain on a held UDP port: only the watched nonce counts;
 * an ICMP error queued on the socket is passed over. Stops once a verdict
 * has closed fd (reading on could read another socket given its number). */
static bool on_watch_datagram(int fd, const struct udp_datagram *d, void *ctx)
{
	struct csrv *c = ctx;

	if (d->error || d->truncated)
		return true;
	for (unsigned k = 0; k < CONFIRM_MAX_PORTS; k++) {
		struct cport *p = &c->p[k];

		if (!p->watching || p->wfd != fd ||
		    !dialback_udp_match(d->data, d->len, p->req.nonce))
			continue;
		p->arrived = true;
		if (!p->grace_ms)
			return true;
		/* The server's answer came first: the verdict closes fd. */
		verdict(c, k, CONFIRM_YES, DIALBACK_SENT, NULL);
		return false;
	}
	return true;
}

/* A UDP port held for the server's datagram: only its nonce counts. */
static void on_watch(struct loop *l, int fd, uint32_t events, void *data)
{
	struct csrv *c = data;
	uint8_t buf[64];

	(void)l;
	(void)events;
	(void)udp_drain(fd, buf, sizeof(buf), 16, on_watch_datagram, c);
	schedule(c);
}

/* Hold UDP port (this host's side of the mapping) for the server's
 * datagram; -EADDRINUSE when the node (or anyone) holds it. */
static int watch_udp(struct csrv *c, struct cport *p, uint16_t port)
{
	struct netaddr me = { .family = AF_INET, .port = port };
	struct sockaddr_storage ss;
	int sl = netaddr_to_sockaddr(&me, &ss);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (sl <= 0 || bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0) {
		int err = errno == EADDRINUSE ? -EADDRINUSE : -EIO;

		close(fd);
		return err;
	}
	if (loop_add_fd(c->loop, fd, LOOP_READABLE, on_watch, c) < 0) {
		close(fd);
		return -EIO;
	}
	p->wfd = fd;
	p->watching = true;
	return 0;
}

static void on_timer(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	schedule(data);
}

static void schedule(struct csrv *c)
{
	uint64_t now = loop_now_ms(c->loop), next = UINT64_MAX, d;
	char why[CONFIRM_TEXT_MAX];

	for (unsigned i = 0; i < CONFIRM_MAX_PORTS; i++) {
		struct cport *p = &c->p[i];

		if (p->pub.state == CONFIRM_ASKING && p->grace_ms && now >= p->grace_ms) {
			verdict(c, i, CONFIRM_NO, DIALBACK_SENT,
				"the server sent its datagram and it did not arrive here: a filter "
				"on the way drops it (or it was lost: one UDP datagram)");
			continue;
		}
		if (p->pub.state == CONFIRM_ASKING && p->grace_ms && p->grace_ms < next)
			next = p->grace_ms;
		if (p->pub.state != CONFIRM_ASKING || !p->x.active)
			continue;
		if (now >= p->giveup_ms) {
			if (p->have_cookie)
				TEXT_SET(why,
					 "the server gave no dial-back result within %u ms "
					 "(slow, or overloaded)",
					 DIALCLIENT_GIVEUP_MS);
			else
				TEXT_SET(why, "no answer from the server within %u ms",
					 DIALCLIENT_GIVEUP_MS);
			verdict(c, i, CONFIRM_UNKNOWN, 0, why);
			continue;
		}
		d = dialclient_xmit_due(&p->x);
		if (d <= now) {
			dialclient_xmit_sent(&p->x, now);
			(void)send(c->fd, p->x.pkt, p->x.len, MSG_NOSIGNAL);
			d = dialclient_xmit_due(&p->x);
		}
		if (d > p->giveup_ms)
			d = p->giveup_ms;
		if (d < next)
			next = d;
	}
	if (next == UINT64_MAX)
		loop_timer_stop(c->loop, &c->timer);
	else
		loop_timer_start(c->loop, &c->timer, next > now ? next - now : 0, on_timer, c);
}

static void on_resolved(struct loop *l, const struct resolve_result *res, void *data)
{
	struct csrv *c = data;
	int fd;

	c->rreq = NULL;
	if (res->gai_error || !res->n || res->addrs[0].family != AF_INET) {
		TEXT_SET(c->error, "cannot resolve the server %s: %s", c->name,
			 res->gai_error ? gai_strerror(res->gai_error) : "no IPv4 address");
		log_warnx("map: --server: %s; mappings are not confirmed from outside", c->error);
		all_unknown(c, c->error);
		return;
	}
	c->server = res->addrs[0];
	fd = udp_open(AF_INET, &c->server, NULL);
	if (fd < 0 || loop_add_fd(l, fd, LOOP_READABLE, on_readable, c) < 0) {
		if (fd >= 0)
			close(fd);
		TEXT_SET(c->error, "cannot open a UDP socket toward the server %s", c->name);
		log_warnx("map: --server: %s", c->error);
		all_unknown(c, c->error);
		return;
	}
	c->fd = fd;
	for (unsigned i = 0; i < CONFIRM_MAX_PORTS; i++)
		if (c->p[i].pub.state == CONFIRM_ASKING && !c->p[i].x.active)
			send_request(c, &c->p[i]);
	schedule(c);
}

/* Resolve the server's name (again: a name that did not resolve, DNS not
 * up yet at boot, is tried anew with the next mapping). */
static int resolve(struct csrv *c)
{
	int err;

	c->error[0] = '\0';
	/* A literal answers before this returns. */
	err = resolve_start(c->loop, c->host, c->port, AF_INET, on_resolved, c, &c->rreq);
	if (err < 0) {
		TEXT_SET(c->error, "cannot resolve the server %s: %s", c->name, strerror(-err));
		all_unknown(c, c->error);
	}
	return err;
}

static int csrv_open(struct loop *l, const char *host, uint16_t port, confirm_cb cb, void *data,
		     struct csrv **out)
{
	struct csrv *c = calloc(1, sizeof(*c));
	bool v6 = strchr(host, ':') != NULL;
	int err;

	if (!c)
		return -ENOMEM;
	c->loop = l;
	c->fd = -1;
	c->cb = cb;
	c->data = data;
	loop_timer_init(&c->timer);
	TEXT_SET(c->name, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
	text_copy(c->host, sizeof(c->host), host);
	c->port = port;
	*out = c;
	err = resolve(c);
	if (err < 0) {
		*out = NULL;
		free(c);
	}
	return err;
}

static void csrv_ask(struct csrv *c, unsigned idx, uint8_t ipproto, uint16_t internal_port,
		     const struct netaddr *ext)
{
	struct cport *p;
	unsigned unknowns;

	if (!c || idx >= CONFIRM_MAX_PORTS)
		return;
	p = &c->p[idx];
	/* The back-off of confirm_retry_due lasts while the mapping does. */
	unknowns =
	    p->pub.ipproto == ipproto && netaddr_eq(&p->pub.ext, ext, false) ? p->pub.unknowns : 0;
	unwatch(c, p);
	memset(p, 0, sizeof(*p));
	p->pub.unknowns = unknowns;
	p->pub.state = CONFIRM_ASKING;
	p->pub.ipproto = ipproto;
	p->pub.ext = *ext;
	p->asked_ms = loop_now_ms(c->loop);
	if (ipproto == IPPROTO_UDP && watch_udp(c, p, internal_port) < 0) {
		verdict(c, idx, CONFIRM_UNKNOWN, 0,
			"the node holds the UDP port, and only the holder could see the "
			"server's datagram");
		return;
	}
	p->req.proto = ipproto == IPPROTO_UDP ? DIALBACK_PROTO_UDP : DIALBACK_PROTO_TCP;
	p->req.port = ext->port;
	if (getrandom(p->req.nonce, sizeof(p->req.nonce), 0) != (ssize_t)sizeof(p->req.nonce)) {
		verdict(c, idx, CONFIRM_UNKNOWN, 0, "no randomness for the dial-back nonce");
		return;
	}
	if (c->fd >= 0) {
		send_request(c, p);
		schedule(c);
	} else if (!c->rreq) {
		(void)resolve(c); /* the last try failed: try again */
	}			  /* else sent once the server's address is known */
}

bool confirm_retry_due(const struct confirm_port *p, uint64_t now_ms)
{
	uint64_t wait = CONFIRM_RETRY_FIRST_MS;

	if (p->state != CONFIRM_UNKNOWN)
		return false;
	for (unsigned k = 1; k < p->unknowns && wait < CONFIRM_RETRY_MAX_MS; k++)
		wait *= 2;
	if (wait > CONFIRM_RETRY_MAX_MS)
		wait = CONFIRM_RETRY_MAX_MS;
	return now_ms >= p->verdict_ms + wait;
}

/* The ask about idx ended elsewhere (asked anew): this server forgets it. */
static void csrv_cancel(struct csrv *c, unsigned idx)
{
	struct cport *p = &c->p[idx];

	unwatch(c, p);
	p->x.active = false;
	p->grace_ms = 0;
	p->pub.state = CONFIRM_NONE;
}

static void csrv_close(struct csrv *c)
{
	if (!c)
		return;
	resolve_cancel(c->rreq);
	loop_timer_stop(c->loop, &c->timer);
	for (unsigned i = 0; i < CONFIRM_MAX_PORTS; i++)
		unwatch(c, &c->p[i]);
	if (c->fd >= 0) {
		loop_del_fd(c->loop, c->fd);
		close(c->fd);
	}
	free(c);
}

/* --- several servers: the next one asked when one cannot tell ---------- */

struct cslot {
	struct confirm *set;
	unsigned k;
};

struct confirm {
	struct csrv *srv[CONFIRM_MAX_SERVERS];
	struct cslot slot[CONFIRM_MAX_SERVERS];
	unsigned n;
	confirm_cb cb;
	void *data;
	char names[CONFIRM_MAX_SERVERS * (RESOLVE_HOST_MAX + 10)];
	struct {
		struct confirm_port pub;
		unsigned at; /* the server asked now */
		uint16_t internal_port;
	} a[CONFIRM_MAX_PORTS];
};

/* Server k has a verdict on idx: UNKNOWN goes to the next server, if any;
 * anything else (or the last server's UNKNOWN) is the verdict. */
static void on_server(void *data, unsigned idx)
{
	struct cslot *sl = data;
	struct confirm *c = sl->set;
	const struct confirm_port *v = &sl->set->srv[sl->k]->p[idx].pub;
	unsigned unknowns = c->a[idx].pub.unknowns;

	if (sl->k != c->a[idx].at || c->a[idx].pub.state != CONFIRM_ASKING)
		return; /* an ask replaced since */
	if (v->state == CONFIRM_UNKNOWN && sl->k + 1 < c->n) {
		log_info("map: --server %s: %s; asking %s", c->srv[sl->k]->name, v->reason,
			 c->srv[sl->k + 1]->name);
		c->a[idx].at = sl->k + 1;
		c->a[idx].pub.server = c->srv[sl->k + 1]->name;
		csrv_ask(c->srv[sl->k + 1], idx, c->a[idx].pub.ipproto, c->a[idx].internal_port,
			 &c->a[idx].pub.ext);
		return;
	}
	c->a[idx].pub = *v;
	c->a[idx].pub.unknowns = v->state == CONFIRM_UNKNOWN ? unknowns + 1 : 0;
	c->a[idx].pub.server = c->srv[sl->k]->name;
	c->cb(c->data, idx);
}

int confirm_open(struct loop *l, const char *const *hosts, const uint16_t *ports, unsigned n,
		 confirm_cb cb, void *data, struct confirm **out)
{
	struct confirm *c;
	size_t nlen = 0;
	int err = 0;

	if (n == 0 || n > CONFIRM_MAX_SERVERS)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cb = cb;
	c->data = data;
	for (unsigned k = 0; k < n && err == 0; k++) {
		c->slot[k].set = c;
		c->slot[k].k = k;
		err = csrv_open(l, hosts[k], ports[k], on_server, &c->slot[k], &c->srv[k]);
		if (err == 0) {
			c->n = k + 1;
			text_appendf(c->names, sizeof(c->names), &nlen, "%s%s", k ? ", " : "",
				     c->srv[k]->name);
		}
	}
	if (err < 0) {
		confirm_close(c);
		return err;
	}
	*out = c;
	return 0;
}

void confirm_ask(struct confirm *c, unsigned idx, uint8_t ipproto, uint16_t internal_port,
		 const struct netaddr *ext)
{
	struct confirm_port *p;
	unsigned unknowns;

	if (!c || idx >= CONFIRM_MAX_PORTS)
		return;
	p = &c->a[idx].pub;
	if (p->state == CONFIRM_ASKING)
		csrv_cancel(c->srv[c->a[idx].at], idx);
	/* The back-off of confirm_retry_due lasts while the mapping does. */
	unknowns = p->ipproto == ipproto && netaddr_eq(&p->ext, ext, false) ? p->unknowns : 0;
	memset(p, 0, sizeof(*p));
	p->unknowns = unknowns;
	p->state = CONFIRM_ASKING;
	p->ipproto = ipproto;
	p->ext = *ext;
	p->server = c->srv[0]->name;
	c->a[idx].at = 0;
	c->a[idx].internal_port = internal_port;
	csrv_ask(c->srv[0], idx, ipproto, internal_port, ext);
}

const struct confirm_port *confirm_get(const struct confirm *c, unsigned idx)
{
	static const struct confirm_port none = { .server = "" };

	return c && idx < CONFIRM_MAX_PORTS ? &c->a[idx].pub : &none;
}

bool confirm_busy(const struct confirm *c)
{
	for (unsigned i = 0; c && i < CONFIRM_MAX_PORTS; i++)
		if (c->a[i].pub.state == CONFIRM_ASKING)
			return true;
	return false;
}

const char *confirm_server_name(const struct confirm *c)
{
	return c ? c->names : "";
}

void confirm_close(struct confirm *c)
{
	if (!c)
		return;
	for (unsigned k = 0; k < CONFIRM_MAX_SERVERS; k++)
		csrv_close(c->srv[k]);
	free(c);
}

/* SPDX-License-Identifier: MIT */
/*
 * `check --server`: what a natdoctor serve instance sees from outside
 * (docs/SERVE-PROTOCOL.md). IPv4: the first server that resolves, and
 * when it gives no dial-back result (silent past SP_COOKIE_WAIT, refused
 * by ICMP, not a natdoctor serve, a STUN error, rate-limited, busy,
 * denied) the next IPv4 server, while the check's deadline leaves room.
 *
 *   - Dial-backs over UDP, one per node port (TCP ports; UDP ports that no
 *     node holds, which we then hold ourselves and watch for the server's
 *     datagram) and one for natdoctor's own TCP probe listener on a random
 *     port. Each is two STUN transactions: the first fetches a cookie (the
 *     server keeps no state for it), the second echoes it and is answered
 *     with ND-DIALBACK-RESULT once the server has dialled. All run at once,
 *     in parallel with the other probes; the RFC 5780 tests toward the same
 *     server run in check/stunprobe.c, which the server also is a STUN
 *     target of, so they are not written twice.
 *   - TCP mapping (RFC 5780 §4.3 over TCP): connections from ONE local port
 *     (SO_REUSEADDR, SO_REUSEPORT) to the server's address, then to its
 *     alternate address (OTHER-ADDRESS) on the same port, and to the
 *     alternate address and port when those two differed; each reads its
 *     XOR-MAPPED-ADDRESS.
 *   - Hairpinning (RFC 5780 §4.5) from a socket of its own, never the
 *     node's: learn its public address from the server, send a Binding
 *     request to that address, and see whether it comes back.
 *
 * Nothing from the server is trusted: answers are matched by transaction
 * id and source, a result for another port or protocol than asked is
 * thrown away and counted, and a server that claims it reached our probe
 * listener while the listener saw nothing is caught lying.
 */
#include "check/probes.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/reach.h"
#include "dial/dialclient.h"
#include "net/udp.h"
#include "proto/dialback.h"
#include "proto/iptcp.h"
#include "proto/stun.h"
#include "util/log.h"
#include "util/text.h"

#define SP_MAX_LST   3 /* probe listeners: a random port, two node-port numbers */
#define SP_MAX_DIALS (CHECK_MAX_PORTS + SP_MAX_LST)
#define SP_MAP_WAIT  1000
#define SP_MAX_INFLIGHT \
	4 /* dial-back transactions outstanding at once */ /* ms to wait for the gateway's PCP answer */
#define SP_RECV_MAX    1500
#define SP_UDP_GRACE   150 /* ms a UDP dial-back datagram may trail the answer */
#define SP_HAIRPIN_MIN 250 /* ms to wait for our own hairpinned request */
#define SP_PROBE_CONNS 4
#define SP_TCP_BUF     512
/* ms without any answer from a server to its cookie requests (sent at 0,
 * 200 and 600 ms; a cookie needs no dial, only a round trip) before the
 * next --server is asked. */
#define SP_COOKIE_WAIT 1000
/* ms the next server needs at least: a cookie, its 1 s dial timeout and
 * the round trips. With less left before the deadline it is not asked. */
#define SP_FALLBACK_MIN 1200

struct sp_dial {
	bool used, done;
	struct dialback_req req;
	int port_idx; /* index in cfg->ports, -1 for a probe listener */
	int lst;      /* the probe listener it dials, -1 for a node port */
	bool have_cookie;
	struct dialback_cookie cookie;
	struct dialclient_xmit x;
	uint8_t result;
	uint16_t elapsed_ms;
	uint64_t done_ms;
	int watch_fd; /* UDP node port we hold, -1 */
	bool arrived;
};

struct sp_tcp {
	int fd;
	struct netaddr dst;
	uint8_t tid[STUN_TID_LEN];
	uint8_t buf[SP_TCP_BUF];
	size_t len;
	bool sent, done;
	struct netaddr mapped;
	struct netaddr other; /* OTHER-ADDRESS the answer offered */
};

struct sp_conn {
	int fd;
	int lst; /* which listener accepted it */
	uint8_t buf[128];
	size_t len;
};

struct serverprobe;

/* natdoctor's own TCP probe listener. [0] sits on a random port: dialled
 * on that port, or behind a NAT on the port the router's PCP maps to it.
 * The others stand in for a node port that was not reached: mapped
 * through the router on the node's external port number, when that
 * number is free there. */
struct sp_lst {
	struct serverprobe *p;
	int fd;
	uint16_t port;	   /* local port */
	int node_idx;	   /* -1 for the random one, else index in cfg->ports */
	bool map_pending;  /* a PCP MAP went out, no answer yet */
	uint64_t map_end;  /* when to stop waiting for it */
	uint16_t ext_port; /* what the router granted, 0 none */
	uint8_t nonce[DIALBACK_NONCE_LEN];
	bool arrived; /* the server's greeting with our nonce came in */
	int dial;     /* index in d[] of its dial-back, -1 none yet */
};

struct serverprobe {
	struct check_run *run;
	int id;
	bool finished;
	struct loop_timer timer;
	struct server_result *srv;
	struct netaddr server; /* the server's IPv4 address and port */
	struct netaddr other;  /* its OTHER-ADDRESS, family 0 until known */
	size_t cur;	       /* its index in cfg->servers */
	uint64_t srv_start;    /* when it was first asked */
	int refused;	       /* the ICMP error from it (-ECONNREFUSED...), 0 none */
	bool no_next;	       /* no next server to fall back to (or no room) */
	int fd;		       /* dial-back requests, connected to the server */
	struct sp_dial d[SP_MAX_DIALS];
	size_t n_dials;
	/* probe listeners */
	struct sp_lst lst[SP_MAX_LST];
	size_t n_lst;
	bool use_pcp;	     /* behind a NAT whose router may map for us */
	bool random_started; /* the random-port probe listener is out */
	struct sp_conn conns[SP_PROBE_CONNS];
	/* TCP mapping: [0] primary, [1] alternate IP, [2] alternate IP and port */
	struct sp_tcp t[3];
	uint16_t tcp_lport;
	bool tcp_started;
	/* the wire (root): the server's SYNs to the node's TCP ports */
	int wfd;
	bool syn_in[CHECK_MAX_PORTS], reply_out[CHECK_MAX_PORTS];
	/* hairpinning */
	int hfd;
	struct dialclient_xmit hx; /* Binding to the server, then to our own mapping */
	struct netaddr hmapped;
	uint64_t h_end; /* when the hairpin wait ends, 0 before */
	bool h_done;
	uint32_t rtt_ms;
};

static void sp_schedule(struct serverprobe *p);

static void xmit_send(struct serverprobe *p, int fd, struct dialclient_xmit *x,
		      const struct netaddr *to)
{
	struct sockaddr_storage ss;
	int sl = netaddr_to_sockaddr(to, &ss);

	dialclient_xmit_sent(x, loop_now_ms(p->run->loop));
	/* A send error is a lost packet: retransmission deals with it. But an
	 * ICMP error from the server (p->fd is connected) that the kernel
	 * hands to this send rather than to a read says it is not there. */
	if (sl > 0 && sendto(fd, x->pkt, x->len, 0, (struct sockaddr *)&ss, (socklen_t)sl) < 0 &&
	    fd == p->fd && !p->refused &&
	    (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH))
		p->refused = -errno;
}

static void close_fd(struct loop *l, int *fd)
{
	if (*fd >= 0) {
		loop_del_fd(l, *fd);
		close(*fd);
		*fd = -1;
	}
}

/* The first thing that went wrong with the server is what the report says. */
static void srv_error(struct serverprobe *p, const char *msg)
{
	if (!p->srv->error[0])
		text_copy(p->srv->error, sizeof(p->srv->error), msg);
}

/* --- dial-backs ----------------------------------------------------------- */

/* Dial-back transactions sent and not yet answered. RFC 8489 §6.2.1 asks
 * for at most ten outstanding transactions to one server; the RFC 5780
 * tests of check/stunprobe.c and the hairpin test share them. */
static unsigned dials_in_flight(const struct serverprobe *p)
{
	unsigned n = 0;

	for (size_t i = 0; i < p->n_dials; i++)
		n += p->d[i].x.active && p->d[i].x.n_sent > 0;
	return n;
}

static int dial_send_request(struct serverprobe *p, struct sp_dial *d)
{
	int e = dialclient_request(&d->x, &d->req, d->have_cookie ? &d->cookie : NULL);

	if (e < 0)
		return e;
	if (dials_in_flight(p) < SP_MAX_INFLIGHT)
		xmit_send(p, p->fd, &d->x, &p->server);
	/* else it waits its turn in sp_schedule */
	return 0;
}

static void lst_dial(struct serverprobe *p, struct sp_lst *ls, uint16_t ext_port);
static bool lst_map(struct serverprobe *p, struct sp_lst *ls, uint16_t suggested);
static int probe_listen(struct serverprobe *p, int node_idx);
static int add_dial(struct serverprobe *p, uint8_t proto, uint16_t port, int port_idx, int lst);

static void dial_finish(struct serverprobe *p, struct sp_dial *d, uint8_t result, uint16_t ms)
{
	int k;

	d->x.active = false;
	d->done = true;
	d->result = result;
	d->elapsed_ms = ms;
	d->done_ms = loop_now_ms(p->run->loop);
	/* A TCP node port that was not reached: does its number get in at
	 * all? A probe listener of ours, mapped on that external number
	 * through the router, tells. Only after the node's own dial-back, so
	 * a mapping of ours never stands in front of a working forward. */
	if (d->port_idx < 0 || d->req.proto != DIALBACK_PROTO_TCP ||
	    (result != DIALBACK_REFUSED && result != DIALBACK_FILTERED))
		return;
	if (p->use_pcp && (k = probe_listen(p, d->port_idx)) >= 0)
		lst_map(p, &p->lst[k], d->req.port);
	/* And does anything get in at all? natdoctor's own listener on a
	 * random port: behind a NAT mapped through the router first (PCP),
	 * else dialled as it is. Only now: when every node port is reached
	 * there is nothing to explain, and the check ends sooner. */
	if (!p->random_started) {
		p->random_started = true;
		k = probe_listen(p, -1);
		if (k >= 0 && !lst_map(p, &p->lst[k], p->lst[k].port))
			lst_dial(p, &p->lst[k], p->lst[k].port);
	}
}

static struct sp_dial *dial_by_tid(struct serverprobe *p, const uint8_t *tid)
{
	for (size_t i = 0; i < p->n_dials; i++)
		if (p->d[i].x.n_sent && !memcmp(p->d[i].x.tid, tid, STUN_TID_LEN))
			return &p->d[i];
	return NULL;
}

static void tcpmap_start(struct serverprobe *p);

static void on_dial_answer(struct serverprobe *p, struct sp_dial *d, const struct stun_msg *m,
			   const uint8_t *pkt, size_t len)
{
	struct dialclient_answer a;
	enum dialclient_ev ev;

	if (!d->x.active)
		return; /* an answer to a retransmission: already have one */
	ev = dialclient_answer(&p->server, &d->req, d->have_cookie, m, pkt, len, &a);
	if (ev == DIALCLIENT_ERROR) {
		char msg[CHECK_TEXT_MAX];

		TEXT_SET(msg, "answered a dial-back request with %s", a.error);
		srv_error(p, msg);
		dial_finish(p, d, 0, 0);
		return;
	}
	if (ev == DIALCLIENT_BAD) {
		p->srv->bad_packets++;
		return;
	}
	if (!p->srv->answered) {
		p->srv->answered = true;
		p->srv->observed = a.observed;
		p->srv->rtt_ms = p->rtt_ms = (uint32_t)(loop_now_ms(p->run->loop) - d->x.first_ms);
	} else if (!netaddr_eq(&p->srv->observed, &a.observed, true)) {
		/* One server, one socket: the observed IP cannot change. */
		p->srv->bad_packets++;
		return;
	}
	if (a.has_other && !p->other.family)
		p->other = a.other;
	tcpmap_start(p);
	switch (ev) {
	case DIALCLIENT_RESULT:
		dial_finish(p, d, a.result.result, a.result.elapsed_ms);
		break;
	case DIALCLIENT_COOKIE:
		p->srv->dialback = true;
		d->have_cookie = true;
		d->cookie = a.cookie;
		if (dial_send_request(p, d) < 0)
			dial_finish(p, d, 0, 0);
		break;
	default: /* DIALCLIENT_NOT_DIALBACK */
		srv_error(p, "answers STUN but not the dial-back: it is not a "
			     "natdoctor serve, or an old one");
		dial_finish(p, d, 0, 0);
		break;
	}
}

/* --- hairpinning (RFC 5780 §4.5) -------------------------------------------- */

static void hairpin_answer(struct serverprobe *p, const struct stun_msg *m)
{
	const struct netaddr *mapped = stun_msg_mapped(m);
	struct loop *l = p->run->loop;
	uint64_t wait;

	if (p->h_end) {
		/* Our own request, come back to us through the NAT. */
		if (m->cls == STUN_REQUEST) {
			p->run->res->reach.hairpinning = TRI_YES;
			p->h_done = true;
			p->hx.active = false;
		}
		return;
	}
	if (m->cls != STUN_SUCCESS || !mapped ||
	    !dialclient_observed_believable(&p->server, mapped)) {
		p->srv->bad_packets++;
		return;
	}
	p->hmapped = *mapped;
	p->hx.active = false;
	if (netaddr_eq(mapped, &p->run->res->local.route4.source, true)) {
		p->h_done = true; /* no NAT here: nothing to hairpin */
		return;
	}
	if (dialclient_xmit_prepare(&p->hx, NULL) < 0) {
		p->h_done = true;
		return;
	}
	xmit_send(p, p->hfd, &p->hx, &p->hmapped);
	wait = 3 * (uint64_t)(loop_now_ms(l) - p->hx.first_ms + p->rtt_ms);
	p->h_end = loop_now_ms(l) + (wait < SP_HAIRPIN_MIN ? SP_HAIRPIN_MIN : wait);
}

/* --- the UDP sockets ---------------------------------------------------------- */

/* One read of udp_drain on any of our UDP sockets: the server's answers on
 * p->fd, the hairpin's on p->hfd, the dial-backs on the node ports we
 * hold. An ICMP error queued on the socket and a datagram too long for any
 * of these are passed over. */
static bool on_datagram(int fd, const struct udp_datagram *dg, void *data)
{
	struct serverprobe *p = data;
	struct stun_msg m;
	struct sp_dial *d;

	if (dg->error && fd == p->fd && !p->refused)
		p->refused = dg->error; /* port or host unreachable */
	if (dg->error || dg->truncated)
		return true;
	/* A UDP node port we hold: only the server's datagram counts. */
	for (size_t k = 0; k < p->n_dials; k++)
		if (p->d[k].watch_fd == fd &&
		    dialback_udp_match(dg->data, dg->len, p->d[k].req.nonce))
			p->d[k].arrived = true;
	if (fd != p->fd && fd != p->hfd)
		return true;
	if (stun_decode(&m, dg->data, dg->len) < 0 || m.method != STUN_BINDING) {
		if (netaddr_eq(&dg->from, &p->server, true))
			p->srv->bad_packets++;
		return true;
	}
	if (fd == p->hfd) {
		if (p->hx.n_sent && !memcmp(m.tid, p->hx.tid, STUN_TID_LEN) && !p->h_done)
			hairpin_answer(p, &m);
		return true;
	}
	if (!netaddr_eq(&dg->from, &p->server, false) ||
	    (m.cls != STUN_SUCCESS && m.cls != STUN_ERROR) || !(d = dial_by_tid(p, m.tid))) {
		p->srv->bad_packets++;
		return true;
	}
	on_dial_answer(p, d, &m, dg->data, dg->len);
	return true;
}

static void on_udp(struct loop *l, int fd, uint32_t events, void *data)
{
	struct serverprobe *p = data;
	uint8_t buf[SP_RECV_MAX];

	(void)l;
	(void)events;
	(void)udp_drain(fd, buf, sizeof(buf), 64, on_datagram, p);
	sp_schedule(p);
}

/* --- the wire (root only) ------------------------------------------------------ */

/* Every TCP segment on the interface toward the internet, inbound and
 * outbound, seen before this host's firewall: did the server's SYN to a
 * node port arrive, and did anything answer it? */
static void on_wire(struct loop *l, int fd, uint32_t events, void *data)
{
	struct serverprobe *p = data;
	const struct check_config *cfg = p->run->cfg;
	uint8_t buf[128];

	(void)l;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		struct iptcp t;
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&sll, &sl);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			continue;
		}
		if (iptcp_parse(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), &t) < 0)
			continue;
		for (size_t k = 0; k < cfg->n_ports && k < CHECK_MAX_PORTS; k++) {
			uint16_t port = cfg->ports[k].port;

			if (cfg->ports[k].proto != IPPROTO_TCP)
				continue;
			if (sll.sll_pkttype != PACKET_OUTGOING && t.dst.port == port &&
			    (t.flags & (IPTCP_SYN | IPTCP_ACK)) == IPTCP_SYN &&
			    netaddr_eq(&t.src, &p->server, true))
				p->syn_in[k] = true;
			if (sll.sll_pkttype == PACKET_OUTGOING && t.src.port == port &&
			    (t.flags & (IPTCP_RST | IPTCP_SYN)) &&
			    netaddr_eq(&t.dst, &p->server, true))
				p->reply_out[k] = true;
		}
	}
}

/* A packet socket for TCP over IPv4 on ifname; needs CAP_NET_RAW. */
static int wire_open(struct serverprobe *p, const char *ifname)
{
	static struct sock_filter tcp_only[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9), /* IPv4 Protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 128),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(tcp_only) / sizeof(tcp_only[0]),
				   .filter = tcp_only };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	int fd;

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    loop_add_fd(p->run->loop, fd, LOOP_READABLE, on_wire, p) < 0) {
		close(fd);
		return -EIO;
	}
	p->wfd = fd;
	return 0;
}

/* --- the probe listener --------------------------------------------------------- */

static void conn_close(struct serverprobe *p, struct sp_conn *c)
{
	close_fd(p->run->loop, &c->fd);
	c->len = 0;
}

static void on_conn(struct loop *l, int fd, uint32_t events, void *data)
{
	struct serverprobe *p = data;
	struct sp_conn *c = NULL;
	uint8_t line[DIALBACK_TCP_LINE_LEN];
	ssize_t n;

	(void)l;
	(void)events;
	for (size_t i = 0; i < SP_PROBE_CONNS; i++)
		if (p->conns[i].fd == fd)
			c = &p->conns[i];
	if (!c)
		return;
	n = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			conn_close(p, c);
		return;
	}
	c->len += (size_t)n;
	if (dialback_tcp_classify(c->buf, c->len, p->lst[c->lst].nonce) == DIALBACK_PROBE) {
		/* It is the server, with our nonce: echo the line back so it
		 * reports "probe", and note that it got in. */
		dialback_tcp_line(line, p->lst[c->lst].nonce);
		(void)send(fd, line, sizeof(line), MSG_NOSIGNAL);
		p->lst[c->lst].arrived = true;
		conn_close(p, c);
	} else if (c->len == sizeof(c->buf)) {
		conn_close(p, c); /* a stranger: the line never came */
	}
	sp_schedule(p);
}

static void on_accept(struct loop *l, int fd, uint32_t events, void *data)
{
	struct sp_lst *ls = data;
	struct serverprobe *p = ls->p;

	(void)events;
	for (int k = 0; k < 8; k++) {
		struct sp_conn *c = NULL;
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			return;
		for (size_t i = 0; i < SP_PROBE_CONNS && !c; i++)
			if (p->conns[i].fd < 0)
				c = &p->conns[i];
		if (!c || loop_add_fd(l, cfd, LOOP_READABLE, on_conn, p) < 0) {
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->lst = (int)(ls - p->lst);
		c->len = 0;
	}
}

static int tcp_socket(const struct netaddr *bind_to, bool reuse)
{
	struct sockaddr_storage ss;
	int one = 1, sl, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (reuse && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0))
		goto fail;
	sl = netaddr_to_sockaddr(bind_to, &ss);
	if (sl <= 0 || bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0)
		goto fail;
	return fd;
fail:
	sl = -errno;
	close(fd);
	return sl < 0 ? sl : -EINVAL;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct netaddr a;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    netaddr_from_sockaddr(&a, (struct sockaddr *)&ss, sl) < 0)
		return 0;
	return a.port;
}

/* A new probe listener on a random port; its index, or a negative errno. */
static int probe_listen(struct serverprobe *p, int node_idx)
{
	struct netaddr any = { .family = AF_INET };
	struct sp_lst *ls;
	int fd;

	if (p->n_lst == SP_MAX_LST)
		return -ENOSPC;
	ls = &p->lst[p->n_lst];
	fd = tcp_socket(&any, false);
	if (fd < 0)
		return fd;
	ls->p = p;
	ls->fd = fd;
	ls->node_idx = node_idx;
	ls->dial = -1;
	ls->port = local_port(fd);
	if (!ls->port || listen(fd, 8) < 0 ||
	    loop_add_fd(p->run->loop, fd, LOOP_READABLE, on_accept, ls) < 0 ||
	    getrandom(ls->nonce, sizeof(ls->nonce), 0) != (ssize_t)sizeof(ls->nonce)) {
		close(fd);
		ls->fd = -1;
		return -EIO;
	}
	return (int)p->n_lst++;
}

/* --- TCP mapping ------------------------------------------------------------------ */

static void tcp_done(struct serverprobe *p, struct sp_tcp *t)
{
	t->done = true;
	close_fd(p->run->loop, &t->fd);
}

static void tcp_connect(struct serverprobe *p, struct sp_tcp *t, const struct netaddr *dst);
static void tcpmap_start(struct serverprobe *p);

static void tcp_answer(struct serverprobe *p, struct sp_tcp *t)
{
	struct stun_msg m;
	const struct netaddr *mapped;
	size_t want;

	if (t->len < STUN_HEADER_LEN)
		return;
	/* RFC 8489 §6.2.2: messages back to back on the stream; the header
	 * says how long this one is. */
	want = STUN_HEADER_LEN + (((size_t)t->buf[2] << 8) | t->buf[3]);
	if (want > sizeof(t->buf)) {
		p->srv->bad_packets++;
		tcp_done(p, t);
		return;
	}
	if (t->len < want)
		return;
	if (stun_decode(&m, t->buf, want) < 0 || m.cls != STUN_SUCCESS ||
	    memcmp(m.tid, t->tid, STUN_TID_LEN) || !(mapped = stun_msg_mapped(&m)) ||
	    !dialclient_observed_believable(&p->server, mapped)) {
		p->srv->bad_packets++;
		tcp_done(p, t);
		return;
	}
	t->mapped = *mapped;
	if (m.has_other_address && dialclient_observed_believable(&p->server, &m.other_address))
		t->other = m.other_address;
	tcp_done(p, t);
	/* Test III only when test II saw another mapping than test I. */
	if (t == &p->t[1] && p->t[0].done && p->t[0].mapped.family &&
	    !netaddr_eq(&p->t[0].mapped, &t->mapped, false))
		tcp_connect(p, &p->t[2], &p->other);
	if (t == &p->t[0] && p->t[1].done && p->t[1].mapped.family &&
	    !netaddr_eq(&p->t[1].mapped, &t->mapped, false))
		tcp_connect(p, &p->t[2], &p->other);
	if (t == &p->t[0])
		tcpmap_start(p); /* its OTHER-ADDRESS may be the first we hear of */
}

static void on_tcp(struct loop *l, int fd, uint32_t events, void *data)
{
	struct serverprobe *p = data;
	struct sp_tcp *t = NULL;
	ssize_t n;

	for (int k = 0; k < 3; k++)
		if (p->t[k].fd == fd)
			t = &p->t[k];
	if (!t)
		return;
	if (!t->sent) {
		int err = 0;
		socklen_t el = sizeof(err);
		struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING, .tid = t->tid };
		uint8_t req[STUN_HEADER_LEN];

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err ||
		    !(events & LOOP_WRITABLE) || stun_encode(&o, req, sizeof(req)) < 0 ||
		    send(fd, req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
			tcp_done(p, t);
			sp_schedule(p);
			return;
		}
		t->sent = true;
		if (loop_mod_fd(l, fd, LOOP_READABLE) < 0)
			tcp_done(p, t);
		sp_schedule(p);
		return;
	}
	n = recv(fd, t->buf + t->len, sizeof(t->buf) - t->len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			tcp_done(p, t);
	} else {
		t->len += (size_t)n;
		tcp_answer(p, t);
	}
	sp_schedule(p);
}

static void tcp_connect(struct serverprobe *p, struct sp_tcp *t, const struct netaddr *dst)
{
	struct netaddr me = { .family = AF_INET, .port = p->tcp_lport };
	struct sockaddr_storage ss;
	int sl, fd;

	if (t->fd >= 0 || t->done || !dst->family)
		return;
	t->dst = *dst;
	if (getrandom(t->tid, sizeof(t->tid), 0) != (ssize_t)sizeof(t->tid))
		goto fail;
	fd = tcp_socket(&me, true);
	if (fd < 0)
		goto fail;
	if (!p->tcp_lport)
		p->tcp_lport = local_port(fd);
	sl = netaddr_to_sockaddr(dst, &ss);
	if ((connect(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0 && errno != EINPROGRESS) ||
	    loop_add_fd(p->run->loop, fd, LOOP_WRITABLE, on_tcp, p) < 0) {
		close(fd);
		goto fail;
	}
	t->fd = fd;
	return;
fail:
	t->done = true;
}

/* Test I at once; test II once the server has told its alternate address
 * (over UDP or in test I's answer), from the same local port. */
static void tcpmap_start(struct serverprobe *p)
{
	struct netaddr alt = p->other;

	if (!p->tcp_started) {
		p->tcp_started = true;
		tcp_connect(p, &p->t[0], &p->server);
	}
	if (!alt.family && p->t[0].other.family)
		alt = p->other = p->t[0].other;
	if (!alt.family || p->t[1].fd >= 0 || p->t[1].done || !p->tcp_lport)
		return;
	alt.port = p->server.port;
	tcp_connect(p, &p->t[1], &alt);
}

/* What went wrong with the current server, into its error (the first
 * thing that did), after waited_ms of asking it. */
static void srv_explain(struct serverprobe *p, unsigned waited_ms)
{
	if (p->srv->server.family && !p->srv->answered && !p->srv->error[0]) {
		if (p->refused)
			snprintf(p->srv->error, sizeof(p->srv->error),
				 "refused: an ICMP error came back (%s)", strerror(-p->refused));
		else if (p->srv->bad_packets)
			snprintf(
			    p->srv->error, sizeof(p->srv->error),
			    "answered only with malformed, unasked or lying packets (%u thrown "
			    "away)",
			    p->srv->bad_packets);
		else
			snprintf(p->srv->error, sizeof(p->srv->error), "no answer within %u ms",
				 waited_ms);
	} else if (p->srv->answered && !p->srv->dialback && !p->srv->error[0])
		srv_error(p, "answered, but never with a dial-back cookie");
	for (size_t i = 0; i < p->n_dials; i++)
		if (p->srv->dialback && p->d[i].used && !p->d[i].done && !p->srv->error[0])
			srv_error(p, "gave no dial-back result in time (slow, or overloaded)");
	for (size_t i = 0; i < p->n_dials; i++) {
		if (p->d[i].result == DIALBACK_RATE_LIMITED)
			srv_error(p,
				  "rate-limited this address's dial-backs: run the check again in "
				  "a minute");
		else if (p->d[i].result == DIALBACK_BUSY)
			srv_error(p, "was too busy to dial back: run the check again later");
		else if (p->d[i].result == DIALBACK_DENIED)
			srv_error(p,
				  "refuses to dial this address (it dials public addresses only)");
	}
}

/* --- falling back to the next --server ---------------------------------------------- */

/* The first IPv4 address of the first --server from cfg->servers[from]
 * on that has one: the server, its index in *idx, the address in *addr. */
static const struct stun_target *pick_server(const struct check_config *cfg, size_t from,
					     size_t *idx, struct netaddr *addr)
{
	for (size_t i = from; i < cfg->n_servers && i < CHECK_MAX_SERVERS; i++)
		for (size_t k = 0; k < cfg->servers[i].n_addrs; k++)
			if (cfg->servers[i].addrs[k].family == AF_INET) {
				*idx = i;
				*addr = cfg->servers[i].addrs[k];
				return &cfg->servers[i];
			}
	return NULL;
}

/* A dial-back result that tells about the port (reached or not), as
 * opposed to none, denied, rate-limited or busy. */
static bool dial_told(const struct sp_dial *d)
{
	return d->done && d->result >= DIALBACK_LIBP2P && d->result <= DIALBACK_SENT;
}

/* The current server will give no dial-back result: no dial told
 * anything, and the server refused (ICMP), stayed silent past
 * SP_COOKIE_WAIT, or every node-port dial ended without a result (an error,
 * not a natdoctor serve, rate-limited, busy, denied) or was given up. */
static bool srv_failed(const struct serverprobe *p, uint64_t now)
{
	bool any = false;

	for (size_t i = 0; i < p->n_dials; i++)
		if (p->d[i].used && dial_told(&p->d[i]))
			return false;
	if (p->refused || (!p->srv->answered && now >= p->srv_start + SP_COOKIE_WAIT))
		return true;
	for (size_t i = 0; i < p->n_dials; i++) {
		const struct sp_dial *d = &p->d[i];

		if (!d->used)
			continue;
		if (!d->done && (!d->x.n_sent || dialclient_xmit_due(&d->x) != UINT64_MAX ||
				 now < d->x.first_ms + DIALCLIENT_GIVEUP_MS))
			return false;
		any = true;
	}
	return any;
}

/* Ask the next IPv4 --server for the node ports' dial-backs instead of the
 * current one, which failed (srv_failed). False when there is no next one,
 * or the deadline leaves it no room (its error says so). */
static bool sp_fall_back(struct serverprobe *p, uint64_t now)
{
	struct check_run *r = p->run;
	struct reach_view *rv = &r->res->reach;
	uint64_t left = check_time_left(r);
	struct netaddr addr;
	size_t idx;
	int fd;

	if (!pick_server(r->cfg, p->cur + 1, &idx, &addr))
		return false;
	if (left < SP_FALLBACK_MIN) {
		TEXT_SET(rv->servers[idx].error,
			 "not asked: the check's --timeout left %u ms, it needs %u", (unsigned)left,
			 SP_FALLBACK_MIN);
		return false;
	}
	fd = udp_open(AF_INET, &addr, NULL);
	if (fd < 0)
		return false;
	if (loop_add_fd(r->loop, fd, LOOP_READABLE, on_udp, p) < 0) {
		close(fd);
		return false;
	}
	srv_explain(p, (unsigned)(now - p->srv_start));
	p->srv->skipped = true;
	log_debug("server: %s gave no dial-back (%s); asking %s", p->srv->name, p->srv->error,
		  rv->servers[idx].name);
	close_fd(r->loop, &p->fd);
	p->fd = fd;
	p->cur = idx;
	p->server = addr;
	p->srv = &rv->servers[idx];
	p->srv->server = addr;
	p->srv_start = now;
	p->refused = 0;
	p->rtt_ms = 0;
	if (!p->tcp_started)
		memset(&p->other, 0, sizeof(p->other));
	for (size_t i = 0; i < p->n_dials; i++) {
		struct sp_dial *d = &p->d[i];

		if (!d->used)
			continue;
		d->done = d->have_cookie = d->arrived = false;
		d->x.active = false;
		d->result = 0;
		if (dial_send_request(p, d) < 0)
			dial_finish(p, d, 0, 0);
	}
	/* The hairpin test's first step asks the server for our mapping. */
	if (p->hfd >= 0 && !p->h_done && !p->h_end && dialclient_xmit_prepare(&p->hx, NULL) == 0)
		xmit_send(p, p->hfd, &p->hx, &p->server);
	return true;
}

/* --- scheduling ------------------------------------------------------------------- */

static bool dial_pending(const struct serverprobe *p, const struct sp_dial *d, uint64_t now)
{
	if (!d->used)
		return false;
	if (!d->done)
		return true;
	/* A UDP datagram may trail the server's answer a little. */
	return d->watch_fd >= 0 && d->result == DIALBACK_SENT && !d->arrived &&
	       now < d->done_ms + SP_UDP_GRACE + p->rtt_ms;
}

/* A listener still waits: for the router's mapping, or for the server's
 * connection that it says reached us (it may still be on its way to
 * accept()). Returns when to look again, UINT64_MAX if none waits. */
static uint64_t lst_pending(struct serverprobe *p, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < p->n_lst; i++) {
		struct sp_lst *ls = &p->lst[i];
		const struct sp_dial *d = ls->dial >= 0 ? &p->d[ls->dial] : NULL;

		if (ls->map_pending && now >= ls->map_end) {
			/* The router never answered: dial the random one as it
			 * is (a DMZ, a public host); a node number means nothing. */
			ls->map_pending = false;
			if (ls->node_idx < 0)
				lst_dial(p, ls, ls->port);
		}
		if (ls->map_pending && ls->map_end < next)
			next = ls->map_end;
		if (d && d->done && d->result == DIALBACK_PROBE && !ls->arrived &&
		    now < d->done_ms + SP_UDP_GRACE && now + 20 < next)
			next = now + 20;
	}
	return next;
}

static void lst_dial(struct serverprobe *p, struct sp_lst *ls, uint16_t ext_port)
{
	log_debug("server: dial back probe listener %u on external port %u", ls->port, ext_port);
	if (p->finished || ls->dial >= 0 ||
	    add_dial(p, DIALBACK_PROTO_TCP, ext_port, -1, (int)(ls - p->lst)) < 0)
		return;
	ls->dial = (int)p->n_dials - 1;
	if (dial_send_request(p, &p->d[ls->dial]) < 0)
		dial_finish(p, &p->d[ls->dial], 0, 0);
}

static void on_mapped(void *data, uint16_t ext_port)
{
	struct sp_lst *ls = data;
	struct serverprobe *p = ls->p;

	log_debug("server: probe listener %u mapped on external port %u at %u ms", ls->port,
		  ext_port, check_elapsed(p->run));
	if (p->finished || !ls->map_pending)
		return;
	ls->map_pending = false;
	ls->ext_port = ext_port;
	if (ls->node_idx < 0)
		lst_dial(p, ls, ext_port ? ext_port : ls->port);
	else if (ext_port && ext_port == p->run->cfg->ports[ls->node_idx].port)
		lst_dial(p, ls, ext_port); /* the number was free: try it */
	sp_schedule(p);
}

/* Ask the router to map ls on `suggested`; false when it cannot be asked. */
static bool lst_map(struct serverprobe *p, struct sp_lst *ls, uint16_t suggested)
{
	if (!p->use_pcp || gwprobe_map_tcp(p->run, ls->port, suggested, on_mapped, ls) < 0)
		return false;
	ls->map_pending = true;
	ls->map_end = loop_now_ms(p->run->loop) + SP_MAP_WAIT;
	return true;
}

static void on_timer(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	sp_schedule(data);
}

static void sp_schedule(struct serverprobe *p)
{
	struct loop *l = p->run->loop;
	uint64_t now = loop_now_ms(l), next = UINT64_MAX, d;
	bool busy = false;

	if (p->finished)
		return;
	if (!p->no_next && srv_failed(p, now) && !sp_fall_back(p, now))
		p->no_next = true; /* the last server, or no room: it stays */
	if (!p->no_next && !p->srv->answered && p->srv_start + SP_COOKIE_WAIT > now)
		next = p->srv_start + SP_COOKIE_WAIT;
	for (size_t i = 0, n = dials_in_flight(p); i < p->n_dials && n < SP_MAX_INFLIGHT; i++) {
		struct sp_dial *dl = &p->d[i];

		if (dl->x.active && dl->x.n_sent == 0) {
			xmit_send(p, p->fd, &dl->x, &p->server); /* its turn came */
			n++;
		}
	}
	for (size_t i = 0; i < p->n_dials; i++) {
		struct sp_dial *dl = &p->d[i];

		if (dl->x.active) {
			d = dialclient_xmit_due(&dl->x);
			if (d <= now) {
				xmit_send(p, p->fd, &dl->x, &p->server);
				d = dialclient_xmit_due(&dl->x);
			}
			if (d == UINT64_MAX && dl->x.n_sent && !p->no_next &&
			    dl->x.first_ms + DIALCLIENT_GIVEUP_MS > now)
				d = dl->x.first_ms +
				    DIALCLIENT_GIVEUP_MS; /* then the next server */
			if (d < next)
				next = d;
		}
		if (dial_pending(p, dl, now)) {
			busy = true;
			d = dl->done ? dl->done_ms + SP_UDP_GRACE + p->rtt_ms : UINT64_MAX;
			if (d < next)
				next = d;
		}
	}
	d = lst_pending(p, now);
	if (d != UINT64_MAX) {
		busy = true;
		if (d < next)
			next = d;
	}
	if (p->hfd >= 0 && !p->h_done) {
		if (p->h_end && now >= p->h_end) {
			/* Our own request never came back through the NAT. */
			p->h_done = true;
			p->hx.active = false;
			p->run->res->reach.hairpinning = TRI_NO;
		} else if (p->hx.active) {
			d = dialclient_xmit_due(&p->hx);
			if (d <= now) {
				xmit_send(p, p->hfd, &p->hx, p->h_end ? &p->hmapped : &p->server);
				d = dialclient_xmit_due(&p->hx);
			}
			if (p->h_end && p->h_end < d)
				d = p->h_end;
			if (d < next)
				next = d;
		} else if (p->h_end && p->h_end < next) {
			next = p->h_end;
		}
	}
	for (int k = 0; k < 3; k++)
		busy |= p->t[k].fd >= 0;
	busy |= p->hfd >= 0 && !p->h_done;
	/* Test II waits on the alternate address; without one there is none. */
	if (!busy) {
		loop_timer_stop(l, &p->timer);
		p->finished = true;
		check_probe_done(p->run, p->id);
		return;
	}
	if (p->refused && !p->no_next)
		next = now; /* a send just learnt it: fall back at once */
	if (next != UINT64_MAX)
		loop_timer_start(l, &p->timer, next > now ? next - now : 0, on_timer, p);
}

/* --- life cycle ----------------------------------------------------------------------- */

static void sp_finish(struct check_run *r, void *state)
{
	struct serverprobe *p = state;
	struct reach_view *rv = &r->res->reach;
	struct netaddr local = r->res->local.route4.source;

	loop_timer_stop(r->loop, &p->timer);
	for (size_t i = 0; i < p->n_dials; i++) {
		struct sp_dial *d = &p->d[i];
		struct reach_port *rp;

		close_fd(r->loop, &d->watch_fd);
		if (d->lst >= 0) {
			const struct sp_lst *ls = &p->lst[d->lst];

			if (d->result == DIALBACK_PROBE && !ls->arrived) {
				/* It says it reached our listener, which never
				 * saw its nonce: a lie, or a proxy in between. */
				p->srv->bad_packets++;
				srv_error(p, "claims it reached natdoctor's probe listener, "
					     "which saw nothing: its answers are not trusted");
			}
			if (ls->node_idx < 0) {
				rv->probe_port = d->req.port;
				rv->probe_dial = d->result;
				rv->probe_arrived = ls->arrived;
			} else if (d->done) {
				rv->ports[ls->node_idx].num_probe_tried = true;
				rv->ports[ls->node_idx].num_probe_arrived = ls->arrived;
			}
			continue;
		}
		rp = &rv->ports[d->port_idx];
		rp->dial = d->result;
		rp->dial_ms = d->elapsed_ms;
		rp->udp_arrived = d->arrived;
		if (p->wfd >= 0 && d->req.proto == DIALBACK_PROTO_TCP &&
		    (d->result == DIALBACK_REFUSED || d->result == DIALBACK_FILTERED ||
		     d->result == DIALBACK_LIBP2P || d->result == DIALBACK_OTHER))
			rp->wire = !p->syn_in[d->port_idx]     ? WIRE_NOTHING
				   : p->reply_out[d->port_idx] ? WIRE_ANSWERED
							       : WIRE_DROPPED;
	}
	for (size_t i = 0; i < r->cfg->n_ports && i < CHECK_MAX_PORTS; i++) {
		rv->reached[i] = reach_port_reached(&rv->ports[i]);
		rv->measured |= rv->reached[i] != TRI_UNKNOWN;
	}
	srv_explain(p, r->cfg->deadline_ms);
	p->srv->dialled = rv->measured;
	local.port = p->tcp_lport;
	rv->tcp_mapping =
	    reach_classify_mapping(&local, &p->t[0].mapped, &p->t[1].mapped, &p->t[2].mapped);
	/* The router's UPnP view may have caught our own probe mappings: they
	 * are not the operator's forwards. */
	for (size_t i = 0; i < r->res->gateway.upnp.n_mappings; i++) {
		struct upnp_port_mapping *m = &r->res->gateway.upnp.mappings[i];

		for (size_t k = 0; k < p->n_lst && m->exists; k++)
			if (p->lst[k].ext_port && m->internal.port == p->lst[k].port &&
			    netaddr_eq(&m->internal, &r->res->local.route4.source, true)) {
				m->exists = false;
				memset(&m->internal, 0, sizeof(m->internal));
				m->description[0] = '\0';
				m->lease_s = 0;
			}
	}
	for (size_t i = 0; i < SP_PROBE_CONNS; i++)
		close_fd(r->loop, &p->conns[i].fd);
	for (int k = 0; k < 3; k++)
		close_fd(r->loop, &p->t[k].fd);
	for (size_t i = 0; i < p->n_lst; i++)
		close_fd(r->loop, &p->lst[i].fd);
	close_fd(r->loop, &p->fd);
	close_fd(r->loop, &p->hfd);
	close_fd(r->loop, &p->wfd);
	free(p);
}

static int add_dial(struct serverprobe *p, uint8_t proto, uint16_t port, int port_idx, int lst)
{
	struct sp_dial *d = &p->d[p->n_dials];

	if (p->n_dials == SP_MAX_DIALS)
		return -ENOSPC;
	d->used = true;
	d->watch_fd = -1;
	d->port_idx = port_idx;
	d->lst = lst;
	d->req.proto = proto;
	d->req.port = port;
	if (lst >= 0)
		memcpy(d->req.nonce, p->lst[lst].nonce, sizeof(d->req.nonce));
	else if (getrandom(d->req.nonce, sizeof(d->req.nonce), 0) != (ssize_t)sizeof(d->req.nonce))
		return -EIO;
	p->n_dials++;
	return 0;
}

/* A UDP node port that no node holds: hold it ourselves for the datagram. */
static int watch_udp(struct serverprobe *p, struct sp_dial *d)
{
	struct netaddr me = { .family = AF_INET, .port = d->req.port };
	struct sockaddr_storage ss;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sl = netaddr_to_sockaddr(&me, &ss);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0 ||
	    loop_add_fd(p->run->loop, fd, LOOP_READABLE, on_udp, p) < 0) {
		close(fd);
		return -EADDRINUSE;
	}
	d->watch_fd = fd;
	return 0;
}

int serverprobe_start(struct check_run *r)
{
	const struct check_config *cfg = r->cfg;
	struct reach_view *rv = &r->res->reach;
	struct serverprobe *p;
	size_t idx = 0;

	rv->tried = cfg->n_servers > 0;
	rv->hairpinning = TRI_UNKNOWN;
	rv->n_servers = 0;
	for (size_t i = 0; i < cfg->n_servers && i < CHECK_MAX_SERVERS; i++) {
		struct server_result *s = &rv->servers[rv->n_servers++];
		const struct stun_target *t = &cfg->servers[i];
		bool v6 = strchr(t->host, ':') != NULL;

		TEXT_SET(s->name, "%s%s%s:%u", v6 ? "[" : "", t->host, v6 ? "]" : "", t->port);
		if (t->resolve_error[0])
			TEXT_SET(s->error, "cannot resolve: %s", t->resolve_error);
	}
	for (size_t i = 0; i < cfg->n_ports && i < CHECK_MAX_PORTS; i++)
		rv->ports[rv->n_ports++].port = cfg->ports[i];
	if (!cfg->n_servers)
		return 0;
	if (!cfg->ipv4) {
		/* The dial-backs run over IPv4 only (for now). */
		for (size_t i = 0; i < rv->n_servers; i++)
			if (!rv->servers[i].error[0])
				text_copy(
				    rv->servers[i].error, sizeof(rv->servers[i].error),
				    "not asked: the dial-back runs over IPv4, and -6 was given");
		return 0;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->run = r;
	p->fd = p->hfd = p->wfd = -1;
	for (int k = 0; k < 3; k++)
		p->t[k].fd = -1;
	for (size_t i = 0; i < SP_PROBE_CONNS; i++)
		p->conns[i].fd = -1;
	loop_timer_init(&p->timer);
	p->id = check_probe_register(r, "server", sp_finish, p);
	if (p->id < 0) {
		free(p);
		return -ENOSPC;
	}
	if (!pick_server(cfg, 0, &idx, &p->server) || !r->res->local.route4.present) {
		for (size_t i = 0; i < rv->n_servers; i++)
			if (!rv->servers[i].error[0])
				text_copy(rv->servers[i].error, sizeof(rv->servers[i].error),
					  "no IPv4 address, or no IPv4 route");
		p->srv = &rv->servers[0];
		p->finished = true;
		check_probe_done(r, p->id);
		return 0;
	}
	p->srv = &rv->servers[idx];
	p->srv->server = p->server;
	p->cur = idx;
	p->srv_start = loop_now_ms(r->loop);
	/* Connected: an ICMP error from the server comes back to us. */
	p->fd = udp_open(AF_INET, &p->server, NULL);
	if (p->fd < 0 || loop_add_fd(r->loop, p->fd, LOOP_READABLE, on_udp, p) < 0) {
		text_copy(rv->error, sizeof(rv->error), "cannot open a UDP socket");
		p->finished = true;
		check_probe_done(r, p->id);
		return 0;
	}
	/* As root: watch the node ports' SYNs on the wire, before any
	 * firewall of this host sees them. Without root, nothing to watch. */
	{
		const struct local_route *rt = &r->res->local.route4;
		const char *ifn = rt->egress_ifname[0] ? rt->egress_ifname : rt->ifname;

		if (ifn[0] && wire_open(p, ifn) == 0)
			text_copy(rv->wire_ifname, sizeof(rv->wire_ifname), ifn);
	}
	/* Behind a NAT whose router may map probe listeners for us. */
	p->use_pcp = cfg->pcp_map_test && r->res->local.route4.gateway.family == AF_INET &&
		     netaddr_classify(&r->res->local.route4.source) != NETADDR_PUBLIC;
	/* The node's ports. */
	for (size_t i = 0; i < cfg->n_ports && i < CHECK_MAX_PORTS; i++) {
		const struct node_port *np = &cfg->ports[i];
		struct sp_dial *d = &p->d[p->n_dials];

		if (add_dial(p, np->proto == IPPROTO_UDP ? DIALBACK_PROTO_UDP : DIALBACK_PROTO_TCP,
			     np->port, (int)i, -1) < 0)
			break;
		if (np->proto == IPPROTO_UDP) {
			rv->ports[i].udp_watched = watch_udp(p, d) == 0;
			if (!rv->ports[i].udp_watched) {
				/* The node holds it: only the node can tell. */
				d->used = false;
				p->n_dials--;
			}
		}
	}
	for (size_t i = 0; i < p->n_dials; i++)
		if (dial_send_request(p, &p->d[i]) < 0)
			dial_finish(p, &p->d[i], 0, 0);
	/* Hairpinning, from a socket of its own. */
	if (cfg->hairpin) {
		p->hfd = udp_open(AF_INET, NULL, NULL);
		if (p->hfd >= 0 && (loop_add_fd(r->loop, p->hfd, LOOP_READABLE, on_udp, p) < 0 ||
				    dialclient_xmit_prepare(&p->hx, NULL) < 0))
			close_fd(r->loop, &p->hfd);
		if (p->hfd >= 0)
			xmit_send(p, p->hfd, &p->hx, &p->server);
	}
	sp_schedule(p);
	return 0;
}

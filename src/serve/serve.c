/* SPDX-License-Identifier: MIT */
#include "serve/serve.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/loop.h"
#include "net/metricsd.h"
#include "serve/cookie.h"
#include "serve/dialtab.h"
#include "serve/metrics.h"
#include "serve/ratelimit.h"
#include "util/buf.h"
#include "util/keyedhash.h"

#define BATCH	      32   /* datagrams per recvmmsg/sendmmsg */
#define RECV_MAX      2048 /* larger datagrams are truncated, hence dropped */
#define TCP_CONNS_MAX 256  /* STUN-over-TCP connections at once */
#define TCP_BUF	      1024 /* largest STUN message we take over TCP */
#define TCP_IDLE_MS   10000
#define DIALS_MAX     256 /* dial-backs in flight or remembered */
#define DIAL_READ_MS  300
#define DIAL_READ_MAX 64
#define DIAL_REQ_MAX  512 /* request kept to answer it when the dial ends */

struct server;

/* A lane: one UDP answering thread with its own loop, sockets and
 * counters (SO_REUSEPORT spreads the packets over the lanes). */
struct lane {
	struct server *s;
	pthread_t th;
	bool started;
	struct loop *loop; /* this thread's own: the UDP sockets and a stop check */
	struct loop_timer tick;
	int fd[2][2]; /* [address][port] */
	struct serve_counters c;
	struct mmsghdr rmsg[BATCH];
	struct iovec riov[BATCH];
	struct sockaddr_storage rsa[BATCH];
	uint8_t rbuf[BATCH][RECV_MAX];
	struct mmsghdr smsg[BATCH];
	struct iovec siov[BATCH];
	struct sockaddr_storage ssa[BATCH];
	int sfd[BATCH];
	uint8_t sbuf[BATCH][SERVE_RESPONSE_MAX];
};

struct tcp_conn;

/* One dial-back, at the same index as its key and state in s->slots
 * (serve/dialtab.h). res and conn are under s->dial_lock (lanes read
 * results, tcp_close clears conn); the rest is written before the
 * dial-back is posted to the control thread, and fd, timer and the reply
 * buffer are the control thread's alone. */
struct dial {
	size_t idx;
	bool tcp_req; /* asked over TCP (answered on that connection) */
	struct netaddr src;
	struct dialback_req req;
	struct dialback_res res;
	uint64_t start_ms;
	unsigned at_addr, at_port;
	uint8_t reqbuf[DIAL_REQ_MAX];
	size_t reqlen; /* 0: too long to keep, answered on retransmission */
	/* control thread only */
	struct server *s;
	int fd;
	bool connected;
	struct loop_timer timer;
	uint8_t rbuf[DIAL_READ_MAX];
	size_t rlen;
	struct tcp_conn *conn;
};

struct tcp_conn {
	struct server *s;
	int fd;
	unsigned at_addr, at_port;
	struct netaddr src;
	uint8_t buf[TCP_BUF];
	size_t len;
	struct dial *waiting; /* a dial-back this connection waits for */
	struct loop_timer idle;
};

struct server {
	const struct serve_config *cfg;
	struct serve_conf conf;
	struct cookie_keys keys;
	atomic_bool stop;
	unsigned n_lanes;
	struct lane *lanes[SERVE_THREADS_MAX];

	struct loop *loop;
	struct serve_counters c; /* the control thread's */
	int tcp_fd[2][2];
	struct tcp_conn conns[TCP_CONNS_MAX];
	struct metricsd *metrics; /* --metrics: net/metricsd on the control loop */

	pthread_mutex_t dial_lock;
	struct dialtab_slot slots[DIALS_MAX];
	struct dial dials[DIALS_MAX];
	pthread_mutex_t rate_lock;
	struct ratelimit rate;
};

static char what_buf[128];

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The cookie clock: monotonic seconds, opaque to clients. */
static uint32_t mono_s(void)
{
	return (uint32_t)(mono_ms() / 1000u);
}

static const char *fmt_what(const char *verb, const struct netaddr *a, const char *proto)
{
	char ab[NETADDR_FMT_MAX];

	snprintf(what_buf, sizeof(what_buf), "%s %s/%s", verb, netaddr_fmt(a, ab), proto);
	return what_buf;
}

/* A socket bound to a (address, port); UDP ones share the port between the
 * lanes with SO_REUSEPORT. */
static int open_bound(const struct netaddr *a, int type, bool reuseport)
{
	struct sockaddr_storage ss;
	int one = 1, fd, len = netaddr_to_sockaddr(a, &ss), err;

	if (len < 0)
		return len;
	fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)len) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static struct netaddr endpoint(const struct server *s, unsigned a, unsigned p)
{
	struct netaddr e = s->conf.addr[a];

	e.port = s->conf.port[p];
	return e;
}

static unsigned n_addrs(const struct server *s)
{
	return s->conf.addr[1].family ? 2 : 1;
}

/* --- the dial-back table (shared) ------------------------------------------ */

static bool rate_take(struct server *s, const struct netaddr *src, uint64_t now)
{
	bool ok;

	pthread_mutex_lock(&s->rate_lock);
	ok = ratelimit_take(&s->rate, src, now);
	pthread_mutex_unlock(&s->rate_lock);
	return ok;
}

static void dial_start_cb(struct loop *l, void *data);

/*
 * A request that asks for a dial-back (serve_answer said SERVE_DIALBACK).
 * Returns true with *res set when it can be answered now (a remembered
 * result, rate-limited, busy), false when the answer comes later (the
 * dial-back started, or is running). conn: the TCP connection, or NULL.
 */
static bool dial_request(struct server *s, struct serve_counters *c, const struct serve_in *in,
			 const struct serve_out *o, struct tcp_conn *conn, struct dialback_res *res)
{
	uint64_t now = mono_ms();
	struct dial *d = NULL;
	bool answer_now = false;
	int i;

	pthread_mutex_lock(&s->dial_lock);
	i = dialtab_find(s->slots, DIALS_MAX, &in->src, o->tid, now);
	if (i >= 0 && s->slots[i].state == DIALTAB_DONE) {
		*res = s->dials[i].res;
		answer_now = true;
	}
	pthread_mutex_unlock(&s->dial_lock);
	if (i >= 0) /* a retransmission: the same entry, never a second dial */
		return answer_now;

	*res = (struct dialback_res){ .proto = o->dial.proto, .port = o->dial.port };
	if (!rate_take(s, &in->src, now)) {
		SERVE_COUNT(c->rate_limited);
		SERVE_COUNT(c->dialbacks[DIALBACK_RATE_LIMITED]);
		res->result = DIALBACK_RATE_LIMITED;
		return true;
	}
	pthread_mutex_lock(&s->dial_lock);
	i = dialtab_claim(s->slots, DIALS_MAX, &in->src, o->tid);
	if (i >= 0) {
		d = &s->dials[i];
		d->tcp_req = in->tcp;
		d->src = in->src;
		d->req = o->dial;
		d->start_ms = now;
		d->at_addr = in->at_addr;
		d->at_port = in->at_port;
		d->reqlen = in->len <= DIAL_REQ_MAX ? in->len : 0;
		if (d->reqlen)
			memcpy(d->reqbuf, in->pkt, in->len);
		d->conn = conn;
	}
	pthread_mutex_unlock(&s->dial_lock);
	if (!d || loop_post(s->loop, dial_start_cb, d) < 0) {
		if (d) {
			pthread_mutex_lock(&s->dial_lock);
			dialtab_release(s->slots, d->idx);
			d->conn = NULL;
			pthread_mutex_unlock(&s->dial_lock);
		}
		SERVE_COUNT(c->dialbacks[DIALBACK_BUSY]);
		res->result = DIALBACK_BUSY;
		return true;
	}
	if (conn)
		conn->waiting = d;
	return false;
}

/* --- UDP lanes: one thread each, its own loop and sockets ----------- */

static void lane_queue(struct lane *w, size_t *ns, unsigned from_addr, unsigned from_port,
		       const struct netaddr *to, size_t len)
{
	size_t i = *ns;
	struct netaddr dst = *to;
	int sl;

	sl = netaddr_to_sockaddr(&dst, &w->ssa[i]);
	if (sl < 0)
		return;
	w->sfd[i] = w->fd[from_addr][from_port];
	w->siov[i] = (struct iovec){ .iov_base = w->sbuf[i], .iov_len = len };
	w->smsg[i].msg_hdr = (struct msghdr){ .msg_name = &w->ssa[i],
					      .msg_namelen = (socklen_t)sl,
					      .msg_iov = &w->siov[i],
					      .msg_iovlen = 1 };
	(*ns)++;
}

/* Send the queued answers, one sendmmsg per run of the same socket. A send
 * that fails (a full buffer, an unreachable port) is dropped: STUN clients
 * retransmit. */
static void lane_flush(struct lane *w, size_t ns)
{
	size_t i = 0;

	while (i < ns) {
		size_t j = i + 1;

		while (j < ns && w->sfd[j] == w->sfd[i])
			j++;
		while (i < j) {
			int n = sendmmsg(w->sfd[i], &w->smsg[i], (unsigned)(j - i), MSG_DONTWAIT);

			i += n > 0 ? (size_t)n : 1;
		}
	}
}

static void lane_batch(struct lane *w, unsigned a, unsigned p)
{
	struct server *s = w->s;
	uint32_t now_s = mono_s();
	size_t ns = 0;
	int n;

	for (size_t i = 0; i < BATCH; i++) {
		w->riov[i] = (struct iovec){ .iov_base = w->rbuf[i], .iov_len = RECV_MAX };
		w->rmsg[i].msg_hdr = (struct msghdr){ .msg_name = &w->rsa[i],
						      .msg_namelen = sizeof(w->rsa[i]),
						      .msg_iov = &w->riov[i],
						      .msg_iovlen = 1 };
	}
	n = recvmmsg(w->fd[a][p], w->rmsg, BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		struct serve_in in = {
			.pkt = w->rbuf[i], .len = w->rmsg[i].msg_len, .at_addr = a, .at_port = p
		};
		struct serve_out o;
		struct netaddr to;

		SERVE_COUNT(w->c.requests_udp);
		if (w->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			SERVE_COUNT(w->c.dropped[SERVE_DROP_MALFORMED]);
			continue;
		}
		if (netaddr_from_sockaddr(&in.src, (struct sockaddr *)&w->rsa[i],
					  w->rmsg[i].msg_hdr.msg_namelen) < 0)
			continue;
		in.src = netaddr_unmap(in.src);
		if (serve_answer(&s->conf, &in, &s->keys, now_s, NULL, w->sbuf[ns],
				 SERVE_RESPONSE_MAX, &o) < 0)
			continue;
		if (o.action == SERVE_DIALBACK) {
			struct dialback_res res;

			if (!dial_request(s, &w->c, &in, &o, NULL, &res))
				continue;
			if (serve_answer(&s->conf, &in, &s->keys, now_s, &res, w->sbuf[ns],
					 SERVE_RESPONSE_MAX, &o) < 0)
				continue;
		}
		serve_count_answer(&w->c, &o);
		if (o.action != SERVE_REPLY)
			continue;
		to = in.src;
		to.port = o.to_port;
		lane_queue(w, &ns, o.from_addr, o.from_port, &to, o.len);
	}
	lane_flush(w, ns);
}

static void lane_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct lane *w = data;

	(void)l;
	(void)events;
	for (unsigned a = 0; a < 2; a++)
		for (unsigned p = 0; p < 2; p++)
			if (w->fd[a][p] == fd)
				lane_batch(w, a, p);
}

/* Bounded wait, so a stop is noticed within 200 ms. */
static void lane_tick(struct loop *l, struct loop_timer *t, void *data)
{
	struct lane *w = data;

	if (atomic_load_explicit(&w->s->stop, memory_order_relaxed))
		loop_stop(l);
	else
		loop_timer_start(l, t, 200, lane_tick, w);
}

static void *lane_main(void *arg)
{
	struct lane *w = arg;
	int r;

	loop_timer_start(w->loop, &w->tick, 200, lane_tick, w);
	r = loop_run(w->loop);
	if (r < 0)
		fprintf(stderr, "natdoctor serve: a UDP worker stopped: %s\n", strerror(-r));
	return NULL;
}

static int lane_open(struct server *s, struct lane *w, const char **what)
{
	int r;

	w->s = s;
	for (unsigned a = 0; a < 2; a++)
		for (unsigned p = 0; p < 2; p++)
			w->fd[a][p] = -1;
	loop_timer_init(&w->tick);
	r = loop_new(&w->loop);
	if (r < 0)
		return r;
	for (unsigned a = 0; a < n_addrs(s); a++) {
		for (unsigned p = 0; p < 2; p++) {
			struct netaddr e = endpoint(s, a, p);
			int fd = open_bound(&e, SOCK_DGRAM, true);

			if (fd < 0) {
				*what = fmt_what("bind", &e, "udp");
				return fd;
			}
			w->fd[a][p] = fd;
			r = loop_add_fd(w->loop, fd, LOOP_READABLE, lane_readable, w);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void lane_close(struct lane *w)
{
	if (!w)
		return;
	for (unsigned a = 0; a < 2; a++)
		for (unsigned p = 0; p < 2; p++)
			if (w->fd[a][p] >= 0)
				close(w->fd[a][p]);
	loop_free(w->loop);
	free(w);
}

/* --- dial-backs (control thread) ---------------------------------------- */

static void tcp_answer(struct tcp_conn *k, const struct dialback_res *res);

static void dial_log(const struct dial *d, uint64_t elapsed)
{
	char ab[NETADDR_FMT_MAX];
	struct netaddr t = d->src;

	t.port = d->req.port;
	/* One line per dial-back, for the operator and for fail2ban. */
	fprintf(stderr, "natdoctor serve: dialback %s/%s from %s request: %s, %llu ms\n",
		netaddr_fmt(&t, ab), d->req.proto == DIALBACK_PROTO_TCP ? "tcp" : "udp",
		d->tcp_req ? "tcp" : "udp", dialback_result_name(d->res.result),
		(unsigned long long)elapsed);
}

/* The dial-back ended with result: record it, answer, log, count. */
static void dial_finish(struct dial *d, uint8_t result)
{
	struct server *s = d->s;
	uint64_t now = mono_ms(), elapsed = now - d->start_ms;
	struct dialback_res res = { .proto = d->req.proto,
				    .result = result,
				    .port = d->req.port,
				    .elapsed_ms = (uint16_t)(elapsed > 0xffff ? 0xffff : elapsed) };
	struct tcp_conn *conn;

	loop_timer_stop(s->loop, &d->timer);
	if (d->fd >= 0) {
		loop_del_fd(s->loop, d->fd);
		close(d->fd);
		d->fd = -1;
	}
	pthread_mutex_lock(&s->dial_lock);
	d->res = res;
	dialtab_done(s->slots, d->idx, now);
	conn = d->conn;
	d->conn = NULL;
	pthread_mutex_unlock(&s->dial_lock);
	SERVE_COUNT(s->c.dialbacks[result < DIALBACK_RESULT_MAX + 1 ? result : 0]);
	dial_log(d, elapsed);

	if (conn) {
		conn->waiting = NULL;
		tcp_answer(conn, &res);
	} else if (!d->tcp_req && d->reqlen) {
		/* Answer the UDP request now rather than at the client's next
		 * retransmission, from the socket it came to. */
		struct serve_in in = { .pkt = d->reqbuf,
				       .len = d->reqlen,
				       .src = d->src,
				       .at_addr = d->at_addr,
				       .at_port = d->at_port };
		uint8_t out[SERVE_RESPONSE_MAX];
		struct sockaddr_storage ss;
		struct serve_out o;
		struct netaddr to;
		int sl;

		if (serve_answer(&s->conf, &in, &s->keys, mono_s(), &res, out, sizeof(out), &o) <
			0 ||
		    o.action != SERVE_REPLY)
			return;
		to = d->src;
		to.port = o.to_port;
		sl = netaddr_to_sockaddr(&to, &ss);
		serve_count_answer(&s->c, &o);
		if (sl > 0)
			sendto(s->lanes[0]->fd[o.from_addr][o.from_port], out, o.len, MSG_DONTWAIT,
			       (struct sockaddr *)&ss, (socklen_t)sl);
	}
}

static void dial_timeout_cb(struct loop *l, struct loop_timer *t, void *data)
{
	struct dial *d = data;

	(void)l;
	(void)t;
	if (!d->connected)
		dial_finish(d, DIALBACK_FILTERED);
	else
		dial_finish(d, dialback_tcp_classify(d->rbuf, d->rlen, d->req.nonce));
}

/* Can we tell already what the dialled peer is, before the read wait? */
static bool reply_decided(const struct dial *d, uint8_t *result)
{
	static const char mss[] = "\x13/multistream/1.0.0\n";
	uint8_t line[DIALBACK_TCP_LINE_LEN];
	size_t after;

	*result = dialback_tcp_classify(d->rbuf, d->rlen, d->req.nonce);
	if (*result == DIALBACK_PROBE || d->rlen == sizeof(d->rbuf))
		return true;
	/* The multistream greeting followed by something that is not our own
	 * line coming back: a libp2p node, no need to wait. */
	if (*result != DIALBACK_LIBP2P || d->rlen <= DIALBACK_MSS_LEN)
		return false;
	(void)mss;
	dialback_tcp_line(line, d->req.nonce);
	after = d->rlen - DIALBACK_MSS_LEN;
	if (after > sizeof(line))
		after = sizeof(line);
	return memcmp(d->rbuf + DIALBACK_MSS_LEN, line, after) != 0;
}

static void dial_io_cb(struct loop *l, int fd, uint32_t events, void *data)
{
	struct dial *d = data;
	int err = 0;
	socklen_t el = sizeof(err);
	uint8_t result;

	if (!d->connected) {
		uint8_t greet[DIALBACK_TCP_GREETING_LEN];

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err == EINPROGRESS || (!err && !(events & LOOP_WRITABLE)))
			return;
		if (err) {
			/* RST, or ICMP port/host unreachable: refused. Anything
			 * else (a timeout the kernel saw first): filtered. */
			bool refused = err == ECONNREFUSED || err == EHOSTUNREACH ||
				       err == ENETUNREACH || err == EHOSTDOWN;

			dial_finish(d, refused ? DIALBACK_REFUSED : DIALBACK_FILTERED);
			return;
		}
		d->connected = true;
		dialback_tcp_greeting(greet, d->req.nonce);
		if (send(fd, greet, sizeof(greet), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			dial_finish(d, DIALBACK_OTHER);
			return;
		}
		if (loop_mod_fd(l, fd, LOOP_READABLE) < 0) {
			dial_finish(d, DIALBACK_OTHER);
			return;
		}
		loop_timer_start(l, &d->timer, DIAL_READ_MS, dial_timeout_cb, d);
		return;
	}
	for (;;) {
		ssize_t n = recv(fd, d->rbuf + d->rlen, sizeof(d->rbuf) - d->rlen, MSG_DONTWAIT);

		if (n > 0) {
			d->rlen += (size_t)n;
			if (reply_decided(d, &result)) {
				dial_finish(d, result);
				return;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* EOF or reset after connecting: decide on what came. */
		dial_finish(d, dialback_tcp_classify(d->rbuf, d->rlen, d->req.nonce));
		return;
	}
}

static void dial_start_cb(struct loop *l, void *data)
{
	struct dial *d = data;
	struct server *s = d->s;
	struct netaddr from = s->conf.addr[d->at_addr], to = d->src;
	struct sockaddr_storage ss;
	int fd, sl;

	from.port = 0; /* an ephemeral source port, never the STUN port */
	to.port = d->req.port;
	d->fd = -1;
	d->connected = false;
	d->rlen = 0;
	if (atomic_load(&s->stop)) {
		/* Run by loop_free() while stopping: dial nothing now. */
		pthread_mutex_lock(&s->dial_lock);
		dialtab_release(s->slots, d->idx);
		d->conn = NULL;
		pthread_mutex_unlock(&s->dial_lock);
		return;
	}
	loop_timer_init(&d->timer);
	sl = netaddr_to_sockaddr(&to, &ss);
	fd =
	    open_bound(&from, d->req.proto == DIALBACK_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM, false);
	if (fd < 0 || sl < 0) {
		if (fd >= 0)
			close(fd);
		dial_finish(d, DIALBACK_BUSY);
		return;
	}
	if (d->req.proto == DIALBACK_PROTO_UDP) {
		uint8_t dg[DIALBACK_UDP_LEN];
		ssize_t n;

		dialback_udp_datagram(dg, d->req.nonce);
		n = sendto(fd, dg, sizeof(dg), MSG_DONTWAIT, (struct sockaddr *)&ss, (socklen_t)sl);
		close(fd);
		dial_finish(d, n == (ssize_t)sizeof(dg) ? DIALBACK_SENT : DIALBACK_REFUSED);
		return;
	}
	d->fd = fd;
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0 && errno != EINPROGRESS) {
		dial_finish(d,
			    errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH
				? DIALBACK_REFUSED
				: DIALBACK_FILTERED);
		return;
	}
	if (loop_add_fd(l, fd, LOOP_WRITABLE, dial_io_cb, d) < 0) {
		dial_finish(d, DIALBACK_BUSY);
		return;
	}
	loop_timer_start(l, &d->timer, s->cfg->dial_timeout_ms, dial_timeout_cb, d);
}

/* --- STUN over TCP (control thread) ------------------------------------- */

static void tcp_close(struct tcp_conn *k)
{
	struct server *s = k->s;

	if (k->fd < 0)
		return;
	loop_del_fd(s->loop, k->fd);
	loop_timer_stop(s->loop, &k->idle);
	close(k->fd);
	k->fd = -1;
	if (k->waiting) {
		pthread_mutex_lock(&s->dial_lock);
		k->waiting->conn = NULL;
		pthread_mutex_unlock(&s->dial_lock);
		k->waiting = NULL;
	}
}

static void tcp_process(struct tcp_conn *k);

/* Send a response; a connection that cannot take 1.5 KB at once is not
 * worth a buffer per connection: closed. */
static void tcp_send(struct tcp_conn *k, const uint8_t *p, size_t n)
{
	if (send(k->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
		tcp_close(k);
}

/* The request at the head of k's buffer, mlen bytes long. */
static struct serve_in tcp_in(const struct tcp_conn *k, size_t mlen)
{
	return (struct serve_in){ .pkt = k->buf,
				  .len = mlen,
				  .tcp = true,
				  .src = k->src,
				  .at_addr = k->at_addr,
				  .at_port = k->at_port };
}

/* Answer the request at the head of the buffer with the dial-back result
 * res (NULL: none), send it, drop the request from the buffer. */
/* Count answer o, send it if it is a reply, and drop the request's mlen
 * bytes from the buffer (unless sending closed the connection). */
static void tcp_done(struct tcp_conn *k, size_t mlen, const uint8_t *out, const struct serve_out *o)
{
	serve_count_answer(&k->s->c, o);
	if (o->action == SERVE_REPLY)
		tcp_send(k, out, o->len);
	if (k->fd < 0)
		return;
	memmove(k->buf, k->buf + mlen, k->len - mlen);
	k->len -= mlen;
}

static void tcp_reply(struct tcp_conn *k, size_t mlen, const struct dialback_res *res)
{
	struct server *s = k->s;
	struct serve_in in = tcp_in(k, mlen);
	uint8_t out[SERVE_RESPONSE_MAX];
	struct serve_out o;

	if (serve_answer(&s->conf, &in, &s->keys, mono_s(), res, out, sizeof(out), &o) == 0) {
		tcp_done(k, mlen, out, &o);
		return;
	}
	if (k->fd < 0)
		return;
	memmove(k->buf, k->buf + mlen, k->len - mlen);
	k->len -= mlen;
}

static void tcp_answer(struct tcp_conn *k, const struct dialback_res *res)
{
	tcp_reply(k, STUN_HEADER_LEN + be16_load(k->buf + 2), res);
	if (k->fd < 0)
		return;
	if (loop_mod_fd(k->s->loop, k->fd, LOOP_READABLE | LOOP_PEER_CLOSED) < 0) {
		tcp_close(k);
		return;
	}
	tcp_process(k);
}

/* Handle every whole message in the buffer (RFC 8489 §6.2.2: back to back,
 * no framing; the STUN header says each one's length). */
static void tcp_process(struct tcp_conn *k)
{
	struct server *s = k->s;

	while (k->fd >= 0 && !k->waiting && k->len >= STUN_HEADER_LEN) {
		size_t mlen = STUN_HEADER_LEN + be16_load(k->buf + 2);
		struct serve_in in = tcp_in(k, mlen);
		uint8_t out[SERVE_RESPONSE_MAX];
		struct serve_out o;
		struct dialback_res res;

		if (!stun_is_message(k->buf, k->len) || mlen > sizeof(k->buf)) {
			/* Not STUN, or more than we take: the stream cannot be
			 * resynchronised. */
			SERVE_COUNT(s->c.requests_tcp);
			SERVE_COUNT(s->c.dropped[SERVE_DROP_NOT_STUN]);
			tcp_close(k);
			return;
		}
		if (k->len < mlen)
			return;
		SERVE_COUNT(s->c.requests_tcp);
		if (serve_answer(&s->conf, &in, &s->keys, mono_s(), NULL, out, sizeof(out), &o) <
		    0) {
			tcp_close(k);
			return;
		}
		if (o.action != SERVE_DIALBACK) {
			tcp_done(k, mlen, out, &o);
		} else if (dial_request(s, &s->c, &in, &o, k, &res)) {
			tcp_reply(k, mlen, &res);
		} else {
			/* tcp_answer() once the dial-back ends; until then
			 * nothing is read (level-triggered epoll would spin on
			 * unread input), only a hang-up is noticed. */
			if (loop_mod_fd(s->loop, k->fd, 0) < 0)
				tcp_close(k);
			return;
		}
	}
}

static void tcp_idle_cb(struct loop *l, struct loop_timer *t, void *data)
{
	struct tcp_conn *k = data;

	(void)l;
	(void)t;
	if (k->waiting) /* the dial-back ends within its own timeout */
		loop_timer_start(k->s->loop, &k->idle, TCP_IDLE_MS, tcp_idle_cb, k);
	else
		tcp_close(k);
}

static void tcp_io_cb(struct loop *l, int fd, uint32_t events, void *data)
{
	struct tcp_conn *k = data;

	(void)l;
	(void)events;
	if (k->waiting) {
		/* Stop reading until the answer is out; a peer that hung up
		 * is noticed when we write. */
		if (events & (LOOP_HUP | LOOP_ERROR))
			tcp_close(k);
		return;
	}
	for (;;) {
		ssize_t n = recv(fd, k->buf + k->len, sizeof(k->buf) - k->len, MSG_DONTWAIT);

		if (n > 0) {
			k->len += (size_t)n;
			tcp_process(k);
			if (k->fd < 0 || k->waiting)
				return;
			if (k->len == sizeof(k->buf)) {
				tcp_close(k);
				return;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		tcp_close(k);
		return;
	}
}

static void tcp_accept_cb(struct loop *l, int fd, uint32_t events, void *data)
{
	struct server *s = data;
	unsigned a, p;

	(void)events;
	for (a = 0; a < 2; a++)
		for (p = 0; p < 2; p++)
			if (s->tcp_fd[a][p] == fd)
				goto found;
	return;
found:
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int c = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct tcp_conn *k = NULL;

		if (c < 0)
			return;
		for (size_t i = 0; i < TCP_CONNS_MAX; i++)
			if (s->conns[i].fd < 0) {
				k = &s->conns[i];
				break;
			}
		if (!k) {
			SERVE_COUNT(s->c.tcp_refused);
			close(c);
			continue;
		}
		k->s = s;
		k->fd = c;
		k->at_addr = a;
		k->at_port = p;
		k->len = 0;
		k->waiting = NULL;
		loop_timer_init(&k->idle);
		if (netaddr_from_sockaddr(&k->src, (struct sockaddr *)&ss, sl) < 0 ||
		    loop_add_fd(l, c, LOOP_READABLE | LOOP_PEER_CLOSED, tcp_io_cb, k) < 0) {
			close(c);
			k->fd = -1;
			continue;
		}
		k->src = netaddr_unmap(k->src);
		loop_timer_start(l, &k->idle, TCP_IDLE_MS, tcp_idle_cb, k);
	}
}

/* --- /metrics scrapes (control thread) ---------------------------- */

/* Every thread's counters at the moment of the scrape. */
static void scrape_render(struct strbuf *out, void *data)
{
	struct server *s = data;
	const struct serve_counters *sets[SERVE_THREADS_MAX + 1];
	size_t n = 0;
	int len;

	for (unsigned i = 0; i < s->n_lanes; i++)
		sets[n++] = &s->lanes[i]->c;
	sets[n++] = &s->c;
	len = serve_metrics_render(sets, n, out->p + out->len, out->cap - out->len);
	if (len < 0)
		out->truncated = true;
	else
		out->len += (size_t)len;
}

/* --- start and stop ----------------------------------------------------- */

static void on_signal(struct loop *l, int signo, void *data)
{
	(void)signo;
	(void)data;
	loop_stop(l);
}

static int listen_tcp(struct server *s, const char **what)
{
	for (unsigned a = 0; a < n_addrs(s); a++) {
		for (unsigned p = 0; p < 2; p++) {
			struct netaddr e = endpoint(s, a, p);
			int fd = open_bound(&e, SOCK_STREAM, false), rc;

			if (fd < 0) {
				*what = fmt_what("bind", &e, "tcp");
				return fd;
			}
			s->tcp_fd[a][p] = fd;
			if (listen(fd, 128) < 0) {
				*what = fmt_what("listen", &e, "tcp");
				return -errno;
			}
			rc = loop_add_fd(s->loop, fd, LOOP_READABLE, tcp_accept_cb, s);
			if (rc < 0)
				return rc;
		}
	}
	if (s->cfg->has_metrics) {
		char at[NETADDR_FMT_MAX];
		int rc = metricsd_open(s->loop, netaddr_fmt(&s->cfg->metrics, at), scrape_render, s,
				       &s->metrics);

		if (rc < 0) {
			*what = fmt_what("bind metrics", &s->cfg->metrics, "tcp");
			return rc;
		}
	}
	return 0;
}

/* One line when everything is open, so the operator knows where to look. */
static void announce_started(const struct server *s)
{
	char a0[NETADDR_FMT_MAX], a1[NETADDR_FMT_MAX], m[NETADDR_FMT_MAX];

	fprintf(stderr,
		"natdoctor serve: answering STUN on %s%s%s, UDP and TCP ports %u and %u, %u "
		"UDP thread%s; dial-backs to %s addresses%s%s%s\n",
		netaddr_fmt_ip(&s->conf.addr[0], a0), n_addrs(s) > 1 ? " and " : " only",
		n_addrs(s) > 1 ? netaddr_fmt_ip(&s->conf.addr[1], a1) : "", s->conf.port[0],
		s->conf.port[1], s->n_lanes, s->n_lanes == 1 ? "" : "s",
		s->conf.allow_private ? "public, private and CGNAT" : "public",
		s->cfg->has_metrics ? "; metrics at http://" : "",
		s->cfg->has_metrics ? netaddr_fmt(&s->cfg->metrics, m) : "",
		s->cfg->has_metrics ? "/metrics" : "");
}

static void server_free(struct server *s)
{
	atomic_store(&s->stop, true);
	for (unsigned i = 0; i < s->n_lanes; i++)
		if (s->lanes[i]->started)
			pthread_join(s->lanes[i]->th, NULL);
	for (size_t i = 0; i < TCP_CONNS_MAX; i++)
		if (s->conns[i].fd >= 0)
			close(s->conns[i].fd);
	for (size_t i = 0; i < DIALS_MAX; i++)
		if (s->slots[i].state == DIALTAB_INFLIGHT && s->dials[i].fd >= 0)
			close(s->dials[i].fd);
	for (unsigned a = 0; a < 2; a++)
		for (unsigned p = 0; p < 2; p++)
			if (s->tcp_fd[a][p] >= 0)
				close(s->tcp_fd[a][p]);
	metricsd_close(s->metrics);
	loop_free(s->loop);
	for (unsigned i = 0; i < s->n_lanes; i++)
		lane_close(s->lanes[i]);
	pthread_mutex_destroy(&s->dial_lock);
	pthread_mutex_destroy(&s->rate_lock);
	free(s);
}

int serve_run(const struct serve_config *cfg, const char **what)
{
	struct serve_config c = *cfg;
	struct server *s;
	uint32_t seed = 0;
	int rc;

	*what = "start";
	if (!c.threads || c.threads > SERVE_THREADS_MAX || !c.conf.addr[0].family)
		return -EINVAL;
	if (!c.dial_timeout_ms)
		c.dial_timeout_ms = 1000;
	if (!c.rate_burst)
		c.rate_burst = 16;
	if (!c.rate_per_token_ms)
		c.rate_per_token_ms = 1000;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = &c;
	s->conf = c.conf;
	for (unsigned a = 0; a < 2; a++)
		for (unsigned p = 0; p < 2; p++)
			s->tcp_fd[a][p] = -1;
	for (size_t i = 0; i < TCP_CONNS_MAX; i++)
		s->conns[i].fd = -1;
	for (size_t i = 0; i < DIALS_MAX; i++) {
		s->dials[i].idx = i;
		s->dials[i].s = s;
		s->dials[i].fd = -1;
	}
	pthread_mutex_init(&s->dial_lock, NULL);
	pthread_mutex_init(&s->rate_lock, NULL);
	if (getrandom(&seed, sizeof(seed), 0) < 0)
		seed = (uint32_t)mono_ms();
	ratelimit_init(&s->rate, c.rate_burst, c.rate_per_token_ms, seed);
	rc = keyedhash_load();
	if (rc < 0) {
		*what = "cannot load " KEYEDHASH_LIBRARY
			", the dial-back cookie's MAC (install the Debian package libsodium23)";
		goto out;
	}
	rc = cookie_keys_init(&s->keys);
	if (rc < 0) {
		*what = "getrandom";
		goto out;
	}
	rc = loop_new(&s->loop);
	if (rc < 0)
		goto out;
	/* Before the threads start, so they inherit the blocked mask. */
	if ((rc = loop_add_signal(s->loop, SIGINT, on_signal, s)) < 0 ||
	    (rc = loop_add_signal(s->loop, SIGTERM, on_signal, s)) < 0)
		goto out;
	for (unsigned i = 0; i < c.threads; i++) {
		struct lane *w = calloc(1, sizeof(*w));

		if (!w) {
			rc = -ENOMEM;
			goto out;
		}
		s->lanes[s->n_lanes++] = w;
		rc = lane_open(s, w, what);
		if (rc < 0)
			goto out;
	}
	rc = listen_tcp(s, what);
	if (rc < 0)
		goto out;
	for (unsigned i = 0; i < s->n_lanes; i++) {
		rc = -pthread_create(&s->lanes[i]->th, NULL, lane_main, s->lanes[i]);
		if (rc < 0) {
			*what = "pthread_create";
			goto out;
		}
		s->lanes[i]->started = true;
	}
	announce_started(s);
	rc = loop_run(s->loop);
out:
	server_free(s);
	return rc;
}

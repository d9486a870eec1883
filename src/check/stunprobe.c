/* SPDX-License-Identifier: MIT */
/*
 * The public view: STUN Binding (RFC 8489) to every configured server from
 * ONE socket per family, so the NAT's mapping for that one local port is
 * seen by several destinations: if they report different public ports (or
 * addresses), the mapping depends on the destination (RFC 4787 §4.1,
 * "symmetric" NAT) and no port forward or hole punch will be predictable.
 *
 * Where a server offers RFC 5780 (OTHER-ADDRESS in its answer) two more
 * tests run:
 *   - mapping (RFC 5780 §4.3 test II): the same socket asks the server's
 *     alternate IP, so even one server tells whether the mapping varies;
 *   - filtering (RFC 5780 §4.4): a SECOND socket that talks to that server
 *     only (the first one has opened holes toward the other servers and the
 *     alternate address, which would make any NAT look open). Test I is a
 *     plain Binding; then tests II (CHANGE-REQUEST change IP and port) and
 *     III (change port) go out together. An answer to II means
 *     endpoint-independent filtering (strangers get in once a mapping
 *     exists); only to III, address-dependent; to neither within the
 *     window, address-and-port-dependent.
 *
 * Timing (a one-second check, so faster than RFC 8489 §6.2.1's 500 ms RTO):
 * each request is sent at 0, 200, 600 and 1400 ms. Once another server of
 * the family has answered, a silent one is given up a few of that answer's
 * round trips after its first request (fam_sibling_wait: 500 ms at least,
 * STUN_GIVE_UP_MS at most); otherwise the check's deadline ends the wait.
 *
 * Nothing from the network is believed without checks: answers are matched
 * by their random 96-bit transaction id; the mapped address must be of the
 * socket's family and unicast, and public when the server is public (a
 * public server cannot see us from a private address); OTHER-ADDRESS gets
 * the same test before we send anything to it. Everything else is counted
 * in bad_packets for the server it came from.
 */
#include "check/probes.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/reach.h"
#include "net/resolve.h"
#include "net/retx.h"
#include "net/udp.h"
#include "proto/stun.h"
#include "util/text.h"

#define STUN_GIVE_UP_MS	       1500
#define STUN_FILTER_WINDOW_MIN 300 /* ms to wait for test II/III answers */
#define STUN_REQ_MAX	       64  /* a Binding request with CHANGE-REQUEST */
#define STUN_RECV_MAX	       1500

/* Each request is resent 200, 600 and 1400 ms after its first send. */
static const uint32_t stun_retx_ms[] = { 200, 600, 1400 };
static const struct retx_profile stun_retx = {
	.fixed_ms = stun_retx_ms,
	.n_fixed = sizeof(stun_retx_ms) / sizeof(stun_retx_ms[0]),
};

/* One request and its retransmissions. */
struct xmit {
	bool active; /* still waiting for its answer */
	int fd;
	struct netaddr to;
	uint8_t tid[STUN_TID_LEN];
	uint8_t pkt[STUN_REQ_MAX];
	size_t len;
	struct retx rx; /* net/retx.h: rx.first_ms, rx.n_sent, when next */
};

enum ftest { FT_I, FT_II, FT_III, FT_N };

struct sfam {
	struct stunprobe *p;
	int family;
	bool enabled;
	int fd, ffd;	       /* main socket; the filtering test's own socket */
	uint32_t rx_waited_ms; /* how long the datagram being handled sat unread */
	struct public_family *out;
	/* Per configured target, in config order; compacted into out at the
	 * end (targets without an address of this family are left out). */
	bool applicable[CHECK_MAX_STUN];
	struct stun_server_result srv[CHECK_MAX_STUN];
	struct xmit x[CHECK_MAX_STUN];
	/* RFC 5780 */
	int s5780;	 /* target index of the RFC 5780 server, -1 */
	struct xmit map; /* mapping test II: alternate IP, same socket */
	struct netaddr map_mapped;
	struct xmit map3; /* test III: alternate IP and port, if II differed */
	struct netaddr map3_mapped;
	struct xmit f[FT_N]; /* filtering tests on ffd */
	bool f_answered[FT_N];
	uint64_t f_window_end; /* when II/III stop counting, 0 before */
	bool f_done;
	bool f_broken; /* an answer from the wrong address: no filtering result */
};

struct stunprobe;

struct resolve_ctx {
	struct stunprobe *p;
	size_t i;
};

struct stunprobe {
	struct check_run *run;
	int id;
	struct sfam fam[2]; /* [0] IPv4, [1] IPv6 */
	struct resolve_req *rq[CHECK_MAX_STUN];
	struct resolve_ctx rctx[CHECK_MAX_STUN];
	size_t n_resolving;
	bool starting; /* inside stunprobe_start: not done yet, whatever it looks like */
	struct loop_timer timer;
	bool path_started;
	bool finished;
};

static bool mapped_believable(const struct netaddr *server, const struct netaddr *m, int family)
{
	enum netaddr_class sc = netaddr_classify(server), mc = netaddr_classify(m);

	if (m->family != family || m->port == 0)
		return false;
	if (sc == NETADDR_PUBLIC)
		return mc == NETADDR_PUBLIC;
	/* A server in a private realm (a lab, a LAN) may see a private or
	 * shared address; never a loopback, multicast or unspecified one,
	 * unless the server itself is on loopback. */
	if (mc == NETADDR_LOOPBACK)
		return sc == NETADDR_LOOPBACK;
	return mc >= NETADDR_RESERVED;
}

static int xmit_prepare(struct xmit *x, int fd, const struct netaddr *to, bool change_ip,
			bool change_port)
{
	struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING };
	int n;

	if (getrandom(x->tid, sizeof(x->tid), 0) != (ssize_t)sizeof(x->tid))
		return -EIO;
	o.tid = x->tid;
	o.change_request = change_ip || change_port;
	o.change_ip = change_ip;
	o.change_port = change_port;
	n = stun_encode(&o, x->pkt, sizeof(x->pkt));
	if (n < 0)
		return n;
	x->len = (size_t)n;
	x->fd = fd;
	x->to = *to;
	retx_init(&x->rx, &stun_retx);
	x->active = true;
	return 0;
}

static void xmit_send(struct loop *l, struct xmit *x)
{
	struct sockaddr_storage ss;
	int sl = netaddr_to_sockaddr(&x->to, &ss);

	/* The first send's time is the true one (it starts the RTT). */
	retx_sent(&x->rx, x->rx.n_sent ? loop_now_ms(l) : loop_update_time(l), 0);
	/* A send error (no route right now) is like a lost packet: the
	 * retransmissions and the deadline deal with it. */
	if (sl > 0)
		(void)sendto(x->fd, x->pkt, x->len, 0, (struct sockaddr *)&ss, (socklen_t)sl);
}

/* When this request wants its next retransmission, or UINT64_MAX. */
static uint64_t xmit_due(const struct xmit *x)
{
	if (!x->active || x->rx.n_sent == 0)
		return UINT64_MAX;
	return x->rx.next_ms; /* RETX_DONE is UINT64_MAX */
}

static void schedule(struct stunprobe *p);

/* --- answers ------------------------------------------------------------ */

static struct stun_server_result *server_from(struct sfam *f, const struct netaddr *from)
{
	for (size_t i = 0; i < CHECK_MAX_STUN; i++)
		if (f->applicable[i] && netaddr_eq(&f->srv[i].server, from, false))
			return &f->srv[i];
	return NULL;
}

static void count_bad(struct sfam *f, const struct netaddr *from, struct stun_server_result *s)
{
	if (!s)
		s = server_from(f, from);
	if (s)
		s->bad_packets++;
}

static void start_5780(struct sfam *f, size_t i);
static void stunprobe_test3(struct sfam *f);

static void on_server_answer(struct sfam *f, size_t i, const struct stun_msg *m, uint32_t rtt)
{
	struct stun_server_result *s = &f->srv[i];
	const struct netaddr *mapped;

	if (m->cls == STUN_ERROR) {
		char reason[64];
		size_t len = 0;

		/* An error response must say which error (RFC 8489 §6.3.4);
		 * one that does not is malformed, and the real answer may
		 * still come. */
		if (!m->has_error) {
			s->bad_packets++;
			return;
		}
		f->x[i].active = false;
		text_sanitize(reason, sizeof(reason), m->error_reason, m->error_reason_len);
		text_appendf(s->error, sizeof(s->error), &len, "answered with error %u %s",
			     m->error_code, reason);
		return;
	}
	mapped = stun_msg_mapped(m);
	if (!mapped || !mapped_believable(&s->server, mapped, f->family) || m->n_unknown) {
		/* Keep waiting: a genuine answer may still come. */
		s->bad_packets++;
		return;
	}
	f->x[i].active = false;
	s->answered = true;
	s->mapped = *mapped;
	s->rtt_ms = rtt;
	s->error[0] = '\0';
	if (m->has_software)
		text_sanitize(s->software, sizeof(s->software), m->software, m->software_len);
	if (m->has_response_origin)
		s->response_origin = m->response_origin;
	if (m->has_other_address && mapped_believable(&s->server, &m->other_address, f->family) &&
	    !netaddr_eq(&m->other_address, &s->server, true) &&
	    m->other_address.port != s->server.port) {
		s->other_address = m->other_address;
		if (f->s5780 < 0)
			start_5780(f, i);
	}
}

static void on_filter_answer(struct sfam *f, enum ftest t, const struct stun_msg *m, uint32_t rtt)
{
	struct stunprobe *p = f->p;
	struct loop *l = p->run->loop;
	uint64_t window;

	f->f[t].active = false;
	if (m->cls != STUN_SUCCESS) {
		/* The server does not do CHANGE-REQUEST after all. */
		f->f_done = true;
		for (int k = 0; k < FT_N; k++)
			f->f[k].active = false;
		return;
	}
	f->f_answered[t] = true;
	if (t != FT_I) {
		if (t == FT_II)
			f->f_done = true; /* II answered: nothing more to learn */
		return;
	}
	/* Test I answered: the server and the path work. Now II and III. */
	for (int k = FT_II; k <= FT_III; k++) {
		if (xmit_prepare(&f->f[k], f->ffd, &f->f[FT_I].to, k == FT_II, true) < 0) {
			f->f_done = true;
			return;
		}
		xmit_send(l, &f->f[k]);
	}
	window = 3 * (uint64_t)rtt;
	if (window < STUN_FILTER_WINDOW_MIN)
		window = STUN_FILTER_WINDOW_MIN;
	f->f_window_end = loop_now_ms(l) + window;
}

/* Where the answer to x must come from. RFC 5780 §4.4: test II (change IP
 * and port) is answered from the server's OTHER-ADDRESS, test III (change
 * port) from its primary IP and the alternate port; every other request is
 * answered from where it was sent. */
static struct netaddr expected_source(const struct sfam *f, const struct xmit *x)
{
	struct netaddr want = x->to;

	if (x == &f->f[FT_II]) {
		want = f->srv[f->s5780].other_address;
	} else if (x == &f->f[FT_III]) {
		want = f->srv[f->s5780].server;
		want.port = f->srv[f->s5780].other_address.port;
	}
	return want;
}

static bool is_5780_test(const struct sfam *f, const struct xmit *x)
{
	return x == &f->map || x == &f->map3 || x == &f->f[FT_I] || x == &f->f[FT_II] ||
	       x == &f->f[FT_III];
}

/* An answer counts only from the address and port its request asked for:
 * the packet's real source, and for the RFC 5780 tests RESPONSE-ORIGIN too
 * when the server sends it (§7.3). A server that answers test II or III
 * from anywhere else ignores CHANGE-REQUEST (or lies about it): the
 * filtering test ends without a result, and the server is named. Returns
 * true when the answer may be used. */
static bool stunprobe_answer_expected(struct sfam *f, const struct xmit *x,
				      const struct stun_msg *m, const struct netaddr *from)
{
	struct netaddr want = expected_source(f, x), origin = netaddr_unmap(m->response_origin);
	const struct netaddr *bad = NULL;
	const char *what = "came from";
	struct stun_server_result *s;
	char a[NETADDR_FMT_MAX], b[NETADDR_FMT_MAX];
	size_t len = 0;

	if (!netaddr_eq(from, &want, false))
		bad = from;
	else if (is_5780_test(f, x) && m->has_response_origin && !netaddr_eq(&origin, &want, false))
		bad = &origin, what = "claims RESPONSE-ORIGIN";
	if (!bad)
		return true;
	s = is_5780_test(f, x) ? &f->srv[f->s5780] : server_from(f, &x->to);
	if (s)
		s->bad_packets++;
	if (x != &f->f[FT_II] && x != &f->f[FT_III])
		return false; /* keep waiting: the genuine answer may still come */
	if (s && !s->rfc5780_problem[0])
		text_appendf(s->rfc5780_problem, sizeof(s->rfc5780_problem), &len,
			     "its answer to the change-%s test %s %s, not %s",
			     x == &f->f[FT_II] ? "IP-and-port" : "port", what, netaddr_fmt(bad, a),
			     netaddr_fmt(&want, b));
	f->f_done = true;
	f->f_broken = true;
	for (int k = 0; k < FT_N; k++)
		f->f[k].active = false;
	return false;
}

static void handle_packet(struct sfam *f, int fd, const uint8_t *buf, size_t n,
			  const struct netaddr *from)
{
	struct loop *l = f->p->run->loop;
	struct stun_msg m;
	struct xmit *x = NULL;
	size_t idx = 0;
	uint32_t rtt;

	if (stun_decode(&m, buf, n) < 0 || m.method != STUN_BINDING ||
	    (m.cls != STUN_SUCCESS && m.cls != STUN_ERROR)) {
		count_bad(f, from, NULL);
		return;
	}
	if (fd == f->fd) {
		for (size_t i = 0; i < CHECK_MAX_STUN && !x; i++)
			if (f->applicable[i] && f->x[i].rx.n_sent &&
			    !memcmp(f->x[i].tid, m.tid, STUN_TID_LEN))
				x = &f->x[i], idx = i;
		if (!x && f->map.rx.n_sent && !memcmp(f->map.tid, m.tid, STUN_TID_LEN))
			x = &f->map;
		if (!x && f->map3.rx.n_sent && !memcmp(f->map3.tid, m.tid, STUN_TID_LEN))
			x = &f->map3;
	} else {
		for (int k = 0; k < FT_N && !x; k++)
			if (f->f[k].rx.n_sent && !memcmp(f->f[k].tid, m.tid, STUN_TID_LEN))
				x = &f->f[k], idx = (size_t)k;
	}
	if (!x) {
		count_bad(f, from, NULL);
		return;
	}
	if (!x->active)
		return; /* the answer to a retransmission: already have one */
	if (!stunprobe_answer_expected(f, x, &m, from))
		return;
	/* From the send to the answer's arrival, not to our reading it. */
	rtt = (uint32_t)(loop_update_time(l) - x->rx.first_ms);
	rtt = rtt > f->rx_waited_ms ? rtt - f->rx_waited_ms : 0;
	if (x == &f->map || x == &f->map3) {
		const struct netaddr *mapped = stun_msg_mapped(&m);

		if (m.cls == STUN_SUCCESS && mapped &&
		    mapped_believable(&f->srv[f->s5780].server, mapped, f->family)) {
			x->active = false;
			if (x == &f->map3) {
				f->map3_mapped = *mapped;
			} else {
				f->map_mapped = *mapped;
				stunprobe_test3(f);
			}
		} else {
			f->srv[f->s5780].bad_packets++;
		}
	} else if (fd == f->fd) {
		on_server_answer(f, idx, &m, rtt);
	} else if (!f->f_done) {
		on_filter_answer(f, (enum ftest)idx, &m, rtt);
	}
}

/* One read of udp_drain: an ICMP error queued on the socket is not ours
 * to read; a datagram larger than any STUN answer we want is a bad one. */
static bool on_datagram(int fd, const struct udp_datagram *d, void *data)
{
	struct sfam *f = data;

	if (d->error)
		return true;
	if (d->truncated) {
		count_bad(f, &d->from, NULL);
		return true;
	}
	f->rx_waited_ms = d->waited_ms;
	handle_packet(f, fd, d->data, d->len, &d->from);
	return true;
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct sfam *f = data;
	uint8_t buf[STUN_RECV_MAX];

	(void)l;
	(void)events;
	/* Bounded per wakeup, so a flood cannot starve the other probes. */
	(void)udp_drain(fd, buf, sizeof(buf), 64, on_datagram, f);
	schedule(f->p);
}

/* --- RFC 5780 ----------------------------------------------------------- */

/* RFC 5780 §4.3 test III (alternate IP and port), only when test II saw
 * another mapping than test I: it tells address-dependent from
 * address-and-port-dependent mapping. Sent after II's answer, so the
 * tests toward one server stay paced one after the other. */
static void stunprobe_test3(struct sfam *f)
{
	const struct stun_server_result *s = &f->srv[f->s5780];

	if (!s->answered || netaddr_eq(&s->mapped, &f->map_mapped, false))
		return;
	if (xmit_prepare(&f->map3, f->fd, &s->other_address, false, false) == 0)
		xmit_send(f->p->run->loop, &f->map3);
}

static void start_5780(struct sfam *f, size_t i)
{
	struct loop *l = f->p->run->loop;
	struct netaddr alt = f->srv[i].other_address;

	f->s5780 = (int)i;
	/* Mapping: the alternate IP on the primary port (§4.3 test II). */
	alt.port = f->srv[i].server.port;
	if (xmit_prepare(&f->map, f->fd, &alt, false, false) == 0)
		xmit_send(l, &f->map);
	/* Filtering: test I from a fresh socket. */
	f->ffd = udp_open(f->family, NULL, NULL);
	if (f->ffd < 0) {
		f->ffd = -1;
		f->f_done = true;
		return;
	}
	if (loop_add_fd(l, f->ffd, LOOP_READABLE, on_readable, f) < 0 ||
	    xmit_prepare(&f->f[FT_I], f->ffd, &f->srv[i].server, false, false) < 0) {
		f->f_done = true;
		return;
	}
	xmit_send(l, &f->f[FT_I]);
}

/* --- scheduling --------------------------------------------------------- */

static bool fam_answered_any(const struct sfam *f)
{
	for (size_t i = 0; i < CHECK_MAX_STUN; i++)
		if (f->applicable[i] && f->srv[i].answered)
			return true;
	return false;
}

/* How long a silent server is waited for once another server of the
 * family has answered: a few of the fastest answer's round trips (at
 * least STUN_SIBLING_MIN_MS, for a server that is merely farther), never
 * more than STUN_GIVE_UP_MS. */
#define STUN_SIBLING_RTTS   4
#define STUN_SIBLING_MIN_MS 500
static uint64_t fam_sibling_wait(const struct sfam *f)
{
	uint64_t best = UINT64_MAX, w;

	for (size_t i = 0; i < CHECK_MAX_STUN; i++)
		if (f->applicable[i] && f->srv[i].answered && f->srv[i].rtt_ms < best)
			best = f->srv[i].rtt_ms;
	if (best == UINT64_MAX)
		return STUN_GIVE_UP_MS;
	w = STUN_SIBLING_RTTS * best;
	return w < STUN_SIBLING_MIN_MS ? STUN_SIBLING_MIN_MS
	       : w > STUN_GIVE_UP_MS   ? STUN_GIVE_UP_MS
				       : w;
}

/* Expire what has waited long enough; return the next time anything in f
 * is due (retransmission or expiry), UINT64_MAX if nothing. Also sends the
 * retransmissions that are due now. */
static uint64_t fam_tick(struct sfam *f, uint64_t now)
{
	struct loop *l = f->p->run->loop;
	uint64_t next = UINT64_MAX, d;
	bool any = fam_answered_any(f);
	uint64_t wait = fam_sibling_wait(f);
	struct xmit *all[CHECK_MAX_STUN + 2 + FT_N];
	size_t n = 0;

	if (!f->enabled)
		return UINT64_MAX;
	/* Give up on silent servers once another one has answered. */
	for (size_t i = 0; i < CHECK_MAX_STUN; i++) {
		struct xmit *x = &f->x[i];

		if (!f->applicable[i] || !x->active || !x->rx.n_sent)
			continue;
		if (any && now >= x->rx.first_ms + wait) {
			x->active = false;
			snprintf(f->srv[i].error, sizeof(f->srv[i].error),
				 "no answer within %u ms (other servers answered)", (unsigned)wait);
			continue;
		}
		if (any && x->rx.first_ms + wait < next)
			next = x->rx.first_ms + wait;
		all[n++] = x;
	}
	for (struct xmit *mx = &f->map; mx; mx = mx == &f->map ? &f->map3 : NULL) {
		if (!mx->active)
			continue;
		/* Sent after the server answered at its primary address: the
		 * same few round trips bound the wait for its alternate. */
		if (now >= mx->rx.first_ms + wait) {
			mx->active = false;
			continue;
		}
		if (mx->rx.first_ms + wait < next)
			next = mx->rx.first_ms + wait;
		all[n++] = mx;
	}
	if (!f->f_done && f->s5780 >= 0) {
		if (f->f[FT_I].active && now >= f->f[FT_I].rx.first_ms + STUN_GIVE_UP_MS)
			f->f_done = true;
		else if (f->f_window_end && now >= f->f_window_end)
			f->f_done = true;
		if (f->f_done) {
			for (int k = 0; k < FT_N; k++)
				f->f[k].active = false;
		} else {
			d = f->f_window_end ? f->f_window_end
					    : f->f[FT_I].rx.first_ms + STUN_GIVE_UP_MS;
			if (d < next)
				next = d;
			for (int k = 0; k < FT_N; k++)
				if (f->f[k].active)
					all[n++] = &f->f[k];
		}
	}
	for (size_t k = 0; k < n; k++) {
		d = xmit_due(all[k]);
		if (d <= now) {
			xmit_send(l, all[k]);
			d = xmit_due(all[k]);
		}
		if (d < next)
			next = d;
	}
	return next;
}

static bool fam_busy(const struct sfam *f)
{
	if (!f->enabled)
		return false;
	for (size_t i = 0; i < CHECK_MAX_STUN; i++)
		if (f->applicable[i] && f->x[i].active)
			return true;
	if (f->map.active || f->map3.active)
		return true;
	return f->s5780 >= 0 && !f->f_done;
}

static void on_timer(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	schedule(data);
}

static void schedule(struct stunprobe *p)
{
	struct loop *l = p->run->loop;
	uint64_t now = loop_now_ms(l), next = UINT64_MAX;

	if (p->finished || p->starting)
		return;
	for (int k = 0; k < 2; k++) {
		uint64_t d = fam_tick(&p->fam[k], now);

		if (d < next)
			next = d;
	}
	if (!p->n_resolving && !fam_busy(&p->fam[0]) && !fam_busy(&p->fam[1])) {
		loop_timer_stop(l, &p->timer);
		p->finished = true;
		check_probe_done(p->run, p->id);
		return;
	}
	if (next != UINT64_MAX)
		loop_timer_start(l, &p->timer, next > now ? next - now : 0, on_timer, p);
}

/* --- targets ------------------------------------------------------------ */

/* The family where a target without any address is reported. */
static struct sfam *primary_fam(struct stunprobe *p)
{
	return p->fam[0].enabled ? &p->fam[0] : &p->fam[1];
}

static void target_unresolved(struct stunprobe *p, size_t i, const char *why)
{
	struct sfam *f = primary_fam(p);

	if (!f->enabled)
		return;
	f->applicable[i] = true;
	snprintf(f->srv[i].error, sizeof(f->srv[i].error), "cannot resolve: %s", why);
}

static void target_start(struct stunprobe *p, size_t i, const struct netaddr *addrs, size_t n)
{
	struct loop *l = p->run->loop;
	bool used = false;

	for (int k = 0; k < 2; k++) {
		struct sfam *f = &p->fam[k];
		size_t a;

		if (!f->enabled)
			continue;
		for (a = 0; a < n && addrs[a].family != f->family; a++)
			;
		if (a == n)
			continue;
		used = true;
		f->applicable[i] = true;
		f->srv[i].server = addrs[a];
		if (f->fd < 0) {
			text_copy(f->srv[i].error, sizeof(f->srv[i].error),
				  "no socket for this family");
			continue;
		}
		if (xmit_prepare(&f->x[i], f->fd, &addrs[a], false, false) < 0) {
			text_copy(f->srv[i].error, sizeof(f->srv[i].error), "internal: encode");
			continue;
		}
		xmit_send(l, &f->x[i]);
		if (f->family == AF_INET && !p->path_started) {
			p->path_started = true;
			pathprobe_start(p->run, &addrs[a]);
		}
	}
	if (!used && n) {
		/* Not a resolution failure when -4/-6 left the family out:
		 * say so instead of "cannot resolve". */
		const struct check_config *cfg = p->run->cfg;
		bool v4 = addrs[0].family == AF_INET;
		struct sfam *f = primary_fam(p);

		if (f->enabled && (v4 ? !cfg->ipv4 : !cfg->ipv6)) {
			f->applicable[i] = true;
			snprintf(f->srv[i].error, sizeof(f->srv[i].error),
				 "not used: an %s server, and %s tests %s only",
				 v4 ? "IPv4" : "IPv6", v4 ? "-6" : "-4", v4 ? "IPv6" : "IPv4");
			return;
		}
		target_unresolved(p, i, "no address of a family with a default route");
	}
}

static void on_resolved(struct loop *l, const struct resolve_result *res, void *data)
{
	struct resolve_ctx *c = data;
	struct stunprobe *p = c->p;

	(void)l;
	p->rq[c->i] = NULL;
	p->n_resolving--;
	if (res->gai_error)
		target_unresolved(p, c->i, gai_strerror(res->gai_error));
	else
		target_start(p, c->i, res->addrs, res->n);
	schedule(p);
}

/* --- life cycle --------------------------------------------------------- */

static void compact(struct sfam *f, const struct check_config *cfg)
{
	struct public_family *o = f->out;
	size_t n_obs = 0, best = 0, best_votes = 0;
	struct netaddr obs[CHECK_MAX_STUN + 1];

	o->n_servers = o->n_answered = 0;
	for (size_t i = 0; i < cfg->n_stun && i < CHECK_MAX_STUN; i++) {
		struct stun_server_result *s = &f->srv[i];

		if (!f->applicable[i])
			continue;
		{
			size_t len = 0;

			const char *h = cfg->stun[i].host;
			bool v6 = strchr(h, ':') != NULL;

			text_appendf(s->name, sizeof(s->name), &len, "%s%s%s:%u", v6 ? "[" : "", h,
				     v6 ? "]" : "", cfg->stun[i].port);
		}
		if (!s->answered && !s->error[0])
			snprintf(s->error, sizeof(s->error), "no answer within %u ms",
				 cfg->deadline_ms);
		if (s->answered) {
			o->n_answered++;
			obs[n_obs++] = s->mapped;
		}
		o->servers[o->n_servers++] = *s;
	}
	if (f->map_mapped.family)
		obs[n_obs++] = f->map_mapped;
	o->mapping_varies = o->port_preserved = o->servers_disagree_on_ip = TRI_UNKNOWN;
	if (n_obs == 0)
		return;
	/* The public address:port most observations agree on; ties go to the
	 * first server in the configured order. */
	for (size_t a = 0; a < n_obs; a++) {
		size_t votes = 0;

		for (size_t b = 0; b < n_obs; b++)
			votes += netaddr_eq(&obs[a], &obs[b], false);
		if (votes > best_votes)
			best = a, best_votes = votes;
	}
	o->mapped = obs[best];
	if (n_obs >= 2) {
		bool port_differs = false, ip_differs = false;

		for (size_t a = 1; a < n_obs; a++) {
			ip_differs |= !netaddr_eq(&obs[a], &obs[0], true);
			port_differs |= obs[a].port != obs[0].port;
		}
		o->mapping_varies = (port_differs || ip_differs) ? TRI_YES : TRI_NO;
		o->servers_disagree_on_ip = ip_differs ? TRI_YES : TRI_NO;
	}
	if (o->local.port)
		o->port_preserved = o->mapped.port == o->local.port ? TRI_YES : TRI_NO;
	if (f->s5780 >= 0)
		o->mapping = reach_classify_mapping(&o->local, &f->srv[f->s5780].mapped,
						    &f->map_mapped, &f->map3_mapped);
	if (f->s5780 >= 0 && f->f_answered[FT_I] && !f->f_broken) {
		if (f->f_answered[FT_II])
			o->filtering = FILTERING_ENDPOINT_INDEPENDENT;
		else if (f->f_answered[FT_III])
			o->filtering = FILTERING_ADDRESS_DEPENDENT;
		else if (f->f_window_end && loop_now_ms(f->p->run->loop) >= f->f_window_end)
			o->filtering = FILTERING_ADDRESS_AND_PORT_DEPENDENT;
	}
}

static void stunprobe_finish(struct check_run *r, void *state)
{
	struct stunprobe *p = state;

	for (size_t i = 0; i < CHECK_MAX_STUN; i++)
		resolve_cancel(p->rq[i]);
	loop_timer_stop(r->loop, &p->timer);
	for (int k = 0; k < 2; k++) {
		struct sfam *f = &p->fam[k];

		if (f->enabled)
			compact(f, r->cfg);
		if (f->fd >= 0) {
			loop_del_fd(r->loop, f->fd);
			close(f->fd);
		}
		if (f->ffd >= 0) {
			loop_del_fd(r->loop, f->ffd);
			close(f->ffd);
		}
	}
	free(p);
}

static void fam_init(struct stunprobe *p, struct sfam *f, int family, bool enabled,
		     const struct local_route *route, struct public_family *out)
{
	f->p = p;
	f->family = family;
	f->fd = f->ffd = -1;
	f->s5780 = -1;
	f->out = out;
	f->enabled = enabled && route->present;
	if (!f->enabled)
		return;
	/* Our local port from the socket; our local IP from the kernel's
	 * route toward the internet (the socket is bound to the wildcard). */
	f->fd = udp_open(family, NULL, &out->local);
	if (f->fd >= 0 && loop_add_fd(p->run->loop, f->fd, LOOP_READABLE, on_readable, f) < 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->fd < 0) {
		f->fd = -1;
		memset(&out->local, 0, sizeof(out->local));
		return;
	}
	if (route->source.family == family) {
		uint16_t port = out->local.port;

		out->local = route->source;
		out->local.port = port;
	}
}

int stunprobe_start(struct check_run *r)
{
	const struct check_config *cfg = r->cfg;
	struct stunprobe *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->run = r;
	loop_timer_init(&p->timer);
	fam_init(p, &p->fam[0], AF_INET, cfg->ipv4, &r->res->local.route4, &r->res->pub.v4);
	fam_init(p, &p->fam[1], AF_INET6, cfg->ipv6, &r->res->local.route6, &r->res->pub.v6);
	p->id = check_probe_register(r, "stun", stunprobe_finish, p);
	if (p->id < 0) {
		stunprobe_finish(r, p);
		return -ENOSPC;
	}
	/* No default route in any family we probe: nothing to ask, and no
	 * DNS traffic either. */
	if (!p->fam[0].enabled && !p->fam[1].enabled) {
		p->finished = true;
		check_probe_done(r, p->id);
		return 0;
	}
	p->starting = true;
	for (size_t i = 0; i < cfg->n_stun && i < CHECK_MAX_STUN; i++) {
		const struct stun_target *t = &cfg->stun[i];
		int e;

		if (t->n_addrs) {
			target_start(p, i, t->addrs, t->n_addrs);
			continue;
		}
		if (t->resolve_error[0]) {
			target_unresolved(p, i, t->resolve_error);
			continue;
		}
		p->rctx[i] = (struct resolve_ctx){ p, i };
		p->n_resolving++;
		e = resolve_start(r->loop, t->host, t->port, AF_UNSPEC, on_resolved, &p->rctx[i],
				  &p->rq[i]);
		if (e < 0) {
			p->n_resolving--;
			target_unresolved(p, i, strerror(-e));
		}
	}
	p->starting = false;
	schedule(p);
	return 0;
}

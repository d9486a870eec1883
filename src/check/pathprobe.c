/* SPDX-License-Identifier: MIT */
/*
 * The path view: which routers stand between this host and the internet,
 * found like traceroute but without root. One UDP socket per TTL (1 to
 * cfg->path_max_ttl), each connected to a STUN server and sending one
 * Binding request with that TTL. IP_RECVERR (ip(7)) queues the ICMP errors
 * on the socket that caused them, so no raw socket is needed:
 *   - ICMP time exceeded (RFC 792) names a router at that hop;
 *   - the STUN answer, or ICMP port unreachable from the server itself,
 *     says this TTL reached the target.
 * A private or 100.64.0.0/10 router beyond the home gateway is the
 * evidence of a provider NAT that the verdict reports.
 *
 * Each TTL's request is resent at 250 and 750 ms if its hop is silent
 * (routers rate-limit ICMP). The probe ends when every TTL below the
 * target has answered, PATH_GIVE_UP_MS after the start, or soon after the
 * target answered (max(300 ms, 2 x its rtt) for the slower hops before it).
 */
#include "check/probes.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/retx.h"
#include "net/udp.h"
#include "proto/stun.h"
#include "util/text.h"

#define PATH_GIVE_UP_MS	 1000
#define PATH_AFTER_REACH 300
#define PATH_RECV_MAX	 1500

/* Each TTL is sent at once and again 250 and 750 ms later (net/retx.h). */
static const uint32_t path_retx_ms[] = { 250, 750 };
static const struct retx_profile path_retx = {
	.fixed_ms = path_retx_ms,
	.n_fixed = sizeof(path_retx_ms) / sizeof(path_retx_ms[0]),
};

struct pathttl {
	struct pathprobe *p;
	int fd;
	uint8_t ttl;
	uint8_t tid[STUN_TID_LEN];
	uint8_t pkt[STUN_HEADER_LEN];
	size_t len;
	struct retx rx;
};

struct pathprobe {
	struct check_run *run;
	int id;
	struct netaddr target;
	struct pathttl t[CHECK_MAX_HOPS];
	size_t n;
	uint64_t started_ms;
	uint64_t reach_end_ms; /* once the target answered: when to stop waiting */
	struct loop_timer timer;
	bool finished;
};

static struct path_hop *hop_of(struct pathttl *t)
{
	return &t->p->run->res->path.hops[t->ttl - 1];
}

static void hop_answered(struct pathttl *t, const struct netaddr *who)
{
	struct pathprobe *p = t->p;
	struct path_hop *h = hop_of(t);
	struct path_view *pv = &p->run->res->path;

	if (h->answered)
		return;
	h->answered = true;
	h->addr = *who;
	h->addr.port = 0;
	h->cls = netaddr_classify(&h->addr);
	h->rtt_ms = (uint32_t)(loop_now_ms(p->run->loop) - p->started_ms);
	if (netaddr_eq(&h->addr, &p->target, true) &&
	    (pv->reached_ttl == 0 || t->ttl < pv->reached_ttl)) {
		pv->reached_ttl = t->ttl;
		if (!p->reach_end_ms) {
			uint64_t wait = 2 * (uint64_t)h->rtt_ms;

			if (wait < PATH_AFTER_REACH)
				wait = PATH_AFTER_REACH;
			p->reach_end_ms = loop_now_ms(p->run->loop) + wait;
		}
	}
}

/* Read the ICMP errors queued on t's socket. */
static void read_errqueue(struct pathttl *t)
{
	for (int i = 0; i < 8; i++) {
		uint8_t data[PATH_RECV_MAX], ctl[512];
		struct sockaddr_in from;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };

		if (recvmsg(t->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;
			struct sockaddr_in off;
			struct netaddr who;

			if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
				continue;
			if (c->cmsg_len < CMSG_LEN(sizeof(ee) + sizeof(off)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP)
				continue;
			/* The offender's address follows the struct (SO_EE_OFFENDER). */
			memcpy(&off, CMSG_DATA(c) + sizeof(ee), sizeof(off));
			if (off.sin_family != AF_INET ||
			    netaddr_from_sockaddr(&who, (struct sockaddr *)&off, sizeof(off)) < 0)
				continue;
			if (ee.ee_type == ICMP_TIME_EXCEEDED || ee.ee_type == ICMP_DEST_UNREACH)
				hop_answered(t, &who);
		}
	}
}

/* One read of udp_drain: only the target's genuine answer counts as
 * reaching it (the socket is connected, so nothing else is delivered
 * here). An error was queued: read_errqueue takes it. */
static bool on_datagram(int fd, const struct udp_datagram *d, void *data)
{
	struct pathttl *t = data;
	struct stun_msg m;

	(void)fd;
	if (!d->error && stun_decode(&m, d->data, d->len) == 0 &&
	    !memcmp(m.tid, t->tid, STUN_TID_LEN))
		hop_answered(t, &t->p->target);
	return true;
}

static void read_data(struct pathttl *t)
{
	uint8_t buf[PATH_RECV_MAX];

	(void)udp_drain(t->fd, buf, sizeof(buf), 8, on_datagram, t);
}

static void schedule(struct pathprobe *p);

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct pathttl *t = data;

	(void)l;
	(void)fd;
	read_errqueue(t);
	if (events & LOOP_READABLE)
		read_data(t);
	read_errqueue(t);
	schedule(t->p);
}

static void send_ttl(struct pathttl *t)
{
	retx_sent(&t->rx, loop_now_ms(t->p->run->loop), 0);
	(void)send(t->fd, t->pkt, t->len, 0);
}

static bool all_below_answered(struct pathprobe *p)
{
	struct path_view *pv = &p->run->res->path;
	size_t upto = pv->reached_ttl ? (size_t)pv->reached_ttl - 1 : p->n;

	for (size_t i = 0; i < upto; i++)
		if (!pv->hops[i].answered)
			return false;
	return pv->reached_ttl != 0 || upto == p->n;
}

static void on_timer(struct loop *l, struct loop_timer *tm, void *data)
{
	(void)l;
	(void)tm;
	schedule(data);
}

static void schedule(struct pathprobe *p)
{
	struct loop *l = p->run->loop;
	uint64_t now = loop_now_ms(l), since = now - p->started_ms, next = UINT64_MAX;
	struct path_view *pv = &p->run->res->path;

	if (p->finished)
		return;
	if (all_below_answered(p) || since >= PATH_GIVE_UP_MS ||
	    (p->reach_end_ms && now >= p->reach_end_ms)) {
		p->finished = true;
		loop_timer_stop(l, &p->timer);
		check_probe_done(p->run, p->id);
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct pathttl *t = &p->t[i];
		uint64_t due;

		if (pv->hops[i].answered || t->rx.next_ms == RETX_DONE)
			continue;
		if (pv->reached_ttl && t->ttl > pv->reached_ttl)
			continue;
		due = t->rx.next_ms;
		if (due <= now) {
			send_ttl(t);
			if (t->rx.next_ms == RETX_DONE)
				continue;
			due = t->rx.next_ms;
		}
		if (due < next)
			next = due;
	}
	if (p->reach_end_ms && p->reach_end_ms < next)
		next = p->reach_end_ms;
	if (p->started_ms + PATH_GIVE_UP_MS < next)
		next = p->started_ms + PATH_GIVE_UP_MS;
	loop_timer_start(l, &p->timer, next > now ? next - now : 0, on_timer, p);
}

static void path_finish(struct check_run *r, void *state)
{
	struct pathprobe *p = state;
	struct path_view *pv = &r->res->path;
	size_t last = 0;

	loop_timer_stop(r->loop, &p->timer);
	for (size_t i = 0; i < p->n; i++) {
		if (p->t[i].fd >= 0) {
			loop_del_fd(r->loop, p->t[i].fd);
			close(p->t[i].fd);
		}
		if (pv->hops[i].answered)
			last = i + 1;
	}
	/* List the hops up to the target, or up to the last that answered. */
	pv->n_hops = pv->reached_ttl ? (size_t)pv->reached_ttl : last;
	if (!pv->n_hops && !pv->error[0])
		snprintf(pv->error, sizeof(pv->error),
			 "no router answered within %u ms (ICMP filtered?)", PATH_GIVE_UP_MS);
	free(p);
}

static int open_ttl(struct pathttl *t, const struct netaddr *target)
{
	struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING };
	int n, e;

	if (getrandom(t->tid, sizeof(t->tid), 0) != (ssize_t)sizeof(t->tid))
		return -EIO;
	o.tid = t->tid;
	n = stun_encode(&o, t->pkt, sizeof(t->pkt));
	if (n < 0)
		return n;
	t->len = (size_t)n;
	t->fd = udp_open(AF_INET, target, NULL);
	if (t->fd < 0) {
		e = t->fd;
		t->fd = -1;
		return e;
	}
	if (setsockopt(t->fd, IPPROTO_IP, IP_TTL, &(int){ t->ttl }, sizeof(int)) < 0 ||
	    setsockopt(t->fd, IPPROTO_IP, IP_RECVERR, &(int){ 1 }, sizeof(int)) < 0) {
		e = -errno;
		close(t->fd);
		t->fd = -1;
		return e;
	}
	return 0;
}

int pathprobe_start(struct check_run *r, const struct netaddr *target)
{
	struct path_view *pv = &r->res->path;
	struct pathprobe *p;
	unsigned max = r->cfg->path_max_ttl;
	int e = 0;

	pv->tried = true;
	pv->target = *target;
	if (target->family != AF_INET) {
		text_copy(pv->error, sizeof(pv->error), "IPv4 targets only");
		return -EAFNOSUPPORT;
	}
	if (max == 0 || max > CHECK_MAX_HOPS)
		max = CHECK_MAX_HOPS;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->run = r;
	p->target = *target;
	loop_timer_init(&p->timer);
	for (size_t i = 0; i < max; i++) {
		struct pathttl *t = &p->t[i];

		t->p = p;
		t->ttl = (uint8_t)(i + 1);
		retx_init(&t->rx, &path_retx);
		pv->hops[i].ttl = t->ttl;
		t->fd = -1;
		p->n = i + 1;
		e = open_ttl(t, target);
		if (e == 0)
			e = loop_add_fd(r->loop, t->fd, LOOP_READABLE, on_readable, t);
		if (e < 0)
			break;
	}
	p->id = check_probe_register(r, "path", path_finish, p);
	if (p->id < 0 || e < 0) {
		snprintf(pv->error, sizeof(pv->error), "cannot probe the path: %s",
			 strerror(e < 0 ? -e : ENOSPC));
		if (p->id >= 0) {
			p->finished = true;
			check_probe_done(r, p->id);
		} else {
			path_finish(r, p);
		}
		return e < 0 ? e : -ENOSPC;
	}
	p->started_ms = loop_update_time(r->loop);
	for (size_t i = 0; i < p->n; i++)
		send_ttl(&p->t[i]);
	schedule(p);
	return 0;
}

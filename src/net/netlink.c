/* SPDX-License-Identifier: MIT */
#include "net/netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The kernel fills a dump datagram up to the largest read it has seen from
 * this socket, capped near 32 KiB (netlink_recvmsg's max_recvmsg_len), so
 * a 32 KiB buffer never truncates one. A truncated read is still caught
 * (MSG_TRUNC) and fails the request. */
#define NETLINK_BUF_SIZE 32768

struct netlink {
	int fd;		 /* -1 after a failed reopen */
	uint32_t portid; /* our address, assigned by the kernel at bind */
	uint32_t seq;
	unsigned timeout_ms;
	char errmsg[sizeof(((struct rtnl_status *)0)->msg)];
	uint8_t buf[NETLINK_BUF_SIZE];
};

static int nl_socket(struct netlink *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	int one = 1, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* The kernel's reason in words, when it has one (Linux 4.12+); not
	 * having it only loses that text. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	nl->fd = fd;
	nl->portid = sa.nl_pid;
	return 0;
}

/* Drop the socket and whatever the kernel still has queued on it (the rest
 * of an abandoned dump), and start clean. */
static void nl_reset(struct netlink *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
	(void)nl_socket(nl);
}

int netlink_open(struct netlink **out, unsigned timeout_ms)
{
	/* Not calloc: zeroing the 32 KiB receive buffer would touch pages
	 * that a short route dump never uses (memory of the map daemon). */
	struct netlink *nl = malloc(sizeof(*nl));
	int err;

	*out = NULL;
	if (!nl)
		return -ENOMEM;
	memset(nl, 0, offsetof(struct netlink, buf));
	nl->fd = -1;
	nl->timeout_ms = timeout_ms ? timeout_ms : NETLINK_TIMEOUT_MS;
	err = nl_socket(nl);
	if (err < 0) {
		free(nl);
		return err;
	}
	*out = nl;
	return 0;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->fd >= 0)
		close(nl->fd);
	free(nl);
}

const char *netlink_errmsg(const struct netlink *nl)
{
	return nl->errmsg;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t nl_next_seq(struct netlink *nl)
{
	/* Never 0: a zero seq is what unsolicited notifications carry. */
	if (++nl->seq == 0)
		nl->seq = 1;
	return nl->seq;
}

typedef int (*msg_fn)(const struct rtnl_msg *m, void *ctx);

/* One read, bounded by what is left of the deadline. Returns the datagram
 * length, 0 for one to ignore (not from the kernel), or a negative errno. */
static ssize_t nl_recv(struct netlink *nl, uint64_t deadline)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = nl->buf, .iov_len = sizeof(nl->buf) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1
	};
	uint64_t now = now_ms(), left;
	struct timeval tv;
	ssize_t n;

	if (now >= deadline)
		return -ETIMEDOUT;
	left = deadline - now;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000 * 1000);
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	n = recvmsg(nl->fd, &mh, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Another process may send to our port id; only the kernel answers. */
	if (mh.msg_namelen < sizeof(from) || from.nl_pid != 0)
		return 0;
	return n;
}

/* Send one request and read its reply, calling fn for each data message.
 * A dump ends with NLMSG_DONE, a get with its one answer, either with an
 * NLMSG_ERROR. On any failure that leaves the reply half read the socket is
 * reset. */
static int nl_transact(struct netlink *nl, const uint8_t *req, size_t len, uint32_t seq, bool dump,
		       msg_fn fn, void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint64_t deadline = now_ms() + nl->timeout_ms;
	uint32_t n_msgs = 0;
	bool done = false, intr = false;
	int err = 0;

	nl->errmsg[0] = '\0';
	if (nl->fd < 0) {
		nl_reset(nl);
		if (nl->fd < 0)
			return -EBADF;
	}
	for (;;) {
		if (sendto(nl->fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) >= 0)
			break;
		if (errno != EINTR) {
			err = -errno;
			nl_reset(nl);
			return err;
		}
	}
	while (!done) {
		struct rtnl_iter it;
		struct rtnl_msg m;
		ssize_t n = nl_recv(nl, deadline);
		int r = 0;

		if (n == -EINTR || n == 0)
			continue;
		if (n < 0) {
			nl_reset(nl);
			return (int)n;
		}
		it = rtnl_iter(nl->buf, (size_t)n);
		while (!done && (r = rtnl_next(&it, &m)) > 0) {
			struct rtnl_status st;

			/* A late part of an earlier, abandoned reply, or a
			 * notification: not ours. */
			if (m.seq != seq || m.pid != nl->portid)
				continue;
			if (++n_msgs > NETLINK_MAX_MSGS) {
				nl_reset(nl);
				return -E2BIG;
			}
			if (m.flags & NLM_F_DUMP_INTR)
				intr = true;
			if (m.type == NLMSG_DONE || m.type == NLMSG_ERROR) {
				if (rtnl_parse_status(&m, &st) < 0)
					st.error = -EBADMSG;
				if (st.error < 0 && !err) {
					err = st.error;
					memcpy(nl->errmsg, st.msg, sizeof(nl->errmsg));
				}
				done = true;
			} else if (m.type >= RTM_BASE) {
				if (!err && (r = fn(&m, ctx)) < 0)
					err = r;
				done = !dump;
			}
		}
		if (r < 0) {
			nl_reset(nl);
			return -EBADMSG;
		}
	}
	if (!err && intr)
		err = -EAGAIN;
	return err;
}

/* --- dumps ---------------------------------------------------------------- */

struct dump_ctx {
	uint16_t want; /* RTM_NEWLINK, RTM_NEWADDR or RTM_NEWROUTE */
	uint8_t family;
	netlink_link_fn link;
	netlink_addr_fn addr;
	netlink_route_fn route;
	void *ctx;
};

static int dump_msg(const struct rtnl_msg *m, void *arg)
{
	struct dump_ctx *d = arg;
	struct rtnl_link l;
	struct rtnl_addr a;
	struct rtnl_route rt;

	if (m->type != d->want || m->len < 1)
		return 0;
	/* The first byte of all three family headers is the family. */
	if (d->family != AF_UNSPEC && m->payload[0] != d->family)
		return 0;
	switch (m->type) {
	case RTM_NEWLINK:
		return rtnl_parse_link(m->payload, m->len, &l) < 0 ? 0 : d->link(&l, d->ctx);
	case RTM_NEWADDR:
		return rtnl_parse_addr(m->payload, m->len, &a) < 0 ? 0 : d->addr(&a, d->ctx);
	default:
		return rtnl_parse_route(m->payload, m->len, &rt) < 0 ? 0 : d->route(&rt, d->ctx);
	}
}

static int nl_dump(struct netlink *nl, uint16_t req_type, struct dump_ctx *d)
{
	uint8_t req[RTNL_REQ_MAX];
	uint32_t seq = nl_next_seq(nl);
	int len = rtnl_req_dump(req, sizeof(req), req_type, d->family, seq);

	if (len < 0)
		return len;
	return nl_transact(nl, req, (size_t)len, seq, true, dump_msg, d);
}

int netlink_dump_links(struct netlink *nl, netlink_link_fn fn, void *ctx)
{
	struct dump_ctx d = { .want = RTM_NEWLINK, .family = AF_UNSPEC, .link = fn, .ctx = ctx };

	return nl_dump(nl, RTM_GETLINK, &d);
}

int netlink_dump_addrs(struct netlink *nl, uint8_t family, netlink_addr_fn fn, void *ctx)
{
	struct dump_ctx d = { .want = RTM_NEWADDR, .family = family, .addr = fn, .ctx = ctx };

	return nl_dump(nl, RTM_GETADDR, &d);
}

int netlink_dump_routes(struct netlink *nl, uint8_t family, netlink_route_fn fn, void *ctx)
{
	struct dump_ctx d = { .want = RTM_NEWROUTE, .family = family, .route = fn, .ctx = ctx };

	return nl_dump(nl, RTM_GETROUTE, &d);
}

struct default_ctx {
	struct rtnl_route *best;
	bool found;
};

/* Is a better default route than b (main table first, then lower metric)? */
static bool default_better(const struct rtnl_route *a, const struct rtnl_route *b)
{
	bool a_main = a->table == RT_TABLE_MAIN, b_main = b->table == RT_TABLE_MAIN;

	if (a_main != b_main)
		return a_main;
	return a->priority < b->priority;
}

static int default_pick(const struct rtnl_route *rt, void *arg)
{
	struct default_ctx *d = arg;

	/* Unreachable, blackhole and prohibit defaults lead nowhere; the local
	 * table holds only this host's own addresses; cloned entries are the
	 * IPv6 route cache, not configuration. */
	if (rt->dst_len != 0 || rt->type != RTN_UNICAST || rt->table == RT_TABLE_LOCAL ||
	    rt->flags & RTM_F_CLONED)
		return 0;
	if (!d->found || default_better(rt, d->best)) {
		*d->best = *rt;
		d->found = true;
	}
	return 0;
}

int netlink_default_route(struct netlink *nl, uint8_t family, struct rtnl_route *out)
{
	struct default_ctx d = { .best = out };
	int err;

	memset(out, 0, sizeof(*out));
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	err = netlink_dump_routes(nl, family, default_pick, &d);
	if (err < 0)
		return err;
	return d.found ? 0 : -ENOENT;
}

/* --- single gets ---------------------------------------------------------- */

struct get_ctx {
	uint16_t want;
	struct rtnl_route *route;
	struct rtnl_link *link;
	bool got;
};

static int get_msg(const struct rtnl_msg *m, void *arg)
{
	struct get_ctx *g = arg;
	int err;

	if (m->type != g->want)
		return -EBADMSG;
	err = m->type == RTM_NEWROUTE ? rtnl_parse_route(m->payload, m->len, g->route)
				      : rtnl_parse_link(m->payload, m->len, g->link);
	g->got = err == 0;
	return err;
}

/* Send a built request (len < 0: the build failed) and read its one answer
 * into g. */
static int nl_get(struct netlink *nl, const uint8_t *req, int len, uint32_t seq, struct get_ctx *g)
{
	int err;

	if (len < 0)
		return len;
	err = nl_transact(nl, req, (size_t)len, seq, false, get_msg, g);
	if (err < 0)
		return err;
	return g->got ? 0 : -EBADMSG;
}

int netlink_route_get(struct netlink *nl, const struct netaddr *dst, struct rtnl_route *out)
{
	struct get_ctx g = { .want = RTM_NEWROUTE, .route = out };
	uint8_t req[RTNL_REQ_MAX];
	uint32_t seq = nl_next_seq(nl);
	int err;

	memset(out, 0, sizeof(*out));
	err = nl_get(nl, req, rtnl_req_route_get(req, sizeof(req), dst, seq), seq, &g);
	if (err < 0)
		return err;
	/* A lookup can land on an unreachable or prohibit route; the kernel
	 * usually says so with an error, but a typed answer means the same. */
	if (out->type != RTN_UNICAST && out->type != RTN_LOCAL)
		return -ENETUNREACH;
	return 0;
}

int netlink_link_get(struct netlink *nl, uint32_t index, struct rtnl_link *out)
{
	struct get_ctx g = { .want = RTM_NEWLINK, .link = out };
	uint8_t req[RTNL_REQ_MAX];
	uint32_t seq = nl_next_seq(nl);

	memset(out, 0, sizeof(*out));
	return nl_get(nl, req, rtnl_req_link_get(req, sizeof(req), index, seq), seq, &g);
}

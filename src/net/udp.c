/* SPDX-License-Identifier: MIT */
#include "net/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int udp_open(int family, const struct netaddr *peer, struct netaddr *local)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd, e;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ 1 }, sizeof(int));
	/* Arrival times for udp_recv_waited; without them round trips only
	 * get less exact. */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int));
	if (peer) {
		e = netaddr_to_sockaddr(peer, &ss);
		if (e < 0)
			goto fail_e;
		if (connect(fd, (struct sockaddr *)&ss, (socklen_t)e) < 0)
			goto fail;
	} else if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		goto fail;
	}
	if (local) {
		sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
			goto fail;
		netaddr_from_sockaddr(local, (struct sockaddr *)&ss, sl);
	}
	return fd;
fail:
	e = -errno;
fail_e:
	close(fd);
	return e;
}

ssize_t udp_recv_waited(int fd, void *buf, size_t len, int flags, struct sockaddr_storage *from,
			socklen_t *fromlen, uint32_t *waited_ms)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_name = from,
			     .msg_namelen = fromlen ? *fromlen : 0,
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	ssize_t n = recvmsg(fd, &mh, flags);

	*waited_ms = 0;
	if (n < 0)
		return n;
	if (fromlen)
		*fromlen = mh.msg_namelen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		struct timespec at, now;
		int64_t ns;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(at)))
			continue;
		memcpy(&at, CMSG_DATA(c), sizeof(at));
		clock_gettime(CLOCK_REALTIME, &now);
		ns = (int64_t)(now.tv_sec - at.tv_sec) * 1000000000 + (now.tv_nsec - at.tv_nsec);
		/* A clock step makes nonsense: believe 0 .. 10 s only. */
		if (ns > 0 && ns < (int64_t)10 * 1000000000)
			*waited_ms = (uint32_t)(ns / 1000000);
	}
	return n;
}

/* Errors that say the socket cannot be read, not that a packet went wrong. */
static bool drain_fatal(int e)
{
	return e == EBADF || e == ENOTSOCK || e == EINVAL || e == EFAULT || e == ENOMEM;
}

int udp_drain(int fd, void *buf, size_t cap, unsigned max, udp_datagram_fn fn, void *ctx)
{
	int handed = 0;

	for (unsigned i = 0; i < max; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct udp_datagram d = { .data = buf };
		ssize_t n =
		    udp_recv_waited(fd, buf, cap, MSG_TRUNC | MSG_DONTWAIT, &ss, &sl, &d.waited_ms);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (drain_fatal(errno))
				return -errno;
			if (errno == EINTR)
				continue;
			d.error = -errno;
		} else {
			if (netaddr_from_sockaddr(&d.from, (struct sockaddr *)&ss, sl) < 0)
				continue;
			d.from = netaddr_unmap(d.from);
			d.wire_len = (size_t)n;
			d.truncated = d.wire_len > cap;
			d.len = d.truncated ? cap : d.wire_len;
		}
		handed++;
		if (!fn(fd, &d, ctx))
			break;
	}
	return handed;
}

/* SPDX-License-Identifier: MIT */
#include "net/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

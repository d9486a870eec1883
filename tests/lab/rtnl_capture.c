/* SPDX-License-Identifier: MIT */
/*
 * lab_rtnl_capture WHAT OUT: ask the kernel one rtnetlink question and
 * write its raw answer (every datagram of the reply, back to back: netlink
 * messages delimit themselves) to OUT. Seeds the rtnl fuzz corpus and the
 * unit tests with real kernel bytes; scripts/rtnl_corpus.sh runs it inside
 * namespaces with known addresses and routes.
 *
 *   links | addrs | routes          a dump (all families)
 *   route-get ADDR                  the route toward ADDR (nothing is sent)
 *   link-get INDEX                  one interface (9999: an error reply)
 *   extack                          a route get the kernel rejects, with
 *                                   strict checking on, so the error comes
 *                                   with extended-ACK text
 *
 * Exit 0 when a complete reply was written, 1 otherwise, 2 on usage.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/rtnl.h"

static int build(int argc, char *argv[], uint8_t *req, bool *dump, bool *strict)
{
	const char *what = argv[1];
	struct netaddr a;

	*dump = false;
	*strict = false;
	if (strcmp(what, "links") == 0 || strcmp(what, "addrs") == 0 ||
	    strcmp(what, "routes") == 0) {
		*dump = true;
		return rtnl_req_dump(req, RTNL_REQ_MAX,
				     what[0] == 'l'   ? RTM_GETLINK
				     : what[0] == 'a' ? RTM_GETADDR
						      : RTM_GETROUTE,
				     AF_UNSPEC, 1);
	}
	if (strcmp(what, "route-get") == 0 && argc == 4 && netaddr_parse_ip(&a, argv[2]) == 0)
		return rtnl_req_route_get(req, RTNL_REQ_MAX, &a, 1);
	if (strcmp(what, "link-get") == 0 && argc == 4)
		return rtnl_req_link_get(req, RTNL_REQ_MAX, (uint32_t)strtoul(argv[2], NULL, 10),
					 1);
	if (strcmp(what, "extack") == 0) {
		int len;

		netaddr_parse_ip(&a, "127.0.0.1");
		len = rtnl_req_route_get(req, RTNL_REQ_MAX, &a, 1);
		/* rtm_src_len 7 without RTA_SRC: "Invalid values in header". */
		req[16 + 2] = 7;
		*strict = true;
		return len;
	}
	return -EINVAL;
}

int main(int argc, char *argv[])
{
	struct timeval tv = { .tv_sec = 1 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	static uint8_t buf[32768];
	uint8_t req[RTNL_REQ_MAX];
	bool dump, strict, done = false;
	int len, fd, one = 1;
	FILE *out;

	if (argc < 3 || (len = build(argc, argv, req, &dump, &strict)) < 0) {
		fprintf(stderr,
			"usage: %s links|addrs|routes|route-get ADDR|link-get INDEX|extack OUT\n",
			argv[0]);
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (strict)
		setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (sendto(fd, req, (size_t)len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		perror("send");
		return 1;
	}
	out = fopen(argv[argc - 1], "wb");
	if (!out) {
		perror(argv[argc - 1]);
		return 1;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct rtnl_iter it;
		struct rtnl_msg m;

		if (n <= 0) {
			perror("recv");
			break;
		}
		fwrite(buf, 1, (size_t)n, out);
		it = rtnl_iter(buf, (size_t)n);
		while (rtnl_next(&it, &m) > 0)
			if (!dump || m.type == NLMSG_DONE || m.type == NLMSG_ERROR)
				done = true;
	}
	fclose(out);
	close(fd);
	return done ? 0 : 1;
}

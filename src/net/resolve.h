/* SPDX-License-Identifier: MIT */
/*
 * Name resolution that cannot stall the loop: getaddrinfo on a worker
 * thread (net/worker.h), literals answered at once without a thread.
 */
#ifndef ND_NET_RESOLVE_H
#define ND_NET_RESOLVE_H

#include "net/loop.h"
#include "util/netaddr.h"

#define RESOLVE_MAX_ADDRS 8
#define RESOLVE_HOST_MAX  256

struct resolve_req;

struct resolve_result {
	int gai_error;				 /* 0, or an EAI_* code (gai_strerror tells) */
	struct netaddr addrs[RESOLVE_MAX_ADDRS]; /* IPv4 first, then IPv6; port set */
	size_t n;
};

/* Runs on the loop thread with the result. The result is valid during the
 * call only. */
typedef void (*resolve_cb)(struct loop *l, const struct resolve_result *res, void *data);

/* Resolve host (a name or an IP literal) for UDP, giving every address the
 * port. family: AF_UNSPEC, AF_INET or AF_INET6. A literal calls cb before
 * this returns. On success *req (may be NULL for literals) can be passed to
 * resolve_cancel until cb has run. Returns 0 or a negative errno (cb never
 * runs then). */
int resolve_start(struct loop *l, const char *host, uint16_t port, int family, resolve_cb cb,
		  void *data, struct resolve_req **req);

/* Give up on a pending resolution; cb will not run. NULL is fine. */
void resolve_cancel(struct resolve_req *req);

#endif

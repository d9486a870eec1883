/* SPDX-License-Identifier: MIT */
#include "net/resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "net/worker.h"

struct resolve_req {
	/* Set on the loop thread, read-only for the worker. */
	char host[RESOLVE_HOST_MAX];
	uint16_t port;
	int family;
	resolve_cb cb;
	void *data;
	struct worker_job *job;
	/* Written by the worker, read by the loop thread after the post. */
	struct resolve_result res;
};

static void fill(struct resolve_result *res, const struct addrinfo *ai, uint16_t port)
{
	/* Two passes: IPv4 first, so callers that take the first address get
	 * the family most STUN servers and gateways answer on. */
	for (int pass = 0; pass < 2; pass++) {
		for (const struct addrinfo *p = ai; p && res->n < RESOLVE_MAX_ADDRS;
		     p = p->ai_next) {
			struct netaddr a;

			if ((pass == 0) != (p->ai_family == AF_INET))
				continue;
			if (netaddr_from_sockaddr(&a, p->ai_addr, p->ai_addrlen) < 0)
				continue;
			a.port = port;
			/* getaddrinfo may list one address per socket type. */
			bool dup = false;
			for (size_t i = 0; i < res->n; i++)
				dup |= netaddr_eq(&res->addrs[i], &a, false);
			if (!dup)
				res->addrs[res->n++] = a;
		}
	}
}

static void lookup(struct resolve_req *r, int flags)
{
	struct addrinfo hints = { .ai_family = r->family,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = flags };
	struct addrinfo *ai = NULL;

	r->res.gai_error = getaddrinfo(r->host, NULL, &hints, &ai);
	if (r->res.gai_error == 0) {
		fill(&r->res, ai, r->port);
		freeaddrinfo(ai);
		if (r->res.n == 0)
			r->res.gai_error = EAI_NODATA;
	}
}

static void resolve_work(void *arg)
{
	lookup(arg, AI_ADDRCONFIG);
}

static void resolve_done(struct loop *l, void *arg)
{
	struct resolve_req *r = arg;

	r->cb(l, &r->res, r->data);
	free(r);
}

int resolve_start(struct loop *l, const char *host, uint16_t port, int family, resolve_cb cb,
		  void *data, struct resolve_req **out)
{
	struct resolve_req *r;
	int err;

	if (out)
		*out = NULL;
	if (strlen(host) >= RESOLVE_HOST_MAX)
		return -ENAMETOOLONG;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	memcpy(r->host, host, strlen(host) + 1);
	r->port = port;
	r->family = family;
	r->cb = cb;
	r->data = data;

	/* A literal needs no thread and no DNS. */
	lookup(r, AI_NUMERICHOST);
	if (r->res.gai_error == 0) {
		cb(l, &r->res, data);
		free(r);
		return 0;
	}
	memset(&r->res, 0, sizeof(r->res));
	err = worker_start(l, resolve_work, resolve_done, free, r, &r->job);
	if (err < 0) {
		free(r);
		return err;
	}
	if (out)
		*out = r;
	return 0;
}

void resolve_cancel(struct resolve_req *r)
{
	if (r)
		worker_abandon(r->job);
}

/* SPDX-License-Identifier: MIT */
#include "proto/nodeargs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

/* Flags that only a Substrate-style node takes: one is enough to believe
 * the process is a node even without a network flag. */
static const char *const substrate_flags[] = {
	"--chain",    "--base-path", "--rpc-port", "--prometheus-port", "--validator",
	"--collator", "--bootnodes", "--node-key", "--rpc-methods",	"--pruning",
	"--sync",     "--name",	     NULL,
};

enum flag {
	F_NONE = 0,
	F_PORT,
	F_LISTEN,
	F_PUBLIC,
	F_IN,
	F_OUT,
	F_RESERVED_ONLY,
	F_NO_PRIVATE,
	F_OTHER_SUBSTRATE,
};

static const struct {
	const char *name;
	enum flag f;
	bool takes_value;
} flags[] = {
	{ "--port", F_PORT, true },
	{ "--listen-addr", F_LISTEN, true },
	{ "--public-addr", F_PUBLIC, true },
	{ "--in-peers", F_IN, true },
	{ "--out-peers", F_OUT, true },
	{ "--reserved-only", F_RESERVED_ONLY, false },
	{ "--no-private-ip", F_NO_PRIVATE, false },
	{ "--no-private-ipv4", F_NO_PRIVATE, false },
};

/* Match arg against name exactly, or as "name=value". Returns the value
 * ("" for an exact match, NULL for no match). */
static const char *match(const char *arg, size_t alen, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if (alen < n || memcmp(arg, name, n) != 0)
		return NULL;
	if (alen == n) {
		*vlen = 0;
		return "";
	}
	if (arg[n] != '=')
		return NULL;
	*vlen = alen - n - 1;
	return arg + n + 1;
}

/* A decimal integer in [min, max], the whole of s[0..len). */
static int parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 18)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static void add_addr(struct nodeargs *a, struct nodeargs_chain *c, bool pub, const char *v,
		     size_t vlen)
{
	struct multiaddr m;
	struct multiaddr *arr = pub ? c->public_addr : c->listen;
	size_t *n = pub ? &c->n_public : &c->n_listen;

	if (multiaddr_parse(v, vlen, &m) < 0) {
		a->n_bad++;
		return;
	}
	if (*n == NODEARGS_MAX_ADDRS) {
		c->n_dropped++;
		return;
	}
	arr[(*n)++] = m;
}

static void apply(struct nodeargs *a, struct nodeargs_chain *c, enum flag f, const char *v,
		  size_t vlen)
{
	int64_t n;

	c->n_flags++;
	a->substrate = true;
	switch (f) {
	case F_PORT:
		if (parse_int(v, vlen, 0, 65535, &n) == 0)
			c->port = (int32_t)n;
		else
			a->n_bad++;
		break;
	case F_IN:
	case F_OUT:
		if (parse_int(v, vlen, 0, UINT32_MAX, &n) == 0)
			*(f == F_IN ? &c->in_peers : &c->out_peers) = n;
		else
			a->n_bad++;
		break;
	case F_LISTEN:
	case F_PUBLIC:
		add_addr(a, c, f == F_PUBLIC, v, vlen);
		break;
	case F_RESERVED_ONLY:
		c->reserved_only = true;
		break;
	case F_NO_PRIVATE:
		c->no_private_ip = true;
		break;
	case F_NONE:
	case F_OTHER_SUBSTRATE:
		break;
	}
}

static void nodeargs_chain_init(struct nodeargs_chain *c)
{
	memset(c, 0, sizeof(*c));
	c->port = -1;
	c->in_peers = c->out_peers = -1;
}

int nodeargs_parse(const char *buf, size_t len, struct nodeargs *out)
{
	size_t pos = 0, argc = 0;
	enum flag pending = F_NONE; /* a flag waiting for its value */

	memset(out, 0, sizeof(*out));
	nodeargs_chain_init(&out->chain[0]);
	out->n_chains = 1;
	while (pos < len) {
		const char *arg = buf + pos;
		const char *nul = memchr(arg, '\0', len - pos);
		size_t alen = nul ? (size_t)(nul - arg) : len - pos;
		struct nodeargs_chain *c = &out->chain[out->n_chains - 1];

		pos += alen + 1;
		if (argc++ == 0) {
			const char *base = arg;

			for (size_t i = 0; i < alen; i++)
				if (arg[i] == '/')
					base = arg + i + 1;
			text_sanitize(out->prog, sizeof(out->prog), base,
				      alen - (size_t)(base - arg));
			continue;
		}
		if (pending != F_NONE) {
			apply(out, c, pending, arg, alen);
			pending = F_NONE;
			continue;
		}
		if (alen == 2 && arg[0] == '-' && arg[1] == '-') {
			if (out->n_chains < NODEARGS_MAX_CHAINS)
				nodeargs_chain_init(&out->chain[out->n_chains++]);
			continue;
		}
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			size_t vlen;
			const char *v = match(arg, alen, flags[i].name, &vlen);

			if (!v)
				continue;
			if (flags[i].takes_value && alen == strlen(flags[i].name))
				pending = flags[i].f; /* "--port 30333": the value is next */
			else
				apply(out, c, flags[i].f, v, vlen);
			break;
		}
		for (size_t i = 0; substrate_flags[i]; i++) {
			size_t vlen;

			if (match(arg, alen, substrate_flags[i], &vlen))
				out->substrate = true;
		}
	}
	if (pending != F_NONE)
		out->n_bad++; /* a flag at the very end, without its value */
	return argc ? 0 : -EINVAL;
}

int64_t nodeargs_in_peers(const struct nodeargs_chain *c)
{
	return c->in_peers >= 0 ? c->in_peers : NODEARGS_DEFAULT_IN_PEERS;
}

int64_t nodeargs_out_peers(const struct nodeargs_chain *c)
{
	return c->out_peers >= 0 ? c->out_peers : NODEARGS_DEFAULT_OUT_PEERS;
}

int nodeargs_container(const char *cgroup, size_t len, char *out, size_t cap)
{
	static const struct {
		const char *marker, *runtime;
	} kinds[] = {
		{ "/docker/", "docker" },
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
		{ "/lxc/", "lxc" },
		{ "/lxc.payload.", "lxc" },
	};

	if (cap)
		out[0] = '\0';
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t mlen = strlen(kinds[k].marker);
		const char *p = memmem(cgroup, len, kinds[k].marker, mlen);
		char id[13];
		size_t n = 0;

		if (!p)
			continue;
		p += mlen;
		/* An id (hex) or an LXC name: letters, digits, '-', '_', up
		 * to the end of the path element; 12 characters are enough. */
		while (p < cgroup + len && n < 12 &&
		       ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			(*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_'))
			id[n++] = *p++;
		if (n == 0)
			continue;
		id[n] = '\0';
		if (cap)
			snprintf(out, cap, "%s %s", kinds[k].runtime, id);
		return 1;
	}
	return 0;
}

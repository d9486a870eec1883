/* SPDX-License-Identifier: MIT */
/*
 * How the node's view is judged (docs/REPORT.md has the operator's words):
 *
 * - What the node advertises: its external addresses (the RPC's
 *   system_unstable_networkState, the log's "Discovered new external
 *   address" lines not since expired) and its --public-addr flags. Peers
 *   can dial a public IP or a DNS name; private, container-bridge,
 *   loopback, link-local and shared (CGNAT) addresses go nowhere. A public
 *   address other than the one STUN sees, or a port that is neither the
 *   one the node listens on nor one the router forwards, sends peers to
 *   the wrong place.
 * - Churn: the log shows one IP discovered with several ports, the mark of
 *   a NAT that gives each peer a different port (or a port-translating
 *   forward): peers learn ports that go nowhere.
 * - The budget: --out-peers + --in-peers (8 + 32 by default) is the most
 *   peers the node will ever have; peers equal to the outbound slots with
 *   no inbound connection is the signature of a node nobody can reach.
 * - Two node processes here that would be seen at the same public address
 *   and port: only one can have the forward.
 * - A node listening on IPv6 with a global IPv6 address while IPv4 is
 *   behind the provider's NAT: IPv6 is the way out that needs nobody.
 */
#include "check/nodefind.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

#define SET(field, ...) TEXT_SET(field, __VA_ARGS__)

const char *node_addr_class_name(enum node_addr_class c)
{
	switch (c) {
	case NODE_ADDR_PUBLIC:
		return "public";
	case NODE_ADDR_DNS:
		return "dns";
	case NODE_ADDR_PRIVATE:
		return "private";
	case NODE_ADDR_CGNAT:
		return "cgnat";
	case NODE_ADDR_DOCKER:
		return "docker-bridge";
	case NODE_ADDR_LOOPBACK:
		return "loopback";
	case NODE_ADDR_LINKLOCAL:
		return "link-local";
	case NODE_ADDR_UNSPECIFIED:
		return "unspecified";
	case NODE_ADDR_RESERVED:
		return "reserved";
	case NODE_ADDR_RELAYED:
		return "relayed";
	case NODE_ADDR_UNKNOWN:
		break;
	}
	return "unknown";
}

static bool bridge_ifname(const char *n)
{
	static const char *const prefixes[] = { "docker", "br-",   "cni",   "podman",
						"virbr",  "lxcbr", "lxdbr", NULL };

	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(n, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool in_prefix(const struct netaddr *a, const struct netaddr *net, unsigned plen)
{
	size_t bytes = a->family == AF_INET ? 4 : 16;

	if (a->family != net->family || plen > bytes * 8)
		return false;
	for (size_t i = 0; i < bytes && plen; i++) {
		unsigned bits = plen >= 8 ? 8 : plen;
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((a->ip[i] & mask) != (net->ip[i] & mask))
			return false;
		plen -= bits;
	}
	return true;
}

enum node_addr_class nodefind_classify(const struct multiaddr *m, const struct local_view *lv)
{
	if (m->relayed)
		return NODE_ADDR_RELAYED;
	switch (m->host_kind) {
	case MULTIADDR_HOST_DNS:
	case MULTIADDR_HOST_DNS4:
	case MULTIADDR_HOST_DNS6:
	case MULTIADDR_HOST_DNSADDR:
		return NODE_ADDR_DNS;
	case MULTIADDR_HOST_IP4:
	case MULTIADDR_HOST_IP6:
		break;
	case MULTIADDR_HOST_NONE:
		return NODE_ADDR_UNKNOWN;
	}
	/* Docker's default bridge, then any bridge this host has. */
	if (m->ip.family == AF_INET && m->ip.ip[0] == 172 && m->ip.ip[1] == 17)
		return NODE_ADDR_DOCKER;
	for (size_t i = 0; lv && i < lv->n_addrs; i++)
		if (bridge_ifname(lv->addrs[i].ifname) &&
		    in_prefix(&m->ip, &lv->addrs[i].addr, lv->addrs[i].prefixlen))
			return NODE_ADDR_DOCKER;
	switch (netaddr_classify(&m->ip)) {
	case NETADDR_PUBLIC:
		return NODE_ADDR_PUBLIC;
	case NETADDR_PRIVATE:
		return NODE_ADDR_PRIVATE;
	case NETADDR_CGNAT:
		return NODE_ADDR_CGNAT;
	case NETADDR_LOOPBACK:
		return NODE_ADDR_LOOPBACK;
	case NETADDR_LINKLOCAL:
		return NODE_ADDR_LINKLOCAL;
	case NETADDR_UNSPECIFIED:
		return NODE_ADDR_UNSPECIFIED;
	case NETADDR_NONE:
		return NODE_ADDR_UNKNOWN;
	case NETADDR_MULTICAST:
	case NETADDR_RESERVED:
		break;
	}
	return NODE_ADDR_RESERVED;
}

bool nodefind_dialable(enum node_addr_class c)
{
	return c == NODE_ADDR_PUBLIC || c == NODE_ADDR_DNS;
}

/* --- facts ------------------------------------------------------------------ */

struct ctx {
	const struct check_config *cfg;
	const struct check_result *res;
	const struct node_view *n;
	struct verdict *v;
	struct finding scratch;
	unsigned port;	/* the node's P2P port as best known */
	char flag[160]; /* "--public-addr /ip4/203.0.113.7/tcp/30333", or "" */
};

static struct finding *add(struct ctx *c, const char *id, enum severity s)
{
	return verdict_add_or(c->v, id, s, &c->scratch);
}

/* The node's port: its --port, else a port it listens on, else the first
 * port checked. */
static unsigned node_port(const struct ctx *c)
{
	const struct node_view *n = c->n;

	for (size_t i = 0; i < n->n_procs; i++)
		if (n->procs[i].args_read && n->procs[i].args.chain[0].port > 0)
			return (unsigned)n->procs[i].args.chain[0].port;
	for (size_t i = 0; i < n->n_listen; i++)
		if (n->listen[i].m.port && n->listen[i].cls != NODE_ADDR_LOOPBACK)
			return n->listen[i].m.port;
	return c->cfg->n_ports ? c->cfg->ports[0].port : 30333;
}

static bool is_listen_port(const struct ctx *c, unsigned port)
{
	const struct node_view *n = c->n;

	for (size_t i = 0; i < n->n_listen; i++)
		if (n->listen[i].m.port == port)
			return true;
	for (size_t i = 0; i < n->n_procs; i++)
		for (size_t k = 0; n->procs[i].args_read && k < n->procs[i].args.n_chains; k++)
			if (n->procs[i].args.chain[k].port == (int32_t)port)
				return true;
	for (size_t i = 0; i < c->cfg->n_ports; i++)
		if (c->cfg->ports[i].port == port)
			return true;
	return false;
}

static bool is_forwarded_port(const struct ctx *c, unsigned port)
{
	const struct upnp_result *u = &c->res->gateway.upnp;

	for (size_t i = 0; i < u->n_mappings; i++)
		if (u->mappings[i].exists && u->mappings[i].port.port == port)
			return true;
	return false;
}

static void fmt_ma(const struct multiaddr *m, char *out, size_t cap)
{
	multiaddr_format(m, false, out, cap);
}

/* "/ip4/192.168.1.10/tcp/30333 (private), ..." */
static void list_addrs(const struct node_addr *a, size_t n, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char m[MULTIADDR_TEXT_MAX];

		fmt_ma(&a[i].m, m, sizeof(m));
		text_appendf(out, cap, &len, "%s%s (%s)", i ? ", " : "", m,
			     node_addr_class_name(a[i].cls));
	}
	if (!n)
		text_appendf(out, cap, &len, "none");
}

static const char *from_words(unsigned from)
{
	return from & NODE_SRC_PROCESS ? "its --public-addr"
	       : from & NODE_SRC_RPC   ? "system_unstable_networkState"
				       : "its log";
}

/* --- findings ---------------------------------------------------------------- */

static void finding_unreadable(struct ctx *c)
{
	const struct node_view *n = c->n;
	char ev[600];
	size_t len = 0;
	bool user = false;
	struct finding *f;

	ev[0] = '\0';
	/* Defaults that nobody answers mean "no node here", not a fault. */
	if (n->rpc.tried && n->rpc.error[0] && !(n->rpc.refused && !n->rpc.user_given)) {
		text_appendf(ev, sizeof(ev), &len, "RPC %s: %s", n->rpc.url, n->rpc.error);
		user |= n->rpc.user_given;
	}
	if (n->metrics.tried && n->metrics.error[0] &&
	    !(n->metrics.refused && !n->metrics.user_given)) {
		text_appendf(ev, sizeof(ev), &len, "%smetrics %s: %s", len ? "; " : "",
			     n->metrics.url, n->metrics.error);
		user |= n->metrics.user_given;
	}
	if (n->log_tried && n->log_error[0]) {
		text_appendf(ev, sizeof(ev), &len, "%slog: %s", len ? "; " : "", n->log_error);
		user = true;
	}
	if (!len)
		return;
	f = add(c, "node-view-unreadable", user ? SEV_WARNING : SEV_INFO);
	SET(f->summary, "The node's own view could not be read%s", n->sources ? " in full" : "");
	SET(f->evidence, "%s", ev);
	SET(f->remedy,
	    "Point natdoctor at the node: --rpc http://127.0.0.1:PORT (the node's --rpc-port, "
	    "9944 by default), --metrics http://127.0.0.1:PORT/metrics (--prometheus-port, "
	    "9615), --log FILE (a saved log: `journalctl -u NODE > node.log`). The rest of "
	    "this check does not depend on it.");
}

static void finding_advertised(struct ctx *c)
{
	const struct node_view *n = c->n;
	const struct netaddr *pub = &c->v->public4;
	char adv[400], lis[300], pub_s[NETADDR_FMT_MAX];
	bool dialable = false;
	struct finding *f;

	if (!n->advertised_known || n->reserved_only)
		return;
	for (size_t i = 0; i < n->n_advertised; i++)
		dialable |= nodefind_dialable(n->advertised[i].cls);
	for (size_t i = 0; i < n->n_listen; i++)
		dialable |= nodefind_dialable(n->listen[i].cls);
	list_addrs(n->advertised, n->n_advertised, adv, sizeof(adv));
	list_addrs(n->listen, n->n_listen, lis, sizeof(lis));
	if (!dialable) {
		f = add(c, "node-not-dialable", SEV_PROBLEM);
		SET(f->summary, "The node advertises no address that peers can dial");
		SET(f->evidence, "advertised: %s; listening on: %s", adv, lis);
		if (c->flag[0])
			SET(f->remedy,
			    "Start the node with %s (the public address STUN sees, and the "
			    "node's port), and make sure TCP %u reaches this host.",
			    c->flag, c->port);
		else
			SET(f->remedy,
			    "Start the node with --public-addr /ip4/PUBLIC-IP/tcp/%u (this check "
			    "could not learn the public address: see the STUN findings), and make "
			    "sure TCP %u reaches this host.",
			    c->port, c->port);
		return;
	}
	for (size_t i = 0; i < n->n_advertised; i++) {
		const struct node_addr *a = &n->advertised[i];
		char m[MULTIADDR_TEXT_MAX];

		if (a->cls != NODE_ADDR_PUBLIC)
			continue;
		fmt_ma(&a->m, m, sizeof(m));
		if (a->m.ip.family == AF_INET && pub->family && !netaddr_eq(&a->m.ip, pub, true)) {
			f = add(c, "node-advertises-other-address", SEV_WARNING);
			SET(f->summary,
			    "The node advertises %s, but the world sees this host as %s", a->m.host,
			    netaddr_fmt_ip(pub, pub_s));
			SET(f->evidence, "%s from %s; STUN's public IPv4: %s", m,
			    from_words(a->from), pub_s);
			SET(f->remedy,
			    "Peers dial %s and find nothing. Start the node with %s instead (or "
			    "remove the stale --public-addr).",
			    a->m.host,
			    c->flag[0] ? c->flag : "--public-addr /ip4/PUBLIC-IP/tcp/PORT");
			continue;
		}
		if (a->m.port && !is_listen_port(c, a->m.port) &&
		    !is_forwarded_port(c, a->m.port)) {
			f = add(c, "node-advertises-other-port", SEV_WARNING);
			SET(f->summary,
			    "The node advertises port %u, which it does not listen on and the "
			    "router does not forward",
			    a->m.port);
			SET(f->evidence, "%s from %s; the node listens on %u", m,
			    from_words(a->from), c->port);
			SET(f->remedy,
			    "A port-translating NAT, a Kubernetes service or a DNAT to another "
			    "port "
			    "gave the node a port that goes nowhere. Start it with --public-addr "
			    "/%s/%s/tcp/%u and forward TCP %u to this host.",
			    a->m.host_kind == MULTIADDR_HOST_IP6 ? "ip6" : "ip4", a->m.host,
			    c->port, c->port);
		}
	}
}

static void finding_churn(struct ctx *c)
{
	const struct node_view *n = c->n;

	for (size_t i = 0; i < n->n_discovered; i++) {
		char ports[160];
		size_t len = 0, count = 0;
		bool foreign = false, earlier = false;

		for (size_t k = 0; k < i; k++)
			earlier |= n->discovered[k].chain == n->discovered[i].chain &&
				   !strcmp(n->discovered[k].m.host, n->discovered[i].m.host);
		if (earlier)
			continue;
		ports[0] = '\0';
		for (size_t k = i; k < n->n_discovered; k++) {
			if (n->discovered[k].chain != n->discovered[i].chain ||
			    strcmp(n->discovered[k].m.host, n->discovered[i].m.host))
				continue;
			count++;
			foreign |= !is_listen_port(c, n->discovered[k].m.port);
			text_appendf(ports, sizeof(ports), &len, "%s%u (%u×)", len ? ", " : "",
				     n->discovered[k].m.port, n->discovered[k].seen);
		}
		/* A restart on another --port explains two; a third, or one
		 * the node never listened on, is the NAT's doing. */
		if (count < 2 || (count == 2 && !foreign))
			continue;
		struct finding *f = add(c, "node-external-address-churn", SEV_WARNING);

		SET(f->summary,
		    "The node keeps discovering new external ports for %s: peers learn ports "
		    "that go nowhere",
		    n->discovered[i].m.host);
		SET(f->evidence,
		    "%zu ports for %s in the log (%s%s): \"Discovered new external "
		    "address for our node\"",
		    count, n->discovered[i].m.host, ports,
		    n->n_discovered_dropped ? ", and more" : "");
		SET(f->remedy,
		    "The NAT gives every connection a new port (see the mapping findings). "
		    "Forward TCP %u to this host and start the node with --public-addr "
		    "/%s/%s/tcp/%u, so it advertises the one port that works.",
		    c->port, n->discovered[i].m.host_kind == MULTIADDR_HOST_IP6 ? "ip6" : "ip4",
		    n->discovered[i].m.host, c->port);
	}
}

static void finding_budget(struct ctx *c)
{
	const struct node_view *n = c->n;
	int64_t total, out = n->out_slots >= 0 ? n->out_slots : NODEARGS_DEFAULT_OUT_PEERS;
	struct finding *f;

	if (n->reserved_only) {
		f = add(c, "node-reserved-only", SEV_WARNING);
		SET(f->summary, "The node runs with --reserved-only: it talks to its reserved "
				"peers and nobody else");
		SET(f->evidence, "--reserved-only on the command line of pid %d",
		    n->n_procs ? n->procs[0].pid : 0);
		SET(f->remedy, "Remove --reserved-only unless this node must stay private.");
	}
	if (n->peers >= 0 && n->inbound == 0 && n->peers > 0 && n->peers <= out) {
		f = add(c, "node-no-inbound", SEV_WARNING);
		SET(f->summary, "The node has %lld peers, all of them outbound: nobody connects in",
		    (long long)n->peers);
		SET(f->evidence,
		    "%lld peers, 0 inbound connections, %lld outbound slots%s: the signature "
		    "of a node that strangers cannot reach",
		    (long long)n->peers, (long long)out, n->out_slots >= 0 ? "" : " (the default)");
		SET(f->remedy,
		    "Make TCP %u reachable from the internet (the findings above say what stands "
		    "in the way) and advertise it%s%s.",
		    c->port, c->flag[0] ? " with " : "", c->flag);
	}
	if (n->in_slots < 0 || n->out_slots < 0)
		return;
	total = n->in_slots + n->out_slots;
	if (total >= NODEFIND_TARGET_HIGH)
		return;
	f = add(c, "node-peer-budget", total < NODEFIND_TARGET_LOW ? SEV_WARNING : SEV_INFO);
	SET(f->summary,
	    "The node can have at most %lld peers (%lld out + %lld in), %s the "
	    "%d-%d a healthy node has",
	    (long long)total, (long long)n->out_slots, (long long)n->in_slots,
	    total < NODEFIND_TARGET_LOW ? "below" : "at the bottom of", NODEFIND_TARGET_LOW,
	    NODEFIND_TARGET_HIGH);
	SET(f->evidence, "--out-peers %lld, --in-peers %lld%s (pid %d)", (long long)n->out_slots,
	    (long long)n->in_slots,
	    n->procs[0].args.chain[0].in_peers < 0 && n->procs[0].args.chain[0].out_peers < 0
		? " (the defaults)"
		: "",
	    n->procs[0].pid);
	SET(f->remedy,
	    "Even a perfectly reachable node stops at %lld. Start it with --in-peers %lld "
	    "(inbound slots fill only when strangers can reach TCP %u).",
	    (long long)total, (long long)(NODEFIND_TARGET_HIGH - n->out_slots), c->port);
}

static void finding_same_public(struct ctx *c)
{
	const struct node_view *n = c->n;

	for (size_t i = 0; i < n->n_procs; i++) {
		for (size_t j = i + 1; j < n->n_procs; j++) {
			const struct node_process *a = &n->procs[i], *b = &n->procs[j];
			const struct nodeargs_chain *ca = &a->args.chain[0],
						    *cb = &b->args.chain[0];
			char what[200] = "";
			struct finding *f;

			if (!a->args_read || !b->args_read)
				continue;
			for (size_t x = 0; x < ca->n_public && !what[0]; x++)
				for (size_t y = 0; y < cb->n_public && !what[0]; y++)
					if (ca->public_addr[x].port == cb->public_addr[y].port &&
					    !strcmp(ca->public_addr[x].host,
						    cb->public_addr[y].host))
						fmt_ma(&ca->public_addr[x], what, sizeof(what));
			if (!what[0] && !ca->n_public && !cb->n_public && a->port == b->port &&
			    c->v->public4.family) {
				char ip[NETADDR_FMT_MAX];

				snprintf(what, sizeof(what), "/ip4/%s/tcp/%u",
					 netaddr_fmt_ip(&c->v->public4, ip), a->port);
			}
			if (!what[0])
				continue;
			f = add(c, "node-same-public-address", SEV_PROBLEM);
			SET(f->summary,
			    "Two nodes on this host would be reached at the same public address: "
			    "only one can get the port");
			SET(f->evidence, "pid %d (%s%s%s) and pid %d (%s%s%s) both: %s", a->pid,
			    a->args.prog, a->container[0] ? ", " : "", a->container, b->pid,
			    b->args.prog, b->container[0] ? ", " : "", b->container, what);
			SET(f->remedy,
			    "Give each node its own port (--port), forward each port to its node, "
			    "and advertise each with its own --public-addr.");
		}
	}
}

/* Where a node would be dialled from outside: its public advertised
 * addresses, or (none advertised) STUN's address with its port. */
static size_t would_advertise(const struct ctx *c, const struct node_addr *adv, size_t n,
			      unsigned port, struct multiaddr out[static 4])
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < 4; i++)
		if (adv[i].cls == NODE_ADDR_PUBLIC)
			out[k++] = adv[i].m;
	if (k == 0 && port && c->v->public4.family) {
		memset(&out[0], 0, sizeof(out[0]));
		out[0].host_kind = MULTIADDR_HOST_IP4;
		out[0].transport = MULTIADDR_TCP;
		out[0].port = (uint16_t)port;
		netaddr_fmt_ip(&c->v->public4, out[0].host);
		k = 1;
	}
	return k;
}

/* The node and another --rpc node that peers would reach at one address. */
static void finding_same_public_rpc(struct ctx *c)
{
	const struct node_view *n = c->n;
	struct multiaddr mine[4], theirs[4];
	size_t n_mine = would_advertise(c, n->advertised, n->n_advertised, c->port, mine);

	for (size_t k = 0; k < n->n_others; k++) {
		const struct node_other *o = &n->others[k];
		size_t n_theirs;
		char what[MULTIADDR_TEXT_MAX] = "";
		struct finding *f;

		/* Two URLs of one node are not two nodes. */
		if (!o->ok || (o->peer_id[0] && !strcmp(o->peer_id, n->peer_id)))
			continue;
		n_theirs =
		    would_advertise(c, o->advertised, o->n_advertised, o->listen_port, theirs);
		for (size_t i = 0; i < n_mine && !what[0]; i++)
			for (size_t j = 0; j < n_theirs && !what[0]; j++)
				if (mine[i].port == theirs[j].port &&
				    !strcmp(mine[i].host, theirs[j].host))
					fmt_ma(&mine[i], what, sizeof(what));
		if (!what[0])
			continue;
		f = add(c, "node-same-public-address", SEV_PROBLEM);
		SET(f->summary,
		    "Two nodes would be reached at the same public address: only one can "
		    "get the port");
		SET(f->evidence, "the node at %s and the one at %s both: %s", n->rpc.url, o->url,
		    what);
		SET(f->remedy,
		    "Give each node its own port (--port), forward each port to its node, and "
		    "advertise each with its own --public-addr.");
	}
}

static void finding_ipv6(struct ctx *c)
{
	const struct node_view *n = c->n;
	const struct local_view *lv = &c->res->local;
	const struct local_ifaddr *g = NULL;
	bool listens6 = false;
	char ip[NETADDR_FMT_MAX];
	struct finding *f;

	if (!c->v->cgnat)
		return;
	for (size_t i = 0; i < lv->n_addrs && !g; i++)
		if (lv->addrs[i].addr.family == AF_INET6 && lv->addrs[i].cls == NETADDR_PUBLIC)
			g = &lv->addrs[i];
	for (size_t i = 0; i < n->n_listen; i++)
		listens6 |= n->listen[i].m.host_kind == MULTIADDR_HOST_IP6 &&
			    n->listen[i].cls != NODE_ADDR_LOOPBACK;
	for (size_t i = 0; i < lv->n_listeners; i++)
		for (size_t k = 0; k < lv->listeners[i].n_addrs; k++)
			listens6 |=
			    lv->listeners[i].addrs[k].family == AF_INET6 &&
			    netaddr_classify(&lv->listeners[i].addrs[k]) != NETADDR_LOOPBACK;
	for (size_t i = 0; i < n->n_advertised; i++)
		if (n->advertised[i].m.host_kind == MULTIADDR_HOST_IP6 &&
		    n->advertised[i].cls == NODE_ADDR_PUBLIC)
			return; /* already advertised */
	if (!g || !listens6)
		return;
	netaddr_fmt_ip(&g->addr, ip);
	f = add(c, "node-ipv6-way-out", SEV_INFO);
	SET(f->summary, "IPv6 gets around the provider's NAT: advertise the node's global IPv6 "
			"address");
	SET(f->evidence,
	    "IPv4 is behind carrier-grade NAT; %s has the global address %s and "
	    "the node listens on IPv6",
	    g->ifname, ip);
	SET(f->remedy,
	    "Start the node with --public-addr /ip6/%s/tcp/%u and allow inbound TCP %u to %s in "
	    "the host's and the router's IPv6 firewall. IPv6 peers can then connect in, with no "
	    "provider involved.",
	    ip, c->port, c->port, ip);
}

void nodefind_compute(const struct check_config *cfg, const struct check_result *res,
		      struct verdict *v)
{
	struct ctx c = { .cfg = cfg, .res = res, .n = &res->node, .v = v };

	if (!res->node.gathered)
		return;
	c.port = node_port(&c);
	if (v->public4.family) {
		char ip[NETADDR_FMT_MAX];

		SET(c.flag, "--public-addr /ip4/%s/tcp/%u", netaddr_fmt_ip(&v->public4, ip),
		    c.port);
	}
	finding_unreadable(&c);
	finding_advertised(&c);
	finding_churn(&c);
	finding_budget(&c);
	finding_same_public(&c);
	finding_same_public_rpc(&c);
	finding_ipv6(&c);
}

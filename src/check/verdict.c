/* SPDX-License-Identifier: MIT */
/*
 * How the verdict reasons (docs/REPORT.md has the operator's version):
 *
 * NAT layers on IPv4. The host's own source address toward the STUN server
 * is compared with what STUN servers see (the public mapping):
 *   - same, and public: 0 layers, the host holds the public address;
 *   - different: at least one NAT, the default gateway's. Every further
 *     realm of non-public addresses beyond the host's own adds a layer:
 *       the gateway's WAN address, as PCP, NAT-PMP or UPnP report it, if it
 *       is private or shared (RFC 1918, RFC 6598) or differs from the public
 *       mapping: someone else translates again;
 *       otherwise, path hops (TTL >= 2) in private or shared space before
 *       the first public hop, one layer per distinct realm. A gateway that
 *       reports a public WAN address equal to the mapping overrides the
 *       path: private hops behind it are the provider's routers, not NAT.
 * CGNAT means evidence of 100.64.0.0/10: on the host, as the gateway's WAN
 * address, or on a hop. RFC 1918 space beyond the home router is reported
 * as double NAT, which may be the provider's modem or its CGNAT.
 *
 * Remedies follow the project's order of preference: get the provider to
 * drop the NAT or filter, then port forwarding or a DMZ host, then (last
 * and least safe) automatic mapping: PCP, NAT-PMP, and only then UPnP.
 */
#include "check/verdict.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util/exit.h"
#include "util/text.h"

struct ctx {
	const struct check_config *cfg;
	const struct check_result *res;
	struct verdict *v;
	/* Facts derived once, used by several findings. */
	struct netaddr host4;	/* our source address toward the internet */
	struct netaddr gw_ext;	/* the gateway's WAN address, family 0 if unknown */
	const char *gw_ext_src; /* which protocol told it */
	char ports[96];		/* "TCP 30333 and TCP 30334" */
	char fmt_gw[NETADDR_FMT_MAX], fmt_host[NETADDR_FMT_MAX], fmt_pub[NETADDR_FMT_MAX];
	struct finding scratch; /* written instead when the list is full */
};

static struct finding *add(struct ctx *c, const char *id, enum severity s)
{
	struct finding *f = &c->scratch; /* a full list drops findings */

	if (c->v->n_findings < VERDICT_MAX_FINDINGS)
		f = &c->v->findings[c->v->n_findings++];
	memset(f, 0, sizeof(*f));
	text_copy(f->id, sizeof(f->id), id);
	f->severity = s;
	return f;
}

#define SET(field, ...) snprintf(field, sizeof(field), __VA_ARGS__)

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_UDP ? "UDP" : "TCP";
}

static const char *proto_lower(uint8_t p)
{
	return p == IPPROTO_UDP ? "udp" : "tcp";
}

static void describe_ports(struct ctx *c)
{
	size_t len = 0;

	c->ports[0] = '\0';
	for (size_t i = 0; i < c->cfg->n_ports; i++)
		text_appendf(c->ports, sizeof(c->ports), &len, "%s%s %u",
			     i == 0			? ""
			     : i + 1 == c->cfg->n_ports ? " and "
							: ", ",
			     proto_name(c->cfg->ports[i].proto), c->cfg->ports[i].port);
}

/* The node flag that advertises addr with the node's port(s). */
static void advertise_hint(struct ctx *c, const struct netaddr *addr, char *out, size_t size)
{
	char ip[NETADDR_FMT_MAX];
	size_t len = 0;
	const char *kind = c->cfg->node_kind[0] ? c->cfg->node_kind : "substrate";

	netaddr_fmt_ip(addr, ip);
	if (!strcmp(kind, "bitcoin")) {
		text_appendf(out, size, &len, "start bitcoind with -externalip=%s", ip);
	} else if (!strcmp(kind, "ethereum")) {
		text_appendf(out, size, &len, "start geth with --nat extip:%s", ip);
	} else if (!strcmp(kind, "ipfs")) {
		text_appendf(out, size, &len,
			     "announce it: ipfs config --json Addresses.AppendAnnounce "
			     "'[\"/%s/%s/tcp/%u\"]'",
			     addr->family == AF_INET6 ? "ip6" : "ip4", ip, c->cfg->ports[0].port);
	} else {
		text_appendf(out, size, &len, "advertise it:");
		for (size_t i = 0; i < c->cfg->n_ports; i++)
			text_appendf(out, size, &len, "%s --public-addr /%s/%s/%s/%u", i ? ";" : "",
				     addr->family == AF_INET6 ? "ip6" : "ip4", ip,
				     proto_lower(c->cfg->ports[i].proto), c->cfg->ports[i].port);
		if (c->cfg->n_ports > 1)
			text_appendf(out, size, &len,
				     " (one per chain: on Phala, the relay chain's flags go after "
				     "the `--`)");
	}
}

/* Where the port-forwarding rule must point. */
static void forward_rule(struct ctx *c, char *out, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < c->cfg->n_ports; i++)
		text_appendf(out, size, &len, "%s%s %u -> %s:%u", i ? ", " : "",
			     proto_name(c->cfg->ports[i].proto), c->cfg->ports[i].port, c->fmt_host,
			     c->cfg->ports[i].port);
}

/* --- derived facts -------------------------------------------------------- */

static bool usable_public(const struct netaddr *a)
{
	return a->family && netaddr_classify(a) == NETADDR_PUBLIC;
}

static void find_gateway_external(struct ctx *c)
{
	const struct gateway_view *g = &c->res->gateway;

	/* PCP and NAT-PMP read the router's own state; UPnP likewise. A
	 * gateway that answers 0.0.0.0 (not connected) tells nothing. */
	if (g->pcp.available && g->pcp.external.family &&
	    netaddr_classify(&g->pcp.external) > NETADDR_UNSPECIFIED) {
		c->gw_ext = g->pcp.external;
		c->gw_ext_src = "PCP";
	} else if (g->natpmp.available && g->natpmp.external.family &&
		   netaddr_classify(&g->natpmp.external) > NETADDR_UNSPECIFIED) {
		c->gw_ext = g->natpmp.external;
		c->gw_ext_src = "NAT-PMP";
	} else if (g->upnp.available && g->upnp.external.family &&
		   netaddr_classify(&g->upnp.external) > NETADDR_UNSPECIFIED) {
		c->gw_ext = g->upnp.external;
		c->gw_ext_src = "UPnP IGD";
	}
}

/* Realms: a coarse key for "the same private network" beyond the host's
 * own LAN. Hops in one /16 of private space, or anywhere in 100.64/10,
 * count as one realm (a provider's routers share a range). */
static uint32_t realm_key(const struct netaddr *a)
{
	enum netaddr_class cl = netaddr_classify(a);

	if (cl == NETADDR_CGNAT)
		return 0x64400000u;
	return (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16;
}

/* Is a within the host's own subnet (its address and prefix length from
 * the local view; /24 if the local view does not list it)? */
static bool in_host_lan(const struct ctx *c, const struct netaddr *a)
{
	unsigned plen = 24;
	uint32_t x, y, mask;

	if (a->family != AF_INET || c->host4.family != AF_INET)
		return false;
	for (size_t i = 0; i < c->res->local.n_addrs; i++)
		if (netaddr_eq(&c->res->local.addrs[i].addr, &c->host4, true))
			plen = c->res->local.addrs[i].prefixlen;
	if (plen > 32)
		plen = 32;
	mask = plen ? 0xffffffffu << (32 - plen) : 0;
	x = (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 |
	    a->ip[3];
	y = (uint32_t)c->host4.ip[0] << 24 | (uint32_t)c->host4.ip[1] << 16 |
	    (uint32_t)c->host4.ip[2] << 8 | c->host4.ip[3];
	return (x & mask) == (y & mask);
}

static bool nonpublic_realm(enum netaddr_class cl)
{
	return cl == NETADDR_PRIVATE || cl == NETADDR_CGNAT || cl == NETADDR_RESERVED;
}

struct layer_count {
	int layers;
	bool cgnat;
	char basis[400];
};

static void count_layers(struct ctx *c, struct layer_count *lc)
{
	const struct check_result *res = c->res;
	const struct netaddr *pub = &res->pub.v4.mapped;
	enum netaddr_class hcl = netaddr_classify(&c->host4);
	uint32_t realms[CHECK_MAX_HOPS + 1];
	size_t n_realms = 0, len = 0;

	lc->layers = -1;
	lc->cgnat = hcl == NETADDR_CGNAT;
	if (!c->host4.family)
		return;
	if (hcl == NETADDR_PUBLIC) {
		if (pub->family && !netaddr_eq(pub, &c->host4, true)) {
			lc->layers = 1;
			SET(lc->basis,
			    "this host has the public address %s, but STUN servers see %s: "
			    "something translates it",
			    c->fmt_host, c->fmt_pub);
		} else {
			lc->layers = 0;
			SET(lc->basis, "this host's address %s is public%s", c->fmt_host,
			    pub->family ? " and STUN servers see the same" : "");
		}
		return;
	}
	/* The host is in private (or shared) space: the gateway translates. */
	lc->layers = 1;
	text_appendf(lc->basis, sizeof(lc->basis), &len, "this host's address %s is %s",
		     c->fmt_host, netaddr_class_name(hcl));

	if (c->gw_ext.family) {
		enum netaddr_class gcl = netaddr_classify(&c->gw_ext);

		text_appendf(lc->basis, sizeof(lc->basis), &len,
			     "; the router says (%s) its WAN is %s", c->gw_ext_src, c->fmt_gw);
		if (nonpublic_realm(gcl)) {
			lc->layers++;
			lc->cgnat |= gcl == NETADDR_CGNAT;
			realms[n_realms++] = realm_key(&c->gw_ext);
			text_appendf(lc->basis, sizeof(lc->basis), &len, " (%s)",
				     netaddr_class_name(gcl));
		} else if (pub->family && !netaddr_eq(pub, &c->gw_ext, true)) {
			lc->layers++;
			text_appendf(lc->basis, sizeof(lc->basis), &len,
				     ", but STUN servers see %s", c->fmt_pub);
			return;
		} else {
			return; /* public WAN = public mapping: private hops beyond are not NAT */
		}
	}
	/* The path: non-public hops beyond the first, before the first public. */
	for (size_t i = 1; i < res->path.n_hops; i++) {
		const struct path_hop *h = &res->path.hops[i];
		bool seen = false;
		uint32_t k;

		if (!h->answered)
			continue;
		if (h->cls == NETADDR_PUBLIC)
			break;
		if (!nonpublic_realm(h->cls) || in_host_lan(c, &h->addr))
			continue;
		k = realm_key(&h->addr);
		for (size_t j = 0; j < n_realms; j++)
			seen |= realms[j] == k;
		lc->cgnat |= h->cls == NETADDR_CGNAT;
		if (seen)
			continue;
		realms[n_realms++] = k;
		lc->layers++;
		char hop[NETADDR_FMT_MAX];
		text_appendf(lc->basis, sizeof(lc->basis), &len, "; hop %u is %s (%s)", h->ttl,
			     netaddr_fmt_ip(&h->addr, hop), netaddr_class_name(h->cls));
	}
}

/* --- findings ------------------------------------------------------------- */

static void finding_listeners(struct ctx *c)
{
	for (size_t i = 0; i < c->res->local.n_listeners; i++) {
		const struct local_listener *l = &c->res->local.listeners[i];
		struct finding *f;

		if (l->listening == TRI_NO) {
			f = add(c, "node-not-listening", SEV_WARNING);
			SET(f->summary, "Nothing listens on %s %u on this host",
			    proto_name(l->port.proto), l->port.port);
			SET(f->evidence, "no %s socket on port %u in /proc/net",
			    l->port.proto == IPPROTO_UDP ? "bound UDP" : "listening TCP",
			    l->port.port);
			SET(f->remedy,
			    "Start the node, or check that its P2P port is %u (Substrate: "
			    "--port %u). If the node runs in a container, publish the port "
			    "(docker run -p %u:%u) or use --network host. If this is the wrong "
			    "port, run natdoctor check --port PORT.",
			    l->port.port, l->port.port, l->port.port, l->port.port);
		} else if (l->listening == TRI_YES && l->loopback_only) {
			f = add(c, "node-listens-on-loopback", SEV_PROBLEM);
			SET(f->summary, "The node listens on %s %u only on the loopback address",
			    proto_name(l->port.proto), l->port.port);
			SET(f->evidence,
			    "bound to loopback only; nobody outside this host can connect");
			SET(f->remedy,
			    "Make the node listen on all addresses, e.g. Substrate: "
			    "--listen-addr /ip4/0.0.0.0/tcp/%u (and /ip6/::/tcp/%u for IPv6).",
			    l->port.port, l->port.port);
		}
	}
}

static void finding_stun(struct ctx *c)
{
	const struct public_family *p4 = &c->res->pub.v4;
	size_t resolved = 0, len = 0;
	struct finding *f;

	for (size_t i = 0; i < p4->n_servers; i++)
		resolved += p4->servers[i].server.family != 0;
	if (!c->res->local.route4.present || p4->n_answered > 0)
		return;
	if (p4->n_servers > 0 && resolved == 0) {
		f = add(c, "stun-unresolved", SEV_PROBLEM);
		SET(f->summary, "No STUN server name could be resolved: DNS does not work here");
		for (size_t i = 0; i < p4->n_servers; i++)
			text_appendf(f->evidence, sizeof(f->evidence), &len, "%s%s: %s",
				     i ? "; " : "", p4->servers[i].name, p4->servers[i].error);
		SET(f->remedy,
		    "Check /etc/resolv.conf and that DNS (UDP/TCP 53) gets out, or name STUN "
		    "servers by address: natdoctor check --stun 192.0.2.1:3478 (use a real one).");
		return;
	}
	f = add(c, "stun-no-answer", SEV_PROBLEM);
	SET(f->summary, "No STUN server answered over IPv4: UDP to the internet is blocked or "
			"there is no internet");
	for (size_t i = 0; i < p4->n_servers && len + 1 < sizeof(f->evidence); i++) {
		char a[NETADDR_FMT_MAX];
		const struct stun_server_result *s = &p4->servers[i];

		text_appendf(f->evidence, sizeof(f->evidence), &len, "%s%s (%s): %s", i ? "; " : "",
			     s->name, netaddr_fmt(&s->server, a),
			     s->error[0] ? s->error : "no answer");
	}
	SET(f->remedy,
	    "If other traffic works, a firewall or the provider drops UDP: P2P nodes need UDP "
	    "and TCP out. Check the host firewall (nft list ruleset), the router, then ask the "
	    "provider whether they filter UDP. Try another server with --stun HOST:PORT.");
}

static void finding_nat(struct ctx *c, const struct layer_count *lc)
{
	const struct check_result *res = c->res;
	const struct gateway_view *g = &res->gateway;
	char fwd[300] = "", adv[400] = "", gwlan[NETADDR_FMT_MAX];
	bool pub_known = res->pub.v4.mapped.family != 0;
	struct finding *f;

	netaddr_fmt_ip(&res->local.route4.gateway, gwlan);
	if (!res->local.route4.gateway.family)
		SET(gwlan, "your router");
	forward_rule(c, fwd, sizeof(fwd));
	if (pub_known)
		advertise_hint(c, &res->pub.v4.mapped, adv, sizeof(adv));

	if (lc->layers == 0) {
		f = add(c, "public-address", SEV_INFO);
		SET(f->summary, "No NAT: this host has the public IPv4 address %s", c->fmt_host);
		SET(f->evidence, "%s", lc->basis);
		SET(f->remedy,
		    "Peers can reach %s directly unless a firewall drops it: allow inbound %s in "
		    "the host firewall and any provider or cloud security group.%s%s",
		    c->fmt_host, c->ports, pub_known ? " Then " : "", adv);
		return;
	}
	if (lc->layers < 0)
		return;
	if (lc->cgnat) {
		f = add(c, "cgnat", SEV_PROBLEM);
		SET(f->summary,
		    "Your provider's carrier-grade NAT (100.64.0.0/10) stands between the node and "
		    "its peers: port forwarding on your router cannot help");
		SET(f->evidence, "%d layers of NAT: %s", lc->layers, lc->basis);
		SET(f->remedy,
		    "Ask your provider for a public IPv4 address (many give one on request, some "
		    "for a fee). Tell them: \"my line is behind carrier-grade NAT (my router's WAN "
		    "address is %s); I run a server and need inbound %s; please give me a public "
		    "IPv4 address or take me off CGNAT.\" Meanwhile use IPv6 if you have it, or "
		    "host the node where it gets a public address.",
		    c->gw_ext.family ? c->fmt_gw : "in 100.64.0.0/10", c->ports);
	} else if (lc->layers >= 2) {
		f = add(c, "double-nat", SEV_PROBLEM);
		SET(f->summary, "%d layers of NAT: a port forward on your router alone cannot help",
		    lc->layers);
		SET(f->evidence, "%s", lc->basis);
		SET(f->remedy,
		    "Another router translates in front of yours (often the provider's modem). "
		    "Best: put that box in bridge mode, or ask the provider to, so your router "
		    "gets "
		    "the public address. Else forward %s on BOTH: on the outer box to your "
		    "router's WAN address%s%s, and on your router (%s) %s. Or make your router the "
		    "outer box's DMZ host. If the outer NAT is the provider's, ask them for a "
		    "public IPv4 address.",
		    c->ports, c->gw_ext.family ? " " : "", c->gw_ext.family ? c->fmt_gw : "", gwlan,
		    fwd);
	} else {
		bool inbound_ok = c->v->filtering == FILTERING_ENDPOINT_INDEPENDENT;

		f = add(c, "behind-nat", inbound_ok ? SEV_INFO : SEV_WARNING);
		SET(f->summary,
		    inbound_ok
			? "Behind one NAT that lets strangers in (a DMZ host or full-cone NAT)"
			: "Behind one NAT (your router): peers reach the node only through a "
			  "port forward");
		SET(f->evidence, "%s%s", lc->basis,
		    inbound_ok ? "; an RFC 5780 test got an answer from an address we never "
				 "contacted, so inbound traffic is let through"
			       : "");
		if (inbound_ok) {
			SET(f->remedy, "Nothing is required for inbound traffic%s%s.",
			    pub_known ? "; " : "", adv);
		} else {
			size_t len = strlen(f->remedy);

			text_appendf(f->remedy, sizeof(f->remedy), &len,
				     "On your router (%s), forward %s (destination NAT / port "
				     "forwarding), or make this host the DMZ host.",
				     gwlan, fwd);
			if (g->pcp.available || g->natpmp.available || g->upnp.available)
				text_appendf(f->remedy, sizeof(f->remedy), &len,
					     " The router also offers automatic mapping (%s%s%s); "
					     "prefer PCP or NAT-PMP, and UPnP only last.",
					     g->pcp.available ? "PCP " : "",
					     g->natpmp.available ? "NAT-PMP " : "",
					     g->upnp.available ? "UPnP" : "");
			if (pub_known)
				text_appendf(f->remedy, sizeof(f->remedy), &len, " Then %s.", adv);
			text_appendf(f->remedy, sizeof(f->remedy), &len,
				     " natdoctor cannot see manual port forwards from inside.");
		}
	}
	if (c->v->mapping_varies == TRI_YES) {
		f = add(c, "symmetric-nat", SEV_WARNING);
		SET(f->summary, "The NAT maps each destination to a different public port "
				"(\"symmetric\"): hole punching fails");
		SET(f->evidence, "from one socket, STUN servers saw different public ports or "
				 "addresses");
		SET(f->remedy, "Peers can only reach the node through a port forward or a DMZ "
			       "host; only these fix it.");
	}
}

static void finding_gateway(struct ctx *c)
{
	const struct gateway_view *g = &c->res->gateway;
	struct finding *f;

	if (g->pcp.available || g->natpmp.available || g->upnp.available) {
		size_t len = 0;

		f = add(c, "gateway-mapping-available", SEV_INFO);
		SET(f->summary, "The router offers automatic port mapping:%s%s%s",
		    g->pcp.available ? " PCP" : "", g->natpmp.available ? " NAT-PMP" : "",
		    g->upnp.available ? " UPnP-IGD" : "");
		if (g->pcp.available)
			text_appendf(f->evidence, sizeof(f->evidence), &len,
				     "PCP answered (epoch %u s); ", g->pcp.epoch);
		if (g->natpmp.available)
			text_appendf(f->evidence, sizeof(f->evidence), &len,
				     "NAT-PMP answered (epoch %u s); ", g->natpmp.epoch);
		if (g->upnp.available)
			text_appendf(f->evidence, sizeof(f->evidence), &len,
				     "UPnP IGDv%d at %s, %s", g->upnp.igd_version, g->upnp.location,
				     g->upnp.connection_status);
		if (c->v->layers >= 2 || c->v->cgnat) {
			/* RFC 6887 §1: a mapping on the home router opens
			 * only the inner NAT; the provider's stays closed. */
			size_t sl = strlen(f->summary);

			text_appendf(f->summary, sizeof(f->summary), &sl,
				     ", but a mapping there stops at the provider's NAT");
			SET(f->remedy, "Do not rely on it: ask the provider first (see above). "
				       "Once the router's WAN address is public, a manual port "
				       "forward is the safer choice.");
		} else {
			SET(f->remedy, "A mapping made by the node's host is the last resort: "
				       "it works, but any program on your network can open "
				       "ports the same way. Prefer a manual port forward.");
		}
	}
	for (size_t i = 0; i < g->upnp.n_mappings; i++) {
		const struct upnp_port_mapping *m = &g->upnp.mappings[i];
		char in[NETADDR_FMT_MAX];

		if (!m->exists)
			continue;
		netaddr_fmt(&m->internal, in);
		if (c->host4.family && netaddr_eq(&m->internal, &c->host4, true)) {
			f = add(c, "upnp-mapping-present", SEV_INFO);
			SET(f->summary, "The router already maps %s %u to this host",
			    proto_name(m->port.proto), m->port.port);
			SET(f->evidence, "UPnP: %s %u -> %s \"%s\"", proto_name(m->port.proto),
			    m->port.port, in, m->description);
			SET(f->remedy, "Nothing to do for this port.");
		} else {
			f = add(c, "upnp-mapping-elsewhere", SEV_PROBLEM);
			SET(f->summary, "The router maps %s %u to another host (%s)",
			    proto_name(m->port.proto), m->port.port, in);
			SET(f->evidence, "UPnP: %s %u -> %s \"%s\"; this host is %s",
			    proto_name(m->port.proto), m->port.port, in, m->description,
			    c->fmt_host);
			SET(f->remedy,
			    "Inbound peers go to %s, not to this node. Remove that mapping on the "
			    "router (or stop the program on %s that made it), or give this node "
			    "another port.",
			    in, in);
		}
	}
	unsigned bad = g->pcp.bad_packets + g->natpmp.bad_packets + g->upnp.bad_answers;
	if (bad) {
		f = add(c, "gateway-bad-answers", SEV_WARNING);
		SET(f->summary,
		    "The gateway sent %u malformed or inconsistent answers; they were "
		    "ignored",
		    bad);
		SET(f->evidence, "PCP %u, NAT-PMP %u, UPnP %u", g->pcp.bad_packets,
		    g->natpmp.bad_packets, g->upnp.bad_answers);
		SET(f->remedy, "A router firmware bug or something pretending to be the router. "
			       "Update the router's firmware; do not trust its mapping protocols.");
	}
}

static void finding_public(struct ctx *c)
{
	const struct public_family *p4 = &c->res->pub.v4, *p6 = &c->res->pub.v6;
	unsigned bad = 0;
	struct finding *f;

	for (size_t i = 0; i < p4->n_servers; i++)
		bad += p4->servers[i].bad_packets;
	for (size_t i = 0; i < p6->n_servers; i++)
		bad += p6->servers[i].bad_packets;
	if (p4->servers_disagree_on_ip == TRI_YES) {
		f = add(c, "stun-servers-disagree", SEV_WARNING);
		SET(f->summary, "STUN servers see different public IPv4 addresses");
		size_t len = 0;
		for (size_t i = 0; i < p4->n_servers; i++) {
			char a[NETADDR_FMT_MAX];

			if (p4->servers[i].answered)
				text_appendf(f->evidence, sizeof(f->evidence), &len, "%s%s sees %s",
					     len ? "; " : "", p4->servers[i].name,
					     netaddr_fmt(&p4->servers[i].mapped, a));
		}
		SET(f->remedy, "The provider's NAT uses a pool of addresses (typical of "
			       "carrier-grade NAT), or a server lies. Inbound peers cannot "
			       "rely on one address: ask the provider for a public IPv4 address.");
	}
	for (size_t i = 0; i < p4->n_servers + p6->n_servers; i++) {
		const struct stun_server_result *s =
		    i < p4->n_servers ? &p4->servers[i] : &p6->servers[i - p4->n_servers];

		if (!s->rfc5780_problem[0])
			continue;
		f = add(c, "stun-rfc5780-unsupported", SEV_WARNING);
		SET(f->summary,
		    "STUN server %.100s does not support RFC 5780 properly: how the NAT filters "
		    "strangers is unknown",
		    s->name);
		SET(f->evidence, "%s", s->rfc5780_problem);
		SET(f->remedy,
		    "Use a STUN server that answers CHANGE-REQUEST from its other address and "
		    "port (coturn with two IPs does): --stun HOST:PORT.");
		break; /* one is enough: the filtering test uses one server */
	}
	if (bad) {
		f = add(c, "stun-bad-answers", SEV_WARNING);
		SET(f->summary, "%u malformed or inconsistent STUN answers were ignored", bad);
		SET(f->evidence, "answers with bad lengths, wrong transaction ids, or addresses "
				 "that cannot be public");
		SET(f->remedy, "Use other STUN servers (--stun); if it persists, something on the "
			       "path rewrites or forges UDP.");
	}
	if (p6->mapped.family && netaddr_classify(&p6->mapped) == NETADDR_PUBLIC) {
		char a[NETADDR_FMT_MAX], adv[400] = "";
		bool nat66 = p6->local.family && !netaddr_eq(&p6->local, &p6->mapped, true);

		netaddr_fmt_ip(&p6->mapped, a);
		advertise_hint(c, &p6->mapped, adv, sizeof(adv));
		f = add(c, "ipv6-public", SEV_INFO);
		SET(f->summary, "IPv6 reaches the internet%s: public address %s",
		    nat66 ? " through NAT66" : " without NAT", a);
		SET(f->evidence, "STUN over IPv6 sees %s", a);
		SET(f->remedy,
		    "IPv6 peers can reach the node if the firewalls allow inbound %s to %s "
		    "(home routers often block inbound IPv6 by default: open it for this host). "
		    "Make the node listen on IPv6 and %s.",
		    c->ports, a, adv);
	}
}

void verdict_compute(const struct check_config *cfg, const struct check_result *res,
		     struct verdict *v)
{
	struct ctx c = { .cfg = cfg, .res = res, .v = v };
	struct layer_count lc = { 0 };
	struct finding *f;

	memset(v, 0, sizeof(*v));
	v->layers = -1;
	v->mapping_varies = res->pub.v4.mapping_varies;
	v->filtering = res->pub.v4.filtering;
	v->public4 = res->pub.v4.mapped;
	v->public4.port = 0;
	v->public6 = res->pub.v6.mapped;
	v->public6.port = 0;
	describe_ports(&c);

	if (!res->local.route4.present && !res->local.route6.present) {
		v->no_network = true;
		f = add(&c, "no-network", SEV_PROBLEM);
		SET(f->summary, "This host has no default route: no network to test");
		SET(f->evidence, "no IPv4 or IPv6 default route in the main routing table%s%s",
		    res->local.error[0] ? "; " : "", res->local.error);
		SET(f->remedy,
		    "Connect the host to the network (cable, Wi-Fi, DHCP) and run "
		    "natdoctor check again. Inside a container, run it with --network host.");
		finding_listeners(&c);
		return;
	}

	c.host4 = res->pub.v4.local.family ? res->pub.v4.local : res->local.route4.source;
	c.host4.port = 0;
	find_gateway_external(&c);
	netaddr_fmt_ip(&c.host4, c.fmt_host);
	netaddr_fmt_ip(&c.gw_ext, c.fmt_gw);
	netaddr_fmt_ip(&res->pub.v4.mapped, c.fmt_pub);
	if (res->local.route4.present)
		count_layers(&c, &lc);
	v->layers = lc.layers;
	v->cgnat = lc.cgnat;
	if (!usable_public(&v->public4))
		memset(&v->public4, 0, sizeof(v->public4));
	if (!usable_public(&v->public6))
		memset(&v->public6, 0, sizeof(v->public6));

	finding_listeners(&c);
	finding_stun(&c);
	finding_nat(&c, &lc);
	finding_gateway(&c);
	finding_public(&c);
}

int verdict_exit_status(const struct verdict *v)
{
	if (v->no_network)
		return ND_EXIT_NOTEST;
	for (size_t i = 0; i < v->n_findings; i++)
		if (v->findings[i].severity >= SEV_WARNING)
			return ND_EXIT_PROBLEM;
	return ND_EXIT_OK;
}

const char *verdict_severity_name(enum severity s)
{
	return s == SEV_PROBLEM ? "problem" : s == SEV_WARNING ? "warning" : "info";
}

const char *verdict_filtering_name(enum nat_filtering f)
{
	switch (f) {
	case FILTERING_ENDPOINT_INDEPENDENT:
		return "endpoint-independent";
	case FILTERING_ADDRESS_DEPENDENT:
		return "address-dependent";
	case FILTERING_ADDRESS_AND_PORT_DEPENDENT:
		return "address-and-port-dependent";
	case FILTERING_UNKNOWN:
		break;
	}
	return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * The verdict: findings from the views, each with its evidence and remedy.
 * The IPv4 evidence (layers, CGNAT, how sure, who disagrees) is weighed in
 * weigh.c; this file turns it and the rest (listeners, STUN, the router's
 * protocols, IPv6) into findings. docs/REPORT.md has the operator's version.
 *
 * Nothing is reassured that was not measured: UDP filtering measured by
 * STUN speaks for UDP only; whether a stranger's TCP connection reaches the
 * node is known only from an outside dial-back (res->reach). Each family is
 * judged only when it was asked for (-4/-6) and has a default route.
 *
 * Remedies follow the project's order of preference: get the provider to
 * drop the NAT or filter, then port forwarding or a DMZ host, then (last
 * and least safe) automatic mapping: PCP, NAT-PMP, and only then UPnP.
 */
#include "check/verdict.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "check/nodefind.h"
#include "check/weigh.h"
#include "util/exit.h"
#include "util/text.h"

struct ctx {
	const struct check_config *cfg;
	const struct check_result *res;
	struct verdict *v;
	/* Facts derived once, used by several findings. */
	struct weighed w;     /* the IPv4 evidence weighed */
	struct netaddr host4; /* our source address toward the internet */
	char ports[96];	      /* "TCP 30333 and TCP 30334" */
	char tcp_ports[96];   /* the TCP ones only, "" if none */
	char fmt_wan[NETADDR_FMT_MAX], fmt_host[NETADDR_FMT_MAX], fmt_pub[NETADDR_FMT_MAX];
	char fmt_gwlan[NETADDR_FMT_MAX]; /* the default gateway, or "your router" */
	struct finding scratch;		 /* written instead when the list is full */
};

struct finding *verdict_add(struct verdict *v, const char *id, enum severity s)
{
	struct finding *f;

	if (v->n_findings == VERDICT_MAX_FINDINGS)
		return NULL;
	f = &v->findings[v->n_findings++];
	memset(f, 0, sizeof(*f));
	text_copy(f->id, sizeof(f->id), id);
	f->severity = s;
	return f;
}

struct finding *verdict_add_or(struct verdict *v, const char *id, enum severity s,
			       struct finding *scratch)
{
	struct finding *f = verdict_add(v, id, s);

	if (f)
		return f;
	/* a full list drops findings */
	memset(scratch, 0, sizeof(*scratch));
	text_copy(scratch->id, sizeof(scratch->id), id);
	scratch->severity = s;
	return scratch;
}

static struct finding *add(struct ctx *c, const char *id, enum severity s)
{
	return verdict_add_or(c->v, id, s, &c->scratch);
}

/* Texts are bounded and may be cut short by design (util/text.h). */
#define SET(field, ...) TEXT_SET(field, __VA_ARGS__)

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
	size_t len = 0, tlen = 0;

	c->ports[0] = c->tcp_ports[0] = '\0';
	for (size_t i = 0; i < c->cfg->n_ports; i++) {
		text_appendf(c->ports, sizeof(c->ports), &len, "%s%s %u",
			     i == 0			? ""
			     : i + 1 == c->cfg->n_ports ? " and "
							: ", ",
			     proto_name(c->cfg->ports[i].proto), c->cfg->ports[i].port);
		if (c->cfg->ports[i].proto != IPPROTO_UDP)
			text_appendf(c->tcp_ports, sizeof(c->tcp_ports), &tlen, "%sTCP %u",
				     tlen ? ", " : "", c->cfg->ports[i].port);
	}
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

static bool usable_public(const struct netaddr *a)
{
	return a->family && netaddr_classify(a) == NETADDR_PUBLIC;
}

static bool filtered(enum nat_filtering f)
{
	return f == FILTERING_ADDRESS_DEPENDENT || f == FILTERING_ADDRESS_AND_PORT_DEPENDENT;
}

/* Did an outside dial-back reach every TCP node port? */
static bool tcp_reached(const struct ctx *c)
{
	const struct reach_view *r = &c->res->reach;

	if (!r->measured)
		return false;
	for (size_t i = 0; i < c->cfg->n_ports && i < CHECK_MAX_PORTS; i++)
		if (c->cfg->ports[i].proto != IPPROTO_UDP && r->reached[i] != TRI_YES)
			return false;
	return true;
}

/* The first TCP node port, for example commands; 0 if none. */
static unsigned first_tcp_port(const struct ctx *c)
{
	for (size_t i = 0; i < c->cfg->n_ports; i++)
		if (c->cfg->ports[i].proto != IPPROTO_UDP)
			return c->cfg->ports[i].port;
	return 0;
}

/* "How to find out": an outside connection test of the first TCP port. */
static void outside_test(struct ctx *c, const char *ip, char *out, size_t size, size_t *len)
{
	unsigned port = first_tcp_port(c);

	if (!port || c->res->reach.measured)
		return;
	text_appendf(out, size, len,
		     " natdoctor cannot see from inside whether TCP gets in: test from another "
		     "network (a phone's hotspot, a server): nc -vz %s %u.",
		     ip, port);
}

/* The node flags that make it listen on and advertise an IPv6 address. */
static void ipv6_flags(struct ctx *c, const struct netaddr *a, char *out, size_t size)
{
	char ip[NETADDR_FMT_MAX];
	size_t len = 0;
	const char *kind = c->cfg->node_kind[0] ? c->cfg->node_kind : "substrate";

	netaddr_fmt_ip(a, ip);
	if (strcmp(kind, "substrate") && strcmp(kind, "phala")) {
		advertise_hint(c, a, out, size);
		return;
	}
	for (size_t i = 0; i < c->cfg->n_ports; i++)
		text_appendf(
		    out, size, &len, "%s--listen-addr /ip6/::/%s/%u --public-addr /ip6/%s/%s/%u",
		    i ? "; " : "", proto_lower(c->cfg->ports[i].proto), c->cfg->ports[i].port, ip,
		    proto_lower(c->cfg->ports[i].proto), c->cfg->ports[i].port);
}

/* Is IPv6 a way out while IPv4 cannot take inbound peers? The sentence for
 * remedies that send the operator away from IPv4. */
static void ipv6_way_out(struct ctx *c, char *out, size_t size, size_t *len)
{
	const struct public_family *p6 = &c->res->pub.v6;
	char a[NETADDR_FMT_MAX], flags[400] = "";

	if (!c->cfg->ipv6) {
		text_appendf(out, size, len,
			     " IPv6 was not tested (-4): run natdoctor check -6 to see whether "
			     "IPv6 is a way out.");
		return;
	}
	if (c->v->nat66 == TRI_YES) {
		text_appendf(out, size, len,
			     " IPv6 here goes through NAT66 (see that finding): it needs a port "
			     "forward too.");
		return;
	}
	if (p6->mapped.family && netaddr_classify(&p6->mapped) == NETADDR_PUBLIC) {
		netaddr_fmt_ip(&p6->mapped, a);
		ipv6_flags(c, &p6->mapped, flags, sizeof(flags));
		text_appendf(out, size, len,
			     " Meanwhile IPv6 is a way out: this host's global IPv6 address is %s. "
			     "Start the node with %s, and allow inbound %s to %s in the router's "
			     "IPv6 firewall.",
			     a, flags, c->ports, a);
		return;
	}
	text_appendf(out, size, len,
		     " IPv6 is no way out here: natdoctor found no global IPv6 address that "
		     "works (%s); ask the provider whether they offer IPv6.",
		     !c->res->local.route6.present ? "no IPv6 default route"
						   : "no STUN server answered over IPv6");
}

static void finding_stun_family(struct ctx *c, const struct public_family *p, const char *fam)
{
	size_t resolved = 0, len = 0, other_family = 0;
	struct finding *f;

	if (p->n_answered > 0)
		return;
	for (size_t i = 0; i < p->n_servers; i++)
		resolved += p->servers[i].server.family != 0;
	for (size_t i = 0; i < p->n_servers && resolved == 0; i++)
		other_family += !strncmp(p->servers[i].error, "not used:", 9);
	if (resolved == 0 && p->n_servers && other_family == p->n_servers) {
		f = add(c, "stun-unresolved", SEV_PROBLEM);
		SET(f->summary, "No STUN server given has an %s address: %s was not tested", fam,
		    fam);
		SET(f->evidence, "every --stun server is of the other family");
		SET(f->remedy, "Name an %s STUN server: natdoctor check %s --stun %s", fam,
		    strcmp(fam, "IPv6") ? "-4" : "-6",
		    strcmp(fam, "IPv6") ? "192.0.2.1:3478 (use a real one)"
					: "'[2001:db8::1]:3478' (use a real one)");
		return;
	}
	if (resolved == 0) {
		f = add(c, "stun-unresolved", SEV_PROBLEM);
		SET(f->summary,
		    "No STUN server has an %s address: DNS does not work here, or "
		    "the names have none",
		    fam);
		for (size_t i = 0; i < p->n_servers; i++)
			text_appendf(f->evidence, sizeof(f->evidence), &len, "%s%s: %s",
				     i ? "; " : "", p->servers[i].name,
				     p->servers[i].error[0] ? p->servers[i].error : "no address");
		if (!p->n_servers)
			SET(f->evidence, "no STUN server was given for %s", fam);
		SET(f->remedy,
		    "Check /etc/resolv.conf and that DNS (UDP/TCP 53) gets out, or name STUN "
		    "servers by address: natdoctor check --stun 192.0.2.1:3478 (use a real one).");
		return;
	}
	f = add(c, "stun-no-answer", SEV_PROBLEM);
	SET(f->summary,
	    "No STUN server answered over %s: UDP to the internet is blocked or there is no "
	    "internet",
	    fam);
	for (size_t i = 0; i < p->n_servers && len + 1 < sizeof(f->evidence); i++) {
		char a[NETADDR_FMT_MAX];
		const struct stun_server_result *s = &p->servers[i];

		if (!s->server.family)
			continue;
		text_appendf(f->evidence, sizeof(f->evidence), &len, "%s%s (%s): %s",
			     len ? "; " : "", s->name, netaddr_fmt(&s->server, a),
			     s->error[0] ? s->error : "no answer");
	}
	SET(f->remedy,
	    "If other traffic works, a firewall or the provider drops UDP: P2P nodes need UDP "
	    "and TCP out. Check the host firewall (nft list ruleset), the router, then ask the "
	    "provider whether they filter UDP. Try another server with --stun HOST:PORT.");
}

static void finding_stun(struct ctx *c)
{
	if (c->v->tested4)
		finding_stun_family(c, &c->res->pub.v4, "IPv4");
	else if (c->v->tested6)
		/* IPv6 is the only way out: its silence is the problem. With
		 * IPv4 tested too, a silent IPv6 only means no IPv6 peers. */
		finding_stun_family(c, &c->res->pub.v6, "IPv6");
}

static void finding_public_host(struct ctx *c)
{
	char adv[400] = "";
	bool pub_known = c->res->pub.v4.mapped.family != 0;
	struct finding *f;
	size_t len = 0;

	if (pub_known)
		advertise_hint(c, &c->res->pub.v4.mapped, adv, sizeof(adv));
	f = add(c, "public-address", SEV_INFO);
	SET(f->summary, "No NAT: this host has the public IPv4 address %s", c->fmt_host);
	SET(f->evidence, "%s%s%s", c->w.basis, c->w.doubt[0] ? "; not certain: " : "", c->w.doubt);
	text_appendf(f->remedy, sizeof(f->remedy), &len,
		     "Peers can reach %s directly unless a firewall drops it: allow inbound %s "
		     "in the host firewall and any provider or cloud security group.%s%s",
		     c->fmt_host, c->ports, pub_known ? " Then " : "", adv);
	if (pub_known)
		text_appendf(f->remedy, sizeof(f->remedy), &len, ".");
	outside_test(c, c->fmt_host, f->remedy, sizeof(f->remedy), &len);

	if (!filtered(c->v->filtering))
		return;
	/* No NAT, yet strangers' UDP is dropped: that can only be a filter. */
	f = add(c, "host-firewall", SEV_WARNING);
	SET(f->summary,
	    "This host has a public address, but a stateful firewall drops what strangers send "
	    "it: %s get in only if a rule lets them in",
	    c->ports);
	SET(f->evidence,
	    "no NAT (%s), yet the RFC 5780 filtering test measured %s filtering: an answer "
	    "from an address or port we had not contacted never arrived",
	    c->w.basis, verdict_filtering_name(c->v->filtering));
	len = 0;
	text_appendf(f->remedy, sizeof(f->remedy), &len,
		     "Find the filter and allow inbound %s. On this host: nft list ruleset; "
		     "iptables -S; ip6tables -S (ufw status, firewall-cmd --list-all if you use "
		     "them). At a cloud provider, the instance's security group or firewall "
		     "rules; else ask the hosting provider whether it filters inbound.",
		     c->ports);
	outside_test(c, c->fmt_host, f->remedy, sizeof(f->remedy), &len);
}

/* The first step that tells whether another NAT is in front of the router. */
static void wan_check_step(struct ctx *c, char *out, size_t size, size_t *len)
{
	text_appendf(out, size, len,
		     "Look at your router's WAN (Internet) address on its status page. If it "
		     "starts with 100.64 to 100.127, 10., 172.16 to 172.31 or 192.168.%s%s%s, "
		     "another NAT (usually the provider's) is in front of it: ask the provider "
		     "for a public IPv4 address or to put their modem in bridge mode; a port "
		     "forward on your router cannot help then.",
		     c->res->pub.v4.mapped.family ? ", or is not " : "",
		     c->res->pub.v4.mapped.family ? c->fmt_pub : "",
		     c->res->pub.v4.mapped.family ? " (what the internet sees)" : "");
}

static void finding_behind_one(struct ctx *c)
{
	const struct check_result *res = c->res;
	bool pub_known = res->pub.v4.mapped.family != 0;
	bool udp_open = c->v->filtering == FILTERING_ENDPOINT_INDEPENDENT;
	bool reached = tcp_reached(c);
	bool ok = reached || (udp_open && !c->tcp_ports[0]);
	char fwd[300] = "", adv[400] = "", maps[64] = "";
	size_t len = 0, mlen = 0;
	struct finding *f;

	forward_rule(c, fwd, sizeof(fwd));
	if (pub_known)
		advertise_hint(c, &res->pub.v4.mapped, adv, sizeof(adv));
	for (size_t i = 0; i < 3; i++)
		if (weigh_mapping_works(&c->w.gw[i]))
			text_appendf(maps, sizeof(maps), &mlen, "%s%s", mlen ? ", " : "",
				     c->w.gw[i].name);

	f = add(c, "behind-nat", ok ? SEV_INFO : SEV_WARNING);
	if (reached)
		SET(f->summary, "Behind one NAT, and peers reach the node: a connection from "
				"outside got through");
	else if (udp_open && !c->tcp_ports[0])
		SET(f->summary, "Behind one NAT that lets strangers' UDP in (a DMZ host or "
				"full-cone NAT)");
	else if (udp_open)
		SET(f->summary,
		    "Behind one NAT that lets strangers' UDP in; whether %s gets in was not "
		    "measured",
		    c->tcp_ports);
	else
		SET(f->summary, "Behind one NAT (your router): peers reach the node only through "
				"a port forward");
	SET(f->evidence, "%s%s%s%s", c->w.basis,
	    udp_open ? "; an RFC 5780 test got a UDP answer from an address we never "
		       "contacted (endpoint-independent filtering), which says nothing about "
		       "an unsolicited TCP connection"
		     : "",
	    c->w.doubt[0] ? "; not certain: " : "", c->w.doubt);
	if (ok) {
		SET(f->remedy, "Nothing is required for inbound traffic%s%s.",
		    pub_known ? "; " : "", adv);
		return;
	}
	text_appendf(f->remedy, sizeof(f->remedy), &len,
		     "%s (%s), forward %s (destination NAT / port forwarding), or make this "
		     "host the DMZ host.",
		     udp_open ? "Unless it is already done, on your router" : "On your router",
		     c->fmt_gwlan, fwd);
	if (maps[0])
		text_appendf(f->remedy, sizeof(f->remedy), &len,
			     " The router also offers automatic mapping (%s); prefer PCP or "
			     "NAT-PMP, and UPnP only last.",
			     maps);
	if (pub_known)
		text_appendf(f->remedy, sizeof(f->remedy), &len, " Then %s.", adv);
	outside_test(c, pub_known ? c->fmt_pub : "YOUR-PUBLIC-IP", f->remedy, sizeof(f->remedy),
		     &len);
	if (!c->w.certain) {
		text_appendf(f->remedy, sizeof(f->remedy), &len, " If the forward does not help: ");
		wan_check_step(c, f->remedy, sizeof(f->remedy), &len);
	}
}

static void finding_provider_likely(struct ctx *c)
{
	struct finding *f = add(c, "provider-nat-likely", SEV_WARNING);
	char fwd[300] = "";
	size_t len = 0;

	forward_rule(c, fwd, sizeof(fwd));
	SET(f->summary,
	    "A second NAT in front of your router is likely (usually the provider's): a port "
	    "forward on your router alone may not help");
	SET(f->evidence, "at least 1 layer: %s; a second is likely: %s", c->w.basis, c->w.doubt);
	wan_check_step(c, f->remedy, sizeof(f->remedy), &len);
	if (c->res->pub.v4.mapped.family)
		text_appendf(f->remedy, sizeof(f->remedy), &len,
			     " If it is %s, forward %s on your router (%s).", c->fmt_pub, fwd,
			     c->fmt_gwlan);
	ipv6_way_out(c, f->remedy, sizeof(f->remedy), &len);
}

static void finding_multi(struct ctx *c)
{
	const struct weighed *w = &c->w;
	char fwd[300] = "", outer[NETADDR_FMT_MAX] = "";
	size_t len = 0;
	struct finding *f;

	forward_rule(c, fwd, sizeof(fwd));
	if (w->outer.family)
		netaddr_fmt_ip(&w->outer, outer);
	if (w->cgnat) {
		f = add(c, "cgnat", SEV_PROBLEM);
		SET(f->summary,
		    "Your provider's carrier-grade NAT (100.64.0.0/10) stands between the node and "
		    "its peers: port forwarding on your router cannot help");
		SET(f->evidence, "%s%d layers of NAT: %s%s%s", w->certain ? "" : "at least ",
		    w->layers, w->basis, w->doubt[0] ? "; there may be more: " : "", w->doubt);
		bool host_shared = netaddr_classify(&c->host4) == NETADDR_CGNAT;
		const char *what =
		    host_shared ? "this device's address" : "my router's WAN address";
		const char *addr = w->wan.family && netaddr_classify(&w->wan) != NETADDR_PUBLIC
				       ? c->fmt_wan
				   : host_shared ? c->fmt_host
						 : "in 100.64.0.0/10";

		text_appendf(f->remedy, sizeof(f->remedy), &len,
			     "Ask your provider for a public IPv4 address (many give one on "
			     "request, some for a fee). Tell them: \"my line is behind "
			     "carrier-grade NAT (%s is %s); I run a server and need inbound %s; "
			     "please give me a public IPv4 address or take me off CGNAT.\" Or "
			     "host the node where it gets a public address.",
			     what, addr, c->ports);
		ipv6_way_out(c, f->remedy, sizeof(f->remedy), &len);
		return;
	}
	f = add(c, "double-nat", SEV_PROBLEM);
	SET(f->summary, "%s%d layers of NAT: a port forward on your router alone cannot help",
	    w->certain ? "" : "At least ", w->layers);
	SET(f->evidence, "%s%s%s", w->basis, w->doubt[0] ? "; not certain: " : "", w->doubt);
	text_appendf(f->remedy, sizeof(f->remedy), &len,
		     "Another router%s%s%s translates in front of yours (often the provider's "
		     "modem). Best: put that box in bridge mode, or ask the provider to, so your "
		     "router gets the public address. Else forward %s on BOTH: on the outer box "
		     "to your router's WAN address %s, and on your router (%s) %s. Or make your "
		     "router the outer box's DMZ host. If the outer NAT is the provider's, ask "
		     "them for a public IPv4 address.",
		     outer[0] ? " (" : "", outer, outer[0] ? " on the path)" : "", c->ports,
		     w->wan.family && netaddr_classify(&w->wan) != NETADDR_PUBLIC
			 ? c->fmt_wan
			 : "(your router's status page shows it)",
		     c->fmt_gwlan, fwd);
	ipv6_way_out(c, f->remedy, sizeof(f->remedy), &len);
}

static void finding_nat(struct ctx *c)
{
	struct finding *f;

	if (c->w.layers == 0) {
		finding_public_host(c);
	} else if (c->w.layers >= 2 || c->w.cgnat) {
		/* A host in 100.64/10 itself (mobile, satellite) sits in the
		 * provider's NAT with no router of its own to forward on. */
		finding_multi(c);
	} else if (c->w.layers == 1 && c->w.more_likely) {
		finding_provider_likely(c);
	} else if (c->w.layers == 1) {
		finding_behind_one(c);
	}
	if (c->w.disagree[0]) {
		f = add(c, "views-disagree", SEV_WARNING);
		SET(f->summary, "What the router says about itself does not match what was "
				"measured: natdoctor believes the measurement");
		SET(f->evidence, "%s", c->w.disagree);
		SET(f->remedy,
		    "Compare with your router's status page: its WAN (Internet) address there is "
		    "the truth about its own port. If it is private or in 100.64.0.0/10, the "
		    "router is behind another NAT whatever it reports. If the router's firmware "
		    "learns its address by STUN (OpenWrt/miniupnpd ext_perform_stun), its "
		    "reports are not its own.");
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

/* "PCP: 3 answers with the wrong nonce; NAT-PMP: 1 answer of the wrong
 * length; UPnP: 2 answers": each protocol with bad answers, by reason. */
static void gw_bad_evidence(char *out, size_t cap, const struct gateway_view *g)
{
	const struct gw_proto_result *p[] = { &g->pcp, &g->natpmp };
	const char *name[] = { "PCP", "NAT-PMP" };
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 2; i++) {
		char why[300];

		if (!p[i]->bad_packets)
			continue;
		/* A result filled by hand (tests, old callers) may have the
		 * total without reasons. */
		if (!reject_summary(p[i]->rejected, why, sizeof(why)))
			snprintf(why, sizeof(why), "%u answers", p[i]->bad_packets);
		text_appendf(out, cap, &len, "%s%s: %s", len ? "; " : "", name[i], why);
	}
	if (g->upnp.bad_answers)
		text_appendf(out, cap, &len, "%sUPnP: %u answer%s", len ? "; " : "",
			     g->upnp.bad_answers, g->upnp.bad_answers == 1 ? "" : "s");
}

static void finding_gateway(struct ctx *c)
{
	const struct gateway_view *g = &c->res->gateway;
	const struct weighed *w = &c->w;
	size_t len = 0, elen = 0;
	struct finding *f;
	bool any_works = false, any_refused = false;

	for (size_t i = 0; i < 3; i++) {
		any_works |= weigh_mapping_works(&w->gw[i]);
		any_refused |= w->gw[i].answer >= GWA_NO_EXTERNAL;
	}
	if (any_works) {
		f = add(c, "gateway-mapping-available", SEV_INFO);
		text_appendf(f->summary, sizeof(f->summary), &len,
			     "The router offers automatic port mapping:");
		for (size_t i = 0; i < 3; i++)
			if (weigh_mapping_works(&w->gw[i]))
				text_appendf(f->summary, sizeof(f->summary), &len, " %s",
					     w->gw[i].name);
		if (weigh_mapping_works(&w->gw[0]))
			text_appendf(f->evidence, sizeof(f->evidence), &elen,
				     "PCP answered (epoch %u s); ", g->pcp.epoch);
		if (weigh_mapping_works(&w->gw[1]))
			text_appendf(f->evidence, sizeof(f->evidence), &elen,
				     "NAT-PMP answered (epoch %u s); ", g->natpmp.epoch);
		if (weigh_mapping_works(&w->gw[2]))
			text_appendf(f->evidence, sizeof(f->evidence), &elen,
				     "UPnP IGDv%d at %s, %s", g->upnp.igd_version, g->upnp.location,
				     g->upnp.connection_status);
		if (w->layers >= 2 || w->cgnat || w->more_likely) {
			/* RFC 6887 §1: a mapping on the home router opens
			 * only the inner NAT; the provider's stays closed. */
			text_appendf(f->summary, sizeof(f->summary), &len,
				     ", but a mapping there %s at the provider's NAT",
				     w->more_likely && w->layers < 2 ? "likely stops" : "stops");
			SET(f->remedy, "Do not rely on it: ask the provider first (see above). "
				       "Once the router's WAN address is public, a manual port "
				       "forward is the safer choice.");
		} else {
			SET(f->remedy, "A mapping made by the node's host is the last resort: "
				       "it works, but any program on your network can open "
				       "ports the same way. Prefer a manual port forward.");
		}
	}
	if (any_refused) {
		len = elen = 0;
		f = add(c, "gateway-mapping-refused", SEV_INFO);
		text_appendf(f->summary, sizeof(f->summary), &len, "The router answers");
		for (size_t i = 0; i < 3; i++)
			if (w->gw[i].answer >= GWA_NO_EXTERNAL)
				text_appendf(f->summary, sizeof(f->summary), &len, " %s",
					     w->gw[i].name);
		text_appendf(f->summary, sizeof(f->summary), &len,
			     " but refuses to map: automatic mapping cannot help");
		for (size_t i = 0; i < 3; i++)
			if (w->gw[i].answer >= GWA_NO_EXTERNAL)
				text_appendf(f->evidence, sizeof(f->evidence), &elen, "%s%s",
					     elen ? "; " : "", w->gw[i].words);
		if (w->wan_not_public)
			SET(f->remedy,
			    "Routers answer so when their own WAN address is private "
			    "or shared: deal with the NAT in front of it first (see "
			    "the NAT finding). A node's UPnP or NAT-PMP cannot open it.");
		else
			SET(f->remedy, "Mapping is switched off or restricted in the router's "
				       "settings. Prefer a manual port forward anyway; turn "
				       "mapping on only if you want the node to manage it.");
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
			SET(f->remedy, "Nothing to do for this port on this router.");
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
		gw_bad_evidence(f->evidence, sizeof(f->evidence), g);
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
	if (c->v->tested4 && p4->servers_disagree_on_ip == TRI_YES) {
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
}

/* Can IPv4 not take inbound peers (or was it not tested)? Then IPv6 is the
 * node's way out, and a blocked IPv6 is what stands in the way. */
static bool ipv4_blocked(const struct ctx *c)
{
	return !c->v->tested4 || c->w.layers < 0 || c->w.layers >= 2 || c->w.cgnat ||
	       c->w.more_likely || !c->res->pub.v4.mapped.family;
}

static void finding_ipv6(struct ctx *c)
{
	const struct public_family *p6 = &c->res->pub.v6;
	char a[NETADDR_FMT_MAX], ula[NETADDR_FMT_MAX], flags[400] = "";
	bool way_out = ipv4_blocked(c);
	struct finding *f;
	size_t len = 0;

	if (!c->v->tested6 || !p6->mapped.family || netaddr_classify(&p6->mapped) != NETADDR_PUBLIC)
		return;
	netaddr_fmt_ip(&p6->mapped, a);
	ipv6_flags(c, &p6->mapped, flags, sizeof(flags));
	if (c->v->nat66 == TRI_YES) {
		netaddr_fmt_ip(&p6->local, ula);
		f = add(c, "nat66", SEV_WARNING);
		SET(f->summary,
		    "IPv6 goes through NAT66: this host's %s address %s is translated to %s, so "
		    "peers reach the node over IPv6 only through a port forward",
		    netaddr_class_name(netaddr_classify(&p6->local)), ula, a);
		SET(f->evidence, "this host sends from %s; STUN over IPv6 sees %s", ula, a);
		text_appendf(f->remedy, sizeof(f->remedy), &len,
			     "Best: give the LAN a routed global prefix instead of NAT66 (the "
			     "router's IPv6 setting: prefix delegation / \"native\" or \"routed\" "
			     "instead of NAT66 or masquerading), so the node gets a global address "
			     "of its own. Else forward (DNAT66) %s on the router to [%s], and "
			     "start the node with %s.",
			     c->ports, ula, flags);
		return;
	}
	f = add(c, "ipv6-public", SEV_INFO);
	SET(f->summary, "IPv6 reaches the internet without NAT: global address %s", a);
	SET(f->evidence, "STUN over IPv6 sees %s, this host's own address; inbound filtering %s", a,
	    verdict_filtering_name(c->v->filtering6) ? verdict_filtering_name(c->v->filtering6)
						     : "not measured");
	text_appendf(f->remedy, sizeof(f->remedy), &len,
		     "IPv6 peers can reach the node if the firewalls allow inbound %s to %s. "
		     "Make the node listen on IPv6 and advertise it: %s.",
		     c->ports, a, flags);
	if (!filtered(c->v->filtering6))
		return;
	f = add(c, "ipv6-inbound-filtered", way_out ? SEV_PROBLEM : SEV_INFO);
	SET(f->summary, "A stateful IPv6 firewall drops what strangers send to %s%s", a,
	    way_out ? ", and IPv6 is the node's way out" : "");
	SET(f->evidence,
	    "the RFC 5780 filtering test over IPv6 measured %s filtering: an answer from an "
	    "address or port we had not contacted never arrived%s",
	    verdict_filtering_name(c->v->filtering6),
	    way_out ? "; IPv4 cannot take inbound peers here (see above)" : "");
	len = 0;
	text_appendf(f->remedy, sizeof(f->remedy), &len,
		     "On your router, allow inbound %s to %s in its IPv6 firewall: the setting "
		     "is called \"IPv6 firewall\" / \"allow incoming IPv6 connections\" / a "
		     "pinhole or exposed host for this device (OpenWrt: a traffic rule from wan "
		     "to lan, family IPv6, destination %s). Check this host's firewall too "
		     "(nft list ruleset; ip6tables -S).",
		     c->ports, a, a);
	outside_test(c, a, f->remedy, sizeof(f->remedy), &len);
}

void verdict_compute(const struct check_config *cfg, const struct check_result *res,
		     struct verdict *v)
{
	struct ctx c = { .cfg = cfg, .res = res, .v = v };
	const struct public_family *p6 = &res->pub.v6;
	struct finding *f;

	memset(v, 0, sizeof(*v));
	v->layers = -1;
	v->tested4 = cfg->ipv4 && res->local.route4.present;
	v->tested6 = cfg->ipv6 && res->local.route6.present;
	v->mapping_varies = v->tested4 ? res->pub.v4.mapping_varies : TRI_UNKNOWN;
	v->filtering = v->tested4 ? res->pub.v4.filtering : FILTERING_UNKNOWN;
	v->filtering6 = v->tested6 ? p6->filtering : FILTERING_UNKNOWN;
	v->nat66 = TRI_UNKNOWN;
	if (v->tested6 && p6->mapped.family && p6->local.family)
		v->nat66 = netaddr_eq(&p6->local, &p6->mapped, true) ? TRI_NO : TRI_YES;
	if (v->tested4 && usable_public(&res->pub.v4.mapped))
		v->public4 = res->pub.v4.mapped;
	if (v->tested6 && usable_public(&p6->mapped))
		v->public6 = p6->mapped;
	v->public4.port = v->public6.port = 0;
	describe_ports(&c);

	if (!v->tested4 && !v->tested6) {
		v->no_network = true;
		f = add(&c, "no-network", SEV_PROBLEM);
		if (cfg->ipv4 && cfg->ipv6)
			SET(f->summary, "This host has no default route: no network to test");
		else
			SET(f->summary,
			    "This host has no %s default route (only %s was asked): "
			    "nothing was tested",
			    cfg->ipv4 ? "IPv4" : "IPv6", cfg->ipv4 ? "IPv4, -4" : "IPv6, -6");
		SET(f->evidence, "no %s default route in the main routing table%s%s",
		    cfg->ipv4 && cfg->ipv6 ? "IPv4 or IPv6"
		    : cfg->ipv4		   ? "IPv4"
					   : "IPv6",
		    res->local.error[0] ? "; " : "", res->local.error);
		SET(f->remedy,
		    "Connect the host to the network (cable, Wi-Fi, DHCP) and run "
		    "natdoctor check again%s. Inside a container, run it with --network host.",
		    cfg->ipv4 && cfg->ipv6 ? "" : " (without -4/-6 to try both families)");
		finding_listeners(&c);
		return;
	}

	if (v->tested4) {
		c.host4 = res->pub.v4.local.family ? res->pub.v4.local : res->local.route4.source;
		c.host4.port = 0;
		weigh_ipv4(res, &c.host4, &c.w);
	} else {
		weigh_ipv4(res, &c.host4, &c.w); /* family 0: layers -1 */
	}
	netaddr_fmt_ip(&c.host4, c.fmt_host);
	netaddr_fmt_ip(&c.w.wan, c.fmt_wan);
	netaddr_fmt_ip(&res->pub.v4.mapped, c.fmt_pub);
	if (res->local.route4.gateway.family)
		netaddr_fmt_ip(&res->local.route4.gateway, c.fmt_gwlan);
	else
		SET(c.fmt_gwlan, "its LAN address");
	v->layers = c.w.layers;
	v->layers_certain = c.w.layers >= 0 && c.w.certain;
	v->more_likely = c.w.more_likely;
	v->cgnat = c.w.cgnat;
	reach_decide(cfg, res, &(struct reach_facts){ .layers = c.w.layers, .cgnat = c.w.cgnat },
		     &v->reach);

	finding_listeners(&c);
	finding_stun(&c);
	if (v->tested4) {
		finding_nat(&c);
		finding_gateway(&c);
	}
	finding_public(&c);
	finding_ipv6(&c);
	reach_findings(cfg, res, v);
	nodefind_compute(cfg, res, v);
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

/* SPDX-License-Identifier: MIT */
/*
 * How the IPv4 evidence is weighed (docs/REPORT.md has the operator's
 * version).
 *
 * Layers. The host's source address toward the STUN servers against what
 * they see: the same public address is 0 layers; a private or shared host
 * address is at least one, the router's. Each further realm of non-public
 * addresses adds one:
 *   - the router's WAN address, as PCP, NAT-PMP or UPnP name it, when it is
 *     private, shared or reserved (the router itself says it is not on the
 *     internet; PCP names it even in its NO_RESOURCES answer);
 *   - path hops (TTL >= 2) in private or shared space beyond the host's LAN
 *     and before the first public hop, one per realm, WHATEVER THE ROUTER
 *     CLAIMS: routers that learn their WAN address by STUN (miniupnpd's
 *     ext_perform_stun, common on OpenWrt) report the provider's public
 *     address although they sit behind its NAT.
 * A hop in 100.64.0.0/10 is the provider's NAT beyond doubt (RFC 6598
 * reserves it for that). A private hop that contradicts a router naming
 * the public address is counted when the router also refuses mappings;
 * when it maps, one more NAT is only likely (some providers number their
 * own routers in private space), so the count stays a lower bound.
 *
 * Hints that prove nothing alone but make one more NAT likely:
 *   - the router refuses mappings with NETWORK_FAILURE, NO_RESOURCES or
 *     CANNOT_PROVIDE_EXTERNAL, or answers with no external address (0.0.0.0,
 *     empty): what miniupnpd does when its WAN address is private or shared;
 *   - the router names a public WAN address that is not what STUN sees
 *     (another NAT, or a router that is wrong: the two STUN servers agree,
 *     the router is the one named as disagreeing).
 * Silence makes the count uncertain but not "likely": routers between ours
 * and the first public hop that send no ICMP time-exceeded, when no router
 * protocol vouches for a public WAN address, could hide a provider NAT.
 */
#include "check/weigh.h"

#include <stdio.h>
#include <string.h>

#include "proto/natpmp.h"
#include "proto/pcp.h"
#include "util/text.h"

/* Bounded texts cut short by design (util/text.h). */
#define SET(field, ...) TEXT_SET(field, __VA_ARGS__)

bool weigh_mapping_works(const struct gw_claim *c)
{
	return c->answer == GWA_EXTERNAL || c->answer == GWA_OK;
}

static bool nonpublic_realm(enum netaddr_class cl)
{
	return cl == NETADDR_PRIVATE || cl == NETADDR_CGNAT || cl == NETADDR_RESERVED;
}

/* Realms: a coarse key for "the same private network" beyond the host's
 * own LAN. Hops in one /16 of private space, or anywhere in 100.64/10,
 * count as one realm (a provider's routers share a range). */
static uint32_t realm_key(const struct netaddr *a)
{
	if (netaddr_classify(a) == NETADDR_CGNAT)
		return 0x64400000u;
	return (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16;
}

static uint32_t v4_word(const struct netaddr *a)
{
	return (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 |
	       a->ip[3];
}

/* Is a within the host's own subnet (its prefix length from the local
 * view; /24 if the local view does not list it)? */
static bool in_host_lan(const struct check_result *res, const struct netaddr *host4,
			const struct netaddr *a)
{
	unsigned plen = 24;
	uint32_t mask;

	if (a->family != AF_INET || host4->family != AF_INET)
		return false;
	for (size_t i = 0; i < res->local.n_addrs; i++)
		if (netaddr_eq(&res->local.addrs[i].addr, host4, true))
			plen = res->local.addrs[i].prefixlen;
	if (plen > 32)
		plen = 32;
	mask = plen ? 0xffffffffu << (32 - plen) : 0;
	return (v4_word(a) & mask) == (v4_word(host4) & mask);
}

static bool has_external(const struct netaddr *a)
{
	return a->family && netaddr_classify(a) > NETADDR_UNSPECIFIED;
}

/* PCP (RFC 6887 §7.4): the MAP result replaces ANNOUNCE's when both ran. */
static void claim_pcp(const struct gw_proto_result *p, struct gw_claim *c)
{
	c->name = "PCP";
	if (!p->available)
		return;
	if (has_external(&p->external))
		c->external = p->external;
	switch (p->result_code) {
	case PCP_SUCCESS:
		c->answer = c->external.family ? GWA_EXTERNAL : GWA_OK;
		return;
	case PCP_NETWORK_FAILURE:
		c->answer = GWA_REFUSED_WAN;
		SET(c->words, "PCP refused the mapping with NETWORK_FAILURE (no working "
			      "external address)");
		return;
	case PCP_NO_RESOURCES:
		c->answer = GWA_REFUSED_WAN;
		SET(c->words, "PCP refused the mapping with NO_RESOURCES");
		return;
	case PCP_CANNOT_PROVIDE_EXTERNAL:
		c->answer = GWA_REFUSED_WAN;
		SET(c->words, "PCP refused with CANNOT_PROVIDE_EXTERNAL (no external address "
			      "to give)");
		return;
	case PCP_NOT_AUTHORIZED:
		c->answer = GWA_REFUSED;
		SET(c->words, "PCP refused with NOT_AUTHORIZED: the router's settings forbid "
			      "mappings from this host");
		return;
	default:
		c->answer = GWA_REFUSED;
		SET(c->words, "PCP refused the mapping (%s)",
		    p->result_name[0] ? p->result_name : "an unknown result");
		return;
	}
}

/* NAT-PMP (RFC 6886 §3.5): natdoctor asks only for the external address. */
static void claim_natpmp(const struct gw_proto_result *p, struct gw_claim *c)
{
	c->name = "NAT-PMP";
	if (!p->available)
		return;
	if (has_external(&p->external))
		c->external = p->external;
	switch (p->result_code) {
	case NATPMP_SUCCESS:
		if (c->external.family) {
			c->answer = GWA_EXTERNAL;
		} else {
			c->answer = GWA_NO_EXTERNAL;
			SET(c->words, "NAT-PMP reports the external address 0.0.0.0");
		}
		return;
	case NATPMP_NETWORK_FAILURE:
		c->answer = GWA_REFUSED_WAN;
		SET(c->words, "NAT-PMP answered Network Failure (result 3: no usable external "
			      "address)");
		return;
	case NATPMP_NOT_AUTHORIZED:
		c->answer = GWA_REFUSED;
		SET(c->words, "NAT-PMP answered Not Authorized: mapping is switched off on the "
			      "router");
		return;
	case NATPMP_NO_RESOURCES:
		c->answer = GWA_REFUSED;
		SET(c->words, "NAT-PMP answered Out of Resources: the router's mapping table "
			      "is full");
		return;
	default:
		c->answer = GWA_REFUSED;
		SET(c->words, "NAT-PMP refused (%s)",
		    p->result_name[0] ? p->result_name : "an unknown result");
		return;
	}
}

static void claim_upnp(const struct upnp_result *u, struct gw_claim *c)
{
	c->name = "UPnP IGD";
	if (!u->available)
		return;
	if (has_external(&u->external)) {
		c->external = u->external;
		c->answer = GWA_EXTERNAL;
		return;
	}
	c->answer = GWA_NO_EXTERNAL;
	SET(c->words, "UPnP GetExternalIPAddress gave no address%s%s",
	    u->connection_status[0] ? " although its status is " : "", u->connection_status);
}

/* The router's WAN address when its protocols name one (refusals
 * included). If they name several, the strongest: a non-public one (no
 * router claims private space falsely), else the one STUN sees, else the
 * first; the others are a disagreement. */
static void router_wan(struct weighed *w, const struct netaddr *pub)
{
	size_t len = strlen(w->disagree);
	int best = -1, rank = 0;

	for (int i = 0; i < 3; i++) {
		const struct netaddr *e = &w->gw[i].external;
		int r;

		if (!e->family)
			continue;
		r = netaddr_classify(e) != NETADDR_PUBLIC     ? 3
		    : pub->family && netaddr_eq(e, pub, true) ? 2
							      : 1;
		if (r > rank)
			best = i, rank = r;
	}
	if (best < 0)
		return;
	w->wan = w->gw[best].external;
	w->wan_src = w->gw[best].name;
	for (int i = 0; i < 3; i++) {
		const struct gw_claim *c = &w->gw[i];
		char a[NETADDR_FMT_MAX], b[NETADDR_FMT_MAX];

		if (c->external.family && !netaddr_eq(&w->wan, &c->external, true))
			text_appendf(w->disagree, sizeof(w->disagree), &len,
				     "%sthe router names two WAN addresses: %s says %s, %s says %s",
				     len ? "; " : "", w->wan_src, netaddr_fmt_ip(&w->wan, a),
				     c->name, netaddr_fmt_ip(&c->external, b));
	}
}

/* The path beyond the host's LAN, up to the first public hop. */
static void weigh_path(const struct check_result *res, const struct netaddr *host4,
		       struct weighed *w, uint32_t *realms, size_t *n_realms, size_t *blen,
		       bool *contested)
{
	const struct path_view *p = &res->path;
	const struct netaddr *pub = &res->pub.v4.mapped;
	char pubs[NETADDR_FMT_MAX], wans[NETADDR_FMT_MAX];
	unsigned silent = 0, first_silent = 0;
	bool public_seen = p->reached_ttl > 0;
	size_t dlen = strlen(w->disagree), qlen = strlen(w->doubt);

	netaddr_fmt_ip(pub, pubs);
	netaddr_fmt_ip(&w->wan, wans);
	for (size_t i = 1; i < p->n_hops; i++) {
		const struct path_hop *h = &p->hops[i];
		char hop[NETADDR_FMT_MAX];
		bool seen = false;
		uint32_t k;

		if (p->reached_ttl && h->ttl >= p->reached_ttl)
			break;
		if (!h->answered) {
			if (!silent++)
				first_silent = h->ttl;
			continue;
		}
		if (h->cls == NETADDR_PUBLIC) {
			public_seen = true;
			break;
		}
		if (!nonpublic_realm(h->cls) || in_host_lan(res, host4, &h->addr))
			continue;
		if (!w->outer.family)
			w->outer = h->addr;
		w->cgnat |= h->cls == NETADDR_CGNAT;
		k = realm_key(&h->addr);
		for (size_t j = 0; j < *n_realms; j++)
			seen |= realms[j] == k;
		if (seen)
			continue;
		netaddr_fmt_ip(&h->addr, hop);
		if (w->router_claims) {
			text_appendf(
			    w->disagree, sizeof(w->disagree), &dlen,
			    "%sthe router (%s) names %s, the address STUN servers see, as "
			    "its WAN address, but hop %u is %s (%s) before the first public "
			    "router: routers that learn their WAN address by STUN report "
			    "the provider's address",
			    dlen ? "; " : "", w->wan_src, wans, h->ttl, hop,
			    netaddr_class_name(h->cls));
			w->router_claims = w->router_public = false;
			if (h->cls != NETADDR_CGNAT && !w->wan_not_public) {
				/* Private space right behind a router that holds the
				 * public address and maps: a provider numbering its
				 * own routers so, or an outer NAT the router hides.
				 * Likely, not proven: the count stays a lower bound. */
				realms[(*n_realms)++] = k;
				w->more_likely = true;
				text_appendf(w->doubt, sizeof(w->doubt), &qlen,
					     "%shop %u is %s (%s) before the first public router, "
					     "although the router says it holds the public address",
					     qlen ? "; " : "", h->ttl, hop,
					     netaddr_class_name(h->cls));
				continue;
			}
		}
		realms[(*n_realms)++] = k;
		w->layers++;
		text_appendf(w->basis, WEIGH_TEXT_MAX, blen, "; hop %u is %s (%s)", h->ttl, hop,
			     netaddr_class_name(h->cls));
	}
	if (!p->tried) {
		if (!w->router_public)
			text_appendf(w->doubt, sizeof(w->doubt), &qlen, "%sthe path was not probed",
				     qlen ? "; " : "");
		*contested |= !w->router_public;
	} else if (silent && !w->router_public) {
		text_appendf(w->doubt, sizeof(w->doubt), &qlen,
			     "%s%u hop%s from hop %u on did not answer (no ICMP time-exceeded "
			     "came back), so a provider NAT there would not show",
			     qlen ? "; " : "", silent, silent == 1 ? "" : "s", first_silent);
		*contested = true;
	} else if (!public_seen && !w->router_public) {
		text_appendf(w->doubt, sizeof(w->doubt), &qlen,
			     "%sno public router answered on the path", qlen ? "; " : "");
		*contested = true;
	}
}

void weigh_ipv4(const struct check_result *res, const struct netaddr *host4, struct weighed *w)
{
	const struct netaddr *pub = &res->pub.v4.mapped;
	enum netaddr_class hcl = netaddr_classify(host4);
	char hosts[NETADDR_FMT_MAX], pubs[NETADDR_FMT_MAX], wans[NETADDR_FMT_MAX];
	uint32_t realms[CHECK_MAX_HOPS + 1];
	size_t n_realms = 0, blen = 0, qlen = 0, dlen = 0;
	bool contested = false;

	memset(w, 0, sizeof(*w));
	w->layers = -1;
	claim_pcp(&res->gateway.pcp, &w->gw[0]);
	claim_natpmp(&res->gateway.natpmp, &w->gw[1]);
	claim_upnp(&res->gateway.upnp, &w->gw[2]);
	for (size_t i = 0; i < 3; i++)
		w->wan_not_public |=
		    w->gw[i].answer == GWA_REFUSED_WAN || w->gw[i].answer == GWA_NO_EXTERNAL;
	for (size_t i = 0; i < 3; i++)
		if (w->wan_not_public && w->gw[i].answer == GWA_OK)
			w->gw[i].answer = GWA_UNPROVEN; /* answered, mapping never tried */
	router_wan(w, &res->pub.v4.mapped);
	if (!host4->family)
		return;
	netaddr_fmt_ip(host4, hosts);
	netaddr_fmt_ip(pub, pubs);
	netaddr_fmt_ip(&w->wan, wans);
	w->cgnat = hcl == NETADDR_CGNAT;

	if (hcl == NETADDR_PUBLIC) {
		if (pub->family && !netaddr_eq(pub, host4, true)) {
			/* A 1:1 NAT or a VPN's exit, or servers that lie: named,
			 * and not certain. */
			w->layers = 1;
			SET(w->basis,
			    "this host has the public address %s, but STUN servers see %s: "
			    "something translates it",
			    hosts, pubs);
			SET(w->disagree,
			    "this host's own public address is %s, but the STUN servers say they "
			    "see %s: a NAT or VPN translates it, or the servers are wrong",
			    hosts, pubs);
			SET(w->doubt, "the STUN servers' view is not this host's own address");
			w->certain = false;
			return;
		} else {
			w->layers = 0;
			SET(w->basis, "this host's address %s is public%s", hosts,
			    pub->family ? " and STUN servers see the same" : "");
		}
		w->certain = pub->family != 0;
		if (!pub->family)
			SET(w->doubt, "no STUN server answered to confirm it");
		return;
	}

	/* The host is in private (or shared) space: the router translates. */
	w->layers = 1;
	text_appendf(w->basis, sizeof(w->basis), &blen, "this host's address %s is %s", hosts,
		     netaddr_class_name(hcl));
	if (w->wan.family) {
		enum netaddr_class gcl = netaddr_classify(&w->wan);

		text_appendf(w->basis, sizeof(w->basis), &blen,
			     "; the router says (%s) its WAN is %s", w->wan_src, wans);
		if (nonpublic_realm(gcl)) {
			w->layers++;
			w->cgnat |= gcl == NETADDR_CGNAT;
			realms[n_realms++] = realm_key(&w->wan);
			text_appendf(w->basis, sizeof(w->basis), &blen, " (%s)",
				     netaddr_class_name(gcl));
		} else if (pub->family && !netaddr_eq(pub, &w->wan, true)) {
			/* Two public addresses: an outer NAT, or a wrong router.
			 * Both STUN servers outweigh one router. */
			w->more_likely = true;
			text_appendf(w->doubt, sizeof(w->doubt), &qlen,
				     "the router says its WAN address is %s, but STUN servers see "
				     "%s: another NAT translates again, or the router is wrong",
				     wans, pubs);
			text_appendf(w->disagree, sizeof(w->disagree), &dlen,
				     "%sthe router (%s) says its WAN address is %s; STUN servers "
				     "see %s",
				     w->disagree[0] ? "; " : "", w->wan_src, wans, pubs);
		} else if (pub->family) {
			w->router_claims = true;
			w->router_public = !w->wan_not_public; /* until the path says otherwise */
		}
	}
	dlen = strlen(w->disagree);
	weigh_path(res, host4, w, realms, &n_realms, &blen, &contested);
	qlen = strlen(w->doubt);
	if (w->wan_not_public) {
		size_t n = 0;

		for (size_t i = 0; i < 3; i++)
			if (w->gw[i].words[0] && w->gw[i].answer != GWA_REFUSED)
				n++;
		if (w->layers < 2) {
			w->more_likely = true;
			for (size_t i = 0; i < 3; i++)
				if (w->gw[i].words[0] && w->gw[i].answer != GWA_REFUSED)
					text_appendf(w->doubt, sizeof(w->doubt), &qlen, "%s%s",
						     qlen ? "; " : "", w->gw[i].words);
			text_appendf(w->doubt, sizeof(w->doubt), &qlen,
				     " (routers answer so when their own WAN address is "
				     "private or shared)");
		} else if (n) {
			text_appendf(w->basis, sizeof(w->basis), &blen,
				     "; the router refuses mappings, as it does when its WAN is "
				     "not public");
		}
	}
	w->certain = !contested && !w->more_likely;
}

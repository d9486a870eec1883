/* SPDX-License-Identifier: MIT */
/*
 * The verdict from hand-built results, one per topology the lab builds for
 * real, plus the evidence-only corners the lab cannot easily make.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/verdict.h"
#include "util/exit.h"
#include "util/text.h"

static struct netaddr ip(const char *s)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse_ip(&a, s), 0);
	return a;
}

struct fixture {
	struct check_config cfg;
	struct check_result res;
	struct verdict v;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	check_config_default(&f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* A host at `host` behind gateway `gw` whose STUN servers see `pub`. */
static void base(struct fixture *f, const char *host, const char *gw, const char *pub)
{
	struct check_result *r = &f->res;

	r->local.route4.present = true;
	r->local.route4.source = ip(host);
	if (gw)
		r->local.route4.gateway = ip(gw);
	text_copy(r->local.route4.ifname, sizeof(r->local.route4.ifname), "eth0");
	r->gateway.address = r->local.route4.gateway;
	r->pub.v4.local = ip(host);
	r->pub.v4.local.port = 40000;
	r->pub.v4.n_servers = 2;
	r->pub.v4.mapping_varies = TRI_UNKNOWN;
	r->pub.v4.port_preserved = TRI_UNKNOWN;
	r->pub.v4.servers_disagree_on_ip = TRI_UNKNOWN;
	for (int i = 0; i < 2; i++) {
		text_copy(r->pub.v4.servers[i].name, sizeof(r->pub.v4.servers[i].name),
			  i ? "b" : "a");
		r->pub.v4.servers[i].server = ip(i ? "45.9.0.2" : "45.9.0.1");
	}
	if (pub) {
		r->pub.v4.mapped = ip(pub);
		r->pub.v4.mapped.port = 40000;
		r->pub.v4.n_answered = 2;
		for (int i = 0; i < 2; i++) {
			r->pub.v4.servers[i].answered = true;
			r->pub.v4.servers[i].mapped = r->pub.v4.mapped;
		}
	}
}

static const struct finding *find(const struct verdict *v, const char *id)
{
	for (size_t i = 0; i < v->n_findings; i++)
		if (!strcmp(v->findings[i].id, id))
			return &v->findings[i];
	return NULL;
}

static void hop(struct check_result *r, const char *addr)
{
	struct path_hop *h = &r->path.hops[r->path.n_hops++];

	h->ttl = (uint8_t)r->path.n_hops;
	r->path.tried = true;
	if (addr) {
		h->answered = true;
		h->addr = ip(addr);
		h->cls = netaddr_classify(&h->addr);
	}
}

static void public_host_has_no_nat(void **state)
{
	struct fixture *f = *state;

	base(f, "45.1.1.10", "45.1.1.1", "45.1.1.10");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 0);
	assert_false(f->v.cgnat);
	assert_non_null(find(&f->v, "public-address"));
	assert_null(find(&f->v, "behind-nat"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_OK);
}

static void v6(struct fixture *f, const char *local, const char *mapped,
	       enum nat_filtering filtering);

/* Servers that see another public address than the host's own: a 1:1 NAT
 * or a liar, named either way, never a confident verdict. */
static void public_host_seen_elsewhere_is_named(void **state)
{
	struct fixture *f = *state;

	base(f, "45.1.1.10", "45.1.1.1", "45.9.9.9");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.layers_certain);
	assert_non_null(strstr(find(&f->v, "views-disagree")->evidence, "45.9.9.9"));
}

/* -6 with IPv4 servers only: not a DNS failure, and said so. */
static void other_family_servers_are_not_dns(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	v6(f, "2a00:11:3::10", NULL, FILTERING_UNKNOWN);
	f->cfg.ipv4 = false;
	f->res.pub.v6.n_servers = 1;
	memset(&f->res.pub.v6.servers[0].server, 0, sizeof(struct netaddr));
	text_copy(f->res.pub.v6.servers[0].error, CHECK_TEXT_MAX,
		  "not used: an IPv4 server, and -6 tests IPv6 only");
	verdict_compute(&f->cfg, &f->res, &f->v);
	fi = find(&f->v, "stun-unresolved");
	assert_non_null(fi);
	assert_null(strstr(fi->summary, "DNS"));
	assert_non_null(strstr(fi->remedy, "-6 --stun"));
}

static void home_router_is_one_layer_with_filled_remedy(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.external = ip("45.0.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.cgnat);
	fi = find(&f->v, "behind-nat");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_WARNING);
	/* The remedy names the router, the host, the ports and the flag. */
	assert_non_null(strstr(fi->remedy, "192.168.1.1"));
	assert_non_null(strstr(fi->remedy, "TCP 30333 -> 192.168.1.10:30333"));
	assert_non_null(strstr(fi->remedy, "TCP 30334 -> 192.168.1.10:30334"));
	assert_non_null(strstr(fi->remedy, "--public-addr /ip4/45.0.0.2/tcp/30333"));
	assert_non_null(strstr(fi->remedy, "NAT-PMP"));
	fi = find(&f->v, "gateway-mapping-available");
	assert_non_null(fi);
	assert_null(strstr(fi->summary, "provider"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_PROBLEM);
	assert_string_equal(f->v.public4.family == AF_INET ? "ok" : "no", "ok");
}

static void cgnat_from_gateway_wan(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	f->res.gateway.upnp.available = true;
	f->res.gateway.upnp.external = ip("100.64.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_true(f->v.cgnat);
	fi = find(&f->v, "cgnat");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_PROBLEM);
	assert_non_null(strstr(fi->remedy, "100.64.0.2"));
	assert_null(find(&f->v, "behind-nat"));
	/* The router's mapping protocols cannot open the provider's NAT, and
	 * the report must not suggest they could. */
	fi = find(&f->v, "gateway-mapping-available");
	assert_non_null(fi);
	assert_non_null(strstr(fi->summary, "provider's NAT"));
	assert_null(strstr(fi->remedy, "last resort"));
}

static void cgnat_from_path_alone(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "100.64.0.1");
	hop(&f->res, NULL); /* a silent router */
	hop(&f->res, "45.0.0.1");
	hop(&f->res, "100.64.9.9"); /* after a public hop: not ours */
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_true(f->v.cgnat);
	assert_non_null(find(&f->v, "cgnat"));
}

/* A host with a 100.64/10 address of its own (mobile, satellite): no
 * router of its own to forward on. */
static void host_in_shared_space_is_cgnat(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "100.72.1.5", "100.72.0.1", "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_true(f->v.cgnat);
	assert_int_equal(f->v.layers, 1);
	fi = find(&f->v, "cgnat");
	assert_non_null(fi);
	assert_non_null(strstr(fi->remedy, "this device's address is 100.72.1.5"));
	assert_null(find(&f->v, "behind-nat"));
}

/* Protocols that name different WAN addresses: the one STUN sees wins over
 * a stale one, a private one over both, and the rest are named. */
static void router_protocols_disagree(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.external = ip("45.0.0.77"); /* stale */
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.external = ip("45.0.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.more_likely);
	assert_non_null(strstr(find(&f->v, "views-disagree")->evidence, "45.0.0.77"));

	f->res.gateway.upnp.available = true;
	f->res.gateway.upnp.external = ip("10.1.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_non_null(strstr(find(&f->v, "double-nat")->remedy, "10.1.0.2"));
}

static void double_nat_private_wan(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.external = ip("10.0.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_false(f->v.cgnat);
	fi = find(&f->v, "double-nat");
	assert_non_null(fi);
	assert_non_null(strstr(fi->remedy, "bridge mode"));
}

static void three_layers_counted_by_realm(void **state)
{
	struct fixture *f = *state;

	/* Own router behind the provider's modem behind CGNAT. */
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.external = ip("192.168.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "192.168.0.1"); /* same realm as the WAN address: counted once */
	hop(&f->res, "100.64.3.1");
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 3);
	assert_true(f->v.cgnat);
}

static void double_nat_from_path_same_private_range(void **state)
{
	struct fixture *f = *state;

	/* The classic: own router 192.168.1.1 behind the provider's modem
	 * 192.168.0.1, and no mapping protocol to ask. */
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "192.168.0.1");
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_false(f->v.cgnat);
	assert_non_null(find(&f->v, "double-nat"));
}

static void private_hop_against_router_claim(void **state)
{
	struct fixture *f = *state;

	/* The router names the STUN-seen address as its WAN and maps, but the
	 * path shows a private hop before the first public one: the router is
	 * named as disagreeing and a second NAT is likely; the count stays a
	 * lower bound (providers number their own routers in private space). */
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.upnp.available = true;
	f->res.gateway.upnp.external = ip("45.0.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "10.20.0.1");
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.layers_certain);
	assert_true(f->v.more_likely);
	assert_non_null(find(&f->v, "provider-nat-likely"));
	assert_non_null(strstr(find(&f->v, "provider-nat-likely")->evidence, "10.20.0.1"));
	assert_non_null(strstr(find(&f->v, "views-disagree")->evidence, "UPnP IGD"));
	assert_null(find(&f->v, "behind-nat"));

	/* The same router refusing to map: the hop counts. */
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.result_code = 8;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_true(f->v.layers_certain);
	assert_non_null(find(&f->v, "double-nat"));
	assert_non_null(find(&f->v, "views-disagree"));
}

static void wan_public_but_not_what_stun_sees(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	/* Two STUN servers outweigh one router: the router is named, and a
	 * second NAT is likely but not proven. */
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.9");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.external = ip("45.0.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.layers_certain);
	assert_true(f->v.more_likely);
	fi = find(&f->v, "views-disagree");
	assert_non_null(fi);
	assert_non_null(strstr(fi->evidence, "NAT-PMP"));
	assert_non_null(strstr(fi->evidence, "45.0.0.2"));
	assert_non_null(strstr(fi->evidence, "45.0.0.9"));
	assert_non_null(find(&f->v, "provider-nat-likely"));
	assert_null(find(&f->v, "behind-nat"));
}

/* Issue 10 case 1: miniupnpd with ext_perform_stun behind the provider's
 * CGNAT names the provider's public address over NAT-PMP and UPnP, equal to
 * what STUN sees; the path shows 100.64/10 at hop 2; PCP refuses. */
static void case1_stun_learning_router_behind_cgnat(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "11.0.4.2");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.result_code = 0;
	f->res.gateway.natpmp.external = ip("11.0.4.2");
	f->res.gateway.upnp.available = true;
	f->res.gateway.upnp.external = ip("11.0.4.2");
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.result_code = 8; /* NO_RESOURCES */
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "100.64.0.1");
	hop(&f->res, "11.0.4.1");
	hop(&f->res, "11.0.0.10");
	f->res.path.reached_ttl = 4;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_true(f->v.cgnat);
	assert_true(f->v.layers_certain); /* 100.64/10 is the provider's NAT, no doubt */
	assert_non_null(find(&f->v, "cgnat"));
	assert_null(find(&f->v, "behind-nat"));
	fi = find(&f->v, "views-disagree");
	assert_non_null(fi);
	assert_non_null(strstr(fi->evidence, "100.64.0.1"));
	/* Automatic mapping is not offered as a way in. */
	fi = find(&f->v, "gateway-mapping-available");
	assert_non_null(fi);
	assert_non_null(strstr(fi->summary, "provider's NAT"));
	assert_non_null(strstr(find(&f->v, "gateway-mapping-refused")->evidence, "NO_RESOURCES"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_PROBLEM);
}

/* Cases 1 and 2 at once: the STUN-learning router behind a CGNAT whose
 * routers are silent. Nothing proves the second NAT; both hints are named. */
static void stun_learning_router_behind_silent_cgnat(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "11.0.4.2");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.result_code = 0;
	f->res.gateway.natpmp.external = ip("11.0.4.2");
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.result_code = 8;
	f->res.gateway.pcp.external = ip("11.0.4.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, NULL);
	hop(&f->res, "11.0.4.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.layers_certain);
	assert_true(f->v.more_likely);
	fi = find(&f->v, "provider-nat-likely");
	assert_non_null(fi);
	assert_non_null(strstr(fi->evidence, "did not answer"));
	assert_non_null(strstr(fi->evidence, "NO_RESOURCES"));
	assert_null(find(&f->v, "behind-nat"));
}

/* Issue 10 case 2 and 5: the provider's routers send no ICMP, and the home
 * router answers every protocol but refuses, as miniupnpd does with a
 * private or shared WAN address. "1 layer" is not what that shows. */
static void case2_silent_provider_and_refusing_router(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "11.0.4.2");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.result_code = 3; /* NETWORK_FAILURE */
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.result_code = 8; /* NO_RESOURCES */
	f->res.gateway.upnp.available = true;
	text_copy(f->res.gateway.upnp.connection_status, 32, "Connected");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, NULL);
	hop(&f->res, NULL);
	hop(&f->res, "11.0.0.10");
	f->res.path.reached_ttl = 4;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1); /* a lower bound */
	assert_false(f->v.layers_certain);
	assert_true(f->v.more_likely);
	assert_false(f->v.cgnat);
	fi = find(&f->v, "provider-nat-likely");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_WARNING);
	assert_non_null(strstr(fi->summary, "likely"));
	assert_non_null(strstr(fi->evidence, "Network Failure"));
	assert_non_null(strstr(fi->evidence, "NO_RESOURCES"));
	assert_non_null(strstr(fi->evidence, "did not answer"));
	/* The remedy starts with the step that tells. */
	assert_ptr_equal(strstr(fi->remedy, "Look at your router's WAN"), fi->remedy);
	assert_non_null(strstr(fi->remedy, "100.64"));
	assert_null(find(&f->v, "behind-nat"));
	/* Case 5: refusing is not offering. */
	assert_null(find(&f->v, "gateway-mapping-available"));
	fi = find(&f->v, "gateway-mapping-refused");
	assert_non_null(fi);
	assert_non_null(strstr(fi->summary, "PCP NAT-PMP UPnP IGD"));
	assert_non_null(strstr(fi->evidence, "UPnP GetExternalIPAddress gave no address"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_PROBLEM);

	/* PCP ANNOUNCE's success (--no-pcp-map) tried no mapping: with its
	 * siblings refusing, it is not offered either. */
	f->res.gateway.pcp.result_code = 0;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "gateway-mapping-available"));
	assert_null(strstr(find(&f->v, "gateway-mapping-refused")->summary, "PCP"));
	assert_true(f->v.more_likely);
}

static void silent_hops_alone_make_one_layer_uncertain(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, NULL);
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.layers_certain);
	assert_false(f->v.more_likely);
	fi = find(&f->v, "behind-nat");
	assert_non_null(fi);
	assert_non_null(strstr(fi->remedy, "If the forward does not help"));

	/* The router vouching for the public address settles it. */
	memset(&f->res, 0, sizeof(f->res));
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.external = ip("45.0.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, NULL);
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_true(f->v.layers_certain);
	assert_null(strstr(find(&f->v, "behind-nat")->remedy, "If the forward does not help"));
}

/* Issue 10 case 5 with a router that only forbids: no WAN evidence. */
static void refusing_by_policy_is_not_offering(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.result_code = 2; /* NOT_AUTHORIZED */
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.result_code = 2;
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_true(f->v.layers_certain);
	assert_null(find(&f->v, "gateway-mapping-available"));
	fi = find(&f->v, "gateway-mapping-refused");
	assert_non_null(fi);
	assert_non_null(strstr(fi->evidence, "NOT_AUTHORIZED"));
	assert_null(strstr(find(&f->v, "behind-nat")->remedy, "automatic mapping"));
}

/* Issue 10 case 8: the double-NAT remedy names the router's WAN address
 * whenever a protocol told it, refusals included, and the outer box. */
static void case8_double_nat_remedy_has_the_addresses(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	f->res.gateway.pcp.available = true;
	f->res.gateway.pcp.result_code = 8;
	f->res.gateway.pcp.external = ip("192.168.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "192.168.0.1");
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
	assert_true(f->v.layers_certain);
	fi = find(&f->v, "double-nat");
	assert_non_null(fi);
	assert_non_null(strstr(fi->remedy, "router's WAN address 192.168.0.2"));
	assert_non_null(strstr(fi->remedy, "192.168.0.1"));
	assert_non_null(strstr(fi->remedy, "TCP 30333 -> 192.168.1.10:30333"));
}

/* Issue 10 case 3: endpoint-independent filtering speaks for UDP only. */
static void case3_udp_full_cone_says_nothing_about_tcp(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.pub.v4.mapping_varies = TRI_NO;
	f->res.pub.v4.filtering = FILTERING_ENDPOINT_INDEPENDENT;
	verdict_compute(&f->cfg, &f->res, &f->v);
	fi = find(&f->v, "behind-nat");
	assert_int_equal(fi->severity, SEV_WARNING);
	assert_non_null(strstr(fi->summary, "not measured"));
	assert_null(strstr(fi->remedy, "Nothing is required"));
	assert_non_null(strstr(fi->remedy, "nc -vz 45.0.0.2 30333"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_PROBLEM);

	/* A dial-back from outside that reached every TCP port settles it. */
	f->res.reach.measured = true;
	f->res.reach.reached[0] = f->res.reach.reached[1] = TRI_YES;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(find(&f->v, "behind-nat")->severity, SEV_INFO);
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_OK);

	/* A UDP-only node: the measurement is about its own protocol. */
	f->res.reach.measured = false;
	f->cfg.n_ports = 1;
	f->cfg.ports[0] = (struct node_port){ 30303, IPPROTO_UDP };
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(find(&f->v, "behind-nat")->severity, SEV_INFO);
}

/* Issue 10 case 4: a public host whose strangers' UDP is dropped. */
static void case4_public_host_with_stateful_firewall(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "45.1.1.10", "45.1.1.1", "45.1.1.10");
	f->res.pub.v4.filtering = FILTERING_ADDRESS_AND_PORT_DEPENDENT;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 0);
	assert_non_null(find(&f->v, "public-address"));
	fi = find(&f->v, "host-firewall");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_WARNING);
	assert_non_null(strstr(fi->remedy, "nft list ruleset"));
	assert_non_null(strstr(fi->remedy, "iptables -S"));
	assert_non_null(strstr(fi->remedy, "security group"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_PROBLEM);
}

static void symmetric_nat(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.pub.v4.mapping_varies = TRI_YES;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.mapping_varies, TRI_YES);
	assert_non_null(find(&f->v, "symmetric-nat"));
}

/* A server that ignored CHANGE-REQUEST (stunprobe left filtering unknown
 * and said why): named in a warning, and the NAT is not called open. */
static void rfc5780_server_that_ignores_change_request(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	text_copy(f->res.pub.v4.servers[0].rfc5780_problem,
		  sizeof(f->res.pub.v4.servers[0].rfc5780_problem),
		  "its answer to the change-IP-and-port test came from 45.9.0.1:3478, not "
		  "45.9.0.3:3479");
	verdict_compute(&f->cfg, &f->res, &f->v);
	fi = find(&f->v, "stun-rfc5780-unsupported");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_WARNING);
	assert_non_null(strstr(fi->summary, "STUN server a "));
	assert_non_null(strstr(fi->evidence, "45.9.0.1:3478, not 45.9.0.3:3479"));
	assert_int_equal(f->v.filtering, FILTERING_UNKNOWN);
	fi = find(&f->v, "behind-nat");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_WARNING);
}

/* An IPv6 side for base(): local is this host's address, mapped what STUN
 * sees. */
static void v6(struct fixture *f, const char *local, const char *mapped,
	       enum nat_filtering filtering)
{
	struct check_result *r = &f->res;

	r->local.route6.present = true;
	r->local.route6.source = ip(local);
	r->pub.v6.local = ip(local);
	r->pub.v6.local.port = 40001;
	r->pub.v6.n_servers = 1;
	text_copy(r->pub.v6.servers[0].name, CHECK_HOST_MAX, "a6");
	r->pub.v6.servers[0].server = ip("2a00:11::10");
	if (mapped) {
		r->pub.v6.mapped = ip(mapped);
		r->pub.v6.mapped.port = 40001;
		r->pub.v6.n_answered = 1;
		r->pub.v6.servers[0].answered = true;
		r->pub.v6.servers[0].mapped = r->pub.v6.mapped;
	}
	r->pub.v6.filtering = filtering;
}

/* Issue 10 item 9: no IPv4 route is no IPv4 verdict, and -4 there tests
 * nothing. */
static void no_ipv4_route_is_no_ipv4_verdict(void **state)
{
	struct fixture *f = *state;

	v6(f, "2a00:11:1::10", "2a00:11:1::10", FILTERING_UNKNOWN);
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, -1);
	assert_false(f->v.layers_certain);
	assert_null(find(&f->v, "public-address"));
	assert_null(find(&f->v, "stun-no-answer"));
	assert_non_null(find(&f->v, "ipv6-public"));
	assert_int_equal(f->v.nat66, TRI_NO);

	f->cfg.ipv6 = false; /* -4 */
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_true(f->v.no_network);
	assert_non_null(strstr(find(&f->v, "no-network")->summary, "IPv4"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_NOTEST);
}

/* Issue 10 item 10: -6 judges IPv6 only. */
static void only_ipv6_asked(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", NULL);
	f->res.pub.v4.n_servers = 0;
	v6(f, "2a00:11:3::10", NULL, FILTERING_UNKNOWN);
	f->cfg.ipv4 = false;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, -1);
	assert_null(find(&f->v, "behind-nat"));
	assert_non_null(strstr(find(&f->v, "stun-no-answer")->summary, "IPv6"));
	assert_null(strstr(find(&f->v, "stun-no-answer")->summary, "IPv4"));
}

/* Issue 10 items 11 and 12: behind CGNAT, IPv6 is the way out; a filtered
 * IPv6 is then a problem, and the CGNAT remedy names the address. */
static void ipv6_way_out_behind_cgnat(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "100.64.0.1");
	hop(&f->res, "45.0.0.1");
	v6(f, "2a00:11:3::10", "2a00:11:3::10", FILTERING_ADDRESS_AND_PORT_DEPENDENT);
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.filtering6, FILTERING_ADDRESS_AND_PORT_DEPENDENT);
	fi = find(&f->v, "cgnat");
	assert_non_null(strstr(fi->remedy, "--listen-addr /ip6/::/tcp/30333"));
	assert_non_null(strstr(fi->remedy, "--public-addr /ip6/2a00:11:3::10/tcp/30333"));
	fi = find(&f->v, "ipv6-inbound-filtered");
	assert_non_null(fi);
	assert_int_equal(fi->severity, SEV_PROBLEM);
	assert_non_null(strstr(fi->remedy, "IPv6 firewall"));

	/* Behind one NAT IPv4 can take peers: the IPv6 filter is a note. */
	memset(&f->res, 0, sizeof(f->res));
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	v6(f, "2a00:11:3::10", "2a00:11:3::10", FILTERING_ADDRESS_AND_PORT_DEPENDENT);
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(find(&f->v, "ipv6-inbound-filtered")->severity, SEV_INFO);

	/* Admitted: no filter finding. */
	f->res.pub.v6.filtering = FILTERING_ENDPOINT_INDEPENDENT;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "ipv6-inbound-filtered"));

	/* No IPv6 at all behind CGNAT: said so, not "use IPv6 if you have it". */
	memset(&f->res, 0, sizeof(f->res));
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.1");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "100.64.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(strstr(find(&f->v, "cgnat")->remedy, "no IPv6 default route"));
}

/* Issue 10 item 13: NAT66 names the ULA and the forward to it. */
static void nat66_names_the_ula(void **state)
{
	struct fixture *f = *state;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	v6(f, "fd00:1::10", "2a00:11:2::2", FILTERING_ADDRESS_AND_PORT_DEPENDENT);
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.nat66, TRI_YES);
	fi = find(&f->v, "nat66");
	assert_non_null(fi);
	assert_non_null(strstr(fi->summary, "fd00:1::10"));
	assert_non_null(strstr(fi->remedy, "[fd00:1::10]"));
	assert_non_null(strstr(fi->remedy, "routed"));
	assert_null(find(&f->v, "ipv6-public"));
}

static void no_route_is_no_network(void **state)
{
	struct fixture *f = *state;

	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_true(f->v.no_network);
	assert_int_equal(f->v.layers, -1);
	assert_non_null(find(&f->v, "no-network"));
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_NOTEST);
}

static void stun_silent_or_unresolved(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", NULL);
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "stun-no-answer"));
	assert_int_equal(f->v.layers, 1); /* private host: at least the router */
	assert_int_equal(f->v.public4.family, 0);

	memset(&f->res, 0, sizeof(f->res));
	base(f, "192.168.1.10", "192.168.1.1", NULL);
	memset(&f->res.pub.v4.servers[0].server, 0, sizeof(struct netaddr));
	memset(&f->res.pub.v4.servers[1].server, 0, sizeof(struct netaddr));
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "stun-unresolved"));
	assert_null(find(&f->v, "stun-no-answer"));
}

static void listeners(void **state)
{
	struct fixture *f = *state;
	struct local_listener *l = f->res.local.listeners;

	base(f, "45.1.1.10", "45.1.1.1", "45.1.1.10");
	f->res.local.n_listeners = 2;
	l[0].port = (struct node_port){ 30333, IPPROTO_TCP };
	l[0].listening = TRI_YES;
	l[0].loopback_only = true;
	l[0].addrs[l[0].n_addrs++] = ip("127.0.0.1");
	l[1].port = (struct node_port){ 30334, IPPROTO_TCP };
	l[1].listening = TRI_NO;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-listens-on-loopback"));
	assert_non_null(strstr(find(&f->v, "node-not-listening")->summary, "30334"));
}

static void upnp_mapping_to_another_host(void **state)
{
	struct fixture *f = *state;
	struct upnp_port_mapping *m = f->res.gateway.upnp.mappings;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.upnp.available = true;
	f->res.gateway.upnp.external = ip("45.0.0.2");
	f->res.gateway.upnp.n_mappings = 2;
	m[0].port = (struct node_port){ 30333, IPPROTO_TCP };
	m[0].exists = true;
	m[0].internal = ip("192.168.1.77");
	m[1].port = (struct node_port){ 30334, IPPROTO_TCP };
	m[1].exists = true;
	m[1].internal = ip("192.168.1.10");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(strstr(find(&f->v, "upnp-mapping-elsewhere")->summary, "192.168.1.77"));
	assert_non_null(find(&f->v, "upnp-mapping-present"));
}

static void other_node_kinds_get_their_flag(void **state)
{
	struct fixture *f = *state;

	text_copy(f->cfg.node_kind, sizeof(f->cfg.node_kind), "bitcoin");
	f->cfg.n_ports = 1;
	f->cfg.ports[0] = (struct node_port){ 8333, IPPROTO_TCP };
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(strstr(find(&f->v, "behind-nat")->remedy, "-externalip=45.0.0.2"));
	assert_non_null(strstr(find(&f->v, "behind-nat")->remedy, "TCP 8333 -> 192.168.1.10:8333"));
}

/* Issue 8 item 4: the evidence names why answers were thrown away;
 * duplicates of a retransmission are no fault and raise no warning. */
static void gateway_bad_answers_by_reason(void **state)
{
	struct fixture *f = *state;
	struct gateway_view *g = &f->res.gateway;
	const struct finding *fi;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	g->pcp.rejected[GW_REJECT_DUPLICATE] = 2;
	g->natpmp.rejected[GW_REJECT_DUPLICATE] = 1;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "gateway-bad-answers"));
	g->pcp.rejected[GW_REJECT_NONCE] = 3;
	g->pcp.rejected[GW_REJECT_LENGTH] = 1;
	g->pcp.bad_packets = 4;
	g->natpmp.rejected[GW_REJECT_ADDRESS] = 1;
	g->natpmp.bad_packets = 1;
	g->upnp.bad_answers = 2;
	verdict_compute(&f->cfg, &f->res, &f->v);
	fi = find(&f->v, "gateway-bad-answers");
	assert_non_null(fi);
	assert_non_null(strstr(fi->summary, "7 malformed"));
	assert_string_equal(
	    fi->evidence, "PCP: 1 answer of the wrong length, 3 answers with the wrong nonce; "
			  "NAT-PMP: 1 answer with an impossible external address; UPnP: 2 answers");
	/* A total without reasons still reads. */
	memset(g->pcp.rejected, 0, sizeof(g->pcp.rejected));
	g->natpmp.bad_packets = 0;
	g->upnp.bad_answers = 0;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_string_equal(find(&f->v, "gateway-bad-answers")->evidence, "PCP: 4 answers");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(public_host_has_no_nat),
		T(public_host_seen_elsewhere_is_named),
		T(other_family_servers_are_not_dns),
		T(home_router_is_one_layer_with_filled_remedy),
		T(cgnat_from_gateway_wan),
		T(cgnat_from_path_alone),
		T(host_in_shared_space_is_cgnat),
		T(router_protocols_disagree),
		T(double_nat_private_wan),
		T(three_layers_counted_by_realm),
		T(double_nat_from_path_same_private_range),
		T(private_hop_against_router_claim),
		T(wan_public_but_not_what_stun_sees),
		T(case1_stun_learning_router_behind_cgnat),
		T(case2_silent_provider_and_refusing_router),
		T(stun_learning_router_behind_silent_cgnat),
		T(silent_hops_alone_make_one_layer_uncertain),
		T(refusing_by_policy_is_not_offering),
		T(case8_double_nat_remedy_has_the_addresses),
		T(case3_udp_full_cone_says_nothing_about_tcp),
		T(case4_public_host_with_stateful_firewall),
		T(symmetric_nat),
		T(rfc5780_server_that_ignores_change_request),
		T(no_ipv4_route_is_no_ipv4_verdict),
		T(only_ipv6_asked),
		T(ipv6_way_out_behind_cgnat),
		T(nat66_names_the_ula),
		T(no_route_is_no_network),
		T(stun_silent_or_unresolved),
		T(listeners),
		T(upnp_mapping_to_another_host),
		T(other_node_kinds_get_their_flag),
		T(gateway_bad_answers_by_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

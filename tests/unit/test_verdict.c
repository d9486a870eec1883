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

static void public_wan_overrides_private_provider_hops(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.gateway.upnp.available = true;
	f->res.gateway.upnp.external = ip("45.0.0.2");
	hop(&f->res, "192.168.1.1");
	hop(&f->res, "10.20.0.1"); /* the provider's router in private space */
	hop(&f->res, "45.0.0.1");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_false(f->v.cgnat);
}

static void wan_public_but_not_what_stun_sees(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.9");
	f->res.gateway.natpmp.available = true;
	f->res.gateway.natpmp.external = ip("45.0.0.2");
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.layers, 2);
}

static void symmetric_and_dmz(void **state)
{
	struct fixture *f = *state;

	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.pub.v4.mapping_varies = TRI_YES;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.mapping_varies, TRI_YES);
	assert_non_null(find(&f->v, "symmetric-nat"));

	memset(&f->res, 0, sizeof(f->res));
	base(f, "192.168.1.10", "192.168.1.1", "45.0.0.2");
	f->res.pub.v4.mapping_varies = TRI_NO;
	f->res.pub.v4.filtering = FILTERING_ENDPOINT_INDEPENDENT;
	verdict_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "symmetric-nat"));
	assert_int_equal(find(&f->v, "behind-nat")->severity, SEV_INFO);
	assert_int_equal(verdict_exit_status(&f->v), ND_EXIT_OK);
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

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(public_host_has_no_nat),
		T(home_router_is_one_layer_with_filled_remedy),
		T(cgnat_from_gateway_wan),
		T(cgnat_from_path_alone),
		T(double_nat_private_wan),
		T(three_layers_counted_by_realm),
		T(double_nat_from_path_same_private_range),
		T(public_wan_overrides_private_provider_hops),
		T(wan_public_but_not_what_stun_sees),
		T(symmetric_and_dmz),
		T(no_route_is_no_network),
		T(stun_silent_or_unresolved),
		T(listeners),
		T(upnp_mapping_to_another_host),
		T(other_node_kinds_get_their_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

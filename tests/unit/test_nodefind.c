/* SPDX-License-Identifier: MIT */
/*
 * The node findings from hand-built node views: one story from the issue
 * trackers per test, each held against what STUN and the router show.
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
#include "check/nodefind.h"
#include "check/verdict.h"
#include "util/text.h"

struct fixture {
	struct check_config cfg;
	struct check_result res;
	struct verdict v;
};

static struct multiaddr ma(const char *s)
{
	struct multiaddr m;

	assert_int_equal(multiaddr_parse(s, strlen(s), &m), 0);
	return m;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct node_view *n = &f->res.node;

	check_config_default(&f->cfg);
	n->gathered = true;
	n->peers = n->inbound = n->outbound = n->in_slots = n->out_slots = n->log_peers = -1;
	/* STUN saw 203.0.113.7 (as verdict_compute would have set it). */
	netaddr_parse_ip(&f->v.public4, "203.0.113.7");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void advertise(struct fixture *f, const char *addr, enum node_source from)
{
	struct node_view *n = &f->res.node;

	n->advertised[n->n_advertised].m = ma(addr);
	n->advertised[n->n_advertised].cls =
	    nodefind_classify(&n->advertised[n->n_advertised].m, &f->res.local);
	n->advertised[n->n_advertised++].from = from;
	n->advertised_known = true;
}

static void listen_on(struct fixture *f, const char *addr)
{
	struct node_view *n = &f->res.node;

	n->listen[n->n_listen].m = ma(addr);
	n->listen[n->n_listen].cls = nodefind_classify(&n->listen[n->n_listen].m, &f->res.local);
	n->n_listen++;
}

static struct node_process *process(struct fixture *f, int pid, const char *cmdline, size_t len)
{
	struct node_process *p = &f->res.node.procs[f->res.node.n_procs++];

	p->pid = pid;
	p->args_read = nodeargs_parse(cmdline, len, &p->args) == 0;
	p->port = p->args.chain[0].port > 0 ? (uint16_t)p->args.chain[0].port : 30333;
	if (p->args.substrate && f->res.node.n_procs == 1) {
		f->res.node.in_slots = nodeargs_in_peers(&p->args.chain[0]);
		f->res.node.out_slots = nodeargs_out_peers(&p->args.chain[0]);
	}
	return p;
}

static const struct finding *find(const struct verdict *v, const char *id)
{
	for (size_t i = 0; i < v->n_findings; i++)
		if (!strcmp(v->findings[i].id, id))
			return &v->findings[i];
	return NULL;
}

static size_t count(const struct verdict *v, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_findings; i++)
		n += !strncmp(v->findings[i].id, prefix, strlen(prefix));
	return n;
}

static void classes(void **state)
{
	struct fixture *f = *state;
	struct local_ifaddr *br = &f->res.local.addrs[f->res.local.n_addrs++];
	struct multiaddr m;

	text_copy(br->ifname, sizeof(br->ifname), "br-1a2b3c4d");
	netaddr_parse_ip(&br->addr, "172.20.0.1");
	br->prefixlen = 16;
#define CLS(s) (m = ma(s), nodefind_classify(&m, &f->res.local))
	assert_int_equal(CLS("/ip4/203.0.113.7/tcp/30333"), NODE_ADDR_RESERVED); /* docs range */
	assert_int_equal(CLS("/ip4/8.8.8.8/tcp/30333"), NODE_ADDR_PUBLIC);
	assert_int_equal(CLS("/ip4/172.17.0.2/tcp/30333"), NODE_ADDR_DOCKER);
	assert_int_equal(CLS("/ip4/172.20.5.9/tcp/30333"), NODE_ADDR_DOCKER);
	assert_int_equal(CLS("/ip4/172.21.0.2/tcp/30333"), NODE_ADDR_PRIVATE);
	assert_int_equal(CLS("/ip4/100.64.3.4/tcp/30333"), NODE_ADDR_CGNAT);
	assert_int_equal(CLS("/ip4/127.0.0.1/tcp/30333"), NODE_ADDR_LOOPBACK);
	assert_int_equal(CLS("/ip6/fe80::1/tcp/30333"), NODE_ADDR_LINKLOCAL);
	assert_int_equal(CLS("/ip4/0.0.0.0/tcp/30333"), NODE_ADDR_UNSPECIFIED);
	assert_int_equal(CLS("/dns4/node.example.org/tcp/30333"), NODE_ADDR_DNS);
	assert_int_equal(CLS("/ip4/8.8.8.8/tcp/30333/p2p/12D3KooWA/p2p-circuit"),
			 NODE_ADDR_RELAYED);
	assert_int_equal(CLS("/ip6/2001:4860::1/tcp/30333/ws"), NODE_ADDR_PUBLIC);
#undef CLS
	assert_true(nodefind_dialable(NODE_ADDR_DNS));
	assert_false(nodefind_dialable(NODE_ADDR_DOCKER));
	assert_string_equal(node_addr_class_name(NODE_ADDR_DOCKER), "docker-bridge");
}

static void nothing_dialable(void **state)
{
	struct fixture *f = *state;
	const struct finding *x;

	listen_on(f, "/ip4/127.0.0.1/tcp/30333");
	listen_on(f, "/ip4/192.168.1.10/tcp/30333");
	advertise(f, "/ip4/172.17.0.2/tcp/30333", NODE_SRC_RPC);
	nodefind_compute(&f->cfg, &f->res, &f->v);
	x = find(&f->v, "node-not-dialable");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_PROBLEM);
	assert_non_null(strstr(x->evidence, "/ip4/172.17.0.2/tcp/30333 (docker-bridge)"));
	assert_non_null(strstr(x->remedy, "--public-addr /ip4/203.0.113.7/tcp/30333"));
}

static void public_dialable_listener_is_fine(void **state)
{
	struct fixture *f = *state;

	/* A host on a public address: nothing external known, but it
	 * listens on a public address peers learn by identify. */
	netaddr_parse_ip(&f->v.public4, "8.8.8.8");
	listen_on(f, "/ip4/8.8.8.8/tcp/30333");
	f->res.node.advertised_known = true;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(count(&f->v, "node-advertises"), 0);
}

static void other_address_and_port(void **state)
{
	struct fixture *f = *state;
	static const char cmd[] = "polkadot\0--port\0"
				  "30333";

	netaddr_parse_ip(&f->v.public4, "8.8.8.8");
	process(f, 100, cmd, sizeof(cmd));
	advertise(f, "/ip4/8.8.4.4/tcp/30333", NODE_SRC_PROCESS); /* stale --public-addr */
	advertise(f, "/ip4/8.8.8.8/tcp/41234", NODE_SRC_LOG);	  /* ephemeral port */
	advertise(f, "/ip4/8.8.8.8/tcp/30333", NODE_SRC_RPC);	  /* right */
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-advertises-other-address"));
	assert_non_null(
	    strstr(find(&f->v, "node-advertises-other-address")->evidence, "its --public-addr"));
	assert_non_null(find(&f->v, "node-advertises-other-port"));
	assert_non_null(strstr(find(&f->v, "node-advertises-other-port")->remedy,
			       "--public-addr /ip4/8.8.8.8/tcp/30333"));
	assert_int_equal(count(&f->v, "node-advertises-other-port"), 1);
	assert_null(find(&f->v, "node-not-dialable"));
}

static void forwarded_port_is_fine(void **state)
{
	struct fixture *f = *state;
	struct upnp_result *u = &f->res.gateway.upnp;

	netaddr_parse_ip(&f->v.public4, "8.8.8.8");
	u->mappings[0].exists = true;
	u->mappings[0].port = (struct node_port){ 40333, IPPROTO_TCP };
	u->n_mappings = 1;
	advertise(f, "/ip4/8.8.8.8/tcp/40333", NODE_SRC_PROCESS);
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-advertises-other-port"));
}

static void churn(void **state)
{
	struct fixture *f = *state;
	struct node_view *n = &f->res.node;
	static const uint16_t ports[] = { 30333, 41234, 52711 };

	for (size_t i = 0; i < 3; i++) {
		n->discovered[i].m = ma("/ip4/8.8.8.8/tcp/1");
		n->discovered[i].m.port = ports[i];
		n->discovered[i].seen = 2;
	}
	/* The relay chain's own port on a Phala node is not churn. */
	n->discovered[3].m = ma("/ip4/8.8.8.8/tcp/30334");
	n->discovered[3].chain = NODELOG_CHAIN_RELAY;
	n->n_discovered = 4;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(count(&f->v, "node-external-address-churn"), 1);
	assert_non_null(
	    strstr(find(&f->v, "node-external-address-churn")->evidence, "3 ports for 8.8.8.8"));
}

static void restart_on_another_port_is_not_churn(void **state)
{
	struct fixture *f = *state;
	struct node_view *n = &f->res.node;

	n->discovered[0].m = ma("/ip4/8.8.8.8/tcp/30333");
	n->discovered[1].m = ma("/ip4/8.8.8.8/tcp/30334"); /* the other checked port */
	n->n_discovered = 2;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-external-address-churn"));
}

static void budget_defaults_and_small(void **state)
{
	struct fixture *f = *state;
	static const char defaults[] = "polkadot\0--chain\0polkadot";
	static const char small[] = "polkadot\0--in-peers\0"
				    "10\0--out-peers\0"
				    "5";
	static const char big[] = "polkadot\0--in-peers\0"
				  "50\0--out-peers\0"
				  "10";
	const struct finding *x;

	process(f, 100, defaults, sizeof(defaults));
	nodefind_compute(&f->cfg, &f->res, &f->v);
	x = find(&f->v, "node-peer-budget");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	assert_non_null(strstr(x->summary, "at most 40 peers (8 out + 32 in)"));
	assert_non_null(strstr(x->remedy, "--in-peers 42"));

	teardown(state);
	setup(state);
	f = *state;
	process(f, 100, small, sizeof(small));
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(find(&f->v, "node-peer-budget")->severity, SEV_WARNING);

	teardown(state);
	setup(state);
	f = *state;
	process(f, 100, big, sizeof(big));
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-peer-budget"));
}

static void no_inbound_signature(void **state)
{
	struct fixture *f = *state;
	struct node_view *n = &f->res.node;

	n->peers = 8;
	n->inbound = 0;
	n->outbound = 8;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-no-inbound"));
	assert_non_null(strstr(find(&f->v, "node-no-inbound")->evidence, "8 peers, 0 inbound"));

	/* One inbound connection: someone can reach it. */
	teardown(state);
	setup(state);
	f = *state;
	f->res.node.peers = 9;
	f->res.node.inbound = 1;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-no-inbound"));
}

static void two_nodes_one_address(void **state)
{
	struct fixture *f = *state;
	static const char a[] = "polkadot\0--port\0"
				"30333\0--public-addr\0/ip4/8.8.8.8/tcp/30333";
	static const char b[] = "khala-node\0--port\0"
				"30333\0--public-addr=/ip4/8.8.8.8/tcp/30333";

	process(f, 100, a, sizeof(a));
	text_copy(process(f, 200, b, sizeof(b))->container, NODE_CONTAINER_MAX,
		  "docker 1a2b3c4d5e6f");
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-same-public-address"));
	assert_non_null(strstr(find(&f->v, "node-same-public-address")->evidence,
			       "pid 200 (khala-node, docker 1a2b3c4d5e6f)"));
}

static void two_rpc_nodes_one_address(void **state)
{
	struct fixture *f = *state;
	struct node_view *n = &f->res.node;
	struct node_other *o = &n->others[n->n_others++];

	netaddr_parse_ip(&f->v.public4, "8.8.8.8");
	text_copy(n->peer_id, sizeof(n->peer_id), "12D3KooWA");
	text_copy(n->rpc.url, sizeof(n->rpc.url), "http://127.0.0.1:9944");
	listen_on(f, "/ip4/192.168.1.10/tcp/30333");
	/* The other node advertises nothing, but listens on the same port:
	 * STUN's address and that port, like ours. */
	o->ok = true;
	text_copy(o->peer_id, sizeof(o->peer_id), "12D3KooWB");
	text_copy(o->url, sizeof(o->url), "http://127.0.0.1:9945");
	o->listen_port = 30333;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-same-public-address"));
	assert_non_null(
	    strstr(find(&f->v, "node-same-public-address")->evidence, "/ip4/8.8.8.8/tcp/30333"));

	/* Its own port: fine. The same peer id: one node, two URLs. */
	o->listen_port = 30335;
	f->v.n_findings = 0;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-same-public-address"));
	o->listen_port = 30333;
	text_copy(o->peer_id, sizeof(o->peer_id), "12D3KooWA");
	f->v.n_findings = 0;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-same-public-address"));
}

static void ipv6_way_out_of_cgnat(void **state)
{
	struct fixture *f = *state;
	struct local_ifaddr *g = &f->res.local.addrs[f->res.local.n_addrs++], global;

	f->v.cgnat = true;
	text_copy(g->ifname, sizeof(g->ifname), "eth0");
	netaddr_parse_ip(&g->addr, "2001:4860::7");
	g->cls = NETADDR_PUBLIC;
	listen_on(f, "/ip6/::/tcp/30333");
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-ipv6-way-out"));
	assert_non_null(strstr(find(&f->v, "node-ipv6-way-out")->remedy,
			       "--public-addr /ip6/2001:4860::7/tcp/30333"));

	/* Already advertised: nothing to say. */
	global = *g;
	teardown(state);
	setup(state);
	f = *state;
	f->v.cgnat = true;
	f->res.local.addrs[0] = global;
	f->res.local.n_addrs = 1;
	listen_on(f, "/ip6/::/tcp/30333");
	advertise(f, "/ip6/2001:4860::7/tcp/30333", NODE_SRC_PROCESS);
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-ipv6-way-out"));
}

static void unreadable_only_when_it_matters(void **state)
{
	struct fixture *f = *state;
	struct node_view *n = &f->res.node;

	/* The default ports, nobody there: no node here, no finding. */
	n->rpc.tried = n->metrics.tried = true;
	n->rpc.refused = n->metrics.refused = true;
	text_copy(n->rpc.error, sizeof(n->rpc.error), "connection refused");
	text_copy(n->metrics.error, sizeof(n->metrics.error), "connection refused");
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_null(find(&f->v, "node-view-unreadable"));

	/* The operator's --rpc lies: a warning that says why. */
	n->rpc.user_given = true;
	n->rpc.refused = false;
	text_copy(n->rpc.error, sizeof(n->rpc.error),
		  "system_health: JSON, but not the answer expected");
	f->v.n_findings = 0;
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_non_null(find(&f->v, "node-view-unreadable"));
	assert_int_equal(find(&f->v, "node-view-unreadable")->severity, SEV_WARNING);
	assert_non_null(strstr(find(&f->v, "node-view-unreadable")->evidence, "system_health"));
}

static void not_gathered_says_nothing(void **state)
{
	struct fixture *f = *state;

	memset(&f->res.node, 0, sizeof(f->res.node));
	f->res.node.rpc.tried = true;
	text_copy(f->res.node.rpc.error, sizeof(f->res.node.rpc.error), "x");
	nodefind_compute(&f->cfg, &f->res, &f->v);
	assert_int_equal(f->v.n_findings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(classes, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_dialable, setup, teardown),
		cmocka_unit_test_setup_teardown(public_dialable_listener_is_fine, setup, teardown),
		cmocka_unit_test_setup_teardown(other_address_and_port, setup, teardown),
		cmocka_unit_test_setup_teardown(forwarded_port_is_fine, setup, teardown),
		cmocka_unit_test_setup_teardown(churn, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_on_another_port_is_not_churn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(budget_defaults_and_small, setup, teardown),
		cmocka_unit_test_setup_teardown(no_inbound_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(two_nodes_one_address, setup, teardown),
		cmocka_unit_test_setup_teardown(two_rpc_nodes_one_address, setup, teardown),
		cmocka_unit_test_setup_teardown(ipv6_way_out_of_cgnat, setup, teardown),
		cmocka_unit_test_setup_teardown(unreadable_only_when_it_matters, setup, teardown),
		cmocka_unit_test_setup_teardown(not_gathered_says_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

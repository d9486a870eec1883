/* SPDX-License-Identifier: MIT */
/*
 * check/reach.c from hand-built results: RFC 5780 mapping classification,
 * and for each node port reachable / answered_by / blocked_by with the
 * outermost blocker first, plus the findings the verdict gets from it.
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
#include "check/reach.h"
#include "check/verdict.h"
#include "nd_test.h"
#include "proto/dialback.h"
#include "util/text.h"

static void test_classify_mapping(void **state)
{
	struct netaddr none = { 0 }, local = nd_ip("192.168.1.10", 5000);
	struct netaddr m1 = nd_ip("11.0.2.2", 5000), m2 = nd_ip("11.0.2.2", 6000),
		       m3 = nd_ip("11.0.2.2", 7000);

	(void)state;
	assert_int_equal(reach_classify_mapping(&local, &none, &none, &none), MAPPING_UNKNOWN);
	assert_int_equal(reach_classify_mapping(&local, &local, &none, &none), MAPPING_NONE);
	assert_int_equal(reach_classify_mapping(&local, &m1, &none, &none), MAPPING_UNKNOWN);
	assert_int_equal(reach_classify_mapping(&local, &m1, &m1, &none),
			 MAPPING_ENDPOINT_INDEPENDENT);
	assert_int_equal(reach_classify_mapping(&local, &m1, &m2, &none), MAPPING_UNKNOWN);
	assert_int_equal(reach_classify_mapping(&local, &m1, &m2, &m2), MAPPING_ADDRESS_DEPENDENT);
	assert_int_equal(reach_classify_mapping(&local, &m1, &m2, &m3),
			 MAPPING_ADDRESS_AND_PORT_DEPENDENT);
	/* The same port on another IP is a NAT that keeps the port, not "none". */
	assert_int_equal(reach_classify_mapping(&local, &m1, &m1, &none),
			 MAPPING_ENDPOINT_INDEPENDENT);
	assert_string_equal(reach_mapping_name(MAPPING_ADDRESS_DEPENDENT), "address-dependent");
	assert_null(reach_mapping_name(MAPPING_UNKNOWN));
}

struct fx {
	struct check_config cfg;
	struct check_result res;
	struct verdict v;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	check_config_default(&f->cfg); /* TCP 30333 and 30334 */
	f->cfg.n_servers = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* The node listens on both ports (or not), the server dialled both back
 * with result d0 / d1. */
static void world(struct fx *f, const char *host, bool listening, uint8_t d0, uint8_t d1)
{
	struct check_result *r = &f->res;
	struct reach_view *rv = &r->reach;

	r->local.route4.present = true;
	r->local.route4.source = nd_ip(host, 0);
	r->local.n_listeners = 2;
	rv->tried = true;
	rv->n_ports = 2;
	for (int i = 0; i < 2; i++) {
		r->local.listeners[i].port = f->cfg.ports[i];
		r->local.listeners[i].listening = listening ? TRI_YES : TRI_NO;
		rv->ports[i].port = f->cfg.ports[i];
		rv->ports[i].dial = i ? d1 : d0;
		rv->reached[i] = reach_port_reached(&rv->ports[i]);
		rv->measured |= rv->reached[i] != TRI_UNKNOWN;
	}
}

static void decide(struct fx *f, int layers, bool cgnat)
{
	reach_decide(&f->cfg, &f->res, &(struct reach_facts){ .layers = layers, .cgnat = cgnat },
		     &f->v.reach);
}

static void test_reached_libp2p_and_other(void **state)
{
	struct fx *f = *state;

	world(f, "11.0.1.10", true, DIALBACK_LIBP2P, DIALBACK_OTHER);
	decide(f, 0, false);
	assert_true(f->v.reach.measured);
	assert_int_equal(f->v.reach.ports[0].reachable, TRI_YES);
	assert_int_equal(f->v.reach.ports[0].answered_by, DIALBACK_LIBP2P);
	assert_int_equal(f->v.reach.ports[1].answered_by, DIALBACK_OTHER);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_NONE);
	assert_true(reach_all_reachable(&f->v.reach));
}

static void test_unmeasured(void **state)
{
	struct fx *f = *state;

	/* The server answered but never dialled (rate-limited, busy, no result). */
	world(f, "11.0.1.10", true, DIALBACK_RATE_LIMITED, 0);
	decide(f, 0, false);
	assert_false(f->v.reach.measured);
	assert_int_equal(f->v.reach.ports[0].reachable, TRI_UNKNOWN);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_NONE);
	assert_false(reach_all_reachable(&f->v.reach));
}

static void test_public_host_firewall(void **state)
{
	struct fx *f = *state;

	world(f, "11.0.1.10", true, DIALBACK_FILTERED, DIALBACK_FILTERED);
	f->res.reach.probe_port = 41000;
	f->res.reach.probe_arrived = true;
	decide(f, 0, false);
	assert_int_equal(f->v.reach.ports[0].reachable, TRI_NO);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_HOST_FIREWALL);
	assert_int_equal(f->v.reach.ports[0].also_blocked_by, 0);
	/* Without the probe's evidence the same facts do not decide. */
	f->res.reach.probe_arrived = false;
	decide(f, 0, false);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_UNKNOWN);
}

static void test_not_listening_behind_cgnat(void **state)
{
	struct fx *f = *state;

	world(f, "192.168.1.10", false, DIALBACK_FILTERED, DIALBACK_REFUSED);
	decide(f, 2, true);
	/* The provider's NAT is outermost; the idle port is still named. */
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_CGNAT);
	assert_int_equal(f->v.reach.ports[0].also_blocked_by, 1u << BLOCKER_NOT_LISTENING);
	assert_int_equal(f->v.reach.ports[1].blocked_by, BLOCKER_CGNAT);
	assert_string_equal(reach_blocker_name(BLOCKER_CGNAT), "cgnat");
	assert_null(reach_blocker_name(BLOCKER_NONE));
}

static void test_provider_filter_and_no_forward(void **state)
{
	struct fx *f = *state;

	world(f, "192.168.1.10", true, DIALBACK_FILTERED, DIALBACK_FILTERED);
	f->res.reach.probe_port = 41000;
	f->res.reach.probe_dial = DIALBACK_PROBE;
	/* 30333's number never arrived through our own mapping; 30334's did. */
	f->res.reach.ports[0].num_probe_tried = true;
	f->res.reach.ports[1].num_probe_tried = true;
	f->res.reach.ports[1].num_probe_arrived = true;
	decide(f, 1, false);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_PROVIDER_FILTER);
	assert_int_equal(f->v.reach.ports[1].blocked_by, BLOCKER_NO_PORT_FORWARD);
	/* Behind NAT without the probe mappings: undecided. */
	f->res.reach.ports[0].num_probe_tried = false;
	decide(f, 1, false);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_UNKNOWN);
}

static void test_forward_elsewhere(void **state)
{
	struct fx *f = *state;
	struct upnp_port_mapping *m = &f->res.gateway.upnp.mappings[0];

	world(f, "192.168.1.10", true, DIALBACK_REFUSED, DIALBACK_FILTERED);
	f->res.gateway.upnp.n_mappings = 1;
	m->port = f->cfg.ports[0];
	m->exists = true;
	m->internal = nd_ip("192.168.1.77", 30333);
	decide(f, 1, false);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_NO_PORT_FORWARD);
	assert_int_equal(f->v.reach.ports[1].blocked_by, BLOCKER_UNKNOWN);
}

static void test_wire(void **state)
{
	struct fx *f = *state;

	/* Public host: the SYN reached the interface, nothing answered. */
	world(f, "11.0.1.10", true, DIALBACK_FILTERED, DIALBACK_FILTERED);
	f->res.reach.ports[0].wire = WIRE_DROPPED;
	f->res.reach.ports[1].wire = WIRE_NOTHING;
	decide(f, 0, false);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_HOST_FIREWALL);
	/* ... or never reached it: dropped upstream, even without the probe. */
	assert_int_equal(f->v.reach.ports[1].blocked_by, BLOCKER_PROVIDER_FILTER);
	/* Behind a NAT the forward works when the SYN arrives: the host's
	 * firewall, not the router. */
	decide(f, 1, false);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_HOST_FIREWALL);
	assert_int_equal(f->v.reach.ports[1].blocked_by, BLOCKER_UNKNOWN);
}

static void test_udp_port(void **state)
{
	struct fx *f = *state;
	struct reach_port rp = { .port = { 30333, IPPROTO_UDP }, .dial = DIALBACK_SENT };

	(void)f;
	assert_int_equal(reach_port_reached(&rp), TRI_UNKNOWN); /* the node holds it */
	rp.udp_watched = true;
	assert_int_equal(reach_port_reached(&rp), TRI_NO);
	rp.udp_arrived = true;
	assert_int_equal(reach_port_reached(&rp), TRI_YES);
	rp.dial = DIALBACK_DENIED;
	assert_int_equal(reach_port_reached(&rp), TRI_UNKNOWN);
}

static bool has(const struct verdict *v, const char *id, enum severity s)
{
	for (size_t i = 0; i < v->n_findings; i++)
		if (!strcmp(v->findings[i].id, id))
			return v->findings[i].severity == s;
	return false;
}

/* Through the whole verdict: one home NAT whose forward works. */
static void test_verdict_reachable_behind_nat(void **state)
{
	struct fx *f = *state;
	struct check_result *r = &f->res;

	world(f, "192.168.1.10", true, DIALBACK_LIBP2P, DIALBACK_LIBP2P);
	r->local.route4.gateway = nd_ip("192.168.1.1", 0);
	r->pub.v4.local = nd_ip("192.168.1.10", 40000);
	r->pub.v4.mapped = nd_ip("11.0.2.2", 40000);
	r->pub.v4.n_servers = r->pub.v4.n_answered = 1;
	r->pub.v4.servers[0].answered = true;
	r->pub.v4.servers[0].server = nd_ip("11.0.0.10", 3478);
	r->pub.v4.servers[0].mapped = r->pub.v4.mapped;
	r->reach.n_servers = 1;
	text_copy(r->reach.servers[0].name, sizeof(r->reach.servers[0].name), "11.0.0.10:3478");
	r->reach.servers[0].server = nd_ip("11.0.0.10", 3478);
	r->reach.servers[0].answered = r->reach.servers[0].dialback = true;
	verdict_compute(&f->cfg, r, &f->v);
	assert_int_equal(f->v.layers, 1);
	assert_true(has(&f->v, "behind-nat", SEV_INFO));
	assert_true(has(&f->v, "port-reachable", SEV_INFO));
	assert_false(has(&f->v, "server-failed", SEV_WARNING));

	/* The same without a server: unmeasured, and the hint to run one. */
	memset(&r->reach, 0, sizeof(r->reach));
	f->cfg.n_servers = 0;
	verdict_compute(&f->cfg, r, &f->v);
	assert_false(f->v.reach.measured);
	assert_true(has(&f->v, "behind-nat", SEV_WARNING));
	assert_true(has(&f->v, "no-dialback-server", SEV_INFO));
}

static void test_verdict_server_failed(void **state)
{
	struct fx *f = *state;
	struct check_result *r = &f->res;

	world(f, "11.0.1.10", true, 0, 0);
	r->pub.v4.local = r->pub.v4.mapped = nd_ip("11.0.1.10", 40000);
	r->reach.n_servers = 1;
	text_copy(r->reach.servers[0].name, sizeof(r->reach.servers[0].name), "vps:3478");
	text_copy(r->reach.servers[0].error, sizeof(r->reach.servers[0].error),
		  "no answer within 2500 ms");
	verdict_compute(&f->cfg, r, &f->v);
	assert_true(has(&f->v, "server-failed", SEV_WARNING));
	assert_true(has(&f->v, "public-address", SEV_INFO)); /* the rest still reported */
	assert_false(has(&f->v, "no-dialback-server", SEV_INFO));
}

static const struct finding *finding(const struct verdict *v, const char *id)
{
	for (size_t i = 0; i < v->n_findings; i++)
		if (!strcmp(v->findings[i].id, id))
			return &v->findings[i];
	return NULL;
}

/* The first --server was skipped (silent), the second dialled back: the
 * reachability is the second's, and the warning names both. */
static void test_verdict_server_skipped(void **state)
{
	struct fx *f = *state;
	struct check_result *r = &f->res;
	struct server_result *a = &r->reach.servers[0], *b = &r->reach.servers[1];
	const struct finding *fd;

	world(f, "11.0.1.10", true, DIALBACK_LIBP2P, DIALBACK_LIBP2P);
	r->pub.v4.local = r->pub.v4.mapped = nd_ip("11.0.1.10", 40000);
	r->reach.n_servers = 2;
	text_copy(a->name, sizeof(a->name), "down:3478");
	a->server = nd_ip("11.0.0.11", 3478);
	a->skipped = true;
	text_copy(a->error, sizeof(a->error), "no answer within 1000 ms");
	text_copy(b->name, sizeof(b->name), "up:3478");
	b->server = nd_ip("11.0.0.10", 3478);
	b->answered = b->dialback = b->dialled = true;
	verdict_compute(&f->cfg, r, &f->v);
	assert_true(f->v.reach.measured);
	assert_true(has(&f->v, "server-skipped", SEV_INFO));
	assert_null(finding(&f->v, "server-failed")); /* the report is whole: exit 0 */
	fd = finding(&f->v, "server-skipped");
	assert_non_null(
	    strstr(fd->summary, "down:3478 gave no dial-back (no answer within 1000 ms)"));
	assert_non_null(strstr(fd->summary, "up:3478 dialled back instead"));
	assert_non_null(strstr(fd->remedy, "from up:3478's dial-backs"));
	fd = finding(&f->v, "port-reachable");
	assert_non_null(fd);
	assert_non_null(strstr(fd->evidence, "up:3478"));

	/* Both failed: unknown, and the summary names the last and the first. */
	b->dialled = false;
	text_copy(b->error, sizeof(b->error), "rate-limited");
	r->reach.ports[0].dial = r->reach.ports[1].dial = 0;
	r->reach.reached[0] = r->reach.reached[1] = TRI_UNKNOWN;
	r->reach.measured = false;
	verdict_compute(&f->cfg, r, &f->v);
	assert_false(f->v.reach.measured);
	assert_int_equal(f->v.reach.ports[0].reachable, TRI_UNKNOWN);
	assert_int_equal(f->v.reach.ports[0].blocked_by, BLOCKER_NONE);
	assert_null(finding(&f->v, "server-skipped"));
	fd = finding(&f->v, "server-failed");
	assert_true(has(&f->v, "server-failed", SEV_WARNING));
	assert_non_null(fd);
	assert_non_null(
	    strstr(fd->summary, "up:3478 could not measure reachability: rate-limited"));
	assert_non_null(strstr(fd->summary, "asked before it, down:3478: no answer"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_mapping),
		T(test_reached_libp2p_and_other),
		T(test_unmeasured),
		T(test_public_host_firewall),
		T(test_not_listening_behind_cgnat),
		T(test_provider_filter_and_no_forward),
		T(test_forward_elsewhere),
		T(test_wire),
		T(test_udp_port),
		T(test_verdict_reachable_behind_nat),
		T(test_verdict_server_failed),
		T(test_verdict_server_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * gw/igd.c: what map does after each UPnP IGD answer. miniupnpd grants
 * every finite lease it is asked for, so 725 is played in the lab by a
 * scripted device (lab/test_map_upnp_permanent); every branch is here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>

#include "gw/igd.h"
#include "util/text.h"

static struct igd_add add_of(enum igd_add_kind kind, uint32_t lease_s, bool any)
{
	struct igd_add a = {
		.kind = kind, .lease_s = lease_s, .want_external = 30333, .any_external = any
	};

	return a;
}

static void test_success(void **state)
{
	struct igd_add v2 = add_of(IGD_ADD_ANY, 7200, false);
	struct igd_add v1 = add_of(IGD_ADD, 7200, false);
	struct igd_add any = add_of(IGD_ADD_ANY, 7200, true);

	(void)state;
	assert_int_equal(igd_after_add(&v2, 0, 30333), IGD_NEXT_CONFIRM);
	assert_int_equal(igd_after_add(&v1, 0, 0), IGD_NEXT_CONFIRM);
	/* AddAnyPortMapping moved the port: never kept silently. */
	assert_int_equal(igd_after_add(&v2, 0, 30334), IGD_NEXT_MOVED);
	assert_int_equal(igd_after_add(&any, 0, 30334), IGD_NEXT_CONFIRM);
}

static void test_permanent_only(void **state)
{
	struct igd_add leased = add_of(IGD_ADD_ANY, 7200, false);
	struct igd_add leased1 = add_of(IGD_ADD, 3600, false);
	struct igd_add permanent = add_of(IGD_ADD, 0, false);

	(void)state;
	assert_int_equal(igd_after_add(&leased, IGD_ERR_PERMANENT_ONLY, 0), IGD_NEXT_PERMANENT);
	assert_int_equal(igd_after_add(&leased1, IGD_ERR_PERMANENT_ONLY, 0), IGD_NEXT_PERMANENT);
	/* 725 to a permanent request: no loop, a refusal. */
	assert_int_equal(igd_after_add(&permanent, IGD_ERR_PERMANENT_ONLY, 0), IGD_NEXT_REFUSED);
	/* map --once will not be there to delete a permanent mapping. */
	leased1.no_permanent = true;
	assert_int_equal(igd_after_add(&leased1, IGD_ERR_PERMANENT_ONLY, 0), IGD_NEXT_REFUSED);
}

static void test_conflict_and_refusals(void **state)
{
	struct igd_add v2 = add_of(IGD_ADD_ANY, 7200, false);
	struct igd_add v1 = add_of(IGD_ADD, 7200, false);

	(void)state;
	assert_int_equal(igd_after_add(&v2, IGD_ERR_CONFLICT, 0), IGD_NEXT_WHO_HOLDS);
	assert_int_equal(igd_after_add(&v1, IGD_ERR_CONFLICT, 0), IGD_NEXT_WHO_HOLDS);
	/* The v2 action missing: v1 once, and a v1 refusal is final. */
	assert_int_equal(igd_after_add(&v2, IGD_ERR_INVALID_ACTION, 0), IGD_NEXT_ADD_V1);
	assert_int_equal(igd_after_add(&v2, IGD_ERR_NOT_IMPLEMENTED, 0), IGD_NEXT_ADD_V1);
	assert_int_equal(igd_after_add(&v1, IGD_ERR_INVALID_ACTION, 0), IGD_NEXT_REFUSED);
	assert_int_equal(igd_after_add(&v1, IGD_ERR_NOT_AUTHORIZED, 0), IGD_NEXT_REFUSED);
	assert_int_equal(igd_after_add(&v1, IGD_ERR_SAME_PORT_REQUIRED, 0), IGD_NEXT_REFUSED);
	assert_int_equal(igd_after_add(&v2, -3, 0), IGD_NEXT_REFUSED);
}

static void test_confirm(void **state)
{
	struct netaddr self, other;
	struct igd_entry e = { .found = true, .internal_port = 30333, .enabled = true };

	(void)state;
	assert_int_equal(netaddr_parse_ip(&self, "192.168.1.10"), 0);
	assert_int_equal(netaddr_parse_ip(&other, "192.168.1.11"), 0);
	e.client = self;
	assert_int_equal(igd_confirm(&e, &self, 30333), IGD_HELD);
	e.enabled = false;
	assert_int_equal(igd_confirm(&e, &self, 30333), IGD_LOST);
	e.enabled = true;
	assert_int_equal(igd_confirm(&e, &self, 30334), IGD_TAKEN);
	e.client = other;
	assert_int_equal(igd_confirm(&e, &self, 30333), IGD_TAKEN);
	e.found = false;
	assert_int_equal(igd_confirm(&e, &self, 30333), IGD_LOST);
}

/* --delete's search of the router's table: only natdoctor's own entry for
 * this host, internal port and protocol, on whatever external port. */
static void test_ours(void **state)
{
	struct netaddr self, other;
	struct igd_generic g = { .e = { .found = true, .internal_port = 30333, .enabled = true },
				 .protocol = IPPROTO_TCP,
				 .external_port = 40000,
				 .description = IGD_DESCRIPTION };

	(void)state;
	assert_int_equal(netaddr_parse_ip(&self, "192.168.1.10"), 0);
	assert_int_equal(netaddr_parse_ip(&other, "192.168.1.11"), 0);
	g.e.client = self;
	assert_true(igd_ours(&g, &self, IPPROTO_TCP, 30333));
	g.e.enabled = false; /* disabled, still ours to delete */
	assert_true(igd_ours(&g, &self, IPPROTO_TCP, 30333));
	assert_false(igd_ours(&g, &self, IPPROTO_UDP, 30333));
	assert_false(igd_ours(&g, &self, IPPROTO_TCP, 30334));
	assert_false(igd_ours(&g, &other, IPPROTO_TCP, 30333));
	text_copy(g.description, sizeof(g.description), "libminiupnpc");
	assert_false(igd_ours(&g, &self, IPPROTO_TCP, 30333)); /* another program's */
	text_copy(g.description, sizeof(g.description), IGD_DESCRIPTION);
	g.e.client = other; /* the other node, also natdoctor */
	assert_false(igd_ours(&g, &self, IPPROTO_TCP, 30333));
}

static void test_next_check(void **state)
{
	(void)state;
	/* Permanent (725), the default lease asked: every check interval. */
	assert_int_equal(igd_next_check(0, 7200, 1000), 1000 + IGD_CHECK_MS);
	/* Permanent, a short lease asked: checked when that lease would
	 * have been renewed. */
	assert_int_equal(igd_next_check(0, 20, 1000), 1000 + 10000);
	assert_int_equal(igd_next_check(0, 0, 1000), 1000 + IGD_CHECK_MS);
	/* A long lease: still looked at every interval. */
	assert_int_equal(igd_next_check(7200, 7200, 1000), 1000 + IGD_CHECK_MS);
	/* A short lease: renewed at half, whatever was asked. */
	assert_int_equal(igd_next_check(20, 7200, 1000), 1000 + 10000);
	/* Never a busy loop. */
	assert_int_equal(igd_next_check(1, 1, 1000), 1000 + IGD_CHECK_MIN_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_permanent_only),
		cmocka_unit_test(test_conflict_and_refusals),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_ours),
		cmocka_unit_test(test_next_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * map/upnp.c: map_upnp_same_refusal, which decides whether a refusal asked
 * again at a check is said and counted (natdoctor_mapping_errors_total)
 * again. A router answering AddAnyPortMapping offers another external port
 * at each check; that text changes, the refusal does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "map/upnp.h"

static struct map_upnp_port taken(const char *holder, unsigned offered)
{
	struct map_upnp_port p = { .port = 30333, .state = MAP_UPNP_TAKEN };

	if (holder)
		assert_int_equal(netaddr_parse_ip(&p.holder, holder), 0);
	if (offered)
		snprintf(p.error, sizeof(p.error), "the router offered external port %u instead",
			 offered);
	return p;
}

static void test_offered_port_changes(void **state)
{
	struct map_upnp_port a = taken(NULL, 40001), b = taken(NULL, 40002);

	(void)state;
	assert_true(map_upnp_same_refusal(&a, &b));
	b = taken(NULL, 0); /* plain 718, no offer */
	assert_true(map_upnp_same_refusal(&a, &b));
}

static void test_holder(void **state)
{
	struct map_upnp_port a = taken("192.168.1.20", 40001), b = taken("192.168.1.20", 40002);
	struct map_upnp_port c = taken("192.168.1.21", 40001), d = taken(NULL, 40001);

	(void)state;
	assert_true(map_upnp_same_refusal(&a, &b));
	assert_false(map_upnp_same_refusal(&a, &c)); /* another holder */
	assert_false(map_upnp_same_refusal(&a, &d)); /* holder no longer known */
	assert_false(map_upnp_same_refusal(&d, &a));
}

static void test_refused(void **state)
{
	struct map_upnp_port a = { .state = MAP_UPNP_REFUSED }, b = a;
	struct map_upnp_port t = taken(NULL, 0), held = { .state = MAP_UPNP_HELD };

	(void)state;
	snprintf(a.error, sizeof(a.error), "AddPortMapping: 606 Action not authorized");
	b = a;
	assert_true(map_upnp_same_refusal(&a, &b));
	snprintf(b.error, sizeof(b.error), "AddPortMapping: 729 ConflictWithOtherMechanisms");
	assert_false(map_upnp_same_refusal(&a, &b));
	assert_false(map_upnp_same_refusal(&a, &t)); /* another kind */
	assert_false(map_upnp_same_refusal(&t, &a));
	assert_false(map_upnp_same_refusal(&held, &held));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offered_port_changes),
		cmocka_unit_test(test_holder),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * net/netlink.c against the real kernel, in whatever namespace the test
 * runs in. Asserts only what is always true there: "lo" exists with
 * 127.0.0.1/8, a lookup toward 127.0.0.1 is a local route out of lo. A
 * route lookup sends nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "net/netlink.h"

struct seen {
	uint32_t lo_index;
	unsigned n_links;
	bool lo_v4;
	unsigned n_addrs, wrong_family;
	uint8_t want_family;
	int stop_with;
};

static int count_link(const struct rtnl_link *l, void *arg)
{
	struct seen *s = arg;

	s->n_links++;
	if (strcmp(l->name, "lo") == 0)
		s->lo_index = l->index;
	return 0;
}

static int count_addr(const struct rtnl_addr *a, void *arg)
{
	struct seen *s = arg;
	char buf[NETADDR_FMT_MAX];

	s->n_addrs++;
	if (s->want_family && a->local.family != s->want_family)
		s->wrong_family++;
	if (a->index == s->lo_index && a->prefixlen == 8 &&
	    strcmp(netaddr_fmt_ip(&a->local, buf), "127.0.0.1") == 0)
		s->lo_v4 = true;
	return s->stop_with;
}

static int setup(void **state)
{
	struct netlink *nl;

	assert_int_equal(netlink_open(&nl, 500), 0);
	*state = nl;
	return 0;
}

static int teardown(void **state)
{
	netlink_close(*state);
	return 0;
}

static void loopback_in_dumps(void **state)
{
	struct netlink *nl = *state;
	struct seen s = { .want_family = AF_INET };

	assert_int_equal(netlink_dump_links(nl, count_link, &s), 0);
	assert_true(s.n_links >= 1);
	assert_int_not_equal(s.lo_index, 0);
	assert_int_equal(netlink_dump_addrs(nl, AF_INET, count_addr, &s), 0);
	assert_true(s.lo_v4);
	assert_int_equal(s.wrong_family, 0);
}

static void family_filter_v6(void **state)
{
	struct netlink *nl = *state;
	struct seen s = { .want_family = AF_INET6 };

	/* With IPv6 off the kernel dumps every family; we still pass only
	 * IPv6 on (or nothing). */
	assert_int_equal(netlink_dump_addrs(nl, AF_INET6, count_addr, &s), 0);
	assert_int_equal(s.wrong_family, 0);
}

static void callback_error_stops_and_handle_recovers(void **state)
{
	struct netlink *nl = *state;
	struct seen s = { .stop_with = -ECANCELED };
	struct rtnl_link l;

	assert_int_equal(netlink_dump_links(nl, count_link, &s), 0);
	assert_int_equal(netlink_dump_addrs(nl, AF_UNSPEC, count_addr, &s), -ECANCELED);
	assert_int_equal(s.n_addrs, 1); /* called once, then never again */
	/* The rest of that dump was drained: the next answer is the right one. */
	assert_int_equal(netlink_link_get(nl, s.lo_index, &l), 0);
	assert_string_equal(l.name, "lo");
}

static void route_get_loopback(void **state)
{
	struct netlink *nl = *state;
	struct seen s = { 0 };
	struct rtnl_route r;
	struct netaddr dst;
	char buf[NETADDR_FMT_MAX];

	assert_int_equal(netlink_dump_links(nl, count_link, &s), 0);
	assert_int_equal(netaddr_parse_ip(&dst, "127.0.0.1"), 0);
	assert_int_equal(netlink_route_get(nl, &dst, &r), 0);
	assert_int_equal(r.type, RTN_LOCAL);
	assert_int_equal(r.oif, s.lo_index);
	assert_int_equal(r.gateway.family, 0);
	assert_string_equal(netaddr_fmt_ip(&r.prefsrc, buf), "127.0.0.1");
}

static void link_get_missing(void **state)
{
	struct rtnl_link l;

	assert_int_equal(netlink_link_get(*state, 0x7fffffff, &l), -ENODEV);
}

static void default_route_or_none(void **state)
{
	struct rtnl_route r;
	int err = netlink_default_route(*state, AF_INET, &r);

	/* Either answer is a fact about this namespace; both are well formed. */
	assert_true(err == 0 || err == -ENOENT);
	if (err == 0) {
		assert_int_equal(r.dst_len, 0);
		assert_int_equal(r.type, RTN_UNICAST);
		assert_int_not_equal(r.oif, 0);
	}
	assert_int_equal(netlink_default_route(*state, AF_UNSPEC, &r), -EAFNOSUPPORT);
}

static void many_requests_one_handle(void **state)
{
	struct netaddr dst;
	struct rtnl_route r;

	/* Sequence numbers advance and every answer matches its question. */
	assert_int_equal(netaddr_parse_ip(&dst, "127.0.0.2"), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(netlink_route_get(*state, &dst, &r), 0);
	assert_int_equal(r.type, RTN_LOCAL);
	assert_string_equal(netlink_errmsg(*state), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loopback_in_dumps, setup, teardown),
		cmocka_unit_test_setup_teardown(family_filter_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(callback_error_stops_and_handle_recovers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(route_get_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(link_get_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(default_route_or_none, setup, teardown),
		cmocka_unit_test_setup_teardown(many_requests_one_handle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

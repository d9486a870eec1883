/* SPDX-License-Identifier: MIT */
/* Name resolution off the loop: literals answer at once, names through a
 * worker thread (localhost, from /etc/hosts: no network), a cancelled
 * request never calls back. */
#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nd_test.h"

#include "net/resolve.h"

struct got {
	int calls;
	struct resolve_result res;
};

static void on_result(struct loop *l, const struct resolve_result *res, void *data)
{
	struct got *g = data;

	g->calls++;
	g->res = *res;
	loop_stop(l);
}

static void literal_answers_before_return(void **state)
{
	struct loop *l;
	struct got g = { 0 };
	char s[NETADDR_FMT_MAX];

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(resolve_start(l, "192.0.2.7", 3478, AF_UNSPEC, on_result, &g, NULL), 0);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.res.gai_error, 0);
	assert_int_equal(g.res.n, 1);
	assert_string_equal(netaddr_fmt(&g.res.addrs[0], s), "192.0.2.7:3478");
	g.calls = 0;
	assert_int_equal(resolve_start(l, "2001:db8::1", 19302, AF_UNSPEC, on_result, &g, NULL), 0);
	assert_int_equal(g.calls, 1);
	assert_string_equal(netaddr_fmt(&g.res.addrs[0], s), "[2001:db8::1]:19302");
	loop_free(l);
}

static void name_resolves_on_a_worker(void **state)
{
	struct loop *l;
	struct got g = { 0 };
	struct resolve_req *req = NULL;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(resolve_start(l, "localhost", 53, AF_INET, on_result, &g, &req), 0);
	assert_int_equal(g.calls, 0); /* not before the loop runs */
	nd_run_for(l, 5000);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.res.gai_error, 0);
	assert_true(g.res.n >= 1);
	assert_int_equal(g.res.addrs[0].family, AF_INET);
	assert_int_equal(g.res.addrs[0].ip[0], 127);
	assert_int_equal(g.res.addrs[0].port, 53);
	loop_free(l);
}

static void cancelled_never_calls_back(void **state)
{
	struct loop *l;
	struct got g = { 0 };
	struct resolve_req *req = NULL;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(resolve_start(l, "localhost", 1, AF_UNSPEC, on_result, &g, &req), 0);
	resolve_cancel(req);
	nd_run_for(l, 200);
	loop_free(l); /* delivers pending posts: still no callback */
	assert_int_equal(g.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_answers_before_return),
		cmocka_unit_test(name_resolves_on_a_worker),
		cmocka_unit_test(cancelled_never_calls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Per-source token buckets for dial-backs (serve/ratelimit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nd_test.h"
#include "serve/ratelimit.h"

static void ratelimit_buckets(void **state)
{
	static struct ratelimit rl;
	struct netaddr a = nd_ip("11.0.4.2", 1), b = nd_ip("11.0.4.3", 1);
	struct netaddr v6a = nd_ip("2a00:12::1", 1), v6b = nd_ip("2a00:12::ffff", 2);

	(void)state;
	ratelimit_init(&rl, 3, 1000, 7);
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, &a, 0));
	assert_false(ratelimit_take(&rl, &a, 0));
	assert_false(ratelimit_take(&rl, &a, 999));
	assert_true(ratelimit_take(&rl, &a, 1000)); /* one token back */
	assert_false(ratelimit_take(&rl, &a, 1000));
	/* Another source has its own bucket. */
	assert_true(ratelimit_take(&rl, &b, 1000));
	/* A /64 is one source. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, &v6a, 0));
	assert_false(ratelimit_take(&rl, &v6b, 0));
	/* A long pause refills to the burst, not beyond. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, &a, 1000000));
	assert_false(ratelimit_take(&rl, &a, 1000000));
	/* A flood of other sources evicts, never grows: the table is fixed. */
	for (uint32_t i = 0; i < 100000; i++) {
		struct netaddr x = netaddr_v4u(0x0b000000u + i, 1);

		ratelimit_take(&rl, &x, 1000000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ratelimit_buckets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

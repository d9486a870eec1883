/* SPDX-License-Identifier: MIT */
/* map/nodeflags.c: which Phala docker variable takes a port's node flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>

#include "map/nodeflags.h"

static void test_phala_env(void **state)
{
	(void)state;
	assert_string_equal(nodeflags_phala_env(30333, IPPROTO_TCP), "PARACHAIN_EXTRA_ARGS");
	assert_string_equal(nodeflags_phala_env(30334, IPPROTO_TCP), "RELAYCHAIN_EXTRA_ARGS");
	assert_null(nodeflags_phala_env(30333, IPPROTO_UDP));
	assert_null(nodeflags_phala_env(30335, IPPROTO_TCP));
	assert_null(nodeflags_phala_env(8333, IPPROTO_TCP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phala_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

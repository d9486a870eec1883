/* SPDX-License-Identifier: MIT */
/* ND-COOKIE, the UDP dial-back's return-routability proof (serve/cookie). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nd_test.h"
#include "serve/cookie.h"

static struct cookie_keys keys;

static void cookie_is_keyed(void **state)
{
	struct cookie_keys k2;
	struct dialback_req r = { .proto = 17, .port = 30333 };
	struct netaddr a = nd_ip("11.0.4.2", 4000), mapped = nd_ip("::ffff:11.0.4.2", 4000);
	struct dialback_cookie c;

	(void)state;
	assert_int_equal(cookie_keys_init(&k2), 0);
	cookie_make(&keys, 59, &a, &r, &c);
	assert_true(cookie_valid(&keys, 59, &a, &r, &c));
	/* Across an epoch boundary (60 s) it stays valid for its 30 s. */
	assert_true(cookie_valid(&keys, 89, &a, &r, &c));
	assert_false(cookie_valid(&keys, 90, &a, &r, &c));
	/* The IPv4-mapped spelling is the same client. */
	assert_true(cookie_valid(&keys, 60, &mapped, &r, &c));
	/* Another server's key. */
	assert_false(cookie_valid(&k2, 60, &a, &r, &c));
}

static int setup(void **state)
{
	(void)state;
	return cookie_keys_init(&keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cookie_is_keyed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

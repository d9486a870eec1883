/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "util/dynbuf.h"

static void grows_to_the_ceiling_and_no_further(void **state)
{
	static char chunk[3000];
	struct dynbuf b;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	dynbuf_init(&b, 10000);
	assert_null(b.p);
	assert_int_equal(dynbuf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(dynbuf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(dynbuf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 9000);
	assert_true(b.cap <= 10000);
	/* Past the ceiling: refused whole, what is held stays. */
	assert_int_equal(dynbuf_append(&b, chunk, 1001), -EFBIG);
	assert_int_equal(b.len, 9000);
	assert_int_equal(dynbuf_append(&b, chunk, 1000), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(dynbuf_append(&b, chunk, 1), -EFBIG);
	assert_int_equal(dynbuf_append(&b, chunk, 0), 0);
	dynbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(dynbuf_append(&b, "ab", 2), 0);
	assert_memory_equal(b.p, "ab", 2);
	dynbuf_free(&b);
	dynbuf_free(&b); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grows_to_the_ceiling_and_no_further),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Rejection reasons (issue 8 item 4): every reason has a key and a phrase,
 * and the summary reads as evidence. (Which errno is which reason:
 * test_gw_mapping.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "check/reject.h"

static void keys_are_distinct(void **state)
{
	(void)state;
	for (unsigned i = 0; i < GW_REJECT_MAX; i++) {
		assert_true(strlen(reject_key(i)) > 0);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(reject_key(i), reject_key(j));
	}
	assert_string_equal(reject_key(GW_REJECT_NONCE), "nonce");
	assert_string_equal(reject_key(GW_REJECT_MAX), "");
	assert_false(reject_is_fault(GW_REJECT_DUPLICATE));
	assert_true(reject_is_fault(GW_REJECT_NONCE));
	assert_false(reject_is_fault(GW_REJECT_MAX));
}

static void summary(void **state)
{
	unsigned c[GW_REJECT_MAX] = { 0 };
	char out[200], tiny[12];
	size_t n;

	(void)state;
	assert_int_equal(reject_summary(c, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	c[GW_REJECT_DUPLICATE] = 5;
	assert_int_equal(reject_summary(c, out, sizeof(out)), 0);
	c[GW_REJECT_NONCE] = 3;
	n = reject_summary(c, out, sizeof(out));
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, "3 answers with the wrong nonce");
	c[GW_REJECT_NOT_ANSWER] = 1;
	reject_summary(c, out, sizeof(out));
	assert_string_equal(
	    out, "1 answer marked as requests (R bit clear), 3 answers with the wrong nonce");
	/* Truncated to fit, always terminated. */
	reject_summary(c, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_are_distinct),
		cmocka_unit_test(summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

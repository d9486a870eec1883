/* SPDX-License-Identifier: MIT */
/*
 * Rejection reasons (issue 8 item 4): the errno of each codec maps to a
 * reason, every reason has a key and a phrase, and the summary reads as
 * evidence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "check/reject.h"

static void errno_to_reason(void **state)
{
	(void)state;
	assert_int_equal(reject_from_errno(-EMSGSIZE), REJECT_LENGTH);
	assert_int_equal(reject_from_errno(-EPROTONOSUPPORT), REJECT_VERSION);
	assert_int_equal(reject_from_errno(-EOPNOTSUPP), REJECT_OPCODE);
	assert_int_equal(reject_from_errno(-EBADMSG), REJECT_MALFORMED);
	assert_int_equal(reject_from_errno(-E2BIG), REJECT_MALFORMED);
	assert_int_equal(reject_from_errno(0), REJECT_MALFORMED);
}

static void keys_are_distinct(void **state)
{
	(void)state;
	for (unsigned i = 0; i < REJECT_MAX; i++) {
		assert_true(strlen(reject_key(i)) > 0);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(reject_key(i), reject_key(j));
	}
	assert_string_equal(reject_key(REJECT_NONCE), "nonce");
	assert_string_equal(reject_key(REJECT_MAX), "");
	assert_false(reject_is_fault(REJECT_DUPLICATE));
	assert_true(reject_is_fault(REJECT_NONCE));
	assert_false(reject_is_fault(REJECT_MAX));
}

static void summary(void **state)
{
	unsigned c[REJECT_MAX] = { 0 };
	char out[200], tiny[12];
	size_t n;

	(void)state;
	assert_int_equal(reject_summary(c, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	c[REJECT_DUPLICATE] = 5;
	assert_int_equal(reject_summary(c, out, sizeof(out)), 0);
	c[REJECT_NONCE] = 3;
	n = reject_summary(c, out, sizeof(out));
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, "3 answers with the wrong nonce");
	c[REJECT_NOT_ANSWER] = 1;
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
		cmocka_unit_test(errno_to_reason),
		cmocka_unit_test(keys_are_distinct),
		cmocka_unit_test(summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

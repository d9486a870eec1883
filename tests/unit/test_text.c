/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/text.h"

static void copy_truncates_and_says_so(void **state)
{
	char b[5];

	(void)state;
	assert_true(text_copy(b, sizeof(b), "abcd"));
	assert_string_equal(b, "abcd");
	assert_false(text_copy(b, sizeof(b), "abcdef"));
	assert_string_equal(b, "abcd");
}

static void sanitize_keeps_printable_ascii_only(void **state)
{
	static const uint8_t in[] = { 'o', 'k', 0x1b, '[', '3', '1', 'm', 0xc3, 0xa9, '\n', 0x7f };
	char b[32];

	(void)state;
	assert_int_equal(text_sanitize(b, sizeof(b), in, sizeof(in)), sizeof(in));
	assert_string_equal(b, "ok?[31m????");
	/* Stops at a NUL and at the destination's size. */
	assert_int_equal(text_sanitize(b, sizeof(b), "ab\0cd", 5), 2);
	assert_string_equal(b, "ab");
	assert_int_equal(text_sanitize(b, 4, "abcdef", 6), 3);
	assert_string_equal(b, "abc");
}

static void appendf_never_overflows(void **state)
{
	char b[8];
	size_t len = 0;

	(void)state;
	text_appendf(b, sizeof(b), &len, "%s", "abc");
	text_appendf(b, sizeof(b), &len, "%d", 12345);
	assert_string_equal(b, "abc1234");
	assert_int_equal(len, sizeof(b) - 1);
	text_appendf(b, sizeof(b), &len, "more");
	assert_string_equal(b, "abc1234");
}

static void parse_long_is_strict(void **state)
{
	long v = -1;

	(void)state;
	assert_int_equal(text_parse_long("30333", 1, 65535, &v), 0);
	assert_int_equal(v, 30333);
	assert_int_equal(text_parse_long("0", 0, 5, &v), 0);
	assert_int_equal(v, 0);
	static const char *const bad[] = { "",	   "-1",    "+5",
					   " 5",   "5 ",    "5x",
					   "0x10", "65536", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (text_parse_long(bad[i], 1, 65535, &v) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_truncates_and_says_so),
		cmocka_unit_test(sanitize_keeps_printable_ascii_only),
		cmocka_unit_test(appendf_never_overflows),
		cmocka_unit_test(parse_long_is_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

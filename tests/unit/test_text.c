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

/* The variants: a JSON string's NUL is one more unprintable byte, and an
 * excerpt drops what it cannot show rather than fill up with '?'. */
static void clean_past_nul_and_dropping(void **state)
{
	char b[32];

	(void)state;
	assert_int_equal(text_clean(b, sizeof(b), "ab\0c\x1b", 5, TEXT_CLEAN_PAST_NUL), 5);
	assert_string_equal(b, "ab?c?");
	assert_int_equal(
	    text_clean(b, sizeof(b), "<a>\r\n\0<b>", 9, TEXT_CLEAN_PAST_NUL | TEXT_CLEAN_DROP), 6);
	assert_string_equal(b, "<a><b>");
	/* Dropping still stops at a NUL without PAST_NUL, and at dst's size. */
	assert_int_equal(text_clean(b, sizeof(b), "a\nb\0c", 5, TEXT_CLEAN_DROP), 2);
	assert_string_equal(b, "ab");
	assert_int_equal(text_clean(b, 3, "\n\nabcd", 6, TEXT_CLEAN_DROP), 2);
	assert_string_equal(b, "ab");
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

static void url_secrets_are_found_and_masked(void **state)
{
	char b[128];
	size_t n = 0;
	const char *sec;

	(void)state;
	sec = text_url_secret("http://me:pw@host:1/x@y", &n);
	assert_non_null(sec);
	assert_int_equal(n, 2);
	assert_memory_equal(sec, "pw", 2);
	sec = text_url_secret("https://tok@host/", &n);
	assert_int_equal(n, 3);
	assert_memory_equal(sec, "tok", 3);
	assert_null(text_url_secret("http://host/a@b", &n)); /* @ in the path only */
	assert_null(text_url_secret("http://me:@host/", &n));
	assert_null(text_url_secret("no url", &n));

	text_redact_url(b, sizeof(b), "GET http://me:pw@host/ failed: pw", "http://me:pw@host/");
	assert_string_equal(b, "GET http://me:***@host/ failed: ***");
	text_redact_url(b, sizeof(b), "nothing to hide", "http://host/");
	assert_string_equal(b, "nothing to hide");
	/* Bounded like everything else. */
	text_redact_url(b, 8, "pw pw pw pw", "http://u:pw@h/");
	assert_true(strlen(b) < 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_secrets_are_found_and_masked),
		cmocka_unit_test(copy_truncates_and_says_so),
		cmocka_unit_test(sanitize_keeps_printable_ascii_only),
		cmocka_unit_test(clean_past_nul_and_dropping),
		cmocka_unit_test(appendf_never_overflows),
		cmocka_unit_test(parse_long_is_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

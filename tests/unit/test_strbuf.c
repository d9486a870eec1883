/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/strbuf.h"

static void appends_in_order(void **state)
{
	char mem[32];
	struct strbuf b;

	(void)state;
	memset(mem, 'x', sizeof(mem));
	strbuf_init(&b, mem, sizeof(mem));
	assert_string_equal(mem, "");
	strbuf_put(&b, "peers");
	strbuf_putn(&b, "=8 and more", 2);
	strbuf_printf(&b, " in=%d%s", 0, "!");
	assert_string_equal(mem, "peers=8 in=0!");
	assert_int_equal(b.len, strlen(mem));
	assert_false(b.truncated);
}

static void full_buffer_keeps_what_fitted(void **state)
{
	char mem[8];
	struct strbuf b;

	(void)state;
	strbuf_init(&b, mem, sizeof(mem));
	strbuf_put(&b, "abcdefghij");
	assert_true(b.truncated);
	assert_string_equal(mem, "abcdefg");
	assert_int_equal(b.len, 7);
	/* Further appends change nothing and never write past the end. */
	strbuf_printf(&b, "%s", "more");
	strbuf_putn(&b, "z", 1);
	assert_string_equal(mem, "abcdefg");
	assert_int_equal(b.len, 7);

	strbuf_init(&b, mem, sizeof(mem));
	strbuf_printf(&b, "%d-%d", 1234, 5678);
	assert_true(b.truncated);
	assert_string_equal(mem, "1234-56");
	assert_int_equal(b.len, 7);
}

static void exact_fit_is_not_truncated(void **state)
{
	char mem[4];
	struct strbuf b;

	(void)state;
	strbuf_init(&b, mem, sizeof(mem));
	strbuf_put(&b, "ab");
	strbuf_printf(&b, "%c", 'c');
	assert_false(b.truncated);
	assert_string_equal(mem, "abc");
	strbuf_put(&b, "");
	assert_false(b.truncated);
	strbuf_put(&b, "d");
	assert_true(b.truncated);
	assert_string_equal(mem, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(appends_in_order),
		cmocka_unit_test(full_buffer_keeps_what_fitted),
		cmocka_unit_test(exact_fit_is_not_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

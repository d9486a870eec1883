/* SPDX-License-Identifier: MIT */
/* The Prometheus text writer (proto/promtext). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto/promtext.h"

static void samples_and_escaping(void **state)
{
	char mem[512];
	struct strbuf b;
	const char *l[] = { "id", "a\"b\\c\nd", "severity", NULL };

	(void)state;
	strbuf_init(&b, mem, sizeof(mem));
	promtext_family(&b, "x_total", "counter", "two\nlines \\ here");
	promtext_sample(&b, "x_total", NULL, 0, 3);
	promtext_sample(&b, "x", l, 2, 0.25);
	promtext_sample(&b, "x", NULL, 0, NAN);
	promtext_sample(&b, "x", NULL, 0, -INFINITY);
	promtext_sample(&b, "x", NULL, 0, 1733022000);
	assert_string_equal(mem, "# HELP x_total two\\nlines \\\\ here\n"
				 "# TYPE x_total counter\n"
				 "x_total 3\n"
				 "x{id=\"a\\\"b\\\\c\\nd\",severity=\"\"} 0.25\n"
				 "x NaN\n"
				 "x -Inf\n"
				 "x 1733022000\n");
	assert_false(b.truncated);
}

static void truncation_is_reported(void **state)
{
	char mem[16];
	struct strbuf b;

	(void)state;
	strbuf_init(&b, mem, sizeof(mem));
	promtext_sample(&b, "natdoctor_something_long", NULL, 0, 1);
	assert_true(b.truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(samples_and_escaping),
		cmocka_unit_test(truncation_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

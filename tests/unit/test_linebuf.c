/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "util/linebuf.h"

struct got {
	char lines[8][32];
	size_t n;
	int stop_at; /* return -EINTR on this line number (1-based), 0: never */
};

static int collect(void *data, const char *line, size_t len)
{
	struct got *g = data;

	assert_true(len < sizeof(g->lines[0]));
	assert_true(g->n < 8);
	memcpy(g->lines[g->n], line, len);
	g->lines[g->n][len] = '\0';
	g->n++;
	return (int)g->n == g->stop_at ? -EINTR : 0;
}

static void lines_split_across_chunks(void **state)
{
	char store[16];
	struct linebuf lb;
	struct got g = { 0 };

	(void)state;
	linebuf_init(&lb, store, sizeof(store));
	assert_int_equal(linebuf_feed(&lb, "ab", 2, collect, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(linebuf_feed(&lb, "c\nde\r\n\nf", 8, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.lines[0], "abc");
	assert_string_equal(g.lines[1], "de"); /* CRLF: the CR goes too */
	assert_string_equal(g.lines[2], "");
	assert_int_equal(linebuf_finish(&lb, collect, &g), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.lines[3], "f");
	/* Nothing left: a second finish delivers nothing. */
	assert_int_equal(linebuf_finish(&lb, collect, &g), 0);
	assert_int_equal(g.n, 4);
}

static void long_line_dropped_and_counted(void **state)
{
	char store[4];
	struct linebuf lb;
	struct got g = { 0 };

	(void)state;
	linebuf_init(&lb, store, sizeof(store));
	/* 4 bytes fit exactly; 5 do not, even when they arrive in pieces. */
	assert_int_equal(linebuf_feed(&lb, "abcd\nabc", 8, collect, &g), 0);
	assert_int_equal(linebuf_feed(&lb, "de", 2, collect, &g), 0);
	assert_int_equal(linebuf_feed(&lb, "fgh", 3, collect, &g), 0);
	assert_int_equal(linebuf_feed(&lb, "ij\nok\n", 6, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[0], "abcd");
	assert_string_equal(g.lines[1], "ok");
	assert_int_equal(lb.n_long, 1);
	assert_int_equal(lb.n_lines, 2);
}

static void endless_line_costs_nothing(void **state)
{
	char store[8], junk[1000];
	struct linebuf lb;
	struct got g = { 0 };

	(void)state;
	memset(junk, 'x', sizeof(junk));
	linebuf_init(&lb, store, sizeof(store));
	for (int i = 0; i < 1000; i++)
		assert_int_equal(linebuf_feed(&lb, junk, sizeof(junk), collect, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(lb.n_long, 1);
	assert_true(lb.len <= lb.cap);
	/* At the end, a dropped line is not delivered half. */
	assert_int_equal(linebuf_finish(&lb, collect, &g), 0);
	assert_int_equal(g.n, 0);
}

static void skip_partial_drops_first_line(void **state)
{
	char store[16];
	struct linebuf lb;
	struct got g = { 0 };

	(void)state;
	linebuf_init(&lb, store, sizeof(store));
	linebuf_skip_partial(&lb);
	assert_int_equal(linebuf_feed(&lb, "tail of a line\nwhole\n", 21, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.lines[0], "whole");
	assert_int_equal(lb.n_long, 0);
}

static void callback_error_stops_feed(void **state)
{
	char store[16];
	struct linebuf lb;
	struct got g = { .stop_at = 1 };

	(void)state;
	linebuf_init(&lb, store, sizeof(store));
	assert_int_equal(linebuf_feed(&lb, "a\nb\nc", 5, collect, &g), -EINTR);
	assert_int_equal(g.n, 1);
	assert_int_equal(lb.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_split_across_chunks),
		cmocka_unit_test(long_line_dropped_and_counted),
		cmocka_unit_test(endless_line_costs_nothing),
		cmocka_unit_test(skip_partial_drops_first_line),
		cmocka_unit_test(callback_error_stops_feed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

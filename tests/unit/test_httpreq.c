/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/httpreq.h"

static int parse(const char *s, struct httpreq *rq)
{
	return httpreq_parse(s, strlen(s), rq);
}

static void request_heads(void **state)
{
	struct httpreq rq;
	const char *prom = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: text/plain\r\n\r\n";

	(void)state;
	assert_int_equal(parse(prom, &rq), (int)strlen(prom));
	assert_string_equal(rq.method, "GET");
	assert_string_equal(rq.path, "/metrics");
	assert_int_equal(rq.minor, 1);
	assert_int_equal(parse("HEAD / HTTP/1.0\n\nbody", &rq), 17);
	assert_string_equal(rq.method, "HEAD");
	/* not complete yet */
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: a\r\n", &rq), 0);
	assert_int_equal(parse("", &rq), 0);
}

static void bad_request_lines(void **state)
{
	struct httpreq rq;
	char longpath[400];

	(void)state;
	assert_int_equal(parse("GET /metrics\r\n\r\n", &rq), -EBADMSG);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &rq), -EBADMSG);
	assert_int_equal(parse("GET  /metrics HTTP/1.1\r\n\r\n", &rq), -EBADMSG);
	assert_int_equal(parse("GET /metrics HTTP/1.1 x\r\n\r\n", &rq), -EBADMSG);
	assert_int_equal(parse("\r\n\r\n", &rq), -EBADMSG);
	assert_int_equal(parse("AVERYLONGMETHODNAMEXX / HTTP/1.1\r\n\r\n", &rq), -EBADMSG);
	assert_int_equal(httpreq_parse("GET /\0 HTTP/1.1\r\n\r\n", 20, &rq), -EBADMSG);
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "GET /", 5);
	memcpy(longpath + 380, " HTTP/1.1\r\n\r\n", 14);
	assert_int_equal(parse(longpath, &rq), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_heads),
		cmocka_unit_test(bad_request_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

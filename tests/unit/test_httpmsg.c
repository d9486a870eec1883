/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/httpmsg.h"

static uint8_t buf[16384];

static int parse(const char *s, size_t n, bool eof, struct httpmsg_response *r)
{
	memcpy(buf, s, n);
	return httpmsg_parse_response(buf, n, eof, r);
}

static int parse_str(const char *s, bool eof, struct httpmsg_response *r)
{
	return parse(s, strlen(s), eof, r);
}

static void content_length_ends_the_body(void **state)
{
	const char *s = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 7\r\n\r\n"
			"<root/>trailing";
	struct httpmsg_response r;

	(void)state;
	assert_int_equal(parse_str(s, false, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 7);
	assert_memory_equal(r.body, "<root/>", 7);
	/* Cut inside the body: more to come, or cut short by the close. */
	assert_int_equal(parse(s, strlen(s) - 12, false, &r), -EAGAIN);
	assert_int_equal(parse(s, strlen(s) - 12, true, &r), -EBADMSG);
	/* Cut inside the header section. */
	assert_int_equal(parse(s, 20, false, &r), -EAGAIN);
	assert_int_equal(parse(s, 20, true, &r), -EBADMSG);
}

static void chunked_is_dechunked_in_place(void **state)
{
	const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\n<root\r\n3;ext=1\r\n/>x\r\n0\r\nX-Trailer: 1\r\n\r\n";
	struct httpmsg_response r;

	(void)state;
	assert_int_equal(parse_str(s, false, &r), 0);
	assert_int_equal(r.body_len, 8);
	assert_memory_equal(r.body, "<root/>x", 8);
	/* Incomplete: nothing in the buffer changes, so it can be parsed
	 * again when more arrives. */
	assert_int_equal(parse(s, strlen(s) - 4, false, &r), -EAGAIN);
	assert_memory_equal(buf, s, strlen(s) - 4);
	assert_int_equal(parse(s, strlen(s) - 4, true, &r), -EBADMSG);
}

static void close_delimited_needs_the_close(void **state)
{
	const char *s = "HTTP/1.0 200 OK\nContent-Type: text/xml\n\n<root/>";
	struct httpmsg_response r;

	(void)state;
	assert_int_equal(parse_str(s, false, &r), -EAGAIN);
	assert_int_equal(parse_str(s, true, &r), 0);
	assert_int_equal(r.body_len, 7);
}

static void redirect_is_reported_not_followed(void **state)
{
	struct httpmsg_response r;

	(void)state;
	assert_int_equal(parse_str("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:18080/\r\n"
				   "Content-Length: 0\r\n\r\n",
				   false, &r),
			 0);
	assert_int_equal(r.status, 302);
	assert_true(r.has_location);
	assert_int_equal(parse_str("HTTP/1.1 204 No Content\r\n\r\n", false, &r), 0);
	assert_int_equal(r.body_len, 0);
}

static void malformed_is_refused(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffff\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 099 Low\r\n\r\n",
		"SSH-2.0-OpenSSH\r\n",
	};
	struct httpmsg_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_str(bad[i], true, &r), -EBADMSG);
}

static void header_section_is_bounded(void **state)
{
	static char big[HTTPMSG_HEAD_MAX + 100];
	struct httpmsg_response r;
	size_t n;

	(void)state;
	n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n");
	while (n + 12 < sizeof(big)) {
		memcpy(big + n, "X-Pad: 123\r\n", 12);
		n += 12;
	}
	assert_int_equal(parse(big, n, false, &r), -EMSGSIZE);
	/* A status line that never ends. */
	memset(big, 'A', sizeof(big));
	assert_int_equal(parse(big, sizeof(big), false, &r), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(content_length_ends_the_body),
		cmocka_unit_test(chunked_is_dechunked_in_place),
		cmocka_unit_test(close_delimited_needs_the_close),
		cmocka_unit_test(redirect_is_reported_not_followed),
		cmocka_unit_test(malformed_is_refused),
		cmocka_unit_test(header_section_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * proto/procnet.c on lines copied from real /proc/net files (the same lines
 * seed tests/fuzz/corpus/procnet/). The files hold addresses in host byte
 * order; these lines come from a little-endian host, so the tests that read
 * addresses skip on big-endian ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nd_test.h"

#include <errno.h>
#include <string.h>

#include "proto/procnet.h"

#define TCP_HEADER                                                                            \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " \
	"timeout inode                                                     \n"
#define UDP_HEADER                                                                             \
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " \
	"timeout inode ref pointer drops            \n"
#define TCP_LISTEN_LO_30333                                                                  \
	"   1: 0100007F:767D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 " \
	"       0 168179 1 00000000df8b3d23 100 0 0 10 0                    \n"
#define TCP_ESTABLISHED                                                                      \
	"   2: 0100007F:E3AE 0100007F:767D 01 00000000:00000000 00:00000000 00000000     0 " \
	"       0 166416 2 00000000c8418441 20 0 0 10 -1                    \n"
#define TCP6_LISTEN_ANY_30334                                                                   \
	"   0: 00000000000000000000000000000000:767E 00000000000000000000000000000000:0000 0A " \
	"00000000:00000000 00:00000000 00000000     0        0 168188 1 00000000f29e180e 100 "  \
	"0 0 10 0\n"
#define UDP6_BOUND_LO_30335                                                                   \
	" 1981: 00000000000000000000000001000000:767F 00000000000000000000000000000000:0000 " \
	"07 00000000:00000000 00:00000000 00000000     0        0 168185 2 "                  \
	"000000009afbdf14 0\n"
#define TCP6_LISTEN_MAPPED_UID1000                                                              \
	"   0: 0000000000000000FFFF00000100007F:767D 00000000000000000000000000000000:0000 0A " \
	"00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 "  \
	"0 10 0\n"

static int parse(const char *line, struct procnet_sock *s)
{
	return procnet_parse_line(line, strlen(line), s);
}

static void assert_ep(const struct netaddr *a, const char *want)
{
	char buf[NETADDR_FMT_MAX];

	assert_string_equal(netaddr_fmt(a, buf), want);
}

static void headers_and_blanks(void **state)
{
	struct procnet_sock s;

	(void)state;
	assert_int_equal(parse(TCP_HEADER, &s), 0);
	assert_int_equal(parse(UDP_HEADER, &s), 0);
	assert_int_equal(parse("", &s), 0);
	assert_int_equal(parse("   \n", &s), 0);
}

static void tcp_listener_and_connection(void **state)
{
	struct procnet_sock s;

	(void)state;
	if (!nd_host_is_little_endian())
		skip();
	assert_int_equal(parse(TCP_LISTEN_LO_30333, &s), 1);
	assert_ep(&s.local, "127.0.0.1:30333");
	assert_ep(&s.remote, "0.0.0.0:0");
	assert_int_equal(s.state, PROCNET_TCP_LISTEN);
	assert_int_equal(s.uid, 0);
	assert_int_equal(s.inode, 168179);

	assert_int_equal(parse(TCP_ESTABLISHED, &s), 1);
	assert_ep(&s.local, "127.0.0.1:58286");
	assert_ep(&s.remote, "127.0.0.1:30333");
	assert_int_equal(s.state, 0x01);
}

static void ipv6_lines(void **state)
{
	struct procnet_sock s;

	(void)state;
	if (!nd_host_is_little_endian())
		skip();
	assert_int_equal(parse(TCP6_LISTEN_ANY_30334, &s), 1);
	assert_ep(&s.local, "[::]:30334");
	assert_int_equal(s.state, PROCNET_TCP_LISTEN);

	assert_int_equal(parse(UDP6_BOUND_LO_30335, &s), 1);
	assert_ep(&s.local, "[::1]:30335");
	assert_int_equal(s.state, PROCNET_UDP_UNCONNECTED);
	assert_int_equal(s.inode, 168185);

	/* An IPv4-mapped bind in tcp6 stays mapped here (the caller unmaps). */
	assert_int_equal(parse(TCP6_LISTEN_MAPPED_UID1000, &s), 1);
	assert_ep(&s.local, "[::ffff:127.0.0.1]:30333");
	assert_int_equal(s.uid, 1000);
}

static void length_is_honoured(void **state)
{
	const char *line = TCP_LISTEN_LO_30333;
	const char *inode = strstr(line, "168179");
	struct procnet_sock s;

	(void)state;
	/* Cut inside the inode column: only the bytes given are read. */
	assert_int_equal(procnet_parse_line(line, (size_t)(inode - line) + 3, &s), 1);
	assert_int_equal(s.inode, 168);
	/* Cut before the inode: too few columns. */
	assert_int_equal(procnet_parse_line(line, (size_t)(inode - line), &s), -EINVAL);
}

static void malformed_lines(void **state)
{
	struct procnet_sock s;
	char longline[PROCNET_LINE_MAX + 2];

	(void)state;
	/* Not hex. */
	assert_int_equal(parse("   0: 0100007G:767D 00000000:0000 0A 0:0 0:0 0 0 0 1", &s),
			 -EINVAL);
	/* Local IPv4, remote IPv6. */
	assert_int_equal(parse("   0: 0100007F:767D 00000000000000000000000000000000:0000 0A "
			       "0:0 0:0 0 0 0 1",
			       &s),
			 -EINVAL);
	/* Address widths other than 8 and 32, a port of 3 digits. */
	assert_int_equal(parse("   0: 100007F:767D 00000000:0000 0A 0:0 0:0 0 0 0 1", &s), -EINVAL);
	assert_int_equal(parse("   0: 0100007F:76D 00000000:0000 0A 0:0 0:0 0 0 0 1", &s), -EINVAL);
	/* State of one digit; a uid over 32 bits; an inode over 64 bits. */
	assert_int_equal(parse("   0: 0100007F:767D 00000000:0000 A 0:0 0:0 0 0 0 1", &s), -EINVAL);
	assert_int_equal(parse("   0: 0100007F:767D 00000000:0000 0A 0:0 0:0 0 4294967296 0 1", &s),
			 -EINVAL);
	assert_int_equal(parse("   0: 0100007F:767D 00000000:0000 0A 0:0 0:0 0 0 0 "
			       "18446744073709551616",
			       &s),
			 -EINVAL);
	/* The slot column without its colon, or not a number. */
	assert_int_equal(parse("   0 0100007F:767D 00000000:0000 0A 0:0 0:0 0 0 0 1", &s), -EINVAL);
	assert_int_equal(parse("   x: 0100007F:767D 00000000:0000 0A 0:0 0:0 0 0 0 1", &s),
			 -EINVAL);
	/* Too few columns. */
	assert_int_equal(parse("   0: 0100007F:767D 00000000:0000 0A", &s), -EINVAL);
	/* Longer than any real line. */
	memset(longline, ' ', sizeof(longline));
	memcpy(longline, TCP_LISTEN_LO_30333, strlen(TCP_LISTEN_LO_30333) - 1);
	assert_int_equal(procnet_parse_line(longline, sizeof(longline), &s), -EINVAL);
	assert_int_equal(procnet_parse_line(longline, PROCNET_LINE_MAX, &s), 1);
}

static void lowercase_hex_and_max_values(void **state)
{
	struct procnet_sock s;

	(void)state;
	assert_int_equal(parse("   0: ffffffff:ffff 00000000:0000 0a 0:0 0:0 0 4294967295 0 "
			       "18446744073709551615",
			       &s),
			 1);
	assert_ep(&s.local, "255.255.255.255:65535");
	assert_int_equal(s.uid, UINT32_MAX);
	assert_true(s.inode == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(headers_and_blanks),
		cmocka_unit_test(tcp_listener_and_connection),
		cmocka_unit_test(ipv6_lines),
		cmocka_unit_test(length_is_honoured),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(lowercase_hex_and_max_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

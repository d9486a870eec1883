/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "util/netaddr.h"

static enum netaddr_class cls(const char *s)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse_ip(&a, s), 0);
	return netaddr_classify(&a);
}

static void classify_v4(void **state)
{
	(void)state;
	assert_int_equal(cls("192.168.1.10"), NETADDR_PRIVATE);
	assert_int_equal(cls("10.0.0.1"), NETADDR_PRIVATE);
	assert_int_equal(cls("172.16.0.1"), NETADDR_PRIVATE);
	assert_int_equal(cls("172.31.255.255"), NETADDR_PRIVATE);
	assert_int_equal(cls("172.32.0.1"), NETADDR_PUBLIC);
	assert_int_equal(cls("100.64.0.1"), NETADDR_CGNAT);
	assert_int_equal(cls("100.127.255.254"), NETADDR_CGNAT);
	assert_int_equal(cls("100.128.0.1"), NETADDR_PUBLIC);
	assert_int_equal(cls("100.63.255.255"), NETADDR_PUBLIC);
	assert_int_equal(cls("127.0.0.1"), NETADDR_LOOPBACK);
	assert_int_equal(cls("169.254.3.4"), NETADDR_LINKLOCAL);
	assert_int_equal(cls("203.0.113.5"), NETADDR_RESERVED);
	assert_int_equal(cls("0.0.0.0"), NETADDR_UNSPECIFIED);
	assert_int_equal(cls("239.255.255.250"), NETADDR_MULTICAST);
	assert_int_equal(cls("8.8.8.8"), NETADDR_PUBLIC);
}

static void classify_v6(void **state)
{
	(void)state;
	assert_int_equal(cls("::1"), NETADDR_LOOPBACK);
	assert_int_equal(cls("fe80::1"), NETADDR_LINKLOCAL);
	assert_int_equal(cls("fd00::1"), NETADDR_PRIVATE);
	assert_int_equal(cls("2001:db8::1"), NETADDR_RESERVED);
	assert_int_equal(cls("2a00:1450::1"), NETADDR_PUBLIC);
	/* IPv4-mapped addresses are classified as the IPv4 address. */
	assert_int_equal(cls("::ffff:100.64.1.1"), NETADDR_CGNAT);
}

static void fmt_and_eq(void **state)
{
	char buf[NETADDR_FMT_MAX];
	struct netaddr a, b;

	(void)state;
	assert_int_equal(netaddr_parse_ip(&a, "2001:db8::5"), 0);
	a.port = 3478;
	assert_string_equal(netaddr_fmt(&a, buf), "[2001:db8::5]:3478");
	assert_int_equal(netaddr_parse_ip(&b, "2001:db8::5"), 0);
	assert_false(netaddr_eq(&a, &b, false));
	assert_true(netaddr_eq(&a, &b, true));
	b = netaddr_v4u(0xc0a80101, 80);
	assert_string_equal(netaddr_fmt(&b, buf), "192.168.1.1:80");
	memset(&a, 0, sizeof(a));
	assert_string_equal(netaddr_fmt(&a, buf), "-");
	assert_int_equal(netaddr_parse_ip(&a, "not-an-ip"), -EINVAL);
}

static void split_hostport(void **state)
{
	char host[64];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(netaddr_split_hostport("stun.example.org:3478", host, sizeof(host), &port),
			 0);
	assert_string_equal(host, "stun.example.org");
	assert_int_equal(port, 3478);
	port = 7;
	assert_int_equal(netaddr_split_hostport("example.org", host, sizeof(host), &port), 0);
	assert_int_equal(port, 7); /* untouched when absent */
	assert_int_equal(netaddr_split_hostport("[2001:db8::1]:19302", host, sizeof(host), &port),
			 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 19302);
	assert_int_equal(netaddr_split_hostport("2001:db8::1", host, sizeof(host), &port), 0);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(netaddr_split_hostport("h:0", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(netaddr_split_hostport("h:65536", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(netaddr_split_hostport("h:12x", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(netaddr_split_hostport(":12", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(netaddr_split_hostport("[::1", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(netaddr_split_hostport("", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(netaddr_split_hostport("abcdefgh", host, 4, &port), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classify_v4),
		cmocka_unit_test(classify_v6),
		cmocka_unit_test(fmt_and_eq),
		cmocka_unit_test(split_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

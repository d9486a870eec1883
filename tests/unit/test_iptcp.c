/* SPDX-License-Identifier: MIT */
/* proto/iptcp: IPv4 + TCP headers as a packet socket delivers them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/iptcp.h"

/* 11.0.0.10:40000 -> 11.0.1.10:30333, SYN; IHL 5, Data Offset 5. */
static const uint8_t syn[40] = {
	0x45, 0,    0,	  40,	0, 1, 0x40, 0, 64, 6, 0, 0, 11,	  0,	0,    10,   11, 0, 1, 10,
	0x9c, 0x40, 0x76, 0x7d, 0, 0, 0,    1, 0,  0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0,	0, 0, 0,
};

static void test_syn(void **state)
{
	struct iptcp t;
	char a[NETADDR_FMT_MAX];

	(void)state;
	assert_int_equal(iptcp_parse(syn, sizeof(syn), &t), 0);
	assert_string_equal(netaddr_fmt(&t.src, a), "11.0.0.10:40000");
	assert_string_equal(netaddr_fmt(&t.dst, a), "11.0.1.10:30333");
	assert_int_equal(t.flags, IPTCP_SYN);
}

static void test_rejects(void **state)
{
	uint8_t b[48];
	struct iptcp t;

	(void)state;
	assert_int_equal(iptcp_parse(syn, 39, &t), -EBADMSG); /* TCP header cut */
	assert_int_equal(iptcp_parse(syn, 19, &t), -EBADMSG);
	memcpy(b, syn, sizeof(syn));
	b[9] = 17; /* UDP */
	assert_int_equal(iptcp_parse(b, sizeof(syn), &t), -EPROTO);
	memcpy(b, syn, sizeof(syn));
	b[0] = 0x60; /* IPv6 */
	assert_int_equal(iptcp_parse(b, sizeof(syn), &t), -EPROTO);
	memcpy(b, syn, sizeof(syn));
	b[7] = 8; /* a later fragment */
	assert_int_equal(iptcp_parse(b, sizeof(syn), &t), -EPROTO);
	memcpy(b, syn, sizeof(syn));
	b[0] = 0x4f; /* IHL 60 bytes, more than there is */
	assert_int_equal(iptcp_parse(b, sizeof(syn), &t), -EBADMSG);
	memcpy(b, syn, sizeof(syn));
	b[32] = 0xf0; /* Data Offset 60 bytes past the Total Length */
	assert_int_equal(iptcp_parse(b, sizeof(syn), &t), -EBADMSG);
	memcpy(b, syn, sizeof(syn));
	b[3] = 30; /* Total Length says the TCP header is cut */
	assert_int_equal(iptcp_parse(b, sizeof(syn), &t), -EBADMSG);
	/* Link-layer padding after Total Length is ignored. */
	memcpy(b, syn, sizeof(syn));
	memset(b + 40, 0xee, 8);
	assert_int_equal(iptcp_parse(b, sizeof(b), &t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

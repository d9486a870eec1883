/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/multiaddr.h"

#define PEER "12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT"

static int parse(const char *s, struct multiaddr *m)
{
	return multiaddr_parse(s, strlen(s), m);
}

static void ip4_tcp_p2p(void **state)
{
	struct multiaddr m;

	(void)state;
	assert_int_equal(parse("/ip4/192.168.86.249/tcp/30333/p2p/" PEER, &m), 0);
	assert_int_equal(m.host_kind, MULTIADDR_HOST_IP4);
	assert_string_equal(m.host, "192.168.86.249");
	assert_int_equal(m.ip.family, AF_INET);
	assert_int_equal(m.ip.port, 30333);
	assert_int_equal(m.transport, MULTIADDR_TCP);
	assert_int_equal(m.port, 30333);
	assert_string_equal(m.peer_id, PEER);
	assert_string_equal(multiaddr_transport_name(&m), "tcp");
	assert_int_equal(netaddr_classify(&m.ip), NETADDR_PRIVATE);
}

static void ip6_ws(void **state)
{
	struct multiaddr m;

	(void)state;
	assert_int_equal(parse("/ip6/::1/tcp/30334/ws/p2p/" PEER, &m), 0);
	assert_int_equal(m.host_kind, MULTIADDR_HOST_IP6);
	assert_int_equal(m.ip.family, AF_INET6);
	assert_int_equal(m.port, 30334);
	assert_true(m.ws);
	assert_string_equal(multiaddr_transport_name(&m), "ws");
	assert_int_equal(netaddr_classify(&m.ip), NETADDR_LOOPBACK);
}

static void dns_variants(void **state)
{
	struct multiaddr m;

	(void)state;
	assert_int_equal(parse("/dns/boot.phala.network/tcp/443/wss/p2p/" PEER, &m), 0);
	assert_int_equal(m.host_kind, MULTIADDR_HOST_DNS);
	assert_string_equal(m.host, "boot.phala.network");
	assert_int_equal(m.ip.family, 0);
	assert_true(m.wss);
	assert_string_equal(multiaddr_transport_name(&m), "wss");
	assert_int_equal(parse("/dns4/a.example/tcp/30333", &m), 0);
	assert_int_equal(m.host_kind, MULTIADDR_HOST_DNS4);
	assert_string_equal(m.peer_id, "");
	assert_int_equal(parse("/dns6/a.example/udp/30333/quic-v1", &m), 0);
	assert_int_equal(m.host_kind, MULTIADDR_HOST_DNS6);
	assert_int_equal(parse("/dnsaddr/bootstrap.libp2p.io/p2p/" PEER, &m), 0);
	assert_int_equal(m.host_kind, MULTIADDR_HOST_DNSADDR);
	assert_int_equal(m.port, 0);
}

static void udp_quic_and_webrtc(void **state)
{
	struct multiaddr m;

	(void)state;
	assert_int_equal(parse("/ip4/203.0.113.7/udp/30333/quic-v1/p2p/" PEER, &m), 0);
	assert_int_equal(m.transport, MULTIADDR_UDP);
	assert_true(m.quic);
	assert_string_equal(multiaddr_transport_name(&m), "quic-v1");
	assert_int_equal(parse("/ip4/203.0.113.7/udp/30335/webrtc-direct/certhash/"
			       "uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g/p2p/" PEER,
			       &m),
			 0);
	assert_true(m.webrtc);
	assert_string_equal(multiaddr_transport_name(&m), "webrtc-direct");
	assert_int_equal(parse("/ip4/1.2.3.4/udp/9", &m), 0);
	assert_string_equal(multiaddr_transport_name(&m), "udp");
}

static void relayed_keeps_relay_host_and_target_id(void **state)
{
	struct multiaddr m;

	(void)state;
	assert_int_equal(parse("/ip4/198.51.100.1/tcp/4001/p2p/QmRelay1/p2p-circuit/p2p/" PEER, &m),
			 0);
	assert_true(m.relayed);
	assert_string_equal(m.host, "198.51.100.1");
	assert_string_equal(m.peer_id, PEER);
}

static void bad_input(void **state)
{
	struct multiaddr m;
	char big[MULTIADDR_TEXT_MAX + 10];

	(void)state;
	assert_int_equal(parse("", &m), -EINVAL);
	assert_int_equal(parse("ip4/1.2.3.4", &m), -EINVAL);
	assert_int_equal(parse("/ip4/1.2.3.4/tcp", &m), -EINVAL);	/* no port */
	assert_int_equal(parse("/ip4/1.2.3.4/tcp/65536", &m), -EINVAL); /* too big */
	assert_int_equal(parse("/ip4/1.2.3.4/tcp/-1", &m), -EINVAL);
	assert_int_equal(parse("/ip4/::1/tcp/1", &m), -EINVAL);	    /* v6 in ip4 */
	assert_int_equal(parse("/ip6/1.2.3.4/tcp/1", &m), -EINVAL); /* v4 in ip6 */
	assert_int_equal(parse("/ip4/1.2.3.4//tcp/1", &m), -EINVAL);
	assert_int_equal(parse("/dns/bad name/tcp/1", &m), -EINVAL);
	assert_int_equal(parse("/ip4/1.2.3.4/tcp/1/p2p/12D3<script>", &m), -EINVAL);
	assert_int_equal(parse("/ip4/1.2.3.4/sctp/1", &m), -EPROTONOSUPPORT);
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	assert_int_equal(multiaddr_parse(big, sizeof(big), &m), -E2BIG);
	/* A trailing slash is tolerated. */
	assert_int_equal(parse("/ip4/1.2.3.4/tcp/30333/", &m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ip4_tcp_p2p),
		cmocka_unit_test(ip6_ws),
		cmocka_unit_test(dns_variants),
		cmocka_unit_test(udp_quic_and_webrtc),
		cmocka_unit_test(relayed_keeps_relay_host_and_target_id),
		cmocka_unit_test(bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

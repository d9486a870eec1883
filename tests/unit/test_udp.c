/* SPDX-License-Identifier: MIT */
/* net/udp: bound and connected sockets, on loopback only. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/udp.h"

static void bound_to_an_ephemeral_port(void **state)
{
	struct netaddr local = { 0 };
	int fd = udp_open(AF_INET, NULL, &local);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(local.family, AF_INET);
	assert_int_not_equal(local.port, 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void connected_to_a_peer(void **state)
{
	struct netaddr peer, local = { 0 };
	int fd;

	(void)state;
	assert_int_equal(netaddr_parse_ip(&peer, "127.0.0.1"), 0);
	peer.port = 9; /* nothing needs to listen: UDP connect sends nothing */
	fd = udp_open(AF_INET, &peer, &local);
	assert_true(fd >= 0);
	assert_int_equal(local.ip[0], 127);
	assert_int_not_equal(local.port, 0);
	close(fd);
}

static void a_peer_without_family_is_refused(void **state)
{
	struct netaddr none = { 0 };

	(void)state;
	assert_int_equal(udp_open(AF_INET, &none, NULL), -EAFNOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bound_to_an_ephemeral_port),
		cmocka_unit_test(connected_to_a_peer),
		cmocka_unit_test(a_peer_without_family_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

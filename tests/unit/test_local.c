/* SPDX-License-Identifier: MIT */
/*
 * check/local.c: the listener part on /proc/net files written by the test
 * (so every case is known), and the whole view in the namespace the test
 * runs in, asserting only what always holds there (lo with 127.0.0.1/8,
 * and sockets this test opens on 127.0.0.1, which carry no traffic).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nd_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/local.h"

#define HDR "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when\n"
/* 127.0.0.1:30333 LISTEN; an established connection to it (not a listener). */
#define TCP_LO_30333                                                                       \
	"   1: 0100007F:767D 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 " \
	"168179 1\n"
#define TCP_CONN_30333                                                                     \
	"   2: 0100007F:767D 0100007F:E3AE 01 00000000:00000000 00:00000000 00000000 0 0 " \
	"168189 1\n"
/* [::]:30334 LISTEN. */
#define TCP6_ANY_30334                                                                       \
	"   0: 00000000000000000000000000000000:767E 00000000000000000000000000000000:0000 " \
	"0A 00000000:00000000 00:00000000 00000000 0 0 168188 1\n"
/* ::ffff:127.0.0.1:30333 LISTEN in tcp6. */
#define TCP6_MAPPED_LO_30333                                                                 \
	"   0: 0000000000000000FFFF00000100007F:767D 00000000000000000000000000000000:0000 " \
	"0A 00000000:00000000 00:00000000 00000000 0 0 4242 1\n"
/* UDP 0.0.0.0:30333 unconnected, and a connected one on 30335. */
#define UDP_ANY_30333                                                                       \
	" 1979: 00000000:767D 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 " \
	"168182 2\n"
#define UDP_CONN_30335                                                                      \
	" 1980: 0100007F:767F 0100007F:0035 01 00000000:00000000 00:00000000 00000000 0 0 " \
	"168183 2\n"

struct fixture {
	char dir[64];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/nd-test-local-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const names[] = { "tcp", "tcp6", "udp", "udp6" };

	for (size_t i = 0; i < 4; i++)
		remove_file(fx->dir, names[i]);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static const char *ip(const struct netaddr *a, char buf[static NETADDR_FMT_MAX])
{
	return netaddr_fmt_ip(a, buf);
}

static void listeners_from_files(void **state)
{
	struct fixture *fx = *state;
	const struct node_port ports[] = {
		{ 30333, IPPROTO_TCP }, { 30334, IPPROTO_TCP }, { 30333, IPPROTO_UDP },
		{ 30335, IPPROTO_UDP }, { 4001, IPPROTO_TCP },
	};
	struct local_listener out[5];
	char buf[NETADDR_FMT_MAX];

	if (!nd_host_is_little_endian())
		skip();
	write_file(fx->dir, "tcp", HDR TCP_LO_30333 TCP_CONN_30333);
	write_file(fx->dir, "tcp6", HDR TCP6_ANY_30334);
	write_file(fx->dir, "udp", HDR UDP_ANY_30333 UDP_CONN_30335);
	/* No udp6: a kernel without IPv6. Not an error. */
	assert_int_equal(local_listeners_gather(fx->dir, ports, 5, out), 0);

	assert_int_equal(out[0].port.port, 30333);
	assert_int_equal(out[0].listening, TRI_YES);
	assert_int_equal(out[0].n_addrs, 1); /* the connection is not a listener */
	assert_string_equal(ip(&out[0].addrs[0], buf), "127.0.0.1");
	assert_true(out[0].loopback_only);

	assert_int_equal(out[1].listening, TRI_YES);
	assert_string_equal(ip(&out[1].addrs[0], buf), "::");
	assert_false(out[1].loopback_only);

	assert_int_equal(out[2].listening, TRI_YES);
	assert_string_equal(ip(&out[2].addrs[0], buf), "0.0.0.0");

	/* A connected UDP socket takes only its peer's datagrams. */
	assert_int_equal(out[3].listening, TRI_NO);
	assert_int_equal(out[4].listening, TRI_NO);
	assert_int_equal(out[4].n_addrs, 0);
}

static void mapped_address_is_ipv4_loopback(void **state)
{
	struct fixture *fx = *state;
	const struct node_port port = { 30333, IPPROTO_TCP };
	struct local_listener out;
	char buf[NETADDR_FMT_MAX];

	if (!nd_host_is_little_endian())
		skip();
	write_file(fx->dir, "tcp", HDR);
	write_file(fx->dir, "tcp6", HDR TCP6_MAPPED_LO_30333);
	assert_int_equal(local_listeners_gather(fx->dir, &port, 1, &out), 0);
	assert_int_equal(out.listening, TRI_YES);
	assert_string_equal(ip(&out.addrs[0], buf), "127.0.0.1");
	assert_int_equal(out.addrs[0].family, AF_INET);
	assert_true(out.loopback_only);
}

static void unreadable_file_means_unknown(void **state)
{
	struct fixture *fx = *state;
	const struct node_port ports[] = { { 30333, IPPROTO_TCP }, { 30334, IPPROTO_TCP } };
	struct local_listener out[2];

	if (!nd_host_is_little_endian())
		skip();
	/* tcp is missing (unlike tcp6, it always exists): we cannot say "no". */
	write_file(fx->dir, "tcp6", HDR TCP6_ANY_30334);
	assert_int_equal(local_listeners_gather(fx->dir, ports, 2, out), -ENOENT);
	assert_int_equal(out[0].listening, TRI_UNKNOWN);
	/* ...but a listener seen in the other file is a fact. */
	assert_int_equal(out[1].listening, TRI_YES);
}

static void duplicates_and_overflow(void **state)
{
	struct fixture *fx = *state;
	const struct node_port port = { 30333, IPPROTO_TCP };
	struct local_listener out;
	char text[2048], buf[NETADDR_FMT_MAX];
	size_t len = 0;
	bool any = false;

	if (!nd_host_is_little_endian())
		skip();
	/* SO_REUSEPORT twins on 127.0.0.1, then 127.0.0.2..5, then 0.0.0.0:
	 * five distinct addresses for four slots. The wildcard must stay, and
	 * loopback_only must see every address, kept or not. */
	len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", HDR, TCP_LO_30333);
	len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", TCP_LO_30333);
	for (int i = 2; i <= 5; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"   %d: 0%d00007F:767D 00000000:0000 0A 0:0 0:0 0 0 0 %d\n",
					i, i, i);
	snprintf(text + len, sizeof(text) - len,
		 "   9: 00000000:767D 00000000:0000 0A 0:0 0:0 0 0 0 9\n");
	write_file(fx->dir, "tcp", text);
	write_file(fx->dir, "tcp6", HDR);
	assert_int_equal(local_listeners_gather(fx->dir, &port, 1, &out), 0);
	assert_int_equal(out.n_addrs, CHECK_MAX_LISTEN_ADDRS);
	for (size_t i = 0; i < out.n_addrs; i++)
		any |= strcmp(ip(&out.addrs[i], buf), "0.0.0.0") == 0;
	assert_true(any);
	assert_false(out.loopback_only);
}

static void overlong_line_skipped(void **state)
{
	struct fixture *fx = *state;
	const struct node_port port = { 30333, IPPROTO_TCP };
	struct local_listener out;
	char text[2048];

	if (!nd_host_is_little_endian())
		skip();
	memset(text, 'x', 1000);
	snprintf(text + 1000, sizeof(text) - 1000, "\n%s", TCP_LO_30333);
	write_file(fx->dir, "tcp", text);
	write_file(fx->dir, "tcp6", HDR);
	assert_int_equal(local_listeners_gather(fx->dir, &port, 1, &out), 0);
	assert_int_equal(out.listening, TRI_YES);
}

/* --- the live namespace --------------------------------------------------- */

static int open_bound(int type, uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void live_view_has_loopback(void **state)
{
	struct check_config cfg = { 0 };
	struct local_view *v = malloc(sizeof(*v));
	bool found = false;
	char buf[NETADDR_FMT_MAX];

	(void)state;
	assert_non_null(v);
	local_view_gather(&cfg, v);
	for (size_t i = 0; i < v->n_addrs; i++)
		if (strcmp(v->addrs[i].ifname, "lo") == 0 && v->addrs[i].prefixlen == 8 &&
		    strcmp(ip(&v->addrs[i].addr, buf), "127.0.0.1") == 0) {
			assert_int_equal(v->addrs[i].cls, NETADDR_LOOPBACK);
			found = true;
		}
	assert_true(found);
	assert_int_equal(v->n_listeners, 0);
	/* A default route, if any, names its interface. */
	if (v->route4.present)
		assert_int_not_equal(v->route4.ifname[0], '\0');
	free(v);
}

static void live_listeners(void **state)
{
	struct check_config cfg = { .n_ports = 3 };
	struct local_view *v = malloc(sizeof(*v));
	uint16_t tcp_port, udp_port, idle_port;
	int tcp = open_bound(SOCK_STREAM, &tcp_port), udp = open_bound(SOCK_DGRAM, &udp_port);
	int idle = open_bound(SOCK_STREAM, &idle_port); /* bound, never listening */
	char buf[NETADDR_FMT_MAX];

	(void)state;
	assert_non_null(v);
	assert_int_equal(listen(tcp, 1), 0);
	cfg.ports[0] = (struct node_port){ tcp_port, IPPROTO_TCP };
	cfg.ports[1] = (struct node_port){ udp_port, IPPROTO_UDP };
	cfg.ports[2] = (struct node_port){ idle_port, IPPROTO_TCP };
	local_view_gather(&cfg, v);
	assert_int_equal(v->n_listeners, 3);
	assert_int_equal(v->listeners[0].listening, TRI_YES);
	assert_true(v->listeners[0].loopback_only);
	assert_string_equal(ip(&v->listeners[0].addrs[0], buf), "127.0.0.1");
	assert_int_equal(v->listeners[1].listening, TRI_YES);
	assert_true(v->listeners[1].loopback_only);
	assert_int_equal(v->listeners[2].listening, TRI_NO);

	close(tcp);
	close(udp);
	close(idle);
	local_view_gather(&cfg, v);
	assert_int_equal(v->listeners[0].listening, TRI_NO);
	assert_int_equal(v->listeners[1].listening, TRI_NO);
	free(v);
}

static void route_toward_loopback(void **state)
{
	struct local_route r;
	struct netaddr dst;
	char buf[NETADDR_FMT_MAX];

	(void)state;
	assert_int_equal(netaddr_parse_ip(&dst, "127.0.0.1"), 0);
	assert_int_equal(local_route_toward(&dst, &r), 0);
	assert_true(r.present);
	assert_string_equal(r.ifname, "lo");
	assert_string_equal(r.egress_ifname, "lo");
	assert_string_equal(ip(&r.source, buf), "127.0.0.1");
	assert_int_equal(r.gateway.family, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(listeners_from_files, setup, teardown),
		cmocka_unit_test_setup_teardown(mapped_address_is_ipv4_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(unreadable_file_means_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(duplicates_and_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(overlong_line_skipped, setup, teardown),
		cmocka_unit_test(live_view_has_loopback),
		cmocka_unit_test(live_listeners),
		cmocka_unit_test(route_toward_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

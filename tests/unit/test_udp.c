/* SPDX-License-Identifier: MIT */
/* net/udp: bound and connected sockets, on loopback only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "net/udp.h"
#include "nd_test.h"

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

/* --- udp_drain, on real loopback sockets ---------------------------------- */

/* A receiving socket on 127.0.0.1 and one connected to it that sends. */
struct pair {
	int rx, tx;
	struct netaddr rx_addr, tx_addr;
};

static void pair_open(struct pair *p)
{
	struct netaddr bound;

	p->rx = udp_open(AF_INET, NULL, &bound);
	assert_true(p->rx >= 0);
	p->rx_addr = nd_ip("127.0.0.1", bound.port);
	p->tx = udp_open(AF_INET, &p->rx_addr, &p->tx_addr);
	assert_true(p->tx >= 0);
}

static void pair_close(struct pair *p)
{
	if (p->rx >= 0)
		close(p->rx);
	close(p->tx);
}

/* Send n datagrams, the i-th of len bytes all i (loopback delivers at once). */
static void send_n(int fd, unsigned n, size_t len)
{
	uint8_t b[2048];

	assert_true(len <= sizeof(b));
	for (unsigned i = 0; i < n; i++) {
		memset(b, (int)i, len);
		assert_int_equal(send(fd, b, len, 0), (ssize_t)len);
	}
}

/* What the callback saw. */
struct seen {
	unsigned calls, stop_after; /* stop_after 0: never stop */
	unsigned truncated, errors;
	struct udp_datagram last;
	uint8_t first_byte[16];
	int last_error;
};

static bool record(int fd, const struct udp_datagram *d, void *ctx)
{
	struct seen *s = ctx;

	(void)fd;
	if (s->calls < sizeof(s->first_byte) && d->len)
		s->first_byte[s->calls] = d->data[0];
	s->calls++;
	s->truncated += d->truncated;
	if (d->error) {
		s->errors++;
		s->last_error = d->error;
	}
	s->last = *d;
	return !s->stop_after || s->calls < s->stop_after;
}

/* Each drain test: a fresh pair, an empty record, a time limit. */
struct drain_fix {
	struct pair p;
	struct seen s;
	uint8_t buf[64];
};

static int drain_setup(void **state)
{
	static struct drain_fix f;

	memset(&f, 0, sizeof(f));
	nd_time_limit(10);
	pair_open(&f.p);
	*state = &f;
	return 0;
}

static int drain_teardown(void **state)
{
	pair_close(&((struct drain_fix *)*state)->p);
	return 0;
}

static void drain_honours_the_per_wakeup_bound(void **state)
{
	struct drain_fix *f = *state;

	send_n(f->p.tx, 10, 20);
	assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 4, record, &f->s), 4);
	assert_int_equal(f->s.calls, 4);
	assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 4, record, &f->s), 4);
	/* Two left: EAGAIN ends the call before the bound. */
	assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 4, record, &f->s), 2);
	assert_int_equal(f->s.calls, 10);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(f->s.first_byte[i], i); /* in order, none lost */
	assert_int_equal(f->s.last.len, 20);
	assert_false(f->s.last.truncated);
	assert_true(netaddr_eq(&f->s.last.from, &f->p.tx_addr, false));
	assert_int_equal(f->s.truncated + f->s.errors, 0);
}

static void drain_of_nothing_ends_at_eagain(void **state)
{
	struct drain_fix *f = *state;

	assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 64, record, &f->s), 0);
	assert_int_equal(f->s.calls, 0);
}

static void drain_counts_truncated_datagrams(void **state)
{
	struct drain_fix *f = *state;
	enum { CAP = 16 }; /* the buffer the drain is given */

	send_n(f->p.tx, 1, 100); /* longer than CAP */
	send_n(f->p.tx, 1, 16);	 /* exactly CAP: not truncated */
	send_n(f->p.tx, 1, 0);	 /* empty: a datagram too */
	f->s.stop_after = 1;
	assert_int_equal(udp_drain(f->p.rx, f->buf, CAP, 64, record, &f->s), 1);
	assert_true(f->s.last.truncated);
	assert_int_equal(f->s.last.len, CAP);
	assert_int_equal(f->s.last.wire_len, 100);
	assert_ptr_equal(f->s.last.data, f->buf);
	f->s.stop_after = 0;
	assert_int_equal(udp_drain(f->p.rx, f->buf, CAP, 64, record, &f->s), 2);
	assert_int_equal(f->s.truncated, 1);
	assert_int_equal(f->s.calls, 3);
	assert_int_equal(f->s.last.len, 0);
	assert_int_equal(f->s.last.wire_len, 0);
	assert_false(f->s.last.truncated);
}

static void drain_stops_when_the_callback_says_so(void **state)
{
	struct drain_fix *f = *state;

	f->s = (struct seen){ .stop_after = 2 };
	send_n(f->p.tx, 5, 8);
	assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 64, record, &f->s), 2);
	f->s.stop_after = 0;
	assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 64, record, &f->s),
			 3); /* left waiting */
}

/* The kernel's arrival timestamp: a datagram read 50 ms after it came
 * says it waited at least that long (a lower bound: load only adds), or
 * 0, unknown. The kernel turns arrival stamps on for the whole host only
 * after the first socket asks, from a work queue (net_enable_timestamp):
 * until then it stamps at the read, which says 0. So: never a wait
 * between 0 and 50 ms, and a real one within a few tries. */
static void drain_says_how_long_a_datagram_waited(void **state)
{
	struct drain_fix *f = *state;
	bool stamped = false;

	for (int i = 0; i < 10 && !stamped; i++) {
		send_n(f->p.tx, 1, 8);
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
		assert_int_equal(udp_drain(f->p.rx, f->buf, sizeof(f->buf), 64, record, &f->s), 1);
		if (f->s.last.waited_ms > 0 && f->s.last.waited_ms < 49)
			fail_msg("waited %u ms, slept 50", f->s.last.waited_ms);
		assert_true(f->s.last.waited_ms < 10000);
		stamped = f->s.last.waited_ms >= 49;
	}
	assert_true(stamped);
}

/* A connected socket whose peer's port is closed: the ICMP port
 * unreachable comes back as an error handed to the callback, counted
 * like a datagram, and the drain goes on. */
static void drain_hands_over_icmp_errors(void **state)
{
	struct drain_fix *f = *state;
	struct pollfd pfd;

	close(f->p.rx); /* now nothing listens on rx_addr */
	f->p.rx = -1;
	send_n(f->p.tx, 1, 8);
	pfd = (struct pollfd){ .fd = f->p.tx, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_true(pfd.revents & POLLERR);
	assert_int_equal(udp_drain(f->p.tx, f->buf, sizeof(f->buf), 64, record, &f->s), 1);
	assert_int_equal(f->s.errors, 1);
	assert_int_equal(f->s.last_error, -ECONNREFUSED);
}

static void drain_of_what_is_not_a_socket_fails(void **state)
{
	struct seen s = { 0 };
	uint8_t buf[64];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(udp_drain(fd, buf, sizeof(buf), 64, record, &s), -ENOTSOCK);
	assert_int_equal(s.calls, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bound_to_an_ephemeral_port),
		cmocka_unit_test(connected_to_a_peer),
		cmocka_unit_test(a_peer_without_family_is_refused),
		cmocka_unit_test_setup_teardown(drain_honours_the_per_wakeup_bound, drain_setup,
						drain_teardown),
		cmocka_unit_test_setup_teardown(drain_of_nothing_ends_at_eagain, drain_setup,
						drain_teardown),
		cmocka_unit_test_setup_teardown(drain_counts_truncated_datagrams, drain_setup,
						drain_teardown),
		cmocka_unit_test_setup_teardown(drain_stops_when_the_callback_says_so, drain_setup,
						drain_teardown),
		cmocka_unit_test_setup_teardown(drain_says_how_long_a_datagram_waited, drain_setup,
						drain_teardown),
		cmocka_unit_test_setup_teardown(drain_hands_over_icmp_errors, drain_setup,
						drain_teardown),
		cmocka_unit_test(drain_of_what_is_not_a_socket_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

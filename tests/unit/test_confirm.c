/* SPDX-License-Identifier: MIT */
/*
 * map/confirm.c: when an UNKNOWN confirmation is asked again (the back-off
 * of confirm_retry_due), and that YES and NO never are; the count of
 * UNKNOWN verdicts in a row, over a real socket to a closed loopback port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "map/confirm.h"
#include "nd_test.h"

static void unknown_backs_off(void **state)
{
	struct confirm_port p = { .state = CONFIRM_UNKNOWN, .verdict_ms = 1000, .unknowns = 1 };

	(void)state;
	assert_false(confirm_retry_due(&p, 1000));
	assert_false(confirm_retry_due(&p, 1000 + CONFIRM_RETRY_FIRST_MS - 1));
	assert_true(confirm_retry_due(&p, 1000 + CONFIRM_RETRY_FIRST_MS));
	p.unknowns = 2;
	assert_false(confirm_retry_due(&p, 1000 + CONFIRM_RETRY_FIRST_MS));
	assert_true(confirm_retry_due(&p, 1000 + 2 * CONFIRM_RETRY_FIRST_MS));
	p.unknowns = 4;
	assert_false(confirm_retry_due(&p, 1000 + 8 * CONFIRM_RETRY_FIRST_MS - 1));
	assert_true(confirm_retry_due(&p, 1000 + 8 * CONFIRM_RETRY_FIRST_MS));
	/* Capped: a server away for days is asked about hourly, not never. */
	p.unknowns = 1000;
	assert_false(confirm_retry_due(&p, 1000 + CONFIRM_RETRY_MAX_MS - 1));
	assert_true(confirm_retry_due(&p, 1000 + CONFIRM_RETRY_MAX_MS));
}

static void verdicts_stand(void **state)
{
	struct confirm_port p = { .verdict_ms = 1000 };
	enum confirm_state st[] = { CONFIRM_NONE, CONFIRM_ASKING, CONFIRM_YES, CONFIRM_NO };

	(void)state;
	for (size_t k = 0; k < sizeof(st) / sizeof(st[0]); k++) {
		p.state = st[k];
		assert_false(confirm_retry_due(&p, UINT64_MAX / 2));
	}
}

struct seen {
	unsigned calls;
};

static void on_verdict(void *data, unsigned idx)
{
	struct seen *s = data;

	(void)idx;
	s->calls++;
}

/* A port on loopback that nothing holds (bound, then closed). */
static uint16_t closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* Each ask until cb or 3 s. */
static void ask(struct loop *l, struct confirm *c, struct seen *s, const struct netaddr *ext)
{
	unsigned before = s->calls;

	confirm_ask(c, 0, IPPROTO_TCP, 30333, ext);
	for (int k = 0; k < 30 && s->calls == before; k++)
		nd_run_for(l, 100);
	assert_int_equal(s->calls, before + 1);
}

static void unknowns_counted_per_mapping(void **state)
{
	struct loop *l;
	struct confirm *c;
	struct seen s = { 0 };
	struct netaddr ext = nd_ip("198.51.100.7", 30333), other = nd_ip("198.51.100.7", 40000);
	const char *host[] = { "127.0.0.1" };
	uint16_t port[] = { closed_port() };

	(void)state;
	nd_time_limit(20);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(confirm_open(l, host, port, 1, on_verdict, &s, &c), 0);
	ask(l, c, &s, &ext);
	assert_int_equal(confirm_get(c, 0)->state, CONFIRM_UNKNOWN);
	assert_int_equal(confirm_get(c, 0)->unknowns, 1);
	assert_false(confirm_retry_due(confirm_get(c, 0), loop_now_ms(l)));
	assert_true(confirm_retry_due(confirm_get(c, 0),
				      confirm_get(c, 0)->verdict_ms + CONFIRM_RETRY_FIRST_MS));
	ask(l, c, &s, &ext); /* the retry: still unknown, backs off further */
	assert_int_equal(confirm_get(c, 0)->unknowns, 2);
	ask(l, c, &s, &other); /* a new external port: a new mapping */
	assert_int_equal(confirm_get(c, 0)->unknowns, 1);
	confirm_close(c);
	nd_assert_loop_empty(l);
	loop_free(l);
}

/* Two servers that cannot tell (closed ports): the second is asked for the
 * same mapping, one verdict comes, UNKNOWN, named after the second, and it
 * counts as one unknown for the back-off. */
static void next_server_asked(void **state)
{
	struct loop *l;
	struct confirm *c;
	struct seen s = { 0 };
	struct netaddr ext = nd_ip("198.51.100.7", 30333);
	const char *host[] = { "127.0.0.1", "127.0.0.1" };
	uint16_t port[] = { closed_port(), closed_port() };
	char second[32];

	(void)state;
	nd_time_limit(20);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(confirm_open(l, host, port, 0, on_verdict, &s, &c), -EINVAL);
	assert_int_equal(confirm_open(l, host, port, 5, on_verdict, &s, &c), -EINVAL);
	assert_int_equal(confirm_open(l, host, port, 2, on_verdict, &s, &c), 0);
	ask(l, c, &s, &ext);
	nd_run_for(l, 300); /* no second verdict trails it */
	assert_int_equal(s.calls, 1);
	assert_int_equal(confirm_get(c, 0)->state, CONFIRM_UNKNOWN);
	assert_int_equal(confirm_get(c, 0)->unknowns, 1);
	snprintf(second, sizeof(second), "127.0.0.1:%u", port[1]);
	assert_string_equal(confirm_get(c, 0)->server, second);
	assert_non_null(strstr(confirm_server_name(c), second));
	confirm_close(c);
	nd_assert_loop_empty(l);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_backs_off),
		cmocka_unit_test(verdicts_stand),
		cmocka_unit_test(unknowns_counted_per_mapping),
		cmocka_unit_test(next_server_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

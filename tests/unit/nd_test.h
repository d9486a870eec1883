/* SPDX-License-Identifier: MIT */
/*
 * What the unit tests share (libuv's test/task.h in spirit): include after
 * <cmocka.h>. Static functions, so each test file takes what it uses.
 *
 *   nd_time_limit(s)        the test is killed after s seconds instead of
 *                           hanging ctest (a loop that spins, a lost wake-up)
 *   nd_run_for(l, ms)       run the loop until a callback stops it or ms pass
 *   nd_assert_loop_empty(l) nothing left registered: every module under test
 *                           removed its fds and timers
 *   nd_host_is_little_endian()  for fixtures written in the kernel's byte order
 *   nd_ip(s, port)          an address literal with a port (asserted to parse)
 */
#ifndef ND_TESTS_UNIT_ND_TEST_H
#define ND_TESTS_UNIT_ND_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "net/loop.h"
#include "util/netaddr.h"

static inline void nd_time_limit(unsigned seconds)
{
	/* SIGALRM's default action ends the process: ctest reports it. */
	alarm(seconds);
}

static inline void nd_on_run_for_end(struct loop *l, struct loop_timer *t, void *data)
{
	(void)t;
	(void)data;
	loop_stop(l);
}

static inline void nd_run_for(struct loop *l, uint64_t ms)
{
	struct loop_timer guard;

	loop_timer_init(&guard);
	assert_int_equal(loop_timer_start(l, &guard, ms, nd_on_run_for_end, NULL), 0);
	assert_int_equal(loop_run(l), 0);
	loop_timer_stop(l, &guard);
}

static inline void nd_assert_loop_empty(const struct loop *l)
{
	if (loop_alive(l))
		fail_msg("the loop still has fds or timers registered");
}

static inline bool nd_host_is_little_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

static inline struct netaddr nd_ip(const char *s, uint16_t port)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse_ip(&a, s), 0);
	a.port = port;
	return a;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Retransmission schedules on a fake clock: check's fixed LAN profile and
 * RFC 6887 §8.1.1's randomised exponential one, at the ends of RAND.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/retx.h"

#define RAND_MIN_U32 0u		/* RAND = -0.1 */
#define RAND_MAX_U32 ~0u	/* RAND = +0.1 (just under) */
#define RAND_MID_U32 (1u << 31) /* RAND = 0 */

/* A caller's loop: send whenever due, at the due time (the fake clock
 * jumps there), until done or `limit` sends. Returns the sends' times. */
static size_t drive(const struct retx_profile *p, uint64_t t0, uint32_t rnd, uint64_t *at,
		    size_t limit)
{
	struct retx r;
	uint64_t now = t0;
	size_t n = 0;

	retx_init(&r, p);
	assert_int_equal(retx_wait(&r, now), 0); /* the first send is due at once */
	while (n < limit) {
		uint64_t wait = retx_wait(&r, now);

		if (wait == RETX_DONE)
			break;
		now += wait;
		at[n++] = now;
		retx_sent(&r, now, rnd);
	}
	return n;
}

static void lan_fast_is_250_750_1750(void **state)
{
	uint64_t at[10];
	size_t n;

	(void)state;
	n = drive(&retx_lan_fast, 1000, RAND_MAX_U32, at, 10);
	assert_int_equal(n, 4);
	assert_int_equal(at[0], 1000);
	assert_int_equal(at[1], 1250);
	assert_int_equal(at[2], 1750);
	assert_int_equal(at[3], 2750);
}

static void lan_fast_late_timer_keeps_offsets(void **state)
{
	struct retx r;

	(void)state;
	/* Offsets count from the first send, not from a late wakeup. */
	retx_init(&r, &retx_lan_fast);
	assert_int_equal(retx_sent(&r, 0, 0), 250);
	assert_int_equal(retx_wait(&r, 100), 150);
	assert_int_equal(retx_sent(&r, 400, 0), 750); /* woke 150 ms late */
	assert_int_equal(retx_wait(&r, 800), 0);      /* overdue: at once */
	assert_int_equal(retx_sent(&r, 800, 0), 1750);
	assert_int_equal(retx_sent(&r, 1750, 0), RETX_DONE);
	assert_int_equal(retx_wait(&r, 5000), RETX_DONE);
}

static void rfc6887_without_randomness_doubles_to_mrt(void **state)
{
	uint64_t at[20];
	size_t n;

	(void)state;
	/* RAND 0: 3, 6, 12, ... 768 s, then 1024 s forever (MRC 0, MRD 0). */
	n = drive(&retx_rfc6887, 0, RAND_MID_U32, at, 20);
	assert_int_equal(n, 20);
	assert_int_equal(at[1] - at[0], 3000);
	assert_int_equal(at[2] - at[1], 6000);
	assert_int_equal(at[3] - at[2], 12000);
	assert_int_equal(at[9] - at[8], 768000);
	assert_int_equal(at[10] - at[9], 1024000);
	assert_int_equal(at[19] - at[18], 1024000);
}

static void rfc6887_randomised_within_ten_percent(void **state)
{
	struct retx lo, hi;
	uint64_t tlo = 0, thi = 0;

	(void)state;
	retx_init(&lo, &retx_rfc6887);
	retx_init(&hi, &retx_rfc6887);
	/* First RT: 2.7 s at RAND -0.1, just under 3.3 s at +0.1. */
	assert_int_equal(retx_sent(&lo, 0, RAND_MIN_U32), 2700);
	assert_in_range(retx_sent(&hi, 0, RAND_MAX_U32), 3299, 3300);
	/* Later RTs grow from the previous randomised one and stay within
	 * [0.9, 1.1] x MIN(2 RTprev, MRT). */
	for (int i = 0; i < 30; i++) {
		uint32_t prev_lo = lo.rt_ms, prev_hi = hi.rt_ms;
		uint64_t base_lo = 2ull * prev_lo > 1024000 ? 1024000 : 2ull * prev_lo;
		uint64_t base_hi = 2ull * prev_hi > 1024000 ? 1024000 : 2ull * prev_hi;

		tlo = lo.next_ms;
		thi = hi.next_ms;
		retx_sent(&lo, tlo, RAND_MIN_U32);
		retx_sent(&hi, thi, RAND_MAX_U32);
		assert_int_equal(lo.next_ms - tlo, base_lo * 9 / 10);
		assert_in_range(hi.next_ms - thi, base_hi * 11 / 10 - 1, base_hi * 11 / 10);
	}
	/* Capped: never beyond 1.1 x MRT. */
	assert_true(hi.rt_ms <= 1126400);
	assert_true(lo.rt_ms >= 921600 * 9 / 10);
}

static void mrc_and_mrd_end_the_schedule(void **state)
{
	const struct retx_profile three = { .irt_ms = 100, .mrt_ms = 0, .mrc = 3 };
	const struct retx_profile brief = { .irt_ms = 100, .mrd_ms = 1000 };
	uint64_t at[20];

	(void)state;
	/* MRC 3: three sends in all. */
	assert_int_equal(drive(&three, 0, 0, at, 20), 3);
	assert_int_equal(at[2], 300);
	/* MRD 1 s: 0, 100, 300, 700; the next (1500) is past it. */
	assert_int_equal(drive(&brief, 0, 0, at, 20), 4);
	assert_int_equal(at[3], 700);
}

static void no_overflow_near_the_end_of_time(void **state)
{
	struct retx r;
	const struct retx_profile tiny = { .irt_ms = 1, .randomise = true };

	(void)state;
	retx_init(&r, &retx_rfc6887);
	assert_int_equal(retx_sent(&r, UINT64_MAX - 10000, RAND_MID_U32), UINT64_MAX - 7000);
	/* A randomised 1 ms timeout never becomes 0 ms (a busy loop). */
	retx_init(&r, &tiny);
	assert_int_equal(retx_sent(&r, 5, RAND_MIN_U32), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lan_fast_is_250_750_1750),
		cmocka_unit_test(lan_fast_late_timer_keeps_offsets),
		cmocka_unit_test(rfc6887_without_randomness_doubles_to_mrt),
		cmocka_unit_test(rfc6887_randomised_within_ten_percent),
		cmocka_unit_test(mrc_and_mrd_end_the_schedule),
		cmocka_unit_test(no_overflow_near_the_end_of_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

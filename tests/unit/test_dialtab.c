/* SPDX-License-Identifier: MIT */
/* The table of dial-backs in flight and finished (serve/dialtab). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "nd_test.h"
#include "proto/stun.h"
#include "serve/dialtab.h"

static const uint8_t tid[STUN_TID_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };

static void dialtab_retransmissions_and_busy(void **state)
{
	struct dialtab_slot t[4];
	struct netaddr a = nd_ip("11.0.4.2", 4000), b = nd_ip("11.0.4.2", 4001);
	uint8_t tid2[STUN_TID_LEN];
	int i;

	(void)state;
	memset(t, 0, sizeof(t));
	memcpy(tid2, tid, sizeof(tid2));
	tid2[0] ^= 1;
	assert_int_equal(dialtab_find(t, 4, &a, tid, 0), -1);
	i = dialtab_claim(t, 4, &a, tid);
	assert_true(i >= 0);
	/* A retransmission finds it, in flight; another port or tid does not. */
	assert_int_equal(dialtab_find(t, 4, &a, tid, 100), i);
	assert_int_equal(t[i].state, DIALTAB_INFLIGHT);
	assert_int_equal(dialtab_find(t, 4, &b, tid, 100), -1);
	assert_int_equal(dialtab_find(t, 4, &a, tid2, 100), -1);
	/* Finished: kept DIALTAB_KEEP_MS for late retransmissions, then gone. */
	dialtab_done(t, (size_t)i, 1000);
	assert_int_equal(dialtab_find(t, 4, &a, tid, 1000 + DIALTAB_KEEP_MS - 1), i);
	assert_int_equal(t[i].state, DIALTAB_DONE);
	assert_int_equal(dialtab_find(t, 4, &a, tid, 1000 + DIALTAB_KEEP_MS), -1);
	assert_int_equal(t[i].state, DIALTAB_FREE);
	/* Four in flight: the fifth is busy. */
	for (int k = 0; k < 4; k++) {
		struct netaddr x = nd_ip("11.0.4.2", (uint16_t)(5000 + k));

		assert_true(dialtab_claim(t, 4, &x, tid) >= 0);
	}
	assert_int_equal(dialtab_claim(t, 4, &a, tid), -1);
	/* Two finish: a new one takes the one finished first, not a free-able
	 * in-flight one. */
	dialtab_done(t, 2, 3000);
	dialtab_done(t, 1, 2000);
	assert_int_equal(dialtab_claim(t, 4, &a, tid), 1);
	assert_int_equal(dialtab_claim(t, 4, &b, tid), 2);
	assert_int_equal(dialtab_claim(t, 4, &b, tid2), -1);
	dialtab_release(t, 0);
	assert_int_equal(dialtab_claim(t, 4, &b, tid2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dialtab_retransmissions_and_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

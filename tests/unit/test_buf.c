/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/buf.h"

static void read_ints_and_overrun(void **state)
{
	const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct buf_reader r = buf_reader(in, sizeof(in));

	(void)state;
	assert_int_equal(br_u8(&r), 0x01);
	assert_int_equal(br_u16(&r), 0x0203);
	assert_int_equal(br_u32(&r), 0x04050607);
	assert_false(r.err);
	assert_int_equal(br_left(&r), 0);
	assert_int_equal(br_u8(&r), 0);
	assert_true(r.err);
	/* Sticky: later reads stay zero even if they would "fit". */
	assert_int_equal(br_left(&r), 0);
	assert_null(br_take(&r, 0));
}

static void take_does_not_wrap(void **state)
{
	const uint8_t in[4] = { 0 };
	struct buf_reader r = buf_reader(in, sizeof(in));

	(void)state;
	br_u16(&r);
	assert_null(br_take(&r, SIZE_MAX));
	assert_true(r.err);
}

static void write_and_overflow(void **state)
{
	uint8_t out[6];
	struct buf_writer w = buf_writer(out, sizeof(out));

	(void)state;
	bw_u16(&w, 0xabcd);
	bw_u32(&w, 0x01020304);
	assert_false(w.err);
	assert_int_equal(w.len, 6);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[5], 0x04);
	bw_u8(&w, 1);
	assert_true(w.err);
	assert_int_equal(w.len, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_ints_and_overrun),
		cmocka_unit_test(take_does_not_wrap),
		cmocka_unit_test(write_and_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* util/keyedhash: keyed BLAKE2b from the dlopen'ed libsodium. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/keyedhash.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char b[3] = { s[2 * i], s[2 * i + 1], 0 };

		out[i] = (uint8_t)strtoul(b, NULL, 16);
	}
}

/* BLAKE2b's own keyed test vectors (the reference blake2b-kat.txt; Python's
 * hashlib.blake2b(key=...) agrees): key 00 01 .. 3f. */
static void known_answers(void **state)
{
	uint8_t key[64], in[3] = { 0, 1, 2 }, want[64], out[64];

	(void)state;
	for (int i = 0; i < 64; i++)
		key[i] = (uint8_t)i;
	hex("10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
	    "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568",
	    want, 64);
	assert_int_equal(keyedhash(out, 64, "", 0, key, 64), 0);
	assert_memory_equal(out, want, 64);
	/* A 16-byte digest is its own function, not a cut 64-byte one. */
	hex("ccf63a654ecd4b2e373ef98b7e8776f0", want, 16);
	assert_int_equal(keyedhash(out, 16, in, sizeof(in), key, 64), 0);
	assert_memory_equal(out, want, 16);
}

static void bounds(void **state)
{
	uint8_t key[65] = { 0 }, out[65];

	(void)state;
	assert_int_equal(keyedhash(out, 15, "x", 1, key, 32), -EINVAL);
	assert_int_equal(keyedhash(out, 65, "x", 1, key, 32), -EINVAL);
	assert_int_equal(keyedhash(out, 16, "x", 1, key, 15), -EINVAL);
	assert_int_equal(keyedhash(out, 16, "x", 1, key, 65), -EINVAL);
}

static void equal_and_wipe(void **state)
{
	uint8_t a[12] = "abcdefghijk", b[12] = "abcdefghijk";

	(void)state;
	assert_true(keyedhash_equal(a, b, sizeof(a)));
	b[11] ^= 1;
	assert_false(keyedhash_equal(a, b, sizeof(a)));
	keyedhash_wipe(a, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
}

static int setup(void **state)
{
	(void)state;
	/* Twice: the second is the first one's result. */
	return keyedhash_load() || keyedhash_load();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_answers),
		cmocka_unit_test(bounds),
		cmocka_unit_test(equal_and_wipe),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

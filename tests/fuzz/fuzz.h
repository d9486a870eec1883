/* SPDX-License-Identifier: MIT */
/*
 * Every tests/fuzz/fuzz_NAME.c defines the libFuzzer entry point and feeds
 * its bytes to one codec. The same file links with replay.c into
 * replay_NAME, which the normal test run uses to replay
 * tests/fuzz/corpus/NAME/ (seeds from real packets, and every crash ever
 * found, under a name that says what it was).
 */
#ifndef ND_FUZZ_H
#define ND_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the target checks: abort (a crash libFuzzer keeps) if false. */
#define FUZZ_CHECK(x)            \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

#endif

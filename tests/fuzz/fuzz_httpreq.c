/* SPDX-License-Identifier: MIT */
/* A scrape request head as metricsd reads it: the bytes in one piece, then
 * every prefix (a head arrives in pieces); a complete parse must agree. */
#include <string.h>

#include "fuzz.h"
#include "proto/httpreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpreq rq;
	int whole;

	if (size > 8192)
		return 0;
	whole = httpreq_parse((const char *)data, size, &rq);
	FUZZ_CHECK(whole <= (int)size);
	if (whole > 0) {
		FUZZ_CHECK(strlen(rq.method) > 0 && strlen(rq.method) < HTTPREQ_METHOD_MAX);
		FUZZ_CHECK(strlen(rq.path) > 0 && strlen(rq.path) < HTTPREQ_PATH_MAX);
		/* the same head, cut where it ends, parses the same */
		FUZZ_CHECK(httpreq_parse((const char *)data, (size_t)whole, &rq) == whole);
	}
	return 0;
}

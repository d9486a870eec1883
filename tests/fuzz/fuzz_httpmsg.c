/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.x responses: whatever a router's web server (or something
 * pretending to be one) sends to check's UPnP client. The input is parsed
 * as it arrived so far and as if the peer had closed. Properties: the body
 * lies inside the buffer; a response complete before the close is complete
 * after it, with the same status and body; a parse that does not succeed
 * leaves the buffer as it was (the caller parses again as bytes arrive).
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/httpmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *a = malloc(size + 1), *b = malloc(size + 1);
	struct httpmsg_response ra, rb;
	int r1, r2;

	if (!a || !b)
		abort();
	memcpy(a, data, size);
	memcpy(b, data, size);
	r1 = httpmsg_parse_response(a, size, false, &ra);
	if (r1 != 0)
		FUZZ_CHECK(memcmp(a, data, size) == 0);
	r2 = httpmsg_parse_response(b, size, true, &rb);
	FUZZ_CHECK(r2 != -EAGAIN);
	if (r2 == 0) {
		FUZZ_CHECK(rb.body >= b && rb.body + rb.body_len <= b + size);
		FUZZ_CHECK(rb.status >= 100 && rb.status <= 999);
	}
	if (r1 == 0) {
		FUZZ_CHECK(ra.body >= a && ra.body + ra.body_len <= a + size);
		FUZZ_CHECK(r2 == 0 && ra.status == rb.status && ra.body_len == rb.body_len);
		FUZZ_CHECK(memcmp(ra.body, rb.body, ra.body_len) == 0);
	}
	free(a);
	free(b);
	return 0;
}

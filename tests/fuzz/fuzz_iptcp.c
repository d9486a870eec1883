/* SPDX-License-Identifier: MIT */
/*
 * iptcp_parse on anything a packet socket can deliver: never reads past
 * the input, and what it accepts is IPv4 with ports in range.
 */
#include <errno.h>

#include "fuzz.h"
#include "proto/iptcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iptcp t;
	int rc = iptcp_parse(data, size, &t);

	FUZZ_CHECK(rc == 0 || rc == -EPROTO || rc == -EBADMSG);
	if (rc == 0)
		FUZZ_CHECK(t.src.family == AF_INET && t.dst.family == AF_INET && size >= 40);
	return 0;
}

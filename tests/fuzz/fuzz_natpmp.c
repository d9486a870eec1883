/* SPDX-License-Identifier: MIT */
/*
 * NAT-PMP codec: every datagram a gateway (or a hostile host on the LAN)
 * can send to port 5351 or 5350. The input goes to both decoders, as a
 * response and as a request. Whatever decodes cleanly must encode again and
 * decode to the same values; a disagreement aborts.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/natpmp.h"

static void response_round_trip(const uint8_t *data, size_t size)
{
	struct natpmp_response a, b;
	uint8_t out[NATPMP_MSG_MAX];
	int rc = natpmp_decode_response(&a, data, size);
	int n;

	natpmp_result_name(a.result);
	if (rc != 0 && rc != -ERANGE)
		return;
	n = natpmp_encode_response(&a, out);
	FUZZ_CHECK(n == NATPMP_BRIEF_RESP_LEN || n == NATPMP_EXTERNAL_RESP_LEN ||
		   n == NATPMP_MAP_RESP_LEN);
	FUZZ_CHECK(natpmp_decode_response(&b, out, (size_t)n) == rc);
	FUZZ_CHECK(a.opcode == b.opcode && a.result == b.result && a.epoch == b.epoch);
	FUZZ_CHECK(a.brief == b.brief);
	FUZZ_CHECK(netaddr_eq(&a.external, &b.external, false));
	FUZZ_CHECK(a.external.family == 0 || (a.opcode == NATPMP_OP_EXTERNAL && a.result == 0));
	FUZZ_CHECK(a.internal_port == b.internal_port && a.external_port == b.external_port);
	FUZZ_CHECK(a.lifetime == b.lifetime);
}

static void request_round_trip(const uint8_t *data, size_t size)
{
	struct natpmp_request a, b;
	uint8_t out[NATPMP_MSG_MAX];
	int n;

	if (natpmp_decode_request(&a, data, size) < 0 || a.result != NATPMP_SUCCESS)
		return;
	n = natpmp_encode_request(&a, out);
	FUZZ_CHECK(n == NATPMP_EXTERNAL_REQ_LEN || n == NATPMP_MAP_REQ_LEN);
	FUZZ_CHECK((size_t)n == size);
	FUZZ_CHECK(natpmp_decode_request(&b, out, (size_t)n) == 0 && b.result == NATPMP_SUCCESS);
	FUZZ_CHECK(a.opcode == b.opcode && a.internal_port == b.internal_port);
	FUZZ_CHECK(a.lifetime == b.lifetime);
	/* A deletion is always sent with suggested port 0 (§3.4). */
	FUZZ_CHECK(a.lifetime == 0 ? b.external_port == 0 : a.external_port == b.external_port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	response_round_trip(data, size);
	request_round_trip(data, size);
	if (size >= 8) {
		uint32_t prev, elapsed;

		/* A gateway whose epoch kept pace with our clock never looks
		 * rebooted. */
		memcpy(&prev, data, 4);
		memcpy(&elapsed, data + 4, 4);
		if (prev <= UINT32_MAX - elapsed)
			FUZZ_CHECK(natpmp_epoch_valid(prev, prev + elapsed, elapsed));
	}
	return 0;
}

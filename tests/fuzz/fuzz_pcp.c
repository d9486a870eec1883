/* SPDX-License-Identifier: MIT */
/*
 * PCP codec: every datagram a gateway (or a hostile host on the LAN) can
 * send to port 5351 or 5350. The input goes to both decoders, as a response
 * and as a request. Whatever decodes cleanly must encode again and decode
 * to the same values: a check that the decoder accepts only what it can
 * represent, and that encoder and decoder agree. A disagreement aborts.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/pcp.h"

static void check_map(const struct pcp_map *a, const struct pcp_map *b)
{
	FUZZ_CHECK(memcmp(a->nonce, b->nonce, PCP_NONCE_LEN) == 0);
	FUZZ_CHECK(a->protocol == b->protocol);
	FUZZ_CHECK(a->internal_port == b->internal_port);
	FUZZ_CHECK(a->external_port == b->external_port);
	FUZZ_CHECK(netaddr_eq(&a->external, &b->external, true));
}

static void check_options(const struct pcp_options *a, const struct pcp_options *b)
{
	FUZZ_CHECK(a->third_party == b->third_party);
	FUZZ_CHECK(!a->third_party || netaddr_eq(&a->third_party_addr, &b->third_party_addr, true));
	FUZZ_CHECK(a->prefer_failure == b->prefer_failure);
	FUZZ_CHECK(a->n_filters == b->n_filters && a->n_filters <= PCP_MAX_FILTERS);
	for (size_t i = 0; i < a->n_filters; i++) {
		FUZZ_CHECK(netaddr_eq(&a->filters[i].peer, &b->filters[i].peer, false));
		FUZZ_CHECK(a->filters[i].prefix_len == b->filters[i].prefix_len);
	}
}

static void response_round_trip(const uint8_t *data, size_t size)
{
	struct pcp_response a, b;
	uint8_t out[PCP_MAX_LEN];
	int rc = pcp_decode_response(&a, data, size);
	int n;

	pcp_result_name(a.result);
	if ((rc != 0 && rc != -ERANGE) || a.version != PCP_VERSION)
		return;
	FUZZ_CHECK(size >= PCP_MIN_LEN && size <= PCP_MAX_LEN && size % 4 == 0);
	n = pcp_encode_response(&a, out);
	/* The one thing the decoder takes and the encoder refuses: MAP
	 * protocol 0 ("all") with a nonzero internal port, which §11.1 has
	 * the receiver ignore. */
	if (n == -EINVAL && a.has_map && a.map.protocol == 0)
		return;
	FUZZ_CHECK(n >= PCP_MIN_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	FUZZ_CHECK(pcp_decode_response(&b, out, (size_t)n) == rc);
	FUZZ_CHECK(a.opcode == b.opcode && a.result == b.result);
	FUZZ_CHECK(a.lifetime == b.lifetime && a.epoch == b.epoch);
	FUZZ_CHECK(a.has_map == b.has_map);
	if (a.has_map)
		check_map(&a.map, &b.map);
	check_options(&a.opts, &b.opts);
}

static void request_round_trip(const uint8_t *data, size_t size)
{
	struct pcp_request a, b;
	uint8_t out[PCP_MAX_LEN];
	int n;

	if (pcp_decode_request(&a, data, size) < 0 || a.result != PCP_SUCCESS)
		return;
	n = pcp_encode_request(&a, out);
	if (n == -EINVAL && a.opcode == PCP_OP_MAP && a.map.protocol == 0)
		return;
	FUZZ_CHECK(n >= PCP_MIN_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	FUZZ_CHECK(pcp_decode_request(&b, out, (size_t)n) == 0 && b.result == PCP_SUCCESS);
	FUZZ_CHECK(a.opcode == b.opcode);
	FUZZ_CHECK(netaddr_eq(&a.client, &b.client, true));
	/* ANNOUNCE's lifetime is always sent as 0 (§14.1). */
	FUZZ_CHECK(a.opcode == PCP_OP_ANNOUNCE ? b.lifetime == 0 : a.lifetime == b.lifetime);
	if (a.opcode == PCP_OP_MAP)
		check_map(&a.map, &b.map);
	check_options(&a.opts, &b.opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	response_round_trip(data, size);
	request_round_trip(data, size);
	if (size >= 12) {
		uint32_t prev, cur, elapsed;

		memcpy(&prev, data, 4);
		memcpy(&cur, data + 4, 4);
		memcpy(&elapsed, data + 8, 4);
		/* §8.5: in step with our clock is valid; back by more than a
		 * second never is. */
		if (prev <= UINT32_MAX - elapsed)
			FUZZ_CHECK(pcp_epoch_valid(prev, prev + elapsed, elapsed));
		if ((uint64_t)cur + 1 < prev)
			FUZZ_CHECK(!pcp_epoch_valid(prev, cur, elapsed));
	}
	return 0;
}

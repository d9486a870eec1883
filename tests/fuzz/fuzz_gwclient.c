/* SPDX-License-Identifier: MIT */
/*
 * The gateway client (gw/mapping.c) fed a stream of datagrams from a
 * hostile gateway: the input is split into datagrams (a length byte, then
 * that many bytes), each decoded with gw_decode and applied, with the
 * epoch, to a PCP and a NAT-PMP mapping in every state the machine
 * reaches, with the fake clock ticking between them. Properties: nothing
 * crashes; a mapping is HELD only after an answer with its own nonce
 * (PCP) or internal port (NAT-PMP), a nonzero external port and lifetime;
 * the lease held never exceeds the one asked. check's side of the client
 * rides along: a oneshot PCP mapping (check's test MAP, deleted as soon as
 * it is granted, as check does) and the two questions (NAT-PMP external
 * address, PCP ANNOUNCE): a question is answered at most once, keeps only
 * a believable external address, and every answer nobody took gets a
 * reason.
 */
#include <netinet/in.h>
#include <string.h>

#include "fuzz.h"
#include "gw/mapping.h"

static const uint8_t NONCE[PCP_NONCE_LEN] = { 0x4e, 0x44, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netaddr client = { .family = AF_INET, .ip = { 192, 168, 1, 10 } };
	struct gw_map m[3];
	struct gw_query q[2];
	struct gw_epoch e = { 0 };
	uint8_t out[PCP_MAX_LEN];
	uint64_t now = 1000;
	size_t at = 0;

	gw_map_init(&m[0], GW_PCP, IPPROTO_TCP, 30333, 30333, 120, &client, NONCE);
	gw_map_init(&m[1], GW_NATPMP, IPPROTO_UDP, 30334, 30334, 120, &client, NONCE);
	gw_map_init(&m[2], GW_PCP, IPPROTO_UDP, 40000, 0, 30, &client, NONCE);
	gw_map_oneshot(&m[2], &retx_lan_fast);
	for (int i = 0; i < 3; i++)
		gw_map_start(&m[i], now);
	gw_query_start(&q[0], GW_NATPMP, NULL, &retx_lan_fast, now);
	gw_query_start(&q[1], GW_PCP, &client, &retx_lan_fast, now);
	while (at < size) {
		size_t n = data[at++];
		struct gw_answer a;

		if (n > size - at)
			n = size - at;
		now += 37 + (n * 911);
		for (int i = 0; i < 3; i++)
			FUZZ_CHECK(gw_map_tick(&m[i], now, (uint32_t)(now * 2654435761u), out) >=
				   0);
		for (int i = 0; i < 2; i++)
			FUZZ_CHECK(gw_query_tick(&q[i], now, 0, out) >= 0);
		int r = gw_decode(&a, data + at, n);

		if (r < 0)
			FUZZ_CHECK(gw_reject_decode(r) < GW_REJECT_MAX);
		if (r == 0) {
			bool taken = false;

			(void)gw_epoch_lost(&e, &a, now);
			for (int i = 0; i < 2; i++) {
				bool was = q[i].answered;
				enum gw_event ev = gw_query_answer(&q[i], &a);

				if (ev == GW_EV_ANSWERED || ev == GW_EV_BOGUS)
					FUZZ_CHECK(!was && q[i].answered &&
						   a.method == q[i].method);
				if (q[i].external.family)
					FUZZ_CHECK(gw_external_believable(&q[i].external));
				taken |= ev != GW_EV_NOT_OURS;
			}
			if (gw_map_answer(&m[2], &a, now, 7) == GW_EV_MAPPED) {
				gw_map_delete(&m[2], now); /* as check does */
				FUZZ_CHECK(gw_map_tick(&m[2], now, 0, out) > 0);
				FUZZ_CHECK(m[2].state == GW_MAP_DELETING);
				taken = true;
			}
			if (!taken) {
				enum gw_reject why = gw_map_reject(&m[2], &a);

				FUZZ_CHECK(why == GW_REJECT_NONCE || why == GW_REJECT_UNASKED);
			}
			for (int i = 0; i < 2; i++) {
				enum gw_map_state before = m[i].state;
				enum gw_event ev = gw_map_answer(&m[i], &a, now, 7);

				if (ev == GW_EV_MAPPED) {
					FUZZ_CHECK(m[i].state == GW_MAP_HELD);
					FUZZ_CHECK(a.method == m[i].method);
					FUZZ_CHECK(m[i].external_port != 0 && m[i].granted_s != 0);
					if (a.method == GW_PCP)
						FUZZ_CHECK(!memcmp(a.u.pcp.map.nonce, NONCE,
								   PCP_NONCE_LEN));
					else
						FUZZ_CHECK(a.u.natpmp.internal_port == 30334);
				}
				if (m[i].state == GW_MAP_HELD && before != GW_MAP_HELD)
					FUZZ_CHECK(ev == GW_EV_MAPPED);
				FUZZ_CHECK(m[i].granted_s <= 120);
			}
		}
		if (data[at - 1] == 0xff) /* now and then: delete, then ask again */
			for (int i = 0; i < 3; i++) {
				gw_map_delete(&m[i], now);
				gw_map_start(&m[i], now);
			}
		at += n;
	}
	return 0;
}

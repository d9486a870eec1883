/* SPDX-License-Identifier: MIT */
/*
 * serve_answer, the whole of what `natdoctor serve` does with a request,
 * on anything a socket can deliver. The first byte picks the situation
 * (UDP or TCP, the address and port it arrived on, one or two server
 * addresses, IPv4 or IPv6, a dial-back result in hand); the rest is the
 * datagram or TCP message. Properties: never an error for input, never an
 * answer bigger than the request plus the allowance, every answer a
 * well-formed STUN response to the same transaction, sent from a socket
 * the server has.
 */
#include <string.h>

#include "fuzz.h"
#include "proto/dialback.h"
#include "proto/stun.h"
#include "serve/answer.h"
#include "util/keyedhash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t v4[2][4] = { { 11, 0, 0, 10 }, { 11, 0, 0, 11 } };
	static const uint8_t v6[2][16] = { { 0x2a, 0, 0, 0x11, [15] = 0x10 },
					   { 0x2a, 0, 0, 0x11, [15] = 0x11 } };
	static const uint8_t src4[4] = { 11, 0, 4, 2 }, src6[16] = { 0x2a, 0, 0, 0x12, [15] = 2 };
	static struct cookie_keys keys; /* all zero: deterministic */
	static uint8_t out[SERVE_RESPONSE_MAX];
	struct serve_conf conf = { .port = { 3478, 3479 } };
	struct dialback_res res = { .proto = 6, .result = DIALBACK_PROBE, .port = 1 };
	struct serve_in in;
	struct serve_out o;
	struct stun_msg m;
	uint8_t sel;
	bool six, two;
	size_t allowance;

	if (size < 1)
		return 0;
	/* The cookie's MAC (libsodium, dlopen'ed); idempotent after the first. */
	FUZZ_CHECK(keyedhash_load() == 0);
	sel = data[0];
	six = sel & 0x10;
	two = !(sel & 0x08);
	conf.allow_private = sel & 0x40;
	conf.addr[0] = six ? netaddr_v6(v6[0], 0) : netaddr_v4(v4[0], 0);
	if (two)
		conf.addr[1] = six ? netaddr_v6(v6[1], 0) : netaddr_v4(v4[1], 0);
	in = (struct serve_in){
		.pkt = data + 1,
		.len = size - 1,
		.tcp = sel & 0x01,
		.src = six ? netaddr_v6(src6, 40000) : netaddr_v4(src4, 40000),
		.at_addr = two ? (sel >> 1) & 1 : 0,
		.at_port = (sel >> 2) & 1,
	};
	FUZZ_CHECK(serve_answer(&conf, &in, &keys, 1000, (sel & 0x20) ? &res : NULL, out,
				sizeof(out), &o) == 0);
	if (o.action != SERVE_REPLY)
		return 0;
	allowance = six ? SERVE_ALLOWANCE_V6 : SERVE_ALLOWANCE_V4;
	FUZZ_CHECK(o.len <= in.len + allowance && o.len <= SERVE_RESPONSE_MAX);
	FUZZ_CHECK(o.from_addr <= (two ? 1u : 0u) && o.from_port <= 1 && o.to_port != 0);
	FUZZ_CHECK(stun_decode(&m, out, o.len) == 0);
	FUZZ_CHECK(m.cls == (o.error ? STUN_ERROR : STUN_SUCCESS));
	FUZZ_CHECK(memcmp(m.tid, in.pkt + 8, STUN_TID_LEN) == 0);
	FUZZ_CHECK(!o.error || (m.has_error && m.error_code == o.error));
	FUZZ_CHECK(o.error || (m.has_xor_mapped && netaddr_eq(&m.xor_mapped, &in.src, false)));
	FUZZ_CHECK(!m.has_other_address || two);
	return 0;
}

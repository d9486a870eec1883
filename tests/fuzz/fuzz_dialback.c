/* SPDX-License-Identifier: MIT */
/*
 * The dial-back attributes in anything a socket can deliver: whatever
 * stun_decode accepts goes to dialback_find; what it finds is encoded again
 * into a fresh message and must be found again, the same. The same bytes
 * also go to the two dial-back payload matchers (a probe socket and the
 * server's reply reader see arbitrary bytes too). And the client half
 * (dial/dialclient.c, check --server and map --server) judges whatever
 * decodes, with and without a cookie in hand.
 */
#include <errno.h>
#include <string.h>

#include "dial/dialclient.h"
#include "fuzz.h"
#include "proto/dialback.h"
#include "proto/stun.h"

/* The client's verdict on any answer: a result only after a cookie and for
 * what was asked, an observed address only when believable. */
static void client(const struct stun_msg *m, const uint8_t *data, size_t size, bool have_cookie)
{
	static const uint8_t srv_ip[4] = { 11, 0, 0, 10 };
	struct netaddr srv = netaddr_v4(srv_ip, 3478);
	struct dialback_req req = { .proto = DIALBACK_PROTO_TCP, .port = 30333 };
	struct dialclient_answer a;
	enum dialclient_ev ev = dialclient_answer(&srv, &req, have_cookie, m, data, size, &a);

	FUZZ_CHECK(ev == DIALCLIENT_BAD || ev == DIALCLIENT_ERROR || ev == DIALCLIENT_COOKIE ||
		   ev == DIALCLIENT_RESULT || ev == DIALCLIENT_NOT_DIALBACK);
	FUZZ_CHECK(ev != DIALCLIENT_RESULT ||
		   (have_cookie && a.result.port == 30333 && a.result.proto == req.proto &&
		    a.result.result >= 1 && a.result.result <= DIALBACK_RESULT_MAX));
	FUZZ_CHECK(ev != DIALCLIENT_COOKIE || !have_cookie);
	FUZZ_CHECK(ev == DIALCLIENT_BAD || ev == DIALCLIENT_ERROR ||
		   dialclient_observed_believable(&srv, &a.observed));
	FUZZ_CHECK(memchr(a.error, 0, sizeof(a.error)) != NULL);
}

static void reencode(const struct dialback_attrs *a, const uint8_t *tid)
{
	uint8_t extra[DIALBACK_ATTRS_MAX], msg[STUN_HEADER_LEN + DIALBACK_ATTRS_MAX + 8];
	struct stun_opts o = { .cls = STUN_REQUEST, .method = STUN_BINDING, .tid = tid };
	struct dialback_attrs d;
	struct stun_msg m;
	int n = dialback_encode(a, extra, sizeof(extra)), len;

	FUZZ_CHECK(n >= 0 && n <= DIALBACK_ATTRS_MAX);
	o.extra = extra;
	o.extra_len = (size_t)n;
	o.fingerprint = true;
	len = stun_encode(&o, msg, sizeof(msg));
	FUZZ_CHECK(len > 0);
	FUZZ_CHECK(stun_decode(&m, msg, (size_t)len) == 0 && m.n_unknown == 0);
	FUZZ_CHECK(dialback_find(&d, msg, (size_t)len) == 0);
	FUZZ_CHECK(d.has_req == a->has_req && d.has_cookie == a->has_cookie &&
		   d.has_result == a->has_result);
	FUZZ_CHECK(!d.has_req || memcmp(&d.req, &a->req, sizeof(d.req)) == 0);
	FUZZ_CHECK(!d.has_cookie || memcmp(&d.cookie, &a->cookie, sizeof(d.cookie)) == 0);
	FUZZ_CHECK(!d.has_result || memcmp(&d.result, &a->result, sizeof(d.result)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[DIALBACK_NONCE_LEN] = { 0x13, 0x2f, 0x6d, 0x75,
							   0x6c, 0x74, 0x69, 0x73 };
	struct dialback_attrs a;
	struct stun_msg m;
	enum dialback_result r = dialback_tcp_classify(data, size, nonce);
	int rc;

	FUZZ_CHECK(r == DIALBACK_LIBP2P || r == DIALBACK_OTHER || r == DIALBACK_PROBE);
	FUZZ_CHECK(!dialback_udp_match(data, size, nonce) || size == DIALBACK_UDP_LEN);
	if (stun_decode(&m, data, size) < 0)
		return 0;
	client(&m, data, size, false);
	client(&m, data, size, true);
	rc = dialback_find(&a, data, size);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0) {
		FUZZ_CHECK(!a.has_req || a.req.proto == DIALBACK_PROTO_TCP ||
			   a.req.proto == DIALBACK_PROTO_UDP);
		FUZZ_CHECK(dialback_result_name(a.result.result) != NULL);
		reencode(&a, m.tid);
	}
	return 0;
}

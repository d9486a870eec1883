/* SPDX-License-Identifier: MIT */
/*
 * dial/dialclient.c: the client half of the dial-back, shared by check
 * --server and map --server: what each answer of a natdoctor serve means,
 * and the retransmission schedule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dial/dialclient.h"

static const uint8_t tid[STUN_TID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t srv_ip[4] = { 11, 0, 0, 10 }, obs_ip[4] = { 11, 0, 2, 2 };
static const struct dialback_req req = { .proto = DIALBACK_PROTO_TCP, .port = 30333 };

/* An answer from the server: success with XOR-MAPPED-ADDRESS obs and the
 * dial-back attributes a (NULL: none), or an error when code is set. */
static size_t answer(uint8_t *pkt, size_t cap, const struct netaddr *obs,
		     const struct dialback_attrs *a, uint16_t code)
{
	uint8_t extra[DIALBACK_ATTRS_MAX];
	struct stun_opts o = { .cls = code ? STUN_ERROR : STUN_SUCCESS,
			       .method = STUN_BINDING,
			       .tid = tid,
			       .xor_mapped = code ? NULL : obs,
			       .error_code = code };
	int n = a ? dialback_encode(a, extra, sizeof(extra)) : 0;

	assert_true(n >= 0);
	o.extra = n ? extra : NULL;
	o.extra_len = (size_t)n;
	n = stun_encode(&o, pkt, cap);
	assert_true(n > 0);
	return (size_t)n;
}

static enum dialclient_ev ask(const uint8_t *pkt, size_t len, bool have_cookie,
			      struct dialclient_answer *out)
{
	struct netaddr srv = netaddr_v4(srv_ip, 4478);
	struct stun_msg m;

	assert_int_equal(stun_decode(&m, pkt, len), 0);
	return dialclient_answer(&srv, &req, have_cookie, &m, pkt, len, out);
}

static void test_cookie_then_result(void **state)
{
	struct netaddr obs = netaddr_v4(obs_ip, 40000);
	struct dialback_attrs a = { .has_cookie = true, .cookie = { .ts = 7 } };
	struct dialclient_answer out;
	uint8_t pkt[256];
	size_t n;

	(void)state;
	n = answer(pkt, sizeof(pkt), &obs, &a, 0);
	assert_int_equal(ask(pkt, n, false, &out), DIALCLIENT_COOKIE);
	assert_int_equal(out.cookie.ts, 7);
	assert_true(netaddr_eq(&out.observed, &obs, false));
	/* A second cookie for a request that carried one: not an answer. */
	assert_int_equal(ask(pkt, n, true, &out), DIALCLIENT_BAD);

	memset(&a, 0, sizeof(a));
	a.has_result = true;
	a.result = (struct dialback_res){ .proto = DIALBACK_PROTO_TCP,
					  .result = DIALBACK_REFUSED,
					  .port = 30333,
					  .elapsed_ms = 2 };
	n = answer(pkt, sizeof(pkt), &obs, &a, 0);
	assert_int_equal(ask(pkt, n, true, &out), DIALCLIENT_RESULT);
	assert_int_equal(out.result.result, DIALBACK_REFUSED);
	/* A result before any cookie was never asked for. */
	assert_int_equal(ask(pkt, n, false, &out), DIALCLIENT_BAD);
	/* A result for another port than asked. */
	a.result.port = 30334;
	n = answer(pkt, sizeof(pkt), &obs, &a, 0);
	assert_int_equal(ask(pkt, n, true, &out), DIALCLIENT_BAD);
	/* An unknown result code. */
	a.result.port = 30333;
	a.result.result = DIALBACK_RESULT_MAX + 1;
	n = answer(pkt, sizeof(pkt), &obs, &a, 0);
	assert_int_equal(ask(pkt, n, true, &out), DIALCLIENT_BAD);
}

static void test_not_serve_and_errors(void **state)
{
	struct netaddr obs = netaddr_v4(obs_ip, 40000);
	static const uint8_t priv[4] = { 192, 168, 1, 10 };
	struct netaddr lan = netaddr_v4(priv, 40000);
	struct dialclient_answer out;
	uint8_t pkt[256];
	size_t n;

	(void)state;
	/* Plain STUN: a server that ignores the dial-back attributes. */
	n = answer(pkt, sizeof(pkt), &obs, NULL, 0);
	assert_int_equal(ask(pkt, n, false, &out), DIALCLIENT_NOT_DIALBACK);
	/* A public server that claims to see a private address: not believed. */
	n = answer(pkt, sizeof(pkt), &lan, NULL, 0);
	assert_int_equal(ask(pkt, n, false, &out), DIALCLIENT_BAD);
	n = answer(pkt, sizeof(pkt), NULL, NULL, 420);
	assert_int_equal(ask(pkt, n, false, &out), DIALCLIENT_ERROR);
	assert_non_null(strstr(out.error, "error 420"));
}

static void test_retransmissions(void **state)
{
	struct dialclient_xmit x;
	unsigned sends = 0;
	uint64_t now = 1000, due;

	(void)state;
	assert_int_equal(dialclient_request(&x, &req, NULL), 0);
	assert_true(x.active && x.len > 20);
	assert_int_equal(dialclient_xmit_due(&x), UINT64_MAX); /* not sent yet */
	dialclient_xmit_sent(&x, now);
	sends++;
	while ((due = dialclient_xmit_due(&x)) != UINT64_MAX) {
		assert_true(due > now);
		now = due;
		dialclient_xmit_sent(&x, now);
		sends++;
	}
	assert_int_equal(sends, 8);
	/* The last send leaves time for the server's 1 s dial timeout. */
	assert_true(now - 1000 + 1000 < DIALCLIENT_GIVEUP_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_then_result),
		cmocka_unit_test(test_not_serve_and_errors),
		cmocka_unit_test(test_retransmissions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

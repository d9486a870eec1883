/* SPDX-License-Identifier: MIT */
/*
 * natdoctor serve's pure parts: the request -> response function (RFC 8489,
 * RFC 5780, the dial-back exchange of docs/SERVE-PROTOCOL.md), the cookie,
 * the address policy, the rate limit and the metrics text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/dialback.h"
#include "proto/prom.h"
#include "proto/stun.h"
#include "serve/answer.h"
#include "serve/cookie.h"
#include "serve/dialtab.h"
#include "serve/metrics.h"
#include "serve/ratelimit.h"
#include "util/buf.h"

static const uint8_t tid[STUN_TID_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };
static struct cookie_keys keys;
static uint8_t req[2048], out[SERVE_RESPONSE_MAX];

static struct netaddr ip(const char *s, uint16_t port)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse_ip(&a, s), 0);
	a.port = port;
	return a;
}

static struct serve_conf conf2(void)
{
	struct serve_conf c = { .port = { 3478, 3479 } };

	c.addr[0] = ip("11.0.0.10", 0);
	c.addr[1] = ip("11.0.0.11", 0);
	return c;
}

static struct serve_conf conf1(void)
{
	struct serve_conf c = conf2();

	memset(&c.addr[1], 0, sizeof(c.addr[1]));
	return c;
}

/* Encode a request from o (tid filled in) into req. */
static size_t request(struct stun_opts o)
{
	int n;

	o.cls = STUN_REQUEST;
	o.method = o.method ? o.method : STUN_BINDING;
	o.tid = tid;
	n = stun_encode(&o, req, sizeof(req));
	assert_true(n > 0);
	return (size_t)n;
}

static struct serve_in in_udp(size_t len, const char *src, uint16_t port)
{
	return (struct serve_in){ .pkt = req, .len = len, .src = ip(src, port) };
}

static void answer(const struct serve_conf *c, const struct serve_in *in, uint32_t now,
		   const struct dialback_res *res, struct serve_out *o, struct stun_msg *m)
{
	assert_int_equal(serve_answer(c, in, &keys, now, res, out, sizeof(out), o), 0);
	if (o->action == SERVE_REPLY) {
		assert_int_equal(stun_decode(m, out, o->len), 0);
		assert_memory_equal(m->tid, tid, STUN_TID_LEN);
		/* No amplification, ever. */
		assert_true(o->len <= in->len + SERVE_ALLOWANCE_V4);
	}
}

static void assert_addr(const struct netaddr *got, const char *want, uint16_t port)
{
	struct netaddr w = ip(want, port);

	assert_true(netaddr_eq(got, &w, false));
}

static void binding_success_rfc5780(void **state)
{
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(request((struct stun_opts){ .fingerprint = true }), "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	in.at_port = 1;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_REPLY);
	assert_int_equal(o.error, 0);
	assert_int_equal(m.cls, STUN_SUCCESS);
	assert_addr(&m.xor_mapped, "11.0.4.2", 40000);
	assert_true(m.has_response_origin);
	assert_addr(&m.response_origin, "11.0.0.10", 3479);
	assert_true(m.has_other_address);
	assert_addr(&m.other_address, "11.0.0.11", 3478);
	assert_true(m.has_fingerprint);
	assert_int_equal(o.from_addr, 0);
	assert_int_equal(o.from_port, 1);
	assert_int_equal(o.to_port, 40000);
	/* No FINGERPRINT asked, none given (RFC 8489 §14.7 is optional). */
	in.len = request((struct stun_opts){ 0 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_false(m.has_fingerprint);
}

static void change_request_picks_the_socket(void **state)
{
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(request((struct stun_opts){
		       .change_request = true, .change_ip = true, .change_port = true }),
		   "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.from_addr, 1);
	assert_int_equal(o.from_port, 1);
	assert_addr(&m.response_origin, "11.0.0.11", 3479);
	in.len = request((struct stun_opts){ .change_request = true, .change_port = true });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.from_addr, 0);
	assert_int_equal(o.from_port, 1);
	/* Arrived on the alternate address: "change IP" means the primary. */
	in.at_addr = 1;
	in.len = request((struct stun_opts){ .change_request = true, .change_ip = true });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.from_addr, 0);
	assert_int_equal(o.from_port, 0);
	assert_addr(&m.other_address, "11.0.0.10", 3479);
}

static void one_address_change_request_is_420(void **state)
{
	struct serve_conf c = conf1();
	struct serve_in in =
	    in_udp(request((struct stun_opts){ .change_request = true, .change_port = true }),
		   "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 420);
	assert_int_equal(m.cls, STUN_ERROR);
	assert_int_equal(m.error_code, 420);
	assert_int_equal(m.n_unknown_attributes, 1);
	assert_int_equal(m.unknown_attributes[0], STUN_ATTR_CHANGE_REQUEST);
	/* A plain Binding: success without OTHER-ADDRESS (RFC 5780 §6). */
	in.len = request((struct stun_opts){ 0 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 0);
	assert_false(m.has_other_address);
	assert_true(m.has_response_origin);
	/* An alternate address index on a one-address server is a bug. */
	in.at_addr = 1;
	assert_int_equal(serve_answer(&c, &in, &keys, 0, NULL, out, sizeof(out), &o), -EINVAL);
}

static void response_port_and_padding(void **state)
{
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(request((struct stun_opts){ .response_port = 5000 }), "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 0);
	assert_int_equal(o.to_port, 5000);
	/* XOR-MAPPED-ADDRESS is still where the request came from. */
	assert_addr(&m.xor_mapped, "11.0.4.2", 40000);
	in.len = request((struct stun_opts){ .response_port = 5000, .padding_len = 500 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 400);
	assert_int_equal(o.to_port, 40000);
	/* PADDING alone: as much as asked, within request + allowance. */
	in.len = request((struct stun_opts){ .padding_len = 1000 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 0);
	assert_true(m.has_padding);
	assert_int_equal(m.padding_len, 1000);
	/* PADDING bigger than the largest response: trimmed, not refused. */
	in.len = request((struct stun_opts){ .padding_len = 1900 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 0);
	assert_true(o.len <= SERVE_RESPONSE_MAX);
	assert_true(m.padding_len < 1900);
	/* Over TCP, RESPONSE-PORT and CHANGE-REQUEST are meaningless: 400. */
	in.tcp = true;
	in.len = request((struct stun_opts){ .response_port = 5000 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 400);
	in.len = request((struct stun_opts){ .change_request = true });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 400);
}

static void unknown_required_attribute_is_420(void **state)
{
	static const uint8_t priority[] = { 0x00, 0x24, 0x00, 0x04, 1, 2, 3, 4 };
	static const uint8_t optional[] = { 0x80, 0x29, 0x00, 0x04, 1, 2, 3, 4 };
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(request((struct stun_opts){ .extra = priority, .extra_len = sizeof(priority) }),
		   "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 420);
	assert_int_equal(m.n_unknown_attributes, 1);
	assert_int_equal(m.unknown_attributes[0], 0x0024);
	/* An unknown comprehension-optional one is skipped. */
	in.len = request((struct stun_opts){ .extra = optional, .extra_len = sizeof(optional) });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 0);
}

static void what_is_dropped_and_what_is_400(void **state)
{
	static const uint8_t short_cr[] = { 0x00, 0x03, 0x00, 0x02, 0, 6, 0, 0 };
	struct serve_conf c = conf2();
	struct serve_in in = in_udp(0, "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;
	struct stun_opts ind = { .cls = STUN_INDICATION, .method = STUN_BINDING, .tid = tid };
	int n;

	(void)state;
	memcpy(req, "GET / HTTP/1.1\r\n\r\n....", 22);
	in.len = 22;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_DROP);
	assert_int_equal(o.drop, SERVE_DROP_NOT_STUN);
	n = stun_encode(&ind, req, sizeof(req));
	in.len = (size_t)n;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_DROP);
	assert_int_equal(o.drop, SERVE_DROP_NOT_REQUEST);
	/* A length that disagrees with the datagram: broken, dropped. */
	in.len = request((struct stun_opts){ 0 });
	req[3] += 4;
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.drop, SERVE_DROP_MALFORMED);
	/* A method we do not do: 400. */
	in.len = request((struct stun_opts){ .method = 0x003 });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 400);
	assert_int_equal(m.method, 0x003);
	/* A malformed CHANGE-REQUEST: 400, not a silent success. */
	in.len = request((struct stun_opts){ .extra = short_cr, .extra_len = sizeof(short_cr) });
	answer(&c, &in, 100, NULL, &o, &m);
	assert_int_equal(o.error, 400);
}

/* A request carrying ND-DIALBACK (and ND-COOKIE if cookie). */
static size_t dial_request(uint8_t proto, uint16_t port, const struct dialback_cookie *cookie)
{
	struct dialback_attrs a = { .has_req = true, .req = { .proto = proto, .port = port } };
	uint8_t extra[DIALBACK_ATTRS_MAX];
	int n;

	memset(a.req.nonce, 0x42, sizeof(a.req.nonce));
	if (cookie) {
		a.has_cookie = true;
		a.cookie = *cookie;
	}
	n = dialback_encode(&a, extra, sizeof(extra));
	assert_true(n > 0);
	return request(
	    (struct stun_opts){ .extra = extra, .extra_len = (size_t)n, .fingerprint = true });
}

static void udp_dialback_needs_a_cookie(void **state)
{
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(dial_request(DIALBACK_PROTO_TCP, 30333, NULL), "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;
	struct dialback_attrs got;
	struct dialback_cookie cookie;
	struct dialback_res res = {
		.proto = 6, .result = DIALBACK_LIBP2P, .port = 30333, .elapsed_ms = 12
	};

	(void)state;
	/* T1: a cookie, no dial-back. */
	answer(&c, &in, 1000, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_REPLY);
	assert_true(o.cookie_issued);
	assert_int_equal(dialback_find(&got, out, o.len), 0);
	assert_true(got.has_cookie && !got.has_result);
	cookie = got.cookie;
	/* T2 with it, within 30 s: dial. */
	in.len = dial_request(DIALBACK_PROTO_TCP, 30333, &cookie);
	answer(&c, &in, 1029, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_DIALBACK);
	assert_int_equal(o.dial.proto, DIALBACK_PROTO_TCP);
	assert_int_equal(o.dial.port, 30333);
	assert_memory_equal(o.tid, tid, STUN_TID_LEN);
	/* ... and the answer, once the result is in. */
	answer(&c, &in, 1029, &res, &o, &m);
	assert_int_equal(o.action, SERVE_REPLY);
	assert_true(o.has_result);
	assert_addr(&m.xor_mapped, "11.0.4.2", 40000);
	assert_int_equal(dialback_find(&got, out, o.len), 0);
	assert_true(got.has_result && !got.has_cookie);
	assert_memory_equal(&got.result, &res, sizeof(res));
	/* Too old, from the future, another source port, another address,
	 * another dial-back port or protocol: a fresh cookie instead. */
	answer(&c, &in, 1031, NULL, &o, &m);
	assert_true(o.cookie_issued);
	answer(&c, &in, 999, NULL, &o, &m);
	assert_true(o.cookie_issued);
	in.src.port = 40001;
	answer(&c, &in, 1001, NULL, &o, &m);
	assert_true(o.cookie_issued);
	in = in_udp(in.len, "11.0.4.3", 40000);
	answer(&c, &in, 1001, NULL, &o, &m);
	assert_true(o.cookie_issued);
	in = in_udp(dial_request(DIALBACK_PROTO_TCP, 30334, &cookie), "11.0.4.2", 40000);
	answer(&c, &in, 1001, NULL, &o, &m);
	assert_true(o.cookie_issued);
	in.len = dial_request(DIALBACK_PROTO_UDP, 30333, &cookie);
	answer(&c, &in, 1001, NULL, &o, &m);
	assert_true(o.cookie_issued);
	/* A forged MAC. */
	cookie.mac[0] ^= 1;
	in.len = dial_request(DIALBACK_PROTO_TCP, 30333, &cookie);
	answer(&c, &in, 1001, NULL, &o, &m);
	assert_true(o.cookie_issued);
}

static void tcp_dialback_needs_no_cookie(void **state)
{
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(dial_request(DIALBACK_PROTO_TCP, 30333, NULL), "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	in.tcp = true;
	answer(&c, &in, 1000, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_DIALBACK);
}

static void dialback_policy(void **state)
{
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(dial_request(DIALBACK_PROTO_TCP, 30333, NULL), "192.168.1.10", 40000);
	struct serve_out o;
	struct stun_msg m;
	struct dialback_attrs got;

	(void)state;
	in.tcp = true;
	answer(&c, &in, 1000, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_REPLY);
	assert_int_equal(dialback_find(&got, out, o.len), 0);
	assert_true(got.has_result);
	assert_int_equal(got.result.result, DIALBACK_DENIED);
	c.allow_private = true;
	answer(&c, &in, 1000, NULL, &o, &m);
	assert_int_equal(o.action, SERVE_DIALBACK);
	/* Port 0 is never dialled. */
	in.len = dial_request(DIALBACK_PROTO_TCP, 0, NULL);
	answer(&c, &in, 1000, NULL, &o, &m);
	assert_int_equal(dialback_find(&got, out, o.len), 0);
	assert_int_equal(got.result.result, DIALBACK_DENIED);

	assert_true(serve_dial_allowed(&(struct netaddr){ 0 }, true) == false);
	assert_true(serve_dial_allowed(&in.src, true));
	assert_false(serve_dial_allowed(&in.src, false));
	in.src = ip("100.64.1.1", 1);
	assert_true(serve_dial_allowed(&in.src, true));
	assert_false(serve_dial_allowed(&in.src, false));
	in.src = ip("::ffff:11.0.4.2", 1);
	assert_true(serve_dial_allowed(&in.src, false));
	in.src = ip("::ffff:127.0.0.1", 1);
	assert_false(serve_dial_allowed(&in.src, true));
	for (size_t i = 0; i < 6; i++) {
		static const char *never[] = { "127.0.0.1", "0.0.0.0",	 "169.254.1.1",
					       "224.0.0.1", "192.0.2.1", "::1" };

		in.src = ip(never[i], 1);
		assert_false(serve_dial_allowed(&in.src, true));
	}
	in.src = ip("2a00:11::5", 1);
	assert_true(serve_dial_allowed(&in.src, false));
}

static void malformed_dialback_is_400(void **state)
{
	static const uint8_t bad[] = { 0xc4, 0xd0, 0x00, 0x08, 6, 0, 0x76, 0x7d, 1, 2, 3, 4 };
	struct serve_conf c = conf2();
	struct serve_in in =
	    in_udp(request((struct stun_opts){ .extra = bad, .extra_len = sizeof(bad) }),
		   "11.0.4.2", 40000);
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	answer(&c, &in, 1000, NULL, &o, &m);
	assert_int_equal(o.error, 400);
}

static void ipv6_fits_its_allowance(void **state)
{
	struct serve_conf c = { .port = { 3478, 3479 } };
	struct serve_in in;
	struct serve_out o;
	struct stun_msg m;

	(void)state;
	c.addr[0] = ip("2a00:11::10", 0);
	c.addr[1] = ip("2a00:11::11", 0);
	in = in_udp(dial_request(DIALBACK_PROTO_UDP, 30333, NULL), "2a00:12::2", 40000);
	assert_int_equal(serve_answer(&c, &in, &keys, 5, NULL, out, sizeof(out), &o), 0);
	assert_int_equal(o.action, SERVE_REPLY);
	assert_true(o.cookie_issued);
	assert_true(o.len <= in.len + SERVE_ALLOWANCE_V6);
	in.len = request((struct stun_opts){ 0 });
	assert_int_equal(serve_answer(&c, &in, &keys, 5, NULL, out, sizeof(out), &o), 0);
	assert_int_equal(o.action, SERVE_REPLY);
	assert_true(o.len <= in.len + SERVE_ALLOWANCE_V6);
	assert_int_equal(stun_decode(&m, out, o.len), 0);
	assert_addr(&m.xor_mapped, "2a00:12::2", 40000);
}

static void ratelimit_buckets(void **state)
{
	static struct ratelimit rl;
	struct netaddr a = ip("11.0.4.2", 1), b = ip("11.0.4.3", 1);
	struct netaddr v6a = ip("2a00:12::1", 1), v6b = ip("2a00:12::ffff", 2);

	(void)state;
	ratelimit_init(&rl, 3, 1000, 7);
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, &a, 0));
	assert_false(ratelimit_take(&rl, &a, 0));
	assert_false(ratelimit_take(&rl, &a, 999));
	assert_true(ratelimit_take(&rl, &a, 1000)); /* one token back */
	assert_false(ratelimit_take(&rl, &a, 1000));
	/* Another source has its own bucket. */
	assert_true(ratelimit_take(&rl, &b, 1000));
	/* A /64 is one source. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, &v6a, 0));
	assert_false(ratelimit_take(&rl, &v6b, 0));
	/* A long pause refills to the burst, not beyond. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(&rl, &a, 1000000));
	assert_false(ratelimit_take(&rl, &a, 1000000));
	/* A flood of other sources evicts, never grows: the table is fixed. */
	for (uint32_t i = 0; i < 100000; i++) {
		struct netaddr x = netaddr_v4u(0x0b000000u + i, 1);

		ratelimit_take(&rl, &x, 1000000);
	}
}

static void dialtab_retransmissions_and_busy(void **state)
{
	struct dialtab_slot t[4];
	struct netaddr a = ip("11.0.4.2", 4000), b = ip("11.0.4.2", 4001);
	uint8_t tid2[STUN_TID_LEN];
	int i;

	(void)state;
	memset(t, 0, sizeof(t));
	memcpy(tid2, tid, sizeof(tid2));
	tid2[0] ^= 1;
	assert_int_equal(dialtab_find(t, 4, &a, tid, 0), -1);
	i = dialtab_claim(t, 4, &a, tid);
	assert_true(i >= 0);
	/* A retransmission finds it, in flight; another port or tid does not. */
	assert_int_equal(dialtab_find(t, 4, &a, tid, 100), i);
	assert_int_equal(t[i].state, DIALTAB_INFLIGHT);
	assert_int_equal(dialtab_find(t, 4, &b, tid, 100), -1);
	assert_int_equal(dialtab_find(t, 4, &a, tid2, 100), -1);
	/* Finished: kept DIALTAB_KEEP_MS for late retransmissions, then gone. */
	dialtab_done(t, (size_t)i, 1000);
	assert_int_equal(dialtab_find(t, 4, &a, tid, 1000 + DIALTAB_KEEP_MS - 1), i);
	assert_int_equal(t[i].state, DIALTAB_DONE);
	assert_int_equal(dialtab_find(t, 4, &a, tid, 1000 + DIALTAB_KEEP_MS), -1);
	assert_int_equal(t[i].state, DIALTAB_FREE);
	/* Four in flight: the fifth is busy. */
	for (int k = 0; k < 4; k++) {
		struct netaddr x = ip("11.0.4.2", (uint16_t)(5000 + k));

		assert_true(dialtab_claim(t, 4, &x, tid) >= 0);
	}
	assert_int_equal(dialtab_claim(t, 4, &a, tid), -1);
	/* Two finish: a new one takes the one finished first, not a free-able
	 * in-flight one. */
	dialtab_done(t, 2, 3000);
	dialtab_done(t, 1, 2000);
	assert_int_equal(dialtab_claim(t, 4, &a, tid), 1);
	assert_int_equal(dialtab_claim(t, 4, &b, tid), 2);
	assert_int_equal(dialtab_claim(t, 4, &b, tid2), -1);
	dialtab_release(t, 0);
	assert_int_equal(dialtab_claim(t, 4, &b, tid2), 0);
}

static void cookie_is_keyed(void **state)
{
	struct cookie_keys k2;
	struct dialback_req r = { .proto = 17, .port = 30333 };
	struct netaddr a = ip("11.0.4.2", 4000), mapped = ip("::ffff:11.0.4.2", 4000);
	struct dialback_cookie c;

	(void)state;
	assert_int_equal(cookie_keys_init(&k2), 0);
	cookie_make(&keys, 59, &a, &r, &c);
	assert_true(cookie_valid(&keys, 59, &a, &r, &c));
	/* Across an epoch boundary (60 s) it stays valid for its 30 s. */
	assert_true(cookie_valid(&keys, 89, &a, &r, &c));
	assert_false(cookie_valid(&keys, 90, &a, &r, &c));
	/* The IPv4-mapped spelling is the same client. */
	assert_true(cookie_valid(&keys, 60, &mapped, &r, &c));
	/* Another server's key. */
	assert_false(cookie_valid(&k2, 60, &a, &r, &c));
}

static void metrics_text_parses(void **state)
{
	static struct serve_counters c1, c2;
	const struct serve_counters *sets[] = { &c1, &c2 };
	static char text[8192];
	struct serve_out o = { .action = SERVE_REPLY, .error = 420 };
	int n;
	bool seen420 = false, seen_udp = false;

	(void)state;
	SERVE_COUNT(c1.requests_udp);
	SERVE_COUNT(c2.requests_udp);
	serve_count_answer(&c1, &o);
	SERVE_COUNT(c2.dialbacks[DIALBACK_RATE_LIMITED]);
	n = serve_metrics_render(sets, 2, text, sizeof(text));
	assert_true(n > 0);
	for (char *line = text, *nl; *line; line = nl + 1) {
		struct prom_sample s;
		int kind;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		kind = prom_parse_line(line, (size_t)(nl - line), &s);
		assert_true(kind >= 0);
		if (kind != PROM_LINE_SAMPLE)
			continue;
		assert_non_null(strstr(s.name, "natdoctor_serve_"));
		if (!strcmp(s.name, "natdoctor_serve_errors_total") &&
		    !strcmp(prom_label(&s, "code"), "420")) {
			assert_true(s.value == 1.0);
			seen420 = true;
		}
		if (!strcmp(s.name, "natdoctor_serve_requests_total") &&
		    !strcmp(prom_label(&s, "transport"), "udp")) {
			assert_true(s.value == 2.0);
			seen_udp = true;
		}
	}
	assert_true(seen420 && seen_udp);
	assert_non_null(
	    strstr(text, "natdoctor_serve_dialbacks_total{result=\"rate-limited\"} 1\n"));
	assert_int_equal(serve_metrics_render(sets, 2, text, 100), -ENOBUFS);
}

static int setup(void **state)
{
	(void)state;
	return cookie_keys_init(&keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(binding_success_rfc5780),
		cmocka_unit_test(change_request_picks_the_socket),
		cmocka_unit_test(one_address_change_request_is_420),
		cmocka_unit_test(response_port_and_padding),
		cmocka_unit_test(unknown_required_attribute_is_420),
		cmocka_unit_test(what_is_dropped_and_what_is_400),
		cmocka_unit_test(udp_dialback_needs_a_cookie),
		cmocka_unit_test(tcp_dialback_needs_no_cookie),
		cmocka_unit_test(dialback_policy),
		cmocka_unit_test(malformed_dialback_is_400),
		cmocka_unit_test(ipv6_fits_its_allowance),
		cmocka_unit_test(ratelimit_buckets),
		cmocka_unit_test(dialtab_retransmissions_and_busy),
		cmocka_unit_test(cookie_is_keyed),
		cmocka_unit_test(metrics_text_parses),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * natdoctor serve's answer to one request (serve/answer): RFC 8489, RFC 5780,
 * the dial-back exchange of docs/SERVE-PROTOCOL.md and its address policy.
 * The cookie, the rate limit, the dial-back table and the metrics text have
 * their own files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "nd_test.h"
#include "proto/dialback.h"
#include "proto/stun.h"
#include "serve/answer.h"
#include "serve/cookie.h"
#include "util/buf.h"

static const uint8_t tid[STUN_TID_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };
static struct cookie_keys keys;
static uint8_t req[2048], out[SERVE_RESPONSE_MAX];

static struct serve_conf conf2(void)
{
	struct serve_conf c = { .port = { 3478, 3479 } };

	c.addr[0] = nd_ip("11.0.0.10", 0);
	c.addr[1] = nd_ip("11.0.0.11", 0);
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
	return (struct serve_in){ .pkt = req, .len = len, .src = nd_ip(src, port) };
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
	struct netaddr w = nd_ip(want, port);

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
	in.src = nd_ip("100.64.1.1", 1);
	assert_true(serve_dial_allowed(&in.src, true));
	assert_false(serve_dial_allowed(&in.src, false));
	in.src = nd_ip("::ffff:11.0.4.2", 1);
	assert_true(serve_dial_allowed(&in.src, false));
	in.src = nd_ip("::ffff:127.0.0.1", 1);
	assert_false(serve_dial_allowed(&in.src, true));
	for (size_t i = 0; i < 6; i++) {
		static const char *never[] = { "127.0.0.1", "0.0.0.0",	 "169.254.1.1",
					       "224.0.0.1", "192.0.2.1", "::1" };

		in.src = nd_ip(never[i], 1);
		assert_false(serve_dial_allowed(&in.src, true));
	}
	in.src = nd_ip("2a00:11::5", 1);
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
	c.addr[0] = nd_ip("2a00:11::10", 0);
	c.addr[1] = nd_ip("2a00:11::11", 0);
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
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * stun_decode on anything a socket can deliver. When a datagram decodes,
 * everything the encoder can write is written back (same class, method,
 * transaction id, addresses, RFC 5780 attributes, texts, FINGERPRINT) and
 * decoded again: the encoder must accept what the decoder produced, and
 * the second decode must say the same thing. Re-encoding never grows a
 * message (texts are truncated, duplicates dropped), so it always fits.
 * Texts are cut to STUN_TEXT_SEND_CHARS bytes first: the decoder keeps up
 * to STUN_TEXT_MAX bytes of what a peer sent, the encoder sends fewer than
 * 128 characters (RFC 8489 §14.8).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/stun.h"

/* Like assert(), but also in release builds of the fuzzer. */
#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static bool addr_same(bool has_a, const struct netaddr *a, bool has_b, const struct netaddr *b)
{
	if (has_a != has_b)
		return false;
	return !has_a || netaddr_eq(a, b, false);
}

static void reencode(const struct stun_msg *m)
{
	static uint8_t out[STUN_HEADER_LEN + 0xffff];
	char software[STUN_TEXT_SEND_CHARS + 1] = { 0 }, reason[STUN_TEXT_SEND_CHARS + 1] = { 0 };
	size_t software_len = strnlen(m->software, STUN_TEXT_SEND_CHARS);
	size_t reason_len = strnlen(m->error_reason, STUN_TEXT_SEND_CHARS);
	struct stun_opts o = {
		.cls = m->cls,
		.method = m->method,
		.tid = m->tid,
		.xor_mapped = m->has_xor_mapped ? &m->xor_mapped : NULL,
		.mapped = m->has_mapped ? &m->mapped : NULL,
		.response_origin = m->has_response_origin ? &m->response_origin : NULL,
		.other_address = m->has_other_address ? &m->other_address : NULL,
		.change_request = m->has_change_request,
		.change_ip = m->change_ip,
		.change_port = m->change_port,
		/* RESPONSE-PORT 0 and PADDING of 0 bytes cannot be asked for. */
		.response_port = m->has_response_port ? m->response_port : 0,
		.padding_len = m->has_padding ? m->padding_len : 0,
		.error_code = m->has_error ? m->error_code : 0,
		.error_reason = reason,
		.unknown_attributes = m->unknown_attributes,
		.n_unknown_attributes = m->has_unknown_attributes ? m->n_unknown_attributes : 0,
		.software = m->has_software ? software : NULL,
		.fingerprint = m->has_fingerprint,
	};
	struct stun_msg d;
	int n;

	memcpy(software, m->software, software_len);
	memcpy(reason, m->error_reason, reason_len);
	n = stun_encode(&o, out, sizeof(out));

	CHECK(n >= STUN_HEADER_LEN && (size_t)n <= m->len);
	CHECK(stun_decode(&d, out, (size_t)n) == 0);
	CHECK(d.len == (size_t)n && d.cls == m->cls && d.method == m->method);
	CHECK(memcmp(d.tid, m->tid, STUN_TID_LEN) == 0);
	CHECK(addr_same(m->has_xor_mapped, &m->xor_mapped, d.has_xor_mapped, &d.xor_mapped));
	CHECK(addr_same(m->has_mapped, &m->mapped, d.has_mapped, &d.mapped));
	CHECK(addr_same(m->has_response_origin, &m->response_origin, d.has_response_origin,
			&d.response_origin));
	CHECK(addr_same(m->has_other_address, &m->other_address, d.has_other_address,
			&d.other_address));
	CHECK(d.has_change_request == m->has_change_request);
	CHECK(!d.has_change_request ||
	      (d.change_ip == m->change_ip && d.change_port == m->change_port));
	CHECK(d.has_response_port == (o.response_port != 0));
	CHECK(!d.has_response_port || d.response_port == m->response_port);
	CHECK(d.has_padding == (o.padding_len != 0));
	CHECK(!d.has_padding || d.padding_len == m->padding_len);
	CHECK(d.has_error == m->has_error);
	CHECK(!d.has_error || (d.error_code == m->error_code && d.error_reason_len == reason_len &&
			       memcmp(d.error_reason, reason, reason_len) == 0));
	CHECK(d.has_unknown_attributes == (o.n_unknown_attributes != 0));
	CHECK(d.n_unknown_attributes == o.n_unknown_attributes);
	CHECK(memcmp(d.unknown_attributes, m->unknown_attributes,
		     o.n_unknown_attributes * sizeof(uint16_t)) == 0);
	CHECK(d.has_software == m->has_software);
	CHECK(!d.has_software ||
	      (d.software_len == software_len && memcmp(d.software, software, software_len) == 0));
	CHECK(d.has_fingerprint == m->has_fingerprint);
	CHECK(!d.has_message_integrity && d.n_unknown == 0 && d.bad_attrs == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg m;
	int rc = stun_decode(&m, data, size);

	CHECK(rc == 0 || rc == -ENOMSG || rc == -EBADMSG);
	CHECK((rc == -ENOMSG) == !stun_is_message(data, size));
	if (rc < 0)
		return 0;
	CHECK(m.len == size);
	CHECK(m.software_len <= STUN_TEXT_MAX && m.error_reason_len <= STUN_TEXT_MAX);
	CHECK(m.n_unknown <= STUN_MAX_UNKNOWN && m.n_unknown_attributes <= STUN_MAX_UNKNOWN);
	/* Names exist for whatever came in. */
	CHECK(stun_class_name(m.cls) && stun_method_name(m.method));
	for (size_t i = 0; i < m.n_unknown; i++)
		CHECK(stun_attr_name(m.unknown[i]));
	reencode(&m);
	return 0;
}

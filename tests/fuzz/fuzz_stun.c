/* SPDX-License-Identifier: MIT */
/*
 * STUN codec: any datagram a STUN server (or anyone who can reach our probe
 * socket) can send. Properties:
 *   - stun_decode never reads outside the datagram (ASan) and returns 0,
 *     -ENOMSG or -EBADMSG only;
 *   - a decoded message's texts are NUL-terminated within their buffers;
 *   - what decodes re-encodes (the attributes we understand) and decodes
 *     again to the same addresses, class, method and transaction id.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/stun.h"

static void same_addr(bool ha, const struct netaddr *a, bool hb, const struct netaddr *b)
{
	FUZZ_CHECK(ha == hb);
	FUZZ_CHECK(!ha || netaddr_eq(a, b, false));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_msg a, b;
	struct stun_opts o = { 0 };
	static uint8_t out[65536 + STUN_HEADER_LEN];
	int rc = stun_decode(&a, data, size);
	int n;

	(void)stun_is_message(data, size);
	FUZZ_CHECK(rc == 0 || rc == -ENOMSG || rc == -EBADMSG);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(stun_is_message(data, size));
	FUZZ_CHECK(a.len == size);
	FUZZ_CHECK(memchr(a.software, 0, sizeof(a.software)) != NULL);
	FUZZ_CHECK(memchr(a.error_reason, 0, sizeof(a.error_reason)) != NULL);
	FUZZ_CHECK(a.n_unknown <= STUN_MAX_UNKNOWN);
	(void)stun_class_name(a.cls);
	(void)stun_method_name(a.method);
	(void)stun_error_name(a.error_code);
	(void)stun_msg_mapped(&a);

	o.cls = a.cls;
	o.method = a.method;
	o.tid = a.tid;
	o.xor_mapped = a.has_xor_mapped ? &a.xor_mapped : NULL;
	o.mapped = a.has_mapped ? &a.mapped : NULL;
	o.response_origin = a.has_response_origin ? &a.response_origin : NULL;
	o.other_address = a.has_other_address ? &a.other_address : NULL;
	o.change_request = a.has_change_request;
	o.change_ip = a.change_ip;
	o.change_port = a.change_port;
	n = stun_encode(&o, out, sizeof(out));
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(stun_decode(&b, out, (size_t)n) == 0);
	FUZZ_CHECK(b.cls == a.cls && b.method == a.method);
	FUZZ_CHECK(memcmp(a.tid, b.tid, STUN_TID_LEN) == 0);
	same_addr(a.has_xor_mapped, &a.xor_mapped, b.has_xor_mapped, &b.xor_mapped);
	same_addr(a.has_mapped, &a.mapped, b.has_mapped, &b.mapped);
	same_addr(a.has_other_address, &a.other_address, b.has_other_address, &b.other_address);
	FUZZ_CHECK(b.has_change_request == a.has_change_request);
	return 0;
}

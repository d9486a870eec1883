/* SPDX-License-Identifier: MIT */
/* multiaddr_parse on text as system_localListenAddresses returns it; what
 * parses is classified (check's node view) and written back with
 * multiaddr_format, which must parse again to the same place. */
#include <string.h>

#include "check/nodefind.h"
#include "fuzz.h"
#include "proto/multiaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multiaddr m, again;

	if (multiaddr_parse((const char *)data, size, &m) == 0) {
		char out[NETADDR_FMT_MAX], text[MULTIADDR_TEXT_MAX];

		multiaddr_transport_name(&m);
		if (m.ip.family)
			netaddr_fmt(&m.ip, out);
		FUZZ_CHECK(node_addr_class_name(nodefind_classify(&m, NULL))[0] != '\0');
		multiaddr_format(&m, true, text, sizeof(text));
		if (m.host_kind != MULTIADDR_HOST_NONE && strlen(text) + 1 < sizeof(text)) {
			FUZZ_CHECK(multiaddr_parse(text, strlen(text), &again) == 0);
			FUZZ_CHECK(again.host_kind == m.host_kind && again.port == m.port &&
				   again.transport == m.transport && !strcmp(again.host, m.host));
		}
	}
	return 0;
}

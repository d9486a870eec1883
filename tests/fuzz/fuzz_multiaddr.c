/* SPDX-License-Identifier: MIT */
/* multiaddr_parse on text as system_localListenAddresses returns it. */
#include "fuzz.h"
#include "proto/multiaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multiaddr m;

	if (multiaddr_parse((const char *)data, size, &m) == 0) {
		char out[NETADDR_FMT_MAX];

		multiaddr_transport_name(&m);
		if (m.ip.family)
			netaddr_fmt(&m.ip, out);
	}
	return 0;
}

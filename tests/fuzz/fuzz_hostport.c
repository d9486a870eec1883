/* SPDX-License-Identifier: MIT */
/* netaddr_split_hostport and netaddr_parse_ip: --stun values and addresses
 * that come back in text from gateways and nodes. */
#include <string.h>

#include "fuzz.h"
#include "util/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], host[256];
	struct netaddr a;
	uint16_t port = 0;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (netaddr_split_hostport(in, host, sizeof(host), &port) == 0 &&
	    netaddr_parse_ip(&a, host) == 0) {
		char out[NETADDR_FMT_MAX];

		a.port = port;
		netaddr_fmt(&a, out);
		netaddr_classify(&a);
	}
	return 0;
}

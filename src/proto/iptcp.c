/* SPDX-License-Identifier: MIT */
#include "proto/iptcp.h"

#include <errno.h>
#include <string.h>

#include "util/buf.h"

int iptcp_parse(const uint8_t *p, size_t len, struct iptcp *out)
{
	size_t ihl, total, doff;
	const uint8_t *t;

	memset(out, 0, sizeof(*out));
	if (len < 20)
		return -EBADMSG;
	if (p[0] >> 4 != 4)
		return -EPROTO;
	ihl = (size_t)(p[0] & 15) * 4;
	total = be16_load(p + 2);
	if (ihl < 20 || total < ihl || ihl > len)
		return -EBADMSG;
	/* Fragment offset (13 bits) non-zero: no TCP header here. */
	if (p[9] != 6 || (be16_load(p + 6) & 0x1fff))
		return -EPROTO;
	if (len > total)
		len = total; /* link-layer padding */
	if (len - ihl < 20)
		return -EBADMSG;
	t = p + ihl;
	doff = (size_t)(t[12] >> 4) * 4;
	if (doff < 20 || doff > total - ihl)
		return -EBADMSG;
	out->src = netaddr_v4(p + 12, be16_load(t));
	out->dst = netaddr_v4(p + 16, be16_load(t + 2));
	out->flags = t[13];
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* rtnetlink replies (proto/rtnl.c): walk every message of a datagram and
 * parse each one as every kind (status, link, address, route) whatever its
 * type, so every header and attribute check sees every input. Seeds are real
 * kernel replies captured by scripts/rtnl_corpus.sh. */
#include <errno.h>
#include <linux/rtnetlink.h>

#include "fuzz.h"
#include "proto/rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtnl_iter it = rtnl_iter(data, size);
	struct rtnl_msg m;
	struct rtnl_status st;
	struct rtnl_link l;
	struct rtnl_addr a;
	struct rtnl_route r;
	char buf[NETADDR_FMT_MAX];

	while (rtnl_next(&it, &m) > 0) {
		rtnl_parse_status(&m, &st);
		if (rtnl_parse_link(m.payload, m.len, &l) == 0 && l.name[IF_NAMESIZE - 1])
			__builtin_trap(); /* names are always terminated */
		if (rtnl_parse_addr(m.payload, m.len, &a) == 0)
			netaddr_fmt_ip(&a.local, buf);
		if (rtnl_parse_route(m.payload, m.len, &r) == 0) {
			netaddr_fmt_ip(&r.gateway, buf);
			netaddr_fmt_ip(&r.prefsrc, buf);
		}
	}
	/* Once the walk has failed it stays failed. */
	if (it.err && rtnl_next(&it, &m) != -EBADMSG)
		__builtin_trap();
	return 0;
}

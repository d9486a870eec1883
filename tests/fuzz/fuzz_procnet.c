/* SPDX-License-Identifier: MIT */
/* /proc/net/{tcp,tcp6,udp,udp6} lines (proto/procnet.c): the input is split
 * at newlines like the file, each line parsed. Seeds are real lines from
 * this kind of file; the parser must never read past a line's length (the
 * lines are not NUL-terminated here). */
#include "fuzz.h"
#include "proto/procnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct procnet_sock s;

	while (p < end) {
		const char *nl = p;
		char buf[NETADDR_FMT_MAX];

		while (nl < end && *nl != '\n')
			nl++;
		if (procnet_parse_line(p, (size_t)(nl - p), &s) == 1) {
			netaddr_fmt(&s.local, buf);
			netaddr_fmt(&s.remote, buf);
		}
		p = nl + (nl < end);
	}
	return 0;
}

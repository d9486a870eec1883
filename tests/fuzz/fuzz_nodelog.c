/* SPDX-License-Identifier: MIT */
/* A node's log stream: the whole input as one line, then split into lines
 * by linebuf as the log source does, each given to nodelog_parse_line and
 * nodelog_parse_extaddr. */
#include "fuzz.h"
#include "proto/nodelog.h"
#include "util/linebuf.h"

static int on_line(void *data, const char *line, size_t len)
{
	struct nodelog_status st;
	struct nodelog_extaddr e;

	(void)data;
	if (nodelog_parse_line(line, len, &st) == 1)
		nodelog_state_name(st.state);
	if (nodelog_parse_extaddr(line, len, &e) == 1)
		FUZZ_CHECK(e.event == NODELOG_EXTADDR_NEW || e.event == NODELOG_EXTADDR_EXPIRED);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char store[NODELOG_LINE_MAX];
	struct linebuf lb;

	on_line(NULL, (const char *)data, size);
	linebuf_init(&lb, store, sizeof(store));
	linebuf_feed(&lb, data, size, on_line, NULL);
	linebuf_finish(&lb, on_line, NULL);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* A /metrics body, cut into chunks of a size taken from the first byte and
 * assembled into lines by linebuf as the metrics source does, each line fed
 * to prom_peers_feed. */
#include "fuzz.h"
#include "proto/prom.h"
#include "util/linebuf.h"

static int on_line(void *data, const char *line, size_t len)
{
	prom_peers_feed(data, line, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small on purpose, so over-long lines happen. */
	char store[512];
	struct linebuf lb;
	struct prom_peers p;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	prom_peers_init(&p);
	linebuf_init(&lb, store, sizeof(store));
	for (size_t off = 0; off < size; off += chunk)
		linebuf_feed(&lb, data + off, size - off < chunk ? size - off : chunk, on_line, &p);
	linebuf_finish(&lb, on_line, &p);
	prom_peers_found(&p);
	return 0;
}

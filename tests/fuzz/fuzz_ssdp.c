/* SPDX-License-Identifier: MIT */
/*
 * SSDP answers: any datagram a device on the LAN can send to our search
 * socket. Properties: never a read outside the datagram (ASan); what
 * decodes has NUL-terminated, printable-ASCII fields; a LOCATION that
 * parses has a literal address and a path starting with '/'.
 */
#include <string.h>

#include "fuzz.h"
#include "proto/ssdp.h"

static void printable(const char *s, size_t cap)
{
	const char *end = memchr(s, 0, cap);

	FUZZ_CHECK(end != NULL);
	for (; s < end; s++)
		FUZZ_CHECK(*s >= 0x20 && *s <= 0x7e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssdp_response r;
	struct ssdp_url u;

	if (ssdp_decode_response(&r, data, size) != 0)
		return 0;
	printable(r.st, sizeof(r.st));
	printable(r.location, sizeof(r.location));
	printable(r.usn, sizeof(r.usn));
	printable(r.server, sizeof(r.server));
	FUZZ_CHECK(r.st[0] && r.location[0]);
	(void)ssdp_st_igd_version(r.st);
	if (ssdp_location_parse(r.location, &u) == 0) {
		FUZZ_CHECK(u.host.family == AF_INET || u.host.family == AF_INET6);
		FUZZ_CHECK(u.host.port != 0);
		FUZZ_CHECK(u.path && u.path[0] == '/');
		(void)ssdp_location_matches(&u, &u.host);
	}
	return 0;
}

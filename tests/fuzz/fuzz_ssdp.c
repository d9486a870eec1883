/* SPDX-License-Identifier: MIT */
/*
 * SSDP answers: any datagram a device on the LAN can send to our search
 * socket. Properties: never a read outside the datagram (ASan); what
 * decodes has NUL-terminated, printable-ASCII fields; a LOCATION that
 * parses has a literal address and a path starting with '/'; and
 * ssdp_igd_answer believes only what names the host that sent it.
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

/* The judgement check and map share: an answer believed to be the
 * gateway's names the gateway in its LOCATION; one from elsewhere names
 * its sender; what does not decode is never believed. */
static void judged(const uint8_t *data, size_t size, bool decodes)
{
	struct netaddr gw = { .family = AF_INET, .ip = { 192, 168, 1, 1 } };
	struct netaddr other = { .family = AF_INET, .ip = { 192, 168, 1, 7 } };
	struct ssdp_response r;
	struct ssdp_url u;
	enum ssdp_igd v;

	v = ssdp_igd_answer(data, size, false, &gw, &gw, &r);
	FUZZ_CHECK(v != SSDP_IGD_ELSEWHERE);
	if (!decodes)
		FUZZ_CHECK(v == SSDP_IGD_BAD);
	if (v == SSDP_IGD_GATEWAY) {
		FUZZ_CHECK(ssdp_location_parse(r.location, &u) == 0);
		FUZZ_CHECK(netaddr_eq(&u.host, &gw, true));
	}
	v = ssdp_igd_answer(data, size, false, &other, &gw, &r);
	FUZZ_CHECK(v != SSDP_IGD_GATEWAY);
	if (v == SSDP_IGD_ELSEWHERE) {
		FUZZ_CHECK(ssdp_location_parse(r.location, &u) == 0);
		FUZZ_CHECK(netaddr_eq(&u.host, &other, true));
	}
	FUZZ_CHECK(ssdp_igd_answer(data, size, true, &gw, &gw, &r) == SSDP_IGD_BAD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssdp_response r;
	struct ssdp_url u;
	bool decodes = ssdp_decode_response(&r, data, size) == 0;

	judged(data, size, decodes);
	if (!decodes)
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

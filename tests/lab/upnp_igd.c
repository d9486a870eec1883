/* SPDX-License-Identifier: MIT */
/*
 * lab_upnp_igd: gw/upnp.c's mapping calls against the lab router's real
 * miniupnpd, one per run, for tests/lab/test_gw_upnp.sh:
 *
 *   lab_upnp_igd GATEWAY CLIENT add PORT LEASE [v1]   "granted PORT" | "error CODE"
 *   lab_upnp_igd GATEWAY CLIENT get PORT              "entry IP PORT 0|1" | "none"
 *   lab_upnp_igd GATEWAY CLIENT del PORT              "deleted" | "error CODE"
 *
 * Search (gateway alone), description and control URL as map will do
 * them; a 3 s deadline for everything. Exit 0 when the call got an answer.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/upnp.h"
#include "net/httpfetch.h"
#include "util/text.h"

static struct gw_upnp_io io;

int main(int argc, char **argv)
{
	struct gw_upnp_map m = { .protocol = IPPROTO_TCP };
	struct netaddr gw;
	struct gw_upnp_ctl c;
	char loc[256], ip[NETADDR_FMT_MAX];
	unsigned bad = 0;
	long v;
	int r;

	if (argc < 5 || netaddr_parse_ip(&gw, argv[1]) < 0 ||
	    netaddr_parse_ip(&m.client, argv[2]) < 0 ||
	    text_parse_long(argv[4], 1, 65535, &v) < 0) {
		fprintf(stderr,
			"usage: lab_upnp_igd GATEWAY CLIENT add|get|del PORT [LEASE [v1]]\n");
		return 2;
	}
	m.external_port = m.internal_port = (uint16_t)v;
	io.deadline_ms = httpfetch_now_ms() + 3000;
	r = gw_upnp_search(&gw, io.deadline_ms, loc, sizeof(loc), &bad);
	if (r < 0) {
		printf("search: %s\n", strerror(-r));
		return 1;
	}
	if (gw_upnp_describe(&io, loc, &c) < 0) {
		printf("describe: %s\n", io.error);
		return 1;
	}
	if (!strcmp(argv[3], "add") && argc >= 6 && text_parse_long(argv[5], 0, 604800, &v) == 0) {
		uint16_t granted = 0;

		m.lease_s = (uint32_t)v;
		r = gw_upnp_add(&io, &c, &m, argc > 6 || c.igd_version < 2 ? IGD_ADD : IGD_ADD_ANY,
				&granted);
		if (r == 0)
			printf("granted %u\n", granted);
		else
			printf("error %d\n", r);
	} else if (!strcmp(argv[3], "get")) {
		struct igd_entry e;

		r = gw_upnp_entry(&io, &c, IPPROTO_TCP, m.external_port, &e);
		if (r == 0 && e.found)
			printf("entry %s %u %d\n", netaddr_fmt_ip(&e.client, ip), e.internal_port,
			       e.enabled);
		else if (r == 0)
			printf("none\n");
		else
			printf("error %d\n", r);
	} else if (!strcmp(argv[3], "del")) {
		r = gw_upnp_delete(&io, &c, IPPROTO_TCP, m.external_port);
		if (r == 0)
			printf("deleted\n");
		else
			printf("error %d\n", r);
	} else {
		fprintf(stderr,
			"usage: lab_upnp_igd GATEWAY CLIENT add|get|del PORT [LEASE [v1]]\n");
		return 2;
	}
	return r < 0 ? 1 : 0;
}

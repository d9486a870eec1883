/* SPDX-License-Identifier: MIT */
/*
 * natdoctor map: keep the node's ports mapped on the router through PCP
 * (RFC 6887) or, where the router speaks only that, NAT-PMP (RFC 6886). One
 * loop, one socket connected to the default gateway's port 5351 and one
 * listening for the gateway's unsolicited announcements on 224.0.0.1:5350;
 * each port's mapping is a gw/mapping.h state machine.
 */
#ifndef ND_MAP_MAP_H
#define ND_MAP_MAP_H

#include <stdbool.h>
#include <stdint.h>

#define MAP_MAX_PORTS	     8
#define MAP_LIFETIME_DEFAULT 7200
#define MAP_LIFETIME_MIN     20
#define MAP_LIFETIME_MAX     86400
#define MAP_SERVER_HOST_MAX  256
#define MAP_SERVER_PORT	     3478
#define MAP_MAX_SERVERS	     4 /* CONFIRM_MAX_SERVERS */

struct map_port {
	uint16_t port;
	uint8_t protocol; /* IPPROTO_TCP or IPPROTO_UDP */
};

struct map_config {
	struct map_port ports[MAP_MAX_PORTS];
	unsigned n_ports;
	uint32_t lifetime_s;
	bool once;	       /* map, print, exit; the mappings live out their lease */
	bool del;	       /* delete the mappings of these ports, exit */
	bool any_external;     /* take another external port when the asked one is taken */
	bool no_pcp;	       /* NAT-PMP only */
	bool no_natpmp;	       /* PCP only */
	bool no_upnp;	       /* never UPnP IGD, even when PCP and NAT-PMP are silent */
	bool ipv6;	       /* also a PCP pinhole per port for this host's global IPv6 address */
	const char *metrics;   /* --metrics ADDR:PORT (net/metricsd), or NULL */
	const char *on_change; /* --on-change CMD (sh -c), or NULL */
	const char *status_socket; /* map/status.h; NULL: no status socket */
	/* --server HOST[:PORT], up to MAP_MAX_SERVERS times: natdoctor
	 * serves that confirm each new mapping by dial-back, the next one
	 * asked when one cannot tell (map/confirm.h); n_servers 0 for none,
	 * then nothing leaves the host but what the gateway is asked. */
	char server[MAP_MAX_SERVERS][MAP_SERVER_HOST_MAX];
	uint16_t server_port[MAP_MAX_SERVERS];
	unsigned n_servers;
	int verbose;
};

/* Run map with c until done (--once, --delete) or SIGINT/SIGTERM (every
 * mapping deleted first, within 1 s). Returns an exit status: 0, 1 (a port
 * refused or not mapped with --once, or with --server found not reachable
 * from outside), 3 (no gateway, or it answers neither
 * protocol with --once), 4 internal, ND_EXIT_PROVIDER_NAT (5, util/exit.h). */
int map_run(const struct map_config *c);

#endif

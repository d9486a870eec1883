/* SPDX-License-Identifier: MIT */
/*
 * map's UPnP IGD method, the blocking half: one job on a net/worker.h
 * thread searches the default gateway alone (gw_upnp_search), reads its
 * description, then maps, checks or deletes every IPv4 port, each step
 * decided by gw/igd.h: IGDv2 AddAnyPortMapping with a lease, IGDv1
 * AddPortMapping; 725 -> a permanent mapping (deleted on exit, checked at
 * every renewal); 718 -> the LAN host holding the port is named, nothing
 * moves; every mapping confirmed with GetSpecificPortMappingEntry. A check
 * of a held mapping asks GetSpecificPortMappingEntry first: a permanent one
 * still there is left alone, a leased one is added again (the renewal), one
 * the router lost (a reboot) is added again and said so. Used by
 * map/map.c only when neither PCP nor NAT-PMP answers.
 */
#ifndef ND_MAP_UPNP_H
#define ND_MAP_UPNP_H

#include <stdbool.h>
#include <stdint.h>

#include "gw/upnp.h"
#include "map/map.h"

enum map_upnp_state {
	MAP_UPNP_NONE,	  /* not asked, or no IGD */
	MAP_UPNP_HELD,	  /* mapped and confirmed (map), or deleted (delete) */
	MAP_UPNP_TAKEN,	  /* another host holds the external port */
	MAP_UPNP_REFUSED, /* the router said no */
};

struct map_upnp_port {
	/* In. */
	unsigned idx; /* the caller's, untouched */
	uint16_t port;
	uint8_t protocol;
	bool held; /* map holds it (on external_port, lease_s): a check */
	/* Out (external_port and lease_s: In as well, with held or del). */
	enum map_upnp_state state;
	uint16_t external_port;
	uint32_t lease_s; /* granted; 0 permanent (725) */
	bool restored;	  /* held, but gone from the router's table: added again */
	struct netaddr holder;
	char error[120];
};

struct map_upnp_job {
	void *owner; /* the caller's; the worker never touches it */
	/* In: copied, so the thread never reads the loop's state. */
	struct netaddr gateway, local;
	uint32_t lease_s;
	bool any_external;
	bool no_permanent; /* --once: 725 is a refusal (nobody would delete it) */
	bool del;	   /* delete these ports instead of mapping them */
	bool search;	   /* del: look for ours on any external port too */
	unsigned n;
	struct map_upnp_port p[MAP_MAX_PORTS];
	/* Out. */
	struct netaddr external;       /* GetExternalIPAddress; family 0 unknown */
	char error[GW_UPNP_ERROR_MAX]; /* no IGD, or it failed as a whole */
	struct gw_upnp_io io;	       /* deadline_ms set by the caller */
};

/* The worker function (net/worker.h worker_fn): arg is a map_upnp_job. */
/*
 * Pure: is the refusal now the same as was (a port asked again at each
 * check, in case it is freed), so said and counted once? TAKEN: the same
 * holder (or none known on both), whatever the text: a router answering
 * AddAnyPortMapping offers another external port at each check ("offered
 * external port N instead"). REFUSED: the same error text (the router's
 * code). Anything else, or another state: false.
 */
bool map_upnp_same_refusal(const struct map_upnp_port *was, const struct map_upnp_port *now);

void map_upnp_work(void *arg);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * UPnP IGD port mapping, the decisions only: what `map` does after each
 * SOAP answer of a WANIPConnection service. No socket, no XML, no clock of
 * its own, no miniupnpc (the SOAP conversation is the worker's): a unit
 * test drives every branch, including the ones miniupnpd in our lab cannot
 * be made to play (725, OnlyPermanentLeasesSupported).
 *
 *   igd_after_add   the answer to AddAnyPortMapping (IGDv2) or
 *                   AddPortMapping (IGDv1): confirm it, retry permanent
 *                   (725), retry as v1 (the v2 action missing), ask who
 *                   holds the port (718), or give up
 *   igd_confirm     GetSpecificPortMappingEntry's answer about our port:
 *                   held by us, gone (add again) or held by someone else
 *   igd_next_check  when to look again: a leased mapping is renewed at
 *                   half its lease, a permanent one checked when the lease
 *                   asked would have been renewed, and neither less often
 *                   than IGD_CHECK_MS (a router that drops a mapping
 *                   silently, or reboots, is noticed then)
 *
 * Error codes: UPnP Forum, WANIPConnection:2 Service (2010), §2.4.16
 * (AddPortMapping) and §2.4.18 (AddAnyPortMapping); 401 and 602 are UPnP
 * Device Architecture 1.1 §3.2.2 control errors.
 */
#ifndef ND_GW_IGD_H
#define ND_GW_IGD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/netaddr.h"

#define IGD_ERR_INVALID_ACTION	   401 /* no such action: an IGDv1 router */
#define IGD_ERR_NOT_IMPLEMENTED	   602
#define IGD_ERR_NOT_AUTHORIZED	   606
#define IGD_ERR_NO_SUCH_ENTRY	   714
#define IGD_ERR_CONFLICT	   718 /* ConflictInMappingEntry */
#define IGD_ERR_SAME_PORT_REQUIRED 724
#define IGD_ERR_PERMANENT_ONLY	   725 /* OnlyPermanentLeasesSupported */

/* A mapping is looked at (GetSpecificPortMappingEntry) at least this
 * often, whatever its lease. */
#define IGD_CHECK_MS 60000
/* ...and at most this often, however short the lease (no busy loop). */
#define IGD_CHECK_MIN_MS 4000

enum igd_add_kind {
	IGD_ADD_ANY, /* IGDv2 AddAnyPortMapping */
	IGD_ADD,     /* IGDv1 AddPortMapping */
};

/* The request whose answer is being judged. */
struct igd_add {
	enum igd_add_kind kind;
	uint32_t lease_s;	/* asked; 0 is permanent */
	uint16_t want_external; /* the external port asked for */
	bool any_external;	/* --any-external-port: another port is fine */
	bool no_permanent;	/* --once: nobody would delete a permanent
				 * mapping, so 725 is a refusal */
};

enum igd_next {
	IGD_NEXT_CONFIRM,   /* added: confirm with GetSpecificPortMappingEntry */
	IGD_NEXT_PERMANENT, /* 725: add again with lease 0; delete it on exit,
			     * check it at every renewal (not no_permanent) */
	IGD_NEXT_ADD_V1,    /* AddAnyPortMapping is missing: AddPortMapping */
	IGD_NEXT_WHO_HOLDS, /* 718: GetSpecificPortMappingEntry names the LAN
			     * host that holds the port; report it, never move */
	IGD_NEXT_MOVED,	    /* AddAnyPortMapping gave another external port
			     * without --any-external-port: delete it, report */
	IGD_NEXT_REFUSED,   /* the router said no: report the code */
};

/*
 * What to do after the answer to add: code is the UPnP error code (0 for
 * success, a negative number for a transport failure), granted_external
 * the port AddAnyPortMapping returned (ignored for AddPortMapping, which
 * maps exactly the port asked or fails).
 */
enum igd_next igd_after_add(const struct igd_add *add, int code, uint16_t granted_external);

/* GetSpecificPortMappingEntry's answer for our external port. */
struct igd_entry {
	bool found;	       /* false: 714 NoSuchEntryInArray */
	struct netaddr client; /* NewInternalClient, port 0 */
	uint16_t internal_port;
	bool enabled;
};

enum igd_check {
	IGD_HELD,  /* ours: this host, this internal port, enabled */
	IGD_LOST,  /* no entry, or disabled: add it again */
	IGD_TAKEN, /* another host or internal port holds it: report, never move */
};

/* Judge e against this host's address self and our internal_port. */
enum igd_check igd_confirm(const struct igd_entry *e, const struct netaddr *self,
			   uint16_t internal_port);

/* The description natdoctor gives its UPnP mappings (gw_upnp_add). */
#define IGD_DESCRIPTION "natdoctor"
/* GetGenericPortMappingEntry: past the last index. */
#define IGD_ERR_INDEX_INVALID 713
/* How many entries of the router's table a search for ours reads. */
#define IGD_WALK_MAX 128

/* One entry of the router's table (GetGenericPortMappingEntry). */
struct igd_generic {
	struct igd_entry e;
	uint8_t protocol; /* IPPROTO_TCP or IPPROTO_UDP; 0 another */
	uint16_t external_port;
	char description[64];
};

/* g is a mapping natdoctor made for this host (self) and our internal_port
 * and protocol: the client, internal port, protocol and description all
 * match (enabled or not). Anything else is another host's (or another
 * program's on this host), never to be deleted. */
bool igd_ours(const struct igd_generic *g, const struct netaddr *self, uint8_t protocol,
	      uint16_t internal_port);

/* When to look at a mapping granted with granted_s (0: permanent, then
 * asked_s, the lease that was asked, counts) at now_ms: half the lease, at
 * most IGD_CHECK_MS and at least IGD_CHECK_MIN_MS away. */
uint64_t igd_next_check(uint32_t granted_s, uint32_t asked_s, uint64_t now_ms);

#endif

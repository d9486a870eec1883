/* SPDX-License-Identifier: MIT */
/*
 * UPnP IGD's HTTP/SOAP half, for every user (check's probe, and map's
 * mapping worker to come): the one file that includes miniupnpc, used as
 * the XML parser only. Every call blocks (run it on a net/worker.h
 * thread), fetches through net/httpfetch.h within a byte cap and the
 * caller's deadline, and talks only to the host that answered SSDP (the
 * caller checked the LOCATION with ssdp_location_matches; the control URL
 * is checked here the same way). Redirects are not followed and nothing is
 * ever SUBSCRIBEd. Every string the router sends is sanitised before the
 * caller sees it: miniupnpc's parsers have had overflows (CVE-2014-3985,
 * CVE-2015-6031), and a router's XML is untrusted input.
 */
#ifndef ND_GW_UPNP_H
#define ND_GW_UPNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw/igd.h"
#include "util/netaddr.h"

/* Byte caps on what the router sends: a description is a few KiB, a SOAP
 * answer well under 2 KiB. */
#define GW_UPNP_DESC_MAX  65536
#define GW_UPNP_SOAP_MAX  16384
#define GW_UPNP_URL_MAX	  128 /* miniupnpc's MINIUPNPC_URL_MAXSIZE */
#define GW_UPNP_VALUE_MAX 80
#define GW_UPNP_ERROR_MAX 128

/* One conversation's state: the deadline, what went wrong, and the buffer
 * every answer is read into (never past its cap). */
struct gw_upnp_io {
	uint64_t deadline_ms; /* CLOCK_MONOTONIC */
	bool answered;	      /* the control URL answered (200 or a SOAP fault) */
	unsigned bad_answers; /* malformed, oversized or misdirected answers */
	char error[GW_UPNP_ERROR_MAX];
	uint8_t buf[GW_UPNP_DESC_MAX];
};

/* Where the SOAP calls go, once checked. */
struct gw_upnp_ctl {
	struct netaddr host; /* the gateway that answered SSDP */
	char path[GW_UPNP_URL_MAX];
	char service[GW_UPNP_URL_MAX];
	int igd_version; /* 1 or 2, 0 unknown (ssdp_st_igd_version of the service) */
};

/* Fetch the root description at location (already checked against the
 * SSDP answer's source) and find its WAN connection service; the control
 * URL must be http on the same host. Returns 0 with *c filled, or a
 * negative errno with io->error saying why for the operator. */
int gw_upnp_describe(struct gw_upnp_io *io, const char *location, struct gw_upnp_ctl *c);

/* One value wanted from an answer: name in, sanitised value out ("" if
 * absent). */
struct gw_upnp_value {
	const char *name;
	char value[GW_UPNP_VALUE_MAX];
};

/* A SOAP action (UPnP Device Architecture 1.1 §3.2) on c. args is XML the
 * caller wrote from trusted values. Returns 0 with the n wanted values
 * filled, a UPnP error code (> 0, from a SOAP fault), or a negative errno
 * (-EPROTO: an HTTP status other than 200 or 500). */
int gw_upnp_call(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, const char *action,
		 const char *args, struct gw_upnp_value *want, size_t n);

/* Why a fetch of what ("description", "control answer") failed with err,
 * into io->error; oversized or malformed answers count as bad. */
void gw_upnp_fetch_error(struct gw_upnp_io *io, const char *what, int err);

/* "what: the UPnP error's name (code)" or "what: strerror" into out. */
void gw_upnp_error(char *out, size_t size, const char *what, int code);

/*
 * Blocking SSDP search of the default gateway alone (unicast M-SEARCH to
 * gateway:1900, UDA 1.1 §1.3.2; resent at 300 and 700 ms; until
 * deadline_ms): the first IGD answer whose LOCATION names the gateway is
 * copied into location. Answers from anyone else never arrive (the socket
 * is connected); they are judged by ssdp_igd_answer as check's search
 * judges them: a malformed answer or a LOCATION elsewhere is refused and
 * counted in *bad. At most 16 datagrams are read a wakeup (udp_drain).
 * Returns 0, -ECONNREFUSED (the gateway's port 1900 is closed),
 * -ETIMEDOUT, or another negative errno. For a worker thread (map).
 */
int gw_upnp_search(const struct netaddr *gateway, uint64_t deadline_ms, char *location, size_t size,
		   unsigned *bad);

/* One mapping of this host's, as map asks for it. */
struct gw_upnp_map {
	uint8_t protocol; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t external_port;
	uint16_t internal_port;
	struct netaddr client; /* this host's LAN address */
	uint32_t lease_s;      /* 0: permanent */
};

/* AddAnyPortMapping (kind IGD_ADD_ANY, IGDv2; the port granted in
 * *granted) or AddPortMapping (IGD_ADD; *granted = the port asked), with
 * the description "natdoctor". Returns 0, a UPnP error code (> 0: judge it
 * with igd_after_add), or a negative errno. */
int gw_upnp_add(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, const struct gw_upnp_map *m,
		enum igd_add_kind kind, uint16_t *granted);

/* GetSpecificPortMappingEntry for protocol and external_port into *e
 * (714 NoSuchEntryInArray: e->found false, returns 0). Returns 0, another
 * UPnP error code (> 0), or a negative errno: -EBADMSG when the entry's
 * NewInternalClient or NewInternalPort does not parse (counted as a bad
 * answer; e->found false, e->client set if the address alone parsed). */
int gw_upnp_entry(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, uint8_t protocol,
		  uint16_t external_port, struct igd_entry *e);

/* What else the entry says, for check's report (map needs only *e).
 * listed: the router has an entry for the port (e->found, or -EBADMSG:
 * its client or internal port did not parse). lease_s: NewLeaseDuration,
 * 0 when permanent or unreadable. description: sanitised. */
struct gw_upnp_entry_info {
	bool listed;
	uint32_t lease_s;
	char description[GW_UPNP_VALUE_MAX];
};

/* gw_upnp_entry, with the lease and description into *info as well (when
 * info->listed; otherwise zeroed). */
int gw_upnp_entry_info(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, uint8_t protocol,
		       uint16_t external_port, struct igd_entry *e,
		       struct gw_upnp_entry_info *info);

/* GetGenericPortMappingEntry at index into *g (g->e.found set). Returns 0,
 * a UPnP error code (> 0; 713 past the end of the table, though some
 * routers answer 714 or 402 there), or a negative errno: -EBADMSG when the
 * entry's port, protocol or client does not parse (counted as a bad
 * answer). */
int gw_upnp_generic(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, unsigned index,
		    struct igd_generic *g);

/* DeletePortMapping. Returns 0 (714: already gone counts), a UPnP error
 * code (> 0), or a negative errno. */
int gw_upnp_delete(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, uint8_t protocol,
		   uint16_t external_port);

#endif

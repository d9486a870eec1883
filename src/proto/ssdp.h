/* SPDX-License-Identifier: MIT */
/*
 * SSDP search for UPnP Internet Gateway Devices: the M-SEARCH request and
 * its unicast answer (UPnP Device Architecture 1.1, §1.3.2 and §1.3.3).
 * Pure: no sockets, no logging.
 *
 * Why our own: libminiupnpc's upnpDiscoverDevices raises any wait below
 * 1000 ms to 1000 ms and then waits a full period after the last answer,
 * so UPnP alone would take more than a second. natdoctor sends M-SEARCH on
 * its own loop, stops at the first gateway that answers, and hands the
 * LOCATION to gw/upnp.c, which fetches the description and talks SOAP
 * within byte and time caps. ssdp_igd_answer says which answers count,
 * for check's search and map's alike.
 *
 * Answers come from anyone on the LAN and are untrusted: fields are
 * bounded, kept as printable ASCII only, and a LOCATION is only usable
 * once ssdp_location_parse has found an IP literal in it (see
 * ssdp_location_matches: we never fetch from a host other than the one
 * that answered).
 */
#ifndef ND_PROTO_SSDP_H
#define ND_PROTO_SSDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define SSDP_PORT	 1900
#define SSDP_MCAST_V4	 "239.255.255.250"
#define SSDP_FIELD_MAX	 256 /* with the NUL: longer header values are refused */
#define SSDP_MSEARCH_MAX 256

/* Write an M-SEARCH for search target st with MX seconds (1..5, §1.3.2)
 * into out. Returns the length (no NUL is counted, one is written), or
 * -EINVAL (st empty, over 200 bytes, or with control characters; mx out
 * of range) or -ENOBUFS. */
int ssdp_encode_msearch(const char *st, unsigned mx, char *out, size_t cap);

/* The same, with HOST naming `to` (port 0 means 1900): the unicast search
 * of UDA 1.1 §1.3.2, sent to one device. to NULL is the multicast search
 * above. -EINVAL also for a `to` that is neither IPv4 nor IPv6. */
int ssdp_encode_msearch_to(const char *st, unsigned mx, const struct netaddr *to, char *out,
			   size_t cap);

struct ssdp_response {
	char st[SSDP_FIELD_MAX];       /* search target answered */
	char location[SSDP_FIELD_MAX]; /* URL of the root device description */
	char usn[SSDP_FIELD_MAX];      /* unique service name ("" if absent) */
	char server[SSDP_FIELD_MAX];   /* "OS/version UPnP/1.1 product/version" */
};

/* Decode one datagram (pkt, len; not NUL-terminated, not kept): a status
 * line "HTTP/1.1 200 OK" (or HTTP/1.0, either in any case), then "Name:
 * value" header lines ended by CRLF or a bare LF, names case-insensitive,
 * values trimmed; the first of a repeated header counts; a line starting
 * with a space or tab continues the header before it (RFC 2616 §4.2
 * folding: joined with one space). Returns 0, or
 *   -ENOMSG    not an SSDP search answer (other status line or method)
 *   -EBADMSG   no ST or no LOCATION header, a header line without a colon,
 *              a byte outside printable ASCII in ST or LOCATION (in USN
 *              and SERVER, which are only shown, such bytes become '?')
 *   -EMSGSIZE  a value of ST, LOCATION, USN or SERVER too long to keep
 * On error *out is unspecified. */
int ssdp_decode_response(struct ssdp_response *out, const uint8_t *pkt, size_t len);

/* Is st a search target an IGD answers with: the IGD device types 1 and 2,
 * or its WANIPConnection:1/2 and WANPPPConnection:1 services? Returns the
 * IGD version (1 or 2), or 0 when it is not. */
int ssdp_st_igd_version(const char *st);

struct ssdp_url {
	struct netaddr host; /* IP literal and port (80 if not given) */
	const char *path;    /* points into the parsed string: "/..." */
};

/* Split "http://HOST[:PORT]/PATH" where HOST is an IPv4 literal or a
 * bracketed IPv6 literal. Refused with -EINVAL: another scheme, a name
 * instead of a literal, user information, port 0 or over 65535, no path,
 * spaces or control characters. out->path points into location. */
int ssdp_location_parse(const char *location, struct ssdp_url *out);

/* Did the answer come from the host its LOCATION names (same IP; the
 * port may differ)? natdoctor fetches nothing else. */
bool ssdp_location_matches(const struct ssdp_url *u, const struct netaddr *from);

/* What one answer to an IGD search is worth: which answers natdoctor
 * believes, in one place for check's search on the loop and map's on a
 * worker thread. */
enum ssdp_igd {
	SSDP_IGD_GATEWAY,   /* an IGD on the default gateway, its LOCATION on the
			     * gateway too: use it */
	SSDP_IGD_ELSEWHERE, /* an IGD on another host of the LAN, its LOCATION on
			     * that host: at most a fallback (check), never map's */
	SSDP_IGD_OTHER,	    /* a valid answer from another kind of device (its ST
			     * is no IGD's): not our question, ignored */
	SSDP_IGD_BAD,	    /* truncated, not an SSDP answer, malformed, or a
			     * LOCATION we will not fetch (a name, another host
			     * than the sender): counted as a bad answer */
};

/*
 * Judge the datagram pkt (len bytes kept; truncated: it was longer on the
 * wire) that from sent to our M-SEARCH, gateway being the default gateway
 * (NULL or unset: none, so nothing is SSDP_IGD_GATEWAY). An IPv4-mapped
 * from counts as its IPv4 address; ports are not compared. The answer is
 * decoded into *out, whose location is the one to fetch when the verdict
 * is SSDP_IGD_GATEWAY or SSDP_IGD_ELSEWHERE (otherwise unspecified).
 */
enum ssdp_igd ssdp_igd_answer(const uint8_t *pkt, size_t len, bool truncated,
			      const struct netaddr *from, const struct netaddr *gateway,
			      struct ssdp_response *out);

#endif

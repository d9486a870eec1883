/* SPDX-License-Identifier: MIT */
/*
 * One port mapping's life with a gateway, over PCP (RFC 6887) or NAT-PMP
 * (RFC 6886): the client side both `check` and `map` ask through. A small
 * state machine with no socket, no clock and no randomness of its own: the
 * caller passes the time (ms on any monotonic clock) and a random number
 * to each call, sends the datagram a call writes, and hands every answer
 * from the gateway back. So a unit test drives it with a fake clock.
 *
 *   gw_map_init   what to map (protocol, ports, lifetime, nonce, client)
 *   gw_map_start  ask now (first time, after a reboot, after an ANNOUNCE)
 *   gw_map_due    when the next call to gw_map_tick is wanted
 *   gw_map_tick   the request to send now, if any: a (re)transmission,
 *                 a renewal, or a delete
 *   gw_map_answer an answer decoded with gw_decode: ours or not, and what
 *                 it did (mapped, refused, deleted)
 *   gw_map_delete remove the mapping (lifetime 0, same nonce: RFC 6887 §15)
 *
 * Timing. Requests are resent on net/retx.c's schedules: PCP with RFC 6887
 * §8.1.1's doubling and randomisation but a 250 ms first wait
 * (retx_pcp_lan: a gateway on the LAN answers in milliseconds), NAT-PMP
 * per RFC 6886 §3.1 (250 ms, doubling, 9 sends). A granted mapping is
 * renewed at RFC 6887 §11.2.1's random points: the first renewal uniformly
 * in 1/2..5/8 of the lease, then, while unanswered, 3/4..3/4+1/16,
 * 7/8..7/8+1/32 and so on, never two sends within 4 s (NAT-PMP, RFC 6886
 * §3.3, says "begin halfway"; the same points serve it). A lease that runs
 * out unrenewed starts the request over.
 *
 * Matching. An answer counts only if it answers this mapping: PCP by
 * version, opcode, nonce, protocol and internal port (pcp_response_mismatch,
 * RFC 6887 §11.4), NAT-PMP by opcode and internal port. The source address
 * is the caller's to check (a socket connected to the gateway does it).
 *
 * Epochs (RFC 6887 §8.5, RFC 6886 §3.6) are the server's, not one
 * mapping's: struct gw_epoch tracks them per gateway and says when the
 * server lost its state, and the caller then starts every mapping over.
 */
#ifndef ND_GW_MAPPING_H
#define ND_GW_MAPPING_H

#include <stdbool.h>
#include <stdint.h>

#include "net/retx.h"
#include "proto/natpmp.h"
#include "proto/pcp.h"
#include "util/netaddr.h"

/* GW_UPNP: a mapping made over UPnP IGD (gw/upnp.h) by the caller; the
 * machine only holds its result (state, external port, lease) and never
 * sends, times or matches anything for it. */
enum gw_method { GW_PCP, GW_NATPMP, GW_UPNP };

/* "PCP", "NAT-PMP", "UPnP". */
const char *gw_method_name(enum gw_method m);

#define GW_MIN_RENEW_GAP_MS 4000 /* RFC 6887 §11.2.1: no renewals closer than 4 s */

/* One answer from the gateway, decoded by gw_decode. */
struct gw_answer {
	enum gw_method method; /* by the first byte: 0 NAT-PMP, else PCP */
	union {
		struct pcp_response pcp;
		struct natpmp_response natpmp;
	} u;
	uint32_t epoch;
	/* The server does not speak the version asked: a NAT-PMP-only server
	 * refusing PCP (method GW_NATPMP, UNSUPP_VERSION), or a PCP server of
	 * another version, or a PCP-only server refusing NAT-PMP. */
	bool unsupp_version;
};

/* Decode one datagram of len bytes from the gateway into *a. Returns 0, or
 * the codec's negative errno (proto/pcp.h, proto/natpmp.h; -ERANGE, an
 * undefined result code, decodes fully and is returned as 0 with the code
 * kept: the request failed). */
int gw_decode(struct gw_answer *a, const uint8_t *p, size_t len);

/* Whether an external address a gateway names can be one: unicast beyond
 * the link (reserved, private, shared or public: netaddr classes from
 * NETADDR_RESERVED up). 0.0.0.0 is how NAT-PMP says "not connected" (RFC
 * 6886 §3.2): no address, but no lie; loopback, link-local or multicast
 * would be a lie. */
bool gw_external_believable(const struct netaddr *a);

/* Whether a believable external address shows another NAT in front of the
 * gateway: private (RFC 1918) or shared (100.64/10, RFC 6598). */
bool gw_external_behind_nat(const struct netaddr *a);

/* A gateway's epoch (RFC 6887 §8.5, RFC 6886 §3.6). Zero it to start. */
struct gw_epoch {
	bool have;
	enum gw_method method;
	uint32_t epoch;
	uint64_t at_ms;
};

/* Take the epoch of answer a received at now_ms. Returns true when it shows
 * the server lost its state since the last answer (a reboot): renew every
 * mapping now. The first answer, and the first after a change of method,
 * only start the count. */
bool gw_epoch_lost(struct gw_epoch *e, const struct gw_answer *a, uint64_t now_ms);

enum gw_map_state {
	GW_MAP_IDLE,	 /* not asked, or given up (NAT-PMP after 9 sends) */
	GW_MAP_ASKING,	 /* request sent, no answer yet */
	GW_MAP_HELD,	 /* granted; renewing at its points */
	GW_MAP_REFUSED,	 /* the gateway said no (result in .result) */
	GW_MAP_DELETING, /* lifetime-0 request sent */
	GW_MAP_GONE,	 /* deleted (confirmed, or the deletes sent and given up) */
};

struct gw_map {
	enum gw_method method;
	enum gw_map_state state;
	uint8_t protocol;	/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t internal_port; /* on this host */
	uint16_t want_external; /* suggested external port; 0: any */
	uint32_t lifetime_s;	/* asked */
	struct netaddr client;	/* this host's address toward the gateway */
	uint8_t nonce[PCP_NONCE_LEN];

	struct retx rx;
	uint64_t next_ms; /* when gw_map_tick wants to run; RETX_DONE: never */
	uint64_t last_send_ms;
	unsigned renew_k;   /* renewals sent since the last grant */
	uint32_t renew_rnd; /* the random draw for the current renewal point */

	/* What the gateway granted (HELD) or said last. */
	uint16_t external_port;
	struct netaddr external; /* PCP: from the MAP answer; NAT-PMP: none */
	uint32_t granted_s;
	uint64_t granted_ms, expires_ms;
	int result; /* the last result code; -1 none yet */
	unsigned sends;
};

/* Set up m (zeroing it) for protocol (IPPROTO_TCP/UDP), internal_port,
 * suggested external port (0: any), lifetime in seconds, the PCP client
 * address (this host's address toward the gateway) and a random nonce the
 * caller drew (kept across renewals and re-mappings: RFC 6887 §11.2).
 * State IDLE. */
void gw_map_init(struct gw_map *m, enum gw_method method, uint8_t protocol, uint16_t internal_port,
		 uint16_t want_external, uint32_t lifetime_s, const struct netaddr *client,
		 const uint8_t nonce[PCP_NONCE_LEN]);

/* Ask (again) from now_ms: state ASKING, a fresh retransmission schedule,
 * due now. Also how a caller switches method (set m->method first). */
void gw_map_start(struct gw_map *m, uint64_t now_ms);

/* Delete from now_ms: state DELETING, lifetime-0 requests on check's fast
 * schedule (net/retx.c retx_lan_fast: done within 2 s). From IDLE,
 * REFUSED or GONE there is nothing to delete: state GONE, nothing sent. */
void gw_map_delete(struct gw_map *m, uint64_t now_ms);

/* When gw_map_tick next wants to run (absolute ms), or RETX_DONE. */
uint64_t gw_map_due(const struct gw_map *m);

/*
 * Run the machine at now_ms: write into out the request to send now, if
 * one is due (a first send, a retransmission, a renewal, a delete), and
 * return its length; 0 when nothing is to be sent now. rnd is a fresh
 * uniformly random number. A lease run out unrenewed goes back to ASKING
 * (and sends). NAT-PMP's nine sends unanswered: IDLE. Deletes unanswered
 * after their schedule: GONE. Returns a negative errno only for a request
 * the codec refuses (a bug).
 */
int gw_map_tick(struct gw_map *m, uint64_t now_ms, uint32_t rnd, uint8_t out[static PCP_MAX_LEN]);

enum gw_event {
	GW_EV_NOT_OURS = 0, /* answers another request: ignore it */
	GW_EV_DUPLICATE,    /* answers a request already answered */
	GW_EV_MAPPED,	    /* granted (first time, or renewed with other port/address) */
	GW_EV_RENEWED,	    /* granted again, same external port and address */
	GW_EV_REFUSED,	    /* an error result: state REFUSED, .result says which */
	GW_EV_DELETED,	    /* the delete was answered: state GONE */
	GW_EV_UNSUPPORTED,  /* the server does not speak this method's version */
	GW_EV_BOGUS,	    /* ours, but a success no one could use (PCP external
			     * address missing, 0.0.0.0, loopback, multicast):
			     * ignored, the request stands */
};

/* Apply answer a, received at now_ms (rnd: a fresh random number, for the
 * renewal point), to m. Returns what it did. */
enum gw_event gw_map_answer(struct gw_map *m, const struct gw_answer *a, uint64_t now_ms,
			    uint32_t rnd);

/*
 * RFC 6887 §11.2.1's renewal point, pure: for a lease granted at
 * granted_ms for lifetime_ms, the k-th renewal (0: the first) at
 * granted + lifetime * (1 - 2^-(k+1)) + U * lifetime * 2^-(k+3), U =
 * rnd / 2^32, but not before last_send_ms + 4 s. Returns RETX_DONE when
 * that is at or past the expiry: no renewal left.
 */
uint64_t gw_renew_point(uint64_t granted_ms, uint64_t lifetime_ms, unsigned k, uint32_t rnd,
			uint64_t last_send_ms);

#endif

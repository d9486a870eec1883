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
 * Besides mappings, a question that maps nothing (struct gw_query: NAT-PMP's
 * external address, PCP's ANNOUNCE), and for a caller that reports what it
 * threw away, the reasons (enum gw_reject). `map` keeps its mappings for
 * hours; `check` asks once and deletes at once (gw_map_oneshot): the same
 * requests, nonces, matching and deletes for both.
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

/* Why an answer from the gateway was thrown away, for a caller that counts
 * them by reason (check's report: "3 answers with the wrong nonce"). */
enum gw_reject {
	GW_REJECT_LENGTH,     /* too short or too long for what it claims (-EMSGSIZE) */
	GW_REJECT_VERSION,    /* another protocol version (-EPROTONOSUPPORT) */
	GW_REJECT_NOT_ANSWER, /* a request, not an answer (-EBADMSG: R bit clear, opcode < 128) */
	GW_REJECT_OPCODE,     /* an opcode we never send (-EOPNOTSUPP) */
	GW_REJECT_MALFORMED,  /* malformed in another way */
	GW_REJECT_NONCE,      /* a PCP MAP answer with another nonce */
	GW_REJECT_UNASKED,    /* answers nothing we asked: opcode, protocol, port */
	GW_REJECT_ADDRESS,    /* an external address that cannot be (loopback, ...) */
	GW_REJECT_DUPLICATE,  /* repeats an answer already taken: not a fault */
	GW_REJECT_MAX
};

/* The reason for gw_decode's negative errno: -EMSGSIZE length,
 * -EPROTONOSUPPORT version, -EBADMSG not an answer (both codecs return it
 * only for a request), -EOPNOTSUPP opcode, anything else malformed. */
enum gw_reject gw_reject_decode(int err);

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
	/* gw_map_oneshot: asked on this profile, never renewed, never given
	 * up by the machine (the caller's deadline ends it). NULL: a daemon's
	 * mapping (retx_pcp_lan or retx_rfc6886, renewed, given up). */
	const struct retx_profile *oneshot;
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

/* Make m (after gw_map_init) a short-lived probe mapping, as `check` asks
 * for one: requests on profile p (retx_lan_fast), no renewal once granted,
 * and after the last send it waits in ASKING for an answer (nothing more
 * due) instead of giving up: the caller's deadline ends it, with a
 * gw_map_delete. */
void gw_map_oneshot(struct gw_map *m, const struct retx_profile *p);

/* Ask (again) from now_ms: state ASKING, a fresh retransmission schedule,
 * due now. Also how a caller switches method (set m->method first). */
void gw_map_start(struct gw_map *m, uint64_t now_ms);

/* Delete from now_ms: state DELETING, lifetime-0 requests on check's fast
 * schedule (net/retx.c retx_lan_fast: done within 2 s). From IDLE,
 * REFUSED or GONE there is nothing to delete: state GONE, nothing sent.
 * From ASKING it is sent even if this m never asked: `map --delete`
 * removes what an earlier run made. A caller on its way out sends what
 * the next gw_map_tick writes and need not wait for the answer. */
void gw_map_delete(struct gw_map *m, uint64_t now_ms);

/* Forget m without a delete: the gateway made nothing (it does not speak
 * the method) or the caller has sent its delete and moves on. State GONE,
 * nothing due; a later answer to it is a GW_EV_DUPLICATE. */
void gw_map_forget(struct gw_map *m);

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
			     * ignored, the request stands. For a gw_query: taken,
			     * but the external address it names is a lie */
	GW_EV_ANSWERED,	    /* a gw_query's answer, taken */
};

/* Apply answer a, received at now_ms (rnd: a fresh random number, for the
 * renewal point), to m. Returns what it did. */
enum gw_event gw_map_answer(struct gw_map *m, const struct gw_answer *a, uint64_t now_ms,
			    uint32_t rnd);

/* Why answer a, which gw_map_answer found NOT_OURS, is not m's:
 * GW_REJECT_NONCE when it is a PCP MAP answer that would be m's but for
 * its nonce (RFC 6887 §11.4: someone else's mapping, or a forgery),
 * GW_REJECT_UNASKED otherwise. */
enum gw_reject gw_map_reject(const struct gw_map *m, const struct gw_answer *a);

/*
 * A question to the gateway that maps nothing: NAT-PMP's external address
 * request (RFC 6886 §3.2; method GW_NATPMP) or PCP's ANNOUNCE (RFC 6887
 * §14.1; method GW_PCP: is a PCP server there, and its epoch). Asked on a
 * retransmission profile the caller picks, until answered or the profile
 * runs out; the first matching answer is taken, later ones are duplicates.
 * No socket, no clock, as gw_map.
 */
struct gw_query {
	enum gw_method method;
	const struct retx_profile *profile;
	struct netaddr client; /* PCP: this host's address toward the gateway */
	struct retx rx;
	uint64_t next_ms; /* when gw_query_tick wants to run; RETX_DONE: never */
	uint64_t last_send_ms;
	unsigned sends;
	bool answered;
	bool stopped; /* gw_query_stop: no more sends, answers are duplicates */

	/* The answer taken. */
	int result; /* its result code; -1 none yet */
	uint32_t epoch;
	/* NAT-PMP SUCCESS: the external address when believable
	 * (gw_external_believable), else family 0. */
	struct netaddr external;
};

/* Set up q (zeroing it) for method, the PCP client address (ignored for
 * NAT-PMP) and retransmission profile p; asking starts at now_ms (due
 * now). */
void gw_query_start(struct gw_query *q, enum gw_method method, const struct netaddr *client,
		    const struct retx_profile *p, uint64_t now_ms);

/* Stop asking: nothing more due, and an answer that still comes is a
 * GW_EV_DUPLICATE (the caller has moved on: the protocol is absent). */
void gw_query_stop(struct gw_query *q);

/* When gw_query_tick next wants to run (absolute ms), or RETX_DONE. */
uint64_t gw_query_due(const struct gw_query *q);

/* Write into out the request due at now_ms, if any, and return its
 * length; 0 when nothing is due. rnd as for gw_map_tick. */
int gw_query_tick(struct gw_query *q, uint64_t now_ms, uint32_t rnd,
		  uint8_t out[static PCP_MAX_LEN]);

/* Apply answer a to q: GW_EV_NOT_OURS (not an answer to this question, or
 * the question never left), GW_EV_DUPLICATE (answered or stopped before),
 * GW_EV_ANSWERED (taken: result, epoch, external filled), or GW_EV_BOGUS
 * (taken, but a NAT-PMP success naming an external address that cannot be
 * one: loopback, link-local, multicast; 0.0.0.0 is "not connected", no
 * lie). */
enum gw_event gw_query_answer(struct gw_query *q, const struct gw_answer *a);

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

/* SPDX-License-Identifier: MIT */
/*
 * map --server: each new mapping confirmed from outside. A natdoctor serve
 * (docs/SERVE-PROTOCOL.md) is asked over UDP to dial this host's observed
 * address back on the mapping's external port; what it finds there is the
 * confirmation. The protocol half is dial/dialclient.h, shared with
 * check --server; this file holds the socket, the timer and the verdict.
 *
 * Without --server nothing here runs and nothing leaves the host. A server
 * that does not answer, refuses, or sees this host at another address than
 * the mapping's leaves the port "unknown", never "not reachable".
 */
#ifndef ND_MAP_CONFIRM_H
#define ND_MAP_CONFIRM_H

#include <stdbool.h>
#include <stdint.h>

#include "net/loop.h"
#include "util/netaddr.h"

#define CONFIRM_MAX_PORTS 8
/* --server given more than once: asked in turn (confirm_open). */
#define CONFIRM_MAX_SERVERS 4
#define CONFIRM_TEXT_MAX    160
/* A verdict comes within this of the ask (the server being known). */
#define CONFIRM_WAIT_MS 4000

enum confirm_state {
	CONFIRM_NONE = 0, /* not asked */
	CONFIRM_ASKING,
	CONFIRM_YES,	 /* the server's dial-back reached the external address and port */
	CONFIRM_NO,	 /* it did not: refused, or nothing came back (filtered) */
	CONFIRM_UNKNOWN, /* no verdict: see reason */
};

struct confirm_port {
	enum confirm_state state;
	uint8_t ipproto;	       /* IPPROTO_TCP or IPPROTO_UDP */
	struct netaddr ext;	       /* the mapping's external address and port */
	uint8_t result;		       /* enum dialback_result, 0 when none came */
	uint32_t ms;		       /* from the ask to the verdict */
	char reason[CONFIRM_TEXT_MAX]; /* why NO or UNKNOWN, for people */
	uint64_t verdict_ms;	       /* loop time of the last verdict */
	unsigned unknowns;	       /* UNKNOWN verdicts in a row for this ext */
	const char *server;	       /* "host:port" asked now, or that gave the verdict */
};

/* An UNKNOWN verdict is asked again (confirm_retry_due): not before this
 * after the verdict, doubling with each UNKNOWN in a row, up to the max. */
#define CONFIRM_RETRY_FIRST_MS 5000
#define CONFIRM_RETRY_MAX_MS   (3600 * 1000)

struct confirm;

/* Runs on the loop when port idx has a verdict (YES, NO or UNKNOWN). */
typedef void (*confirm_cb)(void *data, unsigned idx);

/*
 * Confirmations through the natdoctor serves at hosts[k] (a name or an IP
 * literal) and ports[k], k < n (1..CONFIRM_MAX_SERVERS), on l. Each ask
 * goes to the first; a server whose verdict is UNKNOWN (silent, closed,
 * not a natdoctor serve, rate-limited) hands the same ask to the next, and
 * the last one's UNKNOWN is the verdict (confirm_port.server names who
 * gave it). Resolves the hosts at once (IPv4; a name on a worker thread);
 * nothing is sent before confirm_ask. Returns 0 and *out, or -EINVAL for
 * n out of bounds, -ENOMEM / resolve_start's error.
 */
int confirm_open(struct loop *l, const char *const *hosts, const uint16_t *ports, unsigned n,
		 confirm_cb cb, void *data, struct confirm **out);

/*
 * Ask the server to dial back ext (address and port) over ipproto for
 * port idx (< CONFIRM_MAX_PORTS); a running ask for idx is replaced. The
 * verdict comes through cb within CONFIRM_WAIT_MS once the server's
 * address is known (per server asked in turn). UDP: the server sends one datagram, which only the
 * holder of this host's port (internal_port) can see; map holds the port
 * itself until the verdict when no node does (a node starting in that
 * moment cannot bind it), else the verdict is UNKNOWN at once.
 */
void confirm_ask(struct confirm *c, unsigned idx, uint8_t ipproto, uint16_t internal_port,
		 const struct netaddr *ext);

/*
 * Pure: is it time to ask again about p at now_ms? Only an UNKNOWN verdict
 * is (the server was silent, not resolvable yet, rate-limited, busy): not
 * before CONFIRM_RETRY_FIRST_MS after it, doubled for each further UNKNOWN
 * in a row, at most CONFIRM_RETRY_MAX_MS. YES and NO are never asked again
 * for the same external address and port. map calls this at a renewal or
 * check of the mapping, so a retry is never more frequent than those.
 */
bool confirm_retry_due(const struct confirm_port *p, uint64_t now_ms);

/* Port idx's state (CONFIRM_NONE for an index never asked). */
const struct confirm_port *confirm_get(const struct confirm *c, unsigned idx);

/* Some port is still being asked about. NULL: false. */
bool confirm_busy(const struct confirm *c);

/* The servers' "host:port" as given, comma-separated, for messages. */
const char *confirm_server_name(const struct confirm *c);

/* Close the socket, cancel the timer and the resolution, free. NULL is fine. */
void confirm_close(struct confirm *c);

#endif

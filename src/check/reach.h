/* SPDX-License-Identifier: MIT */
/*
 * Reachability from outside, decided from the reach view (what natdoctor
 * serve's dial-backs found, check/serverprobe.c) and the rest of the
 * result. Pure: no network, no clock, so every case is a unit test over a
 * hand-built result.
 *
 * For each node port: reachable or not (unknown without a dial-back), who
 * answered (a libp2p node, something else), and when not reachable every
 * cause the evidence shows, the outermost first: the one the operator must
 * fix first, because a fix further in cannot help while it stands.
 */
#ifndef ND_CHECK_REACH_H
#define ND_CHECK_REACH_H

#include "check/result.h"

/* Blockers, outermost first: the order is the order of the fix. */
enum reach_blocker {
	BLOCKER_NONE = 0,
	BLOCKER_CGNAT,		 /* the provider's carrier-grade NAT */
	BLOCKER_PROVIDER_FILTER, /* something upstream of the router drops the port */
	BLOCKER_NO_PORT_FORWARD, /* the router does not forward the port to this host */
	BLOCKER_HOST_FIREWALL,	 /* this host's own firewall drops it */
	BLOCKER_NOT_LISTENING,	 /* nothing listens on the port here */
	BLOCKER_UNKNOWN,	 /* not reachable, and the evidence does not say why */
	BLOCKER_N
};

struct reach_decision {
	struct node_port port;
	enum tristate listening;
	enum tristate reachable;       /* TRI_UNKNOWN without a dial-back of this port */
	uint8_t answered_by;	       /* DIALBACK_LIBP2P, DIALBACK_OTHER, or 0 */
	enum reach_blocker blocked_by; /* BLOCKER_NONE unless reachable is TRI_NO */
	unsigned also_blocked_by;      /* bit (1u << blocker) for every further cause */
};

struct reach_verdict {
	/* A dial-back measured the reachability of at least one node port.
	 * The one field the verdict asks before it calls inbound reachability
	 * known rather than inferred. */
	bool measured;
	struct reach_decision ports[CHECK_MAX_PORTS];
	size_t n_ports;
};

/* What the verdict already knows about the path. */
struct reach_facts {
	int layers; /* NAT layers on IPv4, -1 unknown */
	bool cgnat;
};

/* Classify a NAT's mapping behaviour from RFC 5780 §4.3's tests: m1 the
 * address test I saw (primary address and port), m2 test II (alternate
 * address, primary port), m3 test III (alternate address and port), all
 * from the same local address `local` (IP and port). Family 0 means the
 * test got no answer. NONE when m1 is our own address and port. */
enum nat_mapping reach_classify_mapping(const struct netaddr *local, const struct netaddr *m1,
					const struct netaddr *m2, const struct netaddr *m3);

/* What one dial-back says of its port: reached, not reached, or unknown
 * (no result, not dialled, or a UDP port we could not watch). The probe
 * fills reach_view.reached[] with it. */
enum tristate reach_port_reached(const struct reach_port *rp);

/* Decide every node port of cfg from res and facts into out (overwritten). */
void reach_decide(const struct check_config *cfg, const struct check_result *res,
		  const struct reach_facts *facts, struct reach_verdict *out);

struct verdict;

/* The findings about reachability, appended to v (after reach_decide filled
 * v->reach): what was reached, each cause of what was not (the causes
 * "cgnat" and "not-listening" are the verdict's own `cgnat` and
 * `node-not-listening` findings), a server that failed, and the hint to
 * run natdoctor serve when no server was given. */
void reach_findings(const struct check_config *cfg, const struct check_result *res,
		    struct verdict *v);

/* Every node port was dialled back and reached (false when none was). */
bool reach_all_reachable(const struct reach_verdict *rv);

/* Stable names for the report: "cgnat", "provider-filter",
 * "no-port-forward", "host-firewall", "not-listening", "unknown"; NULL for
 * BLOCKER_NONE. Mapping: "none", "endpoint-independent", ...; NULL when
 * unknown. */
const char *reach_blocker_name(enum reach_blocker b);
const char *reach_mapping_name(enum nat_mapping m);

#endif

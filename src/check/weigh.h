/* SPDX-License-Identifier: MIT */
/*
 * Weighing the IPv4 evidence of `natdoctor check`: every view that speaks
 * to "how many NATs, is one the provider's" (the host's address, STUN, the
 * router's three protocols, the path) in one place, with how sure the
 * answer is and which views disagree. Pure: no network, no clock; the
 * verdict (verdict.c) turns the result into findings.
 */
#ifndef ND_CHECK_WEIGH_H
#define ND_CHECK_WEIGH_H

#include "check/result.h"

#define WEIGH_TEXT_MAX 480

/* What one router protocol said about the router's own WAN side. */
enum gw_claim_answer {
	GWA_NONE = 0,	 /* not asked, or no answer */
	GWA_EXTERNAL,	 /* success, with a WAN address */
	GWA_OK,		 /* success without an address (PCP ANNOUNCE only) */
	GWA_UNPROVEN,	 /* GWA_OK, but a sibling says the WAN is not public */
	GWA_NO_EXTERNAL, /* answered, but has no external address (0.0.0.0, empty) */
	GWA_REFUSED_WAN, /* refused with a code that says its WAN cannot be mapped */
	GWA_REFUSED,	 /* refused for another reason (policy, version, quota) */
};

struct gw_claim {
	const char *name; /* "PCP", "NAT-PMP", "UPnP IGD" */
	enum gw_claim_answer answer;
	struct netaddr external; /* family 0 if none was named (also on refusals) */
	char words[160];	 /* the answer in plain words, "" for none */
};

struct weighed {
	int layers;		       /* NAT layers the evidence shows; -1 unknown */
	bool certain;		       /* nothing contests it or hints at more */
	bool cgnat;		       /* 100.64.0.0/10 seen (host, router WAN or hop) */
	bool more_likely;	       /* strong but unproven evidence of one more NAT */
	bool wan_not_public;	       /* a router answer says its WAN cannot be mapped */
	bool router_claims;	       /* a router protocol names the STUN-seen address as its
				 WAN address */
	bool router_public;	       /* ... and nothing contradicts it (no refusal, no
				 private hop before the first public one) */
	struct gw_claim gw[3];	       /* PCP, NAT-PMP, UPnP IGD */
	struct netaddr wan;	       /* the router's WAN address, any protocol; 0 if none */
	const char *wan_src;	       /* which protocol named it */
	struct netaddr outer;	       /* the first non-public hop beyond the LAN, 0 if none */
	char basis[WEIGH_TEXT_MAX];    /* the evidence for the layers counted */
	char doubt[WEIGH_TEXT_MAX];    /* why there may be more; "" when certain */
	char disagree[WEIGH_TEXT_MAX]; /* views that disagree, each named; "" */
};

/* Weigh the IPv4 views of res. host4 is this host's source address toward
 * the internet (port ignored; family 0 if unknown: then layers is -1).
 * Fills every field of *w. */
void weigh_ipv4(const struct check_result *res, const struct netaddr *host4, struct weighed *w);

/* Did claim c answer in a way a mapping would work (success, no refusal)? */
bool weigh_mapping_works(const struct gw_claim *c);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The verdict of `natdoctor check`: from the four views alone (no network,
 * no clock), how many layers of NAT stand between the node and the
 * internet, whether one is the provider's carrier-grade NAT, and findings,
 * each with its evidence and a remedy in the operator's terms.
 *
 * Pure, so every topology can be unit-tested from a hand-built result.
 */
#ifndef ND_CHECK_VERDICT_H
#define ND_CHECK_VERDICT_H

#include "check/reach.h"
#include "check/result.h"

#define VERDICT_MAX_FINDINGS 24

enum severity {
	SEV_INFO = 0,	 /* good to know; does not fail the check */
	SEV_WARNING = 1, /* likely costs peers; the check exits 1 */
	SEV_PROBLEM = 2, /* stops inbound peers; the check exits 1 */
};

struct finding {
	char id[32]; /* stable, documented in docs/REPORT.md */
	enum severity severity;
	char summary[200];
	char evidence[900];
	char remedy[1200];
};

struct verdict {
	bool no_network;       /* no default route in any family asked: could not test */
	bool tested4, tested6; /* the family was asked for and has a default route */
	int layers;	       /* NAT layers on the IPv4 path the evidence shows,
				  -1 if unknown (IPv4 not tested) */
	bool layers_certain;   /* every view agrees and none hints at more */
	bool more_likely;      /* strong but unproven evidence of one more NAT */
	bool cgnat;	       /* evidence of 100.64.0.0/10 (RFC 6598) on the path */
	enum tristate mapping_varies;
	enum nat_filtering filtering;	 /* IPv4, RFC 5780 §4.4 */
	enum nat_filtering filtering6;	 /* the same measured over IPv6 */
	enum tristate nat66;		 /* IPv6 translated (local != mapped) */
	struct netaddr public4, public6; /* family 0 when unknown */
	struct finding findings[VERDICT_MAX_FINDINGS];
	size_t n_findings;
	struct reach_verdict reach; /* per node port, from a dial-back (check/reach.h) */
};

/* Append a finding (zeroed but for id and severity) to v; NULL when the
 * list is full. For findings computed outside verdict.c. */
struct finding *verdict_add(struct verdict *v, const char *id, enum severity s);

/* verdict_add, never NULL: when the list is full, *scratch (zeroed, id and
 * severity set) is returned to be written and dropped, so a caller fills
 * every finding the same way whether it fits or not. */
struct finding *verdict_add_or(struct verdict *v, const char *id, enum severity s,
			       struct finding *scratch);

void verdict_compute(const struct check_config *cfg, const struct check_result *res,
		     struct verdict *v);

/* The exit status the verdict calls for (util/exit.h). */
int verdict_exit_status(const struct verdict *v);

const char *verdict_severity_name(enum severity s);
const char *verdict_filtering_name(enum nat_filtering f); /* NULL for unknown */

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The node's view held against the world (pure, like verdict.c): what the
 * node advertises against what STUN and the router show, whether its
 * external address churns, its peer budget, two nodes on one public
 * address, and IPv6 as the way out of a provider NAT. Findings are
 * appended to the verdict; their ids are documented in docs/REPORT.md.
 */
#ifndef ND_CHECK_NODEFIND_H
#define ND_CHECK_NODEFIND_H

#include "check/result.h"
#include "check/verdict.h"

/* The peer count a healthy Substrate node aims for (the README's 40-50). */
#define NODEFIND_TARGET_LOW  40
#define NODEFIND_TARGET_HIGH 50
/* More listen or advertised addresses than this is not a node telling the
 * truth (a real node lists a handful). */
#define NODEFIND_ADDRS_IMPLAUSIBLE 256

/* Where m stands for someone who wants to dial it. lv (may be NULL) tells
 * which local interfaces are container bridges (docker0, br-*, cni*,
 * podman*), whose addresses are reachable from this host alone. */
enum node_addr_class nodefind_classify(const struct multiaddr *m, const struct local_view *lv);

/* True for public and DNS addresses: somebody out there can dial them. */
bool nodefind_dialable(enum node_addr_class c);

/* Append the node findings to v (computed by verdict_compute from the
 * other views first: v->public4, v->cgnat are used). */
void nodefind_compute(const struct check_config *cfg, const struct check_result *res,
		      struct verdict *v);

#endif

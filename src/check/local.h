/* SPDX-License-Identifier: MIT */
/*
 * The local view of `natdoctor check`: this host's addresses, its default
 * routes and where internet traffic leaves, and whether something listens
 * on the node's ports. All of it comes from the kernel (rtnetlink and
 * /proc/net) and is gathered synchronously before the probes start: the
 * kernel answers at once and nothing is sent on the network.
 *
 * What is left out, and why:
 * - addresses on interfaces that are down (not IFF_UP, or not IFF_RUNNING:
 *   no carrier) and IPv6 addresses that failed duplicate address
 *   detection: the host can neither send nor receive with them, and a
 *   stale public address on a dead interface would mislead the verdict;
 * - beyond CHECK_MAX_IFADDRS addresses, the least telling ones (link-local
 *   first, then loopback): public, CGNAT and private addresses are what
 *   the verdict reasons about. How many were left out is said in error.
 */
#ifndef ND_CHECK_LOCAL_H
#define ND_CHECK_LOCAL_H

#include <stddef.h>

#include "check/result.h"

/* Fill *out (zeroed first): addresses with their class, route4 and route6,
 * and one listener per cfg->ports entry (at most CHECK_MAX_PORTS).
 *
 * route.present says a default route exists (see netlink_default_route:
 * the main table first); gateway and ifname are that route's. source and
 * egress_ifname come from a route lookup toward a public address
 * (LOCAL_PROBE_V4 / LOCAL_PROBE_V6), so they say what the kernel really
 * does with internet traffic, VPNs and policy rules included.
 *
 * Never fatal: what could not be learnt stays empty (listening
 * TRI_UNKNOWN), out->error says why, and the return value is the first
 * negative errno met, or 0 when the view is complete. A missing default
 * route, or a family the kernel does not have, is a fact, not an error. */
int local_view_gather(const struct check_config *cfg, struct local_view *out);

/* The public addresses the route lookups aim at. Any global unicast
 * address would do: the lookup only asks the kernel, nothing is sent.
 * These are well-known anycast addresses, so a host-specific route to them
 * is unlikely. */
#define LOCAL_PROBE_V4 "8.8.8.8"
#define LOCAL_PROBE_V6 "2001:4860:4860::8888"

/* The route toward dst, as `ip route get` shows it: present (a unicast
 * route exists), gateway (family 0 when on-link), source (the kernel's
 * preferred source) and ifname; egress_ifname equals ifname. For the probes
 * ("which gateway and source toward this STUN server"). Returns 0, or a
 * negative errno (-ENETUNREACH: no route) with *out zeroed. */
int local_route_toward(const struct netaddr *dst, struct local_route *out);

/* The listener part alone, from procnet_dir/{tcp,tcp6,udp,udp6}
 * ("/proc/net" for real; tests point it at captured files). Fills
 * out[0..n_ports-1]. A missing tcp6 or udp6 (IPv6 disabled) is not an
 * error; an unreadable file leaves its ports TRI_UNKNOWN unless the other
 * family's file showed a listener. Returns 0, or the first negative errno
 * of a file that could not be read in full. */
int local_listeners_gather(const char *procnet_dir, const struct node_port *ports, size_t n_ports,
			   struct local_listener *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Ask the kernel about interfaces, addresses and routes over rtnetlink (a
 * NETLINK_ROUTE socket; no root needed). The bytes are built and parsed by
 * proto/rtnl.c; this file owns the socket and the request/reply loop.
 *
 * Synchronous and bounded: the kernel answers at once, so each call sends a
 * request and reads until the reply is complete, but never longer than the
 * handle's timeout (SO_RCVTIMEO on each read, and a deadline over the whole
 * reply), never more than NETLINK_MAX_MSGS messages, and always into the
 * one fixed buffer of the handle. Replies are matched by sequence number
 * and port id and must come from the kernel (nl_pid 0); anything else is
 * dropped. After a failed or abandoned reply the socket is replaced, so
 * the rest of an old dump cannot be taken for the next answer.
 *
 * Not thread-safe: one handle per thread.
 */
#ifndef ND_NET_NETLINK_H
#define ND_NET_NETLINK_H

#include <stdint.h>

#include "proto/rtnl.h"
#include "util/netaddr.h"

#define NETLINK_TIMEOUT_MS 1000
/* Messages accepted for one request. A host has a few hundred routes; a
 * router with a full BGP table has a million, and for such a host a route
 * dump gives up (-E2BIG) rather than read for seconds. */
#define NETLINK_MAX_MSGS 100000

struct netlink;

/* Open a handle. timeout_ms bounds each request (0: NETLINK_TIMEOUT_MS).
 * Returns 0 and *out, or a negative errno (the socket could not be made). */
int netlink_open(struct netlink **out, unsigned timeout_ms);

/* Close a handle; NULL is fine. */
void netlink_close(struct netlink *nl);

/* The kernel's extended-ACK text for the last failed request, or "". */
const char *netlink_errmsg(const struct netlink *nl);

/* Dumps call fn once per object, in the kernel's order; the object is valid
 * during the call only. If fn returns a negative errno the rest of the dump
 * is read and dropped and that errno is returned. Each returns 0, a
 * callback's error, or a negative errno: -ETIMEDOUT, -E2BIG (too many
 * messages), -EBADMSG (a malformed reply), -EAGAIN (the kernel says the
 * dump was interrupted by a change, NLM_F_DUMP_INTR: fn saw an
 * inconsistent set; start again), or the kernel's own error. */
typedef int (*netlink_link_fn)(const struct rtnl_link *link, void *ctx);
typedef int (*netlink_addr_fn)(const struct rtnl_addr *addr, void *ctx);
typedef int (*netlink_route_fn)(const struct rtnl_route *route, void *ctx);

/* Every interface. */
int netlink_dump_links(struct netlink *nl, netlink_link_fn fn, void *ctx);

/* Every address of one family (AF_INET, AF_INET6; AF_UNSPEC: all). Only
 * addresses of the asked families reach fn. */
int netlink_dump_addrs(struct netlink *nl, uint8_t family, netlink_addr_fn fn, void *ctx);

/* Every route of one family, all tables (AF_UNSPEC: all). Only routes of
 * the asked families reach fn. */
int netlink_dump_routes(struct netlink *nl, uint8_t family, netlink_route_fn fn, void *ctx);

/* The default route of one family (AF_INET or AF_INET6): a unicast route to
 * 0.0.0.0/0 or ::/0, from the main table when it has one (else from any
 * other table but local), with the lowest metric. Returns 0 and *out,
 * -ENOENT when there is none, or a dump error. */
int netlink_default_route(struct netlink *nl, uint8_t family, struct rtnl_route *out);

/* The route the kernel would use toward dst right now (policy rules and
 * more specific routes included), like `ip route get`: out gets the
 * gateway (family 0 if on-link), the output interface and the preferred
 * source address. Nothing is sent on the network. Returns 0, or a negative
 * errno: -ENETUNREACH (no route), -EAFNOSUPPORT (the family is disabled), a
 * transport error. */
int netlink_route_get(struct netlink *nl, const struct netaddr *dst, struct rtnl_route *out);

/* One interface by index. Returns 0, -ENODEV, or a transport error. */
int netlink_link_get(struct netlink *nl, uint32_t index, struct rtnl_link *out);

#endif

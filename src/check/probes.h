/* SPDX-License-Identifier: MIT */
/*
 * The probes of `natdoctor check`. Each starts on the loop, registers with
 * check_probe_register, and fills its part of the result (see check.h for
 * the life cycle). A start function returns 0, or a negative errno after
 * recording in the result why the probe could not run; either way the
 * check goes on with the other probes.
 */
#ifndef ND_CHECK_PROBES_H
#define ND_CHECK_PROBES_H

#include "check/check.h"

/* STUN Binding to every configured server from one socket per family,
 * plus RFC 5780 mapping and filtering tests where a server offers them.
 * Starts the path probe toward the first IPv4 server that resolves. */
int stunprobe_start(struct check_run *r);

/* PCP and NAT-PMP on the IPv4 default gateway's UDP port 5351. */
int gwprobe_start(struct check_run *r);

/* Map natdoctor's own TCP listener on internal_port through the gateway's
 * PCP (RFC 6887 §11), or NAT-PMP (RFC 6886 §3.3) when only that answered,
 * for check --server, suggesting external port
 * `suggested` (0: any). cb(data, external_port) runs once, from the loop,
 * when the gateway answers: the port granted, or 0 when it refused. No
 * answer: no call. Every mapping made is deleted (lifetime 0) when the
 * check finishes, however it ends. Returns 0, -ENOTSUP (no gateway probe
 * running, or its gateway has neither), -ENOSPC, -EIO. Call after
 * gwprobe_start. */
#define GW_MAX_PMAPS 4
typedef void (*gwprobe_map_cb)(void *data, uint16_t external_port);
int gwprobe_map_tcp(struct check_run *r, uint16_t internal_port, uint16_t suggested,
		    gwprobe_map_cb cb, void *data);

/* UPnP IGD discovery and queries (read-only), on a worker thread. */
int upnp_start(struct check_run *r);

/* check --server: dial-backs of the node's ports and of a probe listener,
 * TCP mapping and hairpinning against the first natdoctor serve. Without
 * --server it only records that no server was given. */
int serverprobe_start(struct check_run *r);

/* TTL-limited STUN Binding requests toward target, listing the hops. */
int pathprobe_start(struct check_run *r, const struct netaddr *target);

/* The node's own view: its process, log, JSON-RPC and metrics (check/node.h). */
int nodeview_start(struct check_run *r);

#endif

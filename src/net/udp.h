/* SPDX-License-Identifier: MIT */
/*
 * The UDP sockets the probes use: non-blocking, close-on-exec, IPv6 ones
 * IPv6-only (an IPv4 probe must not leave through an IPv6 socket).
 */
#ifndef ND_NET_UDP_H
#define ND_NET_UDP_H

#include "util/netaddr.h"

/* A UDP socket of family (AF_INET or AF_INET6). With peer, connected to it
 * (only its answers arrive, and ICMP errors come back as ECONNREFUSED or
 * on the error queue); without, bound to the wildcard address and an
 * ephemeral port. local (optional) receives the local address and port the
 * kernel chose. Returns the fd, or a negative errno. */
int udp_open(int family, const struct netaddr *peer, struct netaddr *local);

#endif
